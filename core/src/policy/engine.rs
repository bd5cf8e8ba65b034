//! The compiled policy and its evaluation.

use alloc::collections::{BTreeMap, BTreeSet};
use alloc::string::{String, ToString};
use alloc::vec::Vec;
use core::iter::Peekable;
use core::slice;

use super::decision::{Decision, DecisionError};
use super::document::{Effect, PolicyDocument, PrincipalScope, RuleDefinition, POLICY_VERSION};
use super::error::{PolicyError, Referrer};
use super::limits::{LimitKind, PolicyLimits};
use super::pattern::ResourcePattern;
use super::request::Request;
use super::roles::{RoleGraph, RoleSet};

/// A validated policy, compiled for evaluation.
///
/// Loading checks everything that can be checked without a request, so
/// evaluation cannot fail. Role closures are precomputed and rules are
/// indexed by action name, so an evaluation looks only at the rules for its
/// action and at rules for every action (`*`).
#[derive(Debug, Clone)]
pub struct Policy {
    rules: Vec<CompiledRule>,
    roles: RoleGraph,
    /// Positions in `rules` of the rules naming each action, ascending.
    by_action: BTreeMap<String, Vec<usize>>,
    /// Positions in `rules` of the rules for every action, ascending.
    any_action: Vec<usize>,
    /// [`PolicyLimits::max_request_length`] this policy was loaded with.
    max_request_length: usize,
}

#[derive(Debug, Clone)]
struct CompiledRule {
    id: String,
    effect: Effect,
    principal: CompiledPrincipal,
    resource: ResourcePattern,
}

#[derive(Debug, Clone)]
enum CompiledPrincipal {
    Any,
    /// Index of a declared role in the [`RoleGraph`].
    Role(usize),
    Id(String),
}

/// The actions of one rule after validation.
enum CompiledActions {
    Any,
    /// Sorted and deduplicated, so the index lists each rule once per action.
    Listed(Vec<String>),
}

impl Policy {
    /// Validates `document` and compiles it for evaluation.
    ///
    /// # Errors
    ///
    /// Returns [`PolicyError`] for an unsupported version, a limit exceeded,
    /// an invalid or undeclared role, an inheritance cycle, an empty or
    /// repeated rule id, an empty action list or name, an empty principal
    /// id, or an invalid resource pattern. The first problem found is
    /// reported: limits on counts, then roles, then rules in order.
    pub fn from_document(
        document: PolicyDocument,
        limits: &PolicyLimits,
    ) -> Result<Policy, PolicyError> {
        if document.version != POLICY_VERSION {
            return Err(PolicyError::UnsupportedVersion {
                version: document.version,
            });
        }
        if document.rules.len() > limits.max_rules {
            return Err(PolicyError::LimitExceeded {
                limit: LimitKind::Rules,
                max: limits.max_rules,
                subject: None,
            });
        }

        let roles = RoleGraph::build(&document.roles, limits)?;

        let mut policy = Policy {
            rules: Vec::with_capacity(document.rules.len()),
            roles,
            by_action: BTreeMap::new(),
            any_action: Vec::new(),
            max_request_length: limits.max_request_length,
        };
        let mut seen_ids = BTreeSet::new();
        for (index, definition) in document.rules.iter().enumerate() {
            if definition.id.is_empty() {
                return Err(invalid_rule(
                    index,
                    definition,
                    "rule id is empty; give the rule a unique id",
                ));
            }
            if !seen_ids.insert(definition.id.as_str()) {
                return Err(PolicyError::DuplicateRuleId {
                    id: definition.id.clone(),
                });
            }

            let actions = compile_actions(index, definition, limits)?;
            let rule = policy.compile_rule(index, definition, limits)?;
            policy.add_rule(rule, actions);
        }
        Ok(policy)
    }

    /// Decides `request`: any matching forbid rule denies, otherwise any
    /// matching permit rule allows, otherwise the request is denied.
    ///
    /// The decision's reasons list every matching rule of the deciding
    /// effect, in policy order. A rule matches when its action scope contains
    /// the request's action, its principal scope contains the principal, and
    /// its resource pattern matches the whole resource. Each rule for the
    /// action costs time linear in its pattern and the resource.
    pub fn evaluate(&self, request: &Request<'_>) -> Decision {
        for (field, text) in [("action", request.action), ("resource", request.resource)] {
            if text.len() > self.max_request_length {
                return Decision::deny_with(alloc::vec![DecisionError {
                    code: String::from("request_too_large"),
                    message: alloc::format!(
                        "{field} is longer than the limit of {} bytes",
                        self.max_request_length
                    ),
                    rule: None,
                }]);
            }
        }

        let principal_roles = self.roles.effective_set(&request.principal.roles);
        let listed = self
            .by_action
            .get(request.action)
            .map_or(&[][..], Vec::as_slice);

        let mut permits = Vec::new();
        let mut forbids = Vec::new();
        for position in MergeAscending::new(listed, &self.any_action) {
            let Some(rule) = self.rules.get(position) else {
                continue;
            };
            if !rule.applies_to(request, &principal_roles) {
                continue;
            }
            match rule.effect {
                Effect::Permit => permits.push(rule.id.clone()),
                Effect::Forbid => forbids.push(rule.id.clone()),
            }
        }

        if !forbids.is_empty() {
            Decision::deny(forbids)
        } else if !permits.is_empty() {
            Decision::allow(permits)
        } else {
            Decision::deny(Vec::new())
        }
    }

    /// Returns the given roles together with every role they inherit, sorted
    /// and deduplicated. Roles the policy does not declare are returned as
    /// given: they inherit nothing and grant nothing.
    pub fn effective_roles(&self, roles: &[String]) -> Vec<String> {
        let set = self.roles.effective_set(roles);
        let mut names: BTreeSet<&str> = self.roles.names_in(&set).collect();
        for role in roles {
            if self.roles.index_of(role).is_none() {
                names.insert(role);
            }
        }
        names.into_iter().map(ToString::to_string).collect()
    }

    /// Returns the number of rules in the policy.
    pub fn rule_count(&self) -> usize {
        self.rules.len()
    }

    /// Compiles the principal scope and pattern of the rule at `index`.
    fn compile_rule(
        &self,
        index: usize,
        definition: &RuleDefinition,
        limits: &PolicyLimits,
    ) -> Result<CompiledRule, PolicyError> {
        let principal = match &definition.principal {
            None => CompiledPrincipal::Any,
            Some(PrincipalScope::Role(role)) => match self.roles.index_of(role) {
                Some(role_index) => CompiledPrincipal::Role(role_index),
                None => {
                    return Err(PolicyError::UnknownRole {
                        role: role.clone(),
                        referenced_by: Referrer::Rule(definition.id.clone()),
                    })
                }
            },
            Some(PrincipalScope::Id(id)) if id.is_empty() => {
                return Err(invalid_rule(
                    index,
                    definition,
                    "principal id is empty; name the principal, or omit `principal` to match \
                     every principal",
                ));
            }
            Some(PrincipalScope::Id(id)) => CompiledPrincipal::Id(id.clone()),
        };

        if definition.resource.len() > limits.max_pattern_length {
            return Err(PolicyError::LimitExceeded {
                limit: LimitKind::PatternLength,
                max: limits.max_pattern_length,
                subject: Some(definition.id.clone()),
            });
        }
        let resource = ResourcePattern::parse(&definition.resource).map_err(|reason| {
            PolicyError::InvalidPattern {
                rule: definition.id.clone(),
                pattern: definition.resource.clone(),
                reason,
            }
        })?;

        Ok(CompiledRule {
            id: definition.id.clone(),
            effect: definition.effect,
            principal,
            resource,
        })
    }

    /// Appends `rule` and indexes it under each of its actions.
    fn add_rule(&mut self, rule: CompiledRule, actions: CompiledActions) {
        let position = self.rules.len();
        self.rules.push(rule);
        match actions {
            CompiledActions::Any => self.any_action.push(position),
            CompiledActions::Listed(names) => {
                for name in names {
                    self.by_action.entry(name).or_default().push(position);
                }
            }
        }
    }
}

/// Validates the action scope of the rule at `index`.
fn compile_actions(
    index: usize,
    definition: &RuleDefinition,
    limits: &PolicyLimits,
) -> Result<CompiledActions, PolicyError> {
    let names = definition.action.names();
    if names.is_empty() {
        return Err(invalid_rule(
            index,
            definition,
            "action list is empty; list at least one action, or `*` for every action",
        ));
    }
    if names.len() > limits.max_actions_per_rule {
        return Err(PolicyError::LimitExceeded {
            limit: LimitKind::ActionsPerRule,
            max: limits.max_actions_per_rule,
            subject: Some(definition.id.clone()),
        });
    }
    if names.iter().any(String::is_empty) {
        return Err(invalid_rule(
            index,
            definition,
            "action name is empty; name the action, or use `*` for every action",
        ));
    }

    if names.iter().any(|name| name == "*") {
        return Ok(CompiledActions::Any);
    }
    let mut listed = names.to_vec();
    listed.sort_unstable();
    listed.dedup();
    Ok(CompiledActions::Listed(listed))
}

fn invalid_rule(index: usize, definition: &RuleDefinition, reason: &'static str) -> PolicyError {
    PolicyError::InvalidRule {
        index,
        id: definition.id.clone(),
        reason,
    }
}

impl CompiledRule {
    /// Returns whether the principal and resource of `request` are in scope.
    /// The action was already matched through the index.
    fn applies_to(&self, request: &Request<'_>, principal_roles: &RoleSet) -> bool {
        let principal_matches = match &self.principal {
            CompiledPrincipal::Any => true,
            CompiledPrincipal::Role(role) => principal_roles.contains(*role),
            CompiledPrincipal::Id(id) => *id == request.principal.id,
        };
        principal_matches && self.resource.matches(request.resource)
    }
}

/// Iterates over the union of two ascending slices, in ascending order.
struct MergeAscending<'a> {
    left: Peekable<slice::Iter<'a, usize>>,
    right: Peekable<slice::Iter<'a, usize>>,
}

impl<'a> MergeAscending<'a> {
    fn new(left: &'a [usize], right: &'a [usize]) -> Self {
        Self {
            left: left.iter().peekable(),
            right: right.iter().peekable(),
        }
    }
}

impl Iterator for MergeAscending<'_> {
    type Item = usize;

    fn next(&mut self) -> Option<usize> {
        match (self.left.peek(), self.right.peek()) {
            (Some(left), Some(right)) if left <= right => self.left.next().copied(),
            (Some(_), Some(_)) | (None, Some(_)) => self.right.next().copied(),
            (Some(_), None) => self.left.next().copied(),
            (None, None) => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::policy::{ActionScope, Outcome, Principal, RoleDefinition};
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
        policy.evaluate(&Request {
            principal: who,
            action,
            resource,
            context: &context,
        })
    }

    fn rule(id: &str, effect: Effect, action: &[&str], resource: &str) -> RuleDefinition {
        RuleDefinition {
            id: id.to_string(),
            effect,
            principal: None,
            action: ActionScope::Many(action.iter().map(|a| a.to_string()).collect()),
            resource: resource.to_string(),
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
        bad.version = 2;
        let error = Policy::from_document(bad, &PolicyLimits::default()).unwrap_err();
        assert_eq!(error, PolicyError::UnsupportedVersion { version: 2 });
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
    fn merge_ascending_interleaves() {
        let merged: Vec<usize> = MergeAscending::new(&[1, 4, 5], &[0, 2, 6, 7]).collect();
        assert_eq!(merged, [0, 1, 2, 4, 5, 6, 7]);
        let left_only: Vec<usize> = MergeAscending::new(&[3], &[]).collect();
        assert_eq!(left_only, [3]);
    }
}
