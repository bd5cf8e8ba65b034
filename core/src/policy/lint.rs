//! The linter: permit rules that a forbid rule always overrides, duplicate
//! rules, and wildcards broader than least privilege needs.

use alloc::format;
use alloc::string::String;
use alloc::vec::Vec;

use super::document::{Effect, PrincipalScope, ResourceScope, RuleDefinition};
use super::engine::{CompiledPrincipal, CompiledRule, Policy};
use super::schema::{Diagnostic, Schema, Severity};
use crate::json::Printable;

impl Policy {
    /// Returns lint warnings, in policy order of the rule concerned:
    ///
    /// - `shadowed_by_forbid`: a permit rule whose every request an
    ///   unconditional forbid rule also matches, so it can never allow;
    /// - `duplicate_rule`: a rule equal to an earlier one except for its id
    ///   and description;
    /// - `broad_wildcard`: a permit rule for every action, or for every
    ///   resource (with a schema: when the schema declares resource types,
    ///   so a type would be narrower).
    ///
    /// The shadowing check is conservative: it reports only coverage it can
    /// prove from the scopes, so a missing warning proves nothing.
    pub fn lint(&self, schema: Option<&Schema>) -> Vec<Diagnostic> {
        let mut found = Vec::new();
        let definitions = &self.document.rules;
        for (index, (rule, definition)) in self.rules.iter().zip(definitions).enumerate() {
            let earlier = definitions.get(..index).unwrap_or(&[]);
            if let Some(original) = earlier.iter().find(|other| same_rule(other, definition)) {
                found.push(warning(
                    "duplicate_rule",
                    &rule.id,
                    format!(
                        "rule repeats rule `{}` except for its id; remove one of them",
                        Printable(&original.id)
                    ),
                ));
            }
            if rule.effect != Effect::Permit {
                continue;
            }
            let shadow = self
                .rules
                .iter()
                .zip(definitions)
                .find(|(forbid, forbid_definition)| {
                    self.forbid_covers(forbid, forbid_definition, rule, definition)
                });
            if let Some((forbid, _)) = shadow {
                found.push(warning(
                    "shadowed_by_forbid",
                    &rule.id,
                    format!(
                        "forbid rule `{}` matches every request this permit matches, so it can \
                         never allow; narrow the forbid or remove the permit",
                        Printable(&forbid.id)
                    ),
                ));
            }
            found.extend(broad_wildcards(rule, definition, schema));
        }
        found
    }

    /// Whether `forbid` applies, without conditions, to every request that
    /// `permit` is in scope for.
    fn forbid_covers(
        &self,
        forbid: &CompiledRule,
        forbid_definition: &RuleDefinition,
        permit: &CompiledRule,
        permit_definition: &RuleDefinition,
    ) -> bool {
        if forbid.effect != Effect::Forbid || forbid.when.is_some() || forbid.unless.is_some() {
            return false;
        }
        let principal = match (&forbid.principal, &permit.principal) {
            (CompiledPrincipal::Any, _) => true,
            (CompiledPrincipal::Role(forbidden), CompiledPrincipal::Role(permitted)) => {
                self.roles.inherits(*permitted, *forbidden)
            }
            (CompiledPrincipal::Id(forbidden), CompiledPrincipal::Id(permitted)) => {
                forbidden == permitted
            }
            _ => false,
        };
        let actions = match (&forbid.actions, &permit.actions) {
            (None, _) => true,
            (Some(_), None) => false,
            (Some(forbidden), Some(permitted)) => {
                permitted.iter().all(|name| forbidden.contains(name))
            }
        };
        principal
            && actions
            && resource_covers(&forbid_definition.resource, &permit_definition.resource)
    }
}

/// Whether every resource `inner` matches, `outer` matches too, for the
/// cases that can be shown from the text: `*`, equal scopes, a type
/// against a pattern of that type, and a `prefix*` pattern.
fn resource_covers(outer: &ResourceScope, inner: &ResourceScope) -> bool {
    if outer == inner {
        return true;
    }
    match (outer, inner) {
        (ResourceScope::Pattern(all), _) if all == "*" => true,
        (ResourceScope::Type(name), ResourceScope::Pattern(pattern)) => {
            literal_prefix(pattern).starts_with(&format!("{name}:"))
        }
        (ResourceScope::Pattern(outer), inner) => {
            let Some(prefix) = outer.strip_suffix('*') else {
                return false;
            };
            if prefix.contains(['*', '\\']) {
                return false;
            }
            match inner {
                ResourceScope::Pattern(pattern) => literal_prefix(pattern).starts_with(prefix),
                ResourceScope::Type(name) => format!("{name}:").starts_with(prefix),
            }
        }
        _ => false,
    }
}

/// The text of a pattern before its first star or escape.
fn literal_prefix(pattern: &str) -> &str {
    pattern.split(['*', '\\']).next().unwrap_or("")
}

fn same_rule(left: &RuleDefinition, right: &RuleDefinition) -> bool {
    left.effect == right.effect
        && left.principal == right.principal
        && left.action == right.action
        && left.resource == right.resource
        && left.when == right.when
        && left.unless == right.unless
}

fn broad_wildcards(
    rule: &CompiledRule,
    definition: &RuleDefinition,
    schema: Option<&Schema>,
) -> Vec<Diagnostic> {
    let mut found = Vec::new();
    let scope = match &definition.principal {
        None => String::from("every principal"),
        Some(PrincipalScope::Role(role)) => format!("role `{}`", Printable(role)),
        Some(PrincipalScope::Id(id)) => format!("principal `{}`", Printable(id)),
    };
    if rule.actions.is_none() {
        found.push(warning(
            "broad_wildcard",
            &rule.id,
            format!("permit grants {scope} every action; list the actions it needs"),
        ));
    }
    let declared_types = schema
        .and_then(|schema| schema.resources.as_ref())
        .map(|types| types.len());
    if definition.resource == ResourceScope::Pattern(String::from("*")) {
        let message = match declared_types {
            Some(count) if count > 0 => format!(
                "permit grants {scope} every resource, which is broader than any of the {count} \
                 declared resource types; name a type or a narrower pattern"
            ),
            _ => format!("permit grants {scope} every resource; name a type or a narrower pattern"),
        };
        found.push(warning("broad_wildcard", &rule.id, message));
    }
    found
}

fn warning(code: &str, rule: &str, message: String) -> Diagnostic {
    Diagnostic {
        code: String::from(code),
        severity: Severity::Warning,
        rule: Some(String::from(rule)),
        message,
    }
}
