//! `mem8-guard check`: the main job from the command line.

use std::io::Write;
use std::process::ExitCode;

use mem8_guard::guard::GuardRequest;
use mem8_guard::json;
use mem8_guard::policy::{Decision, REQUEST_OBJECT_LIMITS};
use mem8_guard_host::config::{self, PolicyForm};
use mem8_guard_host::sandbox::GuestErrorKind;
use serde_json::{Map, Value};

use super::engine::Engine;
use super::{now_or_clock, read_token, CliError};
use crate::CheckArgs;

pub fn run(args: CheckArgs) -> Result<ExitCode, CliError> {
    args.engine.check_engine()?;
    // The core denies a context that is neither an object nor `null`, as
    // in every other runtime.
    let context = match &args.context {
        None => Value::Null,
        Some(text) => json_argument(text, "--context")?,
    };
    let resource_attributes = match &args.resource_attributes {
        None => None,
        Some(text) => Some(object_argument(text, "--resource-attributes")?),
    };
    let token = read_token(
        args.token.token_file.as_deref(),
        args.token.token.as_deref(),
    )?;
    let now = now_or_clock(args.now)?;

    let decision = match args.engine.engine {
        Engine::Native => {
            let guard = config::load_guard(&args.config)?;
            guard.check(
                &GuardRequest {
                    token: &token,
                    action: &args.action,
                    resource: &args.resource,
                    resource_attributes: resource_attributes.as_ref(),
                    context: &context,
                },
                now,
            )
        }
        Engine::Wasm => check_in_host(&args, &token, &context, resource_attributes.as_ref(), now)?,
    };
    tracing::info!(
        allowed = decision.is_allowed(),
        reasons = decision.reasons.len(),
        errors = decision.errors.len(),
        "decision"
    );
    writeln!(std::io::stdout(), "{}", serde_json::to_string(&decision)?)?;
    Ok(if decision.is_allowed() {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    })
}

/// Parses a request's JSON value given on the command line, under the
/// core's request limits.
fn json_argument(text: &str, name: &str) -> Result<Value, CliError> {
    json::parse_value(text.as_bytes(), &REQUEST_OBJECT_LIMITS)
        .map_err(|error| format!("{name}: {error}").into())
}

/// Parses a JSON object given on the command line.
fn object_argument(text: &str, name: &str) -> Result<Map<String, Value>, CliError> {
    match json_argument(text, name)? {
        Value::Object(map) => Ok(map),
        _ => Err(format!("{name} must be a JSON object").into()),
    }
}

/// Runs the check in the wasmtime host: the bundle's policy when
/// `--bundle` is given, else the configuration's, converted from the text
/// form by the module when its file name does not end in `.json`.
fn check_in_host(
    args: &CheckArgs,
    token: &str,
    context: &Value,
    resource_attributes: Option<&Map<String, Value>>,
    now: u64,
) -> Result<Decision, CliError> {
    let documents = config::load_guard_documents(&args.config)?;
    let loaded = args.engine.load()?;
    let jwks_origin = documents.jwks_origin.as_str();
    let verifier = loaded
        .host
        .verifier(&documents.jwks_json, &documents.config.validation)
        .map_err(|error| {
            // A key error is about the key set, an option error about the
            // configuration; a trap or limit is about neither.
            match error.guest().map(|guest| guest.kind) {
                Some(GuestErrorKind::Key) => format!("{jwks_origin}: {error}"),
                Some(_) => format!("`{}`: {error}", config::shown(&args.config)),
                None => error.to_string(),
            }
        })?;
    if verifier.key_count()? == 0 {
        return Err(format!("{jwks_origin}: key set has no usable key").into());
    }

    let (policy, policy_origin) = match (loaded.bundle_policy, &args.engine.bundle) {
        (Some(policy), Some(dir)) => (policy, format!("`{}`", config::shown(dir))),
        _ => {
            let origin = documents.policy_origin.clone();
            let policy = match documents.policy_form {
                PolicyForm::Json => documents.policy,
                PolicyForm::Text => loaded
                    .host
                    .policy_text_to_json(&documents.policy)
                    .map_err(|error| format!("{origin}: {error}"))?,
            };
            (policy, origin)
        }
    };
    let pipeline = loaded
        .host
        .pipeline(&documents.jwks_json, &policy, &documents.config)
        .map_err(|error| {
            let origin = match error.guest().map(|guest| guest.kind) {
                Some(GuestErrorKind::Policy) => policy_origin.clone(),
                Some(GuestErrorKind::Key) => String::from(jwks_origin),
                Some(_) => format!("`{}`", config::shown(&args.config)),
                None => return error.to_string(),
            };
            format!("{origin}: {error}")
        })?;

    let request = GuardRequest {
        token,
        action: &args.action,
        resource: &args.resource,
        resource_attributes,
        context,
    };
    let decision = pipeline.check_request(&request, now)?;
    Ok(decision)
}
