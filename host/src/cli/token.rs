//! `mem8-guard token verify|sign` and `mem8-guard keygen`.

use std::io::Write;
use std::path::Path;
use std::process::ExitCode;

use mem8_guard::json::{self, JsonLimits};
use mem8_guard::token::{self, Algorithm, SigningKey, TokenError, Validation};
use mem8_guard_host::config;
use mem8_guard_host::sandbox::{GuestErrorKind, HostError};
use serde_json::Value;
use zeroize::Zeroizing;

use super::engine::{Engine, EngineArgs};
use super::{now_or_clock, read_json_file, read_token, CliError};
use crate::{KeygenArgs, SignArgs, VerifyArgs};

/// The latest `exp` that `token sign --expires-in` writes, in Unix seconds:
/// 9999-12-31T23:59:59Z, the last second that the four-digit year of an
/// RFC 3339 timestamp can express.
const MAX_EXP: u64 = 253_402_300_799;

pub fn verify(args: VerifyArgs) -> Result<ExitCode, CliError> {
    args.engine.check_engine()?;
    let mut validation = Validation::default();
    validation.issuers = args.issuers;
    validation.audiences = args.audiences;
    validation.leeway = args.leeway;
    validation.max_age = args.max_age;
    validation.subject = args.sub;
    validation.typ = args.typ;
    for claim in args.required {
        if claim.is_empty() {
            return Err("--require needs a claim name".into());
        }
        if !validation.required_claims.contains(&claim) {
            validation.required_claims.push(claim);
        }
    }
    if !args.algorithms.is_empty() {
        let mut algorithms = Vec::new();
        for name in &args.algorithms {
            let alg = name
                .parse::<Algorithm>()
                .map_err(|_| format!("--alg `{name}` is not a supported algorithm"))?;
            algorithms.push(alg);
        }
        validation.algorithms = Some(algorithms);
    }

    // Options that no token can pass are a usage error, not an invalid token.
    validation.check().map_err(|error| option_error(&error))?;

    let now = now_or_clock(args.now)?;
    let jwt = read_token(
        args.token.token_file.as_deref(),
        args.token.token.as_deref(),
    )?;
    if args.engine.engine == Engine::Wasm {
        return verify_in_host(&args.jwks, &args.engine, &validation, &jwt, now);
    }

    let keys = config::load_key_set(&args.jwks)?;
    tracing::debug!(
        keys = keys.len(),
        skipped = keys.skipped(),
        "loaded key set"
    );
    match token::verify(&jwt, &keys, &validation, now) {
        Ok(verified) => {
            writeln!(std::io::stdout(), "{}", compact_json(&verified.payload))?;
            Ok(ExitCode::SUCCESS)
        }
        Err(error) => {
            tracing::info!(code = error.code(), "token rejected");
            writeln!(std::io::stderr(), "invalid token: {error}")?;
            Ok(ExitCode::from(1))
        }
    }
}

/// Returns the verified payload on one line: its JSON text without the
/// whitespace between tokens. Numbers and strings stay as the token writes
/// them, so `18446744073709551616` is not rounded to a 64-bit float.
///
/// The payload passed the strict parser, so every `"` outside a string
/// opens one, and a string ends at the first `"` not escaped by `\`.
fn compact_json(payload: &[u8]) -> String {
    let mut compact = Vec::with_capacity(payload.len());
    let mut in_string = false;
    let mut escaped = false;
    for &byte in payload {
        if in_string {
            compact.push(byte);
            if escaped {
                escaped = false;
            } else if byte == b'\\' {
                escaped = true;
            } else if byte == b'"' {
                in_string = false;
            }
            continue;
        }
        match byte {
            b' ' | b'\t' | b'\n' | b'\r' => {}
            b'"' => {
                in_string = true;
                compact.push(byte);
            }
            _ => compact.push(byte),
        }
    }
    String::from_utf8_lossy(&compact).into_owned()
}

/// Returns the usage error for options that [`Validation::check`] rejects,
/// led by the command-line option that set the value.
fn option_error(error: &TokenError) -> CliError {
    let flag = match error {
        TokenError::InvalidOption { option, .. } => match *option {
            "leeway" => "--leeway",
            "typ" => "--typ",
            "subject" => "--sub",
            other => other,
        },
        _ => "options",
    };
    format!("{flag}: {error}").into()
}

/// Verifies in the wasmtime host; the exit codes are those of the native
/// path.
fn verify_in_host(
    jwks_path: &Path,
    engine: &EngineArgs,
    validation: &Validation,
    jwt: &str,
    now: u64,
) -> Result<ExitCode, CliError> {
    // An `oct` key in the set is a secret.
    let jwks = Zeroizing::new(
        String::from_utf8(config::read_file(jwks_path)?)
            .map_err(|_| format!("`{}`: not UTF-8", config::shown(jwks_path)))?,
    );
    let host = engine.load()?.host;
    let verifier = host
        .verifier(&jwks, validation)
        .map_err(|error| format!("`{}`: {error}", config::shown(jwks_path)))?;
    if verifier.key_count()? == 0 {
        return Err(format!("`{}`: key set has no usable key", config::shown(jwks_path)).into());
    }
    match verifier.verify(jwt, now) {
        Ok(verified) => {
            writeln!(std::io::stdout(), "{}", compact_json(&verified.payload))?;
            Ok(ExitCode::SUCCESS)
        }
        Err(HostError::Guest(error)) if error.kind == GuestErrorKind::Token => {
            tracing::info!(code = %error.code, "token rejected");
            writeln!(std::io::stderr(), "invalid token: {error}")?;
            Ok(ExitCode::from(1))
        }
        Err(error) => Err(error.into()),
    }
}

pub fn sign(args: SignArgs) -> Result<ExitCode, CliError> {
    let key_bytes = zeroize::Zeroizing::new(read_json_file(&args.key)?);
    let key = SigningKey::from_jwk_json(&key_bytes)
        .map_err(|error| format!("`{}`: {error}", config::shown(&args.key)))?;

    let limits = JsonLimits {
        max_depth: 32,
        max_members: 10_000,
    };
    let mut claims = json::parse_object(&read_json_file(&args.claims)?, &limits)
        .map_err(|error| format!("`{}`: {error}", config::shown(&args.claims)))?;
    if let Some(seconds) = args.expires_in {
        let now = now_or_clock(args.now)?;
        claims.insert("iat".into(), now.into());
        claims.insert("exp".into(), expiry(now, seconds)?.into());
    }

    if !claims.contains_key("exp") {
        tracing::warn!("claims have no `exp`; verifiers that require it, as mem8-guard does by default, will reject the token");
    }
    let jwt = token::sign(&claims, &key)?;
    writeln!(std::io::stdout(), "{jwt}")?;
    Ok(ExitCode::SUCCESS)
}

/// Returns `exp` for `--expires-in SECONDS` at `now`.
///
/// # Errors
///
/// A usage error naming `seconds` when it is 0, which would make a token
/// that is expired when issued, or when `exp` would pass [`MAX_EXP`].
fn expiry(now: u64, seconds: u64) -> Result<u64, CliError> {
    if seconds == 0 {
        let message = "--expires-in `0`: the token would be expired when issued; give 1 or more";
        return Err(message.into());
    }
    match now.checked_add(seconds) {
        Some(exp) if exp <= MAX_EXP => Ok(exp),
        _ => Err(format!(
            "--expires-in `{seconds}`: `exp` would be after {MAX_EXP} (9999-12-31T23:59:59Z); \
             give a shorter lifetime"
        )
        .into()),
    }
}

pub fn keygen(args: KeygenArgs) -> Result<ExitCode, CliError> {
    let alg = args
        .alg
        .parse::<Algorithm>()
        .ok()
        .filter(|alg| alg.family() != token::Family::Rsa)
        .ok_or_else(|| {
            format!(
                "--alg `{}` cannot be generated; use EdDSA, ES256, HS256, HS384 or HS512",
                args.alg
            )
        })?;
    if args.public && alg.family() == token::Family::Hmac {
        return Err(format!("--public: an {alg} secret has no public key").into());
    }

    if args.kid.as_deref() == Some("") {
        return Err("--kid must not be empty; leave it out for a random key id".into());
    }

    let mut key = SigningKey::generate(alg, &mut rand_core::OsRng)?;
    if let Some(kid) = args.kid {
        key.set_kid(Some(kid));
    }
    let mut stdout = std::io::stdout().lock();
    writeln!(stdout, "{}", key.to_private_jwk_json().as_str())?;
    if args.public {
        let public = key.to_public_jwk().map(Value::Object).unwrap_or_default();
        writeln!(stdout, "{public}")?;
    }
    Ok(ExitCode::SUCCESS)
}
