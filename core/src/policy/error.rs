//! Errors from loading a policy.

use alloc::string::{String, ToString};
use alloc::vec::Vec;
use core::fmt;

use super::decision::DecisionError;
use super::limits::LimitKind;
use crate::json::{JsonError, Printable};

/// Error from loading a policy document. Each variant has a stable code,
/// returned by [`PolicyError::code`].
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum PolicyError {
    /// The text is not one JSON object (code `invalid_json`).
    InvalidJson {
        /// The parser's error, with line and column where it has them.
        source: JsonError,
    },
    /// An object in the text has two members with the same name, which
    /// would make the policy ambiguous (code `duplicate_member`).
    DuplicateMember {
        /// The repeated member name.
        name: String,
    },
    /// The JSON does not have the shape of a policy document: a missing or
    /// unknown field, or a value of the wrong type (code `invalid_document`).
    InvalidDocument {
        /// The part of the document that failed.
        location: DocumentLocation,
        /// The deserializer's message, with control characters escaped and
        /// cut to a bounded length.
        message: String,
    },
    /// The document's `version` is not one this crate reads (code
    /// `unsupported_version`).
    UnsupportedVersion {
        /// The version found.
        version: u64,
    },
    /// A declared role is invalid (code `invalid_role`).
    InvalidRole {
        /// The role's name.
        role: String,
        /// Description of the problem.
        reason: &'static str,
    },
    /// A role name that is not declared is used (code `unknown_role`).
    UnknownRole {
        /// The undeclared name.
        role: String,
        /// The role or rule that uses the name.
        referenced_by: Referrer,
    },
    /// Roles inherit from each other in a loop (code `role_cycle`).
    RoleCycle {
        /// The roles along the loop, starting and ending with the same role:
        /// `["a", "b", "a"]` means `a` inherits `b` and `b` inherits `a`.
        path: Vec<String>,
    },
    /// Two rules have the same id (code `duplicate_rule_id`).
    DuplicateRuleId {
        /// The repeated id.
        id: String,
    },
    /// A rule is invalid for a reason other than its pattern (code
    /// `invalid_rule`).
    InvalidRule {
        /// Position of the rule in the `rules` list, from 0.
        index: usize,
        /// The rule's id, which may be the empty string.
        id: String,
        /// Description of the problem.
        reason: &'static str,
    },
    /// A rule's resource pattern does not compile (code `invalid_pattern`).
    InvalidPattern {
        /// The rule's id.
        rule: String,
        /// The pattern as written.
        pattern: String,
        /// Description of the problem.
        reason: PatternProblem,
    },
    /// A rule's condition is invalid: a bad literal, pattern, CIDR range or
    /// time, or too few operands (code `invalid_condition`).
    InvalidCondition {
        /// The rule's id.
        rule: String,
        /// Description of the problem.
        reason: String,
    },
    /// A rule or group names an action group that is not declared, or a
    /// group is invalid (code `unknown_action_group`).
    UnknownActionGroup {
        /// The undeclared group name.
        group: String,
        /// The rule's id.
        rule: String,
    },
    /// The text form of a policy does not parse (code `syntax_error`).
    Syntax {
        /// Line of the problem, from 1.
        line: usize,
        /// Column of the problem, from 1, counted in characters.
        column: usize,
        /// Description of the problem.
        message: String,
    },
    /// A limit is set above the largest value this crate supports, so no
    /// policy loads under it (code `invalid_limit`).
    InvalidLimit {
        /// Which limit.
        limit: LimitKind,
        /// The value given, as written, even where it does not fit a
        /// `usize`.
        value: u64,
        /// The largest supported value.
        max: usize,
    },
    /// A schema does not load (code `invalid_schema`): it is not strict
    /// JSON, exceeds the schema's JSON limits, or has a missing or unknown
    /// field or a value of the wrong type.
    InvalidSchema {
        /// The problem, with untrusted names escaped and cut.
        reason: String,
    },
    /// The document exceeds one of the limits (code `limit_exceeded`).
    LimitExceeded {
        /// Which limit.
        limit: LimitKind,
        /// The limit's value.
        max: usize,
        /// The rule id or role name the limit applies to, for per-rule and
        /// per-role limits.
        subject: Option<String>,
    },
}

/// The part of a document that failed to deserialize.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum DocumentLocation {
    /// The top level, or a part that could not be narrowed down.
    Document,
    /// One entry of the `rules` list.
    Rule {
        /// Position in the list, from 0.
        index: usize,
        /// The entry's `id`, when it has a string one.
        id: Option<String>,
    },
    /// One entry of the `roles` object.
    Role {
        /// The role's name.
        name: String,
    },
}

/// The role or rule that names an undeclared role.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum Referrer {
    /// In the `inherits` list of this declared role.
    Role(String),
    /// In the principal scope or a condition of the rule with this id.
    Rule(String),
    /// In the role assignments of the principal with this id.
    Assignment(String),
    /// In an access review query.
    Query,
}

/// Problem with a resource pattern.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum PatternProblem {
    /// The pattern is empty.
    Empty,
    /// A backslash at byte `offset` escapes `escaped`, which is neither `*`
    /// nor `\`.
    UnknownEscape {
        /// Byte offset of the backslash.
        offset: usize,
        /// The escaped character.
        escaped: char,
    },
    /// The pattern ends in a backslash at byte `offset`.
    TrailingBackslash {
        /// Byte offset of the backslash.
        offset: usize,
    },
}

/// Upper bound on the length of a stored deserializer message, in characters.
const MAX_MESSAGE_CHARS: usize = 200;

impl PolicyError {
    /// Returns the stable snake_case code of this error, for programs and
    /// test vectors.
    pub fn code(&self) -> &'static str {
        match self {
            Self::InvalidJson { .. } => "invalid_json",
            Self::DuplicateMember { .. } => "duplicate_member",
            Self::InvalidDocument { .. } => "invalid_document",
            Self::UnsupportedVersion { .. } => "unsupported_version",
            Self::InvalidRole { .. } => "invalid_role",
            Self::UnknownRole { .. } => "unknown_role",
            Self::RoleCycle { .. } => "role_cycle",
            Self::DuplicateRuleId { .. } => "duplicate_rule_id",
            Self::InvalidRule { .. } => "invalid_rule",
            Self::InvalidPattern { .. } => "invalid_pattern",
            Self::InvalidLimit { .. } => "invalid_limit",
            Self::InvalidSchema { .. } => "invalid_schema",
            Self::LimitExceeded { .. } => "limit_exceeded",
            Self::InvalidCondition { .. } => "invalid_condition",
            Self::UnknownActionGroup { .. } => "unknown_action_group",
            Self::Syntax { .. } => "syntax_error",
        }
    }

    /// Returns whether this error, from loading `text` as a JSON policy,
    /// suggests that `text` is in the text form instead: a JSON syntax
    /// error in a document whose first byte after whitespace is not `{`.
    /// A runtime then adds to the message how it loads the text form.
    pub fn suggests_text_form(&self, text: &[u8]) -> bool {
        let syntax = matches!(
            self,
            Self::InvalidJson {
                source: JsonError::Syntax { .. }
            }
        );
        let first = text
            .iter()
            .find(|byte| !matches!(byte, b' ' | b'\t' | b'\n' | b'\r'));
        syntax && first != Some(&b'{')
    }

    /// Returns the id of the rule this error belongs to, if it belongs to one.
    fn rule_id(&self) -> Option<&str> {
        match self {
            Self::DuplicateRuleId { id } | Self::InvalidRule { id, .. } => Some(id),
            Self::InvalidPattern { rule, .. }
            | Self::InvalidCondition { rule, .. }
            | Self::UnknownActionGroup { rule, .. } => Some(rule),
            Self::UnknownRole {
                referenced_by: Referrer::Rule(rule),
                ..
            } => Some(rule),
            Self::InvalidDocument {
                location: DocumentLocation::Rule { id: Some(id), .. },
                ..
            } => Some(id),
            _ => None,
        }
    }

    /// Wraps a JSON parse error, giving duplicate members and JSON limits
    /// their own codes.
    pub(crate) fn from_json(error: JsonError) -> Self {
        match error {
            JsonError::DuplicateMember { name } => Self::DuplicateMember { name },
            JsonError::TooDeep { max } => Self::LimitExceeded {
                limit: LimitKind::JsonDepth,
                max,
                subject: None,
            },
            JsonError::TooManyMembers { max } => Self::LimitExceeded {
                limit: LimitKind::JsonMembers,
                max,
                subject: None,
            },
            source => Self::InvalidJson { source },
        }
    }

    /// Wraps a deserializer error. The message can quote member names from
    /// the input, so it is escaped and cut here, once.
    pub(crate) fn invalid_document(location: DocumentLocation, error: &serde_json::Error) -> Self {
        Self::InvalidDocument {
            location,
            message: escaped_message(error),
        }
    }
}

/// Returns a deserializer's message with the characters that
/// [`Printable`] escapes escaped the same way, and cut to
/// [`MAX_MESSAGE_CHARS`]. `Printable` itself is not used because it
/// escapes the backticks that serde puts around values.
pub(crate) fn escaped_message(error: &dyn fmt::Display) -> String {
    let mut message = String::new();
    for (index, c) in error.to_string().chars().enumerate() {
        if index == MAX_MESSAGE_CHARS {
            message.push_str("...");
            break;
        }
        if crate::json::is_invisible(c) {
            message.extend(c.escape_unicode());
        } else {
            message.push(c);
        }
    }
    message
}

impl PolicyError {}

impl fmt::Display for PolicyError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::InvalidJson { source } => write!(f, "policy is not valid JSON: {source}"),
            Self::DuplicateMember { name } => write!(
                f,
                "policy JSON repeats the member name `{}` in one object; \
                 remove one of them",
                Printable(name)
            ),
            Self::InvalidDocument { location, message } => {
                write!(f, "invalid policy document")?;
                match location {
                    DocumentLocation::Document => {}
                    DocumentLocation::Rule { index, id: None } => write!(f, " in rule {index}")?,
                    DocumentLocation::Rule {
                        index,
                        id: Some(id),
                    } => write!(f, " in rule {index} (`{}`)", Printable(id))?,
                    DocumentLocation::Role { name } => write!(f, " in role `{}`", Printable(name))?,
                }
                write!(f, ": {message}")
            }
            Self::UnsupportedVersion { version } => write!(
                f,
                "unsupported policy version {version}; this library reads versions 1 and 2"
            ),
            Self::InvalidRole { role, reason } => {
                write!(f, "invalid role `{}`: {reason}", Printable(role))
            }
            Self::UnknownRole {
                role,
                referenced_by,
            } => {
                write!(f, "unknown role `{}` ", Printable(role))?;
                match referenced_by {
                    Referrer::Role(by) => write!(f, "inherited by role `{}`", Printable(by))?,
                    Referrer::Rule(by) => write!(f, "named by rule `{}`", Printable(by))?,
                    Referrer::Assignment(by) => {
                        write!(f, "assigned to principal `{}`", Printable(by))?
                    }
                    Referrer::Query => f.write_str("named in the query")?,
                }
                f.write_str("; declare it under `roles` or fix the name")
            }
            Self::RoleCycle { path } => {
                f.write_str("roles inherit in a cycle: ")?;
                for (index, role) in path.iter().enumerate() {
                    if index > 0 {
                        f.write_str(" -> ")?;
                    }
                    write!(f, "`{}`", Printable(role))?;
                }
                f.write_str("; remove one of these inheritances")
            }
            Self::DuplicateRuleId { id } => write!(
                f,
                "duplicate rule id `{}`; give every rule a unique id",
                Printable(id)
            ),
            Self::InvalidRule { index, id, reason } if id.is_empty() => {
                write!(f, "invalid rule {index}: {reason}")
            }
            Self::InvalidRule { index, id, reason } => {
                write!(f, "invalid rule {index} (`{}`): {reason}", Printable(id))
            }
            Self::InvalidPattern {
                rule,
                pattern,
                reason,
            } => {
                write!(
                    f,
                    "invalid resource pattern `{}` in rule `{}`: {}",
                    Printable(pattern),
                    Printable(rule),
                    describe_pattern_problem(*reason)
                )
            }
            Self::InvalidCondition { rule, reason } => {
                write!(
                    f,
                    "invalid condition in rule `{}`: {reason}",
                    Printable(rule)
                )
            }
            Self::UnknownActionGroup { group, rule } => write!(
                f,
                "unknown action group `{}` named by rule `{}`; declare it under \
                 `action_groups` or fix the name",
                Printable(group),
                Printable(rule)
            ),
            Self::Syntax {
                line,
                column,
                message,
            } => write!(f, "policy text line {line}, column {column}: {message}"),
            Self::InvalidSchema { reason } => write!(f, "invalid schema: {reason}"),
            Self::InvalidLimit { limit, value, max } => write!(
                f,
                "policy limit `{}` is {value}, above the supported maximum of {max}; set it to \
                 {max} or less",
                limit.name()
            ),
            Self::LimitExceeded {
                limit,
                max,
                subject,
            } => fmt_limit(f, *limit, *max, subject.as_deref()),
        }
    }
}

/// Describes a pattern problem, for resource patterns and `like`.
pub(crate) fn describe_pattern_problem(problem: PatternProblem) -> String {
    match problem {
        PatternProblem::Empty => String::from("it is empty; use `*` for any resource"),
        PatternProblem::UnknownEscape { offset, escaped } => alloc::format!(
            "unknown escape `\\{}` at byte {offset}; only `\\*` and `\\\\` are escapes",
            Printable(escaped.encode_utf8(&mut [0; 4]))
        ),
        PatternProblem::TrailingBackslash { offset } => alloc::format!(
            "lone backslash at byte {offset} at the end; write `\\\\` for a literal backslash"
        ),
    }
}

/// Writes the message for [`PolicyError::LimitExceeded`].
fn fmt_limit(
    f: &mut fmt::Formatter<'_>,
    limit: LimitKind,
    max: usize,
    subject: Option<&str>,
) -> fmt::Result {
    let subject = Printable(subject.unwrap_or(""));
    match limit {
        LimitKind::Rules => write!(f, "policy has more rules than the limit of {max}"),
        LimitKind::Roles => write!(f, "policy declares more roles than the limit of {max}"),
        LimitKind::InheritanceDepth => write!(
            f,
            "role `{subject}` inherits through more steps than the limit of {max}"
        ),
        LimitKind::ActionsPerRule => write!(
            f,
            "rule `{subject}` lists more actions than the limit of {max}"
        ),
        LimitKind::PatternLength => write!(
            f,
            "resource pattern of rule `{subject}` is longer than the limit of {max} bytes"
        ),
        LimitKind::JsonDepth if subject.0.is_empty() => write!(
            f,
            "policy JSON is nested deeper than the limit of {max} levels"
        ),
        LimitKind::JsonDepth => write!(
            f,
            "the JSON form of rule `{subject}` is nested deeper than the limit of {max} levels"
        ),
        LimitKind::ExpressionDepth => write!(
            f,
            "a condition of rule `{subject}` is nested deeper than the limit of {max} levels"
        ),
        LimitKind::ListLength => write!(
            f,
            "a list in rule `{subject}` has more elements than the limit of {max}"
        ),
        LimitKind::Steps => write!(f, "evaluation took more than the limit of {max} steps"),
        LimitKind::RequestLength => write!(
            f,
            "a request's action or resource is longer than the limit of {max} bytes"
        ),
        LimitKind::JsonMembers if subject.0.is_empty() => write!(
            f,
            "an object or array in the policy JSON has more entries than the limit of {max}, \
             which is the largest of `max_rules`, `max_roles`, `max_actions_per_rule` and \
             `max_list_length`"
        ),
        LimitKind::JsonMembers => write!(
            f,
            "an object or array in the JSON form of `{subject}` has more entries than the \
             limit of {max}, which is the largest of `max_rules`, `max_roles`, \
             `max_actions_per_rule` and `max_list_length`"
        ),
    }?;
    write!(
        f,
        " (`{}`); shrink the policy or raise the limit",
        limit.name()
    )
}

#[cfg(feature = "std")]
impl std::error::Error for PolicyError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            Self::InvalidJson { source } => Some(source),
            _ => None,
        }
    }
}

impl From<JsonError> for PolicyError {
    /// Wraps a JSON parse error as [`PolicyError::from_json`] does for
    /// policy text: duplicate members and JSON limits keep their own codes.
    fn from(error: JsonError) -> Self {
        Self::from_json(error)
    }
}

impl From<&PolicyError> for DecisionError {
    /// Reports a load failure in a decision, for a caller that denies every
    /// request while its policy is invalid.
    fn from(error: &PolicyError) -> Self {
        Self {
            code: error.code().to_string(),
            message: error.to_string(),
            rule: error.rule_id().map(ToString::to_string),
        }
    }
}

#[cfg(test)]
#[path = "error_tests.rs"]
mod tests;
