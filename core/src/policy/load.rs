//! Reading a policy from JSON text.

use alloc::string::ToString;

use serde_json::{Map, Value};

use super::cond::Source;
use super::document::{
    PolicyDocument, RoleDefinition, RuleDefinition, POLICY_VERSION, POLICY_VERSION_1,
};
use super::engine::Policy;
use super::error::{DocumentLocation, PolicyError};
use super::limits::PolicyLimits;
use crate::json;

impl Policy {
    /// Parses and compiles a policy from JSON text with the default
    /// [`PolicyLimits`].
    ///
    /// # Errors
    ///
    /// Returns [`PolicyError`] as [`Policy::from_json_with_limits`] does.
    pub fn from_json(bytes: &[u8]) -> Result<Policy, PolicyError> {
        Self::from_json_with_limits(bytes, &PolicyLimits::default())
    }

    /// Parses and compiles a policy from JSON text.
    ///
    /// The text is parsed strictly, so that a duplicate member name is an
    /// error instead of letting the last one win silently (see
    /// [`crate::json`]). The JSON depth and member limits come from
    /// [`PolicyLimits::json_limits`].
    ///
    /// # Errors
    ///
    /// Returns [`PolicyError::InvalidLimit`] when a limit is above what this
    /// crate supports, [`PolicyError::InvalidJson`] or
    /// [`PolicyError::DuplicateMember`] when the text is not strict JSON,
    /// [`PolicyError::UnsupportedVersion`] when `version` is a whole number
    /// other than 1 or 2, and [`PolicyError::InvalidDocument`] when the document
    /// has a missing or unknown field or a value of the wrong type. Then it
    /// returns every error of [`Policy::from_document`].
    pub fn from_json_with_limits(
        bytes: &[u8],
        limits: &PolicyLimits,
    ) -> Result<Policy, PolicyError> {
        limits.check()?;
        let object =
            json::parse_object(bytes, &limits.json_limits()).map_err(PolicyError::from_json)?;

        // Check the version before the shape, so that a document of a later
        // version reports its version and not the first field it added.
        // NOTE: serde_json passes the value, not the literal, so a version
        // too large for a u64 is named as the float it reads as (`1e+20`).
        if let Some(version) = object.get("version").and_then(Value::as_u64) {
            if version != POLICY_VERSION && version != POLICY_VERSION_1 {
                return Err(PolicyError::UnsupportedVersion { version });
            }
        }

        let value = Value::Object(object);
        let document = match json::from_value_in::<PolicyDocument>(&value, bytes) {
            Ok(document) => document,
            Err(error) => return Err(locate_document_error(&value, bytes, &error)),
        };
        // The parsed tree takes about a quarter of the peak memory of a
        // load; free it before compiling.
        drop(value);
        Self::compile(document, limits, Source::Json(bytes))
    }
}

/// Finds the first rule or role that fails to deserialize on its own, so the
/// error can name it. Falls back to the whole document, whose error is then
/// about a top-level member.
fn locate_document_error(document: &Value, bytes: &[u8], error: &serde_json::Error) -> PolicyError {
    let rules = document.get("rules").and_then(Value::as_array);
    for (index, rule) in rules.into_iter().flatten().enumerate() {
        if let Err(rule_error) = json::from_value_in::<RuleDefinition>(rule, bytes) {
            let id = rule
                .get("id")
                .and_then(Value::as_str)
                .map(ToString::to_string);
            let location = DocumentLocation::Rule { index, id };
            return PolicyError::invalid_document(location, &rule_error);
        }
    }

    let roles = document.get("roles").and_then(Value::as_object);
    for (name, role) in roles.into_iter().flat_map(Map::iter) {
        if let Err(role_error) = json::from_value_in::<RoleDefinition>(role, bytes) {
            let location = DocumentLocation::Role { name: name.clone() };
            return PolicyError::invalid_document(location, &role_error);
        }
    }

    PolicyError::invalid_document(DocumentLocation::Document, error)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::policy::{LimitKind, Principal, Request};
    use alloc::format;
    use alloc::string::String;
    use alloc::vec::Vec;

    const EXAMPLE: &str = r#"{
        "version": 1,
        "roles": {
            "admin": { "inherits": ["editor"], "description": "everything" },
            "editor": { "inherits": ["viewer"] },
            "viewer": {}
        },
        "rules": [
            { "id": "viewers-read", "effect": "permit", "principal": { "role": "viewer" },
              "action": ["read", "list"], "resource": "document:*", "description": "d" },
            { "id": "alice-owns-drafts", "effect": "permit", "principal": { "id": "alice" },
              "action": "write", "resource": "draft:alice/*" },
            { "id": "nobody-deletes-archive", "effect": "forbid", "action": "delete",
              "resource": "archive:*" }
        ]
    }"#;

    fn load(text: &str) -> Result<Policy, PolicyError> {
        Policy::from_json(text.as_bytes())
    }

    #[test]
    fn example_policy_loads_and_decides() {
        let policy = load(EXAMPLE).unwrap();
        assert_eq!(policy.rule_count(), 3);

        let alice = Principal {
            id: "alice".into(),
            roles: ["editor".into()].into(),
            attributes: Map::new(),
        };
        let context = Value::Null;
        let request = Request::new(&alice, "read", "document:1", &context);
        let decision = policy.evaluate(&request);
        assert!(decision.is_allowed());
        assert_eq!(decision.reasons, ["viewers-read"]);
    }

    #[test]
    fn duplicate_member_rejected() {
        let text = r#"{"version":1,"rules":[{"id":"a","id":"b","effect":"permit","action":"x","resource":"*"}]}"#;
        let error = load(text).unwrap_err();
        assert_eq!(error, PolicyError::DuplicateMember { name: "id".into() });
    }

    #[test]
    fn syntax_error_is_invalid_json() {
        let error = load(r#"{"version":1,"#).unwrap_err();
        assert_eq!(error.code(), "invalid_json");
        assert_eq!(load("[]").unwrap_err().code(), "invalid_json");
        assert_eq!(load("").unwrap_err().code(), "invalid_json");
    }

    #[test]
    fn later_version_reported_before_new_fields() {
        let text = r#"{"version":3,"rules":[],"schema":{}}"#;
        let error = load(text).unwrap_err();
        assert_eq!(error, PolicyError::UnsupportedVersion { version: 3 });
        let zero = load(r#"{"version":0}"#).unwrap_err();
        assert_eq!(zero, PolicyError::UnsupportedVersion { version: 0 });
    }

    #[test]
    fn non_integer_version_is_invalid_document() {
        for text in [
            r#"{"version":"1"}"#,
            r#"{"version":1.5}"#,
            r#"{"version":-1}"#,
            r#"{"rules":[]}"#,
        ] {
            let error = load(text).unwrap_err();
            assert_eq!(error.code(), "invalid_document", "{text}");
        }
    }

    #[test]
    fn bad_rule_located_by_index_and_id() {
        let text = r#"{"version":1,"rules":[
            {"id":"ok","effect":"permit","action":"x","resource":"*"},
            {"id":"bad","effect":"permit","action":"x","resource":"*","when":{"value":true}}
        ]}"#;
        let error = load(text).unwrap_err();
        let PolicyError::InvalidDocument { location, message } = &error else {
            panic!("expected invalid_document, got {error:?}");
        };
        assert_eq!(
            *location,
            DocumentLocation::Rule {
                index: 1,
                id: Some("bad".into())
            }
        );
        assert!(message.starts_with("unknown field `when`"), "{message}");
        assert!(
            error
                .to_string()
                .starts_with("invalid policy document in rule 1 (`bad`): unknown field `when`"),
            "{error}"
        );
        assert!(message.contains("\"version\": 2"), "{message}");
    }

    #[test]
    fn rule_without_id_located_by_index() {
        let text = r#"{"version":1,"rules":[{"effect":"permit","action":"x","resource":"*"}]}"#;
        let error = load(text).unwrap_err();
        assert_eq!(
            error.to_string(),
            "invalid policy document in rule 0: missing field `id`"
        );
    }

    #[test]
    fn bad_role_located_by_name() {
        let text = r#"{"version":1,"roles":{"admin":{"inherit":["x"]}}}"#;
        let error = load(text).unwrap_err();
        let PolicyError::InvalidDocument { location, .. } = &error else {
            panic!("expected invalid_document, got {error:?}");
        };
        assert_eq!(
            *location,
            DocumentLocation::Role {
                name: "admin".into()
            }
        );
    }

    #[test]
    fn unknown_top_level_field_rejected() {
        let error = load(r#"{"version":1,"rulez":[]}"#).unwrap_err();
        let PolicyError::InvalidDocument { location, message } = &error else {
            panic!("expected invalid_document, got {error:?}");
        };
        assert_eq!(*location, DocumentLocation::Document);
        assert!(message.starts_with("unknown field `rulez`"), "{message}");
    }

    #[test]
    fn json_depth_limit_reported() {
        let limits = PolicyLimits {
            max_json_depth: 3,
            ..PolicyLimits::default()
        };
        let text =
            r#"{"version":1,"rules":[{"id":"r","effect":"permit","action":["x"],"resource":"*"}]}"#;
        let error = Policy::from_json_with_limits(text.as_bytes(), &limits).unwrap_err();
        assert_eq!(
            error,
            PolicyError::LimitExceeded {
                limit: LimitKind::JsonDepth,
                max: 3,
                subject: None
            }
        );
    }

    #[test]
    fn large_rule_list_parses_at_default_limits() {
        // Far above the 100 members allowed by the default JSON limits.
        let rules: Vec<String> = (0..5_000)
            .map(|i| format!(r#"{{"id":"r{i}","effect":"permit","action":"a","resource":"*"}}"#))
            .collect();
        let text = format!(r#"{{"version":1,"rules":[{}]}}"#, rules.join(","));
        assert_eq!(load(&text).unwrap().rule_count(), 5_000);
    }

    #[test]
    fn json_member_limit_reported() {
        let limits = PolicyLimits {
            max_rules: 2,
            max_roles: 2,
            max_actions_per_rule: 2,
            max_list_length: 2,
            ..PolicyLimits::default()
        };
        let names: Vec<String> = (0..65).map(|i| format!(r#""a{i}""#)).collect();
        let text = format!(
            r#"{{"version":1,"rules":[{{"id":"r","effect":"permit","action":[{}],"resource":"*"}}]}}"#,
            names.join(",")
        );
        let error = Policy::from_json_with_limits(text.as_bytes(), &limits).unwrap_err();
        assert_eq!(
            error,
            PolicyError::LimitExceeded {
                limit: LimitKind::JsonMembers,
                max: 64,
                subject: None
            }
        );
    }

    #[test]
    fn float_in_document_error_shown_as_written() {
        let error = load(r#"{"version":2e0,"rules":[]}"#).unwrap_err();
        assert!(
            error.to_string().contains("floating point `2e0`"),
            "{error}"
        );
        let text =
            r#"{"version":2,"rules":[{"id":"r","effect":"permit","action":1E1,"resource":"*"}]}"#;
        let error = load(text).unwrap_err();
        assert!(
            error.to_string().contains("floating point `1E1`"),
            "{error}"
        );
    }

    #[test]
    fn invalid_utf8_is_invalid_json() {
        let error = Policy::from_json(b"{\"version\":1,\"x\":\"\xff\"}").unwrap_err();
        assert_eq!(error.code(), "invalid_json");
    }
}
