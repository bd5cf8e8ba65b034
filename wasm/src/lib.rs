//! The Mem8 Guard core for JavaScript, through wasm-bindgen.
//!
//! This layer converts and nothing else. Inputs arrive as JSON text and
//! results leave as JSON text, which the npm package's facade parses. A
//! failure is thrown as a JSON string `{"kind","code","coreCode","message",...}`
//! that the facade turns into a typed `Error`; the Rust side never traps on
//! bad input.

#![allow(missing_docs)]

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use mem8_guard::guard::{Guard as CoreGuard, GuardConfig, GuardRequest, PrincipalMapping};
use mem8_guard::json::{self, JsonError, JsonLimits};
use mem8_guard::policy::{Policy as CorePolicy, PolicyError, REQUEST_OBJECT_LIMITS};
use mem8_guard::token::{self, Algorithm, KeyError, KeySet, SigningKey, TokenError, Validation};
use serde::Deserialize;
use serde_json::{json, Map, Value};
use wasm_bindgen::prelude::*;

#[cfg(all(target_arch = "wasm32", target_os = "unknown"))]
mod alloc;
mod crypto;
mod policy;
mod stream;

#[cfg(any(test, all(target_arch = "wasm32", target_os = "unknown")))]
mod growth;
#[cfg(any(test, all(target_arch = "wasm32", target_os = "unknown")))]
mod scrub;

/// dlmalloc, growing the memory geometrically, with every freed block
/// zeroed (see `scrub.rs`).
#[cfg(all(target_arch = "wasm32", target_os = "unknown"))]
#[global_allocator]
static ALLOCATOR: scrub::ScrubOnFree<alloc::ModuleAllocator> =
    scrub::ScrubOnFree(alloc::ModuleAllocator::new());

/// Bytes of stack that [`scrub_stack`] overwrites.
///
/// NOTE: 64 KiB is an estimate of the deepest stack that a call handling
/// keys uses, not a measured maximum. `npm/test/secrets.test.js` checks
/// that HS256 and Ed25519 signing leave no key bytes behind.
const STACK_SCRUB_BYTES: usize = 64 * 1024;

/// Overwrites the top [`STACK_SCRUB_BYTES`] of the module's stack with
/// zeros. JavaScript calls it after each call that handles key material:
/// every call starts at the top of the stack, so this covers the frames
/// that call left behind, which the heap's zeroing does not reach.
#[wasm_bindgen(js_name = scrubStack)]
#[inline(never)]
pub fn scrub_stack() {
    let mut area = [0_u8; STACK_SCRUB_BYTES];
    // The barrier may read the area, so the zeros are written.
    core::hint::black_box(&mut area);
}

/// Limits for JSON arguments from JavaScript (options, claims, requests):
/// generous, but bounded.
const ARGUMENT_LIMITS: JsonLimits = JsonLimits {
    max_depth: 64,
    max_members: 100_000,
};

/// The version of the core compiled into this module.
#[wasm_bindgen(js_name = coreVersion)]
pub fn core_version() -> String {
    String::from(env!("CARGO_PKG_VERSION"))
}

/// A parsed JWK Set, kept inside the module so keys are decoded once.
#[wasm_bindgen]
pub struct TokenVerifier {
    keys: KeySet,
    validation: Validation,
}

#[wasm_bindgen]
impl TokenVerifier {
    /// Parses a JWK Set and validation options (snake_case JSON).
    #[wasm_bindgen(constructor)]
    pub fn new(jwks_json: &str, validation_json: &str) -> Result<TokenVerifier, JsValue> {
        let keys = KeySet::from_json(jwks_json.as_bytes()).map_err(key_error)?;
        let validation = parse_argument::<Validation>(validation_json, "options")?;
        // Options no token can pass fail here, not on every `verify`.
        validation.check().map_err(token_error)?;
        Ok(Self { keys, validation })
    }

    /// Number of usable keys.
    #[wasm_bindgen(getter, js_name = keyCount)]
    pub fn key_count(&self) -> usize {
        self.keys.len()
    }

    /// Number of JWKs skipped as unsupported.
    #[wasm_bindgen(getter, js_name = skippedKeys)]
    pub fn skipped_keys(&self) -> usize {
        self.keys.skipped()
    }

    /// Verifies a JWT, given as its UTF-8 bytes, at `now` (Unix seconds;
    /// `Date.now()` when undefined) and returns
    /// `{"header":{...},"claims":{...}}`.
    pub fn verify(&self, jwt: &[u8], now: Option<f64>) -> Result<String, JsValue> {
        let jwt = token_text(jwt)?;
        let now = seconds(now)?;
        // The claims go out as the payload's text, which the facade parses;
        // `verify_json` checks it whole but builds no map of it.
        let verified =
            token::verify_json(jwt, &self.keys, &self.validation, now).map_err(token_error)?;
        let header = serde_json::to_string(&HeaderOut::from(&verified.header))
            .map_err(|error| internal_error(&error))?;
        let claims = verified.claims_json;

        // This runs on every verification, so the result is assembled in
        // one buffer instead of through `format!`.
        let mut result = String::with_capacity(header.len() + claims.len() + 24);
        result.push_str(r#"{"header":"#);
        result.push_str(&header);
        result.push_str(r#","claims":"#);
        result.push_str(&claims);
        result.push('}');
        Ok(result)
    }

    /// Verifies a compact JWS signature only and returns
    /// `{"header":{...},"payload":"<base64url>"}`.
    #[wasm_bindgen(js_name = verifyJws)]
    pub fn verify_jws(&self, jws: &str) -> Result<String, JsValue> {
        let verified = token::verify_jws(jws, &self.keys, &self.validation).map_err(token_error)?;
        let header = HeaderOut::from(&verified.header);
        let payload = base64url(&verified.payload);
        Ok(json!({ "header": header, "payload": payload }).to_string())
    }
}

/// Signs a claims object (JSON text) with a private JWK (JSON text).
#[wasm_bindgen(js_name = signToken)]
pub fn sign_token(claims_json: &str, private_jwk_json: &str) -> Result<String, JsValue> {
    let key = SigningKey::from_jwk_json(private_jwk_json.as_bytes()).map_err(key_error)?;
    let claims = json::parse_object(claims_json.as_bytes(), &ARGUMENT_LIMITS)
        .map_err(|error| argument_error("claims", &error))?;
    token::sign(&claims, &key).map_err(key_error)
}

/// Generates a key for `alg` and returns `{"privateJwk":{...},"publicJwk":{...}|null}`.
#[wasm_bindgen(js_name = generateKey)]
pub fn generate_key(alg: &str, kid: Option<String>) -> Result<String, JsValue> {
    let alg = alg.parse::<Algorithm>().map_err(|_| {
        error_value(
            "argument",
            "invalid_argument",
            &format!("unsupported algorithm `{alg}`"),
        )
    })?;
    let mut key = SigningKey::generate(alg, &mut rand_core::OsRng).map_err(key_error)?;
    if kid.is_some() {
        key.set_kid(kid);
    }
    let private = key.to_private_jwk_json();
    let public = key
        .to_public_jwk()
        .map(Value::Object)
        .unwrap_or(Value::Null);
    Ok(format!(
        r#"{{"privateJwk":{},"publicJwk":{}}}"#,
        private.as_str(),
        public
    ))
}

/// The whole pipeline: keys, validation, principal mapping and policy.
#[wasm_bindgen]
pub struct Guard {
    guard: CoreGuard,
}

#[wasm_bindgen]
impl Guard {
    /// Builds a guard from the JWK Set and policy documents, each the text
    /// the caller gave, and `{"validation":{...},"principal":{...}}`
    /// (snake_case). The documents go to the core's strict parsers as they
    /// are, so a duplicate member or a 64-bit integer means what it means
    /// natively.
    #[wasm_bindgen(constructor)]
    pub fn new(jwks_json: &str, policy_json: &str, options_json: &str) -> Result<Guard, JsValue> {
        #[derive(Deserialize)]
        #[serde(deny_unknown_fields)]
        struct Options {
            #[serde(default)]
            validation: Validation,
            #[serde(default)]
            principal: PrincipalMapping,
        }

        let options = parse_argument::<Options>(options_json, "guard options")?;
        options.validation.check().map_err(token_error)?;
        let keys = KeySet::from_json(jwks_json.as_bytes()).map_err(key_error)?;
        let policy = CorePolicy::from_json(policy_json.as_bytes()).map_err(|error| {
            policy_json_error(
                error,
                policy_json,
                "load it with `Policy.fromText(text)` and give the Guard its `toJSONText()`",
            )
        })?;
        let mut guard_config = GuardConfig::default();
        guard_config.validation = options.validation;
        guard_config.principal = options.principal;
        Ok(Self {
            guard: CoreGuard::new(guard_config, keys, policy),
        })
    }

    /// Checks one request and returns the decision as JSON. Bad tokens and
    /// claims, and a context that is not an object, are denies inside the
    /// decision. Only JSON that does not parse or nests too deep, `now` out
    /// of range, and resource attributes that are not an object throw.
    pub fn check(
        &self,
        token: &[u8],
        action: &str,
        resource: &str,
        context_json: Option<String>,
        now: Option<f64>,
        resource_attributes_json: Option<String>,
    ) -> Result<String, JsValue> {
        let resource_attributes = match resource_attributes_json {
            None => None,
            Some(text) => Some(parse_argument_within::<Map<String, Value>>(
                &text,
                "resourceAttributes",
                &REQUEST_OBJECT_LIMITS,
            )?),
        };
        // The core denies a context that is not an object or `null`.
        let context = match context_json {
            None => Value::Null,
            Some(text) => json::parse_value(text.as_bytes(), &REQUEST_OBJECT_LIMITS)
                .map_err(|error| argument_error("context", &error))?,
        };
        let now = seconds(now)?;
        let request = GuardRequest {
            token: token_text(token)?,
            action,
            resource,
            context: &context,
            resource_attributes: resource_attributes.as_ref(),
        };
        let decision = self.guard.check(&request, now);
        serde_json::to_string(&decision).map_err(|error| internal_error(&error))
    }
}

/// Reads a token that the facade passed as UTF-8 bytes: `TextEncoder`
/// writes a JS string into a reused buffer far faster than wasm-bindgen's
/// per-character copy of a `&str` argument.
fn token_text(bytes: &[u8]) -> Result<&str, JsValue> {
    core::str::from_utf8(bytes).map_err(|_| {
        error_value(
            "argument",
            "invalid_argument",
            "token bytes are not UTF-8; pass the token as a string",
        )
    })
}

/// Converts `now` in seconds, or reads `Date.now()`.
pub(crate) fn seconds(now: Option<f64>) -> Result<u64, JsValue> {
    let seconds = match now {
        Some(now) => now,
        None => clock_seconds(),
    };
    if !(0.0..=9_007_199_254_740_991.0).contains(&seconds) {
        return Err(error_value(
            "argument",
            "invalid_argument",
            "`now` must be a non-negative number of Unix seconds",
        ));
    }
    // Truncation to whole seconds is the documented unit.
    Ok(seconds as u64)
}

/// Writes a JavaScript number as JavaScript does, for messages. Rust's own
/// `f64` formatting would add about 6 KB to the gzipped module.
#[cfg(all(target_arch = "wasm32", target_os = "unknown"))]
pub(crate) fn number_text(value: f64) -> String {
    js_sys::Number::from(value)
        .to_string_with_radix(10)
        .map(String::from)
        .unwrap_or_else(|_| String::from("NaN"))
}

/// Writes a number as serde_json does, outside JavaScript.
#[cfg(not(all(target_arch = "wasm32", target_os = "unknown")))]
pub(crate) fn number_text(value: f64) -> String {
    match serde_json::Number::from_f64(value) {
        Some(number) => number.to_string(),
        None if value.is_nan() => String::from("NaN"),
        None if value > 0.0 => String::from("Infinity"),
        None => String::from("-Infinity"),
    }
}

#[cfg(all(target_arch = "wasm32", target_os = "unknown"))]
fn clock_seconds() -> f64 {
    (js_sys::Date::now() / 1000.0).floor()
}

#[cfg(not(all(target_arch = "wasm32", target_os = "unknown")))]
fn clock_seconds() -> f64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|elapsed| elapsed.as_secs() as f64)
        .unwrap_or(0.0)
}

pub(crate) fn parse_argument<T: serde::de::DeserializeOwned>(
    text: &str,
    what: &str,
) -> Result<T, JsValue> {
    parse_argument_within(text, what, &ARGUMENT_LIMITS)
}

/// Parses a JSON argument into `T` under `limits`.
pub(crate) fn parse_argument_within<T: serde::de::DeserializeOwned>(
    text: &str,
    what: &str,
    limits: &JsonLimits,
) -> Result<T, JsValue> {
    let value =
        json::parse_value(text.as_bytes(), limits).map_err(|error| argument_error(what, &error))?;
    json::from_value(&value).map_err(|error| {
        error_value(
            "argument",
            "invalid_argument",
            &format!("invalid {what}: {error}"),
        )
    })
}

/// The protected header as JavaScript sees it: `alg`, and `kid` and `typ`
/// when present.
#[derive(serde::Serialize)]
struct HeaderOut<'a> {
    alg: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    kid: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    typ: Option<&'a str>,
}

impl<'a> From<&'a token::Header> for HeaderOut<'a> {
    fn from(header: &'a token::Header) -> Self {
        Self {
            alg: header.alg.as_str(),
            kid: header.kid.as_deref(),
            typ: header.typ.as_deref(),
        }
    }
}

fn base64url(bytes: &[u8]) -> String {
    URL_SAFE_NO_PAD.encode(bytes)
}

fn token_error(error: TokenError) -> JsValue {
    let mut value = error_object("token", error.code(), &error.to_string());
    if let Some(claim) = error.claim() {
        value.insert("claim".into(), Value::from(claim));
    }
    if let TokenError::TooLarge { limit, .. } = error {
        value.insert("limit".into(), Value::from(limit.as_str()));
    }
    JsValue::from_str(&Value::Object(value).to_string())
}

fn key_error(error: KeyError) -> JsValue {
    error_value("key", error.code(), &error.to_string())
}

pub(crate) fn policy_error(error: PolicyError) -> JsValue {
    error_value("policy", error.code(), &error.to_string())
}

/// Converts a failure to load `text` as a JSON policy, adding `hint` on how
/// to load the text form when the text looks like it.
pub(crate) fn policy_json_error(error: PolicyError, text: &str, hint: &str) -> JsValue {
    if !error.suggests_text_form(text.as_bytes()) {
        return policy_error(error);
    }
    let message = format!(
        "{error}; the policy does not start with `{{`, so it may be in the text form: {hint}"
    );
    error_value("policy", error.code(), &message)
}

fn argument_error(what: &str, error: &JsonError) -> JsValue {
    error_value(
        "argument",
        "invalid_argument",
        &format!("invalid {what}: {error}"),
    )
}

pub(crate) fn internal_error(error: &dyn core::fmt::Display) -> JsValue {
    error_value("internal", "internal", &format!("internal error: {error}"))
}

pub(crate) fn error_value(kind: &str, code: &str, message: &str) -> JsValue {
    JsValue::from_str(&Value::Object(error_object(kind, code, message)).to_string())
}

/// Builds the thrown error. `code` follows jose's style: `ERR_JWT_EXPIRED`,
/// `ERR_JWK_WEAK_KEY`, `ERR_POLICY_ROLE_CYCLE`, `ERR_INVALID_ARGUMENT`.
fn error_object(kind: &str, core_code: &str, message: &str) -> Map<String, Value> {
    let code = match kind {
        "token" => format!("ERR_JWT_{}", core_code.to_ascii_uppercase()),
        "key" => format!("ERR_JWK_{}", core_code.to_ascii_uppercase()),
        "policy" => format!("ERR_POLICY_{}", core_code.to_ascii_uppercase()),
        "crypto" => format!("ERR_CRYPTO_{}", core_code.to_ascii_uppercase()),
        "keyring" => format!("ERR_KEYRING_{}", core_code.to_ascii_uppercase()),
        "argument" => String::from("ERR_INVALID_ARGUMENT"),
        _ => String::from("ERR_INTERNAL"),
    };
    let mut map = Map::new();
    map.insert("kind".into(), Value::from(kind));
    map.insert("code".into(), Value::from(code));
    map.insert("coreCode".into(), Value::from(core_code));
    map.insert("message".into(), Value::from(message));
    map
}
