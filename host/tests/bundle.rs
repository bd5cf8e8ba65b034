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

/// Writes a bundle of any `module` and `policy`, signed with the private
/// JWK `private_jwk`, without the checks of `write_bundle`: a bundle that an
/// older or foreign signer could have made, for the host's own checks.
fn write_unchecked(dir: &Path, module: &[u8], policy: &str, version: u64, private_jwk: &str) {
    use base64::engine::general_purpose::URL_SAFE_NO_PAD;
    use base64::Engine as _;
    use ed25519_dalek::Signer as _;
    use sha2::{Digest, Sha256};

    let hex = |bytes: &[u8]| -> String { bytes.iter().map(|byte| format!("{byte:02x}")).collect() };
    let jwk: serde_json::Value = serde_json::from_str(private_jwk).unwrap();
    let d: [u8; 32] = URL_SAFE_NO_PAD
        .decode(jwk["d"].as_str().unwrap())
        .unwrap()
        .try_into()
        .unwrap();
    let key = ed25519_dalek::SigningKey::from_bytes(&d);
    let manifest = json!({
        "format": 1,
        "version": version,
        "created": 0,
        "module_sha256": hex(&Sha256::digest(module)),
        "policy_sha256": hex(&Sha256::digest(policy.as_bytes())),
    })
    .to_string();
    let mut message = bundle::SIGNATURE_CONTEXT.to_vec();
    message.extend_from_slice(manifest.as_bytes());
    let signature = json!({
        "kid": jwk["kid"],
        "signature": URL_SAFE_NO_PAD.encode(key.sign(&message).to_bytes()),
    });
    std::fs::create_dir_all(dir).unwrap();
    std::fs::write(dir.join("module.wasm"), module).unwrap();
    std::fs::write(dir.join("policy.json"), policy).unwrap();
    std::fs::write(dir.join("manifest.json"), manifest).unwrap();
    std::fs::write(dir.join("manifest.sig"), signature.to_string()).unwrap();
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
fn unsigned_names_escaped_and_cut() {
    let dir = tempfile::tempdir().unwrap();
    let release = signer("release");
    write(dir.path(), ALLOW_ALL, 1, &release.signer);
    let path = dir.path().join("manifest.sig");
    let original: serde_json::Value =
        serde_json::from_slice(&std::fs::read(&path).unwrap()).unwrap();

    // A key id that would move the cursor and add a line, and that runs
    // on for 100,000 characters.
    let kid = format!("rel\u{1b}[31mRED\nFAKE{}", "x".repeat(100_000));
    let file = json!({ "kid": kid, "signature": original["signature"] });
    std::fs::write(&path, file.to_string()).unwrap();
    let message = bundle::read_bundle(dir.path(), &release.trusted)
        .unwrap_err()
        .to_string();
    assert!(message.contains(r"rel\u{1b}[31mRED\u{a}FAKE"), "{message}");
    assert!(message.contains("xxx...`"), "{message}");
    assert!(message.len() < 300, "{} characters", message.len());

    let mut file = original.as_object().unwrap().clone();
    file.insert(String::from("\u{1b}[2JPWNED"), json!(1));
    std::fs::write(&path, serde_json::Value::Object(file).to_string()).unwrap();
    let message = bundle::read_bundle(dir.path(), &release.trusted)
        .unwrap_err()
        .to_string();
    assert!(
        message.contains(r"unknown field `\u{1b}[2JPWNED`"),
        "{message}"
    );
    assert!(!message.contains('\u{1b}'), "{message}");
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
    let mut key = SigningKey::generate(Algorithm::EdDSA, &mut rand_core::OsRng).unwrap();
    key.set_kid(Some(String::from("release")));
    let private = key.to_private_jwk_json();
    let signer = BundleSigner::from_jwk_json(private.as_str()).unwrap();
    let public = json!({ "keys": [key.to_public_jwk().unwrap()] }).to_string();
    let trusted = TrustedKeys::from_json(&public).unwrap();
    let host = BundleHost::new(trusted, HostConfig::default());
    let good = tempfile::tempdir().unwrap();
    write(good.path(), ALLOW_ALL, 1, &signer);
    host.load(good.path()).unwrap();

    let bad = tempfile::tempdir().unwrap();
    write_unchecked(
        bad.path(),
        &common::guest(),
        r#"{"version":1,"rules":[{"id":"x"}]}"#,
        2,
        private.as_str(),
    );
    let error = host.load(bad.path()).unwrap_err();
    assert!(matches!(error, BundleError::Host(_)), "{error:?}");

    let garbage = tempfile::tempdir().unwrap();
    write_unchecked(
        garbage.path(),
        b"\0asm not really",
        ALLOW_ALL,
        3,
        private.as_str(),
    );
    let error = host.load(garbage.path()).unwrap_err();
    assert!(matches!(error, BundleError::Host(_)), "{error:?}");

    assert_eq!(host.current().unwrap().manifest.version, 1);
    assert!(allowed(&host));
}

#[test]
fn modules_that_are_not_components_get_one_line() {
    let mut key = SigningKey::generate(Algorithm::EdDSA, &mut rand_core::OsRng).unwrap();
    key.set_kid(Some(String::from("release")));
    let private = key.to_private_jwk_json();
    let public = json!({ "keys": [key.to_public_jwk().unwrap()] }).to_string();
    let host = BundleHost::new(
        TrustedKeys::from_json(&public).unwrap(),
        HostConfig::default(),
    );
    let core_module = b"\0asm\x01\0\0\0";
    for (name, module, expected) in [
        ("empty", &b""[..], "the module is empty"),
        (
            "text",
            &b"not wasm at all"[..],
            "the module is not WebAssembly",
        ),
        (
            "core",
            &core_module[..],
            "core WebAssembly module, not a component",
        ),
        (
            "bad section",
            &b"\0asm\x0d\0\x01\0\xff\xff"[..],
            "failed to compile the module",
        ),
    ] {
        let dir = tempfile::tempdir().unwrap();
        write_unchecked(dir.path(), module, ALLOW_ALL, 1, private.as_str());
        let error = host.load(dir.path()).unwrap_err();
        let message = error.to_string();
        assert!(message.contains(expected), "{name}: {message}");
        assert!(!message.contains('\n'), "{name}: {message}");
    }
}

#[test]
fn signing_checks_module_and_policy() {
    let key = signer("release");
    let dir = tempfile::tempdir().unwrap();
    for module in [&b""[..], &b"junk"[..], &b"\0asm\x01\0\0\0"[..]] {
        let error =
            bundle::write_bundle(dir.path(), module, ALLOW_ALL, 1, 0, &key.signer).unwrap_err();
        assert!(
            matches!(error, BundleError::InvalidModule { .. }),
            "{error:?}"
        );
    }
    for policy in [
        "version 2;",
        r#"{"version":1,"rules":[{"id":"x"}]}"#,
        r#"{"version":1,"rules":[],"rules":[]}"#,
    ] {
        let error = bundle::write_bundle(dir.path(), &common::guest(), policy, 1, 0, &key.signer)
            .unwrap_err();
        assert!(
            matches!(error, BundleError::InvalidPolicy(_)),
            "{policy}: {error:?}"
        );
    }
    // Nothing was written.
    assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 0);
}

#[test]
fn signer_key_must_match_its_public_part() {
    let key = SigningKey::generate(Algorithm::EdDSA, &mut rand_core::OsRng).unwrap();
    let other = SigningKey::generate(Algorithm::EdDSA, &mut rand_core::OsRng).unwrap();
    let mut jwk: serde_json::Value =
        serde_json::from_str(key.to_private_jwk_json().as_str()).unwrap();
    let d = jwk["d"].as_str().unwrap().to_owned();
    jwk["x"] = other.to_public_jwk().unwrap()["x"].clone();
    let error = BundleSigner::from_jwk_json(&jwk.to_string()).unwrap_err();
    assert!(matches!(error, BundleError::InvalidKey { .. }), "{error:?}");
    let message = error.to_string();
    assert!(
        message.contains("member `d` does not match the public key `x`"),
        "{message}"
    );
    assert!(!message.contains(&d), "{message}");

    jwk.as_object_mut().unwrap().remove("x");
    let error = BundleSigner::from_jwk_json(&jwk.to_string()).unwrap_err();
    assert!(error.to_string().contains("no public part `x`"), "{error}");
}

#[test]
fn key_files_with_repeated_members_rejected() {
    let key = SigningKey::generate(Algorithm::EdDSA, &mut rand_core::OsRng).unwrap();
    let other = SigningKey::generate(Algorithm::EdDSA, &mut rand_core::OsRng).unwrap();
    let public = serde_json::Value::Object(key.to_public_jwk().unwrap()).to_string();
    let other_x = other.to_public_jwk().unwrap()["x"].clone();
    // A person reading the file takes the first `x`; a lax parser uses the last.
    let repeated = format!(r#"{},"x":{other_x}}}"#, public.trim_end_matches('}'));
    let error = TrustedKeys::from_json(&repeated).unwrap_err();
    assert!(matches!(error, BundleError::InvalidKey { .. }), "{error:?}");
    assert!(
        error.to_string().contains("duplicate member name `x`"),
        "{error}"
    );

    let private = key.to_private_jwk_json();
    let repeated = format!(r#"{},"kid":"b"}}"#, private.trim_end_matches('}'));
    let repeated = repeated.replacen('{', r#"{"kid":"a","#, 1);
    let error = BundleSigner::from_jwk_json(&repeated).unwrap_err();
    assert!(
        error.to_string().contains("duplicate member name `kid`"),
        "{error}"
    );
}

#[test]
fn private_key_reported_before_its_use() {
    let key = SigningKey::generate(Algorithm::EdDSA, &mut rand_core::OsRng).unwrap();
    let mut private: serde_json::Value =
        serde_json::from_str(key.to_private_jwk_json().as_str()).unwrap();
    private["use"] = json!("enc");
    let error = TrustedKeys::from_json(&private.to_string()).unwrap_err();
    assert!(matches!(error, BundleError::PrivateKey(_)), "{error:?}");

    // A private key of another type is a private key too, not a wrong type.
    let ec = SigningKey::generate(Algorithm::ES256, &mut rand_core::OsRng).unwrap();
    let error = TrustedKeys::from_json(ec.to_private_jwk_json().as_str()).unwrap_err();
    assert!(matches!(error, BundleError::PrivateKey(_)), "{error:?}");
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
    assert!(
        matches!(error, BundleError::NotRegularFile { .. }),
        "{error:?}"
    );
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
