//! Property tests: random input and random mutations of valid tokens never
//! panic and never verify.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::sync::OnceLock;

use base64ct::{Base64UrlUnpadded, Encoding};

use mem8_guard::token::{self, Algorithm, KeySet, SigningKey, TokenError, Validation};
use proptest::prelude::*;
use serde_json::json;

const NOW: u64 = 1_700_000_000;

struct Fixture {
    keys: KeySet,
    tokens: Vec<String>,
}

/// One valid token per signing algorithm, all verifiable with `keys`.
fn fixture() -> &'static Fixture {
    static FIXTURE: OnceLock<Fixture> = OnceLock::new();
    FIXTURE.get_or_init(|| {
        let claims = json!({"sub": "alice", "exp": NOW + 60, "roles": ["a", "b"]});
        let mut verifying = Vec::new();
        let mut tokens = Vec::new();
        for alg in [
            Algorithm::HS256,
            Algorithm::HS512,
            Algorithm::EdDSA,
            Algorithm::ES256,
        ] {
            let key = SigningKey::generate(alg, &mut rand_core::OsRng).unwrap();
            tokens.push(token::sign(claims.as_object().unwrap(), &key).unwrap());
            verifying.push(key.verifying_key());
        }
        let keys = KeySet::from_keys(verifying).unwrap();
        for jwt in &tokens {
            token::verify(jwt, &keys, &Validation::default(), NOW).unwrap();
        }
        Fixture { keys, tokens }
    })
}

#[derive(Debug, Clone)]
enum Mutation {
    Replace(usize, u8),
    Insert(usize, u8),
    Delete(usize),
    Truncate(usize),
    Swap(usize, usize),
}

fn mutation() -> impl Strategy<Value = Mutation> {
    let byte = prop_oneof![
        any::<u8>(),
        prop::sample::select(b"AQgw_-.=+/ \n\"{}".to_vec()),
    ];
    prop_oneof![
        (any::<usize>(), byte.clone()).prop_map(|(at, b)| Mutation::Replace(at, b)),
        (any::<usize>(), byte).prop_map(|(at, b)| Mutation::Insert(at, b)),
        any::<usize>().prop_map(Mutation::Delete),
        any::<usize>().prop_map(Mutation::Truncate),
        (any::<usize>(), any::<usize>()).prop_map(|(a, b)| Mutation::Swap(a, b)),
    ]
}

fn apply(token: &str, mutations: &[Mutation]) -> Vec<u8> {
    let mut bytes = token.as_bytes().to_vec();
    for mutation in mutations {
        let len = bytes.len().max(1);
        match *mutation {
            Mutation::Replace(at, b) if !bytes.is_empty() => bytes[at % len] = b,
            Mutation::Insert(at, b) => bytes.insert(at % (bytes.len() + 1), b),
            Mutation::Delete(at) if !bytes.is_empty() => {
                bytes.remove(at % len);
            }
            Mutation::Truncate(at) => bytes.truncate(at % len),
            Mutation::Swap(a, b) if !bytes.is_empty() => bytes.swap(a % len, b % len),
            _ => {}
        }
    }
    bytes
}

/// JSON-like text built to hit the strict parser's rules: member names that
/// repeat, also through escapes, nesting near the limits, registered claims
/// of the wrong type, and now and then a syntax error.
fn json_text(depth: u32) -> BoxedStrategy<String> {
    let name = prop::sample::select(vec![
        "a",
        "b",
        "exp",
        "nbf",
        "iat",
        "iss",
        "sub",
        "jti",
        "aud",
        "\\u0061",
        "\\u0065xp",
        "roles",
    ]);
    let good = prop::sample::select(vec![
        "1800000000",
        "1.5e9",
        "-3",
        "\"s\"",
        "\"i\\u0073s\"",
        "true",
        "null",
    ]);
    let bad = prop::sample::select(vec!["1e999", "[\"x\","]);
    let leaf = prop_oneof![30 => good, 1 => bad].prop_map(String::from);
    leaf.prop_recursive(depth, 64, 6, move |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..6)
                .prop_map(|items| format!("[{}]", items.join(","))),
            prop::collection::vec((name.clone(), inner), 0..7).prop_map(|members| {
                let members: Vec<String> = members
                    .into_iter()
                    .map(|(name, value)| format!("\"{name}\":{value}"))
                    .collect();
                format!("{{{}}}", members.join(","))
            }),
        ]
    })
    .boxed()
}

/// Generates a payload: a JSON object of members from [`json_text`].
fn json_object() -> impl Strategy<Value = String> {
    let name = prop::sample::select(vec![
        "exp",
        "nbf",
        "iat",
        "iss",
        "sub",
        "aud",
        "roles",
        "\\u0065xp",
        "a",
    ]);
    // Half start with claims that pass validation, so that later members
    // decide the outcome.
    let valid = prop::sample::select(vec![None, Some(r#""exp":1800000000,"aud":"s""#)]);
    (valid, prop::collection::vec((name, json_text(3)), 0..5)).prop_map(|(valid, members)| {
        let members: Vec<String> = valid
            .map(String::from)
            .into_iter()
            .chain(
                members
                    .into_iter()
                    .map(|(name, value)| format!("\"{name}\":{value}")),
            )
            .collect();
        format!("{{{}}}", members.join(","))
    })
}

fn hs256_key() -> &'static (SigningKey, KeySet) {
    static KEY: OnceLock<(SigningKey, KeySet)> = OnceLock::new();
    KEY.get_or_init(|| {
        let key = SigningKey::generate(Algorithm::HS256, &mut rand_core::OsRng).unwrap();
        let keys = KeySet::from_keys(vec![key.verifying_key()]).unwrap();
        (key, keys)
    })
}

/// `verify` and `verify_json` on one token: the same claims or the same error.
fn same_outcome(jwt: &str, keys: &KeySet, validation: &Validation) -> Result<(), TestCaseError> {
    let parsed = token::verify(jwt, keys, validation, NOW)
        .map(|verified| serde_json::Value::Object(verified.claims.into_map()));
    let text: Result<serde_json::Value, TokenError> =
        token::verify_json(jwt, keys, validation, NOW)
            .map(|verified| serde_json::from_str(&verified.claims_json).unwrap());
    prop_assert_eq!(parsed, text);
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(2000))]

    #[test]
    fn verify_json_agrees_on_signed_payloads(
        header in prop_oneof![3 => Just(String::from("1")), 1 => json_text(2)],
        payload in prop_oneof![3 => json_object(), 1 => json_text(4)],
        depth in 1usize..8,
        members in 2usize..12,
        required in prop::sample::select(vec!["exp", "roles", "a", "\u{1}"]),
    ) {
        let (key, keys) = hs256_key();
        let validation: Validation = serde_json::from_value(json!({
            "algorithms": ["HS256"],
            "max_json_depth": depth,
            "max_claims": members,
            "required_claims": [required],
            "audiences": ["s"],
        }))
        .unwrap();
        // A signed token whose payload is the random text; the header is
        // random too, apart from a fixed first `alg` member.
        let header = format!(r#"{{"alg":"HS256","x":{header}}}"#);
        if let Ok(jwt) = token::sign_jws(header.as_bytes(), payload.as_bytes(), key) {
            same_outcome(&jwt, keys, &validation)?;
        }
        let unsigned = format!(
            "{}.{}.AAAA",
            Base64UrlUnpadded::encode_string(br#"{"alg":"HS256"}"#),
            Base64UrlUnpadded::encode_string(payload.as_bytes()),
        );
        same_outcome(&unsigned, keys, &validation)?;
    }

    #[test]
    fn verify_json_agrees_on_mutated_tokens(
        which in 0usize..4,
        mutations in prop::collection::vec(mutation(), 1..4),
    ) {
        let fixture = fixture();
        let mutated = apply(&fixture.tokens[which], &mutations);
        let text = String::from_utf8_lossy(&mutated);
        same_outcome(&text, &fixture.keys, &Validation::default())?;
    }

    #[test]
    fn random_text_never_verifies(text in ".{0,400}") {
        let fixture = fixture();
        prop_assert!(token::verify(&text, &fixture.keys, &Validation::default(), NOW).is_err());
        prop_assert!(token::verify_jws(&text, &fixture.keys, &Validation::default()).is_err());
    }

    #[test]
    fn random_segments_never_verify(
        parts in prop::collection::vec("[A-Za-z0-9_-]{0,80}", 1..5)
    ) {
        let text = parts.join(".");
        let fixture = fixture();
        prop_assert!(token::verify(&text, &fixture.keys, &Validation::default(), NOW).is_err());
    }

    #[test]
    fn mutated_tokens_never_verify(
        which in 0usize..4,
        mutations in prop::collection::vec(mutation(), 1..4),
    ) {
        let fixture = fixture();
        let original = &fixture.tokens[which];
        let mutated = apply(original, &mutations);
        prop_assume!(mutated != original.as_bytes());
        // Non-UTF-8 input cannot reach the verifier as `&str`; check the
        // lossy reading, which is what a caller decoding bytes would pass.
        let text = String::from_utf8_lossy(&mutated);
        prop_assert!(token::verify(&text, &fixture.keys, &Validation::default(), NOW).is_err());
    }
}
