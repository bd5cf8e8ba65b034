//! The compiled policy: validation of a document and its compilation into
//! rules and an index. Evaluation is in `decide.rs`.

use alloc::collections::{BTreeMap, BTreeSet};
use alloc::string::{String, ToString};
use alloc::vec::Vec;

use super::cond::{Cond, CondCompiler, Source};
use super::document::{
    ActionScope, Effect, PolicyDocument, PrincipalScope, ResourceScope, RuleDefinition,
    POLICY_VERSION, POLICY_VERSION_1,
};
use super::error::{DocumentLocation, PolicyError, Referrer};
use super::index::{IndexKey, PrincipalKey, RuleIndex};
use super::limits::{LimitKind, PolicyLimits};
use super::pattern::ResourcePattern;
use super::roles::{RoleGraph, RoleSet};

/// A validated policy, compiled for evaluation.
///
/// Loading checks everything that can be checked without a request, so
/// evaluation has no load-time errors left: it fails only on the request
/// (a missing attribute, a type mismatch, a limit). Role closures are
/// precomputed and rules are indexed by action, resource type and principal
/// scope, so a decision evaluates only the rules that can apply.
#[derive(Debug, Clone)]
pub struct Policy {
    pub(crate) rules: Vec<CompiledRule>,
    pub(crate) roles: RoleGraph,
    pub(crate) index: RuleIndex,
    /// Role indices assigned to principal ids by the document.
    pub(crate) assignments: BTreeMap<String, Vec<usize>>,
    /// Action names of each declared group, sorted; `*` stands for all.
    pub(crate) action_groups: BTreeMap<String, Vec<String>>,
    pub(crate) limits: PolicyLimits,
    pub(crate) document: PolicyDocument,
}

#[derive(Debug, Clone)]
pub(crate) struct CompiledRule {
    pub(crate) id: String,
    pub(crate) effect: Effect,
    pub(crate) principal: CompiledPrincipal,
    /// `None` for every action, else sorted and deduplicated names.
    pub(crate) actions: Option<Vec<String>>,
    pub(crate) resource: CompiledResource,
    pub(crate) when: Option<Cond>,
    pub(crate) unless: Option<Cond>,
}

#[derive(Debug, Clone)]
pub(crate) enum CompiledPrincipal {
    Any,
    /// Index of a declared role in the [`RoleGraph`].
    Role(usize),
    Id(String),
}

#[derive(Debug, Clone)]
pub(crate) enum CompiledResource {
    Pattern(ResourcePattern),
    Type(String),
}

impl Policy {
    /// Validates `document` and compiles it for evaluation.
    ///
    /// # Errors
    ///
    /// Returns [`PolicyError`] for a limit above its maximum, an unsupported
    /// version or a version 2 feature in a version 1 document. It also
    /// returns one for a JSON form deeper than `max_json_depth` or with more
    /// entries in an object or array than the JSON member limit, and for a
    /// limit exceeded, an invalid or
    /// undeclared role, an inheritance cycle, an undeclared or invalid
    /// action group, an empty or repeated rule id, an empty action list or
    /// name, an empty principal id, an invalid resource pattern or type, or
    /// an invalid condition. The first problem found is reported: version,
    /// limits on counts, roles, assignments, groups, then rules in order.
    pub fn from_document(
        document: PolicyDocument,
        limits: &PolicyLimits,
    ) -> Result<Policy, PolicyError> {
        Self::compile(document, limits, Source::Unknown)
    }

    /// Validates and compiles `document`, read from `source`, as
    /// [`Policy::from_document`] does.
    pub(crate) fn compile(
        document: PolicyDocument,
        limits: &PolicyLimits,
        source: Source<'_>,
    ) -> Result<Policy, PolicyError> {
        limits.check()?;
        check_version(&document)?;
        super::json_form::check_json_form(&document, limits)?;
        if document.rules.len() > limits.max_rules {
            return Err(PolicyError::LimitExceeded {
                limit: LimitKind::Rules,
                max: limits.max_rules,
                subject: None,
            });
        }

        let roles = RoleGraph::build(&document.roles, limits)?;
        let assignments = resolve_assignments(&document, &roles)?;
        let action_groups = resolve_groups(&document, limits)?;
        let mut policy = Policy {
            rules: Vec::with_capacity(document.rules.len()),
            roles,
            index: RuleIndex::default(),
            assignments,
            action_groups,
            limits: *limits,
            document: PolicyDocument::default(),
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
            let rule = policy.compile_rule(index, definition, source)?;
            let key = rule.index_key();
            policy.index.insert(policy.rules.len(), &key);
            policy.rules.push(rule);
        }
        policy.document = document;
        Ok(policy)
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

    /// Returns the document this policy was compiled from.
    pub fn document(&self) -> &PolicyDocument {
        &self.document
    }

    /// Returns the limits this policy was loaded with, which also apply to
    /// its evaluation.
    pub fn limits(&self) -> &PolicyLimits {
        &self.limits
    }

    /// Returns the effective role set of a principal: its own roles, the
    /// roles the document assigns to its id, and everything they inherit.
    pub(crate) fn principal_roles(&self, id: &str, roles: &[String]) -> RoleSet {
        let assigned = self.assignments.get(id).map_or(&[][..], Vec::as_slice);
        self.roles.effective_set_with(roles, assigned)
    }

    fn compile_rule(
        &self,
        index: usize,
        definition: &RuleDefinition,
        source: Source<'_>,
    ) -> Result<CompiledRule, PolicyError> {
        let principal = self.compile_principal(index, definition)?;
        let actions = self.compile_actions(index, definition)?;
        let resource = self.compile_resource(index, definition)?;

        let compiler = CondCompiler {
            rule: &definition.id,
            roles: &self.roles,
            limits: &self.limits,
            source,
        };
        let when = definition
            .when
            .as_ref()
            .map(|expr| compiler.compile(expr))
            .transpose()?;
        let unless = definition
            .unless
            .as_ref()
            .map(|expr| compiler.compile(expr))
            .transpose()?;

        Ok(CompiledRule {
            id: definition.id.clone(),
            effect: definition.effect,
            principal,
            actions,
            resource,
            when,
            unless,
        })
    }

    fn compile_principal(
        &self,
        index: usize,
        definition: &RuleDefinition,
    ) -> Result<CompiledPrincipal, PolicyError> {
        match &definition.principal {
            None => Ok(CompiledPrincipal::Any),
            Some(PrincipalScope::Role(role)) => match self.roles.index_of(role) {
                Some(role_index) => Ok(CompiledPrincipal::Role(role_index)),
                None => Err(PolicyError::UnknownRole {
                    role: role.clone(),
                    referenced_by: Referrer::Rule(definition.id.clone()),
                }),
            },
            Some(PrincipalScope::Id(id)) if id.is_empty() => Err(invalid_rule(
                index,
                definition,
                "principal id is empty; name the principal, or omit `principal` to match \
                 every principal",
            )),
            Some(PrincipalScope::Id(id)) => Ok(CompiledPrincipal::Id(id.clone())),
        }
    }

    /// Validates the action scope and returns `None` for every action, else
    /// the sorted and deduplicated names.
    fn compile_actions(
        &self,
        index: usize,
        definition: &RuleDefinition,
    ) -> Result<Option<Vec<String>>, PolicyError> {
        let names: &[String] = match &definition.action {
            ActionScope::Group(group) => match self.action_groups.get(group) {
                Some(names) => names,
                None => {
                    return Err(PolicyError::UnknownActionGroup {
                        group: group.clone(),
                        rule: definition.id.clone(),
                    })
                }
            },
            other => other.names(),
        };
        if names.is_empty() {
            return Err(invalid_rule(
                index,
                definition,
                "action list is empty; list at least one action, or `*` for every action",
            ));
        }
        if names.len() > self.limits.max_actions_per_rule {
            return Err(PolicyError::LimitExceeded {
                limit: LimitKind::ActionsPerRule,
                max: self.limits.max_actions_per_rule,
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
        Ok(sorted_actions(names))
    }

    fn compile_resource(
        &self,
        index: usize,
        definition: &RuleDefinition,
    ) -> Result<CompiledResource, PolicyError> {
        let text = match &definition.resource {
            ResourceScope::Pattern(text) | ResourceScope::Type(text) => text,
        };
        if text.len() > self.limits.max_pattern_length {
            return Err(PolicyError::LimitExceeded {
                limit: LimitKind::PatternLength,
                max: self.limits.max_pattern_length,
                subject: Some(definition.id.clone()),
            });
        }
        match &definition.resource {
            ResourceScope::Pattern(pattern) => ResourcePattern::parse(pattern)
                .map(CompiledResource::Pattern)
                .map_err(|reason| PolicyError::InvalidPattern {
                    rule: definition.id.clone(),
                    pattern: pattern.clone(),
                    reason,
                }),
            ResourceScope::Type(name) if name.is_empty() || name.contains(':') => {
                Err(invalid_rule(
                    index,
                    definition,
                    "resource type is empty or contains `:`; a type is the text before the \
                     first `:` of a resource",
                ))
            }
            ResourceScope::Type(name) => Ok(CompiledResource::Type(name.clone())),
        }
    }
}

impl CompiledRule {
    /// Returns where the rule goes in the index.
    fn index_key(&self) -> IndexKey {
        let resource_type = match &self.resource {
            CompiledResource::Type(name) => Some(name.clone()),
            // Every resource a pattern matches starts with its literal
            // prefix, so a prefix containing `:` fixes the type.
            CompiledResource::Pattern(pattern) => {
                let (prefix, _) = pattern.literal_prefix();
                prefix
                    .split_once(':')
                    .map(|(resource_type, _)| resource_type.to_string())
            }
        };
        let principal = match &self.principal {
            CompiledPrincipal::Any => PrincipalKey::Any,
            CompiledPrincipal::Role(role) => PrincipalKey::Role(*role),
            CompiledPrincipal::Id(id) => PrincipalKey::Id(id.clone()),
        };
        IndexKey {
            actions: self.actions.clone(),
            resource_type,
            principal,
        }
    }
}

/// Returns `None` when `names` holds `*`, else the names sorted and
/// deduplicated, so that the index lists each rule once per action.
fn sorted_actions(names: &[String]) -> Option<Vec<String>> {
    if names.iter().any(|name| name == "*") {
        return None;
    }
    let mut listed = names.to_vec();
    listed.sort_unstable();
    listed.dedup();
    Some(listed)
}

fn check_version(document: &PolicyDocument) -> Result<(), PolicyError> {
    if document.version != POLICY_VERSION && document.version != POLICY_VERSION_1 {
        return Err(PolicyError::UnsupportedVersion {
            version: document.version,
        });
    }
    if document.version == POLICY_VERSION_1 {
        if let Some((rule, feature)) = document.first_version_2_feature() {
            let location = match rule {
                Some(index) => DocumentLocation::Rule {
                    index,
                    id: document.rules.get(index).map(|rule| rule.id.clone()),
                },
                None => DocumentLocation::Document,
            };
            return Err(PolicyError::InvalidDocument {
                location,
                message: alloc::format!(
                    "unknown field `{feature}` in a version 1 document; it needs `\"version\": 2`"
                ),
            });
        }
    }
    Ok(())
}

/// Resolves the document's role assignments to role indices.
fn resolve_assignments(
    document: &PolicyDocument,
    roles: &RoleGraph,
) -> Result<BTreeMap<String, Vec<usize>>, PolicyError> {
    let mut assignments = BTreeMap::new();
    for (principal, names) in &document.assignments {
        let mut indices = Vec::with_capacity(names.len());
        for name in names {
            let Some(index) = roles.index_of(name) else {
                return Err(PolicyError::UnknownRole {
                    role: name.clone(),
                    referenced_by: Referrer::Assignment(principal.clone()),
                });
            };
            indices.push(index);
        }
        assignments.insert(principal.clone(), indices);
    }
    Ok(assignments)
}

/// Checks the declared action groups and sorts their names.
fn resolve_groups(
    document: &PolicyDocument,
    limits: &PolicyLimits,
) -> Result<BTreeMap<String, Vec<String>>, PolicyError> {
    let mut groups = BTreeMap::new();
    for (name, actions) in &document.action_groups {
        if actions.len() > limits.max_actions_per_rule {
            return Err(PolicyError::LimitExceeded {
                limit: LimitKind::ActionsPerRule,
                max: limits.max_actions_per_rule,
                subject: Some(name.clone()),
            });
        }
        let mut sorted = actions.clone();
        sorted.sort_unstable();
        sorted.dedup();
        groups.insert(name.clone(), sorted);
    }
    Ok(groups)
}

fn invalid_rule(index: usize, definition: &RuleDefinition, reason: &'static str) -> PolicyError {
    PolicyError::InvalidRule {
        index,
        id: definition.id.clone(),
        reason,
    }
}

#[cfg(test)]
#[path = "engine_tests.rs"]
mod tests;
