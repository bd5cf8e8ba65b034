//! The guard pipeline on real signed tokens: role mapping from every claim
//! shape, token failures as explained denies, and policy outcomes.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use mem8_guard::guard::{Guard, GuardConfig, GuardRequest, PrincipalMapping};
use mem8_guard::policy::{Outcome, Policy};
use mem8_guard::token::{self, Algorithm, KeySet, SigningKey, Validation};
use serde_json::{json, Value};

const NOW: u64 = 1_800_000_000;

const POLICY: &str = r#"{
  "version": 1,
  "roles": {
    "reader": {},
    "writer": { "inherits": ["reader"] },
    "docs:read": {}
  },
  "rules": [
    { "id": "readers-read", "effect": "permit", "principal": { "role": "reader" },
      "action": "read", "resource": "doc:*" },
    { "id": "writers-write", "effect": "permit", "principal": { "role": "writer" },
      "action": "write", "resource": "doc:*" },
    { "id": "scope-read", "effect": "permit", "principal": { "role": "docs:read" },
      "action": "read", "resource": "doc:*" },
    { "id": "no-secret", "effect": "forbid", "action": "*", "resource": "doc:secret" }
  ]
}"#;

struct Fixture {
    key: SigningKey,
    guard: Guard,
}

fn fixture(roles_claims: &[&str]) -> Fixture {
    let key = SigningKey::generate(Algorithm::EdDSA, &mut rand_core::OsRng).unwrap();
    let keys = KeySet::from_keys(vec![key.verifying_key()]).unwrap();
    let mut mapping = PrincipalMapping::default();
    mapping.roles_claims = roles_claims.iter().map(|claim| claim.to_string()).collect();
    let mut config = GuardConfig::default();
    config.principal = mapping;
    let guard = Guard::new(config, keys, Policy::from_json(POLICY.as_bytes()).unwrap());
    Fixture { key, guard }
}

fn token(fixture: &Fixture, claims: Value) -> String {
    token::sign(claims.as_object().unwrap(), &fixture.key).unwrap()
}

fn check(
    fixture: &Fixture,
    jwt: &str,
    action: &str,
    resource: &str,
) -> mem8_guard::policy::Decision {
    let context = json!({});
    let request = GuardRequest {
        token: jwt,
        action,
        resource,
        context: &context,
        resource_attributes: None,
    };
    fixture.guard.check(&request, NOW)
}

#[test]
fn inherited_role_allows() {
    let fixture = fixture(&["roles"]);
    let jwt = token(
        &fixture,
        json!({"sub": "a", "exp": NOW + 60, "roles": ["writer"]}),
    );
    let decision = check(&fixture, &jwt, "read", "doc:1");
    assert_eq!(decision.decision, Outcome::Allow);
    assert_eq!(decision.reasons, vec!["readers-read"]);
}

#[test]
fn forbid_wins_over_role() {
    let fixture = fixture(&["roles"]);
    let jwt = token(
        &fixture,
        json!({"sub": "a", "exp": NOW + 60, "roles": ["writer"]}),
    );
    let decision = check(&fixture, &jwt, "read", "doc:secret");
    assert_eq!(decision.decision, Outcome::Deny);
    assert_eq!(decision.reasons, vec!["no-secret"]);
}

#[test]
fn scope_string_split_on_spaces() {
    let fixture = fixture(&["scope"]);
    let jwt = token(
        &fixture,
        json!({"sub": "a", "exp": NOW + 60, "scope": "openid  docs:read"}),
    );
    let decision = check(&fixture, &jwt, "read", "doc:1");
    assert_eq!(decision.reasons, vec!["scope-read"]);
}

#[test]
fn dotted_path_and_merged_claims() {
    let fixture = fixture(&["realm_access.roles", "scp"]);
    let jwt = token(
        &fixture,
        json!({"sub": "a", "exp": NOW + 60, "realm_access": {"roles": ["writer"]}, "scp": "docs:read"}),
    );
    let decision = check(&fixture, &jwt, "read", "doc:1");
    assert_eq!(decision.decision, Outcome::Allow);
    assert_eq!(decision.reasons, vec!["readers-read", "scope-read"]);
}

#[test]
fn namespaced_claim_name_read_whole() {
    let fixture = fixture(&["https://example.com/roles"]);
    let jwt = token(
        &fixture,
        json!({"sub": "a", "exp": NOW + 60, "https://example.com/roles": ["reader"]}),
    );
    assert!(check(&fixture, &jwt, "read", "doc:1").is_allowed());
}

#[test]
fn dotted_entry_reads_only_the_path() {
    // The README's mapping. A top-level claim named like the path is not
    // the path: it neither grants roles alone nor hides the nested claim.
    let fixture = fixture(&["roles", "realm_access.roles"]);
    let both = token(
        &fixture,
        json!({
            "sub": "a",
            "exp": NOW + 60,
            "realm_access.roles": ["writer"],
            "realm_access": {"roles": ["reader"]}
        }),
    );
    assert!(check(&fixture, &both, "read", "doc:1").is_allowed());
    assert!(!check(&fixture, &both, "write", "doc:1").is_allowed());

    let whole_only = token(
        &fixture,
        json!({"sub": "a", "exp": NOW + 60, "realm_access.roles": ["writer"]}),
    );
    let decision = check(&fixture, &whole_only, "write", "doc:1");
    assert_eq!(decision.decision, Outcome::Deny);
    assert!(decision.errors.is_empty());
}

#[test]
fn namespaced_entry_reads_only_the_name() {
    // Split on its dots, this entry would read `com/roles` inside a claim
    // named `https://example`, which a user may be able to set.
    let fixture = fixture(&["https://example.com/roles"]);
    let shadow = token(
        &fixture,
        json!({"sub": "a", "exp": NOW + 60, "https://example": {"com/roles": ["writer"]}}),
    );
    let decision = check(&fixture, &shadow, "write", "doc:1");
    assert_eq!(decision.decision, Outcome::Deny);
    assert!(decision.errors.is_empty());

    let named = token(
        &fixture,
        json!({"sub": "a", "exp": NOW + 60, "https://example.com/roles": ["writer"]}),
    );
    assert!(check(&fixture, &named, "write", "doc:1").is_allowed());
}

#[test]
fn malformed_entry_in_code_denies() {
    for entry in ["", "a..b", ".roles", "roles."] {
        let fixture = fixture(&["roles", entry]);
        let jwt = token(
            &fixture,
            json!({"sub": "a", "exp": NOW + 60, "roles": ["writer"]}),
        );
        let decision = check(&fixture, &jwt, "read", "doc:1");
        assert_eq!(decision.decision, Outcome::Deny, "{entry}");
        assert_eq!(decision.errors.len(), 1, "{entry}");
        assert_eq!(
            decision.errors[0].code, "principal_invalid_roles_claim",
            "{entry}"
        );
    }
}

#[test]
fn malformed_entry_rejected_at_load() {
    for entry in ["", "a..b", ".x", "x."] {
        let config = json!({"principal": {"roles_claims": ["roles", entry]}});
        let error = serde_json::from_value::<GuardConfig>(config).unwrap_err();
        assert!(
            error.to_string().contains("`roles_claims`"),
            "{entry}: {error}"
        );
    }
}

#[test]
fn empty_sub_denied() {
    let fixture = fixture(&["roles"]);
    let jwt = token(
        &fixture,
        json!({"sub": "", "exp": NOW + 60, "roles": ["writer"]}),
    );
    let decision = check(&fixture, &jwt, "read", "doc:1");
    assert_eq!(decision.decision, Outcome::Deny);
    assert_eq!(decision.errors.len(), 1);
    assert_eq!(decision.errors[0].code, "principal_empty_subject");
    assert!(
        decision.errors[0].message.contains("`sub` claim is empty"),
        "{}",
        decision.errors[0].message
    );
}

#[test]
fn malformed_roles_claim_denies() {
    let fixture = fixture(&["roles"]);
    for roles in [
        json!("reader"),
        json!(["reader", 7]),
        json!({"reader": true}),
        json!(7),
    ] {
        let jwt = token(
            &fixture,
            json!({"sub": "a", "exp": NOW + 60, "roles": roles}),
        );
        let decision = check(&fixture, &jwt, "read", "doc:1");
        if roles.is_string() {
            // A string is a space-separated list, so this one is well formed.
            assert!(decision.is_allowed(), "{roles}");
            continue;
        }
        assert_eq!(decision.decision, Outcome::Deny, "{roles}");
        assert_eq!(decision.errors.len(), 1, "{roles}");
        assert_eq!(
            decision.errors[0].code, "principal_invalid_roles",
            "{roles}"
        );
    }
}

#[test]
fn token_errors_become_explained_denies() {
    let fixture = fixture(&["roles"]);
    let expired = token(
        &fixture,
        json!({"sub": "a", "exp": NOW, "roles": ["writer"]}),
    );
    let no_sub = token(&fixture, json!({"exp": NOW + 60, "roles": ["writer"]}));
    let other_key = SigningKey::generate(Algorithm::EdDSA, &mut rand_core::OsRng).unwrap();
    let foreign = token::sign(
        json!({"sub": "a", "exp": NOW + 60}).as_object().unwrap(),
        &other_key,
    )
    .unwrap();

    for (jwt, code) in [
        (expired.as_str(), "token_expired"),
        (no_sub.as_str(), "token_missing_claim"),
        (foreign.as_str(), "token_unknown_key_id"),
        ("not-a-token", "token_malformed"),
        ("", "token_malformed"),
    ] {
        let decision = check(&fixture, jwt, "read", "doc:1");
        assert_eq!(decision.decision, Outcome::Deny, "{code}");
        assert!(decision.reasons.is_empty(), "{code}");
        assert_eq!(decision.errors.len(), 1, "{code}");
        assert_eq!(decision.errors[0].code, code);
        assert!(
            !decision.errors[0].message.contains(jwt) || jwt.is_empty(),
            "{code}"
        );
    }
}

#[test]
fn guard_requires_sub() {
    let fixture = fixture(&["roles"]);
    assert!(fixture
        .guard
        .validation()
        .required_claims
        .iter()
        .any(|claim| claim == "sub"));
    assert_eq!(Validation::default().required_claims, vec!["exp"]);
}

#[test]
fn decision_serializes_as_documented() {
    let fixture = fixture(&["roles"]);
    let jwt = token(
        &fixture,
        json!({"sub": "a", "exp": NOW + 60, "roles": ["reader"]}),
    );
    let decision = check(&fixture, &jwt, "read", "doc:1");
    assert_eq!(
        serde_json::to_string(&decision).unwrap(),
        r#"{"decision":"allow","reasons":["readers-read"],"errors":[]}"#
    );
}

#[test]
fn roles_split_only_on_spaces() {
    let fixture = fixture(&["scope"]);
    // U+00A0 is whitespace to Unicode but not an OAuth scope separator.
    let jwt = token(
        &fixture,
        json!({"sub": "a", "exp": NOW + 60, "scope": "openid\u{a0}docs:read"}),
    );
    let decision = check(&fixture, &jwt, "read", "doc:1");
    assert_eq!(decision.decision, Outcome::Deny);
    let principal = fixture
        .guard
        .principal(
            &token::verify(
                &jwt,
                &KeySet::from_keys(vec![fixture.key.verifying_key()]).unwrap(),
                fixture.guard.validation(),
                NOW,
            )
            .unwrap()
            .claims,
        )
        .unwrap();
    assert_eq!(principal.roles, vec!["openid\u{a0}docs:read"]);
}

#[test]
fn oversized_resource_denied_with_error() {
    let fixture = fixture(&["roles"]);
    let jwt = token(
        &fixture,
        json!({"sub": "a", "exp": NOW + 60, "roles": ["reader"]}),
    );
    let resource = format!("doc:{}", "x".repeat(5000));
    let decision = check(&fixture, &jwt, "read", &resource);
    assert_eq!(decision.decision, Outcome::Deny);
    assert_eq!(decision.errors.len(), 1);
    assert_eq!(decision.errors[0].code, "request_too_large");
}

const CONDITIONAL_POLICY: &str = r#"{
  "version": 2,
  "roles": { "writer": {} },
  "rules": [
    { "id": "own-docs", "effect": "permit", "principal": { "role": "writer" },
      "action": "write", "resource": { "type": "doc" },
      "when": { "&&": [
        { "==": [{ ".": [{ "var": "resource" }, "owner"] }, { ".": [{ "var": "principal" }, "sub"] }] },
        { "inCidr": [{ ".": [{ "var": "context" }, "ip"] }, "10.0.0.0/8"] }
      ] } },
    { "id": "no-contractors", "effect": "forbid", "action": "*", "resource": "*",
      "when": { "==": [{ ".": [{ "var": "principal" }, "employment"] }, { "value": "contractor" }] } }
  ]
}"#;

#[test]
fn conditions_read_claims_context_and_resource() {
    let key = SigningKey::generate(Algorithm::EdDSA, &mut rand_core::OsRng).unwrap();
    let keys = KeySet::from_keys(vec![key.verifying_key()]).unwrap();
    let policy = Policy::from_json(CONDITIONAL_POLICY.as_bytes()).unwrap();
    let guard = Guard::new(GuardConfig::default(), keys, policy);
    let claims =
        json!({"sub": "erin", "exp": NOW + 60, "roles": ["writer"], "employment": "staff"});
    let jwt = token::sign(claims.as_object().unwrap(), &key).unwrap();

    let mut attributes = serde_json::Map::new();
    attributes.insert("owner".into(), json!("erin"));
    let decide = |ip: &str, attributes: &serde_json::Map<String, Value>| {
        let context = json!({ "ip": ip });
        guard.check(
            &GuardRequest {
                token: &jwt,
                action: "write",
                resource: "doc:1",
                context: &context,
                resource_attributes: Some(attributes),
            },
            NOW,
        )
    };

    let inside = decide("10.2.3.4", &attributes);
    assert_eq!(inside.decision, Outcome::Allow, "{inside:?}");
    assert_eq!(inside.reasons, ["own-docs"]);

    let outside = decide("192.0.2.1", &attributes);
    assert_eq!(outside.decision, Outcome::Deny);
    assert!(outside.errors.is_empty());

    attributes.insert("owner".into(), json!("dave"));
    let other_owner = decide("10.2.3.4", &attributes);
    assert_eq!(other_owner.decision, Outcome::Deny);
}

#[test]
fn forbid_on_missing_claim_fails_closed() {
    let key = SigningKey::generate(Algorithm::EdDSA, &mut rand_core::OsRng).unwrap();
    let keys = KeySet::from_keys(vec![key.verifying_key()]).unwrap();
    let policy = Policy::from_json(CONDITIONAL_POLICY.as_bytes()).unwrap();
    let guard = Guard::new(GuardConfig::default(), keys, policy);
    // No `employment` claim: the forbid cannot be evaluated, so it denies.
    let claims = json!({"sub": "erin", "exp": NOW + 60, "roles": ["writer"]});
    let jwt = token::sign(claims.as_object().unwrap(), &key).unwrap();
    let mut attributes = serde_json::Map::new();
    attributes.insert("owner".into(), json!("erin"));
    let context = json!({ "ip": "10.2.3.4" });
    let decision = guard.check(
        &GuardRequest {
            token: &jwt,
            action: "write",
            resource: "doc:1",
            context: &context,
            resource_attributes: Some(&attributes),
        },
        NOW,
    );
    assert_eq!(decision.decision, Outcome::Deny);
    assert_eq!(decision.reasons, ["no-contractors"]);
    assert_eq!(decision.errors[0].code, "missing_attribute");
    assert_eq!(decision.errors[0].rule.as_deref(), Some("no-contractors"));
}
