//! JWS and JWT verification and signing.
//!
//! [`verify`] turns a compact JWT into its claims, or a [`TokenError`] saying
//! exactly why not. Keys come only from the caller's [`KeySet`]; a token never
//! chooses its own key (`jku`, `x5u`, `jwk` and `x5c` are ignored) and never
//! makes the verifier try every key.
//!
//! The checks run in a fixed order, so that one token always gets one error:
//!
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

pub use alg::{Algorithm, Family, UnknownAlgorithm};
pub use error::{KeyError, Limit, Malformed, Segment, TokenError};
pub use jwk::{KeySet, VerifyingKey, MAX_RSA_BITS, MIN_RSA_BITS};
pub use jws::{sign_jws, verify_jws, Header, VerifiedJws};
pub use signing::SigningKey;
pub use validation::{Claims, Validation};

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
    let mut decoded = jws::decode(token, validation, jws::PayloadKind::JsonObject)?;
    jws::check_signature(&decoded, keys, validation)?;

    if let Some(expected) = &validation.typ {
        if !validation::typ_matches(decoded.header.typ.as_deref(), expected) {
            return Err(TokenError::InvalidHeader { name: "typ" });
        }
    }

    let claims = decoded.claims.take().unwrap_or_default();
    let claims = validation::validate_claims(claims, validation, now)?;
    Ok(VerifiedToken {
        header: decoded.header,
        claims,
        payload: decoded.payload,
    })
}

/// Signs `claims` as a compact JWT with `key`.
///
/// The header is `{"alg":…,"typ":"JWT","kid":…}`, with `kid` only when the
/// key has one.
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
