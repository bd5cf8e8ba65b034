//! Runs one vector case natively or in the host and reduces the result to a
//! JSON outcome that both runtimes must produce identically.

#![allow(dead_code)]

use std::fs;
use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use mem8_guard::crypto::{hazmat, AeadAlgorithm, Keyring, SecretKey, StreamReader, TAG_LEN};
use mem8_guard::json::{self, JsonLimits};
use mem8_guard::policy::{Policy, PolicyLimits, Principal, Request};
use mem8_guard::token::{self, KeySet, TokenError, Validation};
use mem8_guard_host::sandbox::{GuestErrorKind, HostConfig, HostError, HostGuard};
use serde_json::{json, Value};

/// One host for every test in a binary: compiling the module takes about a
/// second.
pub fn host() -> &'static HostGuard {
    static HOST: OnceLock<HostGuard> = OnceLock::new();
    HOST.get_or_init(|| {
        let module =
            mem8_guard_conformance::read_guest_module().unwrap_or_else(|error| panic!("{error}"));
        HostGuard::new(&module, HostConfig::default()).unwrap_or_else(|error| panic!("{error}"))
    })
}

pub fn vectors_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("vectors")
}

/// Every `.json` file under `tests/vectors/`, except in `gen/` and `keys/`,
/// as (path relative to `tests/vectors/`, parsed file).
pub fn vector_files() -> Vec<(String, Value)> {
    let root = vectors_dir();
    let mut paths = Vec::new();
    collect(&root, &mut paths);
    paths.sort();
    paths
        .into_iter()
        .map(|path| {
            let relative = path
                .strip_prefix(&root)
                .unwrap()
                .to_string_lossy()
                .replace('\\', "/");
            let bytes = fs::read(&path).unwrap();
            let limits = JsonLimits {
                max_depth: 64,
                max_members: 1_000_000,
            };
            let value = json::parse_value(&bytes, &limits)
                .unwrap_or_else(|error| panic!("{relative} is not strict JSON: {error}"));
            (relative, value)
        })
        .collect()
}

fn collect(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        let name = path.file_name().unwrap().to_string_lossy().into_owned();
        if path.is_dir() {
            if name != "gen" && name != "keys" {
                collect(&path, out);
            }
        } else if name.ends_with(".json") {
            out.push(path);
        }
    }
}

/// Which runner a file's cases need.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Token,
    Policy,
    Aead,
    Stream,
}

pub fn kind_of(path: &str) -> Kind {
    if path.starts_with("policy/") {
        Kind::Policy
    } else if path == "aead/stream.json" {
        Kind::Stream
    } else if path.starts_with("aead/") {
        Kind::Aead
    } else {
        Kind::Token
    }
}

/// The runtime a case runs in.
#[derive(Clone, Copy)]
pub enum Runtime<'a> {
    Native,
    Host(&'a HostGuard),
}

pub fn run_case(runtime: Runtime<'_>, kind: Kind, file: &Value, case: &Value) -> Value {
    match kind {
        Kind::Token => token_case(runtime, file, case),
        Kind::Policy => policy_case(runtime, file, case),
        Kind::Aead => aead_case(runtime, case),
        Kind::Stream => stream_case(runtime, case),
    }
}

fn jwks_text(file: &Value, case: &Value) -> String {
    match (&case["jwks"], &case["jwks_json"]) {
        (Value::String(name), _) => file["key_sets"][name.as_str()].to_string(),
        (Value::Null, Value::String(raw)) => raw.clone(),
        (inline, _) => inline.to_string(),
    }
}

fn validation_of(case: &Value) -> Result<Validation, Value> {
    match case.get("validation") {
        Some(options) => serde_json::from_value(options.clone())
            .map_err(|error| json!({ "argument_error": error.to_string() })),
        None => Ok(Validation::default()),
    }
}

fn token_error_outcome(error: &TokenError) -> Value {
    let limit = match error {
        TokenError::TooLarge { limit, .. } => Some(limit.as_str()),
        _ => None,
    };
    json!({ "error": error.code(), "claim": error.claim(), "limit": limit })
}

/// Reduces a host error: a guest error to the same shape as the native
/// one, anything else (a trap, a limit) to a value no native run produces.
fn host_error_outcome(error: &HostError) -> Value {
    match error.guest() {
        Some(guest) => match guest.kind {
            GuestErrorKind::Token => {
                json!({ "error": guest.code, "claim": guest.claim, "limit": guest.limit })
            }
            GuestErrorKind::Key => json!({ "key_error": guest.code }),
            GuestErrorKind::Policy => json!({ "load_error": guest.code }),
            GuestErrorKind::Crypto | GuestErrorKind::Keyring => {
                json!({ "crypto_error": guest.code })
            }
            GuestErrorKind::InvalidArgument => json!({ "argument_error": "invalid" }),
            _ => json!({ "host_failure": error.to_string() }),
        },
        None => json!({ "host_failure": error.to_string() }),
    }
}

fn token_case(runtime: Runtime<'_>, file: &Value, case: &Value) -> Value {
    let jwks = jwks_text(file, case);
    let validation = match validation_of(case) {
        Ok(validation) => validation,
        Err(outcome) => return outcome,
    };
    let token = case["token"].as_str().unwrap_or("");
    let now = case["now"].as_u64().unwrap_or(0);
    let jws_mode = case["mode"].as_str() == Some("jws");
    match runtime {
        Runtime::Native => {
            let keys = match KeySet::from_json(jwks.as_bytes()) {
                Ok(keys) => keys,
                Err(error) => return json!({ "key_error": error.code() }),
            };
            if case.get("token").is_none() {
                return json!({ "usable_keys": keys.len() });
            }
            if jws_mode {
                match token::verify_jws(token, &keys, &validation) {
                    Ok(jws) => json!({ "payload_b64url": URL_SAFE_NO_PAD.encode(&jws.payload) }),
                    Err(error) => token_error_outcome(&error),
                }
            } else {
                match token::verify(token, &keys, &validation, now) {
                    Ok(verified) => json!({
                        "claims": Value::Object(verified.claims.into_map()),
                        "header": { "alg": verified.header.alg.as_str(), "kid": verified.header.kid, "typ": verified.header.typ },
                    }),
                    Err(error) => token_error_outcome(&error),
                }
            }
        }
        Runtime::Host(host) => {
            let verifier = match host.verifier(&jwks, &validation) {
                Ok(verifier) => verifier,
                Err(error) => return host_error_outcome(&error),
            };
            if case.get("token").is_none() {
                return match verifier.key_count() {
                    Ok(count) => json!({ "usable_keys": count }),
                    Err(error) => host_error_outcome(&error),
                };
            }
            if jws_mode {
                match verifier.verify_jws(token) {
                    Ok(jws) => json!({ "payload_b64url": URL_SAFE_NO_PAD.encode(&jws.payload) }),
                    Err(error) => host_error_outcome(&error),
                }
            } else {
                match verifier.verify(token, now) {
                    Ok(verified) => json!({
                        "claims": Value::Object(verified.claims),
                        "header": { "alg": verified.header.alg.as_str(), "kid": verified.header.kid, "typ": verified.header.typ },
                    }),
                    Err(error) => host_error_outcome(&error),
                }
            }
        }
    }
}

/// Checks a token case's outcome against its `expect`.
pub fn check_token_expect(case: &Value, outcome: &Value) -> Result<(), String> {
    let expect = &case["expect"];
    if let Some(code) = expect["key_error"].as_str() {
        return (outcome["key_error"].as_str() == Some(code))
            .then_some(())
            .ok_or_else(|| format!("expected key error {code}, got {outcome}"));
    }
    if expect["ok"] == Value::Bool(true) {
        let loaded = outcome["usable_keys"]
            .as_u64()
            .ok_or_else(|| format!("key set failed to load: {outcome}"))?;
        let usable = expect["usable_keys"].as_u64().unwrap_or(loaded);
        return (usable == loaded)
            .then_some(())
            .ok_or_else(|| format!("expected {usable} usable keys, got {loaded}"));
    }
    if let Some(code) = expect["error"].as_str() {
        if outcome["error"].as_str() != Some(code) {
            return Err(format!("expected error {code}, got {outcome}"));
        }
        for field in ["claim", "limit"] {
            if let Some(want) = expect[field].as_str() {
                if outcome[field].as_str() != Some(want) {
                    return Err(format!("expected {field} {want}, got {outcome}"));
                }
            }
        }
        return Ok(());
    }
    let (want, got) = match (expect.get("claims"), expect.get("payload_b64url")) {
        (Some(claims), _) => (claims, &outcome["claims"]),
        (None, Some(payload)) => (payload, &outcome["payload_b64url"]),
        (None, None) => {
            return Err(String::from(
                "case expects neither claims, payload nor error",
            ))
        }
    };
    (want == got)
        .then_some(())
        .ok_or_else(|| format!("expected {want}, got {outcome}"))
}

fn policy_document(file: &Value, case: &Value) -> String {
    let document = match case["policy"].as_str() {
        Some(name) => &file["policies"][name],
        None => &case["document"],
    };
    match document {
        Value::String(raw) => raw.clone(),
        other => other.to_string(),
    }
}

fn policy_case(runtime: Runtime<'_>, file: &Value, case: &Value) -> Value {
    let document = policy_document(file, case);
    let limits: PolicyLimits = match case.get("limits") {
        Some(limits) => serde_json::from_value(limits.clone()).unwrap(),
        None => PolicyLimits::default(),
    };
    let expect_load = case["expect"].get("load_error").is_some();
    let principal: Option<Principal> = case
        .get("principal")
        .map(|value| serde_json::from_value(value.clone()).unwrap());
    let action = case["action"].as_str().unwrap_or("");
    let resource = case["resource"].as_str().unwrap_or("");
    // An absent context reaches both runtimes as `null`, an empty one.
    let context = case.get("context").unwrap_or(&Value::Null);
    let resource_attributes: Option<serde_json::Map<String, Value>> = case
        .get("resource_attributes")
        .map(|value| value.as_object().unwrap().clone());
    let text = case["document_text"].as_str().map(String::from);
    match runtime {
        Runtime::Native => {
            let loaded = match &text {
                Some(text) => Policy::from_text_with_limits(text, &limits),
                None => Policy::from_json_with_limits(document.as_bytes(), &limits),
            };
            let policy = match loaded {
                Ok(policy) => policy,
                Err(error) => return json!({ "load_error": error.code() }),
            };
            let Some(principal) = principal.filter(|_| !expect_load) else {
                return json!({ "loaded_rules": policy.rule_count() });
            };
            let decision = policy.evaluate(&Request {
                principal: &principal,
                action,
                resource,
                resource_attributes: resource_attributes.as_ref(),
                context,
            });
            serde_json::to_value(decision).unwrap()
        }
        Runtime::Host(host) => {
            let loaded = match &text {
                Some(text) => host.policy_from_text(text, &limits),
                None => host.policy(&document, &limits),
            };
            let policy = match loaded {
                Ok(policy) => policy,
                Err(error) => return host_error_outcome(&error),
            };
            let Some(principal) = principal.filter(|_| !expect_load) else {
                return match policy.rule_count() {
                    Ok(count) => json!({ "loaded_rules": count }),
                    Err(error) => host_error_outcome(&error),
                };
            };
            let request = Request {
                principal: &principal,
                action,
                resource,
                resource_attributes: resource_attributes.as_ref(),
                context,
            };
            match policy.authorize(&request) {
                Ok(decision) => serde_json::to_value(decision).unwrap(),
                Err(error) => host_error_outcome(&error),
            }
        }
    }
}

/// Checks a policy case's outcome against its `expect`.
pub fn check_policy_expect(case: &Value, outcome: &Value) -> Result<(), String> {
    let expect = &case["expect"];
    if let Some(code) = expect["load_error"].as_str() {
        return (outcome["load_error"].as_str() == Some(code))
            .then_some(())
            .ok_or_else(|| format!("expected load error {code}, got {outcome}"));
    }
    if outcome["decision"] != expect["decision"] {
        return Err(format!("expected {}, got {outcome}", expect["decision"]));
    }
    if let Some(reasons) = expect.get("reasons") {
        if outcome["reasons"] != *reasons {
            return Err(format!("expected reasons {reasons}, got {outcome}"));
        }
    }
    let codes: Vec<Value> = outcome["errors"]
        .as_array()
        .map(|errors| errors.iter().map(|error| error["code"].clone()).collect())
        .unwrap_or_default();
    let want = expect.get("errors").cloned().unwrap_or(json!([]));
    (Value::Array(codes.clone()) == want)
        .then_some(())
        .ok_or_else(|| format!("expected error codes {want}, got {codes:?}"))
}

fn hex_bytes(text: &str) -> Vec<u8> {
    (0..text.len() / 2)
        .map(|index| u8::from_str_radix(&text[2 * index..2 * index + 2], 16).unwrap())
        .collect()
}

fn hex_text(bytes: &[u8]) -> String {
    bytes.iter().map(|byte| format!("{byte:02x}")).collect()
}

fn aead_case(runtime: Runtime<'_>, case: &Value) -> Value {
    let algorithm = match case["algorithm"].as_str() {
        Some("C20P") => AeadAlgorithm::ChaCha20Poly1305,
        _ => AeadAlgorithm::XChaCha20Poly1305,
    };
    let key = hex_bytes(case["key"].as_str().unwrap_or(""));
    let nonce = hex_bytes(case["nonce"].as_str().unwrap_or(""));
    let aad = hex_bytes(case["aad"].as_str().unwrap_or(""));
    let msg = hex_bytes(case["msg"].as_str().unwrap_or(""));
    let sealed_input = hex_bytes(&format!(
        "{}{}",
        case["ct"].as_str().unwrap_or(""),
        case["tag"].as_str().unwrap_or("")
    ));
    let (opened, sealed) = match runtime {
        Runtime::Native => {
            let Some(secret) = SecretKey::from_slice(&key) else {
                return json!({ "open": { "argument_error": "invalid" }, "seal": { "argument_error": "invalid" } });
            };
            let opened =
                match hazmat::decrypt_with_nonce(algorithm, &secret, &nonce, &aad, &sealed_input) {
                    Ok(plaintext) => json!(hex_text(plaintext.as_bytes())),
                    Err(error) => json!({ "crypto_error": error.code() }),
                };
            let sealed = match hazmat::encrypt_with_nonce(algorithm, &secret, &nonce, &aad, &msg) {
                Ok(sealed) => json!(hex_text(&sealed)),
                Err(error) => json!({ "crypto_error": error.code() }),
            };
            (opened, sealed)
        }
        Runtime::Host(host) => {
            let opened = match host.hazmat_aead_open(algorithm, &key, &nonce, &aad, &sealed_input) {
                Ok(plaintext) => json!(hex_text(&plaintext)),
                Err(error) => host_error_outcome(&error),
            };
            let sealed = match host.hazmat_aead_seal(algorithm, &key, &nonce, &aad, &msg) {
                Ok(sealed) => json!(hex_text(&sealed)),
                Err(error) => host_error_outcome(&error),
            };
            (opened, sealed)
        }
    };
    json!({ "open": opened, "seal": sealed })
}

/// Checks an AEAD case's outcome against its `result`.
pub fn check_aead_expect(case: &Value, outcome: &Value) -> Result<(), String> {
    let msg = case["msg"].as_str().unwrap_or("");
    let sealed = format!(
        "{}{}",
        case["ct"].as_str().unwrap_or(""),
        case["tag"].as_str().unwrap_or("")
    );
    match case["result"].as_str() {
        Some("valid") => {
            if outcome["open"].as_str() != Some(msg) {
                return Err(format!(
                    "valid case did not decrypt to msg: {}",
                    outcome["open"]
                ));
            }
            (outcome["seal"].as_str() == Some(sealed.as_str()))
                .then_some(())
                .ok_or_else(|| format!("valid case encrypted to {}", outcome["seal"]))
        }
        Some("invalid") => outcome["open"]
            .is_object()
            .then_some(())
            .ok_or_else(|| String::from("invalid case decrypted")),
        Some("acceptable") => (outcome["open"].is_object()
            || outcome["open"].as_str() == Some(msg))
        .then_some(())
        .ok_or_else(|| String::from("acceptable case decrypted to the wrong plaintext")),
        other => Err(format!("unknown result {other:?}")),
    }
}

pub fn check_expect(kind: Kind, case: &Value, outcome: &Value) -> Result<(), String> {
    match kind {
        Kind::Token => check_token_expect(case, outcome),
        Kind::Policy => check_policy_expect(case, outcome),
        Kind::Aead => check_aead_expect(case, outcome),
        Kind::Stream => check_stream_expect(case, outcome),
    }
}

/// Returns the piece lengths that a stream case's input is split into
/// between `update` calls: whole, byte by byte for a short stream, and
/// pieces that end near header and chunk boundaries.
fn stream_splits(stream_len: usize, chunk_size: usize) -> Vec<usize> {
    let sealed = chunk_size + TAG_LEN;
    let mut splits = vec![
        stream_len.max(1),
        7,
        61,
        sealed - 1,
        sealed + 1,
        2 * sealed + 3,
    ];
    if stream_len <= 1200 {
        splits.push(1);
    }
    splits
}

fn stream_native(keyring: &Keyring, stream: &[u8], aad: &[u8], piece: usize) -> Value {
    let mut reader = StreamReader::new(aad);
    let mut plaintext = Vec::new();
    for part in stream.chunks(piece) {
        match reader.update(keyring, part) {
            Ok(opened) => plaintext.extend_from_slice(opened.as_bytes()),
            Err(error) => return json!({ "crypto_error": error.code() }),
        }
    }
    match reader.finish(keyring) {
        Ok(opened) => {
            plaintext.extend_from_slice(opened.as_bytes());
            json!({ "plaintext": hex_text(&plaintext) })
        }
        Err(error) => json!({ "crypto_error": error.code() }),
    }
}

fn stream_host(
    keyring: &mem8_guard_host::sandbox::HostKeyring,
    stream: &[u8],
    aad: &[u8],
    piece: usize,
) -> Value {
    let mut decryptor = match keyring.stream_decryptor(aad) {
        Ok(decryptor) => decryptor,
        Err(error) => return host_error_outcome(&error),
    };
    let mut plaintext = Vec::new();
    for part in stream.chunks(piece) {
        match decryptor.update(part) {
            Ok(opened) => plaintext.extend_from_slice(&opened),
            Err(error) => return host_error_outcome(&error),
        }
    }
    match decryptor.finish() {
        Ok(opened) => {
            plaintext.extend_from_slice(&opened);
            json!({ "plaintext": hex_text(&plaintext) })
        }
        Err(error) => host_error_outcome(&error),
    }
}

/// Decrypts a stream case in every split; the outcome is the common result,
/// or `split_mismatch` listing each split's result when they differ.
fn stream_case(runtime: Runtime<'_>, case: &Value) -> Value {
    let document = case["keyring"].to_string();
    let aad = hex_bytes(case["aad"].as_str().unwrap_or(""));
    let stream = hex_bytes(case["stream"].as_str().unwrap_or(""));
    let chunk_size = case["chunk_size"].as_u64().unwrap_or(1024) as usize;
    let mut outcomes = Vec::new();
    match runtime {
        Runtime::Native => {
            let keyring = match Keyring::from_json(document.as_bytes()) {
                Ok(keyring) => keyring,
                Err(error) => return json!({ "keyring_error": error.code() }),
            };
            // The core's own API first: the header split off by the caller.
            let whole = match keyring.stream_decryptor(&stream, &aad) {
                Ok((mut decryptor, read)) => decryptor
                    .update(&stream[read..])
                    .and_then(|first| {
                        let last = decryptor.finish()?;
                        Ok([first.as_bytes(), last.as_bytes()].concat())
                    })
                    .map_or_else(
                        |error| json!({ "crypto_error": error.code() }),
                        |plaintext| json!({ "plaintext": hex_text(&plaintext) }),
                    ),
                Err(error) => json!({ "crypto_error": error.code() }),
            };
            outcomes.push(whole);
            for piece in stream_splits(stream.len(), chunk_size) {
                outcomes.push(stream_native(&keyring, &stream, &aad, piece));
            }
        }
        Runtime::Host(host) => {
            let keyring = match host.keyring_from_json(&document) {
                Ok(keyring) => keyring,
                Err(error) => return host_error_outcome(&error),
            };
            // The host has no call that takes a split-off header, so the
            // whole input runs once more in its place.
            outcomes.push(stream_host(&keyring, &stream, &aad, stream.len().max(1)));
            for piece in stream_splits(stream.len(), chunk_size) {
                outcomes.push(stream_host(&keyring, &stream, &aad, piece));
            }
        }
    }
    if outcomes.iter().all(|outcome| *outcome == outcomes[0]) {
        outcomes.swap_remove(0)
    } else {
        json!({ "split_mismatch": outcomes })
    }
}

/// Checks a stream case's outcome against its `expect`.
pub fn check_stream_expect(case: &Value, outcome: &Value) -> Result<(), String> {
    let expect = &case["expect"];
    let matches = match (expect["plaintext"].as_str(), expect["error"].as_str()) {
        (Some(plaintext), _) => outcome["plaintext"].as_str() == Some(plaintext),
        (None, Some(code)) => outcome["crypto_error"].as_str() == Some(code),
        (None, None) => return Err(String::from("case expects neither plaintext nor error")),
    };
    let shown = outcome.to_string();
    let shown = shown.get(..300).unwrap_or(&shown);
    matches
        .then_some(())
        .ok_or_else(|| format!("expected {expect}, got {shown}"))
}
