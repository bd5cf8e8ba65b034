//! Authorization requests: the input of [`Policy::evaluate`](super::Policy::evaluate).

use alloc::string::String;
use alloc::vec::Vec;

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

/// The party making a request, usually built from verified token claims.
///
/// In JSON, `roles` and `attributes` are optional and default to empty.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Principal {
    /// Identifier that `{"id": X}` principal scopes compare against, exactly.
    pub id: String,
    /// Role names. Roles the policy does not declare are allowed and grant
    /// nothing.
    #[serde(default)]
    pub roles: Vec<String>,
    /// Further facts about the principal, for rule conditions. No rule reads
    /// them yet, because this version has no conditions.
    #[serde(default)]
    pub attributes: Map<String, Value>,
}

/// One authorization request.
#[derive(Debug, Clone, Copy)]
pub struct Request<'a> {
    /// The principal making the request.
    pub principal: &'a Principal,
    /// The action name, compared exactly with the rules' action names.
    pub action: &'a str,
    /// The resource, matched against the rules' resource patterns.
    pub resource: &'a str,
    /// Facts about the request, such as time or client address, for rule
    /// conditions. No rule reads it yet, because this version has no
    /// conditions.
    pub context: &'a Value,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn principal_fields_default() {
        let principal: Principal = serde_json::from_str(r#"{"id":"alice"}"#).unwrap();
        assert_eq!(principal.id, "alice");
        assert!(principal.roles.is_empty());
        assert!(principal.attributes.is_empty());
    }

    #[test]
    fn principal_rejects_unknown_field() {
        assert!(serde_json::from_str::<Principal>(r#"{"id":"a","role":"x"}"#).is_err());
    }
}
