//! Signed bundles: signature and digest checks, rollback protection, and
//! a rejected bundle leaving the loaded one in place.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use std::path::Path;

use mem8_guard::policy::Principal;
use mem8_guard::token::{Algorithm, KeyError, SigningKey};
use mem8_guard_host::bundle::{self, BundleError, BundleHost, BundleSigner, TrustedKeys};
use mem8_guard_host::sandbox::HostConfig;
use serde_json::{json, Map};

const ALLOW_ALL: &str =
    r#"{"version":1,"rules":[{"id":"all","effect":"permit","action":"*","resource":"*"}]}"#;
const DENY_ALL: &str = r#"{"version":1,"rules":[]}"#;

struct Signer {
    signer: BundleSigner,
    trusted: TrustedKeys,
}

fn signer(kid: &str) -> Signer {
    let mut key = SigningKey::generate(Algorithm::EdDSA, &mut rand_core::OsRng).unwrap();
    key.set_kid(Some(String::from(kid)));
    let signer = BundleSigner::from_jwk_json(key.to_private_jwk_json().as_str()).unwrap();
    let public = json!({ "keys": [key.to_public_jwk().unwrap()] }).to_string();
    Signer {
        signer,
        trusted: TrustedKeys::from_json(&public).unwrap(),
    }
}

fn write(dir: &Path, policy: &str, version: u64, signer: &BundleSigner) {
    bundle::write_bundle(
        dir,
        &common::guest(),
        policy,
        version,
        1_700_000_000,
        signer,
    )
    .unwrap();
}

fn allowed(host: &BundleHost) -> bool {
    let loaded = host.current().unwrap();
    let principal = Principal {
        id: String::from("p"),
        roles: Vec::new(),
        attributes: Map::new(),
    };
    loaded
        .policy
        .evaluate(&principal, "read", "x", &json!({}))
        .unwrap()
        .is_allowed()
}

#[test]
fn signed_bundle_verifies() {
    let dir = tempfile::tempdir().unwrap();
    let key = signer("release");
    write(dir.path(), ALLOW_ALL, 3, &key.signer);
    let bundle = bundle::read_bundle(dir.path(), &key.trusted).unwrap();
    assert_eq!(bundle.manifest.version, 3);
    assert_eq!(bundle.policy, ALLOW_ALL);
    assert_eq!(bundle.module, common::guest());
}

#[test]
fn tampered_files_are_rejected() {
    let key = signer("release");
    for file in [
        "module.wasm",
        "policy.json",
        "manifest.json",
        "manifest.sig",
    ] {
        let dir = tempfile::tempdir().unwrap();
        write(dir.path(), ALLOW_ALL, 1, &key.signer);
        let path = dir.path().join(file);
        let mut bytes = std::fs::read(&path).unwrap();
        let middle = bytes.len() / 2;
        bytes[middle] ^= 1;
        std::fs::write(&path, bytes).unwrap();
        let error = bundle::read_bundle(dir.path(), &key.trusted).unwrap_err();
        assert!(
            matches!(
                error,
                BundleError::DigestMismatch { .. }
                    | BundleError::BadSignature { .. }
                    | BundleError::Invalid { .. }
            ),
            "{file}: {error:?}"
        );
    }
}

#[test]
fn private_trusted_key_rejected() {
    let mut key = SigningKey::generate(Algorithm::EdDSA, &mut rand_core::OsRng).unwrap();
    key.set_kid(Some(String::from("release")));
    let private = key.to_private_jwk_json();
    let d = serde_json::from_str::<serde_json::Value>(private.as_str()).unwrap()["d"]
        .as_str()
        .unwrap()
        .to_owned();
    let public = key.to_public_jwk().unwrap();
    let set = format!(
        r#"{{"keys":[{},{}]}}"#,
        serde_json::Value::Object(public),
        private.as_str()
    );

    let error = TrustedKeys::from_json(&set).unwrap_err();
    let BundleError::PrivateKey(key_error) = &error else {
        panic!("expected a private key error, got {error:?}");
    };
    assert_eq!(
        *key_error,
        KeyError::PrivateKey {
            index: 1,
            kid: Some(String::from("release")),
            member: "d",
        }
    );
    let message = error.to_string();
    assert!(message.contains("private member `d`"), "{message}");
    assert!(!message.contains(&d), "{message}");
}

#[test]
fn untrusted_signer_is_rejected() {
    let dir = tempfile::tempdir().unwrap();
    let release = signer("release");
    let attacker = signer("release");
    write(dir.path(), ALLOW_ALL, 1, &attacker.signer);
    let error = bundle::read_bundle(dir.path(), &release.trusted).unwrap_err();
    assert!(
        matches!(error, BundleError::BadSignature { ref kid } if kid == "release"),
        "{error:?}"
    );
}

#[test]
fn rollback_keeps_loaded_bundle() {
    let key = signer("release");
    let host = BundleHost::new(key.trusted.clone(), HostConfig::default());
    let v2 = tempfile::tempdir().unwrap();
    write(v2.path(), ALLOW_ALL, 2, &key.signer);
    assert_eq!(host.load(v2.path()).unwrap().manifest.version, 2);
    assert!(allowed(&host));

    // Lower version: rejected, v2 stays.
    let v1 = tempfile::tempdir().unwrap();
    write(v1.path(), DENY_ALL, 1, &key.signer);
    let error = host.load(v1.path()).unwrap_err();
    assert!(
        matches!(
            error,
            BundleError::Rollback {
                found: 1,
                loaded: 2
            }
        ),
        "{error:?}"
    );
    assert_eq!(host.current().unwrap().manifest.version, 2);
    assert!(allowed(&host));

    // Same version with other contents: rejected.
    let other = tempfile::tempdir().unwrap();
    write(other.path(), DENY_ALL, 2, &key.signer);
    let error = host.load(other.path()).unwrap_err();
    assert!(
        matches!(error, BundleError::VersionReused { version: 2 }),
        "{error:?}"
    );
    assert!(allowed(&host));

    // The same bundle again is a no-op.
    assert_eq!(host.load(v2.path()).unwrap().manifest.version, 2);

    // A higher version replaces it.
    let v3 = tempfile::tempdir().unwrap();
    write(v3.path(), DENY_ALL, 3, &key.signer);
    assert_eq!(host.load(v3.path()).unwrap().manifest.version, 3);
    assert!(!allowed(&host));
}

#[test]
fn invalid_policy_keeps_loaded_bundle() {
    let key = signer("release");
    let host = BundleHost::new(key.trusted.clone(), HostConfig::default());
    let good = tempfile::tempdir().unwrap();
    write(good.path(), ALLOW_ALL, 1, &key.signer);
    host.load(good.path()).unwrap();

    let bad = tempfile::tempdir().unwrap();
    write(
        bad.path(),
        r#"{"version":1,"rules":[{"id":"x"}]}"#,
        2,
        &key.signer,
    );
    let error = host.load(bad.path()).unwrap_err();
    assert!(matches!(error, BundleError::Host(_)), "{error:?}");

    let garbage = tempfile::tempdir().unwrap();
    bundle::write_bundle(
        garbage.path(),
        b"\0asm not really",
        ALLOW_ALL,
        3,
        0,
        &key.signer,
    )
    .unwrap();
    let error = host.load(garbage.path()).unwrap_err();
    assert!(matches!(error, BundleError::Host(_)), "{error:?}");

    assert_eq!(host.current().unwrap().manifest.version, 1);
    assert!(allowed(&host));
}

#[test]
fn signer_rejects_other_keys() {
    let key = SigningKey::generate(Algorithm::ES256, &mut rand_core::OsRng).unwrap();
    let error = BundleSigner::from_jwk_json(key.to_private_jwk_json().as_str()).unwrap_err();
    assert!(matches!(error, BundleError::InvalidKey { .. }), "{error:?}");
    let public = key.to_public_jwk().unwrap();
    let error = TrustedKeys::from_json(&serde_json::Value::Object(public).to_string()).unwrap_err();
    assert!(matches!(error, BundleError::InvalidKey { .. }), "{error:?}");
}

#[test]
fn min_version_rejects_an_older_first_bundle() {
    let key = signer("release");
    let host = BundleHost::new(key.trusted.clone(), HostConfig::default()).with_min_version(3);
    let v2 = tempfile::tempdir().unwrap();
    write(v2.path(), ALLOW_ALL, 2, &key.signer);
    let error = host.load(v2.path()).unwrap_err();
    assert!(
        matches!(error, BundleError::BelowMinimum { found: 2, min: 3 }),
        "{error:?}"
    );
    assert!(host.current().is_none());

    let v3 = tempfile::tempdir().unwrap();
    write(v3.path(), DENY_ALL, 3, &key.signer);
    assert_eq!(host.load(v3.path()).unwrap().manifest.version, 3);
    assert!(!allowed(&host));
}

/// Replaces `name` in `dir` by a symbolic link to `target`.
#[cfg(unix)]
fn link(dir: &Path, name: &str, target: &Path) {
    let path = dir.join(name);
    let _ = std::fs::remove_file(&path);
    std::os::unix::fs::symlink(target, path).unwrap();
}

#[cfg(unix)]
#[test]
fn devices_and_fifos_are_not_read() {
    let key = signer("release");
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), ALLOW_ALL, 1, &key.signer);

    // `/dev/zero` never ends and reports a length of 0.
    link(dir.path(), "module.wasm", Path::new("/dev/zero"));
    let error = bundle::read_bundle(dir.path(), &key.trusted).unwrap_err();
    assert!(matches!(error, BundleError::Io { .. }), "{error:?}");
    assert!(error.to_string().contains("not a regular file"), "{error}");

    // Opening a FIFO would wait for a writer.
    let fifo = dir.path().join("fifo");
    let made = std::process::Command::new("mkfifo")
        .arg(&fifo)
        .status()
        .unwrap();
    assert!(made.success());
    link(dir.path(), "manifest.json", &fifo);
    let error = bundle::read_bundle(dir.path(), &key.trusted).unwrap_err();
    assert!(error.to_string().contains("not a regular file"), "{error}");
}

#[cfg(unix)]
#[test]
fn signing_replaces_links_instead_of_writing_through_them() {
    let key = signer("release");
    let dir = tempfile::tempdir().unwrap();
    let victim = dir.path().join("victim.txt");
    std::fs::write(&victim, "keep").unwrap();
    let out = dir.path().join("bundle");
    std::fs::create_dir(&out).unwrap();
    link(&out, "policy.json", &victim);

    write(&out, ALLOW_ALL, 1, &key.signer);
    assert_eq!(std::fs::read_to_string(&victim).unwrap(), "keep");
    let policy = std::fs::symlink_metadata(out.join("policy.json")).unwrap();
    assert!(policy.file_type().is_file());
    assert_eq!(
        bundle::read_bundle(&out, &key.trusted).unwrap().policy,
        ALLOW_ALL
    );
}

#[test]
fn keys_for_other_algorithms_or_uses_are_rejected() {
    let mut key = SigningKey::generate(Algorithm::EdDSA, &mut rand_core::OsRng).unwrap();
    key.set_kid(Some(String::from("release")));
    let public = key.to_public_jwk().unwrap();
    let with = |member: &str, value: serde_json::Value| {
        let mut jwk = public.clone();
        jwk.insert(String::from(member), value);
        serde_json::Value::Object(jwk).to_string()
    };

    for (member, value, message) in [
        ("alg", json!("ES256"), "`alg` is `ES256`"),
        ("alg", json!("x".repeat(43)), "`alg` is a long string"),
        ("use", json!("enc"), "`use` is `enc`, not `sig`"),
        (
            "key_ops",
            json!(["sign"]),
            "`key_ops` does not include `verify`",
        ),
        (
            "key_ops",
            json!("verify"),
            "`key_ops` does not include `verify`",
        ),
    ] {
        let error = TrustedKeys::from_json(&with(member, value)).unwrap_err();
        assert!(matches!(error, BundleError::InvalidKey { .. }), "{error:?}");
        assert!(error.to_string().contains(message), "{error}");
    }
    for (member, value) in [
        ("alg", json!("EdDSA")),
        ("use", json!("sig")),
        ("key_ops", json!(["verify"])),
    ] {
        assert_eq!(
            TrustedKeys::from_json(&with(member, value)).unwrap().len(),
            1
        );
    }

    // The signer's key file needs `sign` where it lists operations.
    let mut private: serde_json::Value =
        serde_json::from_str(key.to_private_jwk_json().as_str()).unwrap();
    private["key_ops"] = json!(["verify"]);
    let error = BundleSigner::from_jwk_json(&private.to_string()).unwrap_err();
    assert!(
        error.to_string().contains("does not include `sign`"),
        "{error}"
    );
}
