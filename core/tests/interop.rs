//! Interop with the `jsonwebtoken` crate in both directions: tokens it signs
//! verify here, and tokens this crate signs verify there, for every algorithm
//! both implement (this crate does not sign with RSA).

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::sync::OnceLock;

use base64ct::{Base64UrlUnpadded, Encoding};
use jsonwebtoken as oracle;
use mem8_guard::token::{self, Algorithm, KeySet, SigningKey, Validation};
use p256::pkcs8::{EncodePrivateKey, LineEnding};
use rsa::traits::PublicKeyParts;
use serde_json::{json, Map, Value};

const NOW: u64 = 1_700_000_000;

/// `exp` is in 2100: the oracle checks it against the system clock.
fn claims() -> Map<String, Value> {
    json!({"sub": "alice", "iss": "https://issuer.example", "exp": 4_102_444_800u64, "roles": ["editor"]})
        .as_object()
        .unwrap()
        .clone()
}

fn b64(bytes: &[u8]) -> String {
    Base64UrlUnpadded::encode_string(bytes)
}

fn rsa_key() -> &'static rsa::RsaPrivateKey {
    static KEY: OnceLock<rsa::RsaPrivateKey> = OnceLock::new();
    KEY.get_or_init(|| rsa::RsaPrivateKey::new(&mut rand_core::OsRng, 2048).unwrap())
}

fn oracle_alg(alg: Algorithm) -> oracle::Algorithm {
    match alg {
        Algorithm::HS256 => oracle::Algorithm::HS256,
        Algorithm::HS384 => oracle::Algorithm::HS384,
        Algorithm::HS512 => oracle::Algorithm::HS512,
        Algorithm::EdDSA => oracle::Algorithm::EdDSA,
        Algorithm::ES256 => oracle::Algorithm::ES256,
        Algorithm::RS256 => oracle::Algorithm::RS256,
        Algorithm::RS384 => oracle::Algorithm::RS384,
        Algorithm::RS512 => oracle::Algorithm::RS512,
        Algorithm::PS256 => oracle::Algorithm::PS256,
        Algorithm::PS384 => oracle::Algorithm::PS384,
        Algorithm::PS512 => oracle::Algorithm::PS512,
        other => panic!("no oracle algorithm for {other}"),
    }
}

/// A key pair in both libraries' forms: the oracle's encoding key and this
/// crate's key set holding the public part, with `kid` "k1".
fn oracle_signer(alg: Algorithm) -> (oracle::EncodingKey, KeySet) {
    let (encoding, jwk) = match alg.family() {
        token::Family::Hmac => {
            let secret = vec![0x5a; alg.min_hmac_key_len().unwrap()];
            let jwk = json!({"kty": "oct", "k": b64(&secret)});
            (oracle::EncodingKey::from_secret(&secret), jwk)
        }
        token::Family::Ed25519 => {
            let key = ed25519_dalek::SigningKey::generate(&mut rand_core::OsRng);
            let pem = key.to_pkcs8_pem(LineEnding::LF).unwrap();
            let jwk =
                json!({"kty": "OKP", "crv": "Ed25519", "x": b64(key.verifying_key().as_bytes())});
            (
                oracle::EncodingKey::from_ed_pem(pem.as_bytes()).unwrap(),
                jwk,
            )
        }
        token::Family::P256 => {
            let key = p256::ecdsa::SigningKey::random(&mut rand_core::OsRng);
            let pem = key.to_pkcs8_pem(LineEnding::LF).unwrap();
            let point = key.verifying_key().to_encoded_point(false);
            let jwk = json!({"kty": "EC", "crv": "P-256",
                "x": b64(point.x().unwrap()), "y": b64(point.y().unwrap())});
            (
                oracle::EncodingKey::from_ec_pem(pem.as_bytes()).unwrap(),
                jwk,
            )
        }
        token::Family::Rsa => {
            let key = rsa_key();
            let pem = key.to_pkcs8_pem(LineEnding::LF).unwrap();
            let jwk = json!({"kty": "RSA", "n": b64(&key.n().to_bytes_be()), "e": b64(&key.e().to_bytes_be())});
            (
                oracle::EncodingKey::from_rsa_pem(pem.as_bytes()).unwrap(),
                jwk,
            )
        }
    };
    let mut jwk = jwk;
    jwk["kid"] = json!("k1");
    jwk["alg"] = json!(alg.as_str());
    let set = KeySet::from_json(json!({"keys": [jwk]}).to_string().as_bytes()).unwrap();
    (encoding, set)
}

#[test]
fn oracle_tokens_verify_here() {
    for alg in Algorithm::ALL {
        let (encoding, keys) = oracle_signer(alg);
        let mut header = oracle::Header::new(oracle_alg(alg));
        header.kid = Some("k1".into());
        let jwt = oracle::encode(&header, &claims(), &encoding).unwrap();

        let verified = token::verify(&jwt, &keys, &Validation::default(), NOW)
            .unwrap_or_else(|error| panic!("{alg}: {error}"));
        assert_eq!(verified.claims.as_map(), &claims(), "{alg}");
        assert_eq!(verified.header.kid.as_deref(), Some("k1"), "{alg}");

        // The same token one bit off must not verify.
        let mut tampered = jwt.into_bytes();
        let last = tampered.len() - 2;
        tampered[last] = if tampered[last] == b'A' { b'B' } else { b'A' };
        let tampered = String::from_utf8(tampered).unwrap();
        let error = token::verify(&tampered, &keys, &Validation::default(), NOW).unwrap_err();
        assert_eq!(error.code(), "bad_signature", "{alg}");
    }
}

#[test]
fn tokens_signed_here_verify_in_oracle() {
    for alg in [
        Algorithm::HS256,
        Algorithm::HS384,
        Algorithm::HS512,
        Algorithm::EdDSA,
        Algorithm::ES256,
    ] {
        let mut key = SigningKey::generate(alg, &mut rand_core::OsRng).unwrap();
        key.set_kid(Some("k2".into()));
        let jwt = token::sign(&claims(), &key).unwrap();

        let decoding = match alg.family() {
            token::Family::Hmac => {
                let private: Value = serde_json::from_str(&key.to_private_jwk_json()).unwrap();
                let secret = Base64UrlUnpadded::decode_vec(private["k"].as_str().unwrap()).unwrap();
                oracle::DecodingKey::from_secret(&secret)
            }
            token::Family::Ed25519 => {
                let public = key.to_public_jwk().unwrap();
                oracle::DecodingKey::from_ed_components(public["x"].as_str().unwrap()).unwrap()
            }
            token::Family::P256 => {
                let public = key.to_public_jwk().unwrap();
                oracle::DecodingKey::from_ec_components(
                    public["x"].as_str().unwrap(),
                    public["y"].as_str().unwrap(),
                )
                .unwrap()
            }
            token::Family::Rsa => unreachable!(),
        };
        let mut validation = oracle::Validation::new(oracle_alg(alg));
        validation.set_issuer(&["https://issuer.example"]);
        let data = oracle::decode::<Map<String, Value>>(&jwt, &decoding, &validation)
            .unwrap_or_else(|error| panic!("{alg}: {error}"));
        assert_eq!(data.claims, claims(), "{alg}");
        assert_eq!(data.header.kid.as_deref(), Some("k2"), "{alg}");
        assert_eq!(data.header.typ.as_deref(), Some("JWT"), "{alg}");
    }
}

#[test]
fn rsa_signing_unsupported_here() {
    let error = SigningKey::generate(Algorithm::RS256, &mut rand_core::OsRng).unwrap_err();
    assert_eq!(error.code(), "unsupported_key");
}
