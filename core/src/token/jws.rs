//! Compact JWS (RFC 7515 §7.1): parsing with limits, key selection, signature
//! verification and signing.
//!
//! Everything about the token's shape is checked before any key is touched:
//! length, segment count, strict base64url, strict JSON with limits, the
//! header's `alg` and `crit`. Only then is a key selected and the signature
//! checked.

use alloc::string::String;
use alloc::vec::Vec;

use base64ct::{Base64UrlUnpadded, Encoding};
use serde_json::Value;

use super::error::{KeyError, Malformed, Segment, TokenError};
use super::jwk::{KeySet, PublicMaterial, VerifyingKey};
use super::signing::SigningKey;
use super::{Algorithm, Limit, Validation};
use crate::json::{self, JsonLimits, Members, Printable};

/// The registered header parameters of a verified token.
///
/// `jku`, `x5u`, `jwk` and `x5c` are never read: keys come only from the
/// caller's [`KeySet`].
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct Header {
    /// The signature algorithm.
    pub alg: Algorithm,
    /// The key id, if any.
    pub kid: Option<String>,
    /// The media type, if any.
    pub typ: Option<String>,
}

/// A compact JWS whose signature verified; the payload may be any bytes.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct VerifiedJws {
    /// The protected header.
    pub header: Header,
    /// The decoded payload.
    pub payload: Vec<u8>,
}

/// A token taken apart, with nothing verified yet and the signature still
/// in base64url: [`check_signature`] decodes it, after the caller has
/// checked the payload, so that the errors come in the documented order.
pub(crate) struct Decoded<'a> {
    pub(crate) header: Header,
    pub(crate) signing_input: &'a [u8],
    pub(crate) payload: Vec<u8>,
    signature_b64: &'a str,
}

/// Verifies the signature of a compact JWS and returns its payload, without
/// interpreting the payload as claims.
///
/// Only the limits, algorithm and key rules of `validation` apply; no claim
/// is checked. Use [`super::verify`] for JWTs.
///
/// # Errors
///
/// Any [`TokenError`] of the structural, algorithm, key and signature checks.
///
/// # Security
///
/// The payload is authentic but unvalidated: it carries no expiry check.
pub fn verify_jws(
    token: &str,
    keys: &KeySet,
    validation: &Validation,
) -> Result<VerifiedJws, TokenError> {
    let decoded = decode(token, validation)?;
    check_signature(&decoded, keys, validation)?;
    Ok(VerifiedJws {
        header: decoded.header,
        payload: decoded.payload,
    })
}

/// Splits `token` and decodes its header and payload, checking every
/// structural rule of the header.
pub(crate) fn decode<'a>(
    token: &'a str,
    validation: &Validation,
) -> Result<Decoded<'a>, TokenError> {
    validation.check()?;
    let max_length = count(validation.max_token_length);
    if token.len() > max_length {
        return Err(TokenError::TooLarge {
            limit: Limit::TokenLength,
            max: max_length,
        });
    }

    // Exactly three segments; the signing input is everything before the
    // last dot.
    let mut parts = token.split('.');
    let (Some(header_b64), Some(payload_b64), Some(signature_b64), None) =
        (parts.next(), parts.next(), parts.next(), parts.next())
    else {
        return Err(TokenError::Malformed(Malformed::SegmentCount));
    };
    let signing_len = header_b64
        .len()
        .saturating_add(1)
        .saturating_add(payload_b64.len());
    let signing_input = token.as_bytes().get(..signing_len).unwrap_or_default();

    let header_bytes = decode_segment(header_b64, Segment::Header)?;
    let header_members = json::parse_object_members(&header_bytes, &limits(validation), &|name| {
        matches!(name, "alg" | "crit" | "kid" | "typ")
    })
    .map_err(|error| TokenError::from_json(Segment::Header, error))?;
    let header = read_header(&header_members)?;

    Ok(Decoded {
        header,
        signing_input,
        payload: decode_segment(payload_b64, Segment::Payload)?,
        signature_b64,
    })
}

/// Returns the JSON limits of header and payload.
pub(crate) fn limits(validation: &Validation) -> JsonLimits {
    JsonLimits {
        max_depth: count(validation.max_json_depth),
        max_members: count(validation.max_claims),
    }
}

/// Converts a checked count option to `usize`. [`Validation::check`] keeps
/// them within `u32`, so the conversion saturates only for an unchecked one.
fn count(option: u64) -> usize {
    usize::try_from(option).unwrap_or(usize::MAX)
}

/// Strict unpadded base64url: no `=`, nothing outside the URL-safe alphabet,
/// and no non-canonical trailing bits. Token segments are public, so this
/// uses the faster variable-time decoder; key material goes through the
/// constant-time `base64ct`.
const SEGMENT_ENGINE: base64::engine::GeneralPurpose = base64::engine::GeneralPurpose::new(
    &base64::alphabet::URL_SAFE,
    base64::engine::GeneralPurposeConfig::new()
        .with_encode_padding(false)
        .with_decode_padding_mode(base64::engine::DecodePaddingMode::RequireNone)
        .with_decode_allow_trailing_bits(false),
);

fn decode_segment(segment_b64: &str, segment: Segment) -> Result<Vec<u8>, TokenError> {
    use base64::Engine;

    SEGMENT_ENGINE
        .decode(segment_b64)
        .map_err(|_| TokenError::Malformed(Malformed::Base64 { segment }))
}

fn read_header(map: &Members<'_>) -> Result<Header, TokenError> {
    let alg_name = match map.get("alg") {
        Some(Value::String(name)) => name,
        _ => return Err(header_error("alg", "is missing or not a string")),
    };
    let alg = alg_name
        .parse::<Algorithm>()
        .map_err(|_| TokenError::UnsupportedAlgorithm {
            alg: alloc::format!("{}", Printable(alg_name)),
        })?;

    // No extension is implemented, so any well-formed `crit` is rejected.
    match map.get("crit") {
        None => {}
        Some(Value::Array(names)) => {
            let mut first = None;
            for name in names {
                let Value::String(name) = name else {
                    return Err(header_error("crit", "must be an array of strings"));
                };
                first = first.or(Some(name));
            }
            let Some(name) = first else {
                return Err(header_error("crit", "must not be empty"));
            };
            return Err(TokenError::CriticalHeader {
                name: alloc::format!("{}", Printable(name)),
            });
        }
        Some(_) => return Err(header_error("crit", "must be an array of strings")),
    }

    Ok(Header {
        alg,
        kid: optional_string(map, "kid")?,
        typ: optional_string(map, "typ")?,
    })
}

fn optional_string(map: &Members<'_>, name: &'static str) -> Result<Option<String>, TokenError> {
    match map.get(name) {
        None => Ok(None),
        Some(Value::String(value)) => Ok(Some(value.clone())),
        Some(_) => Err(header_error(name, "must be a string")),
    }
}

fn header_error(name: &'static str, reason: &'static str) -> TokenError {
    TokenError::Malformed(Malformed::HeaderParameter { name, reason })
}

/// Checks the algorithm against the allowed set, selects the key and verifies
/// the signature.
pub(crate) fn check_signature(
    decoded: &Decoded<'_>,
    keys: &KeySet,
    validation: &Validation,
) -> Result<(), TokenError> {
    let signature = decode_segment(decoded.signature_b64, Segment::Signature)?;
    let alg = decoded.header.alg;
    let allow_list = validation.algorithms.as_deref();
    let allowed = match allow_list {
        Some(list) => list.contains(&alg),
        None => keys.keys().iter().any(|key| key.alg() == Some(alg)),
    };
    if !allowed {
        return Err(TokenError::DisallowedAlgorithm {
            alg,
            skipped_keys: keys.skipped(),
        });
    }

    let key = select_key(decoded.header.kid.as_deref(), alg, keys, allow_list)?;
    if verify_signature(key.material(), alg, decoded.signing_input, &signature) {
        Ok(())
    } else {
        Err(TokenError::BadSignature)
    }
}

fn select_key<'k>(
    kid: Option<&str>,
    alg: Algorithm,
    keys: &'k KeySet,
    allow_list: Option<&[Algorithm]>,
) -> Result<&'k VerifyingKey, TokenError> {
    if let Some(kid) = kid {
        let key = keys.find(kid).ok_or_else(|| TokenError::UnknownKeyId {
            kid: alloc::format!("{}", Printable(kid)),
        })?;
        if !key.usable_with(alg, allow_list) {
            return Err(TokenError::KeyAlgorithmMismatch {
                kid: alloc::format!("{}", Printable(kid)),
                alg,
                min_secret_len: key.short_secret_for(alg, allow_list),
            });
        }
        return Ok(key);
    }

    let mut candidates = keys
        .keys()
        .iter()
        .filter(|key| key.usable_with(alg, allow_list));
    match (candidates.next(), candidates.count()) {
        (None, _) => Err(TokenError::NoMatchingKey {
            alg,
            skipped_keys: keys.skipped(),
        }),
        (Some(key), 0) => Ok(key),
        (Some(_), more) => Err(TokenError::AmbiguousKey {
            alg,
            candidates: more.saturating_add(1),
        }),
    }
}

/// Verifies `signature` over `input`. Every comparison of secret-dependent
/// bytes happens inside the primitive: HMAC tags through `verify_slice`, which
/// compares in constant time.
fn verify_signature(
    material: &PublicMaterial,
    alg: Algorithm,
    input: &[u8],
    signature: &[u8],
) -> bool {
    use p256::ecdsa::signature::Verifier;
    use rsa::{Pkcs1v15Sign, Pss};
    use sha2::{Digest, Sha256, Sha384, Sha512};

    match (material, alg) {
        (PublicMaterial::Hmac(key), Algorithm::HS256 | Algorithm::HS384 | Algorithm::HS512) => {
            key.verify(alg, input, signature)
        }
        (PublicMaterial::Ed25519(key), Algorithm::EdDSA) => {
            // `verify_strict` rejects small-order R and non-canonical S, so a
            // signature is accepted in exactly one encoding.
            ed25519_dalek::Signature::from_slice(signature)
                .is_ok_and(|signature| key.verify_strict(input, &signature).is_ok())
        }
        (PublicMaterial::P256(key), Algorithm::ES256) => {
            // JWS uses the fixed 64-byte R || S form (RFC 7518 §3.4), never DER.
            p256::ecdsa::Signature::from_slice(signature)
                .is_ok_and(|signature| key.verify(input, &signature).is_ok())
        }
        (PublicMaterial::Rsa(key), _) => {
            let result = match alg {
                Algorithm::RS256 => key.verify(
                    Pkcs1v15Sign::new::<Sha256>(),
                    &Sha256::digest(input),
                    signature,
                ),
                Algorithm::RS384 => key.verify(
                    Pkcs1v15Sign::new::<Sha384>(),
                    &Sha384::digest(input),
                    signature,
                ),
                Algorithm::RS512 => key.verify(
                    Pkcs1v15Sign::new::<Sha512>(),
                    &Sha512::digest(input),
                    signature,
                ),
                // RFC 7518 §3.5: MGF1 with the same hash, salt as long as the hash.
                Algorithm::PS256 => {
                    key.verify(Pss::new::<Sha256>(), &Sha256::digest(input), signature)
                }
                Algorithm::PS384 => {
                    key.verify(Pss::new::<Sha384>(), &Sha384::digest(input), signature)
                }
                Algorithm::PS512 => {
                    key.verify(Pss::new::<Sha512>(), &Sha512::digest(input), signature)
                }
                _ => return false,
            };
            result.is_ok()
        }
        _ => false,
    }
}

/// Signs `payload` as a compact JWS with `header_json` as the protected header,
/// byte for byte.
///
/// # Errors
///
/// [`KeyError::UnsupportedKey`] when the header is not a JSON object, its
/// `alg` is not the key's, or the signing primitive fails.
pub fn sign_jws(header_json: &[u8], payload: &[u8], key: &SigningKey) -> Result<String, KeyError> {
    let header = json::parse_object(header_json, &JsonLimits::default()).map_err(|error| {
        KeyError::UnsupportedKey {
            reason: alloc::format!("header is not a JSON object: {error}"),
        }
    })?;
    let named = header.get("alg").and_then(Value::as_str);
    if named != Some(key.alg().as_str()) {
        return Err(KeyError::UnsupportedKey {
            reason: alloc::format!("header `alg` must be `{}` for this key", key.alg()),
        });
    }

    let mut token = Base64UrlUnpadded::encode_string(header_json);
    token.push('.');
    token.push_str(&Base64UrlUnpadded::encode_string(payload));
    let signature = key.sign(token.as_bytes())?;
    token.push('.');
    token.push_str(&Base64UrlUnpadded::encode_string(&signature));
    Ok(token)
}
