//! Policies for JavaScript: loading from JSON or text, decisions,
//! explanations, access review, schema validation, the linter and the
//! formatter. Results leave as JSON text with the core's field names.

use mem8_guard::policy::{
    format_text, parse_text, Decision, Policy as CorePolicy, PolicyDocument, PolicyLimits,
    RequestData, Schema,
};
use serde::Serialize;
use wasm_bindgen::prelude::*;

use crate::{
    internal_error, parse_argument, parse_argument_within, policy_error, policy_json_error,
};

/// A loaded policy.
#[wasm_bindgen]
pub struct Policy {
    policy: CorePolicy,
}

#[wasm_bindgen]
impl Policy {
    /// Loads a policy document (JSON text) under optional limits (snake_case
    /// JSON of `PolicyLimits`).
    #[wasm_bindgen(constructor)]
    pub fn new(document_json: &str, limits_json: Option<String>) -> Result<Policy, JsValue> {
        let limits = limits(limits_json)?;
        let policy = CorePolicy::from_json_with_limits(document_json.as_bytes(), &limits).map_err(
            |error| policy_json_error(error, document_json, "load it with `Policy.fromText(text)`"),
        )?;
        Ok(Self { policy })
    }

    /// Loads a policy from its text form.
    #[wasm_bindgen(js_name = fromText)]
    pub fn from_text(text: &str, limits_json: Option<String>) -> Result<Policy, JsValue> {
        let limits = limits(limits_json)?;
        let policy = CorePolicy::from_text_with_limits(text, &limits).map_err(policy_error)?;
        Ok(Self { policy })
    }

    /// Number of rules.
    #[wasm_bindgen(getter, js_name = ruleCount)]
    pub fn rule_count(&self) -> usize {
        self.policy.rule_count()
    }

    /// Evaluates a request (`RequestData` JSON) and returns the decision.
    pub fn authorize(&self, request_json: &str) -> Result<String, JsValue> {
        let request = parse_request(request_json)?;
        to_json(&self.policy.evaluate(&request.as_request()))
    }

    /// Evaluates a request and returns the explanation.
    pub fn explain(&self, request_json: &str) -> Result<String, JsValue> {
        let request = parse_request(request_json)?;
        to_json(&self.policy.explain(&request.as_request()))
    }

    /// Returns who can perform `action` on `resource`.
    #[wasm_bindgen(js_name = whoCan)]
    pub fn who_can(&self, action: &str, resource: &str) -> Result<String, JsValue> {
        to_json(&self.policy.who_can(action, resource))
    }

    /// Returns the rules that apply to a declared role.
    #[wasm_bindgen(js_name = permissionsOfRole)]
    pub fn permissions_of_role(&self, role: &str) -> Result<String, JsValue> {
        let report = self
            .policy
            .permissions_of_role(role)
            .map_err(policy_error)?;
        to_json(&report)
    }

    /// Returns the rules that apply to a principal id with the given roles
    /// (a JSON array of strings).
    #[wasm_bindgen(js_name = permissionsOfPrincipal)]
    pub fn permissions_of_principal(&self, id: &str, roles_json: &str) -> Result<String, JsValue> {
        let roles = parse_argument::<Vec<String>>(roles_json, "roles")?;
        to_json(&self.policy.permissions_of_principal(id, &roles))
    }

    /// Returns the ids of permit rules that no allow in the decisions (a
    /// JSON array of decisions) used.
    #[wasm_bindgen(js_name = unusedPermissions)]
    pub fn unused_permissions(&self, decisions_json: &str) -> Result<String, JsValue> {
        let decisions = parse_argument::<Vec<Decision>>(decisions_json, "decisions")?;
        to_json(&self.policy.unused_permissions(&decisions))
    }

    /// Validates the policy against a schema (JSON text) and returns the
    /// findings.
    pub fn validate(&self, schema_json: &str) -> Result<String, JsValue> {
        let schema = Schema::from_json(schema_json.as_bytes()).map_err(policy_error)?;
        to_json(&schema.validate(self.policy.document()))
    }

    /// Returns lint warnings, with an optional schema (JSON text).
    pub fn lint(&self, schema_json: Option<String>) -> Result<String, JsValue> {
        let schema = match schema_json {
            Some(text) => Some(Schema::from_json(text.as_bytes()).map_err(policy_error)?),
            None => None,
        };
        to_json(&self.policy.lint(schema.as_ref()))
    }

    /// Returns the policy in the canonical text form.
    #[wasm_bindgen(js_name = toText)]
    pub fn to_text(&self) -> Result<String, JsValue> {
        format_text(self.policy.document()).map_err(policy_error)
    }

    /// Returns the policy document as JSON text.
    #[wasm_bindgen(js_name = toJson)]
    pub fn to_json_text(&self) -> Result<String, JsValue> {
        to_json(self.policy.document())
    }
}

/// Parses policy text and returns it in the canonical layout, without
/// compiling it.
#[wasm_bindgen(js_name = formatPolicyText)]
pub fn format_policy_text(text: &str) -> Result<String, JsValue> {
    let document = parse_text(text, &PolicyLimits::default()).map_err(policy_error)?;
    format_text(&document).map_err(policy_error)
}

/// Converts policy text to the JSON form, without compiling it.
#[wasm_bindgen(js_name = policyTextToJson)]
pub fn policy_text_to_json(text: &str) -> Result<String, JsValue> {
    let document = parse_text(text, &PolicyLimits::default()).map_err(policy_error)?;
    to_json(&document)
}

/// Converts a policy document (JSON text) to the text form, without
/// compiling it.
#[wasm_bindgen(js_name = policyJsonToText)]
pub fn policy_json_to_text(document_json: &str) -> Result<String, JsValue> {
    let limits = PolicyLimits::default();
    let value = mem8_guard::json::parse_value(document_json.as_bytes(), &limits.json_limits())
        .map_err(|error| policy_error(mem8_guard::policy::PolicyError::from(error)))?;
    let document: PolicyDocument = mem8_guard::json::from_value(&value).map_err(|error| {
        crate::error_value(
            "policy",
            "invalid_document",
            &format!("invalid policy document: {error}"),
        )
    })?;
    format_text(&document).map_err(policy_error)
}

/// Parses a whole request, whose context and attributes get the same
/// nesting limit as when they come on their own.
fn parse_request(request_json: &str) -> Result<RequestData, JsValue> {
    let request =
        parse_argument_within::<RequestData>(request_json, "request", &RequestData::JSON_LIMITS)?;
    request.check_depth().map_err(|error| {
        crate::error_value(
            "argument",
            "invalid_argument",
            &format!("invalid request: {error}"),
        )
    })?;
    Ok(request)
}

fn limits(limits_json: Option<String>) -> Result<PolicyLimits, JsValue> {
    match limits_json {
        None => Ok(PolicyLimits::default()),
        Some(text) => parse_argument::<PolicyLimits>(&text, "limits"),
    }
}

fn to_json(value: &impl Serialize) -> Result<String, JsValue> {
    serde_json::to_string(value).map_err(|error| internal_error(&error))
}
