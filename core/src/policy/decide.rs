//! Decisions: indexed evaluation, the unindexed scan that `explain` and the
//! property tests use, and the per-rule trace of an explanation.

use alloc::string::String;
use alloc::vec::Vec;

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use super::decision::{Decision, DecisionError, Outcome};
use super::document::Effect;
use super::engine::{CompiledPrincipal, CompiledResource, CompiledRule, Policy};
use super::eval::{EvalError, Evaluator};
use super::request::Request;
use super::roles::RoleSet;

/// A decision together with the fate of every rule of the policy.
///
/// Serialized: `{"decision": {...}, "rules": [{"rule": "r1", "effect":
/// "permit", "result": "applied"}, ...]}`, with rules in policy order.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Explanation {
    /// The decision, the same as [`Policy::evaluate`] returns.
    pub decision: Decision,
    /// One entry per rule, in policy order.
    pub rules: Vec<RuleTrace>,
}

/// The outcome of one rule in an explained decision.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RuleTrace {
    /// The rule's id.
    pub rule: String,
    /// The rule's effect.
    pub effect: Effect,
    /// The result.
    pub result: RuleResult,
    /// Details for people: which part of the scope did not match, or the
    /// error message.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub detail: Option<String>,
}

/// The result of one rule in an explained decision.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RuleResult {
    /// In scope and the conditions held: the rule took effect.
    Applied,
    /// The action is not in the rule's action scope.
    ActionMismatch,
    /// The principal is not in the rule's principal scope.
    PrincipalMismatch,
    /// The resource does not match the rule's resource scope.
    ResourceMismatch,
    /// In scope, but the `when` condition was `false`.
    WhenFalse,
    /// In scope, but the `unless` condition was `true`.
    UnlessTrue,
    /// A condition failed to evaluate. A forbid rule that errors denies; a
    /// permit rule that errors grants nothing.
    Error,
    /// A permit rule in scope whose conditions were not evaluated, because
    /// a forbid rule had already decided the request.
    NotEvaluated,
}

/// The fate of one rule while deciding.
enum Verdict {
    Applies,
    DoesNotApply(RuleResult, Option<String>),
    Failed(EvalError),
}

impl Policy {
    /// Decides `request`: any satisfied forbid rule denies, otherwise any
    /// satisfied permit rule allows, otherwise the request is denied.
    ///
    /// A rule is satisfied when the request is in its scope (action,
    /// principal, resource), its `when` condition is `true` and its
    /// `unless` condition is `false`. Evaluation fails closed: a forbid
    /// rule whose condition errors counts as satisfied and reports the
    /// error, and a permit rule whose condition errors grants nothing and
    /// reports the error. The reasons list every satisfied or erroring
    /// forbid rule when the request is denied by a forbid, or every
    /// satisfied permit rule when it is allowed, in policy order. Permit
    /// rules are not evaluated once a forbid rule decided the request.
    ///
    /// Only the rules the index returns for the request's action, resource
    /// type and principal are evaluated, so the cost follows the number of
    /// candidate rules, not the size of the policy.
    pub fn evaluate(&self, request: &Request<'_>) -> Decision {
        if let Some(error) = self.check_request(request) {
            return Decision::deny_with(alloc::vec![error]);
        }
        let roles = self.principal_roles(&request.principal.id, &request.principal.roles);
        let candidates = self.index.candidates(
            request.action,
            super::resource_type(request.resource),
            &request.principal.id,
            &roles,
        );
        self.decide(request, &roles, &candidates, None)
    }

    /// Decides `request` like [`Policy::evaluate`], but scans every rule
    /// instead of using the index. The result is the same; this form exists
    /// for explanations and to test the index against.
    pub fn evaluate_without_index(&self, request: &Request<'_>) -> Decision {
        self.explain_inner(request, false).decision
    }

    /// Decides `request` and reports, for every rule, whether it applied
    /// and why not: which part of the scope did not match, which condition
    /// decided, or the error.
    pub fn explain(&self, request: &Request<'_>) -> Explanation {
        self.explain_inner(request, true)
    }

    fn explain_inner(&self, request: &Request<'_>, trace: bool) -> Explanation {
        if let Some(error) = self.check_request(request) {
            return Explanation {
                decision: Decision::deny_with(alloc::vec![error]),
                rules: Vec::new(),
            };
        }
        let roles = self.principal_roles(&request.principal.id, &request.principal.roles);
        let every_rule: Vec<usize> = (0..self.rules.len()).collect();
        let mut traces = Vec::new();
        let decision = self.decide(request, &roles, &every_rule, trace.then_some(&mut traces));
        Explanation {
            decision,
            rules: traces,
        }
    }

    /// Returns the error for a request that is denied before any rule: an
    /// action or resource over the request limit, or a context that is
    /// neither a JSON object nor `null`.
    fn check_request(&self, request: &Request<'_>) -> Option<DecisionError> {
        let max = self.limits.max_request_length;
        for (field, text) in [("action", request.action), ("resource", request.resource)] {
            if text.len() > max {
                return Some(DecisionError {
                    code: String::from("request_too_large"),
                    message: alloc::format!("{field} is longer than the limit of {max} bytes"),
                    rule: None,
                });
            }
        }
        let kind = match request.context {
            Value::Object(_) | Value::Null => return None,
            Value::Bool(_) => "a boolean",
            Value::Number(_) => "a number",
            Value::String(_) => "a string",
            Value::Array(_) => "an array",
        };
        Some(DecisionError {
            code: String::from("invalid_request"),
            message: alloc::format!(
                "request `context` is {kind}, not a JSON object; pass an object, or `null` or \
                 nothing for an empty context"
            ),
            rule: None,
        })
    }

    /// Evaluates the rules at `positions` (ascending): forbid rules first,
    /// then, unless a forbid decided, permit rules.
    fn decide(
        &self,
        request: &Request<'_>,
        roles: &RoleSet,
        positions: &[usize],
        traces: Option<&mut Vec<RuleTrace>>,
    ) -> Decision {
        // `null` is an empty context, which equals the record `{}`.
        let empty = Value::Object(Map::new());
        let context = match request.context {
            Value::Null => &empty,
            context => context,
        };
        let mut evaluator = Evaluator {
            request,
            context,
            principal_roles: roles,
            roles: &self.roles,
            max_list_length: self.limits.max_list_length,
            max_steps: self.limits.max_steps,
            steps_left: self.limits.max_steps,
        };
        let mut results: Vec<Option<(RuleResult, Option<String>)>> = Vec::new();
        if traces.is_some() {
            results.resize(positions.len(), None);
        }

        let mut errors = Vec::new();
        let forbids = self.pass(
            request,
            roles,
            positions,
            Effect::Forbid,
            &mut evaluator,
            &mut results,
            &mut errors,
        );

        let decision = if forbids.is_empty() {
            let permits = self.pass(
                request,
                roles,
                positions,
                Effect::Permit,
                &mut evaluator,
                &mut results,
                &mut errors,
            );
            let outcome = if permits.is_empty() {
                Outcome::Deny
            } else {
                Outcome::Allow
            };
            Decision {
                decision: outcome,
                reasons: permits,
                errors,
            }
        } else {
            // Permits are not evaluated, but an explanation still says
            // which of them were out of scope.
            if !results.is_empty() {
                for (slot, rule) in self.rules_at(positions, Effect::Permit) {
                    if let Some(mismatch) = rule.scope_mismatch(request, roles) {
                        record(&mut results, slot, &Verdict::DoesNotApply(mismatch, None));
                    }
                }
            }
            Decision {
                decision: Outcome::Deny,
                reasons: forbids,
                errors,
            }
        };

        if let Some(traces) = traces {
            for (slot, &position) in positions.iter().enumerate() {
                let Some(rule) = self.rules.get(position) else {
                    continue;
                };
                let (result, detail) = results
                    .get(slot)
                    .cloned()
                    .flatten()
                    .unwrap_or((RuleResult::NotEvaluated, None));
                traces.push(RuleTrace {
                    rule: rule.id.clone(),
                    effect: rule.effect,
                    result,
                    detail,
                });
            }
        }
        decision
    }

    /// Evaluates the rules of one effect at `positions` and returns the ids
    /// of those that decide: satisfied ones, and for forbid rules also
    /// erroring ones. Every rule error goes to `errors`.
    #[allow(clippy::too_many_arguments)]
    fn pass<'a>(
        &'a self,
        request: &'a Request<'a>,
        roles: &RoleSet,
        positions: &'a [usize],
        effect: Effect,
        evaluator: &mut Evaluator<'a>,
        results: &mut [Option<(RuleResult, Option<String>)>],
        errors: &mut Vec<DecisionError>,
    ) -> Vec<String> {
        let mut deciding = Vec::new();
        for (slot, rule) in self.rules_at(positions, effect) {
            let verdict = rule.verdict(request, roles, evaluator);
            record(results, slot, &verdict);
            match verdict {
                Verdict::Applies => deciding.push(rule.id.clone()),
                Verdict::Failed(error) => {
                    if effect == Effect::Forbid {
                        deciding.push(rule.id.clone());
                    }
                    errors.push(decision_error(rule, error));
                }
                Verdict::DoesNotApply(..) => {}
            }
        }
        deciding
    }

    /// Iterates over the rules at `positions` with the given effect, with
    /// their slot in `positions`.
    fn rules_at<'a>(
        &'a self,
        positions: &'a [usize],
        effect: Effect,
    ) -> impl Iterator<Item = (usize, &'a CompiledRule)> + 'a {
        positions
            .iter()
            .enumerate()
            .filter_map(move |(slot, &position)| {
                self.rules
                    .get(position)
                    .filter(|rule| rule.effect == effect)
                    .map(|rule| (slot, rule))
            })
    }
}

fn record(results: &mut [Option<(RuleResult, Option<String>)>], slot: usize, verdict: &Verdict) {
    if let Some(entry) = results.get_mut(slot) {
        *entry = Some(match verdict {
            Verdict::Applies => (RuleResult::Applied, None),
            Verdict::DoesNotApply(result, detail) => (*result, detail.clone()),
            Verdict::Failed(error) => (RuleResult::Error, Some(error.message.clone())),
        });
    }
}

fn decision_error(rule: &CompiledRule, error: EvalError) -> DecisionError {
    DecisionError {
        code: String::from(error.code),
        message: error.message,
        rule: Some(rule.id.clone()),
    }
}

impl CompiledRule {
    /// Returns which part of the scope `request` is outside of, if any:
    /// the action, then the principal, then the resource.
    fn scope_mismatch(&self, request: &Request<'_>, roles: &RoleSet) -> Option<RuleResult> {
        if let Some(actions) = &self.actions {
            if actions
                .binary_search_by(|name| name.as_str().cmp(request.action))
                .is_err()
            {
                return Some(RuleResult::ActionMismatch);
            }
        }
        let principal_matches = match &self.principal {
            CompiledPrincipal::Any => true,
            CompiledPrincipal::Role(role) => roles.contains(*role),
            CompiledPrincipal::Id(id) => *id == request.principal.id,
        };
        if !principal_matches {
            return Some(RuleResult::PrincipalMismatch);
        }
        let resource_matches = match &self.resource {
            CompiledResource::Pattern(pattern) => pattern.matches(request.resource),
            CompiledResource::Type(name) => {
                super::resource_type(request.resource) == Some(name.as_str())
            }
        };
        if !resource_matches {
            return Some(RuleResult::ResourceMismatch);
        }
        None
    }

    /// Checks the scope, then `when`, then `unless`.
    fn verdict<'a>(
        &'a self,
        request: &'a Request<'a>,
        roles: &RoleSet,
        evaluator: &mut Evaluator<'a>,
    ) -> Verdict {
        if let Some(mismatch) = self.scope_mismatch(request, roles) {
            return Verdict::DoesNotApply(mismatch, None);
        }

        if let Some(when) = &self.when {
            match evaluator.condition(when) {
                Ok(true) => {}
                Ok(false) => return Verdict::DoesNotApply(RuleResult::WhenFalse, None),
                Err(error) => return Verdict::Failed(error),
            }
        }
        if let Some(unless) = &self.unless {
            match evaluator.condition(unless) {
                Ok(false) => {}
                Ok(true) => return Verdict::DoesNotApply(RuleResult::UnlessTrue, None),
                Err(error) => return Verdict::Failed(error),
            }
        }
        Verdict::Applies
    }
}
