#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
//! Differential property tests: random policies, requests and tokens give
//! the same result natively and in the wasmtime host.

mod common;

use mem8_guard::guard::{Guard, GuardConfig, GuardRequest};
use mem8_guard::policy::{Policy, PolicyLimits, Principal, Request};
use mem8_guard::token::{self, KeySet, SigningKey, Validation};
use proptest::prelude::*;
use serde_json::{json, Map, Value};

const ROLES: [&str; 5] = ["viewer", "editor", "admin", "auditor", "ghost"];
const ACTIONS: [&str; 5] = ["read", "write", "delete", "list", "share"];
const IDS: [&str; 3] = ["alice", "bob", "carol"];

fn role() -> impl Strategy<Value = &'static str> {
    prop::sample::select(&ROLES[..])
}

fn resource() -> impl Strategy<Value = String> {
    (
        prop::sample::select(&["document", "draft", "archive", "secret"][..]),
        0u8..4,
        any::<bool>(),
    )
        .prop_map(|(kind, number, nested)| {
            if nested {
                format!("{kind}:{number}/x")
            } else {
                format!("{kind}:{number}")
            }
        })
}

fn pattern() -> impl Strategy<Value = String> {
    prop_oneof![
        Just(String::from("*")),
        resource(),
        prop::sample::select(&["document:*", "draft:*/x", "archive:*", "*:1", "secret:\\*"][..])
            .prop_map(String::from),
    ]
}

fn rule(index: usize) -> impl Strategy<Value = Value> {
    let principal = prop_oneof![
        Just(Value::Null),
        role().prop_map(|role| json!({ "role": role })),
        prop::sample::select(&IDS[..]).prop_map(|id| json!({ "id": id })),
    ];
    let action = prop_oneof![
        Just(json!("*")),
        prop::sample::select(&ACTIONS[..]).prop_map(|action| json!(action)),
        prop::sample::subsequence(&ACTIONS[..], 1..4).prop_map(|actions| json!(actions)),
    ];
    (any::<bool>(), principal, action, pattern()).prop_map(
        move |(forbid, principal, action, resource)| {
            let mut rule = json!({
                "id": format!("rule-{index}"),
                "effect": if forbid { "forbid" } else { "permit" },
                "action": action,
                "resource": resource,
            });
            if !principal.is_null() {
                rule["principal"] = principal;
            }
            rule
        },
    )
}

fn policy_document() -> impl Strategy<Value = Value> {
    let inherits = prop::collection::vec(prop::collection::vec(role(), 0..3), ROLES.len());
    let rules = (0usize..8).prop_flat_map(|count| (0..count).map(rule).collect::<Vec<_>>());
    (inherits, rules).prop_map(|(inherits, rules)| {
        let mut roles = Map::new();
        for (name, parents) in ROLES.iter().zip(inherits) {
            roles.insert(String::from(*name), json!({ "inherits": parents }));
        }
        json!({ "version": 1, "roles": roles, "rules": rules })
    })
}

fn principal() -> impl Strategy<Value = Principal> {
    (
        prop::sample::select(&IDS[..]),
        prop::collection::vec(role(), 0..3),
    )
        .prop_map(|(id, roles)| Principal {
            id: String::from(id),
            roles: roles.into_iter().map(String::from).collect(),
            attributes: Map::new(),
        })
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 256, ..ProptestConfig::default() })]

    /// Random documents (including ones that fail to load, such as role
    /// cycles) and requests: same load error or same decision.
    #[test]
    fn policy_decisions_match(
        document in policy_document(),
        principal in principal(),
        action in prop::sample::select(&ACTIONS[..]),
        resource in resource(),
    ) {
        let text = document.to_string();
        let native = Policy::from_json(text.as_bytes());
        let hosted = common::host().policy(&text, &PolicyLimits::default());
        match (native, hosted) {
            (Err(native), Err(hosted)) => {
                let guest = hosted.guest().expect("a guest error");
                prop_assert_eq!(native.code(), guest.code.as_str());
                prop_assert_eq!(native.to_string(), guest.message.clone());
            }
            (Ok(native), Ok(hosted)) => {
                let context = json!({});
                let want = native.evaluate(&Request { principal: &principal, action, resource: &resource, resource_attributes: None, context: &context });
                let got = hosted.evaluate(&principal, action, &resource, &context).unwrap();
                prop_assert_eq!(want, got);
            }
            (native, hosted) => prop_assert!(false, "native {:?} but host {:?}", native.err(), hosted.err()),
        }
    }

    /// Random claims and clock offsets through the whole pipeline.
    #[test]
    fn guard_checks_match(
        document in policy_document(),
        roles in prop::collection::vec(role(), 0..3),
        exp_offset in -120i64..120,
        nbf_offset in prop::option::of(-60i64..60),
        leeway in 0u64..30,
        action in prop::sample::select(&ACTIONS[..]),
        resource in resource(),
        tamper in any::<bool>(),
    ) {
        let now = 1_700_000_000u64;
        let policy_text = document.to_string();
        let Ok(policy) = Policy::from_json(policy_text.as_bytes()) else {
            return Ok(());
        };
        let key = SigningKey::from_jwk_json(JWK.as_bytes()).unwrap();
        let mut claims = json!({ "sub": "alice", "roles": roles, "exp": now.saturating_add_signed(exp_offset) });
        if let Some(offset) = nbf_offset {
            claims["nbf"] = json!(now.saturating_add_signed(offset));
        }
        let mut jwt = token::sign(claims.as_object().unwrap(), &key).unwrap();
        if tamper {
            jwt.push('A');
        }
        let jwks = format!(r#"{{"keys":[{}]}}"#, PUBLIC_JWK);
        let mut config = GuardConfig::default();
        let mut validation = Validation::default();
        validation.leeway = leeway;
        config.validation = validation;

        let keys = KeySet::from_json(jwks.as_bytes()).unwrap();
        let native = Guard::new(config.clone(), keys, policy);
        let hosted = common::host().pipeline(&jwks, &policy_text, &config).unwrap();
        let context = json!({ "ip": "127.0.0.1" });
        let want = native.check(&GuardRequest { token: &jwt, action, resource: &resource, resource_attributes: None, context: &context }, now);
        let got = hosted.check(&jwt, action, &resource, &context, now).unwrap();
        prop_assert_eq!(want, got);
    }
}

/// A test-only HS256 key; an HMAC key set holds the secret itself.
const JWK: &str =
    r#"{"kty":"oct","kid":"diff","alg":"HS256","k":"c2VjcmV0LXNlY3JldC1zZWNyZXQtc2VjcmV0LTEyMzQ"}"#;
const PUBLIC_JWK: &str = JWK;
