//! Runs the token conformance vectors in `tests/vectors/*.json` (JWS, JWT and
//! key-set cases) against the native core. The same files run in every other
//! runtime; a case that passes here and fails elsewhere is a product bug.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::fs;
use std::path::{Path, PathBuf};

use base64ct::{Base64UrlUnpadded, Encoding};
use mem8_guard::token::{self, KeySet, TokenError, Validation};
use serde_json::Value;

fn vector_files() -> Vec<PathBuf> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../tests/vectors");
    let mut files: Vec<PathBuf> = fs::read_dir(&dir)
        .unwrap_or_else(|error| panic!("cannot read {}: {error}", dir.display()))
        .map(|entry| entry.unwrap().path())
        .filter(|path| path.extension().is_some_and(|ext| ext == "json"))
        .collect();
    files.sort();
    files
}

/// Runs one case; returns a description of the mismatch, if any.
fn run_case(file: &Value, case: &Value) -> Result<(), String> {
    let expect = &case["expect"];
    // `jwks` names a shared set or holds one inline; `jwks_json` holds raw
    // text, for documents a JSON value cannot express (duplicate members).
    let jwks_text = match (&case["jwks"], &case["jwks_json"]) {
        (Value::String(name), _) => file["key_sets"][name.as_str()].to_string(),
        (Value::Null, Value::String(raw)) => raw.clone(),
        (Value::Null, _) => return Err("case names no key set".into()),
        (inline, _) => inline.to_string(),
    };
    let loaded = KeySet::from_json(jwks_text.as_bytes());

    // Key-set loading cases.
    if let Some(code) = expect["key_error"].as_str() {
        return match loaded {
            Err(error) if error.code() == code => Ok(()),
            Err(error) => Err(format!(
                "expected key error {code}, got {} ({error})",
                error.code()
            )),
            Ok(_) => Err(format!("expected key error {code}, but the set loaded")),
        };
    }
    let keys = loaded.map_err(|error| format!("key set failed to load: {error}"))?;
    if expect["ok"] == Value::Bool(true) {
        let usable = expect["usable_keys"].as_u64().unwrap_or(keys.len() as u64);
        return if keys.len() as u64 == usable {
            Ok(())
        } else {
            Err(format!("expected {usable} usable keys, got {}", keys.len()))
        };
    }

    // Token cases.
    let validation: Validation = match case.get("validation") {
        Some(options) => serde_json::from_value(options.clone())
            .map_err(|error| format!("invalid validation options: {error}"))?,
        None => Validation::default(),
    };
    let token = case["token"].as_str().ok_or("case has no token")?;
    let now = case["now"].as_u64().unwrap_or(0);
    let outcome: Result<Value, TokenError> = match case["mode"].as_str().unwrap_or("jwt") {
        "jws" => token::verify_jws(token, &keys, &validation)
            .map(|jws| Value::String(Base64UrlUnpadded::encode_string(&jws.payload))),
        "jwt" => {
            let parsed = token::verify(token, &keys, &validation, now)
                .map(|verified| Value::Object(verified.claims.into_map()));
            // `verify_json`, which the package and the host call, must give
            // the same claims or the same error.
            let text = token::verify_json(token, &keys, &validation, now)
                .map(|verified| serde_json::from_str::<Value>(&verified.claims_json).unwrap());
            if parsed != text {
                return Err(format!("verify gave {parsed:?}, verify_json {text:?}"));
            }
            parsed
        }
        other => return Err(format!("unknown mode {other}")),
    };

    match (outcome, expect["error"].as_str()) {
        (Ok(_), Some(code)) => Err(format!("expected error {code}, but the token verified")),
        (Err(error), None) => Err(format!("expected success, got {} ({error})", error.code())),
        (Err(error), Some(code)) => check_error(&error, code, expect),
        (Ok(got), None) => {
            let want = expect
                .get("claims")
                .or_else(|| expect.get("payload_b64url"));
            match want {
                Some(want) if *want == got => Ok(()),
                Some(want) => Err(format!("expected {want}, got {got}")),
                None => Err("case expects neither claims, payload nor error".into()),
            }
        }
    }
}

fn check_error(error: &TokenError, code: &str, expect: &Value) -> Result<(), String> {
    if error.code() != code {
        return Err(format!(
            "expected error {code}, got {} ({error})",
            error.code()
        ));
    }
    if let Some(claim) = expect["claim"].as_str() {
        if error.claim() != Some(claim) {
            return Err(format!(
                "expected claim {claim}, got {:?} ({error})",
                error.claim()
            ));
        }
    }
    if let Some(limit) = expect["limit"].as_str() {
        match error {
            TokenError::TooLarge { limit: got, .. } if got.as_str() == limit => {}
            other => return Err(format!("expected limit {limit}, got {other}")),
        }
    }
    Ok(())
}

#[test]
fn token_vectors_pass_natively() {
    let mut total = 0;
    let mut failures = Vec::new();
    for path in vector_files() {
        let text = fs::read_to_string(&path).unwrap();
        let file: Value = serde_json::from_str(&text)
            .unwrap_or_else(|error| panic!("{}: {error}", path.display()));
        assert!(
            file["source"].is_string(),
            "{}: file has no source",
            path.display()
        );
        let cases = file["cases"]
            .as_array()
            .map(Vec::as_slice)
            .unwrap_or_default();
        for case in cases {
            total += 1;
            let name = case["name"].as_str().unwrap_or("<unnamed>");
            assert!(case["source"].is_string(), "{name}: case has no source");
            if let Err(problem) = run_case(&file, case) {
                failures.push(format!("{}: {name}: {problem}", path.display()));
            }
        }
    }
    assert!(total > 0, "no token vectors found");
    assert!(
        failures.is_empty(),
        "{} of {total} cases failed:\n{}",
        failures.len(),
        failures.join("\n")
    );
    println!("{total} passed, 0 failed");
}
