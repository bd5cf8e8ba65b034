//! Authorization decisions: the outcome, the rules that decided it and any errors.

use alloc::string::String;
use alloc::vec::Vec;

use serde::{Deserialize, Serialize};

/// Whether a request is allowed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Outcome {
    /// At least one permit rule matched and no forbid rule matched.
    Allow,
    /// A forbid rule matched, no rule matched, or the request could not be
    /// evaluated.
    Deny,
}

/// The outcome of a request together with the rules that decided it.
///
/// Serialized, a decision reads `{"decision":"allow","reasons":["r1"],"errors":[]}`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Decision {
    /// The outcome.
    pub decision: Outcome,
    /// Ids of the rules that decided the outcome, in policy order: every
    /// satisfied or erroring forbid rule when a forbid denied the request,
    /// every satisfied permit rule when the request is allowed, and none
    /// when nothing matched.
    pub reasons: Vec<String>,
    /// Problems met while deciding: request errors, and the errors of rules
    /// whose conditions failed. An allow can carry errors only from permit
    /// rules that failed while another permit rule was satisfied.
    pub errors: Vec<DecisionError>,
}

/// A problem that forced or accompanied a deny.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DecisionError {
    /// Stable snake_case code for programs, such as `token_expired` or
    /// `role_cycle`.
    pub code: String,
    /// Lowercase message for people.
    pub message: String,
    /// Id of the rule the problem belongs to, when there is one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rule: Option<String>,
}

impl Decision {
    /// Returns `true` only for [`Outcome::Allow`].
    pub fn is_allowed(&self) -> bool {
        self.decision == Outcome::Allow
    }

    /// Builds a deny with no reasons, for a request that failed before or
    /// during evaluation, such as one with an expired token.
    pub fn deny_with(errors: Vec<DecisionError>) -> Self {
        Self {
            decision: Outcome::Deny,
            reasons: Vec::new(),
            errors,
        }
    }

    /// Builds an allow decided by the permit rules `reasons`.
    #[cfg(test)]
    pub(crate) fn allow(reasons: Vec<String>) -> Self {
        Self {
            decision: Outcome::Allow,
            reasons,
            errors: Vec::new(),
        }
    }

    /// Builds a deny decided by the forbid rules `reasons`, or by default
    /// when `reasons` is empty.
    #[cfg(test)]
    pub(crate) fn deny(reasons: Vec<String>) -> Self {
        Self {
            decision: Outcome::Deny,
            reasons,
            errors: Vec::new(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use alloc::string::ToString;
    use alloc::vec;

    #[test]
    fn allow_serializes_exactly() {
        let decision = Decision::allow(vec!["r1".to_string()]);
        let text = serde_json::to_string(&decision).unwrap();
        assert_eq!(text, r#"{"decision":"allow","reasons":["r1"],"errors":[]}"#);
    }

    #[test]
    fn deny_with_error_serializes() {
        let decision = Decision::deny_with(vec![DecisionError {
            code: "token_expired".to_string(),
            message: "token expired".to_string(),
            rule: None,
        }]);
        let text = serde_json::to_string(&decision).unwrap();
        assert_eq!(
            text,
            r#"{"decision":"deny","reasons":[],"errors":[{"code":"token_expired","message":"token expired"}]}"#
        );
        assert!(!decision.is_allowed());
    }

    #[test]
    fn error_rule_serialized_when_set() {
        let error = DecisionError {
            code: "invalid_rule".to_string(),
            message: "m".to_string(),
            rule: Some("r".to_string()),
        };
        let text = serde_json::to_string(&error).unwrap();
        assert_eq!(text, r#"{"code":"invalid_rule","message":"m","rule":"r"}"#);
    }

    #[test]
    fn decision_round_trips() {
        let decision = Decision::deny(vec!["f".to_string()]);
        let text = serde_json::to_string(&decision).unwrap();
        let back: Decision = serde_json::from_str(&text).unwrap();
        assert_eq!(back, decision);
    }

    #[test]
    fn decision_rejects_unknown_field() {
        let text = r#"{"decision":"allow","reasons":[],"errors":[],"extra":1}"#;
        assert!(serde_json::from_str::<Decision>(text).is_err());
    }

    #[test]
    fn outcome_is_lowercase() {
        assert_eq!(serde_json::to_string(&Outcome::Deny).unwrap(), r#""deny""#);
        assert!(serde_json::from_str::<Outcome>(r#""Allow""#).is_err());
    }

    #[test]
    fn only_allow_is_allowed() {
        assert!(Decision::allow(Vec::new()).is_allowed());
        assert!(!Decision::deny(Vec::new()).is_allowed());
    }
}
