//! `mem8-guard check`: the main job from the command line.

use std::io::Write;
use std::process::ExitCode;

use mem8_guard::guard::GuardRequest;
use mem8_guard::json::{self, JsonLimits};
use mem8_guard_host::config;
use serde_json::Value;

use super::{now_or_clock, read_token, CliError};
use crate::CheckArgs;

pub fn run(args: CheckArgs) -> Result<ExitCode, CliError> {
    let guard = config::load_guard(&args.config)?;
    let context = match &args.context {
        None => Value::Object(Default::default()),
        Some(text) => {
            let limits = JsonLimits {
                max_depth: 32,
                max_members: 10_000,
            };
            let context = json::parse_value(text.as_bytes(), &limits)
                .map_err(|error| format!("--context: {error}"))?;
            if !context.is_object() {
                return Err("--context must be a JSON object".into());
            }
            context
        }
    };
    let token = read_token(args.token_file.as_deref(), args.token.as_deref())?;
    let now = now_or_clock(args.now)?;

    let decision = guard.check(
        &GuardRequest {
            token: &token,
            action: &args.action,
            resource: &args.resource,
            context: &context,
            resource_attributes: None,
        },
        now,
    );
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
