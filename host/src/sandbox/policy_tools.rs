//! The policy engine's tools in the sandbox: the text form, explanations,
//! access review, schema validation and the linter.
//!
//! Reports cross the component boundary as the core's JSON and come back as
//! the core's types, so a caller gets the same values as from the native
//! `Policy`.

use mem8_guard::json;
use mem8_guard::policy::{
    AccessReport, Decision, Diagnostic, Explanation, PermissionReport, PolicyDocument,
    PolicyLimits, Request,
};
use serde::de::DeserializeOwned;
use wasmtime::component::ResourceAny;

use super::api::{to_json, HostGuard};
use super::objects::LoweredRequest;
use super::runtime::Worker;
use super::{HostError, HostPolicy};

/// Limits for the JSON the guest returns: its own serialization of core
/// values, so deep only where a policy's conditions are.
const RESULT_LIMITS: json::JsonLimits = json::JsonLimits {
    max_depth: 128,
    max_members: 1_000_000,
};

impl HostGuard {
    /// Loads a policy from its text form under `limits`.
    ///
    /// # Errors
    ///
    /// [`HostError::Guest`] of kind `Policy` for invalid text, with the
    /// line and column in the message.
    pub fn policy_from_text(
        &self,
        text: &str,
        limits: &PolicyLimits,
    ) -> Result<HostPolicy, HostError> {
        let document_json = self.policy_text_to_json(text)?;
        self.policy(&document_json, limits)
    }

    /// Parses policy text and returns it in the canonical layout.
    ///
    /// # Errors
    ///
    /// [`HostError::Guest`] of kind `Policy` for invalid text.
    pub fn format_policy_text(&self, text: &str) -> Result<String, HostError> {
        self.runtime.call(|worker| {
            let result = worker
                .guest
                .mem8_guard_policy()
                .call_format_text(&mut worker.store, text)?;
            Ok(result.map_err(HostError::from))
        })
    }

    /// Converts policy text to the JSON form without compiling it.
    ///
    /// # Errors
    ///
    /// [`HostError::Guest`] of kind `Policy` for invalid text.
    pub fn policy_text_to_json(&self, text: &str) -> Result<String, HostError> {
        self.runtime.call(|worker| {
            let result = worker
                .guest
                .mem8_guard_policy()
                .call_text_to_json(&mut worker.store, text)?;
            Ok(result.map_err(HostError::from))
        })
    }

    /// Converts a policy document (JSON text) to the text form without
    /// compiling it.
    ///
    /// # Errors
    ///
    /// [`HostError::Guest`] of kind `Policy` for an invalid document.
    pub fn policy_json_to_text(&self, document_json: &str) -> Result<String, HostError> {
        self.runtime.call(|worker| {
            let result = worker
                .guest
                .mem8_guard_policy()
                .call_json_to_text(&mut worker.store, document_json)?;
            Ok(result.map_err(HostError::from))
        })
    }
}

impl HostPolicy {
    /// Evaluates one request and explains every rule considered, like
    /// `Policy::explain`.
    ///
    /// # Errors
    ///
    /// [`HostError::Guest`] of kind `InvalidArgument` for a malformed
    /// request.
    pub fn explain(&self, request: &Request<'_>) -> Result<Explanation, HostError> {
        let request = LoweredRequest::new(request);
        self.report("explanation", |worker, rules| {
            worker.guest.mem8_guard_policy().rules().call_explain(
                &mut worker.store,
                rules,
                request.record(),
            )
        })
    }

    /// Returns who can perform `action` on `resource`, like `Policy::who_can`.
    ///
    /// # Errors
    ///
    /// A [`HostError`] other than `Guest` when the call fails.
    pub fn who_can(&self, action: &str, resource: &str) -> Result<AccessReport, HostError> {
        self.report("access report", |worker, rules| {
            worker.guest.mem8_guard_policy().rules().call_who_can(
                &mut worker.store,
                rules,
                action,
                resource,
            )
        })
    }

    /// Returns the rules that apply to a declared role, like
    /// `Policy::permissions_of_role`.
    ///
    /// # Errors
    ///
    /// [`HostError::Guest`] of kind `Policy` for an undeclared role.
    pub fn permissions_of_role(&self, role: &str) -> Result<PermissionReport, HostError> {
        self.report("permission report", |worker, rules| {
            worker
                .guest
                .mem8_guard_policy()
                .rules()
                .call_permissions_of_role(&mut worker.store, rules, role)
        })
    }

    /// Returns the rules that apply to a principal with `roles`, like
    /// `Policy::permissions_of_principal`.
    ///
    /// # Errors
    ///
    /// A [`HostError`] other than `Guest` when the call fails.
    pub fn permissions_of_principal(
        &self,
        id: &str,
        roles: &[String],
    ) -> Result<PermissionReport, HostError> {
        let roles: Vec<&str> = roles.iter().map(String::as_str).collect();
        self.report("permission report", |worker, rules| {
            worker
                .guest
                .mem8_guard_policy()
                .rules()
                .call_permissions_of_principal(&mut worker.store, rules, id, &roles)
        })
    }

    /// Returns the ids of the permit rules that no allow among `decisions`
    /// used, like `Policy::unused_permissions`.
    ///
    /// # Errors
    ///
    /// A [`HostError`] other than `Guest` when the call fails.
    pub fn unused_permissions(&self, decisions: &[Decision]) -> Result<Vec<String>, HostError> {
        let decisions_json = to_json(&decisions)?;
        self.call_rules(|worker, rules| {
            let result = worker
                .guest
                .mem8_guard_policy()
                .rules()
                .call_unused_permissions(&mut worker.store, rules, &decisions_json)?;
            Ok(result.map_err(HostError::from))
        })
    }

    /// Checks the policy against a schema (JSON text), like
    /// `Schema::validate`.
    ///
    /// # Errors
    ///
    /// [`HostError::Guest`] of kind `Policy` for an invalid schema.
    pub fn validate(&self, schema_json: &str) -> Result<Vec<Diagnostic>, HostError> {
        self.report("diagnostics", |worker, rules| {
            worker.guest.mem8_guard_policy().rules().call_validate(
                &mut worker.store,
                rules,
                schema_json,
            )
        })
    }

    /// Returns the lint findings, with an optional schema (JSON text), like
    /// `Policy::lint`.
    ///
    /// # Errors
    ///
    /// [`HostError::Guest`] of kind `Policy` for an invalid schema.
    pub fn lint(&self, schema_json: Option<&str>) -> Result<Vec<Diagnostic>, HostError> {
        self.report("diagnostics", |worker, rules| {
            worker.guest.mem8_guard_policy().rules().call_lint(
                &mut worker.store,
                rules,
                schema_json,
            )
        })
    }

    /// Returns the policy in the canonical text form.
    ///
    /// # Errors
    ///
    /// [`HostError::Guest`] of kind `Policy` when the document has no text
    /// form within the formatter's depth limit.
    pub fn to_text(&self) -> Result<String, HostError> {
        self.call_rules(|worker, rules| {
            let result = worker
                .guest
                .mem8_guard_policy()
                .rules()
                .call_to_text(&mut worker.store, rules)?;
            Ok(result.map_err(HostError::from))
        })
    }

    /// Returns the policy document as the core's [`PolicyDocument`].
    ///
    /// # Errors
    ///
    /// A [`HostError`] other than `Guest` when the call fails.
    pub fn document(&self) -> Result<PolicyDocument, HostError> {
        self.report("policy document", |worker, rules| {
            worker
                .guest
                .mem8_guard_policy()
                .rules()
                .call_to_json(&mut worker.store, rules)
        })
    }

    /// Runs `call` on this policy's resource in a pooled instance.
    fn call_rules<T>(
        &self,
        call: impl Fn(&mut Worker, ResourceAny) -> wasmtime::Result<Result<T, HostError>>,
    ) -> Result<T, HostError> {
        self.handle.runtime().call(|worker| {
            let rules = match self.resource(worker)? {
                Ok(rules) => rules,
                Err(error) => return Ok(Err(error)),
            };
            call(worker, rules)
        })
    }

    /// Runs a guest call that returns a report as JSON and parses it into
    /// the core's type.
    fn report<T: DeserializeOwned>(
        &self,
        what: &str,
        call: impl Fn(
            &mut Worker,
            ResourceAny,
        ) -> wasmtime::Result<
            Result<String, super::bindings::exports::mem8::guard::types::GuardError>,
        >,
    ) -> Result<T, HostError> {
        let text =
            self.call_rules(|worker, rules| Ok(call(worker, rules)?.map_err(HostError::from)))?;
        parse_report(&text, what)
    }
}

/// Parses a report the guest serialized.
fn parse_report<T: DeserializeOwned>(text: &str, what: &str) -> Result<T, HostError> {
    let value = json::parse_value(text.as_bytes(), &RESULT_LIMITS).map_err(|error| {
        HostError::InvalidGuestValue {
            reason: format!("{what} is not valid JSON: {error}"),
        }
    })?;
    json::from_value(&value).map_err(|error| HostError::InvalidGuestValue {
        reason: format!("{what} does not match the core's type: {error}"),
    })
}
