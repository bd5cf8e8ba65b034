//! Schema validation and the linter.

use super::*;
use crate::policy::{Policy, PolicyLimits};
use alloc::vec::Vec;

const SCHEMA: &str = r#"{
    "principal": { "department": "string", "level": "integer", "tags": { "list": "string" } },
    "resources": { "document": { "owner": "string", "locked": "boolean" }, "photo": {} },
    "context": { "ip": "string", "geo": { "record": { "country": "string" } } },
    "actions": { "read": {}, "delete": { "resources": ["document"] } }
}"#;

fn schema() -> Schema {
    Schema::from_json(SCHEMA.as_bytes()).unwrap()
}

fn codes(policy_json: &str) -> Vec<(String, String)> {
    let policy = Policy::from_json(policy_json.as_bytes()).unwrap();
    schema()
        .validate(policy.document())
        .into_iter()
        .map(|d| (d.code, d.message))
        .collect()
}

fn rule_with(when: &str, resource: &str, action: &str) -> String {
    alloc::format!(
        r#"{{"version":2,"rules":[{{"id":"r","effect":"permit","action":{action},"resource":{resource},"when":{when}}}]}}"#
    )
}

#[test]
fn conforming_policy_has_no_findings() {
    let when = r#"{"&&":[{"==":[{".":[{"var":"principal"},"department"]},{"value":"sales"}]},{"==":[{".":[{".":[{"var":"context"},"geo"]},"country"]},{"value":"DE"}]},{"==":[{".":[{"var":"resource"},"owner"]},{".":[{"var":"principal"},"id"]}]}]}"#;
    assert_eq!(codes(&rule_with(when, r#""document:*""#, r#""read""#)), []);
}

#[test]
fn unknown_attribute_reported() {
    let when = r#"{"==":[{".":[{"var":"principal"},"dept"]},{"value":"sales"}]}"#;
    let found = codes(&rule_with(when, r#""document:*""#, r#""read""#));
    assert_eq!(found.len(), 1);
    assert_eq!(found[0].0, "unknown_attribute");
    assert_eq!(
        found[0].1,
        "the principal has no attribute `dept` in the schema"
    );
}

#[test]
fn nested_record_attribute_checked() {
    let when = r#"{"==":[{".":[{".":[{"var":"context"},"geo"]},"city"]},{"value":"x"}]}"#;
    let found = codes(&rule_with(when, r#""*""#, r#""read""#));
    assert_eq!(
        found[0].1,
        "the record has no attribute `city` in the schema"
    );
}

#[test]
fn type_errors_reported() {
    let when = r#"{"<":[{".":[{"var":"principal"},"department"]},{"value":3}]}"#;
    let found = codes(&rule_with(when, r#""document:*""#, r#""read""#));
    assert_eq!(found[0].0, "type_error");
    assert!(
        found[0].1.contains("must be an integer, not a string"),
        "{}",
        found[0].1
    );

    let never_equal = r#"{"==":[{".":[{"var":"principal"},"level"]},{"value":"3"}]}"#;
    let found = codes(&rule_with(never_equal, r#""document:*""#, r#""read""#));
    assert_eq!(found[0].0, "type_error");

    let not_bool = r#"{".":[{"var":"principal"},"level"]}"#;
    let found = codes(&rule_with(not_bool, r#""document:*""#, r#""read""#));
    assert_eq!(found[0].1, "a condition must be a boolean, not an integer");
}

#[test]
fn unknown_action_and_type_reported() {
    let when = r#"{"value":true}"#;
    let found = codes(&rule_with(when, r#"{"type":"video"}"#, r#""write""#));
    let found_codes: Vec<&str> = found.iter().map(|(code, _)| code.as_str()).collect();
    assert_eq!(found_codes, ["unknown_resource_type", "unknown_action"]);
}

#[test]
fn unreachable_rule_reported() {
    let when = r#"{"value":true}"#;
    let found = codes(&rule_with(when, r#""photo:*""#, r#""delete""#));
    assert_eq!(found[0].0, "unreachable_rule");
}

#[test]
fn resource_attribute_without_type_checked_against_all() {
    let when = r#"{"==":[{".":[{"var":"resource"},"size"]},{"value":1}]}"#;
    let found = codes(&rule_with(when, r#""*""#, r#""read""#));
    assert_eq!(
        found[0].1,
        "no resource type in the schema has attribute `size`"
    );
}

#[test]
fn schema_rejects_unknown_fields_and_types() {
    assert!(Schema::from_json(br#"{"principals":{}}"#).is_err());
    assert!(Schema::from_json(br#"{"principal":{"a":"float"}}"#).is_err());
    assert!(Schema::from_json(br#"{"principal":{"a":"string","a":"integer"}}"#).is_err());
}

fn lint_codes(policy_json: &str, schema: Option<&Schema>) -> Vec<(String, Option<String>)> {
    let policy =
        Policy::from_json_with_limits(policy_json.as_bytes(), &PolicyLimits::default()).unwrap();
    policy
        .lint(schema)
        .into_iter()
        .map(|d| (d.code, d.rule))
        .collect()
}

#[test]
fn lint_finds_shadowed_duplicate_and_broad_rules() {
    let text = r#"{"version":2,"roles":{"admin":{"inherits":["viewer"]},"viewer":{}},"rules":[
        {"id":"read-docs","effect":"permit","principal":{"role":"admin"},"action":"read","resource":"doc:1"},
        {"id":"again","effect":"permit","principal":{"role":"admin"},"action":"read","resource":"doc:1"},
        {"id":"no-docs","effect":"forbid","principal":{"role":"viewer"},"action":["read","write"],"resource":"doc:*"},
        {"id":"open","effect":"permit","action":"*","resource":"*"}
    ]}"#;
    let found = lint_codes(text, Some(&schema()));
    let expected = [
        ("shadowed_by_forbid", "read-docs"),
        ("duplicate_rule", "again"),
        ("shadowed_by_forbid", "again"),
        ("broad_wildcard", "open"),
        ("broad_wildcard", "open"),
    ];
    let found: Vec<(&str, &str)> = found
        .iter()
        .map(|(code, rule)| (code.as_str(), rule.as_deref().unwrap_or("")))
        .collect();
    assert_eq!(found, expected);
}

#[test]
fn conditional_forbid_does_not_shadow() {
    let text = r#"{"version":2,"rules":[
        {"id":"p","effect":"permit","action":"read","resource":"doc:1"},
        {"id":"f","effect":"forbid","action":"read","resource":"doc:*","when":{"value":true}}
    ]}"#;
    assert_eq!(lint_codes(text, None), []);
}

#[test]
fn schema_errors_name_the_schema() {
    let mut deep = String::from("\"string\"");
    for _ in 0..40 {
        deep = alloc::format!("{{\"list\":{deep}}}");
    }
    let cases = [
        (
            alloc::format!("{{\"context\":{{\"x\":{deep}}}}}"),
            "invalid schema: schema JSON is nested deeper than the limit of 32 levels, which \
             cannot be raised; declare fewer levels of `list` and `record` types",
        ),
        (
            String::from(r#"{"contexts":{}}"#),
            "invalid schema: unknown field `contexts`, expected one of `principal`, \
             `resources`, `context`, `actions`",
        ),
        (
            String::from(r#"{"context":{},"context":{}}"#),
            "invalid schema: schema JSON repeats the member name `context` in one object; \
             remove one of them",
        ),
        (
            String::from("{"),
            "invalid schema: schema is not valid JSON: invalid JSON at line 1, column 1",
        ),
    ];
    for (text, expected) in cases {
        let error = Schema::from_json(text.as_bytes()).unwrap_err();
        assert_eq!(error.code(), "invalid_schema", "{text}");
        let message = alloc::format!("{error}");
        assert_eq!(message, expected);
        assert!(!message.contains("policy"), "{message}");
        assert!(!message.contains("raise the limit"), "{message}");
    }
}
