//! Token verification: this crate against `jsonwebtoken` on the same tokens,
//! with bare `ed25519-dalek` `verify_strict` as the floor for EdDSA.
//!
//! Run with `cargo bench -p mem8-guard --bench verify`.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, missing_docs)]

use std::hint::black_box;

use base64ct::{Base64UrlUnpadded, Encoding};
use criterion::{criterion_group, criterion_main, Criterion};
use jsonwebtoken as oracle;
use mem8_guard::token::{self, Algorithm, KeySet, SigningKey, Validation};
use p256::pkcs8::{EncodePrivateKey, LineEnding};
use rsa::traits::PublicKeyParts;
use serde_json::{json, Map, Value};

const NOW: u64 = 1_700_000_000;

/// A token and the keys both libraries need to verify it.
struct Case {
    name: &'static str,
    jwt: String,
    keys: KeySet,
    decoding: oracle::DecodingKey,
    oracle_validation: oracle::Validation,
}

fn claims() -> Map<String, Value> {
    // `exp` in 2100, because jsonwebtoken reads the system clock.
    json!({"sub": "alice", "iss": "https://issuer.example", "aud": "api",
           "exp": 4_102_444_800u64, "iat": NOW, "roles": ["editor", "viewer"]})
    .as_object()
    .unwrap()
    .clone()
}

fn b64(bytes: &[u8]) -> String {
    Base64UrlUnpadded::encode_string(bytes)
}

fn validation() -> Validation {
    let mut validation = Validation::default();
    validation.issuers = vec!["https://issuer.example".into()];
    validation.audiences = vec!["api".into()];
    validation
}

fn oracle_validation(alg: oracle::Algorithm) -> oracle::Validation {
    let mut validation = oracle::Validation::new(alg);
    validation.set_issuer(&["https://issuer.example"]);
    validation.set_audience(&["api"]);
    validation
}

fn key_set(jwk: Value) -> KeySet {
    KeySet::from_json(json!({"keys": [jwk]}).to_string().as_bytes()).unwrap()
}

fn cases() -> Vec<Case> {
    let mut cases = Vec::new();

    // HS256 and EdDSA and ES256: signed by this crate.
    for (name, alg, oracle_alg) in [
        ("HS256", Algorithm::HS256, oracle::Algorithm::HS256),
        ("EdDSA", Algorithm::EdDSA, oracle::Algorithm::EdDSA),
        ("ES256", Algorithm::ES256, oracle::Algorithm::ES256),
    ] {
        let key = SigningKey::generate(alg, &mut rand_core::OsRng).unwrap();
        let jwt = token::sign(&claims(), &key).unwrap();
        let private: Value = serde_json::from_str(&key.to_private_jwk_json()).unwrap();
        let decoding = match alg {
            Algorithm::HS256 => oracle::DecodingKey::from_secret(
                &Base64UrlUnpadded::decode_vec(private["k"].as_str().unwrap()).unwrap(),
            ),
            Algorithm::EdDSA => {
                oracle::DecodingKey::from_ed_components(private["x"].as_str().unwrap()).unwrap()
            }
            _ => oracle::DecodingKey::from_ec_components(
                private["x"].as_str().unwrap(),
                private["y"].as_str().unwrap(),
            )
            .unwrap(),
        };
        let keys = KeySet::from_keys(vec![key.verifying_key()]).unwrap();
        cases.push(Case {
            name,
            jwt,
            keys,
            decoding,
            oracle_validation: oracle_validation(oracle_alg),
        });
    }

    // RS256: signed by jsonwebtoken, since this crate only verifies RSA.
    let rsa_key = rsa::RsaPrivateKey::new(&mut rand_core::OsRng, 2048).unwrap();
    let pem = rsa_key.to_pkcs8_pem(LineEnding::LF).unwrap();
    let mut header = oracle::Header::new(oracle::Algorithm::RS256);
    header.kid = Some("rsa".into());
    let encoding = oracle::EncodingKey::from_rsa_pem(pem.as_bytes()).unwrap();
    let jwt = oracle::encode(&header, &claims(), &encoding).unwrap();
    let (n, e) = (
        b64(&rsa_key.n().to_bytes_be()),
        b64(&rsa_key.e().to_bytes_be()),
    );
    cases.push(Case {
        name: "RS256",
        jwt,
        keys: key_set(json!({"kty": "RSA", "kid": "rsa", "alg": "RS256", "n": n, "e": e})),
        decoding: oracle::DecodingKey::from_rsa_components(&n, &e).unwrap(),
        oracle_validation: oracle_validation(oracle::Algorithm::RS256),
    });
    cases
}

fn verify(c: &mut Criterion) {
    let validation = validation();
    for case in cases() {
        // Both must accept the token before either is timed.
        token::verify(&case.jwt, &case.keys, &validation, NOW).unwrap();
        oracle::decode::<Map<String, Value>>(&case.jwt, &case.decoding, &case.oracle_validation)
            .unwrap();

        let mut group = c.benchmark_group(format!("verify/{}", case.name));
        group.bench_function("mem8-guard", |b| {
            b.iter(|| token::verify(black_box(&case.jwt), &case.keys, &validation, NOW).unwrap())
        });
        group.bench_function("jsonwebtoken", |b| {
            b.iter(|| {
                oracle::decode::<Map<String, Value>>(
                    black_box(&case.jwt),
                    &case.decoding,
                    &case.oracle_validation,
                )
                .unwrap()
            })
        });
        group.finish();
    }
}

/// The floor for EdDSA: `verify_strict` on the same signing input, with the
/// key already decoded, and no parsing.
fn bare_ed25519(c: &mut Criterion) {
    let key = ed25519_dalek::SigningKey::generate(&mut rand_core::OsRng);
    let signing_key = SigningKey::from_jwk_json(
        json!({"kty": "OKP", "crv": "Ed25519", "x": b64(key.verifying_key().as_bytes()),
               "d": b64(&key.to_bytes())})
        .to_string()
        .as_bytes(),
    )
    .unwrap();
    let jwt = token::sign(&claims(), &signing_key).unwrap();
    let (input, signature) = jwt.rsplit_once('.').unwrap();
    let signature =
        ed25519_dalek::Signature::from_slice(&Base64UrlUnpadded::decode_vec(signature).unwrap())
            .unwrap();
    let public = key.verifying_key();
    c.bench_function("verify/EdDSA/bare-verify-strict", |b| {
        b.iter(|| {
            public
                .verify_strict(black_box(input.as_bytes()), &signature)
                .unwrap()
        })
    });
}

criterion_group!(benches, verify, bare_ed25519);
criterion_main!(benches);
