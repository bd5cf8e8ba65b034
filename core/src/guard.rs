//! The one-call pipeline: bearer token in, explained decision out.
//!
//! [`Guard::check`] verifies the token, builds the [`Principal`] from its
//! claims, evaluates the policy and returns a [`Decision`]. Every failure on
//! the way is a deny whose errors name what failed, so nothing is thrown.

use alloc::string::{String, ToString};
use alloc::vec;
use alloc::vec::Vec;

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use crate::json::Printable;
use crate::policy::{Decision, DecisionError, Policy, Principal, Request};
use crate::token::{self, Claims, KeySet, TokenError, Validation};

/// How the guard reads a principal out of verified claims.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
#[non_exhaustive]
pub struct PrincipalMapping {
    /// Claims that carry role names, read in order and merged. Default
    /// `["roles"]`.
    ///
    /// Each entry is read one way only, fixed by its text:
    ///
    /// - an entry that contains `/` or `:` is one top-level claim name, so
    ///   namespaced claims like `https://example.com/roles` work as written;
    /// - any other entry with a dot is a path into nested objects, such as
    ///   `realm_access.roles`, and never a top-level name;
    /// - an entry without a dot is a top-level claim name.
    ///
    /// A token cannot supply the other reading of an entry, so a claim
    /// whose name a user can choose never replaces the intended one.
    ///
    /// A string value is split on spaces (U+0020, as OAuth `scope` and
    /// `scp` are); an array must hold only strings. An absent claim gives no
    /// roles.
    ///
    /// An entry must not be empty, and a path must not have an empty
    /// segment (`a..b`, `.a`, `a.`). Deserializing rejects such an entry, and
    /// [`PrincipalMapping::check`] does for a mapping built in code.
    #[serde(deserialize_with = "roles_claims")]
    pub roles_claims: Vec<String>,
}

impl Default for PrincipalMapping {
    fn default() -> Self {
        Self {
            roles_claims: vec![String::from("roles")],
        }
    }
}

impl PrincipalMapping {
    /// Checks that every `roles_claims` entry is a claim name or a dotted
    /// path without empty segments. Deserializing runs this check, and
    /// [`Guard::check`] runs it on every request and denies when it fails.
    ///
    /// # Errors
    ///
    /// [`GuardConfigError::InvalidRolesClaim`] for the first malformed entry.
    pub fn check(&self) -> Result<(), GuardConfigError> {
        self.roles_claims
            .iter()
            .try_for_each(|entry| check_roles_claim(entry))
    }
}

/// A guard configuration that cannot work as written.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum GuardConfigError {
    /// A `roles_claims` entry is empty or has an empty path segment.
    InvalidRolesClaim {
        /// The entry, escaped and cut to 64 characters.
        entry: String,
    },
}

impl GuardConfigError {
    /// Returns a stable snake_case code: `invalid_roles_claim`.
    pub const fn code(&self) -> &'static str {
        match self {
            Self::InvalidRolesClaim { .. } => "invalid_roles_claim",
        }
    }
}

impl core::fmt::Display for GuardConfigError {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        match self {
            Self::InvalidRolesClaim { entry } if entry.is_empty() => {
                f.write_str("`roles_claims` has an empty entry; give a claim name such as `roles`")
            }
            Self::InvalidRolesClaim { entry } => write!(
                f,
                "`roles_claims` entry `{entry}` has an empty path segment; join claim names \
                 with single dots, as in `realm_access.roles`"
            ),
        }
    }
}

#[cfg(feature = "std")]
impl std::error::Error for GuardConfigError {}

/// Rejects an empty entry and a path with an empty segment.
fn check_roles_claim(entry: &str) -> Result<(), GuardConfigError> {
    let malformed = if is_path(entry) {
        entry.split('.').any(str::is_empty)
    } else {
        entry.is_empty()
    };
    if malformed {
        return Err(GuardConfigError::InvalidRolesClaim {
            entry: alloc::format!("{}", Printable(entry)),
        });
    }
    Ok(())
}

/// Deserializes `roles_claims` and checks every entry.
fn roles_claims<'de, D: serde::Deserializer<'de>>(
    deserializer: D,
) -> Result<Vec<String>, D::Error> {
    let entries = Vec::<String>::deserialize(deserializer)?;
    for entry in &entries {
        check_roles_claim(entry).map_err(serde::de::Error::custom)?;
    }
    Ok(entries)
}

/// The settings of a [`Guard`], besides its keys and policy.
///
/// Stored form: `{"validation": {...}, "principal": {...}}`, both optional,
/// unknown fields rejected.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
#[non_exhaustive]
pub struct GuardConfig {
    /// Token validation options; `sub` is always required in addition.
    pub validation: Validation,
    /// How roles are read from the claims.
    pub principal: PrincipalMapping,
}

/// One request to authorize.
#[derive(Debug, Clone, Copy)]
pub struct GuardRequest<'a> {
    /// The bearer token: a compact JWT, without the `Bearer ` scheme.
    pub token: &'a str,
    /// The action requested, for example `read`.
    pub action: &'a str,
    /// The resource, for example `document:42`.
    pub resource: &'a str,
    /// Request context (client address, time, ...), a JSON value that
    /// conditions read as `context`.
    pub context: &'a Value,
    /// Facts about the resource, which conditions read as `resource.NAME`.
    pub resource_attributes: Option<&'a Map<String, Value>>,
}

/// Keys, validation and policy together, ready to check requests.
#[derive(Debug)]
pub struct Guard {
    keys: KeySet,
    validation: Validation,
    mapping: PrincipalMapping,
    policy: Policy,
}

impl Guard {
    /// Builds a guard. `sub` is added to the required claims, because the
    /// principal's id comes from it.
    pub fn new(config: GuardConfig, keys: KeySet, policy: Policy) -> Self {
        let mut validation = config.validation;
        if !validation
            .required_claims
            .iter()
            .any(|claim| claim == "sub")
        {
            validation.required_claims.push(String::from("sub"));
        }
        Self {
            keys,
            validation,
            mapping: config.principal,
            policy,
        }
    }

    /// Verifies the token, maps its claims to a principal and evaluates the
    /// policy, at `now` in Unix seconds.
    ///
    /// An invalid token, or claims that do not map to a principal, give a
    /// deny whose single error has a code starting with `token_` or
    /// `principal_`.
    pub fn check(&self, request: &GuardRequest<'_>, now: u64) -> Decision {
        let verified = match token::verify(request.token, &self.keys, &self.validation, now) {
            Ok(verified) => verified,
            Err(error) => return Decision::deny_with(vec![token_error(&error)]),
        };
        let principal = match self.principal(&verified.claims) {
            Ok(principal) => principal,
            Err(error) => return Decision::deny_with(vec![error]),
        };
        self.policy.evaluate(&Request {
            principal: &principal,
            action: request.action,
            resource: request.resource,
            resource_attributes: request.resource_attributes,
            context: request.context,
        })
    }

    /// Builds the principal of verified `claims`: `sub` as id, roles from the
    /// configured claims, every claim as an attribute.
    ///
    /// # Errors
    ///
    /// A [`DecisionError`] with one of these codes:
    ///
    /// - `principal_missing_subject`: `sub` is absent or not a string;
    /// - `principal_empty_subject`: `sub` is the empty string;
    /// - `principal_invalid_roles_claim`: a `roles_claims` entry is
    ///   malformed (see [`PrincipalMapping::check`]);
    /// - `principal_invalid_roles`: a roles claim is neither a string nor an
    ///   array of strings.
    pub fn principal(&self, claims: &Claims) -> Result<Principal, DecisionError> {
        let Some(id) = claims.subject() else {
            return Err(DecisionError {
                code: String::from("principal_missing_subject"),
                message: String::from("token has no string `sub` claim to identify the principal"),
                rule: None,
            });
        };
        // Token verification counts `"sub": ""` as present, but an empty id
        // names no principal, and rules on `principal.id` would match it.
        if id.is_empty() {
            return Err(DecisionError {
                code: String::from("principal_empty_subject"),
                message: String::from(
                    "token's `sub` claim is empty, so it names no principal; the issuer must \
                     put the principal's id in `sub`",
                ),
                rule: None,
            });
        }
        self.mapping.check().map_err(|error| DecisionError {
            code: String::from("principal_invalid_roles_claim"),
            message: error.to_string(),
            rule: None,
        })?;

        let mut roles = Vec::new();
        for entry in &self.mapping.roles_claims {
            match lookup(claims.as_map(), entry) {
                None => {}
                Some(Value::String(text)) => {
                    // OAuth scopes are separated by U+0020 alone (RFC 6749
                    // §3.3); splitting on other whitespace would let
                    // `viewer\u{a0}admin` grant `admin`.
                    let names = text.split(' ').filter(|name| !name.is_empty());
                    roles.extend(names.map(String::from));
                }
                Some(Value::Array(items)) => {
                    for item in items {
                        let Value::String(role) = item else {
                            return Err(invalid_roles(entry));
                        };
                        roles.push(role.clone());
                    }
                }
                Some(_) => return Err(invalid_roles(entry)),
            }
        }
        roles.sort_unstable();
        roles.dedup();

        Ok(Principal {
            id: id.to_string(),
            roles,
            attributes: claims.as_map().clone(),
        })
    }

    /// The policy this guard evaluates.
    pub fn policy(&self) -> &Policy {
        &self.policy
    }

    /// The validation options in force, with `sub` required.
    pub fn validation(&self) -> &Validation {
        &self.validation
    }
}

/// Extracts the token from an `Authorization` header value of the form
/// `Bearer <token>` (RFC 6750 §2.1; the scheme is case-insensitive).
pub fn bearer_token(authorization: &str) -> Option<&str> {
    let (scheme, token) = authorization.split_once(' ')?;
    let token = token.trim_start_matches(' ');
    (scheme.eq_ignore_ascii_case("bearer") && !token.is_empty() && !token.contains(' '))
        .then_some(token)
}

/// The decision error for a rejected token: code `token_` plus the token
/// error's code.
pub fn token_error(error: &TokenError) -> DecisionError {
    DecisionError {
        code: alloc::format!("token_{}", error.code()),
        message: error.to_string(),
        rule: None,
    }
}

fn invalid_roles(path: &str) -> DecisionError {
    DecisionError {
        code: String::from("principal_invalid_roles"),
        message: alloc::format!(
            "roles claim `{}` must be a string or an array of strings",
            Printable(path)
        ),
        rule: None,
    }
}

/// Returns whether a `roles_claims` entry is a path into nested objects:
/// it has a dot and no `/` or `:`. Any other entry is one claim name.
fn is_path(entry: &str) -> bool {
    entry.contains('.') && !entry.contains(['/', ':'])
}

/// Finds `entry` in `claims`: as a path through nested objects when
/// [`is_path`] returns true, otherwise as one top-level name.
fn lookup<'a>(claims: &'a Map<String, Value>, entry: &str) -> Option<&'a Value> {
    if is_path(entry) {
        nested(claims, entry)
    } else {
        claims.get(entry)
    }
}

/// Follows the dotted `path` through nested objects of `claims`.
fn nested<'a>(claims: &'a Map<String, Value>, path: &str) -> Option<&'a Value> {
    let mut segments = path.split('.');
    let mut current = claims.get(segments.next()?)?;
    for segment in segments {
        current = current.as_object()?.get(segment)?;
    }
    Some(current)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn claims(value: Value) -> Map<String, Value> {
        match value {
            Value::Object(map) => map,
            _ => Map::new(),
        }
    }

    #[test]
    fn lookup_finds_either_reading() {
        let map = claims(serde_json::json!({
            "https://example.com/roles": ["whole"],
            "realm_access": {"roles": ["x"]}
        }));
        assert_eq!(
            lookup(&map, "https://example.com/roles"),
            Some(&serde_json::json!(["whole"]))
        );
        assert_eq!(
            lookup(&map, "realm_access.roles"),
            Some(&serde_json::json!(["x"]))
        );
        assert_eq!(lookup(&map, "realm_access.missing"), None);
        assert_eq!(lookup(&map, "realm_access.roles.x"), None);
    }

    #[test]
    fn lookup_reads_one_way_only() {
        let map = claims(serde_json::json!({
            "a.b": "whole",
            "https://example": {"com/roles": "nested"},
            "urn:x": {"y": "nested"}
        }));
        // A path never reads a top-level name with dots.
        assert_eq!(lookup(&map, "a.b"), None);
        // A name with `/` or `:` never reads as a path.
        assert_eq!(lookup(&map, "https://example.com/roles"), None);
        assert_eq!(lookup(&map, "urn:x.y"), None);
    }

    #[test]
    fn malformed_entries_rejected() {
        for entry in ["", ".", "a..b", ".x", "x.", "a.b."] {
            let mapping = PrincipalMapping {
                roles_claims: vec![String::from("roles"), String::from(entry)],
            };
            let error = mapping.check().unwrap_err();
            assert_eq!(error.code(), "invalid_roles_claim", "{entry}");
            let text = serde_json::json!({ "roles_claims": ["roles", entry] });
            let parsed = serde_json::from_value::<PrincipalMapping>(text);
            assert!(parsed.is_err(), "{entry}");
        }
        for entry in [
            "roles",
            "realm_access.roles",
            "https://example.com/roles",
            "https://example.com/a..b",
        ] {
            let text = serde_json::json!({ "roles_claims": [entry] });
            let parsed = serde_json::from_value::<PrincipalMapping>(text).unwrap();
            assert_eq!(parsed.check(), Ok(()), "{entry}");
        }
    }

    #[test]
    fn malformed_entry_messages() {
        let empty = GuardConfigError::InvalidRolesClaim {
            entry: String::new(),
        };
        assert_eq!(
            empty.to_string(),
            "`roles_claims` has an empty entry; give a claim name such as `roles`"
        );
        let text = serde_json::json!({ "roles_claims": ["a..b"] });
        let error = serde_json::from_value::<PrincipalMapping>(text).unwrap_err();
        assert_eq!(
            error.to_string(),
            "`roles_claims` entry `a..b` has an empty path segment; join claim names with \
             single dots, as in `realm_access.roles`"
        );
    }

    #[test]
    fn bearer_scheme_parsed() {
        assert_eq!(bearer_token("Bearer abc.def.ghi"), Some("abc.def.ghi"));
        assert_eq!(bearer_token("bearer abc"), Some("abc"));
        assert_eq!(bearer_token("Basic abc"), None);
        assert_eq!(bearer_token("Bearer "), None);
        assert_eq!(bearer_token("Bearer a b"), None);
    }
}
