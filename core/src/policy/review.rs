//! Access review: the permissions a principal or role has, who can perform
//! an action on a resource, and permit rules that past decisions never used.
//!
//! These queries read rule scopes only. A rule with a `when` or `unless`
//! condition is reported with `conditional: true`, because whether it
//! applies depends on the request.

use alloc::collections::BTreeMap;
use alloc::string::String;
use alloc::vec::Vec;

use serde::{Deserialize, Serialize};

use super::decision::{Decision, Outcome};
use super::document::{Effect, ResourceScope};
use super::engine::{CompiledPrincipal, CompiledResource, CompiledRule, Policy};
use super::error::{PolicyError, Referrer};
use super::roles::RoleSet;

/// One rule that applies to a principal or role.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Permission {
    /// The rule's id.
    pub rule: String,
    /// The rule's effect.
    pub effect: Effect,
    /// The actions, sorted, or `["*"]` for every action.
    pub actions: Vec<String>,
    /// The resource scope as written.
    pub resource: ResourceScope,
    /// Whether the rule has a `when` or `unless` condition.
    pub conditional: bool,
}

/// The rules that apply to one principal or role.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PermissionReport {
    /// The effective roles, sorted: given and assigned roles and everything
    /// they inherit.
    pub roles: Vec<String>,
    /// Permit rules in scope, in policy order.
    pub permits: Vec<Permission>,
    /// Forbid rules in scope, in policy order, which override the permits
    /// where both match.
    pub forbids: Vec<Permission>,
}

/// The roles and principals that rules allow to perform one action on one
/// resource.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AccessReport {
    /// Permit rules in scope for every principal.
    pub everyone: Vec<String>,
    /// Declared roles that a permit rule in scope reaches, sorted by name.
    pub roles: Vec<SubjectAccess>,
    /// Principal ids named by permit rules in scope or assigned a role in
    /// `roles`, sorted.
    pub principals: Vec<SubjectAccess>,
}

/// The rules that decide one role's or principal's access.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SubjectAccess {
    /// The role name or principal id.
    pub name: String,
    /// Permit rules that apply, in policy order.
    pub permits: Vec<String>,
    /// Forbid rules that apply, in policy order.
    pub forbids: Vec<String>,
    /// `true` when some permit has no condition and no forbid applies, so
    /// access does not depend on the request's attributes or context.
    pub certain: bool,
}

impl Policy {
    /// Lists the rules that apply to `principal_id` with `roles` (as a token
    /// would give them), adding the roles the document assigns to the id.
    pub fn permissions_of_principal(
        &self,
        principal_id: &str,
        roles: &[String],
    ) -> PermissionReport {
        let set = self.principal_roles(principal_id, roles);
        self.permission_report(&set, Some(principal_id))
    }

    /// Lists the rules that apply to any principal holding `role`.
    ///
    /// # Errors
    ///
    /// [`PolicyError::UnknownRole`] when `role` is not declared.
    pub fn permissions_of_role(&self, role: &str) -> Result<PermissionReport, PolicyError> {
        let Some(index) = self.roles.index_of(role) else {
            return Err(PolicyError::UnknownRole {
                role: String::from(role),
                referenced_by: Referrer::Query,
            });
        };
        let set = self.roles.effective_set_with(&[], &[index]);
        Ok(self.permission_report(&set, None))
    }

    /// Lists the roles and principals that rules allow to perform `action`
    /// on `resource`, with the forbid rules that can stop each.
    pub fn who_can(&self, action: &str, resource: &str) -> AccessReport {
        let in_scope: Vec<&CompiledRule> = self
            .rules
            .iter()
            .filter(|rule| rule.action_matches(action) && rule.resource_matches(resource))
            .collect();
        let everyone = in_scope
            .iter()
            .filter(|rule| rule.effect == Effect::Permit)
            .filter(|rule| matches!(rule.principal, CompiledPrincipal::Any))
            .map(|rule| rule.id.clone())
            .collect();

        let mut roles = Vec::new();
        for index in 0..self.roles.len() {
            let set = self.roles.effective_set_with(&[], &[index]);
            if let Some(name) = self.roles.name(index) {
                if let Some(access) = subject_access(name, &in_scope, &set, None) {
                    roles.push(access);
                }
            }
        }

        // Principals named by rules, and principals the document assigns.
        let mut ids: BTreeMap<&str, ()> = BTreeMap::new();
        for rule in &in_scope {
            if let CompiledPrincipal::Id(id) = &rule.principal {
                ids.insert(id, ());
            }
        }
        for id in self.assignments.keys() {
            ids.insert(id, ());
        }
        let principals = ids
            .keys()
            .filter_map(|id| {
                let set = self.principal_roles(id, &[]);
                subject_access(id, &in_scope, &set, Some(id))
            })
            .collect();

        AccessReport {
            everyone,
            roles,
            principals,
        }
    }

    /// Returns the ids of permit rules that no allow in `decisions` names as
    /// a reason, in policy order: candidates for removal in a
    /// least-privilege review.
    pub fn unused_permissions(&self, decisions: &[Decision]) -> Vec<String> {
        let mut used = BTreeMap::new();
        for decision in decisions {
            if decision.decision == Outcome::Allow {
                for reason in &decision.reasons {
                    used.insert(reason.as_str(), ());
                }
            }
        }
        self.rules
            .iter()
            .filter(|rule| rule.effect == Effect::Permit && !used.contains_key(rule.id.as_str()))
            .map(|rule| rule.id.clone())
            .collect()
    }

    fn permission_report(&self, set: &RoleSet, id: Option<&str>) -> PermissionReport {
        let mut permits = Vec::new();
        let mut forbids = Vec::new();
        for (rule, definition) in self.rules.iter().zip(&self.document.rules) {
            if !rule.principal_in_scope(set, id) {
                continue;
            }
            let permission = Permission {
                rule: rule.id.clone(),
                effect: rule.effect,
                actions: rule
                    .actions
                    .clone()
                    .unwrap_or_else(|| alloc::vec![String::from("*")]),
                resource: definition.resource.clone(),
                conditional: rule.when.is_some() || rule.unless.is_some(),
            };
            match rule.effect {
                Effect::Permit => permits.push(permission),
                Effect::Forbid => forbids.push(permission),
            }
        }
        PermissionReport {
            roles: self.roles.names_in(set).map(String::from).collect(),
            permits,
            forbids,
        }
    }
}

/// Builds the access of one role or principal, or `None` when no permit
/// applies.
fn subject_access(
    name: &str,
    rules: &[&CompiledRule],
    set: &RoleSet,
    id: Option<&str>,
) -> Option<SubjectAccess> {
    let applying: Vec<&&CompiledRule> = rules
        .iter()
        .filter(|rule| {
            !matches!(rule.principal, CompiledPrincipal::Any) || rule.effect == Effect::Forbid
        })
        .filter(|rule| rule.principal_in_scope(set, id))
        .collect();
    let permits: Vec<String> = applying
        .iter()
        .filter(|rule| rule.effect == Effect::Permit)
        .map(|rule| rule.id.clone())
        .collect();
    if permits.is_empty() {
        return None;
    }
    let forbids: Vec<String> = applying
        .iter()
        .filter(|rule| rule.effect == Effect::Forbid)
        .map(|rule| rule.id.clone())
        .collect();
    let unconditional_permit = applying
        .iter()
        .any(|rule| rule.effect == Effect::Permit && rule.when.is_none() && rule.unless.is_none());
    Some(SubjectAccess {
        name: String::from(name),
        permits,
        certain: unconditional_permit && forbids.is_empty(),
        forbids,
    })
}

impl CompiledRule {
    pub(crate) fn action_matches(&self, action: &str) -> bool {
        self.actions
            .as_ref()
            .is_none_or(|names| names.iter().any(|name| name == action))
    }

    pub(crate) fn resource_matches(&self, resource: &str) -> bool {
        match &self.resource {
            CompiledResource::Pattern(pattern) => pattern.matches(resource),
            CompiledResource::Type(name) => super::resource_type(resource) == Some(name.as_str()),
        }
    }

    /// Returns whether a principal with the effective roles `set` (and the
    /// id, when known) is in the rule's principal scope.
    fn principal_in_scope(&self, set: &RoleSet, id: Option<&str>) -> bool {
        match &self.principal {
            CompiledPrincipal::Any => true,
            CompiledPrincipal::Role(role) => set.contains(*role),
            CompiledPrincipal::Id(rule_id) => id == Some(rule_id.as_str()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::policy::{Principal, Request};
    use alloc::vec;

    const POLICY: &str = r#"{"version":2,
        "roles":{"admin":{"inherits":["editor"]},"editor":{"inherits":["viewer"]},"viewer":{}},
        "assignments":{"carol":["admin"]},
        "rules":[
            {"id":"read","effect":"permit","principal":{"role":"viewer"},"action":"read","resource":"doc:*"},
            {"id":"write","effect":"permit","principal":{"role":"editor"},"action":["write"],"resource":"doc:*",
             "when":{"==":[{".":[{"var":"context"},"mfa"]},{"value":true}]}},
            {"id":"bob","effect":"permit","principal":{"id":"bob"},"action":"read","resource":"secret:1"},
            {"id":"public","effect":"permit","action":"read","resource":"public:*"},
            {"id":"no-legal","effect":"forbid","principal":{"role":"editor"},"action":"*","resource":"doc:legal/*"}
        ]}"#;

    fn policy() -> Policy {
        Policy::from_json(POLICY.as_bytes()).unwrap()
    }

    fn names(access: &[SubjectAccess]) -> Vec<&str> {
        access.iter().map(|a| a.name.as_str()).collect()
    }

    #[test]
    fn who_can_read_follows_hierarchy() {
        let report = policy().who_can("read", "doc:1");
        assert!(report.everyone.is_empty());
        assert_eq!(names(&report.roles), ["admin", "editor", "viewer"]);
        assert!(report.roles.iter().all(|role| role.certain));
        assert_eq!(names(&report.principals), ["carol"]);
    }

    #[test]
    fn who_can_reports_forbids_and_conditions() {
        let report = policy().who_can("write", "doc:legal/1");
        assert_eq!(names(&report.roles), ["admin", "editor"]);
        let editor = &report.roles[1];
        assert_eq!(editor.permits, ["write"]);
        assert_eq!(editor.forbids, ["no-legal"]);
        assert!(!editor.certain);
    }

    #[test]
    fn who_can_lists_named_principals_and_everyone() {
        let secret = policy().who_can("read", "secret:1");
        assert_eq!(names(&secret.principals), ["bob"]);
        assert!(secret.roles.is_empty());
        let public = policy().who_can("read", "public:x");
        assert_eq!(public.everyone, ["public"]);
    }

    #[test]
    fn permissions_of_role_and_principal() {
        let policy = policy();
        let viewer = policy.permissions_of_role("viewer").unwrap();
        assert_eq!(viewer.roles, ["viewer"]);
        let rules: Vec<&str> = viewer.permits.iter().map(|p| p.rule.as_str()).collect();
        assert_eq!(rules, ["read", "public"]);
        assert!(viewer.forbids.is_empty());

        let carol = policy.permissions_of_principal("carol", &[]);
        assert_eq!(carol.roles, ["admin", "editor", "viewer"]);
        assert_eq!(carol.permits.len(), 3);
        assert!(carol.permits[1].conditional);
        assert_eq!(carol.forbids[0].rule, "no-legal");

        assert_eq!(
            policy.permissions_of_role("ghost").unwrap_err().code(),
            "unknown_role"
        );
    }

    #[test]
    fn unused_permissions_from_decisions() {
        let policy = policy();
        let alice = Principal {
            id: "alice".into(),
            roles: vec!["viewer".into()],
            ..Default::default()
        };
        let context = serde_json::Value::Null;
        let read = policy.evaluate(&Request::new(&alice, "read", "doc:1", &context));
        let denied = policy.evaluate(&Request::new(&alice, "write", "doc:1", &context));
        assert_eq!(
            policy.unused_permissions(&[read, denied]),
            ["write", "bob", "public"]
        );
    }
}
