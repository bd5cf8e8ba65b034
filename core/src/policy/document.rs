//! The JSON form of a policy, as written by people and stored on disk.
//!
//! Every struct rejects unknown members. A field that a later format version
//! adds, such as a rule condition, therefore fails to load in this version
//! instead of being ignored, which would widen or narrow access silently.

use alloc::collections::BTreeMap;
use alloc::string::String;
use alloc::vec::Vec;
use core::fmt;

use serde::de::{self, SeqAccess, Visitor};
use serde::{Deserialize, Deserializer, Serialize};

/// The only policy format version this crate reads and writes.
pub const POLICY_VERSION: u64 = 1;

/// A whole policy document: roles and the rules that grant or deny access.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PolicyDocument {
    /// Format version, which must be [`POLICY_VERSION`].
    pub version: u64,
    /// Declared roles by name. Optional in JSON, where it defaults to none.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub roles: BTreeMap<String, RoleDefinition>,
    /// Rules in policy order, which is also the order of decision reasons.
    /// Optional in JSON, where it defaults to none, so everything is denied.
    #[serde(default)]
    pub rules: Vec<RuleDefinition>,
}

/// One declared role.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RoleDefinition {
    /// Names of declared roles whose permissions this role also has.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub inherits: Vec<String>,
    /// Free text for people, which evaluation ignores.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
}

/// One permit or forbid rule.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RuleDefinition {
    /// Identifier, non-empty and unique in the policy. Decisions name rules by it.
    pub id: String,
    /// Whether a match grants or denies access.
    pub effect: Effect,
    /// Principal scope of the rule. Absent means every principal; `null` is
    /// rejected rather than read as absent.
    #[serde(
        default,
        deserialize_with = "crate::json::present",
        skip_serializing_if = "Option::is_none"
    )]
    pub principal: Option<PrincipalScope>,
    /// Action scope of the rule.
    pub action: ActionScope,
    /// Anchored glob over the whole resource string: `*` matches any run of
    /// characters, `\*` is a literal star and `\\` a literal backslash.
    pub resource: String,
    /// Free text for people, which evaluation ignores.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
}

/// Effect of a matching rule.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Effect {
    /// Allows the request unless a forbid rule also matches.
    Permit,
    /// Denies the request, whatever permit rules match.
    Forbid,
}

/// The principals a rule applies to, written `{"role": R}` or `{"id": X}`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", try_from = "PrincipalScopeFields")]
pub enum PrincipalScope {
    /// Principals that have this declared role, directly or by inheritance.
    Role(String),
    /// The one principal with exactly this id.
    Id(String),
}

/// The actions a rule applies to, written as one name or a list of names.
///
/// Names compare exactly, with no case folding. The name `*` matches every
/// action. It is not a pattern, so `read*` is an ordinary action name.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(untagged)]
pub enum ActionScope {
    /// A single action name.
    One(String),
    /// A list of action names, which must not be empty.
    Many(Vec<String>),
}

impl Default for PolicyDocument {
    /// An empty policy of the current version, which denies every request.
    fn default() -> Self {
        Self {
            version: POLICY_VERSION,
            roles: BTreeMap::new(),
            rules: Vec::new(),
        }
    }
}

impl ActionScope {
    /// Returns the action names as a slice, whichever form was written.
    pub fn names(&self) -> &[String] {
        match self {
            Self::One(name) => core::slice::from_ref(name),
            Self::Many(names) => names,
        }
    }
}

impl<'de> Deserialize<'de> for ActionScope {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_any(ActionScopeVisitor)
    }
}

/// Accepts a string or a list of strings. Written by hand because an untagged
/// derive reports only that no variant matched.
struct ActionScopeVisitor;

impl<'de> Visitor<'de> for ActionScopeVisitor {
    type Value = ActionScope;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("an action name or a list of action names")
    }

    fn visit_str<E: de::Error>(self, value: &str) -> Result<ActionScope, E> {
        Ok(ActionScope::One(String::from(value)))
    }

    fn visit_string<E: de::Error>(self, value: String) -> Result<ActionScope, E> {
        Ok(ActionScope::One(value))
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<ActionScope, A::Error> {
        let mut names = Vec::new();
        while let Some(name) = seq.next_element::<String>()? {
            names.push(name);
        }
        Ok(ActionScope::Many(names))
    }
}

/// The JSON members of a principal scope, read before checking that exactly
/// one of them is present.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct PrincipalScopeFields {
    #[serde(default, deserialize_with = "crate::json::present")]
    role: Option<String>,
    #[serde(default, deserialize_with = "crate::json::present")]
    id: Option<String>,
}

impl TryFrom<PrincipalScopeFields> for PrincipalScope {
    type Error = &'static str;

    fn try_from(fields: PrincipalScopeFields) -> Result<Self, Self::Error> {
        match (fields.role, fields.id) {
            (Some(role), None) => Ok(Self::Role(role)),
            (None, Some(id)) => Ok(Self::Id(id)),
            _ => Err("principal must have exactly one of `role` or `id`"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use alloc::string::ToString;
    use alloc::vec;

    fn rule_from(text: &str) -> Result<RuleDefinition, serde_json::Error> {
        serde_json::from_str(text)
    }

    #[test]
    fn action_accepts_string_and_list() {
        let one = rule_from(r#"{"id":"r","effect":"permit","action":"read","resource":"*"}"#);
        assert_eq!(one.unwrap().action, ActionScope::One("read".to_string()));

        let many = rule_from(r#"{"id":"r","effect":"permit","action":["a","b"],"resource":"*"}"#);
        let expected = ActionScope::Many(vec!["a".to_string(), "b".to_string()]);
        assert_eq!(many.unwrap().action, expected);
    }

    #[test]
    fn action_rejects_number() {
        let error = rule_from(r#"{"id":"r","effect":"permit","action":3,"resource":"*"}"#)
            .unwrap_err()
            .to_string();
        assert!(
            error.contains("an action name or a list of action names"),
            "{error}"
        );
    }

    #[test]
    fn action_rejects_non_string_element() {
        assert!(
            rule_from(r#"{"id":"r","effect":"permit","action":["a",1],"resource":"*"}"#).is_err()
        );
    }

    #[test]
    fn principal_needs_exactly_one_member() {
        let both = r#"{"id":"r","effect":"permit","principal":{"role":"a","id":"b"},"action":"x","resource":"*"}"#;
        let error = rule_from(both).unwrap_err().to_string();
        assert!(error.contains("exactly one of `role` or `id`"), "{error}");

        let neither = r#"{"id":"r","effect":"permit","principal":{},"action":"x","resource":"*"}"#;
        assert!(rule_from(neither).is_err());
    }

    #[test]
    fn principal_null_rejected() {
        let null = r#"{"id":"r","effect":"permit","principal":null,"action":"x","resource":"*"}"#;
        assert!(rule_from(null).is_err());
        let null_role = r#"{"id":"r","effect":"permit","principal":{"role":null,"id":"m"},"action":"x","resource":"*"}"#;
        assert!(rule_from(null_role).is_err());
    }

    #[test]
    fn principal_rejects_unknown_member() {
        let text =
            r#"{"id":"r","effect":"permit","principal":{"group":"a"},"action":"x","resource":"*"}"#;
        let error = rule_from(text).unwrap_err().to_string();
        assert!(error.contains("unknown field `group`"), "{error}");
    }

    #[test]
    fn rule_rejects_unknown_field() {
        let text = r#"{"id":"r","effect":"permit","action":"x","resource":"*","when":{}}"#;
        let error = rule_from(text).unwrap_err().to_string();
        assert!(error.contains("unknown field `when`"), "{error}");
    }

    #[test]
    fn effect_is_lowercase() {
        let text = r#"{"id":"r","effect":"Permit","action":"x","resource":"*"}"#;
        assert!(rule_from(text).is_err());
    }

    #[test]
    fn document_serializes_back() {
        let mut document = PolicyDocument::default();
        document.roles.insert(
            "admin".to_string(),
            RoleDefinition {
                inherits: vec!["viewer".to_string()],
                description: None,
            },
        );
        document
            .roles
            .insert("viewer".to_string(), RoleDefinition::default());
        document.rules.push(RuleDefinition {
            id: "r".to_string(),
            effect: Effect::Forbid,
            principal: Some(PrincipalScope::Role("viewer".to_string())),
            action: ActionScope::One("read".to_string()),
            resource: "doc:*".to_string(),
            description: None,
        });

        let text = serde_json::to_string(&document).unwrap();
        assert_eq!(
            text,
            r#"{"version":1,"roles":{"admin":{"inherits":["viewer"]},"viewer":{}},"rules":[{"id":"r","effect":"forbid","principal":{"role":"viewer"},"action":"read","resource":"doc:*"}]}"#
        );
        let back: PolicyDocument = serde_json::from_str(&text).unwrap();
        assert_eq!(back, document);
    }

    #[test]
    fn roles_and_rules_default_to_empty() {
        let document: PolicyDocument = serde_json::from_str(r#"{"version":1}"#).unwrap();
        assert_eq!(document, PolicyDocument::default());
    }

    #[test]
    fn version_is_required() {
        assert!(serde_json::from_str::<PolicyDocument>(r#"{"rules":[]}"#).is_err());
    }

    #[test]
    fn action_names_covers_both_forms() {
        assert_eq!(ActionScope::One("a".to_string()).names(), ["a"]);
        let many = ActionScope::Many(vec!["a".to_string(), "b".to_string()]);
        assert_eq!(many.names(), ["a", "b"]);
    }
}
