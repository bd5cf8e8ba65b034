#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
//! The policy engine's tools natively and in the wasmtime host, on the
//! bundled example policy: the text form, explanations, access review,
//! schema validation and the linter must give identical values.

mod common;

use std::path::Path;

use common::host;
use mem8_guard::policy::{
    format_text, parse_text, Decision, Outcome, Policy, PolicyLimits, RequestData,
};

fn example(name: &str) -> String {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../examples/policy")
        .join(name);
    std::fs::read_to_string(&path).unwrap_or_else(|error| panic!("{}: {error}", path.display()))
}

#[test]
fn text_form_same_in_host() {
    let text = example("documents.policy");
    let host = host();
    let limits = PolicyLimits::default();

    let native_document = parse_text(&text, &limits).unwrap();
    let hosted_json = host.policy_text_to_json(&text).unwrap();
    assert_eq!(
        serde_json::from_str::<serde_json::Value>(&hosted_json).unwrap(),
        serde_json::to_value(&native_document).unwrap()
    );
    let native_text = format_text(&native_document).unwrap();
    assert_eq!(host.format_policy_text(&text).unwrap(), native_text);
    assert_eq!(host.policy_json_to_text(&hosted_json).unwrap(), native_text);

    let hosted = host.policy_from_text(&text, &limits).unwrap();
    assert_eq!(hosted.to_text().unwrap(), native_text);
    assert_eq!(hosted.document().unwrap(), native_document);

    // A syntax error names its line and column in both.
    let broken = text.replacen("permit \"viewers-read\"", "permit viewers-read", 1);
    let native_error = Policy::from_text(&broken).unwrap_err().to_string();
    let hosted_error = host
        .policy_from_text(&broken, &limits)
        .unwrap_err()
        .to_string();
    assert!(native_error.contains("line"), "{native_error}");
    assert!(
        hosted_error.contains(&native_error),
        "{hosted_error} / {native_error}"
    );
}

#[test]
fn explain_and_review_same_in_host() {
    let text = example("documents.policy");
    let native = Policy::from_text(&text).unwrap();
    let hosted = host()
        .policy_from_text(&text, &PolicyLimits::default())
        .unwrap();

    let request: RequestData = serde_json::from_str(&example("request.json")).unwrap();
    let native_decision = native.evaluate(&request.as_request());
    assert_eq!(
        hosted.authorize(&request.as_request()).unwrap(),
        native_decision
    );
    assert_eq!(
        hosted.explain(&request.as_request()).unwrap(),
        native.explain(&request.as_request())
    );

    for (action, resource) in [("read", "document:1"), ("delete", "document:9"), ("x", "y")] {
        assert_eq!(
            hosted.who_can(action, resource).unwrap(),
            native.who_can(action, resource)
        );
    }
    for role in ["admin", "editor", "viewer"] {
        assert_eq!(
            hosted.permissions_of_role(role).unwrap(),
            native.permissions_of_role(role).unwrap()
        );
    }
    assert!(hosted.permissions_of_role("no-such-role").is_err());
    assert!(native.permissions_of_role("no-such-role").is_err());
    let roles = vec![String::from("editor")];
    assert_eq!(
        hosted.permissions_of_principal("erin", &roles).unwrap(),
        native.permissions_of_principal("erin", &roles)
    );

    let decisions: Vec<Decision> = vec![native_decision.clone()];
    assert_eq!(
        hosted.unused_permissions(&decisions).unwrap(),
        native.unused_permissions(&decisions)
    );
    assert!(matches!(
        native_decision.decision,
        Outcome::Allow | Outcome::Deny
    ));
}

#[test]
fn schema_and_lint_same_in_host() {
    let text = example("documents.policy");
    let schema_json = example("schema.json");
    let native = Policy::from_text(&text).unwrap();
    let hosted = host()
        .policy_from_text(&text, &PolicyLimits::default())
        .unwrap();

    let schema = mem8_guard::policy::Schema::from_json(schema_json.as_bytes()).unwrap();
    assert_eq!(
        hosted.validate(&schema_json).unwrap(),
        schema.validate(native.document())
    );
    assert_eq!(hosted.lint(None).unwrap(), native.lint(None));
    assert_eq!(
        hosted.lint(Some(&schema_json)).unwrap(),
        native.lint(Some(&schema))
    );

    // An invalid schema is a policy error in both.
    assert!(hosted.validate("{").is_err());
    assert!(mem8_guard::policy::Schema::from_json(b"{").is_err());
}
