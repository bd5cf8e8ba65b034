//! Runs the AEAD vectors in `tests/vectors/aead/*.json` (RFC 8439 and the
//! Wycheproof ChaCha20-Poly1305 and XChaCha20-Poly1305 suites) through the
//! raw primitive calls that envelopes use, and keeps the Wycheproof files in
//! step with the `wycheproof` crate.
//!
//! The calls go through `crypto::hazmat`, the test-only entry points that
//! take a caller-chosen nonce; the `hazmat` feature is enabled for tests only.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::fs;
use std::path::{Path, PathBuf};

use mem8_guard::crypto::hazmat;
use mem8_guard::crypto::{AeadAlgorithm, SecretKey};
use serde::Serialize;
use serde_json::Value;

fn vectors_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../tests/vectors/aead")
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|byte| format!("{byte:02x}")).collect()
}

fn unhex(text: &str) -> Vec<u8> {
    assert!(text.len().is_multiple_of(2), "odd-length hex `{text}`");
    (0..text.len())
        .step_by(2)
        .map(|index| u8::from_str_radix(&text[index..index + 2], 16).unwrap())
        .collect()
}

/// Checks one case; returns a description of the mismatch, if any.
fn run_case(case: &Value) -> Result<(), String> {
    let field = |name: &str| -> Result<Vec<u8>, String> {
        case[name]
            .as_str()
            .map(unhex)
            .ok_or_else(|| format!("missing field `{name}`"))
    };
    let algorithm: AeadAlgorithm = case["algorithm"]
        .as_str()
        .and_then(|name| name.parse().ok())
        .ok_or("unknown algorithm")?;
    let key = SecretKey::from_slice(&field("key")?).ok_or("key is not 32 bytes")?;
    let (nonce, aad, msg) = (field("nonce")?, field("aad")?, field("msg")?);
    let mut sealed = field("ct")?;
    sealed.extend_from_slice(&field("tag")?);

    let opened = hazmat::decrypt_with_nonce(algorithm, &key, &nonce, &aad, &sealed);
    let encrypted = hazmat::encrypt_with_nonce(algorithm, &key, &nonce, &aad, &msg);
    match case["result"].as_str() {
        Some("valid") => {
            let plaintext = opened.map_err(|error| format!("valid case rejected: {error}"))?;
            if plaintext.as_bytes() != msg {
                return Err("decrypted to the wrong plaintext".into());
            }
            match encrypted {
                Ok(output) if output == sealed => Ok(()),
                Ok(output) => Err(format!("encrypted to {}, not ct || tag", hex(&output))),
                Err(error) => Err(format!("encryption failed: {error}")),
            }
        }
        Some("invalid") => {
            if opened.is_ok() {
                return Err("invalid case decrypted".into());
            }
            if nonce.len() != algorithm.nonce_len() && encrypted.is_ok() {
                return Err("encryption accepted a nonce of the wrong length".into());
            }
            Ok(())
        }
        Some("acceptable") => match opened {
            Ok(plaintext) if plaintext.as_bytes() != msg => {
                Err("acceptable case decrypted to the wrong plaintext".into())
            }
            _ => Ok(()),
        },
        other => Err(format!("unexpected result {other:?}")),
    }
}

fn load(name: &str) -> Value {
    let path = vectors_dir().join(name);
    let text = fs::read(&path).unwrap_or_else(|error| panic!("{}: {error}", path.display()));
    let limits = mem8_guard::json::JsonLimits {
        max_depth: 8,
        max_members: 1000,
    };
    mem8_guard::json::parse_value(&text, &limits)
        .unwrap_or_else(|error| panic!("{}: {error}", path.display()))
}

/// Runs every case of a file and returns the counts of valid and other
/// cases; panics listing every mismatch.
fn run_file(name: &str) -> (usize, usize) {
    let document = load(name);
    assert!(document["source"].is_string(), "{name}: no `source`");
    let cases = document["cases"].as_array().expect("`cases` array");
    let mut failures = Vec::new();
    let mut names = std::collections::HashSet::new();
    let mut valid = 0;
    for case in cases {
        let case_name = case["name"].as_str().unwrap_or("?");
        assert!(
            names.insert(case_name),
            "{name}: duplicate case `{case_name}`"
        );
        assert!(
            case["source"].is_string(),
            "{name}: {case_name}: no `source`"
        );
        if case["result"] == "valid" {
            valid += 1;
        }
        if let Err(problem) = run_case(case) {
            failures.push(format!("{case_name}: {problem}"));
        }
    }
    assert!(failures.is_empty(), "{name}:\n{}", failures.join("\n"));
    (valid, cases.len() - valid)
}

#[test]
fn rfc8439_vectors_pass() {
    assert_eq!(run_file("rfc8439.json"), (2, 3));
}

#[test]
fn wycheproof_chacha20_poly1305_passes() {
    let (valid, invalid) = run_file("wycheproof-chacha20-poly1305.json");
    assert_eq!(valid + invalid, 325);
    assert!(valid > 0, "no valid cases");
    assert!(invalid > 0, "no invalid cases");
}

#[test]
fn wycheproof_xchacha20_poly1305_passes() {
    let (valid, invalid) = run_file("wycheproof-xchacha20-poly1305.json");
    assert_eq!(valid + invalid, 315);
    assert!(valid > 0, "no valid cases");
    assert!(invalid > 0, "no invalid cases");
}

#[test]
fn every_vector_file_is_run() {
    let mut files: Vec<String> = fs::read_dir(vectors_dir())
        .unwrap()
        .map(|entry| entry.unwrap().file_name().into_string().unwrap())
        .filter(|name| name.ends_with(".json"))
        .collect();
    files.sort();
    assert_eq!(
        files,
        [
            "rfc8439.json",
            // Run by `stream_vectors.rs`.
            "stream.json",
            "wycheproof-chacha20-poly1305.json",
            "wycheproof-xchacha20-poly1305.json"
        ]
    );
}

// ---------------------------------------------------------------- generator

#[derive(Serialize)]
struct VectorFile {
    source: String,
    description: String,
    cases: Vec<VectorCase>,
}

#[derive(Serialize)]
struct VectorCase {
    name: String,
    source: String,
    description: String,
    algorithm: &'static str,
    key: String,
    nonce: String,
    aad: String,
    msg: String,
    ct: String,
    tag: String,
    result: &'static str,
    flags: Vec<String>,
}

/// The vector file for one Wycheproof AEAD suite, as JSON text.
fn wycheproof_file(
    test: wycheproof::aead::TestName,
    upstream: &str,
    algorithm: AeadAlgorithm,
) -> String {
    let set = wycheproof::aead::TestSet::load(test).unwrap();
    let mut cases = Vec::new();
    for group in &set.test_groups {
        for case in &group.tests {
            let flags: Vec<String> = case.flags.iter().map(|flag| format!("{flag:?}")).collect();
            let description = if case.comment.is_empty() {
                flags.join(", ")
            } else {
                case.comment.clone()
            };
            cases.push(VectorCase {
                name: format!("wycheproof-{}", case.tc_id),
                source: format!("Wycheproof {upstream} tcId {}", case.tc_id),
                description,
                algorithm: algorithm.as_str(),
                key: hex(&case.key),
                nonce: hex(&case.nonce),
                aad: hex(&case.aad),
                msg: hex(&case.pt),
                ct: hex(&case.ct),
                tag: hex(&case.tag),
                result: match case.result {
                    wycheproof::TestResult::Valid => "valid",
                    wycheproof::TestResult::Invalid => "invalid",
                    wycheproof::TestResult::Acceptable => "acceptable",
                },
                flags,
            });
        }
    }
    let file = VectorFile {
        source: format!(
            "Wycheproof {upstream} (C2SP/wycheproof, Apache-2.0), as packaged by the \
             wycheproof crate 0.7.0"
        ),
        description: format!(
            "All {} cases of the suite: valid encryptions, and invalid nonce lengths, tags and \
             ciphertexts",
            set.number_of_tests
        ),
        cases,
    };
    let mut text = serde_json::to_string_pretty(&file).unwrap();
    text.push('\n');
    text
}

/// Writes the Wycheproof files when `MEM8_REGEN_VECTORS=1`; otherwise checks
/// that the files on disk are exactly what the crate gives.
#[test]
fn wycheproof_files_match_the_crate() {
    let regenerate = std::env::var("MEM8_REGEN_VECTORS").is_ok_and(|value| value == "1");
    let suites = [
        (
            wycheproof::aead::TestName::ChaCha20Poly1305,
            "chacha20_poly1305_test.json",
            AeadAlgorithm::ChaCha20Poly1305,
            "wycheproof-chacha20-poly1305.json",
        ),
        (
            wycheproof::aead::TestName::XChaCha20Poly1305,
            "xchacha20_poly1305_test.json",
            AeadAlgorithm::XChaCha20Poly1305,
            "wycheproof-xchacha20-poly1305.json",
        ),
    ];
    for (test, upstream, algorithm, file) in suites {
        let expected = wycheproof_file(test, upstream, algorithm);
        let path = vectors_dir().join(file);
        if regenerate {
            fs::write(&path, &expected).unwrap();
            continue;
        }
        let on_disk = fs::read_to_string(&path).unwrap_or_default();
        assert!(
            on_disk == expected,
            "{} differs from the wycheproof crate; rerun with MEM8_REGEN_VECTORS=1",
            path.display()
        );
    }
}
