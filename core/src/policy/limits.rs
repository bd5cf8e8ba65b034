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
///
/// Every limit has a maximum, the same on every platform (see
/// [`LimitKind::max_supported`]). Loading under a limit above its maximum
/// fails with [`PolicyError::InvalidLimit`](super::PolicyError::InvalidLimit).
/// In JSON, the fields are the snake_case names below, each optional, and
/// a value too large for `usize` on the platform is still reported with the
/// value as written.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(from = "LimitsJson", into = "LimitsJson")]
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
    /// Maximum nesting of JSON objects and arrays in the policy's JSON form,
    /// where the document object is level 1. The text form is held to the
    /// nesting of the JSON form it converts to, so that both forms load the
    /// same documents. Default 96: a version 1 policy needs 4, and a
    /// condition at `max_expression_depth` 32 needs about 70, because each
    /// operator is an object holding an array. At most
    /// [`json::MAX_SUPPORTED_DEPTH`] (127).
    pub max_json_depth: usize,
    /// Maximum nesting of one condition, where a literal or variable is
    /// level 1. Default 32, at most [`MAX_SUPPORTED_EXPRESSION_DEPTH`]
    /// (256). Evaluation recurses over conditions, so this limit also
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
    /// The first limit that the JSON form set above its maximum, with the
    /// value as written, which a `usize` field cannot hold on a 32-bit
    /// platform. [`PolicyLimits::check`] reports it, and the JSON form
    /// writes it back in place of the field.
    pub(crate) over_maximum: Option<(LimitKind, u64)>,
}

/// Deepest condition any setting allows: a
/// [`PolicyLimits::max_expression_depth`] above it is rejected, so that the
/// recursion of loading, formatting and evaluation stays far from the
/// stack's end.
pub const MAX_SUPPORTED_EXPRESSION_DEPTH: usize = 256;

/// Largest value of the limits that count rules, roles, steps, bytes and
/// the like: 4,294,967,295, the largest `usize` of a 32-bit platform, such
/// as the npm package's WebAssembly module. One maximum for every platform
/// makes a limit that loads in one runtime load in all of them.
pub const MAX_SUPPORTED_COUNT: usize = u32::MAX as usize;

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
    /// [`PolicyLimits::max_request_length`].
    RequestLength,
}

/// The limits that [`PolicyLimits`] has a field for, in the field order.
const SETTABLE: [LimitKind; 10] = [
    LimitKind::Rules,
    LimitKind::Roles,
    LimitKind::InheritanceDepth,
    LimitKind::ActionsPerRule,
    LimitKind::PatternLength,
    LimitKind::JsonDepth,
    LimitKind::ExpressionDepth,
    LimitKind::ListLength,
    LimitKind::Steps,
    LimitKind::RequestLength,
];

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
            over_maximum: None,
        }
    }
}

impl PolicyLimits {
    /// Checks that every limit is at most its maximum
    /// ([`LimitKind::max_supported`]). Loading a policy runs this check
    /// first.
    ///
    /// # Errors
    ///
    /// [`PolicyError::InvalidLimit`] naming the first limit above its
    /// maximum, in the order of the fields.
    pub fn check(&self) -> Result<(), PolicyError> {
        if let Some((limit, value)) = self.over_maximum {
            return Err(PolicyError::InvalidLimit {
                limit,
                value,
                max: limit.max_supported(),
            });
        }
        for limit in SETTABLE {
            let value = self.value(limit);
            if value > limit.max_supported() {
                return Err(PolicyError::InvalidLimit {
                    limit,
                    value: value as u64,
                    max: limit.max_supported(),
                });
            }
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

    /// Returns the value of a limit that has a field, or 0 for
    /// [`LimitKind::JsonMembers`], which is derived.
    fn value(&self, limit: LimitKind) -> usize {
        match limit {
            LimitKind::Rules => self.max_rules,
            LimitKind::Roles => self.max_roles,
            LimitKind::InheritanceDepth => self.max_inheritance_depth,
            LimitKind::ActionsPerRule => self.max_actions_per_rule,
            LimitKind::PatternLength => self.max_pattern_length,
            LimitKind::JsonDepth => self.max_json_depth,
            LimitKind::ExpressionDepth => self.max_expression_depth,
            LimitKind::ListLength => self.max_list_length,
            LimitKind::Steps => self.max_steps,
            LimitKind::RequestLength => self.max_request_length,
            LimitKind::JsonMembers => 0,
        }
    }

    /// Sets the limit that has a field; [`LimitKind::JsonMembers`] is
    /// derived and has none.
    fn set(&mut self, limit: LimitKind, value: usize) {
        let field = match limit {
            LimitKind::Rules => &mut self.max_rules,
            LimitKind::Roles => &mut self.max_roles,
            LimitKind::InheritanceDepth => &mut self.max_inheritance_depth,
            LimitKind::ActionsPerRule => &mut self.max_actions_per_rule,
            LimitKind::PatternLength => &mut self.max_pattern_length,
            LimitKind::JsonDepth => &mut self.max_json_depth,
            LimitKind::ExpressionDepth => &mut self.max_expression_depth,
            LimitKind::ListLength => &mut self.max_list_length,
            LimitKind::Steps => &mut self.max_steps,
            LimitKind::RequestLength => &mut self.max_request_length,
            LimitKind::JsonMembers => return,
        };
        *field = value;
    }
}

/// The JSON form of [`PolicyLimits`]: every limit optional, read as a
/// 64-bit integer so that a value above its maximum is reported as written
/// on a 32-bit platform too.
#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct LimitsJson {
    max_rules: Option<u64>,
    max_roles: Option<u64>,
    max_inheritance_depth: Option<u64>,
    max_actions_per_rule: Option<u64>,
    max_pattern_length: Option<u64>,
    max_json_depth: Option<u64>,
    max_expression_depth: Option<u64>,
    max_list_length: Option<u64>,
    max_steps: Option<u64>,
    max_request_length: Option<u64>,
}

impl From<LimitsJson> for PolicyLimits {
    fn from(json: LimitsJson) -> Self {
        let values = [
            json.max_rules,
            json.max_roles,
            json.max_inheritance_depth,
            json.max_actions_per_rule,
            json.max_pattern_length,
            json.max_json_depth,
            json.max_expression_depth,
            json.max_list_length,
            json.max_steps,
            json.max_request_length,
        ];
        let mut limits = PolicyLimits::default();
        for (limit, value) in SETTABLE.into_iter().zip(values) {
            let Some(value) = value else {
                continue;
            };
            // Every maximum fits a 32-bit `usize`, so a value that does not
            // fit is above it, and is kept for the error.
            match usize::try_from(value) {
                Ok(value) if value <= limit.max_supported() => limits.set(limit, value),
                _ => {
                    limits.over_maximum = limits.over_maximum.or(Some((limit, value)));
                }
            }
        }
        limits
    }
}

impl From<PolicyLimits> for LimitsJson {
    fn from(limits: PolicyLimits) -> Self {
        let value = |limit: LimitKind| match limits.over_maximum {
            Some((over, value)) if over == limit => Some(value),
            _ => Some(limits.value(limit) as u64),
        };
        Self {
            max_rules: value(LimitKind::Rules),
            max_roles: value(LimitKind::Roles),
            max_inheritance_depth: value(LimitKind::InheritanceDepth),
            max_actions_per_rule: value(LimitKind::ActionsPerRule),
            max_pattern_length: value(LimitKind::PatternLength),
            max_json_depth: value(LimitKind::JsonDepth),
            max_expression_depth: value(LimitKind::ExpressionDepth),
            max_list_length: value(LimitKind::ListLength),
            max_steps: value(LimitKind::Steps),
            max_request_length: value(LimitKind::RequestLength),
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
            Self::RequestLength => "max_request_length",
        }
    }

    /// Returns the largest value this limit may be set to, the same on
    /// every platform: [`json::MAX_SUPPORTED_DEPTH`] (127) for
    /// `max_json_depth`, [`MAX_SUPPORTED_EXPRESSION_DEPTH`] (256) for
    /// `max_expression_depth`, and [`MAX_SUPPORTED_COUNT`] (4,294,967,295)
    /// for every other limit.
    pub fn max_supported(self) -> usize {
        match self {
            Self::JsonDepth => json::MAX_SUPPORTED_DEPTH,
            Self::ExpressionDepth => MAX_SUPPORTED_EXPRESSION_DEPTH,
            _ => MAX_SUPPORTED_COUNT,
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
        let from_json: PolicyLimits = serde_json::from_str(r#"{"max_json_depth":128}"#).unwrap();
        assert_eq!(from_json.check(), Err(error.clone()));
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
    fn every_limit_has_a_maximum() {
        for (name, max) in [
            ("max_rules", 4_294_967_295_u64),
            ("max_roles", 4_294_967_295),
            ("max_inheritance_depth", 4_294_967_295),
            ("max_actions_per_rule", 4_294_967_295),
            ("max_pattern_length", 4_294_967_295),
            ("max_json_depth", 127),
            ("max_expression_depth", 256),
            ("max_list_length", 4_294_967_295),
            ("max_steps", 4_294_967_295),
            ("max_request_length", 4_294_967_295),
        ] {
            let at_max: PolicyLimits =
                serde_json::from_str(&alloc::format!(r#"{{"{name}":{max}}}"#)).unwrap();
            assert_eq!(at_max.check(), Ok(()), "{name}");

            for over in [max + 1, 1_000_000_000_000_000, u64::MAX] {
                let text = alloc::format!(r#"{{"{name}":{over}}}"#);
                let limits: PolicyLimits = serde_json::from_str(&text).unwrap();
                let error = limits.check().unwrap_err();
                let PolicyError::InvalidLimit {
                    limit,
                    value,
                    max: reported,
                } = error
                else {
                    panic!("{text}: {error:?}");
                };
                assert_eq!(limit.name(), name);
                assert_eq!(value, over, "{text}");
                assert_eq!(reported as u64, max, "{text}");
                let message = alloc::format!("{error}");
                assert!(
                    message.contains(&alloc::format!(
                        "`{name}` is {over}, above the supported maximum of {max}"
                    )),
                    "{message}"
                );
            }
        }
    }

    #[test]
    fn limit_over_maximum_survives_a_round_trip() {
        let limits: PolicyLimits =
            serde_json::from_str(r#"{"max_steps":1000000000000000}"#).unwrap();
        let text = serde_json::to_string(&limits).unwrap();
        assert!(text.contains(r#""max_steps":1000000000000000"#), "{text}");
        let back: PolicyLimits = serde_json::from_str(&text).unwrap();
        assert_eq!(back, limits);
        assert_eq!(back.check(), limits.check());
        assert!(limits.check().is_err());
    }

    #[test]
    fn limit_set_in_code_above_maximum_rejected() {
        let limits = PolicyLimits {
            max_expression_depth: 257,
            ..PolicyLimits::default()
        };
        assert_eq!(
            limits.check(),
            Err(PolicyError::InvalidLimit {
                limit: LimitKind::ExpressionDepth,
                value: 257,
                max: 256,
            })
        );
        #[cfg(target_pointer_width = "64")]
        {
            let limits = PolicyLimits {
                max_steps: 1 << 40,
                ..PolicyLimits::default()
            };
            assert!(limits.check().is_err());
        }
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
