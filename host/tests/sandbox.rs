//! The sandbox under load and under attack: limits, traps, invalid guest
//! values, concurrency, the module cache and keyring state across traps.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use std::sync::Arc;
use std::time::{Duration, Instant};

use mem8_guard::crypto::{AeadAlgorithm, KeyState, Keyring};
use mem8_guard::policy::{Outcome, PolicyLimits, Principal};
use mem8_guard::token::{self, Algorithm, SigningKey, Validation};
use mem8_guard_host::sandbox::{
    cache_file_name, load_component, GuestErrorKind, HostConfig, HostError, HostGuard, Limits,
    ModuleSource,
};
use serde_json::{json, Map};

const POLICY: &str = r#"{"version":1,"roles":{"viewer":{}},"rules":[{"id":"viewers-read","effect":"permit","principal":{"role":"viewer"},"action":"read","resource":"document:*"}]}"#;

fn config(limits: Limits) -> HostConfig {
    let mut config = HostConfig::default();
    config.limits = limits;
    config.max_instances = 4;
    config
}

fn hostile_host(deadline: Duration) -> HostGuard {
    let mut limits = Limits::default();
    limits.deadline = deadline;
    limits.max_memory_bytes = 16 << 20;
    HostGuard::new(&common::hostile(), config(limits)).unwrap()
}

/// The hostile module still returns correct results for well-behaved calls.
fn assert_healthy(host: &HostGuard) {
    assert_eq!(host.version().unwrap().core, "hostile");
    let policy = host.policy("ok", &PolicyLimits::default()).unwrap();
    assert_eq!(policy.rule_count().unwrap(), 7);
}

#[test]
fn hostile_loop_runs_out_of_fuel() {
    let mut limits = Limits::default();
    limits.fuel = Some(5_000_000);
    let host = HostGuard::new(&common::hostile(), config(limits)).unwrap();
    let error = host.policy("loop", &PolicyLimits::default()).unwrap_err();
    assert!(
        matches!(error, HostError::OutOfFuel { fuel: 5_000_000 }),
        "got {error:?}"
    );
    assert!(error.is_limit());
    assert_healthy(&host);
}

#[test]
fn hostile_growth_hits_memory_cap() {
    let host = hostile_host(Duration::from_secs(5));
    let started = Instant::now();
    let error = host.policy("grow", &PolicyLimits::default()).unwrap_err();
    assert!(
        matches!(error, HostError::MemoryLimit { limit } if limit == 16 << 20),
        "got {error:?}"
    );
    assert!(
        started.elapsed() < Duration::from_secs(2),
        "took {:?}",
        started.elapsed()
    );
    assert_healthy(&host);
}

#[test]
fn hostile_trap_is_typed() {
    let host = hostile_host(Duration::from_secs(1));
    let error = host.policy("trap", &PolicyLimits::default()).unwrap_err();
    assert!(matches!(error, HostError::Trap { .. }), "got {error:?}");
    assert!(error.to_string().starts_with("guest trapped"), "{error}");
    assert_healthy(&host);
}

#[test]
fn hostile_pointers_are_rejected() {
    let host = hostile_host(Duration::from_secs(1));
    for document in ["bad-pointer", "bad-length"] {
        let error = host.policy(document, &PolicyLimits::default()).unwrap_err();
        assert!(
            matches!(error, HostError::InvalidGuestValue { .. }),
            "{document}: got {error:?}"
        );
        assert_healthy(&host);
    }
}

#[test]
fn hostile_calls_leave_other_hosts_alone() {
    let hostile = hostile_host(Duration::from_millis(50));
    let real = HostGuard::new(&common::guest(), HostConfig::default()).unwrap();
    let policy = real.policy(POLICY, &PolicyLimits::default()).unwrap();
    let principal = mem8_guard::policy::Principal {
        id: String::from("vera"),
        roles: vec![String::from("viewer")],
        attributes: serde_json::Map::new(),
    };
    for document in ["loop", "grow", "trap", "bad-pointer"] {
        assert!(hostile.policy(document, &PolicyLimits::default()).is_err());
        let decision = policy
            .evaluate(&principal, "read", "document:1", &json!({}))
            .unwrap();
        assert!(decision.is_allowed(), "{document}: {decision:?}");
    }
}

#[test]
fn real_guest_memory_cap_then_recovers() {
    let mut limits = Limits::default();
    limits.max_memory_bytes = 4 << 20;
    let host = HostGuard::new(&common::guest(), config(limits)).unwrap();
    let keyring = host
        .generate_keyring(AeadAlgorithm::XChaCha20Poly1305, 1_700_000_000)
        .unwrap();
    let small = keyring.encrypt(b"before", b"").unwrap();

    let large = vec![7u8; 8 << 20];
    let error = keyring.encrypt(&large, b"").unwrap_err();
    assert!(
        matches!(error, HostError::MemoryLimit { .. }),
        "got {error:?}"
    );

    // The keyring's state survived the discarded instance: the one
    // successful message is counted and its envelope decrypts.
    assert_eq!(keyring.decrypt(&small, b"").unwrap().as_slice(), b"before");
    assert_eq!(keyring.keys().unwrap()[0].messages, 1);
}

#[test]
fn real_guest_fuel_limit_then_recovers() {
    let mut limits = Limits::default();
    limits.fuel = Some(2_000_000);
    let host = HostGuard::new(&common::guest(), config(limits)).unwrap();
    let key = SigningKey::generate(Algorithm::EdDSA, &mut rand_core::OsRng).unwrap();
    let jwks = json!({ "keys": [key.to_public_jwk().unwrap()] }).to_string();
    let verifier = host.verifier(&jwks, &Validation::default()).unwrap();
    let jwt = token::sign(
        json!({ "sub": "a", "exp": 2_000_000_000u64 })
            .as_object()
            .unwrap(),
        &key,
    )
    .unwrap();
    // An Ed25519 verification takes millions of instructions.
    let error = verifier.verify(&jwt, 1_700_000_000).unwrap_err();
    assert!(
        matches!(error, HostError::OutOfFuel { .. }),
        "got {error:?}"
    );
    assert_eq!(verifier.key_count().unwrap(), 1);
}

#[test]
fn guest_errors_keep_core_codes() {
    let host = HostGuard::new(&common::guest(), HostConfig::default()).unwrap();
    let key = SigningKey::from_jwk_json(br#"{"kty":"oct","kid":"k","alg":"HS256","k":"c2VjcmV0LXNlY3JldC1zZWNyZXQtc2VjcmV0LTEyMzQ"}"#).unwrap();
    let jwks = r#"{"keys":[{"kty":"oct","kid":"k","alg":"HS256","k":"c2VjcmV0LXNlY3JldC1zZWNyZXQtc2VjcmV0LTEyMzQ"}]}"#;
    let verifier = host.verifier(jwks, &Validation::default()).unwrap();
    let jwt = host.sign(json!({ "sub": "a", "exp": 100 }).as_object().unwrap(), r#"{"kty":"oct","kid":"k","alg":"HS256","k":"c2VjcmV0LXNlY3JldC1zZWNyZXQtc2VjcmV0LTEyMzQ"}"#).unwrap();
    assert_eq!(
        jwt,
        token::sign(json!({ "sub": "a", "exp": 100 }).as_object().unwrap(), &key).unwrap()
    );

    let error = verifier.verify(&jwt, 200).unwrap_err();
    let guest = error.guest().unwrap();
    assert_eq!(guest.kind, GuestErrorKind::Token);
    assert_eq!(guest.code, "expired");

    let error = host
        .verifier(r#"{"keys":[{"kty":"oct"}]}"#, &Validation::default())
        .unwrap_err();
    assert_eq!(error.guest().unwrap().kind, GuestErrorKind::Key);

    let error = host
        .policy(r#"{"version":3}"#, &PolicyLimits::default())
        .unwrap_err();
    assert_eq!(error.guest().unwrap().kind, GuestErrorKind::Policy);
}

#[test]
fn concurrent_calls_from_threads() {
    let host = HostGuard::new(&common::guest(), config(Limits::default())).unwrap();
    let key = SigningKey::from_jwk_json(br#"{"kty":"oct","kid":"k","alg":"HS256","k":"c2VjcmV0LXNlY3JldC1zZWNyZXQtc2VjcmV0LTEyMzQ"}"#).unwrap();
    let jwks = r#"{"keys":[{"kty":"oct","kid":"k","alg":"HS256","k":"c2VjcmV0LXNlY3JldC1zZWNyZXQtc2VjcmV0LTEyMzQ"}]}"#;
    let verifier = Arc::new(host.verifier(jwks, &Validation::default()).unwrap());
    let threads: Vec<_> = (0..8u64)
        .map(|thread| {
            let verifier = Arc::clone(&verifier);
            let jwt = token::sign(
                json!({ "sub": format!("user-{thread}"), "exp": 2_000_000_000u64 })
                    .as_object()
                    .unwrap(),
                &key,
            )
            .unwrap();
            std::thread::spawn(move || {
                for _ in 0..200 {
                    let verified = verifier.verify(&jwt, 1_700_000_000).unwrap();
                    assert_eq!(verified.claims["sub"], format!("user-{thread}"));
                }
            })
        })
        .collect();
    for thread in threads {
        thread.join().unwrap();
    }
}

/// The host sends an empty or `null` context as none and any other context
/// as text, so the core in the guest denies a context that is not an
/// object, as it does natively.
#[test]
fn evaluate_context_must_be_object() {
    let host = HostGuard::new(&common::guest(), HostConfig::default()).unwrap();
    let policy = host.policy(POLICY, &PolicyLimits::default()).unwrap();
    let native = mem8_guard::policy::Policy::from_json(POLICY.as_bytes()).unwrap();
    let principal = Principal {
        id: String::from("alice"),
        roles: vec![String::from("viewer")],
        attributes: Map::new(),
    };

    for context in [json!([]), json!("text"), json!(1), json!(true)] {
        let decision = policy
            .evaluate(&principal, "read", "document:1", &context)
            .unwrap();
        assert_eq!(decision.decision, Outcome::Deny, "{context}");
        assert_eq!(decision.errors.len(), 1, "{context}");
        assert_eq!(decision.errors[0].code, "invalid_request", "{context}");
        let expected = native.evaluate(&mem8_guard::policy::Request::new(
            &principal,
            "read",
            "document:1",
            &context,
        ));
        assert_eq!(decision, expected, "{context}");
    }

    for context in [json!(null), json!({}), json!({"channel": "web"})] {
        let allowed = policy
            .evaluate(&principal, "read", "document:1", &context)
            .unwrap();
        assert_eq!(allowed.decision, Outcome::Allow, "{context}");
    }
}

/// A context on its own gets the core's request nesting limit in the guest.
#[test]
fn evaluate_context_depth_limit() {
    let host = HostGuard::new(&common::guest(), HostConfig::default()).unwrap();
    let policy = host.policy(POLICY, &PolicyLimits::default()).unwrap();
    let principal = Principal {
        id: String::from("alice"),
        roles: vec![String::from("viewer")],
        attributes: Map::new(),
    };
    let nested = |levels: usize| {
        let mut value = json!(1);
        for _ in 0..levels {
            value = json!({ "a": value });
        }
        value
    };
    let max = mem8_guard::policy::MAX_REQUEST_DEPTH;
    let allowed = policy
        .evaluate(&principal, "read", "document:1", &nested(max))
        .unwrap();
    assert_eq!(allowed.decision, Outcome::Allow);
    let error = policy
        .evaluate(&principal, "read", "document:1", &nested(max + 1))
        .unwrap_err();
    let HostError::Guest(error) = error else {
        panic!("got {error:?}");
    };
    assert_eq!(error.kind, GuestErrorKind::InvalidArgument);
    assert!(
        error.message.contains("nested deeper than the limit of 64"),
        "{}",
        error.message
    );
}

#[test]
fn module_cache_round_trip() {
    let dir = tempfile::tempdir().unwrap();
    let cache = dir.path().join("modules");
    let module = common::guest();
    let mut config = HostConfig::default();
    config.cache_dir = Some(cache.clone());

    let first = HostGuard::new(&module, config.clone()).unwrap();
    assert_eq!(first.module_source(), ModuleSource::CompiledAndCached);
    let second = HostGuard::new(&module, config.clone()).unwrap();
    assert_eq!(second.module_source(), ModuleSource::Cached);
    assert_eq!(second.version().unwrap().world, "0.1.0");

    // A damaged file is compiled again and replaced.
    let files: Vec<_> = std::fs::read_dir(&cache)
        .unwrap()
        .map(|entry| entry.unwrap().path())
        .collect();
    assert_eq!(files.len(), 1);
    std::fs::write(&files[0], b"not a module").unwrap();
    // The module loaded from the file does not depend on it: on Linux
    // wasmtime maps a sealed copy, elsewhere it has the bytes in memory.
    // A mapping of the truncated file itself would fault with SIGBUS here.
    assert_eq!(second.version().unwrap().world, "0.1.0");
    let third = HostGuard::new(&module, config.clone()).unwrap();
    assert_eq!(third.module_source(), ModuleSource::CompiledAndCached);
    assert_eq!(
        HostGuard::new(&module, config).unwrap().module_source(),
        ModuleSource::Cached
    );
}

/// A FIFO where the cache file belongs would block a plain read until a
/// writer came. The host compiles the module and replaces the FIFO instead.
#[cfg(unix)]
#[test]
fn module_cache_replaces_fifo() {
    let dir = tempfile::tempdir().unwrap();
    let module = common::guest();
    let engine = wasmtime::Engine::new(wasmtime::Config::new().epoch_interruption(true)).unwrap();
    let path = dir.path().join(cache_file_name(&engine, &module));
    let status = std::process::Command::new("mkfifo")
        .arg(&path)
        .status()
        .unwrap();
    assert!(status.success());

    let (sender, receiver) = std::sync::mpsc::channel();
    let cache = dir.path().to_path_buf();
    std::thread::spawn(move || {
        let _ =
            sender.send(load_component(&engine, &module, Some(&cache)).map(|(_, source)| source));
    });
    let source = receiver
        .recv_timeout(Duration::from_secs(60))
        .expect("the load blocked on the FIFO")
        .unwrap();
    assert_eq!(source, ModuleSource::CompiledAndCached);
    assert!(std::fs::symlink_metadata(&path)
        .unwrap()
        .file_type()
        .is_file());
}

/// A folder at the cache file's path cannot be replaced by a file. The
/// module compiled, so the load succeeds without writing the cache.
#[test]
fn module_cache_write_failure_still_loads() {
    let dir = tempfile::tempdir().unwrap();
    let module = common::guest();
    let engine = wasmtime::Engine::new(wasmtime::Config::new().epoch_interruption(true)).unwrap();
    let path = dir.path().join(cache_file_name(&engine, &module));
    std::fs::create_dir(&path).unwrap();

    let (_, source) = load_component(&engine, &module, Some(dir.path())).unwrap();
    assert_eq!(source, ModuleSource::CompiledNotCached);
    assert!(std::fs::symlink_metadata(&path).unwrap().is_dir());
}

#[cfg(unix)]
#[test]
fn module_cache_rejects_shared_folder() {
    use std::os::unix::fs::PermissionsExt;
    let dir = tempfile::tempdir().unwrap();
    std::fs::set_permissions(dir.path(), std::fs::Permissions::from_mode(0o777)).unwrap();
    let mut config = HostConfig::default();
    config.cache_dir = Some(dir.path().to_path_buf());
    let error = HostGuard::new(&common::guest(), config).unwrap_err();
    assert!(matches!(error, HostError::Load { .. }), "got {error:?}");
    assert!(
        error.to_string().contains("writable by group or others"),
        "{error}"
    );
}

/// Runs only as root, which can give the folder to another user. The unit
/// tests in `cache.rs` check the same rule without root.
#[cfg(unix)]
#[test]
fn module_cache_rejects_folder_of_other_user() {
    use std::os::unix::fs::PermissionsExt;
    let dir = tempfile::tempdir().unwrap();
    let cache = dir.path().join("modules");
    std::fs::create_dir(&cache).unwrap();
    std::fs::set_permissions(&cache, std::fs::Permissions::from_mode(0o700)).unwrap();
    // 65534 is `nobody` on Linux.
    match std::os::unix::fs::chown(&cache, Some(65_534), None) {
        Ok(()) => {}
        Err(error) if error.kind() == std::io::ErrorKind::PermissionDenied => {
            eprintln!("skipped: chown needs root ({error})");
            return;
        }
        Err(error) => panic!("chown failed: {error}"),
    }
    let mut config = HostConfig::default();
    config.cache_dir = Some(cache);
    let error = HostGuard::new(&common::guest(), config).unwrap_err();
    assert!(matches!(error, HostError::Load { .. }), "got {error:?}");
    assert!(
        error.to_string().contains("is owned by uid `65534`"),
        "{error}"
    );
}

#[test]
fn keyring_matches_native_operations() {
    let host = HostGuard::new(&common::guest(), HostConfig::default()).unwrap();
    let keyring = host
        .generate_keyring(AeadAlgorithm::XChaCha20Poly1305, 1_000)
        .unwrap();
    let envelope = keyring.encrypt_to_text(b"secret", b"aad").unwrap();
    let new_id = keyring
        .rotate(AeadAlgorithm::ChaCha20Poly1305, 2_000)
        .unwrap();

    // The host's document loads natively and decrypts what the host wrote.
    let native = Keyring::from_json(keyring.to_json().unwrap().as_bytes()).unwrap();
    assert_eq!(
        native.decrypt_text(&envelope, b"aad").unwrap().as_bytes(),
        b"secret"
    );
    assert_eq!(native.primary().id, new_id);

    let keys = keyring.keys().unwrap();
    assert_eq!(keys.len(), 2);
    let old = keys.iter().find(|key| key.id != new_id).unwrap();
    let new = keys.iter().find(|key| key.id == new_id).unwrap();
    assert_eq!(old.state, KeyState::Enabled);
    assert_eq!(old.messages, 1);
    assert_eq!(new.state, KeyState::Primary);
    assert_eq!(new.algorithm, AeadAlgorithm::ChaCha20Poly1305);
    let old_id = old.id;
    keyring.disable(old_id).unwrap();
    let error = keyring.decrypt_text(&envelope, b"aad").unwrap_err();
    assert_eq!(error.guest().unwrap().kind, GuestErrorKind::Crypto);
    assert_eq!(
        keyring.derive_key(new_id, b"context").unwrap().as_slice(),
        native.derive_key(new_id, b"context").unwrap().as_bytes()
    );

    let kek = [9u8; 32];
    let sealed = keyring.seal(&kek).unwrap();
    let reopened = host.open_keyring(&sealed, &kek).unwrap();
    assert_eq!(reopened.keys().unwrap(), keyring.keys().unwrap());
    let error = host.open_keyring(&sealed, &[8u8; 32]).unwrap_err();
    assert_eq!(error.guest().unwrap().code, "wrong_kek");
}
