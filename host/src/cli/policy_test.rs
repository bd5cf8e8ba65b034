//! `mem8-guard policy test`: runs policy test files and reports each case
//! like a test runner.
//!
//! A test file is JSON:
//!
//! ```json
//! {
//!   "policy": "policy.json",
//!   "schema": "schema.json",
//!   "cases": [
//!     { "name": "editors write drafts",
//!       "request": { "principal": { "id": "e", "roles": ["editor"] },
//!                    "action": "write", "resource": "draft:1",
//!                    "context": { "mfa": true } },
//!       "expect": { "decision": "allow", "reasons": ["editors-write"] } }
//!   ]
//! }
//! ```
//!
//! `policy` and `schema` are paths relative to the test file; `schema` is
//! optional, and a schema violation fails the file. In `expect`,
//! `decision` is required, and `reasons` and `errors` (error codes), when
//! given, must equal the decision's.

use std::collections::BTreeSet;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use mem8_guard::json::Printable;
use mem8_guard::policy::{Decision, Outcome, RequestData};
use mem8_guard_host::config;
use serde::Deserialize;

use super::policy::{load_policy, load_schema, read_json_within};
use super::CliError;

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct TestFile {
    policy: PathBuf,
    #[serde(default)]
    schema: Option<PathBuf>,
    cases: Vec<TestCase>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct TestCase {
    name: String,
    /// What the case checks, for people reading the file.
    #[serde(default)]
    #[allow(dead_code)]
    description: Option<String>,
    request: RequestData,
    expect: Expected,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Expected {
    decision: Outcome,
    #[serde(default)]
    reasons: Option<Vec<String>>,
    #[serde(default)]
    errors: Option<Vec<String>>,
}

/// Runs every file and prints one line per case, then a summary.
pub fn run(files: &[PathBuf]) -> Result<ExitCode, CliError> {
    let mut out = std::io::stdout().lock();
    let (mut passed, mut failed) = (0_usize, 0_usize);
    for path in files {
        let (file_passed, file_failed) = run_file(path, &mut out)?;
        passed += file_passed;
        failed += file_failed;
    }
    let status = if failed == 0 { "ok" } else { "FAILED" };
    writeln!(
        out,
        "\ntest result: {status}. {passed} passed; {failed} failed"
    )?;
    Ok(if failed == 0 {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    })
}

fn run_file(path: &Path, out: &mut impl Write) -> Result<(usize, usize), CliError> {
    // Every case's request is held to the core's request limit, as when
    // `explain` reads it from a file of its own.
    let file: TestFile = read_json_within(path, &RequestData::JSON_LIMITS)?;
    for case in &file.cases {
        case.request.check_depth().map_err(|error| {
            format!(
                "`{}`: case `{}`: {error}",
                config::shown(path),
                Printable(&case.name)
            )
        })?;
    }
    let base = path.parent().unwrap_or(Path::new("."));
    let policy = load_policy(&base.join(&file.policy))?;
    writeln!(
        out,
        "running {} cases from {}",
        file.cases.len(),
        config::shown(path)
    )?;

    let mut failed = 0;
    if let Some(schema_path) = &file.schema {
        let schema = load_schema(&base.join(schema_path))?;
        for finding in schema.validate(policy.document()) {
            failed += 1;
            let rule = finding.rule.unwrap_or_default();
            writeln!(
                out,
                "schema ... FAILED\n    rule `{rule}`: {} ({})",
                finding.message, finding.code
            )?;
        }
    }

    let mut names = BTreeSet::new();
    let mut passed = 0;
    for case in &file.cases {
        let problem = if names.insert(case.name.as_str()) {
            compare(&policy.evaluate(&case.request.as_request()), &case.expect)
        } else {
            Some(String::from("the case name is used twice in this file"))
        };
        match problem {
            None => {
                passed += 1;
                writeln!(out, "case {} ... ok", case.name)?;
            }
            Some(problem) => {
                failed += 1;
                writeln!(out, "case {} ... FAILED\n    {problem}", case.name)?;
            }
        }
    }
    Ok((passed, failed))
}

/// Returns what differs between `decision` and `expect`, if anything.
fn compare(decision: &Decision, expect: &Expected) -> Option<String> {
    let codes: Vec<&str> = decision.errors.iter().map(|e| e.code.as_str()).collect();
    let shown = || {
        format!(
            "got {} with reasons {:?} and errors {:?}",
            outcome_name(decision.decision),
            decision.reasons,
            codes
        )
    };
    if decision.decision != expect.decision {
        return Some(format!(
            "expected {}, {}",
            outcome_name(expect.decision),
            shown()
        ));
    }
    if let Some(reasons) = &expect.reasons {
        if *reasons != decision.reasons {
            return Some(format!("expected reasons {reasons:?}, {}", shown()));
        }
    }
    if let Some(errors) = &expect.errors {
        if *errors != codes {
            return Some(format!("expected errors {errors:?}, {}", shown()));
        }
    }
    None
}

fn outcome_name(outcome: Outcome) -> &'static str {
    match outcome {
        Outcome::Allow => "allow",
        Outcome::Deny => "deny",
    }
}
