//! Authorization requests: the input of [`Policy::evaluate`](super::Policy::evaluate).

use alloc::string::String;
use alloc::vec::Vec;
use core::fmt;

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use crate::json::JsonLimits;

/// Deepest nesting of a request's context, of its resource attributes and
/// of its principal's attributes, each counted from its own object as
/// level 1: 64. Every runtime applies it when it reads a request from JSON,
/// whether the context comes on its own or inside a whole request.
pub const MAX_REQUEST_DEPTH: usize = 64;

/// Maximum entries in any one object or array of a request read from JSON.
pub const MAX_REQUEST_MEMBERS: usize = 100_000;

/// JSON limits for reading a context or an attributes object on its own.
pub const REQUEST_OBJECT_LIMITS: JsonLimits = JsonLimits {
    max_depth: MAX_REQUEST_DEPTH,
    max_members: MAX_REQUEST_MEMBERS,
};

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
    /// conditions read as `context.NAME`: a JSON object, or `null` for an
    /// empty one. Any other value is denied with an `invalid_request`
    /// error.
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
    /// Facts about the request: an object, or absent or `null` for none.
    /// Any other value is denied with an `invalid_request` error.
    #[serde(default, skip_serializing_if = "Value::is_null")]
    pub context: Value,
}

/// A rejection of a request read from JSON, before evaluation.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum RequestError {
    /// The context or an attributes object nests deeper than
    /// [`MAX_REQUEST_DEPTH`].
    TooDeep {
        /// `context`, `resource_attributes` or `principal.attributes`.
        part: &'static str,
        /// The limit, [`MAX_REQUEST_DEPTH`].
        max: usize,
    },
}

impl fmt::Display for RequestError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::TooDeep { part, max } => write!(
                f,
                "request `{part}` is nested deeper than the limit of {max} levels, counting its \
                 own object as level 1"
            ),
        }
    }
}

#[cfg(feature = "std")]
impl std::error::Error for RequestError {}

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
    /// JSON limits for reading a whole request, or a file of requests: the
    /// deepest nesting the parser checks, so that a part nested too deep
    /// parses and [`RequestData::check_depth`], which the reader runs next,
    /// names it. The context and both attributes objects then get the same
    /// [`MAX_REQUEST_DEPTH`] as when they are read on their own.
    pub const JSON_LIMITS: JsonLimits = JsonLimits {
        max_depth: crate::json::MAX_SUPPORTED_DEPTH,
        max_members: MAX_REQUEST_MEMBERS,
    };

    /// Checks that the context, the resource attributes and the
    /// principal's attributes each nest at most [`MAX_REQUEST_DEPTH`]
    /// levels.
    ///
    /// # Errors
    ///
    /// [`RequestError::TooDeep`] naming the first part that nests deeper.
    pub fn check_depth(&self) -> Result<(), RequestError> {
        let parts = [
            ("context", depth(&self.context)),
            (
                "resource_attributes",
                object_depth(&self.resource_attributes),
            ),
            (
                "principal.attributes",
                object_depth(&self.principal.attributes),
            ),
        ];
        for (part, depth) in parts {
            if depth > MAX_REQUEST_DEPTH {
                return Err(RequestError::TooDeep {
                    part,
                    max: MAX_REQUEST_DEPTH,
                });
            }
        }
        Ok(())
    }

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

/// Returns the nesting of objects and arrays in `value`, where a scalar is
/// 0 and an empty object 1, without recursion.
fn depth(value: &Value) -> usize {
    let mut deepest = 0;
    let mut pending = alloc::vec![(value, 1_usize)];
    while let Some((value, level)) = pending.pop() {
        let children: &mut dyn Iterator<Item = &Value> = match value {
            Value::Array(items) => &mut items.iter(),
            Value::Object(map) => &mut map.values(),
            _ => continue,
        };
        deepest = deepest.max(level);
        pending.extend(children.map(|child| (child, level + 1)));
    }
    deepest
}

fn object_depth(map: &Map<String, Value>) -> usize {
    map.values().map(depth).max().unwrap_or(0) + 1
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

    fn nested(levels: usize) -> Value {
        let mut value = Value::from(1);
        for _ in 0..levels {
            value = serde_json::json!({ "a": value });
        }
        value
    }

    #[test]
    fn depth_counts_objects_and_arrays() {
        assert_eq!(depth(&Value::from(1)), 0);
        assert_eq!(depth(&serde_json::json!({})), 1);
        assert_eq!(depth(&serde_json::json!([[], {"a": [1]}])), 3);
        assert_eq!(depth(&nested(64)), 64);
    }

    #[test]
    fn request_parts_limited_to_max_depth() {
        let principal = Principal {
            id: "u".into(),
            ..Principal::default()
        };
        let mut request = RequestData {
            principal,
            action: "a".into(),
            resource: "r".into(),
            resource_attributes: Map::new(),
            context: nested(MAX_REQUEST_DEPTH),
        };
        assert_eq!(request.check_depth(), Ok(()));

        request.context = nested(MAX_REQUEST_DEPTH + 1);
        let error = request.check_depth().unwrap_err();
        assert_eq!(
            error,
            RequestError::TooDeep {
                part: "context",
                max: 64
            }
        );
        assert!(
            alloc::format!("{error}")
                .starts_with("request `context` is nested deeper than the limit of 64 levels"),
            "{error}"
        );

        request.context = Value::Null;
        let Value::Object(deep) = nested(MAX_REQUEST_DEPTH + 1) else {
            unreachable!()
        };
        request.resource_attributes = deep.clone();
        assert!(matches!(
            request.check_depth(),
            Err(RequestError::TooDeep {
                part: "resource_attributes",
                ..
            })
        ));
        request.resource_attributes = Map::new();
        request.principal.attributes = deep;
        assert!(matches!(
            request.check_depth(),
            Err(RequestError::TooDeep {
                part: "principal.attributes",
                ..
            })
        ));
    }

    #[test]
    fn whole_request_limits_fit_every_part() {
        // A request whose principal attributes nest to the limit parses.
        let text = alloc::format!(
            r#"{{"principal":{{"id":"u","attributes":{}}},"action":"a","resource":"r","context":{}}}"#,
            nested(MAX_REQUEST_DEPTH),
            nested(MAX_REQUEST_DEPTH)
        );
        let value = crate::json::parse_value(text.as_bytes(), &RequestData::JSON_LIMITS).unwrap();
        let request: RequestData = crate::json::from_value(&value).unwrap();
        assert_eq!(request.check_depth(), Ok(()));
    }

    #[test]
    fn principal_rejects_unknown_field() {
        assert!(serde_json::from_str::<Principal>(r#"{"id":"a","role":"x"}"#).is_err());
    }
}
