#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
//! Property test of the rule index: for random policies and requests, the
//! indexed decision equals the decision of a scan over every rule.

use mem8_guard::policy::{
    ActionScope, Effect, Expr, Policy, PolicyDocument, PolicyLimits, Principal, PrincipalScope,
    Request, ResourceScope, RoleDefinition, RuleDefinition, Var,
};
use proptest::prelude::*;
use serde_json::{json, Map, Value};

const ACTIONS: [&str; 4] = ["read", "write", "delete", "*"];
const ROLES: [&str; 4] = ["admin", "editor", "viewer", "guest"];
const IDS: [&str; 3] = ["alice", "bob", "carol"];
const PATTERNS: [&str; 8] = [
    "*", "doc:*", "doc:1", "img:*", "doc*", "*:1", "/api/*", "img:a*b",
];
const TYPES: [&str; 3] = ["doc", "img", "api"];
const RESOURCES: [&str; 9] = [
    "doc:1", "doc:2", "img:1", "img:ab", "docs:1", "/api/x", "/api", "api:1", "nocolon",
];

/// Conditions that are true, false or erroring depending on the request.
fn condition() -> impl Strategy<Value = Option<Expr>> {
    let level = Expr::Attr(Box::new(Expr::Var(Var::Context)), "level".into());
    let choices = vec![
        None,
        Some(Expr::Ge(
            Box::new(level.clone()),
            Box::new(Expr::Literal(json!(2))),
        )),
        Some(Expr::Eq(Box::new(level), Box::new(Expr::Literal(json!(1))))),
        Some(Expr::In(
            Box::new(Expr::Var(Var::Principal)),
            Box::new(Expr::Role("viewer".into())),
        )),
        Some(Expr::Like(
            Box::new(Expr::Attr(Box::new(Expr::Var(Var::Resource)), "id".into())),
            "*1".into(),
        )),
    ];
    prop::sample::select(choices)
}

fn rule(index: usize) -> impl Strategy<Value = RuleDefinition> {
    let principal = prop_oneof![
        Just(None),
        prop::sample::select(&ROLES[..]).prop_map(|r| Some(PrincipalScope::Role(r.into()))),
        prop::sample::select(&IDS[..]).prop_map(|i| Some(PrincipalScope::Id(i.into()))),
    ];
    let action = prop_oneof![
        prop::sample::select(&ACTIONS[..]).prop_map(|a| ActionScope::One(a.into())),
        prop::collection::vec(prop::sample::select(&ACTIONS[..]), 1..3)
            .prop_map(|names| ActionScope::Many(names.into_iter().map(String::from).collect())),
        Just(ActionScope::Group("writes".into())),
    ];
    let resource = prop_oneof![
        3 => prop::sample::select(&PATTERNS[..]).prop_map(ResourceScope::from),
        1 => prop::sample::select(&TYPES[..]).prop_map(|t| ResourceScope::Type(t.into())),
    ];
    (
        any::<bool>(),
        principal,
        action,
        resource,
        condition(),
        condition(),
    )
        .prop_map(
            move |(forbid, principal, action, resource, when, unless)| RuleDefinition {
                id: format!("r{index}"),
                effect: if forbid {
                    Effect::Forbid
                } else {
                    Effect::Permit
                },
                principal,
                action,
                resource,
                when,
                unless,
                description: None,
            },
        )
}

fn document() -> impl Strategy<Value = PolicyDocument> {
    prop::collection::vec(0..30_usize, 0..30)
        .prop_flat_map(|seeds| {
            let rules: Vec<_> = (0..seeds.len()).map(rule).collect();
            rules
        })
        .prop_map(|rules| {
            let mut document = PolicyDocument::default();
            let hierarchy = [("admin", "editor"), ("editor", "viewer")];
            for (role, parent) in hierarchy {
                let definition = RoleDefinition {
                    inherits: vec![parent.into()],
                    description: None,
                };
                document.roles.insert(role.into(), definition);
            }
            for role in ["viewer", "guest"] {
                document
                    .roles
                    .insert(role.into(), RoleDefinition::default());
            }
            document
                .action_groups
                .insert("writes".into(), vec!["write".into(), "delete".into()]);
            document
                .assignments
                .insert("carol".into(), vec!["editor".into()]);
            document.rules = rules;
            document
        })
}

fn request_parts() -> impl Strategy<Value = (String, Vec<String>, String, String, Value)> {
    (
        prop::sample::select(&IDS[..]),
        prop::collection::vec(prop::sample::select(&ROLES[..]), 0..3),
        prop::sample::select(&["read", "write", "delete", "other"][..]),
        prop::sample::select(&RESOURCES[..]),
        prop_oneof![
            Just(json!({})),
            (0..4_i64).prop_map(|level| json!({ "level": level }))
        ],
    )
        .prop_map(|(id, roles, action, resource, context)| {
            (
                id.to_string(),
                roles.into_iter().map(String::from).collect(),
                action.to_string(),
                resource.to_string(),
                context,
            )
        })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    /// The index may skip rules only when they cannot apply, so the whole
    /// decision (outcome, reasons and errors) is the same as a full scan.
    #[test]
    fn index_equals_full_scan(
        document in document(),
        requests in prop::collection::vec(request_parts(), 1..8),
    ) {
        let policy = Policy::from_document(document, &PolicyLimits::default()).unwrap();
        for (id, roles, action, resource, context) in requests {
            let principal = Principal { id, roles, attributes: Map::new() };
            let request = Request::new(&principal, &action, &resource, &context);
            let indexed = policy.evaluate(&request);
            let scanned = policy.evaluate_without_index(&request);
            prop_assert_eq!(&indexed, &scanned);
            prop_assert_eq!(&policy.explain(&request).decision, &indexed);
        }
    }
}
