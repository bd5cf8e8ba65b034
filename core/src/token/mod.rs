//! JWS and JWT verification and signing.
//!
//! [`verify`] turns a compact JWT into its claims, or a [`TokenError`] saying
//! exactly why not. Keys come only from the caller's [`KeySet`]; a token never
//! chooses its own key (`jku`, `x5u`, `jwk` and `x5c` are ignored) and never
//! makes the verifier try every key.
//!
//! The checks run in a fixed order, so that one token always gets one error:
//!
//! 0. the validation options themselves ([`Validation::check`]);
//! 1. length, segment count, strict base64url, strict JSON with limits
//!    ([`Validation::max_token_length`], [`Validation::max_json_depth`],
//!    [`Validation::max_claims`]); duplicate member names are malformed;
//! 2. header `alg` (`none` in any case is unsupported), `crit` (any listed
//!    extension is rejected, since none is implemented), `kid` and `typ` types;
//! 3. the algorithm against the allowed set, then key selection by exact
//!    `kid`, or, without `kid`, the only key usable with the algorithm;
//! 4. the signature;
//! 5. header `typ`, then claim types, required claims, `exp`, `nbf`, `iat`,
//!    maximum age, issuer, audience and subject.

mod alg;
mod error;
mod jwk;
mod jws;
mod mac;
mod signing;
mod validation;

use alloc::string::String;
use alloc::vec::Vec;

use serde::Serialize;
use serde_json::{Map, Value};

use crate::json;

pub use alg::{Algorithm, Family, UnknownAlgorithm};
pub use error::{KeyError, Limit, Malformed, OptionProblem, Segment, TokenError};
pub use jwk::{private_member, KeySet, VerifyingKey, MAX_RSA_BITS, MIN_RSA_BITS};
pub use jws::{sign_jws, verify_jws, Header, VerifiedJws};
pub use signing::SigningKey;
pub use validation::{Claims, Validation, MAX_COUNT_OPTION, MAX_LEEWAY};

/// A JWT whose signature and claims were verified.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct VerifiedToken {
    /// The protected header.
    pub header: Header,
    /// The payload.
    pub claims: Claims,
    /// The decoded payload segment: the exact JSON text `claims` was parsed
    /// from, for callers that pass the claims on as text.
    pub payload: Vec<u8>,
}

/// A JWT whose signature and claims were verified, with the claims kept as
/// the JSON text they arrived in.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct VerifiedJson {
    /// The protected header.
    pub header: Header,
    /// The decoded payload segment: a strict JSON object, byte for byte as
    /// signed.
    pub claims_json: String,
}

/// Verifies a compact JWT against `keys` and `validation` at `now`, in Unix
/// seconds.
///
/// # Errors
///
/// The first failing check, in the order the module documents, as a
/// [`TokenError`].
///
/// # Security
///
/// `now` must come from a trustworthy clock; `exp` and `nbf` are only as
/// good as it is.
pub fn verify(
    token: &str,
    keys: &KeySet,
    validation: &Validation,
    now: u64,
) -> Result<VerifiedToken, TokenError> {
    let decoded = jws::decode(token, validation)?;
    let claims = json::parse_object(&decoded.payload, &jws::limits(validation))
        .map_err(|error| TokenError::from_json(Segment::Payload, error))?;
    check(&decoded, keys, validation, now, &claims)?;
    Ok(VerifiedToken {
        header: decoded.header,
        claims: Claims::new(claims),
        payload: decoded.payload,
    })
}

/// Verifies a compact JWT like [`verify`], with the same checks and errors,
/// and returns the claims as JSON text instead of a parsed map.
///
/// For callers that pass the claims on as text, such as a JavaScript or
/// WebAssembly boundary: the payload is checked whole (syntax, duplicate
/// names and limits at every depth) but only the claims that validation
/// reads are parsed into values.
///
/// # Errors
///
/// The [`TokenError`] that [`verify`] returns for the same input.
///
/// # Security
///
/// As for [`verify`], `now` must come from a trustworthy clock.
pub fn verify_json(
    token: &str,
    keys: &KeySet,
    validation: &Validation,
    now: u64,
) -> Result<VerifiedJson, TokenError> {
    let decoded = jws::decode(token, validation)?;
    let claims = json::parse_object_members(&decoded.payload, &jws::limits(validation), &|name| {
        validation::reads_claim(validation, name)
    })
    .map_err(|error| TokenError::from_json(Segment::Payload, error))?;
    check(&decoded, keys, validation, now, &claims)?;
    drop(claims);
    // The strict parser accepted the payload, so it is UTF-8; this error is
    // unreachable.
    let claims_json = String::from_utf8(decoded.payload).map_err(|_| {
        TokenError::Malformed(Malformed::Json {
            segment: Segment::Payload,
            error: json::JsonError::Syntax { line: 1, column: 1 },
        })
    })?;
    Ok(VerifiedJson {
        header: decoded.header,
        claims_json,
    })
}

/// Runs the checks after parsing that [`verify`] and [`verify_json`] share, in
/// the documented order: signature, header `typ`, claims.
fn check(
    decoded: &jws::Decoded<'_>,
    keys: &KeySet,
    validation: &Validation,
    now: u64,
    claims: &dyn validation::ClaimSource,
) -> Result<(), TokenError> {
    jws::check_signature(decoded, keys, validation)?;

    if let Some(expected) = &validation.typ {
        if !validation::typ_matches(decoded.header.typ.as_deref(), expected) {
            return Err(TokenError::InvalidHeader {
                name: "typ",
                found: decoded
                    .header
                    .typ
                    .as_deref()
                    .map(|typ| alloc::format!("{}", json::Printable(typ))),
                expected: alloc::format!("{}", json::Printable(expected)),
            });
        }
    }

    validation::validate_claims(claims, &decoded.payload, validation, now)
}

/// Signs `claims` as a compact JWT with `key`.
///
/// The header is `{"alg":…,"typ":"JWT","kid":…}`, with `kid` only when the
/// key has one.
///
/// NOTE: claims are `serde_json` values, so an integer literal beyond the
/// 64-bit range in the JSON they were parsed from is already the nearest
/// float, and the token carries that float (`1.8446744073709552e19`).
///
/// # Errors
///
/// [`KeyError::UnsupportedKey`] when the signing primitive fails.
pub fn sign(claims: &Map<String, Value>, key: &SigningKey) -> Result<String, KeyError> {
    #[derive(Serialize)]
    struct JwtHeader<'a> {
        alg: &'static str,
        typ: &'static str,
        #[serde(skip_serializing_if = "Option::is_none")]
        kid: Option<&'a str>,
    }

    let header = JwtHeader {
        alg: key.alg().as_str(),
        typ: "JWT",
        kid: key.kid(),
    };
    let header_json = serde_json::to_vec(&header).map_err(|_| KeyError::UnsupportedKey {
        reason: String::from("header serialization failed"),
    })?;
    let payload = serde_json::to_vec(claims).map_err(|_| KeyError::UnsupportedKey {
        reason: String::from("claims serialization failed"),
    })?;
    sign_jws(&header_json, &payload, key)
}
