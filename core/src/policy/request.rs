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
    /// Further facts about the principal, which conditions read as
    /// `principal.NAME`, except for the names `id` and `roles`, which read
    /// the fields above.
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
    /// The resource, matched against the rules' resource scopes. Its type
    /// is the text before the first `:`.
    pub resource: &'a str,
    /// Facts about the resource, which conditions read as
    /// `resource.NAME`, except for `id` and `type`. `None` means none.
    pub resource_attributes: Option<&'a Map<String, Value>>,
    /// Facts about the request, such as time or client address, which
    /// conditions read as `context.NAME`. `null` counts as an empty record.
    pub context: &'a Value,
}

/// An owned request in its JSON form, for callers that receive requests
/// as JSON: `{"principal": {...}, "action": "read", "resource": "doc:1",
/// "resource_attributes": {...}, "context": {...}}`, where the last two are
/// optional.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RequestData {
    /// The principal making the request.
    pub principal: Principal,
    /// The action name.
    pub action: String,
    /// The resource.
    pub resource: String,
    /// Facts about the resource.
    #[serde(default, skip_serializing_if = "Map::is_empty")]
    pub resource_attributes: Map<String, Value>,
    /// Facts about the request.
    #[serde(default, skip_serializing_if = "Value::is_null")]
    pub context: Value,
}

impl<'a> Request<'a> {
    /// Builds a request without resource attributes.
    pub fn new(
        principal: &'a Principal,
        action: &'a str,
        resource: &'a str,
        context: &'a Value,
    ) -> Self {
        Self {
            principal,
            action,
            resource,
            resource_attributes: None,
            context,
        }
    }
}

impl RequestData {
    /// Borrows this request for [`Policy::evaluate`](super::Policy::evaluate).
    pub fn as_request(&self) -> Request<'_> {
        Request {
            principal: &self.principal,
            action: &self.action,
            resource: &self.resource,
            resource_attributes: Some(&self.resource_attributes),
            context: &self.context,
        }
    }
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
