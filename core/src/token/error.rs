//! Errors of token verification, key loading and signing.

use alloc::string::String;
use core::fmt;

use super::Algorithm;
use crate::json::{JsonError, Printable};

/// The reason a token was rejected. Each variant is a distinct thing a caller
/// can act on; [`TokenError::code`] gives a stable name for each.
///
/// Messages never contain the token, a signature or a secret. Values taken
/// from the token (a `kid`, a claim name) are escaped and cut to 64 characters.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum TokenError {
    /// A validation option is outside the range this crate supports, so no
    /// token verifies under these options until it is fixed.
    InvalidOption {
        /// The option, as named in [`Validation`](super::Validation).
        option: &'static str,
        /// The problem with its value.
        problem: OptionProblem,
    },
    /// The token is not a well-formed compact JWS or JWT.
    Malformed(Malformed),
    /// The token exceeds a configured limit; nothing was verified.
    TooLarge {
        /// Which limit.
        limit: Limit,
        /// The configured maximum.
        max: usize,
    },
    /// The header names `none` or an algorithm this crate does not implement.
    UnsupportedAlgorithm {
        /// The header's `alg`, escaped and cut.
        alg: String,
    },
    /// The algorithm is implemented but not allowed by the validation options
    /// or by any key in the set.
    DisallowedAlgorithm {
        /// The header's algorithm.
        alg: Algorithm,
        /// JWKs that the key set skipped as unusable, which the message
        /// mentions as a likely cause.
        skipped_keys: usize,
    },
    /// No key in the set has the header's `kid`.
    UnknownKeyId {
        /// The header's `kid`, escaped and cut.
        kid: String,
    },
    /// The token has no `kid` and no key in the set can verify its algorithm.
    NoMatchingKey {
        /// The header's algorithm.
        alg: Algorithm,
        /// JWKs that the key set skipped as unusable.
        skipped_keys: usize,
    },
    /// The token has no `kid` and several keys could verify its algorithm; the
    /// verifier never tries each in turn.
    AmbiguousKey {
        /// The header's algorithm.
        alg: Algorithm,
        /// How many keys could have been used.
        candidates: usize,
    },
    /// The key selected by `kid` cannot be used with the header's algorithm.
    KeyAlgorithmMismatch {
        /// The header's `kid`, escaped and cut.
        kid: String,
        /// The header's algorithm.
        alg: Algorithm,
        /// For an HMAC key without `alg` whose secret is too short for the
        /// algorithm: the minimum secret length in bytes (48 for HS384, 64
        /// for HS512). `None` when the key's type or `alg` does not fit.
        min_secret_len: Option<usize>,
    },
    /// The signature does not verify under the selected key.
    BadSignature,
    /// A header parameter does not have the configured value.
    InvalidHeader {
        /// The header parameter, for example `typ`.
        name: &'static str,
        /// The token's value, escaped and cut, or `None` when it has none.
        found: Option<String>,
        /// The value the validation options require.
        expected: String,
    },
    /// `exp` plus the leeway is not after the current time.
    Expired {
        /// The token's `exp`, in Unix seconds, as the payload writes it
        /// (`99.5`, `1e300`), cut to 64 characters.
        exp: String,
        /// The time the token was checked at, in Unix seconds.
        now: u64,
        /// The leeway applied, in seconds.
        leeway: u64,
    },
    /// `nbf` is after the current time plus the leeway.
    NotYetValid {
        /// The token's `nbf`, in Unix seconds, as the payload writes it, cut
        /// to 64 characters.
        nbf: String,
        /// The time the token was checked at, in Unix seconds.
        now: u64,
        /// The leeway applied, in seconds.
        leeway: u64,
    },
    /// `iat` is after the current time plus the leeway.
    IssuedInFuture {
        /// The token's `iat`, in Unix seconds, as the payload writes it, cut
        /// to 64 characters.
        iat: String,
        /// The time the token was checked at, in Unix seconds.
        now: u64,
        /// The leeway applied, in seconds.
        leeway: u64,
    },
    /// The token is older than the configured maximum age.
    TooOld {
        /// The configured maximum age, in seconds.
        max_age: u64,
    },
    /// A required claim is absent.
    MissingClaim {
        /// The claim name.
        claim: String,
    },
    /// A claim has the wrong type or a value the validation options reject.
    InvalidClaim {
        /// The claim name.
        claim: String,
        /// What is wrong with it.
        reason: &'static str,
    },
    /// The header's `crit` lists an extension this crate does not implement.
    CriticalHeader {
        /// The first name not understood, escaped and cut.
        name: String,
    },
}

/// A problem with the value of a validation option.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum OptionProblem {
    /// The value is above the largest one this crate supports.
    AboveMaximum {
        /// The value given.
        value: u64,
        /// The largest supported value.
        max: u64,
    },
    /// The value is an empty string, which no token can match.
    Empty,
}

/// What exactly is malformed about a token.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum Malformed {
    /// The token does not have exactly three `.`-separated segments.
    SegmentCount,
    /// A segment is not strict unpadded base64url.
    Base64 {
        /// Which segment.
        segment: Segment,
    },
    /// A segment is not valid JSON, or not a JSON object.
    Json {
        /// Which segment.
        segment: Segment,
        /// The parser's finding.
        error: JsonError,
    },
    /// A registered header parameter has the wrong type or is missing.
    HeaderParameter {
        /// The parameter: `alg`, `kid`, `typ` or `crit`.
        name: &'static str,
        /// What is wrong with it.
        reason: &'static str,
    },
}

/// A segment of a compact JWS.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Segment {
    /// The protected header.
    Header,
    /// The payload.
    Payload,
    /// The signature.
    Signature,
}

/// A parsing limit that a token can exceed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Limit {
    /// Length of the compact token in bytes.
    TokenLength,
    /// Nesting depth of the header or payload JSON.
    JsonDepth,
    /// Members in any object or elements in any array of the header or payload.
    ClaimCount,
}

impl Limit {
    /// A stable snake_case name.
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::TokenLength => "token_length",
            Self::JsonDepth => "json_depth",
            Self::ClaimCount => "claim_count",
        }
    }
}

impl Segment {
    const fn as_str(self) -> &'static str {
        match self {
            Self::Header => "header",
            Self::Payload => "payload",
            Self::Signature => "signature",
        }
    }
}

impl TokenError {
    /// A stable snake_case code for the error kind, shared by every runtime
    /// and by the conformance vectors.
    pub const fn code(&self) -> &'static str {
        match self {
            Self::InvalidOption { .. } => "invalid_option",
            Self::Malformed(_) => "malformed",
            Self::TooLarge { .. } => "too_large",
            Self::UnsupportedAlgorithm { .. } => "unsupported_algorithm",
            Self::DisallowedAlgorithm { .. } => "disallowed_algorithm",
            Self::UnknownKeyId { .. } => "unknown_key_id",
            Self::NoMatchingKey { .. } => "no_matching_key",
            Self::AmbiguousKey { .. } => "ambiguous_key",
            Self::KeyAlgorithmMismatch { .. } => "key_algorithm_mismatch",
            Self::BadSignature => "bad_signature",
            Self::InvalidHeader { .. } => "invalid_header",
            Self::Expired { .. } => "expired",
            Self::NotYetValid { .. } => "not_yet_valid",
            Self::IssuedInFuture { .. } => "issued_in_future",
            Self::TooOld { .. } => "too_old",
            Self::MissingClaim { .. } => "missing_claim",
            Self::InvalidClaim { .. } => "invalid_claim",
            Self::CriticalHeader { .. } => "critical_header",
        }
    }

    /// The claim a `MissingClaim` or `InvalidClaim` error is about.
    pub fn claim(&self) -> Option<&str> {
        match self {
            Self::MissingClaim { claim } | Self::InvalidClaim { claim, .. } => Some(claim),
            _ => None,
        }
    }

    /// Maps a JSON parsing failure of `segment` to the token error for it.
    pub(crate) fn from_json(segment: Segment, error: JsonError) -> Self {
        match error {
            JsonError::TooDeep { max } => Self::TooLarge {
                limit: Limit::JsonDepth,
                max,
            },
            JsonError::TooManyMembers { max } => Self::TooLarge {
                limit: Limit::ClaimCount,
                max,
            },
            error => Self::Malformed(Malformed::Json { segment, error }),
        }
    }
}

/// Adds to a key-selection message that the key set skipped JWKs, which
/// is the likely cause when a key was meant for the token.
fn skipped_note(f: &mut fmt::Formatter<'_>, skipped_keys: usize) -> fmt::Result {
    match skipped_keys {
        0 => Ok(()),
        1 => f.write_str(
            " (the key set skipped 1 JWK as unusable: its kty, crv, alg, use or key_ops)",
        ),
        n => write!(
            f,
            " (the key set skipped {n} JWKs as unusable: their kty, crv, alg, use or key_ops)"
        ),
    }
}

/// Writes the message of [`TokenError::InvalidOption`].
fn option_message(f: &mut fmt::Formatter<'_>, option: &str, problem: OptionProblem) -> fmt::Result {
    match problem {
        OptionProblem::AboveMaximum { value, max } if option == "leeway" => write!(
            f,
            "validation option `leeway` is {value} s, above the maximum of {max} s; a leeway \
             covers clock skew, and a larger one would accept tokens long after `exp`, so set \
             it to {max} or less"
        ),
        OptionProblem::AboveMaximum { value, max } => write!(
            f,
            "validation option `{option}` is {value}, above the supported maximum of {max}; \
             set it to {max} or less"
        ),
        OptionProblem::Empty => write!(
            f,
            "validation option `{option}` is an empty string, which no token can match; leave \
             the option out, or give the value that tokens must have"
        ),
    }
}

/// Adds the leeway to a time-claim message, when there is one.
fn leeway_note(f: &mut fmt::Formatter<'_>, leeway: u64) -> fmt::Result {
    match leeway {
        0 => Ok(()),
        _ => write!(f, " plus the leeway of {leeway} s"),
    }
}

impl fmt::Display for TokenError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::InvalidOption { option, problem } => option_message(f, option, *problem),
            Self::Malformed(what) => write!(f, "malformed token: {what}"),
            Self::TooLarge { limit, max } => {
                let what = match limit {
                    Limit::TokenLength => "token is longer than the limit of",
                    Limit::JsonDepth => "token JSON is nested deeper than the limit of",
                    Limit::ClaimCount => "token JSON has more entries than the limit of",
                };
                write!(
                    f,
                    "{what} {max}; raise the limit only if tokens this large are expected"
                )
            }
            Self::UnsupportedAlgorithm { alg } => write!(
                f,
                "unsupported algorithm `{alg}`; unsecured (`none`) tokens are never accepted"
            ),
            Self::DisallowedAlgorithm { alg, skipped_keys } => {
                write!(
                    f,
                    "algorithm `{alg}` is not allowed; list it in the allowed algorithms or give a \
                     key with that `alg`"
                )?;
                skipped_note(f, *skipped_keys)
            }
            Self::UnknownKeyId { kid } => write!(f, "no key with kid `{kid}` in the key set"),
            Self::NoMatchingKey { alg, skipped_keys } => {
                write!(
                    f,
                    "token has no kid and no key in the set can verify `{alg}`"
                )?;
                skipped_note(f, *skipped_keys)
            }
            Self::AmbiguousKey { alg, candidates } => write!(
                f,
                "token has no kid and {candidates} keys could verify `{alg}`; issue tokens \
                 with a kid"
            ),
            Self::KeyAlgorithmMismatch {
                kid,
                alg,
                min_secret_len,
            } => {
                write!(f, "key `{kid}` cannot be used with algorithm `{alg}`")?;
                match min_secret_len {
                    Some(min) => write!(
                        f,
                        ", which needs an HMAC secret of at least {min} bytes, and the key's \
                         secret is shorter; give the key a secret of {min} bytes or more"
                    ),
                    None => Ok(()),
                }
            }
            Self::BadSignature => f.write_str("signature verification failed"),
            Self::InvalidHeader {
                name,
                found,
                expected,
            } => write!(
                f,
                "header parameter `{name}` is `{}`, not the required `{expected}`",
                found.as_deref().unwrap_or("(absent)")
            ),
            Self::Expired { exp, now, leeway } => {
                write!(f, "token expired: exp `{exp}`")?;
                leeway_note(f, *leeway)?;
                write!(f, " is not after now `{now}`")
            }
            Self::NotYetValid { nbf, now, leeway } => {
                write!(f, "token not yet valid: nbf `{nbf}` is after now `{now}`")?;
                leeway_note(f, *leeway)
            }
            Self::IssuedInFuture { iat, now, leeway } => {
                write!(
                    f,
                    "token issued in the future: iat `{iat}` is after now `{now}`"
                )?;
                leeway_note(f, *leeway)
            }
            Self::TooOld { max_age } => {
                write!(f, "token is older than the maximum age of {max_age} s")
            }
            Self::MissingClaim { claim } => write!(f, "missing required claim `{claim}`"),
            Self::InvalidClaim { claim, reason } => write!(f, "invalid claim `{claim}`: {reason}"),
            Self::CriticalHeader { name } => {
                write!(f, "critical header extension `{name}` is not understood")
            }
        }
    }
}

impl fmt::Display for Malformed {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::SegmentCount => f.write_str("expected three base64url segments separated by `.`"),
            Self::Base64 { segment } => write!(
                f,
                "{} is not unpadded base64url (no `=`, whitespace, `+` or `/`)",
                segment.as_str()
            ),
            Self::Json { segment, error } => write!(f, "{}: {error}", segment.as_str()),
            Self::HeaderParameter { name, reason } => {
                write!(f, "header parameter `{name}` {reason}")
            }
        }
    }
}

#[cfg(feature = "std")]
impl std::error::Error for TokenError {}

/// Why a key or key set could not be loaded, or a key could not sign.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum KeyError {
    /// The document is not a JWK Set: not strict JSON, or no `keys` array.
    InvalidKeySet {
        /// What is wrong.
        reason: String,
    },
    /// A key of a supported type has missing or invalid members.
    InvalidKey {
        /// The key's position in the set (0 for a single JWK).
        index: usize,
        /// What is wrong; never contains key material.
        reason: String,
    },
    /// A key is too weak to use: a short HMAC secret, a small RSA modulus or a
    /// small-order Ed25519 point.
    WeakKey {
        /// The key's position in the set (0 for a single JWK).
        index: usize,
        /// Why it is weak.
        reason: &'static str,
    },
    /// A JWK for verification carries private key material: a JWK of any
    /// type but `oct` with `d`, or an RSA key with `p`, `q`, `dp`, `dq`,
    /// `qi` or `oth`. Verification takes public keys only.
    PrivateKey {
        /// The key's position in the set (0 for a single JWK).
        index: usize,
        /// The key's `kid`, escaped and cut, when it has one.
        kid: Option<String>,
        /// The first private member found, such as `d`; never its value.
        member: &'static str,
    },
    /// Two keys in the set have the same `kid`.
    DuplicateKeyId {
        /// The repeated `kid`, escaped and cut.
        kid: String,
    },
    /// The key cannot be used for the requested operation: for example an RSA
    /// key for signing, or a JWK without a private part.
    UnsupportedKey {
        /// What is unsupported.
        reason: String,
    },
}

impl KeyError {
    /// A stable snake_case code for the error kind.
    pub const fn code(&self) -> &'static str {
        match self {
            Self::InvalidKeySet { .. } => "invalid_key_set",
            Self::InvalidKey { .. } => "invalid_key",
            Self::WeakKey { .. } => "weak_key",
            Self::PrivateKey { .. } => "private_key",
            Self::DuplicateKeyId { .. } => "duplicate_key_id",
            Self::UnsupportedKey { .. } => "unsupported_key",
        }
    }

    pub(crate) fn invalid(index: usize, member: &str, reason: &str) -> Self {
        Self::InvalidKey {
            index,
            reason: alloc::format!("member `{}` {reason}", Printable(member)),
        }
    }
}

impl fmt::Display for KeyError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::InvalidKeySet { reason } => write!(f, "invalid JWK set: {reason}"),
            Self::InvalidKey { index, reason } => {
                write!(f, "invalid key at index {index}: {reason}")
            }
            Self::WeakKey { index, reason } => {
                write!(f, "key at index {index} is too weak: {reason}")
            }
            Self::PrivateKey { index, kid, member } => {
                write!(f, "key at index {index}")?;
                if let Some(kid) = kid {
                    write!(f, " (kid `{kid}`)")?;
                }
                write!(
                    f,
                    " contains the private member `{member}`; a verification key set takes \
                     public keys only, so give the public JWK without its private members"
                )
            }
            Self::DuplicateKeyId { kid } => write!(
                f,
                "kid `{kid}` appears on more than one key; give every key a distinct kid"
            ),
            Self::UnsupportedKey { reason } => write!(f, "unsupported key: {reason}"),
        }
    }
}

#[cfg(feature = "std")]
impl std::error::Error for KeyError {}
