//! The JSON form of a policy, as written by people and stored on disk.
//!
//! Every struct rejects unknown members. A field that a later format version
//! adds therefore fails to load in this version instead of being ignored,
//! which would widen or narrow access silently.
//!
//! Version 2 adds conditions (`when`, `unless`), action groups, resource
//! types and role assignments. A version 1 document that uses any of them is
//! rejected, so version 1 keeps exactly its first meaning, and a reader that
//! knows only version 1 reports the version instead of an unknown field.

use alloc::collections::BTreeMap;
use alloc::string::String;
use alloc::vec::Vec;
use core::fmt;

use serde::de::{self, MapAccess, SeqAccess, Visitor};
use serde::{Deserialize, Deserializer, Serialize};

use super::expr::Expr;

/// The newest policy format version, which this crate writes. It also reads
/// [`POLICY_VERSION_1`].
pub const POLICY_VERSION: u64 = 2;

/// The first policy format version: roles and rules without conditions,
/// action groups, resource types or role assignments.
pub const POLICY_VERSION_1: u64 = 1;

/// A whole policy document: roles and the rules that grant or deny access.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PolicyDocument {
    /// Format version: [`POLICY_VERSION`] or [`POLICY_VERSION_1`].
    pub version: u64,
    /// Declared roles by name. Optional in JSON, where it defaults to none.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub roles: BTreeMap<String, RoleDefinition>,
    /// Named lists of action names, which rules name with
    /// `{"group": NAME}`. Version 2 only.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub action_groups: BTreeMap<String, Vec<String>>,
    /// Declared roles given to principals by id, in addition to the roles
    /// the principal carries (from token claims, say). Version 2 only.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub assignments: BTreeMap<String, Vec<String>>,
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
    /// Resource scope of the rule.
    pub resource: ResourceScope,
    /// Condition that must be `true` for the rule to apply. Version 2 only.
    #[serde(
        default,
        deserialize_with = "crate::json::present",
        skip_serializing_if = "Option::is_none"
    )]
    pub when: Option<Expr>,
    /// Condition that must be `false` for the rule to apply. Version 2 only.
    #[serde(
        default,
        deserialize_with = "crate::json::present",
        skip_serializing_if = "Option::is_none"
    )]
    pub unless: Option<Expr>,
    /// Free text for people, which evaluation ignores.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
}

/// The resources a rule applies to.
///
/// Written as a string, it is an anchored glob over the whole resource:
/// `*` matches any run of characters, `\*` is a literal star and `\\` a
/// literal backslash. Written `{"type": T}` (version 2), it matches every
/// resource whose type is `T`, where the type of `document:42` is
/// `document`, the text before the first `:`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ResourceScope {
    /// An anchored glob pattern.
    Pattern(String),
    /// A resource type.
    Type(String),
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

/// The actions a rule applies to, written as one name, a list of names or
/// a group.
///
/// Names compare exactly, with no case folding. The name `*` matches every
/// action. It is not a pattern, so `read*` is an ordinary action name.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ActionScope {
    /// A single action name.
    One(String),
    /// A list of action names, which must not be empty.
    Many(Vec<String>),
    /// The actions of a group declared in `action_groups`, written
    /// `{"group": NAME}`. Version 2 only.
    Group(String),
}

impl Default for PolicyDocument {
    /// An empty policy of the current version, which denies every request.
    fn default() -> Self {
        Self {
            version: POLICY_VERSION,
            roles: BTreeMap::new(),
            action_groups: BTreeMap::new(),
            assignments: BTreeMap::new(),
            rules: Vec::new(),
        }
    }
}

impl PolicyDocument {
    /// Returns the name of the first version 2 feature the document uses,
    /// such as `when` or `action_groups`, or `None` for a version 1 document.
    pub fn first_version_2_feature(&self) -> Option<(Option<usize>, &'static str)> {
        if !self.action_groups.is_empty() {
            return Some((None, "action_groups"));
        }
        if !self.assignments.is_empty() {
            return Some((None, "assignments"));
        }
        for (index, rule) in self.rules.iter().enumerate() {
            let feature = if rule.when.is_some() {
                Some("when")
            } else if rule.unless.is_some() {
                Some("unless")
            } else if matches!(rule.action, ActionScope::Group(_)) {
                Some("group")
            } else if matches!(rule.resource, ResourceScope::Type(_)) {
                Some("type")
            } else {
                None
            };
            if let Some(feature) = feature {
                return Some((Some(index), feature));
            }
        }
        None
    }
}

impl ActionScope {
    /// Returns the action names as a slice for a name or a list, and an
    /// empty slice for a group, whose names are in the document.
    pub fn names(&self) -> &[String] {
        match self {
            Self::One(name) => core::slice::from_ref(name),
            Self::Many(names) => names,
            Self::Group(_) => &[],
        }
    }
}

impl From<&str> for ResourceScope {
    /// Reads `text` as a pattern.
    fn from(text: &str) -> Self {
        Self::Pattern(String::from(text))
    }
}

impl Serialize for ResourceScope {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeMap;
        match self {
            Self::Pattern(pattern) => serializer.serialize_str(pattern),
            Self::Type(name) => {
                let mut map = serializer.serialize_map(Some(1))?;
                map.serialize_entry("type", name)?;
                map.end()
            }
        }
    }
}

impl<'de> Deserialize<'de> for ResourceScope {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_any(ResourceScopeVisitor)
    }
}

/// Accepts a pattern string or `{"type": T}`.
struct ResourceScopeVisitor;

impl<'de> Visitor<'de> for ResourceScopeVisitor {
    type Value = ResourceScope;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a resource pattern or `{\"type\": T}`")
    }

    fn visit_str<E: de::Error>(self, value: &str) -> Result<ResourceScope, E> {
        Ok(ResourceScope::Pattern(String::from(value)))
    }

    fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<ResourceScope, A::Error> {
        let name = single_member(map, "type")?;
        Ok(ResourceScope::Type(name))
    }
}

/// Reads an object that must have exactly the one string member `expected`.
fn single_member<'de, A: MapAccess<'de>>(
    mut map: A,
    expected: &'static str,
) -> Result<String, A::Error> {
    let mut found = None;
    while let Some(key) = map.next_key::<String>()? {
        if key != expected {
            return Err(de::Error::custom(alloc::format!(
                "unknown field `{key}`, expected `{expected}`"
            )));
        }
        if found.is_some() {
            return Err(de::Error::duplicate_field(expected));
        }
        found = Some(map.next_value::<String>()?);
    }
    found.ok_or_else(|| de::Error::missing_field(expected))
}

impl Serialize for ActionScope {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeMap;
        match self {
            Self::One(name) => serializer.serialize_str(name),
            Self::Many(names) => names.serialize(serializer),
            Self::Group(name) => {
                let mut map = serializer.serialize_map(Some(1))?;
                map.serialize_entry("group", name)?;
                map.end()
            }
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
        f.write_str("an action name, a list of action names or `{\"group\": NAME}`")
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

    fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<ActionScope, A::Error> {
        Ok(ActionScope::Group(single_member(map, "group")?))
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
            error.contains("an action name, a list of action names"),
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
        let text = r#"{"id":"r","effect":"permit","action":"x","resource":"*","if":{}}"#;
        let error = rule_from(text).unwrap_err().to_string();
        assert!(error.contains("unknown field `if`"), "{error}");
    }

    #[test]
    fn group_and_type_round_trip() {
        let text =
            r#"{"id":"r","effect":"permit","action":{"group":"writes"},"resource":{"type":"doc"}}"#;
        let rule = rule_from(text).unwrap();
        assert_eq!(rule.action, ActionScope::Group("writes".to_string()));
        assert_eq!(rule.resource, ResourceScope::Type("doc".to_string()));
        assert_eq!(serde_json::to_string(&rule).unwrap(), text);
    }

    #[test]
    fn group_and_type_reject_extra_members() {
        let extra = r#"{"id":"r","effect":"permit","action":{"group":"w","x":1},"resource":"*"}"#;
        assert!(rule_from(extra).is_err());
        let wrong = r#"{"id":"r","effect":"permit","action":"a","resource":{"kind":"doc"}}"#;
        assert!(rule_from(wrong).is_err());
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
            resource: "doc:*".into(),
            when: None,
            unless: None,
            description: None,
        });

        let text = serde_json::to_string(&document).unwrap();
        assert_eq!(
            text,
            r#"{"version":2,"roles":{"admin":{"inherits":["viewer"]},"viewer":{}},"rules":[{"id":"r","effect":"forbid","principal":{"role":"viewer"},"action":"read","resource":"doc:*"}]}"#
        );
        let back: PolicyDocument = serde_json::from_str(&text).unwrap();
        assert_eq!(back, document);
    }

    #[test]
    fn roles_and_rules_default_to_empty() {
        let document: PolicyDocument = serde_json::from_str(r#"{"version":2}"#).unwrap();
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
