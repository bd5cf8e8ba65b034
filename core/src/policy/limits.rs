//! Size limits applied while loading a policy and while evaluating it.

use serde::{Deserialize, Serialize};

use super::error::PolicyError;
use crate::json::{self, JsonLimits};

/// Limits checked while loading a policy, where exceeding one is the error
/// [`PolicyError::LimitExceeded`](super::PolicyError::LimitExceeded), and
/// while evaluating it (`max_steps`, `max_list_length`,
/// `max_request_length`), where exceeding one is a decision error.
///
/// Every default is far above what a hand-written policy needs. The limits
/// exist so that a generated or hostile document costs bounded time and
/// memory to load. The struct is `#[non_exhaustive]` so that limits can be
/// added, so build one from [`PolicyLimits::default`] and set the fields you
/// need.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
#[non_exhaustive]
pub struct PolicyLimits {
    /// Maximum number of rules. Default 100,000.
    pub max_rules: usize,
    /// Maximum number of declared roles. Default 10,000.
    ///
    /// Loading keeps one bit per pair of roles for the inheritance closure,
    /// so the default allows at most about 12.5 MB for that table.
    pub max_roles: usize,
    /// Maximum number of inheritance steps below any role: a role that
    /// inherits nothing has depth 0, and `a` inheriting `b` inheriting `c`
    /// gives `a` depth 2. Default 64.
    pub max_inheritance_depth: usize,
    /// Maximum number of action names in one rule. Default 256.
    pub max_actions_per_rule: usize,
    /// Maximum length of one resource pattern, in bytes of UTF-8. Default 1024.
    pub max_pattern_length: usize,
    /// Maximum nesting of JSON objects and arrays in the policy text, where
    /// the document object is level 1. Default 96: a version 1 policy needs
    /// 4, and a condition at `max_expression_depth` 32 needs about 70,
    /// because each operator is an object holding an array. At most
    /// [`json::MAX_SUPPORTED_DEPTH`] (127): loading under a larger value
    /// fails with [`PolicyError::InvalidLimit`](super::PolicyError::InvalidLimit).
    pub max_json_depth: usize,
    /// Maximum nesting of one condition, where a literal or variable is
    /// level 1. Default 32; values above [`MAX_SUPPORTED_EXPRESSION_DEPTH`]
    /// act as that. Evaluation recurses over conditions, so this limit also
    /// bounds its stack use.
    pub max_expression_depth: usize,
    /// Maximum number of elements of one list: a literal in a condition at
    /// load, and a list that a condition reads from the request. Default
    /// 1,000.
    pub max_list_length: usize,
    /// Maximum evaluation steps in one decision, counting every condition
    /// node and every list element compared. Default 10,000. A forbid rule
    /// that runs out of steps denies; a permit rule grants nothing.
    pub max_steps: usize,
    /// Maximum length of a request's action and of its resource, each in
    /// bytes of UTF-8. Default 4096. Matching cost grows with the resource
    /// length, and the request is the caller's input, so a longer one is
    /// denied with a `request_too_large` error instead of being evaluated.
    pub max_request_length: usize,
}

/// Deepest condition any setting allows: a larger
/// [`PolicyLimits::max_expression_depth`] acts as this one, so that the
/// recursion of loading, formatting and evaluation stays far from the
/// stack's end.
pub const MAX_SUPPORTED_EXPRESSION_DEPTH: usize = 256;

/// Names one of the [`PolicyLimits`], or one of the JSON limits derived
/// from them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum LimitKind {
    /// [`PolicyLimits::max_rules`].
    Rules,
    /// [`PolicyLimits::max_roles`].
    Roles,
    /// [`PolicyLimits::max_inheritance_depth`].
    InheritanceDepth,
    /// [`PolicyLimits::max_actions_per_rule`].
    ActionsPerRule,
    /// [`PolicyLimits::max_pattern_length`].
    PatternLength,
    /// [`PolicyLimits::max_json_depth`].
    JsonDepth,
    /// [`PolicyLimits::max_expression_depth`].
    ExpressionDepth,
    /// [`PolicyLimits::max_list_length`].
    ListLength,
    /// [`PolicyLimits::max_steps`].
    Steps,
    /// The maximum entries in any one JSON object or array, which is the
    /// largest of `max_rules`, `max_roles`, `max_actions_per_rule` and
    /// `max_list_length` (see [`PolicyLimits::json_limits`]).
    JsonMembers,
}

/// Lower bound for the JSON member limit, so that small list limits never
/// stop a rule object's own few members from parsing.
const MIN_JSON_MEMBERS: usize = 64;

impl Default for PolicyLimits {
    fn default() -> Self {
        Self {
            max_rules: 100_000,
            max_roles: 10_000,
            max_inheritance_depth: 64,
            max_actions_per_rule: 256,
            max_pattern_length: 1024,
            max_json_depth: 96,
            max_expression_depth: 32,
            max_list_length: 1_000,
            max_steps: 10_000,
            max_request_length: 4096,
        }
    }
}

impl PolicyLimits {
    /// Checks that every limit is within the range this crate supports.
    /// Loading a policy from JSON or the text form runs this check first.
    ///
    /// # Errors
    ///
    /// [`PolicyError::InvalidLimit`] when `max_json_depth` is above
    /// [`json::MAX_SUPPORTED_DEPTH`], the deepest nesting the JSON parser
    /// can check.
    pub fn check(&self) -> Result<(), PolicyError> {
        if self.max_json_depth > json::MAX_SUPPORTED_DEPTH {
            return Err(PolicyError::InvalidLimit {
                limit: LimitKind::JsonDepth,
                value: self.max_json_depth,
                max: json::MAX_SUPPORTED_DEPTH,
            });
        }
        Ok(())
    }

    /// Returns the limits for parsing policy text.
    ///
    /// The member limit is the largest of `max_rules`, `max_roles`,
    /// `max_actions_per_rule`, `max_list_length` and 64, which is 100,000
    /// by default. A list
    /// at its own limit therefore parses, and the parser still stops a huge
    /// array before building it. The default [`JsonLimits`] allow only 100
    /// members, too few for a policy.
    pub fn json_limits(&self) -> JsonLimits {
        let max_members = self
            .max_rules
            .max(self.max_roles)
            .max(self.max_actions_per_rule)
            .max(self.max_list_length)
            .max(MIN_JSON_MEMBERS);
        JsonLimits {
            max_depth: self.max_json_depth,
            max_members,
        }
    }
}

impl LimitKind {
    /// Returns the name of the limit as written in [`PolicyLimits`], such
    /// as `max_rules`, or `json_members` for the derived member limit.
    pub fn name(self) -> &'static str {
        match self {
            Self::Rules => "max_rules",
            Self::Roles => "max_roles",
            Self::InheritanceDepth => "max_inheritance_depth",
            Self::ActionsPerRule => "max_actions_per_rule",
            Self::PatternLength => "max_pattern_length",
            Self::JsonDepth => "max_json_depth",
            Self::ExpressionDepth => "max_expression_depth",
            Self::ListLength => "max_list_length",
            Self::Steps => "max_steps",
            Self::JsonMembers => "json_members",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn json_limits_default_allow_large_lists() {
        let limits = PolicyLimits::default().json_limits();
        assert_eq!(limits.max_depth, 96);
        assert_eq!(limits.max_members, 100_000);
    }

    #[test]
    fn json_limits_follow_largest_list_limit() {
        let limits = PolicyLimits {
            max_rules: 5,
            max_roles: 300_000,
            ..PolicyLimits::default()
        };
        assert_eq!(limits.json_limits().max_members, 300_000);
    }

    #[test]
    fn json_limits_have_floor() {
        let limits = PolicyLimits {
            max_rules: 1,
            max_roles: 1,
            max_actions_per_rule: 1,
            max_list_length: 1,
            ..PolicyLimits::default()
        };
        assert_eq!(limits.json_limits().max_members, MIN_JSON_MEMBERS);
    }

    #[test]
    fn json_depth_above_supported_rejected() {
        let limits = PolicyLimits {
            max_json_depth: 128,
            ..PolicyLimits::default()
        };
        let error = limits.check().unwrap_err();
        assert_eq!(
            error,
            PolicyError::InvalidLimit {
                limit: LimitKind::JsonDepth,
                value: 128,
                max: 127,
            }
        );
        assert_eq!(error.code(), "invalid_limit");
        let message = alloc::format!("{error}");
        assert!(
            message.contains("`max_json_depth` is 128, above the supported maximum of 127"),
            "{message}"
        );
        let text = r#"{"version":1,"rules":[]}"#;
        assert_eq!(
            super::super::Policy::from_json_with_limits(text.as_bytes(), &limits).err(),
            Some(error.clone())
        );
        assert_eq!(
            super::super::Policy::from_text_with_limits("version 2", &limits).err(),
            Some(error)
        );
        let supported = PolicyLimits {
            max_json_depth: 127,
            ..PolicyLimits::default()
        };
        assert_eq!(supported.check(), Ok(()));
    }

    #[test]
    fn limits_deserialize_with_defaults() {
        let limits: PolicyLimits = serde_json::from_str(r#"{"max_rules":3}"#).unwrap();
        let expected = PolicyLimits {
            max_rules: 3,
            ..PolicyLimits::default()
        };
        assert_eq!(limits, expected);
        assert!(serde_json::from_str::<PolicyLimits>(r#"{"max_rulez":3}"#).is_err());
    }
}
