//! `mem8-guard policy`: test, check, format and query policy files.
//!
//! A policy file ending in `.json` is read in the JSON form; any other
//! file is read in the text form. Exit codes: 0 when every test passes, the
//! policy is valid, the text is formatted or the request is allowed; 1 when
//! a test fails, the policy is invalid, the text needs formatting or the
//! request is denied; 2 for unreadable files and usage errors.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use clap::{ArgGroup, Args, Subcommand};
use mem8_guard::json::{self, JsonLimits, Printable};
use mem8_guard::policy::{
    format_text, Decision, Outcome, Policy, PolicyDocument, PolicyError, PolicyLimits, RequestData,
    Schema, Severity,
};
use mem8_guard_host::config;
use serde::de::DeserializeOwned;
use serde_json::Value;

use super::CliError;

/// Limits for reading request, test and decision files.
const INPUT_LIMITS: JsonLimits = JsonLimits {
    max_depth: 64,
    max_members: 100_000,
};

#[derive(Debug, Subcommand)]
pub enum PolicyCommand {
    /// Run policy test files and report each failing case; exit 1 when any
    /// case fails.
    Test(TestArgs),
    /// Validate a policy, optionally against a schema, and print the
    /// findings; exit 1 when the policy is invalid or violates the schema.
    Check(CheckArgs),
    /// Print a policy in the canonical text form, or with --json in the
    /// JSON form.
    Fmt(FmtArgs),
    /// Decide one request and print, for every rule, whether it applied and
    /// why not; exit 0 for allow and 1 for deny.
    Explain(ExplainArgs),
    /// Print the roles and principals that rules allow to perform an action
    /// on a resource.
    WhoCan(WhoCanArgs),
    /// Print the rules that apply to a role or a principal.
    Permissions(PermissionsArgs),
    /// Print the permit rules that no allow in a file of past decisions used.
    Unused(UnusedArgs),
}

#[derive(Debug, Args)]
pub struct TestArgs {
    /// Test files: JSON with `policy` (a path relative to the test file),
    /// an optional `schema` path, and `cases`.
    #[arg(required = true, value_name = "FILE")]
    files: Vec<PathBuf>,
}

#[derive(Debug, Args)]
pub struct CheckArgs {
    /// The policy file.
    #[arg(value_name = "POLICY")]
    policy: PathBuf,
    /// Schema file to validate the policy against.
    #[arg(long, value_name = "FILE")]
    schema: Option<PathBuf>,
    /// Also print lint warnings: shadowed, duplicate and over-broad rules.
    /// Warnings do not change the exit code.
    #[arg(long)]
    lint: bool,
}

#[derive(Debug, Args)]
pub struct FmtArgs {
    /// The policy file.
    #[arg(value_name = "POLICY")]
    policy: PathBuf,
    /// Print the JSON form instead of the text form.
    #[arg(long)]
    json: bool,
    /// Print nothing; exit 1 when the file is not already in the output
    /// form.
    #[arg(long)]
    check: bool,
}

#[derive(Debug, Args)]
pub struct ExplainArgs {
    /// The policy file.
    #[arg(value_name = "POLICY")]
    policy: PathBuf,
    /// JSON file with the request: `principal`, `action`, `resource`, and
    /// optionally `resource_attributes` and `context`.
    #[arg(long, value_name = "FILE")]
    request: PathBuf,
}

#[derive(Debug, Args)]
pub struct WhoCanArgs {
    /// The policy file.
    #[arg(value_name = "POLICY")]
    policy: PathBuf,
    /// The action, for example `read`.
    #[arg(long, value_name = "A")]
    action: String,
    /// The resource, for example `document:42`.
    #[arg(long, value_name = "R")]
    resource: String,
}

#[derive(Debug, Args)]
#[command(group(ArgGroup::new("subject").required(true).args(["role", "principal"])))]
pub struct PermissionsArgs {
    /// The policy file.
    #[arg(value_name = "POLICY")]
    policy: PathBuf,
    /// A declared role.
    #[arg(long, value_name = "ROLE")]
    role: Option<String>,
    /// A principal id; the document's role assignments for it apply.
    #[arg(long, value_name = "ID")]
    principal: Option<String>,
    /// Roles the principal carries, as a token would give them; repeat for
    /// several.
    #[arg(long = "with-role", value_name = "ROLE", requires = "principal")]
    with_roles: Vec<String>,
}

#[derive(Debug, Args)]
pub struct UnusedArgs {
    /// The policy file.
    #[arg(value_name = "POLICY")]
    policy: PathBuf,
    /// JSON file holding an array of past decisions, as `check` and
    /// `explain` print them.
    #[arg(long, value_name = "FILE")]
    decisions: PathBuf,
}

pub fn run(command: PolicyCommand) -> Result<ExitCode, CliError> {
    match command {
        PolicyCommand::Test(args) => super::policy_test::run(&args.files),
        PolicyCommand::Check(args) => check(&args),
        PolicyCommand::Fmt(args) => fmt(&args),
        PolicyCommand::Explain(args) => explain(&args),
        PolicyCommand::WhoCan(args) => {
            let policy = load_policy(&args.policy)?;
            print_json(&policy.who_can(&args.action, &args.resource))?;
            Ok(ExitCode::SUCCESS)
        }
        PolicyCommand::Permissions(args) => {
            let policy = load_policy(&args.policy)?;
            let report = match (&args.role, &args.principal) {
                (Some(role), _) => policy.permissions_of_role(role)?,
                (None, Some(id)) => policy.permissions_of_principal(id, &args.with_roles),
                (None, None) => return Err("give --role or --principal".into()),
            };
            print_json(&report)?;
            Ok(ExitCode::SUCCESS)
        }
        PolicyCommand::Unused(args) => {
            let policy = load_policy(&args.policy)?;
            let decisions: Vec<Decision> = read_json(&args.decisions)?;
            print_json(&policy.unused_permissions(&decisions))?;
            Ok(ExitCode::SUCCESS)
        }
    }
}

fn check(args: &CheckArgs) -> Result<ExitCode, CliError> {
    let text = read_text(&args.policy)?;
    let schema = match &args.schema {
        Some(path) => Some(load_schema(path)?),
        None => None,
    };
    let policy = match parse_policy(&args.policy, &text) {
        Ok(policy) => policy,
        Err(error) => {
            writeln!(
                std::io::stdout(),
                "error[{}]: {}",
                error.code(),
                load_message(&args.policy, &text, &error)
            )?;
            return Ok(ExitCode::from(1));
        }
    };

    let mut findings = schema
        .as_ref()
        .map(|schema| schema.validate(policy.document()))
        .unwrap_or_default();
    if args.lint {
        findings.extend(policy.lint(schema.as_ref()));
    }
    let mut out = std::io::stdout().lock();
    for finding in &findings {
        let severity = match finding.severity {
            Severity::Error => "error",
            Severity::Warning => "warning",
        };
        let rule = finding
            .rule
            .as_deref()
            .map(|rule| format!(" rule `{}`:", Printable(rule)))
            .unwrap_or_default();
        writeln!(
            out,
            "{severity}[{}]:{rule} {}",
            finding.code, finding.message
        )?;
    }
    let errors = findings
        .iter()
        .filter(|finding| finding.severity == Severity::Error)
        .count();
    writeln!(
        out,
        "{}: {} rules, {errors} errors, {} warnings",
        config::shown(&args.policy),
        policy.rule_count(),
        findings.len() - errors
    )?;
    Ok(if errors == 0 {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    })
}

fn fmt(args: &FmtArgs) -> Result<ExitCode, CliError> {
    let text = read_text(&args.policy)?;
    let document = parse_document(&args.policy, &text)?;
    let formatted = if args.json {
        let mut json = serde_json::to_string_pretty(&document)?;
        json.push('\n');
        json
    } else {
        format_text(&document)?
    };
    if args.check {
        return Ok(if formatted == text {
            ExitCode::SUCCESS
        } else {
            ExitCode::from(1)
        });
    }
    std::io::stdout().lock().write_all(formatted.as_bytes())?;
    Ok(ExitCode::SUCCESS)
}

fn explain(args: &ExplainArgs) -> Result<ExitCode, CliError> {
    let policy = load_policy(&args.policy)?;
    let request: RequestData = read_json_within(&args.request, &RequestData::JSON_LIMITS)?;
    request
        .check_depth()
        .map_err(|error| format!("`{}`: {error}", config::shown(&args.request)))?;
    let explanation = policy.explain(&request.as_request());
    print_json(&explanation)?;
    Ok(match explanation.decision.decision {
        Outcome::Allow => ExitCode::SUCCESS,
        Outcome::Deny => ExitCode::from(1),
    })
}

/// Reads and compiles a policy file; a policy that does not load is a
/// configuration error.
pub(crate) fn load_policy(path: &Path) -> Result<Policy, CliError> {
    let text = read_text(path)?;
    parse_policy(path, &text).map_err(|error| {
        let message = load_message(path, &text, &error);
        format!("`{}`: {message}", config::shown(path)).into()
    })
}

/// Returns the message for a policy file that failed to load, with a hint
/// for a text-form policy in a `.json` file.
fn load_message(path: &Path, text: &str, error: &PolicyError) -> String {
    if is_json(path) {
        config::policy_json_message(error, text.as_bytes())
    } else {
        error.to_string()
    }
}

pub(crate) fn load_schema(path: &Path) -> Result<Schema, CliError> {
    let bytes = config::read_file(path)?;
    Schema::from_json(&bytes).map_err(|error| format!("`{}`: {error}", config::shown(path)).into())
}

fn parse_policy(path: &Path, text: &str) -> Result<Policy, PolicyError> {
    if is_json(path) {
        Policy::from_json(text.as_bytes())
    } else {
        Policy::from_text(text)
    }
}

/// Parses a policy file into a document without compiling it; an error
/// names the file.
fn parse_document(path: &Path, text: &str) -> Result<PolicyDocument, CliError> {
    let limits = PolicyLimits::default();
    let document = if is_json(path) {
        json::parse_value(text.as_bytes(), &limits.json_limits())
            .map_err(|error| PolicyError::from(error).to_string())
            .and_then(|value| {
                json::from_value(&value)
                    .map_err(|error| format!("invalid policy document: {error}"))
            })
    } else {
        mem8_guard::policy::parse_text(text, &limits).map_err(|error| error.to_string())
    };
    document.map_err(|message| format!("`{}`: {message}", config::shown(path)).into())
}

fn is_json(path: &Path) -> bool {
    path.extension()
        .is_some_and(|extension| extension == "json")
}

pub(crate) fn read_text(path: &Path) -> Result<String, CliError> {
    let bytes = config::read_file(path)?;
    String::from_utf8(bytes)
        .map_err(|_| format!("`{}`: file is not UTF-8", config::shown(path)).into())
}

pub(crate) fn read_json<T: DeserializeOwned>(path: &Path) -> Result<T, CliError> {
    read_json_within(path, &INPUT_LIMITS)
}

/// Reads a JSON file into `T` under `limits`; an error names the file.
pub(crate) fn read_json_within<T: DeserializeOwned>(
    path: &Path,
    limits: &JsonLimits,
) -> Result<T, CliError> {
    let bytes = config::read_file(path)?;
    let value: Value = json::parse_value(&bytes, limits)
        .map_err(|error| format!("`{}`: {error}", config::shown(path)))?;
    json::from_value(&value).map_err(|error| format!("`{}`: {error}", config::shown(path)).into())
}

fn print_json(value: &impl serde::Serialize) -> Result<(), CliError> {
    let mut out = std::io::stdout().lock();
    serde_json::to_writer_pretty(&mut out, value)?;
    writeln!(out)?;
    Ok(())
}
