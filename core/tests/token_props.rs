//! Property tests: random input and random mutations of valid tokens never
//! panic and never verify.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::sync::OnceLock;

use mem8_guard::token::{self, Algorithm, KeySet, SigningKey, Validation};
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

proptest! {
    #![proptest_config(ProptestConfig::with_cases(2000))]

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
