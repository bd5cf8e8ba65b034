//! Runs the real `mem8-guard` binary on the bundled example files and on
//! files it writes itself, checking output and exit codes.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

use serde_json::Value;

/// 2026-12-04, after the example tokens' `iat` and before their `exp`.
const NOW: &str = "1796371200";

fn examples() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../examples")
}

fn example(name: &str) -> String {
    examples().join(name).to_str().unwrap().to_owned()
}

fn run(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_mem8-guard"))
        .args(args)
        .output()
        .unwrap()
}

fn run_with_stdin(args: &[&str], stdin: &str) -> Output {
    let mut child = Command::new(env!("CARGO_BIN_EXE_mem8-guard"))
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    child
        .stdin
        .take()
        .unwrap()
        .write_all(stdin.as_bytes())
        .unwrap();
    child.wait_with_output().unwrap()
}

fn stdout_json(output: &Output) -> Value {
    serde_json::from_slice(&output.stdout)
        .unwrap_or_else(|error| panic!("stdout is not JSON ({error}): {output:?}"))
}

fn check(token: &str, action: &str, resource: &str) -> Output {
    run(&[
        "check",
        "--config",
        &example("guard.json"),
        "--token-file",
        &example(&format!("tokens/{token}.jwt")),
        "--action",
        action,
        "--resource",
        resource,
        "--now",
        NOW,
    ])
}

#[test]
fn check_allows_editor_write() {
    let output = check("alice-editor", "write", "document:42");
    assert_eq!(output.status.code(), Some(0), "{output:?}");
    let decision = stdout_json(&output);
    assert_eq!(decision["decision"], "allow");
    assert_eq!(
        decision["reasons"],
        serde_json::json!(["editors-write-documents"])
    );
    assert_eq!(decision["errors"], serde_json::json!([]));
}

#[test]
fn check_inherited_read_allowed() {
    let output = check("alice-editor", "read", "document:42");
    assert_eq!(output.status.code(), Some(0), "{output:?}");
    assert_eq!(
        stdout_json(&output)["reasons"],
        serde_json::json!(["viewers-read-documents"])
    );
}

#[test]
fn check_nested_roles_claim() {
    // bob's roles sit under realm_access.roles.
    assert_eq!(
        check("bob-viewer", "read", "document:7").status.code(),
        Some(0)
    );
    let output = check("bob-viewer", "write", "document:7");
    assert_eq!(output.status.code(), Some(1), "{output:?}");
    let decision = stdout_json(&output);
    assert_eq!(decision["decision"], "deny");
    assert_eq!(decision["reasons"], serde_json::json!([]));
}

#[test]
fn check_forbid_beats_admin_permit() {
    assert_eq!(
        check("carol-admin", "delete", "document:42").status.code(),
        Some(0)
    );
    let output = check("carol-admin", "delete", "document:legal/contract-9");
    assert_eq!(output.status.code(), Some(1), "{output:?}");
    assert_eq!(
        stdout_json(&output)["reasons"],
        serde_json::json!(["legal-hold-no-delete"])
    );
}

#[test]
fn check_expired_token_denied_with_error() {
    let output = check("dave-expired", "read", "document:1");
    assert_eq!(output.status.code(), Some(1), "{output:?}");
    let decision = stdout_json(&output);
    assert_eq!(decision["decision"], "deny");
    assert_eq!(decision["errors"][0]["code"], "token_expired");
}

#[test]
fn check_inline_token_and_context() {
    let token = std::fs::read_to_string(example("tokens/alice-editor.jwt")).unwrap();
    let output = run(&[
        "check",
        "--config",
        &example("guard.json"),
        "--token",
        token.trim(),
        "--action",
        "read",
        "--resource",
        "document:1",
        "--context",
        r#"{"ip":"192.0.2.1"}"#,
        "--now",
        NOW,
    ]);
    assert_eq!(output.status.code(), Some(0), "{output:?}");
}

/// Runs `check` as alice with `context`, on the native engine.
fn check_with_context(context: &str) -> Output {
    let token = example("tokens/alice-editor.jwt");
    run(&[
        "check",
        "--config",
        &example("guard.json"),
        "--token-file",
        &token,
        "--action",
        "read",
        "--resource",
        "document:1",
        "--context",
        context,
        "--now",
        NOW,
    ])
}

#[test]
fn check_denies_context_that_is_not_an_object() {
    for (context, kind) in [
        ("[1]", "an array"),
        (r#""abc""#, "a string"),
        ("5", "a number"),
    ] {
        let output = check_with_context(context);
        assert_eq!(output.status.code(), Some(1), "{context}: {output:?}");
        let decision = stdout_json(&output);
        assert_eq!(
            decision["errors"][0]["code"], "invalid_request",
            "{context}"
        );
        assert!(
            decision["errors"][0]["message"]
                .as_str()
                .unwrap()
                .starts_with(&format!("request `context` is {kind}")),
            "{decision}"
        );
    }
    assert_eq!(check_with_context("null").status.code(), Some(0));
}

#[test]
fn check_context_depth_limit_is_64() {
    let nested = |levels: usize| format!("{}1{}", r#"{"a":"#.repeat(levels), "}".repeat(levels));
    let output = check_with_context(&nested(64));
    assert_eq!(output.status.code(), Some(0), "{output:?}");
    let output = check_with_context(&nested(65));
    assert_eq!(output.status.code(), Some(2), "{output:?}");
    assert!(
        String::from_utf8_lossy(&output.stderr)
            .contains("--context: JSON nested deeper than the limit of 64"),
        "{output:?}"
    );
}

#[test]
fn check_usage_errors_exit_2() {
    let token = example("tokens/alice-editor.jwt");
    let missing_config = run(&[
        "check",
        "--config",
        "/nonexistent/guard.json",
        "--token-file",
        &token,
        "--action",
        "read",
        "--resource",
        "document:1",
    ]);
    assert_eq!(missing_config.status.code(), Some(2), "{missing_config:?}");
    assert!(String::from_utf8_lossy(&missing_config.stderr).contains("/nonexistent/guard.json"));

    let bad_context = run(&[
        "check",
        "--config",
        &example("guard.json"),
        "--token-file",
        &token,
        "--action",
        "read",
        "--resource",
        "document:1",
        "--context",
        "[1",
    ]);
    assert_eq!(bad_context.status.code(), Some(2), "{bad_context:?}");

    let both_tokens = run(&[
        "check",
        "--config",
        &example("guard.json"),
        "--token-file",
        &token,
        "--token",
        "x",
        "--action",
        "read",
        "--resource",
        "document:1",
    ]);
    assert_eq!(both_tokens.status.code(), Some(2), "{both_tokens:?}");
}

#[test]
fn config_number_errors_show_the_number_as_written() {
    let dir = tempfile::tempdir().unwrap();
    let config = dir.path().join("guard.json");
    std::fs::write(
        &config,
        format!(
            r#"{{"jwks":"{}","policy":"{}","validation":{{"leeway":1e2}}}}"#,
            example("jwks.json"),
            example("policy.json")
        ),
    )
    .unwrap();
    let output = run(&[
        "check",
        "--config",
        config.to_str().unwrap(),
        "--token",
        "x",
        "--action",
        "read",
        "--resource",
        "document:1",
    ]);
    assert_eq!(output.status.code(), Some(2), "{output:?}");
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("floating point `1e2`"), "{stderr}");
}

#[test]
fn check_rejects_config_with_unknown_field() {
    let dir = tempfile::tempdir().unwrap();
    let config = dir.path().join("guard.json");
    let text = std::fs::read_to_string(example("guard.json"))
        .unwrap()
        .replace(
            "\"jwks\": \"jwks.json\"",
            &format!("\"jwks\": {:?}, \"jwkz\": 1", example("jwks.json")),
        )
        .replace("\"policy.json\"", &format!("{:?}", example("policy.json")));
    std::fs::write(&config, text).unwrap();
    let output = run(&[
        "check",
        "--config",
        config.to_str().unwrap(),
        "--token-file",
        &example("tokens/alice-editor.jwt"),
        "--action",
        "read",
        "--resource",
        "document:1",
    ]);
    assert_eq!(output.status.code(), Some(2), "{output:?}");
    assert!(
        String::from_utf8_lossy(&output.stderr).contains("jwkz"),
        "{output:?}"
    );
}

#[test]
fn check_rejects_unsupported_json_depth() {
    let dir = tempfile::tempdir().unwrap();
    let config = dir.path().join("guard.json");
    let text = serde_json::json!({
        "jwks": example("jwks.json"),
        "policy": example("policy.json"),
        "validation": { "max_json_depth": 200 },
    });
    std::fs::write(&config, text.to_string()).unwrap();
    let token = example("tokens/alice-editor.jwt");
    for engine in [
        &[][..],
        &["--engine", "wasm", "--module", "/nonexistent.wasm"][..],
    ] {
        let mut args = vec![
            "check",
            "--config",
            config.to_str().unwrap(),
            "--token-file",
            &token,
            "--action",
            "read",
            "--resource",
            "document:1",
        ];
        args.extend_from_slice(engine);
        let output = run(&args);
        assert_eq!(output.status.code(), Some(2), "{output:?}");
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert!(
            stderr.contains(
                "`validation`: validation option `max_json_depth` is 200, above the supported \
                 maximum of 127"
            ),
            "{stderr}"
        );
    }
}

#[test]
fn verify_prints_claims() {
    let output = run(&[
        "token",
        "verify",
        "--jwks",
        &example("jwks.json"),
        "--iss",
        "https://auth.example.com",
        "--aud",
        "documents-api",
        "--now",
        NOW,
        "--token-file",
        &example("tokens/alice-editor.jwt"),
    ]);
    assert_eq!(output.status.code(), Some(0), "{output:?}");
    let claims = stdout_json(&output);
    assert_eq!(claims["sub"], "alice");
}

#[test]
fn verify_invalid_token_exits_1() {
    let wrong_audience = run(&[
        "token",
        "verify",
        "--jwks",
        &example("jwks.json"),
        "--aud",
        "other-api",
        "--now",
        NOW,
        "--token-file",
        &example("tokens/alice-editor.jwt"),
    ]);
    assert_eq!(wrong_audience.status.code(), Some(1), "{wrong_audience:?}");
    assert!(wrong_audience.stdout.is_empty());
    let message = String::from_utf8_lossy(&wrong_audience.stderr);
    assert!(message.contains("aud"), "{message}");

    let token = std::fs::read_to_string(example("tokens/alice-editor.jwt")).unwrap();
    assert!(
        !message.contains(token.trim()),
        "the error must not echo the token"
    );
}

#[test]
fn verify_reads_stdin() {
    let token = std::fs::read_to_string(example("tokens/bob-viewer.jwt")).unwrap();
    let output = run_with_stdin(
        &[
            "token",
            "verify",
            "--jwks",
            &example("jwks.json"),
            "--aud",
            "documents-api",
            "--now",
            NOW,
            "-",
        ],
        &token,
    );
    assert_eq!(output.status.code(), Some(0), "{output:?}");
    assert_eq!(stdout_json(&output)["sub"], "bob");
}

#[test]
fn verify_usage_errors_exit_2() {
    let token = example("tokens/alice-editor.jwt");
    let bad_alg = run(&[
        "token",
        "verify",
        "--jwks",
        &example("jwks.json"),
        "--alg",
        "none",
        "--token-file",
        &token,
    ]);
    assert_eq!(bad_alg.status.code(), Some(2), "{bad_alg:?}");

    let bad_jwks = run(&[
        "token",
        "verify",
        "--jwks",
        &example("policy.json"),
        "--token-file",
        &token,
    ]);
    assert_eq!(bad_jwks.status.code(), Some(2), "{bad_jwks:?}");

    let no_token = run(&["token", "verify", "--jwks", &example("jwks.json")]);
    assert_eq!(no_token.status.code(), Some(2), "{no_token:?}");
}

#[test]
fn verify_rejects_options_no_token_passes() {
    let token = example("tokens/dave-expired.jwt");
    let jwks = example("jwks.json");
    for (option, value, message) in [
        (
            "--leeway",
            "3601",
            "--leeway: validation option `leeway` is 3601 s, above the maximum of 3600 s",
        ),
        (
            "--leeway",
            "18446744073709551615",
            "above the maximum of 3600 s",
        ),
        (
            "--typ",
            "",
            "--typ: validation option `typ` is an empty string, which no token can match",
        ),
        (
            "--sub",
            "",
            "--sub: validation option `subject` is an empty string",
        ),
    ] {
        let output = run(&[
            "token",
            "verify",
            "--jwks",
            &jwks,
            "--aud",
            "documents-api",
            option,
            value,
            "--token-file",
            &token,
        ]);
        assert_eq!(
            output.status.code(),
            Some(2),
            "{option} {value}: {output:?}"
        );
        assert!(output.stdout.is_empty(), "{option} {value}: {output:?}");
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert!(stderr.contains(message), "{option} {value}: {stderr}");
    }

    // The maximum itself is accepted; the example token expired long before.
    let output = run(&[
        "token",
        "verify",
        "--jwks",
        &jwks,
        "--aud",
        "documents-api",
        "--leeway",
        "3600",
        "--token-file",
        &token,
    ]);
    assert_eq!(output.status.code(), Some(1), "{output:?}");
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("token expired"), "{stderr}");
}

#[test]
fn check_without_token_names_both_options() {
    let output = run(&[
        "check",
        "--config",
        &example("guard.json"),
        "--action",
        "read",
        "--resource",
        "document:1",
    ]);
    assert_eq!(output.status.code(), Some(2), "{output:?}");
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("--token-file <FILE>"), "{stderr}");
    assert!(stderr.contains("--token <TOKEN>"), "{stderr}");

    let both = run(&[
        "check",
        "--config",
        &example("guard.json"),
        "--token-file",
        &example("tokens/alice-editor.jwt"),
        "--token",
        "abc",
        "--action",
        "read",
        "--resource",
        "document:1",
    ]);
    assert_eq!(both.status.code(), Some(2), "{both:?}");
}

#[test]
fn keygen_sign_verify_round_trip() {
    let dir = tempfile::tempdir().unwrap();
    for alg in ["EdDSA", "ES256"] {
        let keygen = run(&["keygen", "--alg", alg, "--public", "--kid", "test-key"]);
        assert_eq!(keygen.status.code(), Some(0), "{keygen:?}");
        let text = String::from_utf8(keygen.stdout).unwrap();
        let mut lines = text.lines();
        let private = lines.next().unwrap();
        let public: Value = serde_json::from_str(lines.next().unwrap()).unwrap();
        assert!(public.get("d").is_none(), "public JWK must not carry d");
        assert_eq!(public["kid"], "test-key");

        let key_path = dir.path().join("key.jwk");
        let claims_path = dir.path().join("claims.json");
        let jwks_path = dir.path().join("jwks.json");
        std::fs::write(&key_path, private).unwrap();
        std::fs::write(&claims_path, r#"{"sub":"erin"}"#).unwrap();
        std::fs::write(
            &jwks_path,
            serde_json::json!({"keys": [public]}).to_string(),
        )
        .unwrap();

        let sign = run(&[
            "token",
            "sign",
            "--key",
            key_path.to_str().unwrap(),
            "--claims",
            claims_path.to_str().unwrap(),
            "--expires-in",
            "60",
            "--now",
            "1000",
        ]);
        assert_eq!(sign.status.code(), Some(0), "{sign:?}");
        let jwt = String::from_utf8(sign.stdout).unwrap();

        let verify = run(&[
            "token",
            "verify",
            "--jwks",
            jwks_path.to_str().unwrap(),
            "--now",
            "1059",
            jwt.trim(),
        ]);
        assert_eq!(verify.status.code(), Some(0), "{alg}: {verify:?}");
        assert_eq!(stdout_json(&verify)["exp"], 1060);

        let expired = run(&[
            "token",
            "verify",
            "--jwks",
            jwks_path.to_str().unwrap(),
            "--now",
            "1060",
            jwt.trim(),
        ]);
        assert_eq!(expired.status.code(), Some(1), "{alg}: {expired:?}");
    }
}

#[test]
fn verify_rejects_private_key_in_jwks() {
    let dir = tempfile::tempdir().unwrap();
    let keygen = run(&["keygen", "--alg", "ES256", "--kid", "signer"]);
    assert_eq!(keygen.status.code(), Some(0), "{keygen:?}");
    let private: Value = serde_json::from_slice(&keygen.stdout).unwrap();
    let d = private["d"].as_str().unwrap().to_owned();
    let jwks = dir.path().join("jwks.json");
    std::fs::write(&jwks, serde_json::json!({"keys": [private]}).to_string()).unwrap();

    let output = run(&["token", "verify", "--jwks", jwks.to_str().unwrap(), "a.b.c"]);
    assert_eq!(output.status.code(), Some(2), "{output:?}");
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        stderr.contains("key at index 0 (kid `signer`) contains the private member `d`"),
        "{stderr}"
    );
    assert!(!stderr.contains(&d), "{stderr}");
}

#[test]
fn keygen_hmac_has_no_public_key() {
    let output = run(&["keygen", "--alg", "HS256"]);
    assert_eq!(output.status.code(), Some(0), "{output:?}");
    let jwk: Value = serde_json::from_slice(&output.stdout).unwrap();
    assert_eq!(jwk["kty"], "oct");
    assert_eq!(
        run(&["keygen", "--alg", "HS256", "--public"]).status.code(),
        Some(2)
    );
    assert_eq!(run(&["keygen", "--alg", "RS256"]).status.code(), Some(2));
}

#[test]
fn help_states_units() {
    let verify = String::from_utf8(run(&["token", "verify", "--help"]).stdout).unwrap();
    assert!(verify.contains("--leeway <SECONDS>"), "{verify}");
    assert!(verify.contains("--now <UNIX_SECONDS>"), "{verify}");
    let check = String::from_utf8(run(&["check", "--help"]).stdout).unwrap();
    assert!(check.contains("--context <JSON>"), "{check}");
    for command in [&["keygen", "--help"][..], &["token", "sign", "--help"]] {
        assert_eq!(run(command).status.code(), Some(0));
    }
}

#[test]
fn device_input_bounded() {
    // /dev/zero reports size 0 and never ends; the read limit must still hold.
    let output = run(&[
        "token",
        "verify",
        "--jwks",
        &example("jwks.json"),
        "--token-file",
        "/dev/zero",
    ]);
    assert_eq!(output.status.code(), Some(2), "{output:?}");
    assert!(
        String::from_utf8_lossy(&output.stderr).contains("larger than the limit"),
        "{output:?}"
    );
}

#[test]
fn config_as_array_rejected() {
    let dir = tempfile::tempdir().unwrap();
    let config = dir.path().join("guard.json");
    let text =
        serde_json::json!([example("jwks.json"), example("policy.json"), {}, {}]).to_string();
    std::fs::write(&config, text).unwrap();
    let output = run(&[
        "check",
        "--config",
        config.to_str().unwrap(),
        "--token-file",
        &example("tokens/alice-editor.jwt"),
        "--action",
        "read",
        "--resource",
        "document:1",
        "--now",
        NOW,
    ]);
    assert_eq!(output.status.code(), Some(2), "{output:?}");
}

#[test]
fn json_text_as_path_not_echoed() {
    let dir = tempfile::tempdir().unwrap();
    let config = dir.path().join("guard.json");
    let secret = "c2VjcmV0LXNlY3JldC1zZWNyZXQtc2VjcmV0LXNlY3JldA";
    let jwks_text = format!(r#"{{"keys":[{{"kty":"oct","k":"{secret}"}}]}}"#);
    let text = serde_json::json!({"jwks": jwks_text, "policy": example("policy.json")}).to_string();
    std::fs::write(&config, text).unwrap();
    let output = run(&[
        "check",
        "--config",
        config.to_str().unwrap(),
        "--token",
        "a.b.c",
        "--action",
        "read",
        "--resource",
        "document:1",
    ]);
    assert_eq!(output.status.code(), Some(2), "{output:?}");
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("not JSON text in a string"), "{stderr}");
    assert!(!stderr.contains(secret), "{stderr}");
}

#[test]
fn empty_key_set_is_configuration_error() {
    let dir = tempfile::tempdir().unwrap();
    let jwks = dir.path().join("jwks.json");
    std::fs::write(
        &jwks,
        r#"{"keys":[{"kty":"EC","crv":"P-384","x":"AA","y":"AA"}]}"#,
    )
    .unwrap();
    let output = run(&["token", "verify", "--jwks", jwks.to_str().unwrap(), "a.b.c"]);
    assert_eq!(output.status.code(), Some(2), "{output:?}");
    assert!(
        String::from_utf8_lossy(&output.stderr).contains("no usable key (1 skipped"),
        "{output:?}"
    );
}

#[test]
fn usage_error_redacts_token() {
    let token = std::fs::read_to_string(example("tokens/alice-editor.jwt")).unwrap();
    let token = token.trim();
    let output = run(&[
        "token",
        "verify",
        "--jwks",
        &example("jwks.json"),
        token,
        token,
    ]);
    assert_eq!(output.status.code(), Some(2), "{output:?}");
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(!stderr.contains(token), "{stderr}");
    assert!(stderr.contains("[token]"), "{stderr}");
}

#[test]
fn require_adds_to_exp() {
    let dir = tempfile::tempdir().unwrap();
    let claims = dir.path().join("claims.json");
    std::fs::write(&claims, r#"{"sub":"erin"}"#).unwrap();
    let sign = run(&[
        "token",
        "sign",
        "--key",
        &example("keys/issuer-ed25519.jwk"),
        "--claims",
        claims.to_str().unwrap(),
    ]);
    assert_eq!(sign.status.code(), Some(0), "{sign:?}");
    assert!(
        String::from_utf8_lossy(&sign.stderr).contains("no `exp`"),
        "{sign:?}"
    );
    let jwt = String::from_utf8(sign.stdout).unwrap();

    let output = run(&[
        "token",
        "verify",
        "--jwks",
        &example("jwks.json"),
        "--require",
        "sub",
        jwt.trim(),
    ]);
    assert_eq!(output.status.code(), Some(1), "{output:?}");
    assert!(
        String::from_utf8_lossy(&output.stderr).contains("`exp`"),
        "{output:?}"
    );

    let empty = run(&[
        "token",
        "verify",
        "--jwks",
        &example("jwks.json"),
        "--require",
        "",
        jwt.trim(),
    ]);
    assert_eq!(empty.status.code(), Some(2), "{empty:?}");
}

#[test]
fn non_utf8_argument_is_usage_error() {
    use std::os::unix::ffi::OsStrExt;

    let output = Command::new(env!("CARGO_BIN_EXE_mem8-guard"))
        .args(["token", "verify", "--jwks"])
        .arg(std::ffi::OsStr::from_bytes(b"\xff"))
        .arg("--aud")
        .arg(std::ffi::OsStr::from_bytes(b"\xfe"))
        .arg("a.b.c")
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(2), "{output:?}");
    assert!(
        !String::from_utf8_lossy(&output.stderr).contains("panicked"),
        "{output:?}"
    );
}

#[test]
fn all_zero_kek_rejected() {
    let dir = tempfile::tempdir().unwrap();
    let kek = dir.path().join("kek.bin");
    std::fs::write(&kek, [0u8; 32]).unwrap();
    let ring = dir.path().join("ring.sealed");
    let output = run(&[
        "keyring",
        "new",
        "--out",
        ring.to_str().unwrap(),
        "--kek",
        kek.to_str().unwrap(),
    ]);
    assert_eq!(output.status.code(), Some(2), "{output:?}");
    assert!(
        String::from_utf8_lossy(&output.stderr).contains("all zero bytes"),
        "{output:?}"
    );
    assert!(!ring.exists());
}

#[test]
fn world_readable_keyring_warned() {
    use std::os::unix::fs::PermissionsExt;

    let dir = tempfile::tempdir().unwrap();
    let ring = dir.path().join("ring.json");
    let created = run(&["keyring", "new", "--out", ring.to_str().unwrap()]);
    assert_eq!(created.status.code(), Some(0), "{created:?}");
    let private = run(&["keyring", "list", "--keyring", ring.to_str().unwrap()]);
    assert!(
        !String::from_utf8_lossy(&private.stderr).contains("other users"),
        "{private:?}"
    );

    std::fs::set_permissions(&ring, std::fs::Permissions::from_mode(0o644)).unwrap();
    let listed = run(&["keyring", "list", "--keyring", ring.to_str().unwrap()]);
    assert_eq!(listed.status.code(), Some(0), "{listed:?}");
    assert!(
        String::from_utf8_lossy(&listed.stderr).contains("can be read by other users"),
        "{listed:?}"
    );
}

#[test]
fn check_passes_resource_attributes() {
    // The bundled text policy lets editors change the documents they own,
    // which only resource attributes can tell.
    let dir = tempfile::tempdir().unwrap();
    let config = dir.path().join("guard.json");
    let config_text = serde_json::json!({
        "jwks": example("jwks.json"),
        "policy": example("policy/documents.policy"),
        "validation": { "issuers": ["https://auth.example.com"], "audiences": ["documents-api"] },
    });
    std::fs::write(&config, config_text.to_string()).unwrap();
    let context = r#"{"ip":"10.1.2.3","now":1767272400}"#;
    let run_with = |attributes: &str| {
        run(&[
            "check",
            "--config",
            config.to_str().unwrap(),
            "--token-file",
            &example("tokens/alice-editor.jwt"),
            "--action",
            "update",
            "--resource",
            "document:7",
            "--context",
            context,
            "--resource-attributes",
            attributes,
            "--now",
            NOW,
        ])
    };

    let owned = run_with(r#"{"owner":"alice","locked":false}"#);
    assert_eq!(owned.status.code(), Some(0), "{owned:?}");
    assert_eq!(
        stdout_json(&owned)["reasons"],
        serde_json::json!(["editors-write-own"])
    );

    let locked = run_with(r#"{"owner":"alice","locked":true}"#);
    assert_eq!(locked.status.code(), Some(1), "{locked:?}");
    assert_eq!(
        stdout_json(&locked)["reasons"],
        serde_json::json!(["locked-documents"])
    );

    let not_object = run_with("[1]");
    assert_eq!(not_object.status.code(), Some(2), "{not_object:?}");
    assert!(String::from_utf8_lossy(&not_object.stderr).contains("--resource-attributes"));
}

#[test]
fn sign_rejects_bad_expires_in() {
    let dir = tempfile::tempdir().unwrap();
    let keygen = run(&["keygen", "--alg", "EdDSA"]);
    assert_eq!(keygen.status.code(), Some(0), "{keygen:?}");
    let key_path = dir.path().join("key.jwk");
    let claims_path = dir.path().join("claims.json");
    std::fs::write(&key_path, &keygen.stdout).unwrap();
    std::fs::write(&claims_path, r#"{"sub":"erin"}"#).unwrap();
    let sign = |expires_in: &str| {
        run(&[
            "token",
            "sign",
            "--key",
            key_path.to_str().unwrap(),
            "--claims",
            claims_path.to_str().unwrap(),
            "--expires-in",
            expires_in,
            "--now",
            "1000",
        ])
    };

    // 253402300799 is 9999-12-31T23:59:59Z, the latest `exp` accepted.
    for rejected in ["0", "253402299800", "18446744073709551615"] {
        let output = sign(rejected);
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert_eq!(output.status.code(), Some(2), "{rejected}: {output:?}");
        assert!(output.stdout.is_empty(), "{rejected}: {output:?}");
        assert!(
            stderr.contains(&format!("--expires-in `{rejected}`")),
            "{rejected}: {stderr}"
        );
    }

    let output = sign("253402299799");
    assert_eq!(output.status.code(), Some(0), "{output:?}");
    let jwt = String::from_utf8(output.stdout).unwrap();
    let payload = jwt.trim().split('.').nth(1).unwrap();
    let claims: Value = {
        use base64ct::{Base64UrlUnpadded, Encoding};
        serde_json::from_slice(&Base64UrlUnpadded::decode_vec(payload).unwrap()).unwrap()
    };
    assert_eq!(claims["exp"], 253_402_300_799u64);
    assert_eq!(claims["iat"], 1000);
}

#[test]
fn keygen_rejects_empty_kid() {
    let output = run(&["keygen", "--alg", "EdDSA", "--kid", ""]);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(2), "{output:?}");
    assert!(output.stdout.is_empty(), "{output:?}");
    assert!(stderr.contains("--kid"), "{stderr}");
}
