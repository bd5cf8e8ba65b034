//! The RBAC + ABAC workload shared by the benchmark and its equivalence
//! check: the same rules, roles and requests for mem8-guard and Cedar.
//!
//! A policy of `n` rules has ten actions, `max(1, n / 10)` resource types
//! and a chain of ten roles (`role0` inherits `role1` inherits ... `role9`).
//! Rule `i` permits principals in `role(i % 10)` to perform `action(i % 10)`
//! on resources of type `T(i / 10)` when `context.level >= i % 5`. One
//! blanket forbid denies every request whose context has `blocked: true`.
//! Each request is in the scope of one permit rule besides the forbid,
//! whatever `n`. Requests for actions 4 and 9 fail that rule's condition,
//! because their context level 3 is below 4, so they are denied.

#![allow(missing_docs)]

use std::fmt::Write as _;

use cedar_policy::{Authorizer, Context, Entities, EntityUid, PolicySet};
use mem8_guard::policy::{Policy, Principal, Request};
use serde_json::{json, Value};

pub const ROLES: usize = 10;
pub const ACTIONS: usize = 10;

pub fn type_count(rules: usize) -> usize {
    (rules / ACTIONS).max(1)
}

/// Builds the policy in mem8-guard's JSON form.
pub fn mem8_policy(rules: usize) -> Policy {
    let mut roles = serde_json::Map::new();
    for role in 0..ROLES {
        let inherits: Vec<String> = (role + 1..ROLES.min(role + 2))
            .map(|r| format!("role{r}"))
            .collect();
        roles.insert(format!("role{role}"), json!({ "inherits": inherits }));
    }
    let mut list = Vec::with_capacity(rules + 1);
    for i in 0..rules {
        list.push(json!({
            "id": format!("p{i}"),
            "effect": "permit",
            "principal": { "role": format!("role{}", i % ROLES) },
            "action": format!("action{}", i % ACTIONS),
            "resource": { "type": format!("T{}", (i / ACTIONS) % type_count(rules)) },
            "when": { ">=": [{ ".": [{ "var": "context" }, "level"] }, { "value": i % 5 }] }
        }));
    }
    list.push(json!({
        "id": "blocked", "effect": "forbid", "action": "*", "resource": "*",
        "when": { "==": [{ ".": [{ "var": "context" }, "blocked"] }, { "value": true }] }
    }));
    let document = json!({ "version": 2, "roles": roles, "rules": list });
    match Policy::from_json(document.to_string().as_bytes()) {
        Ok(policy) => policy,
        Err(error) => panic!("workload policy does not load: {error}"),
    }
}

/// Builds the same policy in Cedar's syntax, with the role chain as entities.
pub fn cedar_policy(rules: usize) -> (PolicySet, Entities) {
    let mut text = String::new();
    for i in 0..rules {
        let _ = writeln!(
            text,
            "@id(\"p{i}\") permit(principal in Role::\"role{}\", action == Action::\"action{}\", resource is T{}) when {{ context.level >= {} }};",
            i % ROLES,
            i % ACTIONS,
            (i / ACTIONS) % type_count(rules),
            i % 5
        );
    }
    text.push_str(
        "@id(\"blocked\") forbid(principal, action, resource) when { context.blocked == true };\n",
    );
    let policies: PolicySet = match text.parse() {
        Ok(policies) => policies,
        Err(error) => panic!("cedar policies do not parse: {error}"),
    };

    let mut entities = Vec::new();
    for role in 0..ROLES {
        let parents: Vec<Value> = (role + 1..ROLES.min(role + 2))
            .map(|r| json!({ "type": "Role", "id": format!("role{r}") }))
            .collect();
        entities.push(json!({ "uid": { "type": "Role", "id": format!("role{role}") }, "attrs": {}, "parents": parents }));
    }
    entities.push(json!({ "uid": { "type": "User", "id": "alice" }, "attrs": {}, "parents": [{ "type": "Role", "id": "role0" }] }));
    let entities = match Entities::from_json_value(Value::Array(entities), None) {
        Ok(entities) => entities,
        Err(error) => panic!("cedar entities do not load: {error}"),
    };
    (policies, entities)
}

/// One request: an action index and a resource type index.
#[derive(Clone, Copy)]
pub struct Sample {
    pub action: usize,
    pub resource_type: usize,
}

/// Requests cycling over actions and types, so that every bucket is hit.
pub fn samples(rules: usize) -> Vec<Sample> {
    (0..64)
        .map(|k| Sample {
            action: (k * 7) % ACTIONS,
            resource_type: (k * 13) % type_count(rules),
        })
        .collect()
}

pub struct Mem8Request {
    pub action: String,
    pub resource: String,
}

pub fn mem8_requests(rules: usize) -> Vec<Mem8Request> {
    samples(rules)
        .into_iter()
        .map(|s| Mem8Request {
            action: format!("action{}", s.action),
            resource: format!("T{}:doc", s.resource_type),
        })
        .collect()
}

pub fn mem8_principal() -> Principal {
    Principal {
        id: "alice".into(),
        roles: vec!["role0".into()],
        ..Principal::default()
    }
}

pub fn context() -> Value {
    json!({ "level": 3, "blocked": false })
}

pub fn mem8_decide(
    policy: &Policy,
    principal: &Principal,
    request: &Mem8Request,
    context: &Value,
) -> bool {
    policy
        .evaluate(&Request::new(
            principal,
            &request.action,
            &request.resource,
            context,
        ))
        .is_allowed()
}

pub fn cedar_requests(rules: usize) -> Vec<cedar_policy::Request> {
    let context = match Context::from_json_value(context(), None) {
        Ok(context) => context,
        Err(error) => panic!("cedar context: {error}"),
    };
    samples(rules)
        .into_iter()
        .map(|s| {
            let uid = |text: String| -> EntityUid {
                match text.parse() {
                    Ok(uid) => uid,
                    Err(error) => panic!("cedar uid `{text}`: {error}"),
                }
            };
            let request = cedar_policy::Request::new(
                uid(String::from("User::\"alice\"")),
                uid(format!("Action::\"action{}\"", s.action)),
                uid(format!("T{}::\"doc\"", s.resource_type)),
                context.clone(),
                None,
            );
            match request {
                Ok(request) => request,
                Err(error) => panic!("cedar request: {error}"),
            }
        })
        .collect()
}

pub fn cedar_decide(
    authorizer: &Authorizer,
    request: &cedar_policy::Request,
    policies: &PolicySet,
    entities: &Entities,
) -> bool {
    authorizer
        .is_authorized(request, policies, entities)
        .decision()
        == cedar_policy::Decision::Allow
}
