//! The host objects whose guest resources live in the pool's instances:
//! verifiers, policies and guard pipelines.

use mem8_guard::guard::GuardRequest;
use mem8_guard::policy::{Decision, DecisionError, Outcome, Principal, Request};
use serde_json::{Map, Value};
use wasmtime::component::ResourceAny;

use super::api::{claims, header, ObjectHandle, VerifiedJws, VerifiedToken};
use super::bindings::exports::mem8::guard::{guard as wit_guard, policy as wit_policy};
use super::runtime::Worker;
use super::HostError;

/// A JWK Set with validation options, in the sandbox.
pub struct HostVerifier {
    pub(crate) handle: ObjectHandle,
    pub(crate) jwks_json: String,
    pub(crate) validation_json: String,
}

impl std::fmt::Debug for HostVerifier {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("HostVerifier")
            .field("id", &self.handle.id)
            .finish_non_exhaustive()
    }
}

impl HostVerifier {
    pub(crate) fn resource(
        &self,
        worker: &mut Worker,
    ) -> wasmtime::Result<Result<ResourceAny, HostError>> {
        worker.resource(self.handle.id, 0, self.handle.owner(), |worker| {
            let result = worker.guest.mem8_guard_token().verifier().call_create(
                &mut worker.store,
                &self.jwks_json,
                &self.validation_json,
            )?;
            Ok(result.map_err(HostError::from))
        })
    }

    /// Number of usable keys.
    ///
    /// # Errors
    ///
    /// A [`HostError`] other than `Guest` when the call fails.
    pub fn key_count(&self) -> Result<u32, HostError> {
        self.handle.runtime().call(|worker| {
            let resource = match self.resource(worker)? {
                Ok(resource) => resource,
                Err(error) => return Ok(Err(error)),
            };
            Ok(Ok(worker
                .guest
                .mem8_guard_token()
                .verifier()
                .call_key_count(&mut worker.store, resource)?))
        })
    }

    /// Verifies a JWT at `now` (Unix seconds), like `token::verify`.
    ///
    /// # Errors
    ///
    /// [`HostError::Guest`] of kind `Token` with the core's code when the
    /// token is invalid.
    pub fn verify(&self, token: &str, now: u64) -> Result<VerifiedToken, HostError> {
        self.handle.runtime().call(|worker| {
            let resource = match self.resource(worker)? {
                Ok(resource) => resource,
                Err(error) => return Ok(Err(error)),
            };
            let result = worker.guest.mem8_guard_token().verifier().call_verify(
                &mut worker.store,
                resource,
                token,
                Some(now),
            )?;
            Ok(result.map_err(HostError::from).and_then(|verified| {
                Ok(VerifiedToken {
                    header: header(verified.header)?,
                    claims: claims(&verified.claims_json)?,
                    payload: verified.claims_json.into_bytes(),
                })
            }))
        })
    }

    /// Verifies the signature of a compact JWS only, like `token::verify_jws`.
    ///
    /// # Errors
    ///
    /// [`HostError::Guest`] of kind `Token` when the signature is invalid.
    pub fn verify_jws(&self, jws: &str) -> Result<VerifiedJws, HostError> {
        self.handle.runtime().call(|worker| {
            let resource = match self.resource(worker)? {
                Ok(resource) => resource,
                Err(error) => return Ok(Err(error)),
            };
            let result = worker.guest.mem8_guard_token().verifier().call_verify_jws(
                &mut worker.store,
                resource,
                jws,
            )?;
            Ok(result.map_err(HostError::from).and_then(|verified| {
                Ok(VerifiedJws {
                    header: header(verified.header)?,
                    payload: verified.payload,
                })
            }))
        })
    }
}

/// A loaded policy, in the sandbox.
pub struct HostPolicy {
    pub(crate) handle: ObjectHandle,
    pub(crate) document_json: String,
    pub(crate) limits_json: String,
}

impl std::fmt::Debug for HostPolicy {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("HostPolicy")
            .field("id", &self.handle.id)
            .finish_non_exhaustive()
    }
}

impl HostPolicy {
    pub(crate) fn resource(
        &self,
        worker: &mut Worker,
    ) -> wasmtime::Result<Result<ResourceAny, HostError>> {
        worker.resource(self.handle.id, 0, self.handle.owner(), |worker| {
            let result = worker.guest.mem8_guard_policy().rules().call_create(
                &mut worker.store,
                &self.document_json,
                Some(&self.limits_json),
            )?;
            Ok(result.map_err(HostError::from))
        })
    }

    /// Number of rules.
    ///
    /// # Errors
    ///
    /// A [`HostError`] other than `Guest` when the call fails.
    pub fn rule_count(&self) -> Result<u32, HostError> {
        self.handle.runtime().call(|worker| {
            let resource = match self.resource(worker)? {
                Ok(resource) => resource,
                Err(error) => return Ok(Err(error)),
            };
            Ok(Ok(worker
                .guest
                .mem8_guard_policy()
                .rules()
                .call_rule_count(&mut worker.store, resource)?))
        })
    }

    /// Evaluates one request, like `Policy::evaluate`.
    ///
    /// # Errors
    ///
    /// [`HostError::Guest`] of kind `InvalidArgument` for a `context` or
    /// attributes nested deeper than
    /// [`MAX_REQUEST_DEPTH`](mem8_guard::policy::MAX_REQUEST_DEPTH). A deny
    /// is a [`Decision`], not an error: a `context` that is neither an
    /// object nor `null` is denied with an `invalid_request` error.
    pub fn evaluate(
        &self,
        principal: &Principal,
        action: &str,
        resource: &str,
        context: &Value,
    ) -> Result<Decision, HostError> {
        self.authorize(&Request::new(principal, action, resource, context))
    }

    /// Evaluates one request, resource attributes included, like
    /// `Policy::evaluate`.
    ///
    /// # Errors
    ///
    /// [`HostError::Guest`] of kind `InvalidArgument` for a `context` or
    /// attributes nested deeper than
    /// [`MAX_REQUEST_DEPTH`](mem8_guard::policy::MAX_REQUEST_DEPTH). A deny
    /// is a [`Decision`], not an error: a `context` that is neither an
    /// object nor `null` is denied with an `invalid_request` error.
    pub fn authorize(&self, request: &Request<'_>) -> Result<Decision, HostError> {
        let request = LoweredRequest::new(request);
        self.handle.runtime().call(|worker| {
            let rules = match self.resource(worker)? {
                Ok(rules) => rules,
                Err(error) => return Ok(Err(error)),
            };
            let result = worker.guest.mem8_guard_policy().rules().call_authorize(
                &mut worker.store,
                rules,
                request.record(),
            )?;
            Ok(result.map_err(HostError::from).map(decision))
        })
    }
}

/// A guard pipeline (keys, validation, principal mapping, policy), in the
/// sandbox.
pub struct HostPipeline {
    pub(crate) handle: ObjectHandle,
    pub(crate) jwks_json: String,
    pub(crate) policy_json: String,
    pub(crate) options_json: String,
}

impl std::fmt::Debug for HostPipeline {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("HostPipeline")
            .field("id", &self.handle.id)
            .finish_non_exhaustive()
    }
}

impl HostPipeline {
    pub(crate) fn resource(
        &self,
        worker: &mut Worker,
    ) -> wasmtime::Result<Result<ResourceAny, HostError>> {
        worker.resource(self.handle.id, 0, self.handle.owner(), |worker| {
            let result = worker.guest.mem8_guard_guard().pipeline().call_create(
                &mut worker.store,
                &self.jwks_json,
                &self.policy_json,
                &self.options_json,
            )?;
            Ok(result.map_err(HostError::from))
        })
    }

    /// Checks one request at `now` (Unix seconds), like `Guard::check`.
    ///
    /// # Errors
    ///
    /// [`HostError::Guest`] of kind `InvalidArgument` for a `context` or
    /// resource attributes nested deeper than
    /// [`MAX_REQUEST_DEPTH`](mem8_guard::policy::MAX_REQUEST_DEPTH). An
    /// invalid token, or a `context` that is neither an object nor `null`,
    /// is a deny, not an error.
    pub fn check(
        &self,
        token: &str,
        action: &str,
        resource: &str,
        context: &Value,
        now: u64,
    ) -> Result<Decision, HostError> {
        let request = GuardRequest {
            token,
            action,
            resource,
            resource_attributes: None,
            context,
        };
        self.check_request(&request, now)
    }

    /// Checks one request, resource attributes included, at `now` (Unix
    /// seconds), like `Guard::check`.
    ///
    /// # Errors
    ///
    /// [`HostError::Guest`] of kind `InvalidArgument` for a `context` or
    /// resource attributes nested deeper than
    /// [`MAX_REQUEST_DEPTH`](mem8_guard::policy::MAX_REQUEST_DEPTH). An
    /// invalid token, or a `context` that is neither an object nor `null`,
    /// is a deny, not an error.
    pub fn check_request(
        &self,
        request: &GuardRequest<'_>,
        now: u64,
    ) -> Result<Decision, HostError> {
        let resource_attributes_json = request.resource_attributes.map(object_text);
        let context_json = context_json(request.context);
        let request = wit_guard::CheckRequest {
            token: request.token,
            action: request.action,
            resource: request.resource,
            resource_attributes_json: resource_attributes_json.as_deref(),
            context_json: context_json.as_deref(),
        };
        self.handle.runtime().call(|worker| {
            let pipeline = match self.resource(worker)? {
                Ok(pipeline) => pipeline,
                Err(error) => return Ok(Err(error)),
            };
            let result = worker.guest.mem8_guard_guard().pipeline().call_check(
                &mut worker.store,
                pipeline,
                request,
                Some(now),
            )?;
            Ok(result.map_err(HostError::from).map(decision))
        })
    }
}

/// A core request with the text its WIT record borrows: the JSON of its
/// objects and its role names as `&str`. The record borrows instead of
/// owning, so a call copies no strings on the host before lowering them.
pub(crate) struct LoweredRequest<'a> {
    request: &'a Request<'a>,
    roles: Vec<&'a str>,
    attributes_json: Option<String>,
    resource_attributes_json: Option<String>,
    context_json: Option<String>,
}

impl<'a> LoweredRequest<'a> {
    pub(crate) fn new(request: &'a Request<'a>) -> Self {
        let principal = request.principal;
        Self {
            request,
            roles: principal.roles.iter().map(String::as_str).collect(),
            attributes_json: object_json(&principal.attributes),
            resource_attributes_json: request.resource_attributes.map(object_text),
            context_json: context_json(request.context),
        }
    }

    /// Returns the WIT record of the request.
    pub(crate) fn record(&self) -> wit_policy::AuthorizeRequest<'_> {
        wit_policy::AuthorizeRequest {
            principal: wit_policy::Principal {
                id: &self.request.principal.id,
                roles: &self.roles,
                attributes_json: self.attributes_json.as_deref(),
            },
            action: self.request.action,
            resource: self.request.resource,
            resource_attributes_json: self.resource_attributes_json.as_deref(),
            context_json: self.context_json.as_deref(),
        }
    }
}

/// Returns a JSON object as text, or none for an empty one, which the
/// guest reads as `{}` without parsing.
fn object_json(attributes: &Map<String, Value>) -> Option<String> {
    if attributes.is_empty() {
        return None;
    }
    Some(object_text(attributes))
}

fn object_text(attributes: &Map<String, Value>) -> String {
    Value::Object(attributes.clone()).to_string()
}

/// Returns the context as JSON text, or none for `{}` and `null`, which
/// both mean an empty context. Any other value, an object or not, goes to
/// the guest as text, so that the core in the guest denies a context that
/// is not an object exactly as it does natively.
fn context_json(context: &Value) -> Option<String> {
    match context {
        Value::Null => None,
        Value::Object(map) if map.is_empty() => None,
        other => Some(other.to_string()),
    }
}

fn decision(decision: wit_policy::Decision) -> Decision {
    let errors = decision
        .errors
        .into_iter()
        .map(|error| DecisionError {
            code: error.code,
            message: error.message,
            rule: error.rule,
        })
        .collect();
    Decision {
        decision: match decision.outcome {
            wit_policy::Outcome::Allow => Outcome::Allow,
            wit_policy::Outcome::Deny => Outcome::Deny,
        },
        reasons: decision.reasons,
        errors,
    }
}
