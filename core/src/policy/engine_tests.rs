//! Unit tests of loading and indexed evaluation.
use super::*;
use crate::policy::{ActionScope, Decision, Outcome, Principal, Request, RoleDefinition};
use alloc::format;
use alloc::vec;
use serde_json::Value;

fn principal(id: &str, roles: &[&str]) -> Principal {
    Principal {
        id: id.to_string(),
        roles: roles.iter().map(|r| r.to_string()).collect(),
        attributes: serde_json::Map::new(),
    }
}

fn decide(policy: &Policy, who: &Principal, action: &str, resource: &str) -> Decision {
    let context = Value::Null;
    policy.evaluate(&Request::new(who, action, resource, &context))
}

fn rule(id: &str, effect: Effect, action: &[&str], resource: &str) -> RuleDefinition {
    RuleDefinition {
        id: id.to_string(),
        effect,
        principal: None,
        action: ActionScope::Many(action.iter().map(|a| a.to_string()).collect()),
        resource: resource.into(),
        when: None,
        unless: None,
        description: None,
    }
}

fn document(rules: Vec<RuleDefinition>) -> PolicyDocument {
    let mut document = PolicyDocument::default();
    for (name, inherits) in [("admin", "editor"), ("editor", "viewer")] {
        let definition = RoleDefinition {
            inherits: vec![inherits.to_string()],
            description: None,
        };
        document.roles.insert(name.to_string(), definition);
    }
    document
        .roles
        .insert("viewer".to_string(), RoleDefinition::default());
    document.rules = rules;
    document
}

fn compile(rules: Vec<RuleDefinition>) -> Result<Policy, PolicyError> {
    Policy::from_document(document(rules), &PolicyLimits::default())
}

fn reasons(decision: &Decision) -> Vec<&str> {
    decision.reasons.iter().map(String::as_str).collect()
}

#[test]
fn default_deny_has_no_reasons() {
    let policy = compile(Vec::new()).unwrap();
    let decision = decide(&policy, &principal("a", &[]), "read", "x");
    assert_eq!(decision.decision, Outcome::Deny);
    assert!(decision.reasons.is_empty());
    assert!(decision.errors.is_empty());
}

#[test]
fn forbid_beats_every_permit() {
    let policy = compile(vec![
        rule("p1", Effect::Permit, &["read"], "*"),
        rule("f1", Effect::Forbid, &["read"], "doc:*"),
        rule("p2", Effect::Permit, &["*"], "doc:1"),
        rule("f2", Effect::Forbid, &["*"], "*"),
    ])
    .unwrap();
    let decision = decide(&policy, &principal("a", &[]), "read", "doc:1");
    assert_eq!(decision.decision, Outcome::Deny);
    assert_eq!(reasons(&decision), ["f1", "f2"]);
}

#[test]
fn allow_lists_all_permits_in_order() {
    let policy = compile(vec![
        rule("any", Effect::Permit, &["*"], "*"),
        rule("read", Effect::Permit, &["read"], "doc:*"),
        rule("other", Effect::Permit, &["write"], "*"),
        rule("any-doc", Effect::Permit, &["*"], "doc:*"),
    ])
    .unwrap();
    let decision = decide(&policy, &principal("a", &[]), "read", "doc:1");
    assert!(decision.is_allowed());
    assert_eq!(reasons(&decision), ["any", "read", "any-doc"]);
}

#[test]
fn role_scope_follows_inheritance() {
    let mut viewers = rule("viewers", Effect::Permit, &["read"], "*");
    viewers.principal = Some(PrincipalScope::Role("viewer".to_string()));
    let mut admins = rule("admins", Effect::Permit, &["read"], "*");
    admins.principal = Some(PrincipalScope::Role("admin".to_string()));
    let policy = compile(vec![viewers, admins]).unwrap();

    let admin = decide(&policy, &principal("a", &["admin"]), "read", "x");
    assert_eq!(reasons(&admin), ["viewers", "admins"]);
    let editor = decide(&policy, &principal("e", &["editor"]), "read", "x");
    assert_eq!(reasons(&editor), ["viewers"]);
    let nobody = decide(&policy, &principal("n", &[]), "read", "x");
    assert!(!nobody.is_allowed());
}

#[test]
fn undeclared_principal_role_grants_nothing() {
    let mut viewers = rule("viewers", Effect::Permit, &["read"], "*");
    viewers.principal = Some(PrincipalScope::Role("viewer".to_string()));
    let policy = compile(vec![viewers]).unwrap();
    let decision = decide(&policy, &principal("g", &["ghost", "Viewer"]), "read", "x");
    assert!(!decision.is_allowed());
}

#[test]
fn id_scope_is_exact() {
    let mut own = rule("own", Effect::Permit, &["write"], "draft:alice/*");
    own.principal = Some(PrincipalScope::Id("alice".to_string()));
    let policy = compile(vec![own]).unwrap();

    assert!(decide(&policy, &principal("alice", &[]), "write", "draft:alice/1").is_allowed());
    assert!(!decide(&policy, &principal("Alice", &[]), "write", "draft:alice/1").is_allowed());
    assert!(!decide(&policy, &principal("bob", &[]), "write", "draft:alice/1").is_allowed());
    assert!(!decide(&policy, &principal("alice", &[]), "write", "draft:bob/1").is_allowed());
}

#[test]
fn actions_compare_exactly() {
    let policy = compile(vec![rule("r", Effect::Permit, &["read", "read*"], "*")]).unwrap();
    let who = principal("a", &[]);
    assert!(decide(&policy, &who, "read", "x").is_allowed());
    assert!(decide(&policy, &who, "read*", "x").is_allowed());
    assert!(!decide(&policy, &who, "Read", "x").is_allowed());
    assert!(!decide(&policy, &who, "reads", "x").is_allowed());
    assert!(!decide(&policy, &who, "readme", "x").is_allowed());
    assert!(!decide(&policy, &who, "", "x").is_allowed());
}

#[test]
fn repeated_action_gives_one_reason() {
    let policy = compile(vec![rule("r", Effect::Permit, &["read", "read"], "*")]).unwrap();
    let decision = decide(&policy, &principal("a", &[]), "read", "x");
    assert_eq!(reasons(&decision), ["r"]);
}

#[test]
fn star_in_list_means_any_action() {
    let policy = compile(vec![rule("r", Effect::Permit, &["read", "*"], "*")]).unwrap();
    let decision = decide(&policy, &principal("a", &[]), "delete", "x");
    assert_eq!(reasons(&decision), ["r"]);
}

#[test]
fn empty_rule_id_rejected() {
    let error = compile(vec![rule("", Effect::Permit, &["read"], "*")]).unwrap_err();
    assert_eq!(
        error,
        PolicyError::InvalidRule {
            index: 0,
            id: String::new(),
            reason: "rule id is empty; give the rule a unique id"
        }
    );
}

#[test]
fn duplicate_rule_id_rejected() {
    let error = compile(vec![
        rule("r", Effect::Permit, &["read"], "*"),
        rule("r", Effect::Forbid, &["write"], "*"),
    ])
    .unwrap_err();
    assert_eq!(error, PolicyError::DuplicateRuleId { id: "r".into() });
}

#[test]
fn empty_action_list_rejected() {
    let error = compile(vec![rule("r", Effect::Permit, &[], "*")]).unwrap_err();
    assert_eq!(error.code(), "invalid_rule");
}

#[test]
fn empty_action_name_rejected() {
    let error = compile(vec![rule("r", Effect::Permit, &["read", ""], "*")]).unwrap_err();
    assert_eq!(error.code(), "invalid_rule");
}

#[test]
fn empty_principal_id_rejected() {
    let mut bad = rule("r", Effect::Permit, &["read"], "*");
    bad.principal = Some(PrincipalScope::Id(String::new()));
    assert_eq!(compile(vec![bad]).unwrap_err().code(), "invalid_rule");
}

#[test]
fn unknown_role_in_rule_rejected() {
    let mut bad = rule("r", Effect::Permit, &["read"], "*");
    bad.principal = Some(PrincipalScope::Role("ghost".to_string()));
    assert_eq!(
        compile(vec![bad]).unwrap_err(),
        PolicyError::UnknownRole {
            role: "ghost".into(),
            referenced_by: Referrer::Rule("r".into()),
        }
    );
}

#[test]
fn invalid_pattern_rejected() {
    let error = compile(vec![rule("r", Effect::Permit, &["read"], r"a\b")]).unwrap_err();
    assert_eq!(error.code(), "invalid_pattern");
    let error = compile(vec![rule("r", Effect::Permit, &["read"], "")]).unwrap_err();
    assert_eq!(error.code(), "invalid_pattern");
}

#[test]
fn unsupported_version_rejected() {
    let mut bad = document(Vec::new());
    bad.version = 3;
    let error = Policy::from_document(bad, &PolicyLimits::default()).unwrap_err();
    assert_eq!(error, PolicyError::UnsupportedVersion { version: 3 });
}

#[test]
fn rule_count_limit() {
    let limits = PolicyLimits {
        max_rules: 2,
        ..PolicyLimits::default()
    };
    let rules: Vec<RuleDefinition> = (0..3)
        .map(|i| rule(&format!("r{i}"), Effect::Permit, &["read"], "*"))
        .collect();

    let two = document(rules.iter().take(2).cloned().collect());
    assert_eq!(Policy::from_document(two, &limits).unwrap().rule_count(), 2);

    let error = Policy::from_document(document(rules), &limits).unwrap_err();
    assert_eq!(
        error,
        PolicyError::LimitExceeded {
            limit: LimitKind::Rules,
            max: 2,
            subject: None
        }
    );
}

#[test]
fn actions_per_rule_limit() {
    let limits = PolicyLimits {
        max_actions_per_rule: 2,
        ..PolicyLimits::default()
    };
    let ok = document(vec![rule("r", Effect::Permit, &["a", "b"], "*")]);
    assert!(Policy::from_document(ok, &limits).is_ok());
    let bad = document(vec![rule("r", Effect::Permit, &["a", "b", "c"], "*")]);
    let error = Policy::from_document(bad, &limits).unwrap_err();
    assert_eq!(
        error,
        PolicyError::LimitExceeded {
            limit: LimitKind::ActionsPerRule,
            max: 2,
            subject: Some("r".into())
        }
    );
}

#[test]
fn pattern_length_limit_in_bytes() {
    let limits = PolicyLimits {
        max_pattern_length: 4,
        ..PolicyLimits::default()
    };
    // `é` is two bytes of UTF-8, so `éé` is at the limit and `ééa` over.
    let ok = document(vec![rule("r", Effect::Permit, &["a"], "éé")]);
    assert!(Policy::from_document(ok, &limits).is_ok());
    let bad = document(vec![rule("r", Effect::Permit, &["a"], "ééa")]);
    let error = Policy::from_document(bad, &limits).unwrap_err();
    assert_eq!(
        error,
        PolicyError::LimitExceeded {
            limit: LimitKind::PatternLength,
            max: 4,
            subject: Some("r".into())
        }
    );
}

#[test]
fn effective_roles_sorted_and_deduplicated() {
    let policy = compile(Vec::new()).unwrap();
    let roles = ["editor", "zeta", "admin", "zeta"].map(String::from);
    assert_eq!(
        policy.effective_roles(&roles),
        ["admin", "editor", "viewer", "zeta"]
    );
    assert!(policy.effective_roles(&[]).is_empty());
}

#[test]
fn invalid_request_values_stay_out_of_messages() {
    let text = r#"version 2;
permit "office" action any resource like "*" when { inCidr(context.ip, "10.0.0.0/8") };
permit "recent" action any resource like "*" when { time(context.at) > 0 };"#;
    let policy = Policy::from_text(text).unwrap();
    let context = serde_json::json!({"ip": "alice@example.com", "at": "alice@example.com"});
    let who = principal("a", &[]);
    let decision = policy.evaluate(&Request::new(&who, "read", "x", &context));
    assert_eq!(decision.decision, Outcome::Deny);
    assert_eq!(decision.errors.len(), 2);
    for error in &decision.errors {
        assert!(!error.message.contains("alice"), "{}", error.message);
        assert!(error.message.contains("17 characters"), "{}", error.message);
    }
}

fn decide_with_context(policy: &Policy, context: &Value) -> Decision {
    let who = principal("alice", &["viewer"]);
    policy.evaluate(&Request::new(&who, "read", "doc:1", context))
}

#[test]
fn context_that_is_not_an_object_denied() {
    let policy = Policy::from_text(
        "version 2; permit \"p\" action any resource like \"*\" when { context has x || true };",
    )
    .unwrap();
    for (context, kind) in [
        (serde_json::json!("abc"), "a string"),
        (serde_json::json!(true), "a boolean"),
        (serde_json::json!(5), "a number"),
        (serde_json::json!(1.5), "a number"),
        (serde_json::json!([1]), "an array"),
    ] {
        let decision = decide_with_context(&policy, &context);
        assert_eq!(decision.decision, Outcome::Deny, "{context}");
        assert!(decision.reasons.is_empty(), "{context}");
        assert_eq!(decision.errors.len(), 1, "{context}");
        let error = &decision.errors[0];
        assert_eq!(error.code, "invalid_request", "{context}");
        assert_eq!(error.rule, None);
        assert_eq!(
            error.message,
            format!(
                "request `context` is {kind}, not a JSON object; pass an object, or `null` or \
                 nothing for an empty context"
            )
        );
        // The message names the type, never the value.
        assert!(!error.message.contains("abc"));

        let who = principal("alice", &["viewer"]);
        let explanation = policy.explain(&Request::new(&who, "read", "doc:1", &context));
        assert_eq!(explanation.decision, decision, "{context}");
    }
    for context in [
        Value::Null,
        serde_json::json!({}),
        serde_json::json!({"x": 1}),
    ] {
        assert!(
            decide_with_context(&policy, &context).is_allowed(),
            "{context}"
        );
    }
}

#[test]
fn absent_context_equals_empty_record() {
    let policy = Policy::from_text(
        "version 2; permit \"p\" action any resource like \"*\" when { context == {} };",
    )
    .unwrap();
    assert!(decide_with_context(&policy, &Value::Null).is_allowed());
    assert!(decide_with_context(&policy, &serde_json::json!({})).is_allowed());
    let full = decide_with_context(&policy, &serde_json::json!({"a": 1}));
    assert_eq!(full.decision, Outcome::Deny);
    assert!(full.errors.is_empty());
}

#[test]
fn type_mismatch_names_the_json_type() {
    let policy = Policy::from_text(
        "version 2; permit \"p\" action any resource like \"*\" when { context.v.x };",
    )
    .unwrap();
    for (value, kind) in [
        (serde_json::json!("s"), "a string"),
        (serde_json::json!(false), "a boolean"),
        (serde_json::json!(7), "an integer"),
        (
            serde_json::json!(7.5),
            "a number that is not a 64-bit integer",
        ),
        (serde_json::json!([]), "a list"),
    ] {
        let decision = decide_with_context(&policy, &serde_json::json!({ "v": value }));
        assert_eq!(decision.errors[0].code, "type_mismatch", "{value}");
        assert_eq!(
            decision.errors[0].message,
            format!("an attribute access must be an entity or record, not {kind}"),
            "{value}"
        );
    }
}

#[test]
fn describe_names_every_json_type() {
    use super::super::eval::describe_json;
    assert_eq!(describe_json(&serde_json::json!("s")), "a string");
    assert_eq!(describe_json(&serde_json::json!(true)), "a boolean");
    assert_eq!(describe_json(&serde_json::json!(-3)), "an integer");
    assert_eq!(
        describe_json(&serde_json::json!(0.5)),
        "a number that is not a 64-bit integer"
    );
    assert_eq!(describe_json(&Value::Null), "null");
    assert_eq!(describe_json(&serde_json::json!({})), "a record");
    assert_eq!(describe_json(&serde_json::json!([])), "a list");
}
