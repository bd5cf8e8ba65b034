//! The `policy` and `guard` interfaces: RBAC evaluation and the one-call
//! pipeline.

use alloc::string::{String, ToString};
use alloc::vec::Vec;

use mem8_guard::guard::{Guard, GuardConfig, GuardRequest, PrincipalMapping};
use mem8_guard::policy::{self as core_policy, PolicyError, PolicyLimits, Request};
use mem8_guard::token::{KeySet, Validation};
use serde::Deserialize;
use serde_json::Value;

use crate::bindings::exports::mem8::guard::guard::{CheckRequest, GuestPipeline, Pipeline};
use crate::bindings::exports::mem8::guard::policy::{
    AuthorizeRequest, Decision, DecisionError, GuestRules, Outcome, Rules,
};
use crate::bindings::exports::mem8::guard::types::GuardError;
use crate::token::key_error;
use crate::{detail, parse_argument, parse_object_argument, seconds, Module};

/// A loaded policy.
pub struct RulesState {
    policy: core_policy::Policy,
}

/// A guard: keys, validation, principal mapping and policy.
pub struct PipelineState {
    guard: Guard,
}

impl crate::bindings::exports::mem8::guard::policy::Guest for Module {
    type Rules = RulesState;
}

impl crate::bindings::exports::mem8::guard::guard::Guest for Module {
    type Pipeline = PipelineState;
}

impl GuestRules for RulesState {
    fn create(document_json: String, limits_json: Option<String>) -> Result<Rules, GuardError> {
        let limits = match limits_json {
            None => PolicyLimits::default(),
            Some(text) => parse_argument::<PolicyLimits>(&text, "policy limits")?,
        };
        let policy = core_policy::Policy::from_json_with_limits(document_json.as_bytes(), &limits)
            .map_err(policy_error)?;
        Ok(Rules::new(Self { policy }))
    }

    fn rule_count(&self) -> u32 {
        u32::try_from(self.policy.rule_count()).unwrap_or(u32::MAX)
    }

    fn authorize(&self, request: AuthorizeRequest) -> Result<Decision, GuardError> {
        let attributes = parse_object_argument(
            Some(&request.principal.attributes_json),
            "principal attributes",
        )?;
        let Value::Object(attributes) = attributes else {
            return Err(GuardError::InvalidArgument(String::from(
                "principal attributes must be an object",
            )));
        };
        let principal = core_policy::Principal {
            id: request.principal.id,
            roles: request.principal.roles,
            attributes,
        };
        let context = parse_object_argument(request.context_json.as_deref(), "context")?;
        let decision = self.policy.evaluate(&Request {
            principal: &principal,
            action: &request.action,
            resource: &request.resource,
            context: &context,
        });
        Ok(decision_record(decision))
    }
}

impl GuestPipeline for PipelineState {
    fn create(config_json: String) -> Result<Pipeline, GuardError> {
        #[derive(Deserialize)]
        #[serde(deny_unknown_fields)]
        struct Config {
            jwks: Value,
            policy: Value,
            #[serde(default)]
            validation: Validation,
            #[serde(default)]
            principal: PrincipalMapping,
        }

        let config = parse_argument::<Config>(&config_json, "guard options")?;
        let keys = KeySet::from_json(config.jwks.to_string().as_bytes()).map_err(key_error)?;
        let policy = core_policy::Policy::from_json(config.policy.to_string().as_bytes())
            .map_err(policy_error)?;
        let mut guard_config = GuardConfig::default();
        guard_config.validation = config.validation;
        guard_config.principal = config.principal;
        Ok(Pipeline::new(Self {
            guard: Guard::new(guard_config, keys, policy),
        }))
    }

    fn check(&self, request: CheckRequest, now: Option<u64>) -> Result<Decision, GuardError> {
        let context = parse_object_argument(request.context_json.as_deref(), "context")?;
        let decision = self.guard.check(
            &GuardRequest {
                token: &request.token,
                action: &request.action,
                resource: &request.resource,
                context: &context,
            },
            seconds(now),
        );
        Ok(decision_record(decision))
    }
}

fn decision_record(decision: core_policy::Decision) -> Decision {
    let outcome = match decision.decision {
        core_policy::Outcome::Allow => Outcome::Allow,
        core_policy::Outcome::Deny => Outcome::Deny,
    };
    let errors: Vec<DecisionError> = decision
        .errors
        .into_iter()
        .map(|error| DecisionError {
            code: error.code,
            message: error.message,
            rule: error.rule,
        })
        .collect();
    Decision {
        outcome,
        reasons: decision.reasons,
        errors,
    }
}

fn policy_error(error: PolicyError) -> GuardError {
    GuardError::Policy(detail(error.code(), &error))
}
