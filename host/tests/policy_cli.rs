//! Runs `mem8-guard policy ...` on the example policy in `examples/policy/`
//! and on files the tests write, checking output and exit codes.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use serde_json::Value;

fn example(name: &str) -> String {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../examples/policy")
        .join(name);
    path.to_str().unwrap().to_owned()
}

fn run(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_mem8-guard"))
        .args(args)
        .output()
        .unwrap()
}

fn stdout(output: &Output) -> String {
    String::from_utf8(output.stdout.clone()).unwrap()
}

fn stdout_json(output: &Output) -> Value {
    serde_json::from_slice(&output.stdout)
        .unwrap_or_else(|error| panic!("stdout is not JSON ({error}): {output:?}"))
}

/// A fresh directory under the target directory, removed by the caller.
fn scratch(name: &str) -> PathBuf {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join(name);
    let _ = fs::remove_dir_all(&dir);
    fs::create_dir_all(&dir).unwrap();
    dir
}

#[test]
fn example_tests_pass() {
    let output = run(&["policy", "test", &example("documents.test.json")]);
    assert_eq!(output.status.code(), Some(0), "{output:?}");
    let text = stdout(&output);
    assert!(
        text.contains("case missing lock state fails closed ... ok"),
        "{text}"
    );
    assert!(
        text.ends_with("test result: ok. 5 passed; 0 failed\n"),
        "{text}"
    );
}

#[test]
fn failing_case_reported_and_exit_one() {
    let dir = scratch("failing-case");
    fs::copy(example("documents.policy"), dir.join("p.policy")).unwrap();
    let test = r#"{"policy":"p.policy","cases":[
        {"name":"wrong expectation","request":{"principal":{"id":"v","roles":["viewer"]},"action":"read","resource":"document:1"},"expect":{"decision":"deny"}},
        {"name":"right expectation","request":{"principal":{"id":"v"},"action":"read","resource":"document:1"},"expect":{"decision":"deny","reasons":[]}}
    ]}"#;
    fs::write(dir.join("t.json"), test).unwrap();
    let output = run(&["policy", "test", dir.join("t.json").to_str().unwrap()]);
    assert_eq!(output.status.code(), Some(1), "{output:?}");
    let text = stdout(&output);
    assert!(text.contains("case wrong expectation ... FAILED\n    expected deny, got allow with reasons [\"viewers-read\"]"), "{text}");
    assert!(text.contains("case right expectation ... ok"), "{text}");
    assert!(
        text.contains("test result: FAILED. 1 passed; 1 failed"),
        "{text}"
    );
    fs::remove_dir_all(dir).unwrap();
}

#[test]
fn check_with_schema_passes_example() {
    let output = run(&[
        "policy",
        "check",
        &example("documents.policy"),
        "--schema",
        &example("schema.json"),
        "--lint",
    ]);
    assert_eq!(output.status.code(), Some(0), "{output:?}");
    assert!(stdout(&output).ends_with("4 rules, 0 errors, 0 warnings\n"));
}

#[test]
fn check_reports_schema_errors_and_lint() {
    let dir = scratch("schema-errors");
    let policy = r#"version 2;
permit "typo" action == "read" resource is "document" when { resource.ownr == principal.id };
permit "open" action any resource like "*";
"#;
    fs::write(dir.join("p.policy"), policy).unwrap();
    let output = run(&[
        "policy",
        "check",
        dir.join("p.policy").to_str().unwrap(),
        "--schema",
        &example("schema.json"),
        "--lint",
    ]);
    assert_eq!(output.status.code(), Some(1), "{output:?}");
    let text = stdout(&output);
    assert!(text.contains("error[unknown_attribute]: rule `typo`: the resource type has no attribute `ownr` in the schema"), "{text}");
    assert!(
        text.contains("warning[broad_wildcard]: rule `open`"),
        "{text}"
    );
    assert!(text.contains("2 rules, 1 errors, 2 warnings"), "{text}");
    fs::remove_dir_all(dir).unwrap();
}

#[test]
fn check_reports_syntax_error_position() {
    let dir = scratch("syntax-error");
    fs::write(
        dir.join("p.policy"),
        "version 2;\npermit \"r\"\n  action = \"read\";\n",
    )
    .unwrap();
    let output = run(&["policy", "check", dir.join("p.policy").to_str().unwrap()]);
    assert_eq!(output.status.code(), Some(1), "{output:?}");
    let text = stdout(&output);
    assert!(text.starts_with("error[syntax_error]: policy text line 3, column 10: expected `==`, `in` or `any` after `action`, found `=`"), "{text}");
    fs::remove_dir_all(dir).unwrap();
}

#[test]
fn text_policy_in_json_file_hinted() {
    let dir = scratch("text-in-json");
    let path = dir.join("p.json");
    fs::write(
        &path,
        "version 2;\npermit \"r\" action == \"read\" resource like \"*\";\n",
    )
    .unwrap();
    let output = run(&["policy", "check", path.to_str().unwrap()]);
    assert_eq!(output.status.code(), Some(1), "{output:?}");
    let text = stdout(&output);
    assert!(
        text.starts_with("error[invalid_json]: policy is not valid JSON: invalid JSON at line 1"),
        "{text}"
    );
    assert!(
        text.contains(
            "may be in the text form, which is read from a file whose name does not end in `.json`"
        ),
        "{text}"
    );

    // Broken JSON gets no hint.
    fs::write(&path, "{\"version\": 2,").unwrap();
    let output = run(&["policy", "check", path.to_str().unwrap()]);
    assert_eq!(output.status.code(), Some(1), "{output:?}");
    assert!(!stdout(&output).contains("text form"), "{output:?}");
    fs::remove_dir_all(dir).unwrap();
}

#[test]
fn fmt_round_trips_through_json() {
    let dir = scratch("fmt");
    let json = run(&["policy", "fmt", "--json", &example("documents.policy")]);
    assert_eq!(json.status.code(), Some(0), "{json:?}");
    fs::write(dir.join("p.json"), &json.stdout).unwrap();

    let text = run(&["policy", "fmt", dir.join("p.json").to_str().unwrap()]);
    assert_eq!(text.status.code(), Some(0), "{text:?}");
    assert_eq!(
        stdout(&text),
        fs::read_to_string(example("documents.policy")).unwrap()
    );

    let check = run(&["policy", "fmt", "--check", &example("documents.policy")]);
    assert_eq!(check.status.code(), Some(0));
    fs::write(
        dir.join("messy.policy"),
        "version 2;   permit \"r\" action any resource like \"*\";",
    )
    .unwrap();
    let messy = run(&[
        "policy",
        "fmt",
        "--check",
        dir.join("messy.policy").to_str().unwrap(),
    ]);
    assert_eq!(messy.status.code(), Some(1));
    fs::remove_dir_all(dir).unwrap();
}

#[test]
fn explain_lists_every_rule() {
    let output = run(&[
        "policy",
        "explain",
        &example("documents.policy"),
        "--request",
        &example("request.json"),
    ]);
    assert_eq!(output.status.code(), Some(1), "{output:?}");
    let explanation = stdout_json(&output);
    assert_eq!(explanation["decision"]["decision"], "deny");
    let results: Vec<(&str, &str)> = explanation["rules"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| (r["rule"].as_str().unwrap(), r["result"].as_str().unwrap()))
        .collect();
    assert_eq!(
        results,
        [
            ("viewers-read", "action_mismatch"),
            ("editors-write-own", "when_false"),
            ("locked-documents", "when_false"),
            ("outside-hours", "unless_true"),
        ]
    );
}

#[test]
fn who_can_lists_roles_and_assigned_principals() {
    let output = run(&[
        "policy",
        "who-can",
        &example("documents.policy"),
        "--action",
        "read",
        "--resource",
        "document:1",
    ]);
    assert_eq!(output.status.code(), Some(0), "{output:?}");
    let report = stdout_json(&output);
    let roles: Vec<&str> = report["roles"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["name"].as_str().unwrap())
        .collect();
    assert_eq!(roles, ["admin", "editor", "viewer"]);
    assert_eq!(report["roles"][2]["certain"], true);
    assert_eq!(report["principals"][0]["name"], "carol");
}

#[test]
fn permissions_and_unused_queries() {
    let output = run(&[
        "policy",
        "permissions",
        &example("documents.policy"),
        "--role",
        "viewer",
    ]);
    assert_eq!(output.status.code(), Some(0), "{output:?}");
    let report = stdout_json(&output);
    assert_eq!(report["roles"], serde_json::json!(["viewer"]));
    assert_eq!(report["permits"][0]["rule"], "viewers-read");

    let unknown = run(&[
        "policy",
        "permissions",
        &example("documents.policy"),
        "--role",
        "ghost",
    ]);
    assert_eq!(unknown.status.code(), Some(2));

    let dir = scratch("unused");
    let decisions = r#"[{"decision":"allow","reasons":["viewers-read"],"errors":[]}]"#;
    fs::write(dir.join("d.json"), decisions).unwrap();
    let output = run(&[
        "policy",
        "unused",
        &example("documents.policy"),
        "--decisions",
        dir.join("d.json").to_str().unwrap(),
    ]);
    assert_eq!(
        stdout_json(&output),
        serde_json::json!(["editors-write-own"])
    );
    fs::remove_dir_all(dir).unwrap();
}

#[test]
fn missing_file_is_usage_error() {
    let output = run(&["policy", "test", "/nonexistent/t.json"]);
    assert_eq!(output.status.code(), Some(2));
}

#[test]
fn check_loads_text_policy_from_guard_config() {
    let dir = scratch("guard-text-policy");
    let examples = Path::new(env!("CARGO_MANIFEST_DIR")).join("../examples");
    let config = serde_json::json!({
        "jwks": examples.join("jwks.json"),
        "policy": examples.join("policy/documents.policy"),
        "validation": { "issuers": ["https://auth.example.com"], "audiences": ["documents-api"] }
    });
    fs::write(dir.join("guard.json"), config.to_string()).unwrap();
    let token = examples.join("tokens/alice-editor.jwt");
    let config_path = dir.join("guard.json");
    let args = [
        "check",
        "--config",
        config_path.to_str().unwrap(),
        "--token-file",
        token.to_str().unwrap(),
        "--action",
        "read",
        "--resource",
        "document:42",
        "--now",
        "1796371200",
    ];
    let output = run(&args);
    assert_eq!(output.status.code(), Some(0), "{output:?}");
    assert_eq!(
        stdout_json(&output)["reasons"],
        serde_json::json!(["viewers-read"])
    );
    fs::remove_dir_all(dir).unwrap();
}

/// Runs `args` with standard output a pipe whose read end is closed, as
/// after `| head` has exited.
fn run_with_closed_stdout(args: &[&str]) -> Output {
    let (reader, writer) = std::io::pipe().unwrap();
    drop(reader);
    Command::new(env!("CARGO_BIN_EXE_mem8-guard"))
        .args(args)
        .stdout(writer)
        .output()
        .unwrap()
}

#[test]
fn closed_stdout_exits_quietly() {
    let explain = [
        "policy",
        "explain",
        &example("documents.policy"),
        "--request",
        &example("request.json"),
    ];
    for args in [&explain[..], &["policy", "--help"]] {
        let output = run_with_closed_stdout(args);
        assert_eq!(output.status.code(), Some(141), "{args:?}: {output:?}");
        assert!(output.stderr.is_empty(), "{args:?}: {output:?}");
    }
}

/// Returns a policy whose condition has a list literal nested `levels` deep.
fn nested_literal_policy(levels: usize) -> String {
    format!(
        "version 2;\npermit \"p\" action any resource like \"*\" when {{ context.x == {}{} }};\n",
        "[".repeat(levels),
        "]".repeat(levels)
    )
}

#[test]
fn text_and_json_forms_load_the_same_documents() {
    let dir = scratch("json-form-depth");
    // The literal's first list is level 7 of the JSON form, so 90 levels of
    // it reach the default `max_json_depth` of 96.
    let fits = dir.join("fits.policy");
    fs::write(&fits, nested_literal_policy(90)).unwrap();
    let json = run(&["policy", "fmt", "--json", fits.to_str().unwrap()]);
    assert_eq!(json.status.code(), Some(0), "{json:?}");
    let fits_json = dir.join("fits.json");
    fs::write(&fits_json, &json.stdout).unwrap();
    for path in [&fits, &fits_json] {
        let check = run(&["policy", "check", path.to_str().unwrap()]);
        assert_eq!(check.status.code(), Some(0), "{check:?}");
    }

    let deep = dir.join("deep.policy");
    fs::write(&deep, nested_literal_policy(91)).unwrap();
    let check = run(&["policy", "check", deep.to_str().unwrap()]);
    assert_eq!(check.status.code(), Some(1), "{check:?}");
    assert!(
        stdout(&check).contains(
            "error[limit_exceeded]: the JSON form of rule `p` is nested deeper than the limit \
             of 96 levels"
        ),
        "{check:?}"
    );
    let fmt = run(&["policy", "fmt", "--json", deep.to_str().unwrap()]);
    assert_eq!(fmt.status.code(), Some(2), "{fmt:?}");

    // `fmt` of a JSON file names the file in its error.
    let deep_json = dir.join("deep.json");
    let text = format!(
        r#"{{"version":2,"rules":[{{"id":"p","effect":"permit","action":"*","resource":"*","when":{{"==":[{{".":[{{"var":"context"}},"x"]}},{{"value":{}{}}}]}}}}]}}"#,
        "[".repeat(91),
        "]".repeat(91)
    );
    fs::write(&deep_json, text).unwrap();
    let fmt = run(&["policy", "fmt", deep_json.to_str().unwrap()]);
    assert_eq!(fmt.status.code(), Some(2), "{fmt:?}");
    let stderr = String::from_utf8_lossy(&fmt.stderr);
    assert!(
        stderr.contains(&format!(
            "`{}`: policy JSON is nested deeper than the limit of 96 levels",
            deep_json.display()
        )),
        "{stderr}"
    );
    fs::remove_dir_all(dir).unwrap();
}

#[test]
fn byte_order_mark_skipped_in_text_form() {
    let dir = scratch("bom");
    let path = dir.join("bom.policy");
    fs::write(&path, "\u{feff}version 2;\nrole \"r\";\n").unwrap();
    let check = run(&["policy", "check", path.to_str().unwrap()]);
    assert_eq!(check.status.code(), Some(0), "{check:?}");
    let fmt = run(&["policy", "fmt", path.to_str().unwrap()]);
    assert_eq!(stdout(&fmt), "version 2;\n\nrole \"r\";\n");
    fs::remove_dir_all(dir).unwrap();
}

#[test]
fn lint_escapes_invisible_characters_in_rule_ids() {
    let dir = scratch("lint-invisible");
    let path = dir.join("zw.policy");
    fs::write(
        &path,
        "version 2; permit \"p\" action any resource like \"*\"; \
         permit \"p\\u200b\" action any resource like \"*\";\n",
    )
    .unwrap();
    let check = run(&["policy", "check", "--lint", path.to_str().unwrap()]);
    let text = stdout(&check);
    assert!(!text.contains('\u{200b}'), "{text}");
    assert!(
        text.contains("warning[duplicate_rule]: rule `p\\u{200b}`:"),
        "{text}"
    );
    fs::remove_dir_all(dir).unwrap();
}

#[test]
fn schema_errors_name_the_schema_file() {
    let dir = scratch("schema-errors");
    let policy = dir.join("p.policy");
    fs::write(
        &policy,
        "version 2; permit \"p\" action any resource like \"*\";\n",
    )
    .unwrap();
    let schema = dir.join("schema.json");
    fs::write(&schema, r#"{"contexts":{}}"#).unwrap();
    let check = run(&[
        "policy",
        "check",
        policy.to_str().unwrap(),
        "--schema",
        schema.to_str().unwrap(),
    ]);
    assert_eq!(check.status.code(), Some(2), "{check:?}");
    let stderr = String::from_utf8_lossy(&check.stderr);
    assert!(
        stderr.contains(&format!(
            "`{}`: invalid schema: unknown field `contexts`",
            schema.display()
        )),
        "{stderr}"
    );
    assert!(!stderr.contains("policy JSON"), "{stderr}");
    assert!(!stderr.contains("policy document"), "{stderr}");
    fs::remove_dir_all(dir).unwrap();
}

#[test]
fn explain_denies_context_that_is_not_an_object() {
    let dir = scratch("explain-context");
    let policy = dir.join("p.policy");
    fs::write(
        &policy,
        "version 2; permit \"p\" action any resource like \"*\" when { context == {} };\n",
    )
    .unwrap();
    let request = dir.join("request.json");
    for (context, kind) in [
        (r#""abc""#, "a string"),
        ("true", "a boolean"),
        ("5", "a number"),
    ] {
        fs::write(
            &request,
            format!(
                r#"{{"principal":{{"id":"u"}},"action":"a","resource":"r","context":{context}}}"#
            ),
        )
        .unwrap();
        let explain = run(&[
            "policy",
            "explain",
            policy.to_str().unwrap(),
            "--request",
            request.to_str().unwrap(),
        ]);
        assert_eq!(explain.status.code(), Some(1), "{explain:?}");
        let error = &stdout_json(&explain)["decision"]["errors"][0];
        assert_eq!(error["code"], "invalid_request", "{context}");
        assert!(
            error["message"]
                .as_str()
                .unwrap()
                .starts_with(&format!("request `context` is {kind}, not a JSON object")),
            "{error}"
        );
    }
    // Absent and `null` are both empty, and equal `{}`.
    for request_text in [
        r#"{"principal":{"id":"u"},"action":"a","resource":"r"}"#,
        r#"{"principal":{"id":"u"},"action":"a","resource":"r","context":null}"#,
    ] {
        fs::write(&request, request_text).unwrap();
        let explain = run(&[
            "policy",
            "explain",
            policy.to_str().unwrap(),
            "--request",
            request.to_str().unwrap(),
        ]);
        assert_eq!(
            explain.status.code(),
            Some(0),
            "{request_text}: {explain:?}"
        );
    }
    fs::remove_dir_all(dir).unwrap();
}

fn nested_object(levels: usize) -> String {
    format!("{}1{}", r#"{"a":"#.repeat(levels), "}".repeat(levels))
}

#[test]
fn explain_context_depth_limit_is_64() {
    let dir = scratch("explain-depth");
    let policy = dir.join("p.policy");
    fs::write(
        &policy,
        "version 2; permit \"p\" action any resource like \"*\";\n",
    )
    .unwrap();
    let request = dir.join("request.json");
    for (levels, code) in [(64, Some(0)), (65, Some(2))] {
        fs::write(
            &request,
            format!(
                r#"{{"principal":{{"id":"u","attributes":{}}},"action":"a","resource":"r","context":{}}}"#,
                nested_object(64),
                nested_object(levels)
            ),
        )
        .unwrap();
        let explain = run(&[
            "policy",
            "explain",
            policy.to_str().unwrap(),
            "--request",
            request.to_str().unwrap(),
        ]);
        assert_eq!(explain.status.code(), code, "{levels}: {explain:?}");
        if code == Some(2) {
            let stderr = String::from_utf8_lossy(&explain.stderr);
            assert!(
                stderr.contains("request `context` is nested deeper than the limit of 64 levels"),
                "{stderr}"
            );
        }
    }
    fs::remove_dir_all(dir).unwrap();
}

#[test]
fn condition_numbers_shown_as_written() {
    let dir = scratch("numbers-as-written");
    let path = dir.join("num.policy");
    fs::write(
        &path,
        "version 2; permit \"p\" action any resource like \"*\" when { context.n == 1e2 };\n",
    )
    .unwrap();
    let check = run(&["policy", "check", path.to_str().unwrap()]);
    assert_eq!(check.status.code(), Some(1), "{check:?}");
    assert!(
        stdout(&check).contains("number `1e2` is not a 64-bit integer"),
        "{check:?}"
    );
    fs::remove_dir_all(dir).unwrap();
}
