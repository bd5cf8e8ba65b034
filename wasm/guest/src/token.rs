//! The `token` interface: JWT and JWS verification, signing, key generation.

use alloc::string::{String, ToString};
use alloc::vec::Vec;

use mem8_guard::json;
use mem8_guard::token::{self, Algorithm, KeyError, KeySet, SigningKey, TokenError, Validation};
use serde_json::Value;

use crate::bindings::exports::mem8::guard::token::{
    GeneratedKey, Guest, GuestVerifier, Header, VerifiedJws, VerifiedToken, Verifier,
};
use crate::bindings::exports::mem8::guard::types::GuardError;
use crate::{detail, parse_argument, seconds, HostRng, Module, ARGUMENT_LIMITS};

/// A parsed JWK Set with its validation options.
pub struct VerifierState {
    keys: KeySet,
    validation: Validation,
}

impl Guest for Module {
    type Verifier = VerifierState;

    fn sign(claims_json: String, private_jwk_json: String) -> Result<String, GuardError> {
        let key = SigningKey::from_jwk_json(private_jwk_json.as_bytes()).map_err(key_error)?;
        let claims = json::parse_object(claims_json.as_bytes(), &ARGUMENT_LIMITS)
            .map_err(|error| crate::argument_error("claims", &error))?;
        token::sign(&claims, &key).map_err(key_error)
    }

    fn generate_key(alg: String, kid: Option<String>) -> Result<GeneratedKey, GuardError> {
        let parsed = alg.parse::<Algorithm>().map_err(|_| {
            GuardError::InvalidArgument(alloc::format!("unsupported algorithm `{alg}`"))
        })?;
        let mut key = SigningKey::generate(parsed, &mut HostRng).map_err(key_error)?;
        if kid.is_some() {
            key.set_kid(kid);
        }
        Ok(GeneratedKey {
            private_jwk_json: String::from(key.to_private_jwk_json().as_str()),
            public_jwk_json: key
                .to_public_jwk()
                .map(|jwk| Value::Object(jwk).to_string()),
        })
    }
}

impl GuestVerifier for VerifierState {
    fn create(jwks_json: String, validation_json: String) -> Result<Verifier, GuardError> {
        let keys = KeySet::from_json(jwks_json.as_bytes()).map_err(key_error)?;
        let validation = parse_argument::<Validation>(&validation_json, "validation options")?;
        validation.check().map_err(token_error)?;
        Ok(Verifier::new(Self { keys, validation }))
    }

    fn key_count(&self) -> u32 {
        u32::try_from(self.keys.len()).unwrap_or(u32::MAX)
    }

    fn skipped_keys(&self) -> u32 {
        u32::try_from(self.keys.skipped()).unwrap_or(u32::MAX)
    }

    fn verify(&self, jwt: String, now: Option<u64>) -> Result<VerifiedToken, GuardError> {
        // The claims go out as the payload's text, which the host parses;
        // `verify_json` checks it whole but builds no map of it.
        let verified = token::verify_json(&jwt, &self.keys, &self.validation, seconds(now))
            .map_err(token_error)?;
        Ok(VerifiedToken {
            header: header(&verified.header),
            claims_json: verified.claims_json,
        })
    }

    fn verify_jws(&self, jws: String) -> Result<VerifiedJws, GuardError> {
        let verified =
            token::verify_jws(&jws, &self.keys, &self.validation).map_err(token_error)?;
        Ok(VerifiedJws {
            header: header(&verified.header),
            payload: Vec::from(verified.payload.as_slice()),
        })
    }
}

fn header(header: &token::Header) -> Header {
    Header {
        alg: String::from(header.alg.as_str()),
        kid: header.kid.clone(),
        typ: header.typ.clone(),
    }
}

pub(crate) fn token_error(error: TokenError) -> GuardError {
    let mut detail = detail(error.code(), &error);
    detail.claim = error.claim().map(String::from);
    if let TokenError::TooLarge { limit, .. } = error {
        detail.limit = Some(String::from(limit.as_str()));
    }
    GuardError::Token(detail)
}

pub(crate) fn key_error(error: KeyError) -> GuardError {
    GuardError::Key(detail(error.code(), &error))
}
