//! Role-based authorization: roles with inheritance, and permit and forbid
//! rules over actions and resource patterns.
//!
//! A policy is a JSON document, read into [`PolicyDocument`] and compiled
//! into a [`Policy`]. Loading validates everything, so [`Policy::evaluate`]
//! cannot fail. It returns a [`Decision`] naming the rules that decided it.
//!
//! # Semantics
//!
//! - Default deny: a request that no rule matches is denied.
//! - A matching `forbid` rule denies, whatever `permit` rules also match.
//! - A rule matches when its `action` contains the request's action (or is
//!   `*`), its `principal` scope contains the principal (or is absent), and
//!   its `resource` pattern matches the whole resource.
//! - `{"role": R}` contains every principal that has `R` or a role
//!   inheriting `R`. Roles form a directed acyclic graph. Every closure is
//!   computed at load, so evaluation does not walk the graph. A principal's
//!   roles that the policy does not declare grant nothing.
//! - Resource patterns are anchored globs: `*` matches any run of characters,
//!   `\*` is a literal star and `\\` a literal backslash. So `/api/*` matches
//!   `/api/` and `/api/x`, but not `/api` or `/apix`.
//! - Names, ids and resources compare exactly, character by character, with
//!   no case folding or Unicode normalization.
//!
//! # Format
//!
//! Every object rejects unknown members, and every object member name must
//! be unique. A document written for a later version, which has
//! conditions, say, therefore fails to load here instead of granting more
//! than it says. Limits on size and depth are in [`PolicyLimits`].
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
pub use limits::{LimitKind, PolicyLimits};
pub use request::{Principal, Request, RequestData};
pub use review::{AccessReport, Permission, PermissionReport, SubjectAccess};
pub use schema::{ActionDeclaration, AttributeType, Diagnostic, Schema, Severity};
pub use text::{format_text, parse_text, MAX_FORMAT_DEPTH};

/// Returns the type of `resource`: the text before its first `:`, or
/// `None` when it has no `:`. The type of `document:42` is `document`.
pub fn resource_type(resource: &str) -> Option<&str> {
    resource
        .split_once(':')
        .map(|(resource_type, _)| resource_type)
}
