//! The `policy` and `guard` interfaces: RBAC evaluation and the one-call
//! pipeline.

use alloc::string::String;
use alloc::vec::Vec;

use mem8_guard::guard::{Guard, GuardConfig, GuardRequest, PrincipalMapping};
use mem8_guard::json;
use mem8_guard::policy::{
    self as core_policy, format_text, parse_text, PolicyDocument, PolicyError, PolicyLimits,
    RequestData, Schema,
};
use mem8_guard::token::{KeySet, Validation};
use serde::Deserialize;
use serde_json::{Map, Value};

use crate::bindings::exports::mem8::guard::guard::{CheckRequest, GuestPipeline, Pipeline};
use crate::bindings::exports::mem8::guard::policy::{
    AuthorizeRequest, Decision, DecisionError, GuestRules, Outcome, Rules,
};
use crate::bindings::exports::mem8::guard::types::GuardError;
use crate::token::{key_error, token_error};
use crate::{detail, parse_argument, parse_object_argument, parse_request_value, seconds, Module};

/// A loaded policy.
pub struct RulesState {
    policy: core_policy::Policy,
}

/// A guard: keys, validation, principal mapping and policy.
pub struct PipelineState {
    guard: Guard,
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
        let request = request_data(request)?;
        Ok(decision_record(self.policy.evaluate(&request.as_request())))
    }

    fn from_text(text: String, limits_json: Option<String>) -> Result<Rules, GuardError> {
        let limits = limits(limits_json)?;
        let policy =
            core_policy::Policy::from_text_with_limits(&text, &limits).map_err(policy_error)?;
        Ok(Rules::new(Self { policy }))
    }

    fn explain(&self, request: AuthorizeRequest) -> Result<String, GuardError> {
        let request = request_data(request)?;
        to_json(&self.policy.explain(&request.as_request()))
    }

    fn who_can(&self, action: String, resource: String) -> Result<String, GuardError> {
        to_json(&self.policy.who_can(&action, &resource))
    }

    fn permissions_of_role(&self, role: String) -> Result<String, GuardError> {
        let report = self
            .policy
            .permissions_of_role(&role)
            .map_err(policy_error)?;
        to_json(&report)
    }

    fn permissions_of_principal(
        &self,
        id: String,
        roles: Vec<String>,
    ) -> Result<String, GuardError> {
        to_json(&self.policy.permissions_of_principal(&id, &roles))
    }

    fn unused_permissions(&self, decisions_json: String) -> Result<Vec<String>, GuardError> {
        let decisions = parse_argument::<Vec<core_policy::Decision>>(&decisions_json, "decisions")?;
        Ok(self.policy.unused_permissions(&decisions))
    }

    fn validate(&self, schema_json: String) -> Result<String, GuardError> {
        let schema = Schema::from_json(schema_json.as_bytes()).map_err(policy_error)?;
        to_json(&schema.validate(self.policy.document()))
    }

    fn lint(&self, schema_json: Option<String>) -> Result<String, GuardError> {
        let schema = match schema_json {
            Some(text) => Some(Schema::from_json(text.as_bytes()).map_err(policy_error)?),
            None => None,
        };
        to_json(&self.policy.lint(schema.as_ref()))
    }

    fn to_text(&self) -> Result<String, GuardError> {
        format_text(self.policy.document()).map_err(policy_error)
    }

    fn to_json(&self) -> Result<String, GuardError> {
        to_json(self.policy.document())
    }
}

impl GuestPipeline for PipelineState {
    fn create(
        jwks_json: String,
        policy_json: String,
        options_json: String,
    ) -> Result<Pipeline, GuardError> {
        #[derive(Deserialize)]
        #[serde(deny_unknown_fields)]
        struct Options {
            #[serde(default)]
            validation: Validation,
            #[serde(default)]
            principal: PrincipalMapping,
        }

        let options = parse_argument::<Options>(&options_json, "guard options")?;
        options.validation.check().map_err(token_error)?;
        let keys = KeySet::from_json(jwks_json.as_bytes()).map_err(key_error)?;
        drop(jwks_json);

        // The core frees its parsed tree before it compiles, so a load
        // keeps the text and at most one parsed copy of the policy.
        let policy =
            core_policy::Policy::from_json(policy_json.as_bytes()).map_err(policy_error)?;
        drop(policy_json);

        let mut guard_config = GuardConfig::default();
        guard_config.validation = options.validation;
        guard_config.principal = options.principal;
        Ok(Pipeline::new(Self {
            guard: Guard::new(guard_config, keys, policy),
        }))
    }

    fn check(&self, request: CheckRequest, now: Option<u64>) -> Result<Decision, GuardError> {
        let context = parse_request_value(request.context_json.as_deref(), "context")?;
        let resource_attributes = optional_object(
            request.resource_attributes_json.as_deref(),
            "resource attributes",
        )?;
        let decision = self.guard.check(
            &GuardRequest {
                token: &request.token,
                action: &request.action,
                resource: &request.resource,
                resource_attributes: resource_attributes.as_ref(),
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

/// The free functions of the `policy` interface: the text form.
impl crate::bindings::exports::mem8::guard::policy::Guest for Module {
    type Rules = RulesState;

    fn format_text(text: String) -> Result<String, GuardError> {
        let document = parse_text(&text, &PolicyLimits::default()).map_err(policy_error)?;
        format_text(&document).map_err(policy_error)
    }

    fn text_to_json(text: String) -> Result<String, GuardError> {
        let document = parse_text(&text, &PolicyLimits::default()).map_err(policy_error)?;
        to_json(&document)
    }

    fn json_to_text(document_json: String) -> Result<String, GuardError> {
        let limits = PolicyLimits::default();
        let value = json::parse_value(document_json.as_bytes(), &limits.json_limits())
            .map_err(|error| policy_error(PolicyError::from(error)))?;
        let document: PolicyDocument = json::from_value(&value).map_err(|error| {
            GuardError::Policy(detail(
                "invalid_document",
                &alloc::format!("invalid policy document: {error}"),
            ))
        })?;
        format_text(&document).map_err(policy_error)
    }
}

/// Converts the WIT request into the core's owned request.
fn request_data(request: AuthorizeRequest) -> Result<RequestData, GuardError> {
    let attributes = parse_object_argument(
        request.principal.attributes_json.as_deref(),
        "principal attributes",
    )?;
    let resource_attributes = optional_object(
        request.resource_attributes_json.as_deref(),
        "resource attributes",
    )?;
    let context = parse_request_value(request.context_json.as_deref(), "context")?;
    let principal = core_policy::Principal {
        id: request.principal.id,
        roles: request.principal.roles,
        attributes,
    };
    Ok(RequestData {
        principal,
        action: request.action,
        resource: request.resource,
        resource_attributes: resource_attributes.unwrap_or_default(),
        context,
    })
}

/// Parses an optional JSON object argument; none stays none.
fn optional_object(
    text: Option<&str>,
    what: &str,
) -> Result<Option<Map<String, Value>>, GuardError> {
    text.map(|text| parse_object_argument(Some(text), what))
        .transpose()
}

fn limits(limits_json: Option<String>) -> Result<PolicyLimits, GuardError> {
    match limits_json {
        None => Ok(PolicyLimits::default()),
        Some(text) => parse_argument::<PolicyLimits>(&text, "policy limits"),
    }
}

fn to_json(value: &impl serde::Serialize) -> Result<String, GuardError> {
    serde_json::to_string(value)
        .map_err(|error| GuardError::Internal(alloc::format!("serializing a result: {error}")))
}
