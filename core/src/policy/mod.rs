//! Authorization policies: roles with inheritance, and permit and forbid
//! rules with conditions over the principal, the resource and the context.
//!
//! A policy is a JSON document, read into [`PolicyDocument`], or the same
//! document in the text form ([`parse_text`], [`format_text`]). Loading
//! validates everything and compiles it into a [`Policy`], whose
//! [`Policy::evaluate`] returns a [`Decision`] naming the rules that
//! decided it and the errors of rules that failed.
//!
//! # Semantics
//!
//! - Default deny: a request that no rule grants is denied.
//! - A satisfied `forbid` rule denies, whatever `permit` rules also match.
//! - A rule is satisfied when the request is in all three of its scopes and
//!   its conditions hold. The action scope is a name, a list, a group or
//!   `*`. The principal scope is a role, an id, or absent for everyone. The
//!   resource scope is an anchored pattern or a resource type. Then `when`
//!   must be `true` and `unless` must be `false`.
//! - Fail closed: a forbid rule whose condition errors (missing attribute,
//!   type mismatch, invalid value, limit) denies and reports the error; a
//!   permit rule whose condition errors grants nothing and reports it.
//!   Cedar differs: it skips an erroring forbid, which can then allow.
//! - `{"role": R}` contains every principal that has `R` or a role
//!   inheriting `R`, given in the request or assigned by the document's
//!   `assignments`. Roles form a directed acyclic graph. Every closure is
//!   computed at load, so evaluation does not walk the graph. A principal's
//!   roles that the policy does not declare grant nothing.
//! - Resource patterns are anchored globs: `*` matches any run of characters,
//!   `\*` is a literal star and `\\` a literal backslash. So `/api/*` matches
//!   `/api/` and `/api/x`, but not `/api` or `/apix`. The type of a
//!   resource is the text before its first `:`.
//! - Names, ids, resources and strings in conditions compare exactly,
//!   character by character, with no case folding or Unicode normalization.
//! - Evaluation is bounded: conditions at most `max_expression_depth` deep,
//!   at most `max_steps` steps per decision and lists of at most
//!   `max_list_length` elements (see [`PolicyLimits`]).
//!
//! # Format
//!
//! Every object rejects unknown members, and every object member name must
//! be unique. Version 2 adds conditions, action groups, resource types and
//! role assignments. A version 1 document loads with its original meaning
//! and rejects those fields, and a reader that knows only version 1 rejects
//! a version 2 document by its version instead of guessing.
//!
//! # Example
//!
//! ```
//! use mem8_guard::policy::{Policy, Principal, Request};
//!
//! let policy = Policy::from_json(br#"{
//!     "version": 1,
//!     "roles": {
//!         "editor": { "inherits": ["viewer"] },
//!         "viewer": {}
//!     },
//!     "rules": [
//!         { "id": "viewers-read", "effect": "permit", "principal": { "role": "viewer" },
//!           "action": ["read", "list"], "resource": "document:*" },
//!         { "id": "no-secret", "effect": "forbid", "action": "*", "resource": "document:secret" }
//!     ]
//! }"#)?;
//!
//! // An editor inherits the viewer's permission to read documents.
//! let alice = Principal { id: "alice".into(), roles: vec!["editor".into()], ..Default::default() };
//! let context = serde_json::Value::Null;
//! let mut request = Request::new(&alice, "read", "document:1", &context);
//! let decision = policy.evaluate(&request);
//! assert!(decision.is_allowed());
//! assert_eq!(decision.reasons, ["viewers-read"]);
//!
//! // The forbid rule wins over the permit rule.
//! request.resource = "document:secret";
//! let decision = policy.evaluate(&request);
//! assert!(!decision.is_allowed());
//! assert_eq!(decision.reasons, ["no-secret"]);
//! # Ok::<(), mem8_guard::policy::PolicyError>(())
//! ```

mod cond;
mod decide;
mod decision;
mod document;
mod engine;
mod error;
mod eval;
mod expr;
mod index;
mod json_form;
mod limits;
mod lint;
mod load;
mod pattern;
mod request;
mod review;
mod roles;
mod scalar;
mod schema;
mod text;

pub use decide::{Explanation, RuleResult, RuleTrace};
pub use decision::{Decision, DecisionError, Outcome};
pub use document::{
    ActionScope, Effect, PolicyDocument, PrincipalScope, ResourceScope, RoleDefinition,
    RuleDefinition, POLICY_VERSION, POLICY_VERSION_1,
};
pub use engine::Policy;
pub use error::{DocumentLocation, PatternProblem, PolicyError, Referrer};
pub use expr::{Expr, Var};
pub use limits::{LimitKind, PolicyLimits, MAX_SUPPORTED_COUNT, MAX_SUPPORTED_EXPRESSION_DEPTH};
pub use request::{
    Principal, Request, RequestData, RequestError, MAX_REQUEST_DEPTH, MAX_REQUEST_MEMBERS,
    REQUEST_OBJECT_LIMITS,
};
pub use review::{AccessReport, Permission, PermissionReport, SubjectAccess};
pub use schema::{
    ActionDeclaration, AttributeType, Diagnostic, Schema, Severity, MAX_SCHEMA_DEPTH,
    MAX_SCHEMA_MEMBERS,
};
pub use text::{format_text, parse_text, MAX_FORMAT_DEPTH};

/// Returns the type of `resource`: the text before its first `:`, or
/// `None` when it has no `:`. The type of `document:42` is `document`.
pub fn resource_type(resource: &str) -> Option<&str> {
    resource
        .split_once(':')
        .map(|(resource_type, _)| resource_type)
}
