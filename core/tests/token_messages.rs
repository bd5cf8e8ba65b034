//! Messages of key and token errors whose code alone does not say what to
//! change: a short HMAC secret and an oversized RSA modulus.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use base64ct::{Base64UrlUnpadded, Encoding};
use mem8_guard::token::{self, Algorithm, KeyError, KeySet, TokenError, Validation};

fn b64(bytes: &[u8]) -> String {
    Base64UrlUnpadded::encode_string(bytes)
}

/// A token with `header` and a minimal payload, and a signature of zeros,
/// for errors that come before the signature check.
fn unsigned_token(header: &str) -> String {
    let payload = r#"{"sub":"a","exp":2000000000}"#;
    format!(
        "{}.{}.{}",
        b64(header.as_bytes()),
        b64(payload.as_bytes()),
        b64(&[0u8; 64])
    )
}

fn oct_set(secret_len: usize, alg: Option<&str>) -> KeySet {
    let alg = alg
        .map(|alg| format!(r#","alg":"{alg}""#))
        .unwrap_or_default();
    let text = format!(
        r#"{{"keys":[{{"kty":"oct","kid":"o","k":"{}"{alg}}}]}}"#,
        b64(&vec![9u8; secret_len])
    );
    KeySet::from_json(text.as_bytes()).unwrap()
}

fn verify_with(keys: &KeySet, alg: &str, algorithms: Vec<Algorithm>) -> TokenError {
    let mut validation = Validation::default();
    validation.algorithms = Some(algorithms);
    let token = unsigned_token(&format!(r#"{{"alg":"{alg}","kid":"o"}}"#));
    token::verify(&token, keys, &validation, 1_900_000_000).unwrap_err()
}

#[test]
fn short_hmac_secret_names_minimum() {
    let keys = oct_set(32, None);
    let error = verify_with(&keys, "HS384", vec![Algorithm::HS384]);
    assert_eq!(error.code(), "key_algorithm_mismatch");
    assert_eq!(
        error.to_string(),
        "key `o` cannot be used with algorithm `HS384`, which needs an HMAC secret of at least \
         48 bytes, and the key's secret is shorter; give the key a secret of 48 bytes or more"
    );

    let error = verify_with(&keys, "HS512", vec![Algorithm::HS512]);
    assert!(error.to_string().contains("at least 64 bytes"), "{error}");
}

#[test]
fn other_mismatches_keep_short_message() {
    // The key's own `alg` names another algorithm: the length is not why.
    let keys = oct_set(64, Some("HS256"));
    let error = verify_with(&keys, "HS384", vec![Algorithm::HS384]);
    assert_eq!(
        error.to_string(),
        "key `o` cannot be used with algorithm `HS384`"
    );

    // A long enough secret of the wrong family for the header.
    let keys = oct_set(32, None);
    let error = verify_with(&keys, "EdDSA", vec![Algorithm::EdDSA]);
    assert_eq!(
        error.to_string(),
        "key `o` cannot be used with algorithm `EdDSA`"
    );
}

#[test]
fn oversized_rsa_modulus_names_maximum() {
    for bits in [8200, 16_384] {
        let mut n = vec![0u8; bits / 8];
        n[0] = 0x80;
        n[bits / 8 - 1] = 1;
        let text = format!(
            r#"{{"keys":[{{"kty":"RSA","alg":"RS256","kid":"r","n":"{}","e":"AQAB"}}]}}"#,
            b64(&n)
        );
        let error = KeySet::from_json(text.as_bytes()).err().unwrap();
        assert!(matches!(error, KeyError::InvalidKey { .. }), "{error:?}");
        assert_eq!(
            error.to_string(),
            format!(
                "invalid key at index 0: member `n` is a {bits}-bit RSA modulus, above the \
                 supported maximum of 8192 bits; use a key of 2048 to 8192 bits"
            )
        );
    }
}
