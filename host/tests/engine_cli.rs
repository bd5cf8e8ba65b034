//! Runs the real `mem8-guard` binary with `--engine wasm` and the `bundle`
//! commands on the example files and on bundles it writes itself.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use serde_json::Value;

/// 2026-12-04, after the example tokens' `iat` and before their `exp`.
const NOW: &str = "1796371200";

fn example(name: &str) -> String {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../examples")
        .join(name)
        .to_str()
        .unwrap()
        .to_owned()
}

fn guest() -> String {
    common::guest_path().to_str().unwrap().to_owned()
}

fn run(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_mem8-guard"))
        .args(args)
        .env_remove("MEM8_GUARD_MODULE")
        .output()
        .unwrap()
}

/// Runs `check` on an example token for `action` on `document:42`, with
/// the engine options `engine`.
fn check(engine: &[&str], token: &str, action: &str) -> Output {
    let config = example("guard.json");
    let token_path = example(&format!("tokens/{token}.jwt"));
    let mut args = vec![
        "check",
        "--config",
        &config,
        "--token-file",
        &token_path,
        "--action",
        action,
        "--resource",
        "document:42",
        "--now",
        NOW,
    ];
    args.extend_from_slice(engine);
    run(&args)
}

#[test]
fn wasm_check_matches_native() {
    let module = guest();
    let wasm = ["--engine", "wasm", "--module", module.as_str()];
    let cases = [
        ("alice-editor", "write"),
        ("bob-viewer", "read"),
        ("bob-viewer", "write"),
        ("carol-admin", "delete"),
        ("dave-expired", "read"),
    ];
    for (token, action) in cases {
        let native = check(&[], token, action);
        let hosted = check(&wasm, token, action);
        assert_eq!(
            native.status.code(),
            hosted.status.code(),
            "{token} {action}: {hosted:?}"
        );
        assert_eq!(native.stdout, hosted.stdout, "{token} {action}");
        assert!(matches!(hosted.status.code(), Some(0 | 1)), "{hosted:?}");
    }
}

#[test]
fn wasm_token_verify_matches_native() {
    let module = guest();
    for token in ["alice-editor", "dave-expired"] {
        let path = example(&format!("tokens/{token}.jwt"));
        let base = [
            "token",
            "verify",
            "--jwks",
            &example("jwks.json"),
            "--now",
            NOW,
            "--token-file",
            &path,
        ];
        let native = run(&base);
        let mut args = base.to_vec();
        args.extend_from_slice(&["--engine", "wasm", "--module", &module]);
        let hosted = run(&args);
        assert_eq!(
            native.status.code(),
            hosted.status.code(),
            "{token}: {hosted:?}"
        );
        assert_eq!(native.stdout, hosted.stdout, "{token}");
        assert_eq!(native.stderr, hosted.stderr, "{token}");
    }
}

#[test]
fn wasm_engine_needs_module() {
    let output = check(&["--engine", "wasm"], "alice-editor", "write");
    assert_eq!(output.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("--module"), "{stderr}");
}

#[test]
fn module_cache_is_written_and_reused() {
    let dir = tempfile::tempdir().unwrap();
    let cache = dir.path().join("cache");
    let module = guest();
    let engine = [
        "--engine",
        "wasm",
        "--module",
        module.as_str(),
        "--module-cache",
        cache.to_str().unwrap(),
    ];
    for _ in 0..2 {
        let output = check(&engine, "alice-editor", "write");
        assert_eq!(output.status.code(), Some(0), "{output:?}");
    }
    assert_eq!(std::fs::read_dir(&cache).unwrap().count(), 1);
}

/// Writes an Ed25519 key pair with `keygen` and returns (private, public) paths.
fn keypair(dir: &Path, name: &str) -> (PathBuf, PathBuf) {
    let output = run(&["keygen", "--alg", "EdDSA", "--public", "--kid", name]);
    assert_eq!(output.status.code(), Some(0), "{output:?}");
    let text = String::from_utf8(output.stdout).unwrap();
    let mut lines = text.lines();
    let private = dir.join(format!("{name}.jwk"));
    let public = dir.join(format!("{name}.pub.jwk"));
    std::fs::write(&private, lines.next().unwrap()).unwrap();
    std::fs::write(&public, lines.next().unwrap()).unwrap();
    (private, public)
}

fn sign(dir: &Path, key: &Path, policy: &str, version: &str) -> PathBuf {
    let policy_path = dir.join(format!("policy-{version}.json"));
    std::fs::write(&policy_path, policy).unwrap();
    let out = dir.join(format!("bundle-{version}"));
    let output = run(&[
        "bundle",
        "sign",
        "--module",
        &guest(),
        "--policy",
        policy_path.to_str().unwrap(),
        "--bundle-version",
        version,
        "--key",
        key.to_str().unwrap(),
        "--out",
        out.to_str().unwrap(),
        "--now",
        NOW,
    ]);
    assert_eq!(output.status.code(), Some(0), "{output:?}");
    let manifest: Value = serde_json::from_slice(&output.stdout).unwrap();
    assert_eq!(manifest["version"].as_u64(), version.parse().ok());
    out
}

#[test]
fn bundle_sign_verify_and_tamper() {
    let dir = tempfile::tempdir().unwrap();
    let (private, public) = keypair(dir.path(), "release");
    let (_, other_public) = keypair(dir.path(), "other");
    let bundle = sign(dir.path(), &private, r#"{"version":1,"rules":[]}"#, "4");
    let verify = |trusted: &Path, extra: &[&str]| {
        let mut args = vec![
            "bundle",
            "verify",
            bundle.to_str().unwrap(),
            "--trusted-keys",
            trusted.to_str().unwrap(),
        ];
        args.extend_from_slice(extra);
        run(&args)
    };

    let output = verify(&public, &[]);
    assert_eq!(output.status.code(), Some(0), "{output:?}");
    let manifest: Value = serde_json::from_slice(&output.stdout).unwrap();
    assert_eq!(manifest["version"], 4);

    let output = verify(&public, &["--min-version", "5"]);
    assert_eq!(output.status.code(), Some(1), "{output:?}");

    let output = verify(&other_public, &[]);
    assert_eq!(output.status.code(), Some(1), "{output:?}");
    assert!(
        String::from_utf8_lossy(&output.stderr).contains("does not verify"),
        "{output:?}"
    );

    std::fs::write(
        bundle.join("policy.json"),
        r#"{"version":1,"rules":[{"id":"all","effect":"permit","action":"*","resource":"*"}]}"#,
    )
    .unwrap();
    let output = verify(&public, &[]);
    assert_eq!(output.status.code(), Some(1), "{output:?}");
    assert!(
        String::from_utf8_lossy(&output.stderr).contains("policy.json"),
        "{output:?}"
    );
}

#[test]
fn bundle_verify_rejects_private_trusted_key() {
    let dir = tempfile::tempdir().unwrap();
    let (private, _) = keypair(dir.path(), "release");
    let d = serde_json::from_slice::<Value>(&std::fs::read(&private).unwrap()).unwrap()["d"]
        .as_str()
        .unwrap()
        .to_owned();
    // The trusted keys are read before the bundle, so no bundle is needed.
    let output = run(&[
        "bundle",
        "verify",
        dir.path().join("no-bundle").to_str().unwrap(),
        "--trusted-keys",
        private.to_str().unwrap(),
    ]);
    assert_eq!(output.status.code(), Some(2), "{output:?}");
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        stderr.contains("key at index 0 (kid `release`) contains the private member `d`"),
        "{stderr}"
    );
    assert!(!stderr.contains(&d), "{stderr}");
}

#[test]
fn check_runs_bundle_policy() {
    let dir = tempfile::tempdir().unwrap();
    let (private, public) = keypair(dir.path(), "release");
    // The configuration's policy lets alice write; the bundle's denies all.
    let bundle = sign(dir.path(), &private, r#"{"version":1,"rules":[]}"#, "1");
    let engine = [
        "--engine",
        "wasm",
        "--bundle",
        bundle.to_str().unwrap(),
        "--trusted-keys",
        public.to_str().unwrap(),
    ];
    let output = check(&engine, "alice-editor", "write");
    assert_eq!(output.status.code(), Some(1), "{output:?}");
    assert_eq!(
        String::from_utf8_lossy(&output.stdout).trim(),
        r#"{"decision":"deny","reasons":[],"errors":[]}"#
    );

    // A tampered bundle is a configuration error, not a decision.
    std::fs::write(bundle.join("module.wasm"), b"\0asm").unwrap();
    let output = check(&engine, "alice-editor", "write");
    assert_eq!(output.status.code(), Some(2), "{output:?}");
    assert!(
        String::from_utf8_lossy(&output.stderr).contains("module.wasm"),
        "{output:?}"
    );
}

#[test]
fn check_rejects_bundle_below_min_version() {
    let dir = tempfile::tempdir().unwrap();
    let (private, public) = keypair(dir.path(), "release");
    let bundle = sign(dir.path(), &private, r#"{"version":1,"rules":[]}"#, "4");
    let (bundle, public) = (bundle.to_str().unwrap(), public.to_str().unwrap());
    let engine = [
        "--engine",
        "wasm",
        "--bundle",
        bundle,
        "--trusted-keys",
        public,
    ];

    let below = [&engine[..], &["--min-version", "5"]].concat();
    let output = check(&below, "alice-editor", "write");
    assert_eq!(output.status.code(), Some(2), "{output:?}");
    assert!(output.stdout.is_empty(), "{output:?}");
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        stderr.contains("bundle version `4` is lower than the minimum version `5`"),
        "{stderr}"
    );

    let at = [&engine[..], &["--min-version", "4"]].concat();
    let output = check(&at, "alice-editor", "write");
    assert_eq!(output.status.code(), Some(1), "{output:?}");
}

#[test]
fn wasm_options_need_wasm_engine() {
    let dir = tempfile::tempdir().unwrap();
    let (private, public) = keypair(dir.path(), "release");
    let bundle = sign(dir.path(), &private, r#"{"version":1,"rules":[]}"#, "1");
    let bundle = bundle.to_str().unwrap();
    let public = public.to_str().unwrap();
    let module = guest();
    let cache = dir.path().join("cache");
    let cache = cache.to_str().unwrap();
    let cases: [(&str, &[&str]); 7] = [
        ("--bundle", &["--bundle", bundle, "--trusted-keys", public]),
        (
            "--bundle",
            &["--bundle", "/nonexistent", "--trusted-keys", "/nonexistent"],
        ),
        ("--module", &["--module", &module]),
        ("--module", &["--module", "/nonexistent"]),
        ("--module-cache", &["--module-cache", cache]),
        ("--max-memory", &["--max-memory", "128"]),
        ("--call-timeout", &["--call-timeout", "5000"]),
    ];
    for (option, engine) in cases {
        let output = check(engine, "alice-editor", "write");
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert_eq!(
            output.status.code(),
            Some(2),
            "check {engine:?}: {output:?}"
        );
        assert!(output.stdout.is_empty(), "check {engine:?}: {output:?}");
        assert!(stderr.contains(option), "check {engine:?}: {stderr}");
        assert!(
            stderr.contains("needs --engine wasm"),
            "check {engine:?}: {stderr}"
        );

        // `--engine native` spelled out is the same as the default.
        let mut native = vec!["--engine", "native"];
        native.extend_from_slice(engine);
        let output = check(&native, "alice-editor", "write");
        assert_eq!(
            output.status.code(),
            Some(2),
            "check {native:?}: {output:?}"
        );

        let token = example("tokens/alice-editor.jwt");
        let jwks = example("jwks.json");
        let mut args = vec![
            "token",
            "verify",
            "--jwks",
            &jwks,
            "--now",
            NOW,
            "--token-file",
            &token,
        ];
        args.extend_from_slice(engine);
        let output = run(&args);
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert_eq!(
            output.status.code(),
            Some(2),
            "verify {engine:?}: {output:?}"
        );
        assert!(output.stdout.is_empty(), "verify {engine:?}: {output:?}");
        assert!(stderr.contains(option), "verify {engine:?}: {stderr}");
    }
    assert!(!Path::new(cache).exists(), "the native engine made a cache");
}

#[test]
fn trusted_keys_need_bundle() {
    let dir = tempfile::tempdir().unwrap();
    let (_, public) = keypair(dir.path(), "release");
    let module = guest();
    let engine = [
        "--engine",
        "wasm",
        "--module",
        &module,
        "--trusted-keys",
        public.to_str().unwrap(),
    ];
    let output = check(&engine, "alice-editor", "write");
    assert_eq!(output.status.code(), Some(2), "{output:?}");
    assert!(output.stdout.is_empty(), "{output:?}");
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("--trusted-keys needs --bundle"), "{stderr}");
}

#[test]
fn module_env_is_named_with_bundle() {
    let dir = tempfile::tempdir().unwrap();
    let (private, public) = keypair(dir.path(), "release");
    let bundle = sign(dir.path(), &private, r#"{"version":1,"rules":[]}"#, "1");
    let config = example("guard.json");
    let token = example("tokens/alice-editor.jwt");
    let module = guest();
    let args = [
        "check",
        "--config",
        &config,
        "--token-file",
        &token,
        "--action",
        "write",
        "--resource",
        "document:42",
        "--now",
        NOW,
        "--engine",
        "wasm",
        "--bundle",
        bundle.to_str().unwrap(),
        "--trusted-keys",
        public.to_str().unwrap(),
    ];
    let output = Command::new(env!("CARGO_BIN_EXE_mem8-guard"))
        .args(args)
        .env("MEM8_GUARD_MODULE", &module)
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(2), "{output:?}");
    assert!(stderr.contains("MEM8_GUARD_MODULE"), "{stderr}");
    assert!(!stderr.contains("--module'"), "{stderr}");

    // The variable is the default module of `--engine wasm`, and the
    // native engine ignores it.
    let output = Command::new(env!("CARGO_BIN_EXE_mem8-guard"))
        .args(&args[..11])
        .env("MEM8_GUARD_MODULE", &module)
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(0), "{output:?}");
    let mut hosted = args[..11].to_vec();
    hosted.extend_from_slice(&["--engine", "wasm"]);
    let output = Command::new(env!("CARGO_BIN_EXE_mem8-guard"))
        .args(&hosted)
        .env("MEM8_GUARD_MODULE", &module)
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(0), "{output:?}");
}

/// Writes a guard configuration with the example key set, `policy` and the
/// example issuer and audience, and returns its path.
fn config_with_policy(dir: &Path, name: &str, policy: &str) -> String {
    let config = dir.join(name);
    let text = serde_json::json!({
        "jwks": example("jwks.json"),
        "policy": policy,
        "validation": {
            "issuers": ["https://auth.example.com"],
            "audiences": ["documents-api"]
        }
    });
    std::fs::write(&config, text.to_string()).unwrap();
    config.to_str().unwrap().to_owned()
}

/// Runs `check` with `config` for `token` and `action` on `document:1`, in
/// the engine that `engine` selects.
fn check_config(config: &str, token: &str, action: &str, engine: &[&str]) -> Output {
    let token_path = example(&format!("tokens/{token}.jwt"));
    let mut args = vec![
        "check",
        "--config",
        config,
        "--token-file",
        &token_path,
        "--action",
        action,
        "--resource",
        "document:1",
        "--now",
        NOW,
    ];
    args.extend_from_slice(engine);
    run(&args)
}

#[test]
fn text_policy_config_in_both_engines() {
    let dir = tempfile::tempdir().unwrap();
    let module = guest();
    let wasm = ["--engine", "wasm", "--module", module.as_str()];
    let config = config_with_policy(
        dir.path(),
        "guard.json",
        &example("policy/documents.policy"),
    );
    for (token, action, code) in [("carol-admin", "read", 0), ("bob-viewer", "delete", 1)] {
        let native = check_config(&config, token, action, &[]);
        let hosted = check_config(&config, token, action, &wasm);
        assert_eq!(native.status.code(), Some(code), "{token}: {native:?}");
        assert_eq!(hosted.status.code(), Some(code), "{token}: {hosted:?}");
        assert_eq!(native.stdout, hosted.stdout, "{token}");
    }

    // A policy that does not load is named in both engines, not the
    // configuration that names it.
    let broken_text = dir.path().join("broken.policy");
    std::fs::write(&broken_text, "version 2;\npermit \"x\" action any;\n").unwrap();
    let broken_json = dir.path().join("broken.json");
    std::fs::write(&broken_json, "version 2;\n").unwrap();
    for (policy, file) in [
        (&broken_text, "broken.policy"),
        (&broken_json, "broken.json"),
    ] {
        let config = config_with_policy(dir.path(), "guard-broken.json", policy.to_str().unwrap());
        for engine in [&[][..], &wasm[..]] {
            let output = check_config(&config, "carol-admin", "read", engine);
            assert_eq!(output.status.code(), Some(2), "{file}: {output:?}");
            let stderr = String::from_utf8_lossy(&output.stderr);
            assert!(stderr.contains(&format!("{file}`: ")), "{file}: {stderr}");
            assert!(!stderr.contains("guard-broken.json"), "{file}: {stderr}");
        }
    }
}

#[test]
fn option_errors_name_the_config() {
    // One maximum in both engines, and the error names the configuration,
    // not the key set.
    let dir = tempfile::tempdir().unwrap();
    let module = guest();
    let wasm = ["--engine", "wasm", "--module", module.as_str()];
    let config = dir.path().join("guard.json");
    let text = serde_json::json!({
        "jwks": example("jwks.json"),
        "policy": example("policy/documents.policy"),
        "validation": { "max_token_length": 4_294_967_296_u64 }
    });
    std::fs::write(&config, text.to_string()).unwrap();
    let config = config.to_str().unwrap();
    for engine in [&[][..], &wasm[..]] {
        let output = check_config(config, "carol-admin", "read", engine);
        assert_eq!(output.status.code(), Some(2), "{engine:?}: {output:?}");
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert!(stderr.contains("guard.json`: "), "{engine:?}: {stderr}");
        assert!(!stderr.contains("jwks.json"), "{engine:?}: {stderr}");
        assert!(
            stderr.contains("`max_token_length` is 4294967296, above the supported maximum"),
            "{engine:?}: {stderr}"
        );
    }
}

#[test]
fn policy_errors_show_numbers_as_written() {
    let dir = tempfile::tempdir().unwrap();
    let module = guest();
    let wasm = ["--engine", "wasm", "--module", module.as_str()];
    for literal in ["1e2", "18446744073709551617"] {
        let policy = dir.path().join("numbers.json");
        let text = format!(
            r#"{{"version":2,"rules":[{{"id":"n","effect":"permit","action":"read",
            "resource":"*","when":{{"==":[{{".":[{{"var":"context"}},"n"]}},
            {{"value":{literal}}}]}}}}]}}"#
        );
        std::fs::write(&policy, text).unwrap();
        let config = config_with_policy(dir.path(), "numbers-guard.json", policy.to_str().unwrap());
        let expected = format!("number `{literal}` is not a 64-bit integer");
        for engine in [&[][..], &wasm[..]] {
            let output = check_config(&config, "carol-admin", "read", engine);
            let stderr = String::from_utf8_lossy(&output.stderr);
            assert_eq!(
                output.status.code(),
                Some(2),
                "{literal} {engine:?}: {output:?}"
            );
            assert!(stderr.contains(&expected), "{literal} {engine:?}: {stderr}");
        }
    }
}

#[test]
fn verify_prints_numbers_as_written() {
    use base64::engine::general_purpose::URL_SAFE_NO_PAD;
    use base64::Engine as _;
    use ed25519_dalek::Signer as _;

    let dir = tempfile::tempdir().unwrap();
    let key = ed25519_dalek::SigningKey::from_bytes(&[7u8; 32]);
    let x = URL_SAFE_NO_PAD.encode(key.verifying_key().to_bytes());
    let jwks = dir.path().join("jwks.json");
    let set = format!(
        r#"{{"keys":[{{"kty":"OKP","crv":"Ed25519","alg":"EdDSA","kid":"n","x":"{x}"}}]}}"#
    );
    std::fs::write(&jwks, set).unwrap();

    let long = format!("1{}", "0".repeat(300));
    let payload = format!(
        "{{\n  \"sub\": \"a b\",\n  \"exp\": 4102444800,\n  \"big\": 18446744073709551616,\n  \
         \"long\": {long},\n  \"frac\": 1.50,\n  \"text\": \"say \\\"hi\\\"  twice\\\\\",\n  \
         \"list\": [ 1e2, -0, 0.1 ]\n}}"
    );
    let input = format!(
        "{}.{}",
        URL_SAFE_NO_PAD.encode(r#"{"alg":"EdDSA","kid":"n"}"#),
        URL_SAFE_NO_PAD.encode(&payload)
    );
    let signature = URL_SAFE_NO_PAD.encode(key.sign(input.as_bytes()).to_bytes());
    let token = dir.path().join("token.jwt");
    std::fs::write(&token, format!("{input}.{signature}")).unwrap();

    let expected = format!(
        "{{\"sub\":\"a b\",\"exp\":4102444800,\"big\":18446744073709551616,\"long\":{long},\
         \"frac\":1.50,\"text\":\"say \\\"hi\\\"  twice\\\\\",\"list\":[1e2,-0,0.1]}}\n"
    );
    let module = guest();
    let base = [
        "token",
        "verify",
        "--jwks",
        jwks.to_str().unwrap(),
        "--now",
        NOW,
        "--token-file",
        token.to_str().unwrap(),
    ];
    let hosted = [&base[..], &["--engine", "wasm", "--module", &module]].concat();
    for args in [&base[..], &hosted[..]] {
        let output = run(args);
        assert_eq!(output.status.code(), Some(0), "{output:?}");
        assert_eq!(String::from_utf8_lossy(&output.stdout), expected);
        // The output is still JSON with the same values.
        let printed: Value = serde_json::from_slice(&output.stdout).unwrap();
        let written: Value = serde_json::from_str(&payload).unwrap();
        assert_eq!(printed, written);
    }
}

/// Runs `bundle sign` with the given module, policy and key into `out`.
fn sign_files(module: &str, policy: &str, key: &Path, out: &Path) -> Output {
    run(&[
        "bundle",
        "sign",
        "--module",
        module,
        "--policy",
        policy,
        "--bundle-version",
        "1",
        "--key",
        key.to_str().unwrap(),
        "--out",
        out.to_str().unwrap(),
        "--now",
        NOW,
    ])
}

#[test]
fn bundle_sign_converts_text_policy() {
    let dir = tempfile::tempdir().unwrap();
    let (private, public) = keypair(dir.path(), "release");
    let out = dir.path().join("text");
    let output = sign_files(
        &guest(),
        &example("policy/documents.policy"),
        &private,
        &out,
    );
    assert_eq!(output.status.code(), Some(0), "{output:?}");
    let policy: Value =
        serde_json::from_slice(&std::fs::read(out.join("policy.json")).unwrap()).unwrap();
    assert_eq!(policy["version"], 2);

    let config = example("guard.json");
    let engine = [
        "--engine",
        "wasm",
        "--bundle",
        out.to_str().unwrap(),
        "--trusted-keys",
        public.to_str().unwrap(),
    ];
    let output = check_config(&config, "carol-admin", "read", &engine);
    assert_eq!(output.status.code(), Some(0), "{output:?}");
    assert!(
        String::from_utf8_lossy(&output.stdout).contains("viewers-read"),
        "{output:?}"
    );
}

#[test]
fn bundle_sign_rejects_what_no_host_loads() {
    let dir = tempfile::tempdir().unwrap();
    let (private, _) = keypair(dir.path(), "release");
    let policy = example("policy.json");
    let junk = dir.path().join("junk.wasm");
    std::fs::write(&junk, "not a module").unwrap();
    // A component header, then bytes that are no section.
    let header: &[u8] = b"\0asm\x0d\x00\x01\x00";
    let garbage = dir.path().join("garbage.wasm");
    std::fs::write(&garbage, [header, b"garbage"].concat()).unwrap();
    // A valid component with no exports: it compiles but is no guard.
    let empty = dir.path().join("empty.wasm");
    std::fs::write(&empty, header).unwrap();
    let broken = dir.path().join("broken.policy");
    std::fs::write(&broken, "version 2;\npermit").unwrap();

    // A key whose `d` belongs to another public key `x`.
    let (other, _) = keypair(dir.path(), "other");
    let mut mismatched: Value = serde_json::from_slice(&std::fs::read(&private).unwrap()).unwrap();
    let other: Value = serde_json::from_slice(&std::fs::read(&other).unwrap()).unwrap();
    mismatched["x"] = other["x"].clone();
    let mismatched_path = dir.path().join("mismatched.jwk");
    std::fs::write(&mismatched_path, mismatched.to_string()).unwrap();

    let module = guest();
    let cases = [
        (
            "/dev/null",
            policy.as_str(),
            &private,
            "`/dev/null`: invalid module: the module is empty",
        ),
        (
            junk.to_str().unwrap(),
            policy.as_str(),
            &private,
            "invalid module: the module is not WebAssembly",
        ),
        (
            garbage.to_str().unwrap(),
            policy.as_str(),
            &private,
            "invalid module: failed to compile the module",
        ),
        (
            empty.to_str().unwrap(),
            policy.as_str(),
            &private,
            "invalid module: the module's exports do not match the world",
        ),
        (
            module.as_str(),
            broken.to_str().unwrap(),
            &private,
            "broken.policy`: ",
        ),
        (
            module.as_str(),
            policy.as_str(),
            &mismatched_path,
            "member `d` does not match the public key `x`",
        ),
    ];
    for (index, (module, policy, key, message)) in cases.into_iter().enumerate() {
        let out = dir.path().join(format!("out-{index}"));
        let output = sign_files(module, policy, key, &out);
        assert_eq!(output.status.code(), Some(2), "{message}: {output:?}");
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert!(stderr.contains(message), "{stderr}");
        assert_eq!(stderr.lines().count(), 1, "{stderr}");
        assert!(!out.exists(), "{message}");
    }
}

#[test]
fn bundle_key_files_parsed_strictly() {
    let dir = tempfile::tempdir().unwrap();
    let (private, public) = keypair(dir.path(), "release");
    let bundle = sign(dir.path(), &private, r#"{"version":1,"rules":[]}"#, "1");
    let verify = |trusted: &Path| {
        run(&[
            "bundle",
            "verify",
            bundle.to_str().unwrap(),
            "--trusted-keys",
            trusted.to_str().unwrap(),
        ])
    };

    // A second `x` after the right one: the strict parser rejects the file.
    let text = std::fs::read_to_string(&public).unwrap();
    let repeated = dir.path().join("repeated.jwk");
    let second_x = format!(r#","x":"{}"}}"#, "A".repeat(43));
    std::fs::write(
        &repeated,
        text.trim().trim_end_matches('}').to_owned() + &second_x,
    )
    .unwrap();
    let output = verify(&repeated);
    assert_eq!(output.status.code(), Some(2), "{output:?}");
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("duplicate member name `x`"), "{stderr}");

    // A private key marked for encryption is reported as a private key.
    let mut enc: Value = serde_json::from_slice(&std::fs::read(&private).unwrap()).unwrap();
    enc["use"] = serde_json::json!("enc");
    let enc_path = dir.path().join("enc.jwk");
    std::fs::write(&enc_path, enc.to_string()).unwrap();
    let output = verify(&enc_path);
    assert_eq!(output.status.code(), Some(2), "{output:?}");
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        stderr.contains("contains the private member `d`"),
        "{stderr}"
    );
}

#[cfg(unix)]
#[test]
fn bundle_verify_exit_codes() {
    let dir = tempfile::tempdir().unwrap();
    let (private, public) = keypair(dir.path(), "release");
    let bundle = sign(dir.path(), &private, r#"{"version":1,"rules":[]}"#, "1");
    let verify = || {
        run(&[
            "bundle",
            "verify",
            bundle.to_str().unwrap(),
            "--trusted-keys",
            public.to_str().unwrap(),
        ])
    };
    let module = bundle.join("module.wasm");

    // Files the bundle may not contain: a negative result, exit 1.
    let oversized = dir.path().join("oversized");
    std::fs::File::create(&oversized)
        .unwrap()
        .set_len((64 << 20) + 1)
        .unwrap();
    let fifo = dir.path().join("fifo");
    let made = Command::new("mkfifo").arg(&fifo).status().unwrap();
    assert!(made.success());
    for (target, message) in [
        (&oversized, "is larger than the limit of 67108864 bytes"),
        (&fifo, "is not a regular file"),
    ] {
        let _ = std::fs::remove_file(&module);
        std::os::unix::fs::symlink(target, &module).unwrap();
        let output = verify();
        assert_eq!(output.status.code(), Some(1), "{message}: {output:?}");
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert!(stderr.starts_with("invalid bundle: "), "{stderr}");
        assert!(stderr.contains(message), "{stderr}");
    }

    // A file that cannot be read: an error, exit 2.
    std::fs::remove_file(bundle.join("manifest.sig")).unwrap();
    let output = verify();
    assert_eq!(output.status.code(), Some(2), "{output:?}");
}

#[test]
fn rejected_bundle_prints_one_line() {
    let dir = tempfile::tempdir().unwrap();
    let (private, public) = keypair(dir.path(), "release");
    let bundle = sign(dir.path(), &private, r#"{"version":1,"rules":[]}"#, "1");
    std::fs::write(bundle.join("policy.json"), r#"{"version":1}"#).unwrap();
    let engine = [
        "--engine",
        "wasm",
        "--bundle",
        bundle.to_str().unwrap(),
        "--trusted-keys",
        public.to_str().unwrap(),
    ];
    let output = check(&engine, "alice-editor", "write");
    assert_eq!(output.status.code(), Some(2), "{output:?}");
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(stderr.lines().count(), 1, "{stderr}");
    assert!(stderr.starts_with("error: "), "{stderr}");
    assert!(stderr.contains("policy.json"), "{stderr}");
    assert!(!stderr.contains("WARN"), "{stderr}");
}

/// Appends a custom section named `padding` with `size` zero bytes to a
/// component, which leaves what it does unchanged.
fn padded(module: &[u8], size: usize) -> Vec<u8> {
    fn leb128(mut value: usize, out: &mut Vec<u8>) {
        loop {
            let byte = (value & 0x7f) as u8;
            value >>= 7;
            if value == 0 {
                out.push(byte);
                return;
            }
            out.push(byte | 0x80);
        }
    }
    let name = b"padding";
    let mut content = Vec::with_capacity(size + 16);
    leb128(name.len(), &mut content);
    content.extend_from_slice(name);
    content.resize(content.len() + size, 0);
    let mut padded = module.to_vec();
    padded.push(0);
    leb128(content.len(), &mut padded);
    padded.extend_from_slice(&content);
    padded
}

#[test]
fn modules_up_to_64_mib_are_read() {
    let dir = tempfile::tempdir().unwrap();
    let big = dir.path().join("big.wasm");
    std::fs::write(&big, padded(&common::guest(), 20 << 20)).unwrap();
    let big = big.to_str().unwrap();

    let output = check(
        &["--engine", "wasm", "--module", big],
        "alice-editor",
        "write",
    );
    assert_eq!(output.status.code(), Some(0), "{output:?}");

    let (private, _) = keypair(dir.path(), "release");
    let out = dir.path().join("bundle");
    let output = sign_files(big, &example("policy.json"), &private, &out);
    assert_eq!(output.status.code(), Some(0), "{output:?}");

    let oversized = dir.path().join("oversized.wasm");
    std::fs::File::create(&oversized)
        .unwrap()
        .set_len((64 << 20) + 1)
        .unwrap();
    let oversized = oversized.to_str().unwrap();
    let output = check(
        &["--engine", "wasm", "--module", oversized],
        "alice-editor",
        "write",
    );
    assert_eq!(output.status.code(), Some(2), "{output:?}");
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        stderr.contains("input is larger than the limit of 67108864 bytes"),
        "{stderr}"
    );
}

/// Writes a policy of `rules` permits, each with its own action, and a
/// configuration that uses it with the example keys.
fn large_config(dir: &Path, rules: usize) -> String {
    let rules: Vec<Value> = (0..rules)
        .map(|i| {
            serde_json::json!({
                "id": format!("r{i}"), "effect": "permit", "principal": {"role": "editor"},
                "action": [format!("act{i}"), "write"], "resource": format!("document:{i}*"),
            })
        })
        .collect();
    let policy = serde_json::json!({"version": 2, "roles": {"editor": {}}, "rules": rules});
    let policy_path = dir.join("large.json");
    std::fs::write(&policy_path, policy.to_string()).unwrap();
    config_with_policy(dir, "large-guard.json", policy_path.to_str().unwrap())
}

#[test]
fn max_memory_sets_guest_cap() {
    let dir = tempfile::tempdir().unwrap();
    // About 1 MB of policy JSON, which needs about 14 MiB of module memory
    // when the module keeps one parsed copy of the policy at a time.
    let config = large_config(dir.path(), 8_000);
    let module = guest();
    let wasm = |mebibytes: &str| {
        check_config(
            &config,
            "alice-editor",
            "write",
            &[
                "--engine",
                "wasm",
                "--module",
                &module,
                "--max-memory",
                mebibytes,
            ],
        )
    };

    let output = wasm("8");
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(2), "{output:?}");
    assert!(
        stderr.contains("guest memory limit of `8388608` bytes exceeded"),
        "{stderr}"
    );
    assert!(stderr.contains("`--max-memory`"), "{stderr}");

    let native = check_config(&config, "alice-editor", "write", &[]);
    for mebibytes in ["24", "128"] {
        let output = wasm(mebibytes);
        assert_eq!(output.status.code(), Some(0), "{mebibytes}: {output:?}");
        assert_eq!(output.stdout, native.stdout, "{mebibytes}");
    }

    // Below 2 MiB the module cannot start: it has 1.125 MiB of memory.
    for rejected in ["1", "4097"] {
        let output = wasm(rejected);
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert_eq!(output.status.code(), Some(2), "{output:?}");
        assert!(
            stderr.contains(&format!("{rejected} is not in 2..=4096")),
            "{stderr}"
        );
    }
    let smallest = ["--engine", "wasm", "--module", &module, "--max-memory", "2"];
    let output = check(&smallest, "alice-editor", "write");
    assert_eq!(output.status.code(), Some(0), "{output:?}");
}

#[test]
fn call_timeout_sets_guest_deadline() {
    let dir = tempfile::tempdir().unwrap();
    let config = large_config(dir.path(), 8_000);
    let module = guest();
    let wasm = |milliseconds: &str| {
        check_config(
            &config,
            "alice-editor",
            "write",
            &[
                "--engine",
                "wasm",
                "--module",
                &module,
                "--call-timeout",
                milliseconds,
            ],
        )
    };

    // Compiling 8,000 rules takes far longer than one epoch tick (5 ms).
    let output = wasm("1");
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(2), "{output:?}");
    assert!(
        stderr.contains("guest call timed out after 1ms"),
        "{stderr}"
    );
    assert!(stderr.contains("`--call-timeout`"), "{stderr}");

    let output = wasm("60000");
    assert_eq!(output.status.code(), Some(0), "{output:?}");
}
