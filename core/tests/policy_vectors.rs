#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
//! Runs every policy vector file in `tests/vectors/policy/` against the core.
//!
//! A file has `source`, `description`, `policies` (documents by name) and
//! `cases`. Each case has a `name`, a `source`, and one of `policy` (a name in
//! `policies`), `document` (a document, or a JSON string containing raw
//! policy JSON text) or `document_text` (the policy's text form), with
//! optional `limits` in the form of `PolicyLimits`. `expect` contains
//! `decision`, `reasons` and optionally `errors` (error codes), in which case
//! the case also gives `principal`, `action`, `resource` and optionally
//! `resource_attributes` and `context`. Otherwise it holds `load_error`, the
//! expected `PolicyError::code`.

use std::collections::{BTreeMap, BTreeSet};
use std::fs;
use std::path::{Path, PathBuf};

use mem8_guard::json::{self, JsonLimits};
use mem8_guard::policy::{Outcome, Policy, PolicyLimits, Principal, Request};
use serde::Deserialize;
use serde_json::Value;

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct VectorFile {
    source: String,
    description: String,
    #[serde(default)]
    policies: BTreeMap<String, Value>,
    cases: Vec<Case>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Case {
    /// What the case checks, when the name alone does not say.
    #[allow(dead_code)]
    description: Option<String>,
    name: String,
    source: String,
    policy: Option<String>,
    document: Option<Value>,
    document_text: Option<String>,
    limits: Option<PolicyLimits>,
    principal: Option<Principal>,
    action: Option<String>,
    resource: Option<String>,
    resource_attributes: Option<serde_json::Map<String, Value>>,
    context: Option<Value>,
    expect: Expect,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Expect {
    decision: Option<Outcome>,
    reasons: Option<Vec<String>>,
    /// Codes of the decision's errors, in order; absent means none.
    errors: Option<Vec<String>>,
    load_error: Option<String>,
}

fn vector_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../tests/vectors/policy")
}

/// Reads a vector file strictly, so a repeated key in the vectors themselves
/// is caught instead of silently replacing a case's field.
fn read_vector_file(path: &Path) -> VectorFile {
    let bytes = fs::read(path).unwrap_or_else(|e| panic!("cannot read {}: {e}", path.display()));
    let limits = JsonLimits {
        max_depth: json::MAX_SUPPORTED_DEPTH,
        max_members: 100_000,
    };
    let value = json::parse_value(&bytes, &limits)
        .unwrap_or_else(|e| panic!("{} is not strict JSON: {e}", path.display()));
    serde_json::from_value(value)
        .unwrap_or_else(|e| panic!("{} is not a policy vector file: {e}", path.display()))
}

/// Returns the bytes of a case's document: the raw text when it is a string,
/// otherwise the document serialized.
fn document_bytes(document: &Value) -> Vec<u8> {
    match document {
        Value::String(text) => text.clone().into_bytes(),
        other => serde_json::to_vec(other).unwrap(),
    }
}

/// Checks one case and returns what went wrong, if anything.
fn run_case(case: &Case, policies: &BTreeMap<String, Value>) -> Result<(), String> {
    let limits = case.limits.unwrap_or_default();
    let loaded = match (&case.policy, &case.document, &case.document_text) {
        (Some(name), None, None) => {
            let document = policies
                .get(name)
                .ok_or_else(|| format!("no policy named `{name}` in the file"))?;
            Policy::from_json_with_limits(&document_bytes(document), &limits)
        }
        (None, Some(document), None) => {
            Policy::from_json_with_limits(&document_bytes(document), &limits)
        }
        (None, None, Some(text)) => Policy::from_text_with_limits(text, &limits),
        _ => return Err("needs exactly one of `policy`, `document` and `document_text`".into()),
    };

    let expect = &case.expect;
    if let Some(code) = &expect.load_error {
        if expect.decision.is_some() || expect.reasons.is_some() {
            return Err("expects both a load error and a decision".into());
        }
        return match loaded {
            Ok(_) => Err(format!("loaded, expected load error `{code}`")),
            Err(error) if error.code() == code => Ok(()),
            Err(error) => Err(format!(
                "load error `{}` ({error}), expected `{code}`",
                error.code()
            )),
        };
    }

    let (Some(outcome), Some(reasons)) = (expect.decision, &expect.reasons) else {
        return Err("expect needs `decision` and `reasons`, or `load_error`".into());
    };
    let policy = loaded.map_err(|error| format!("failed to load: {error}"))?;
    let (Some(principal), Some(action), Some(resource)) =
        (&case.principal, &case.action, &case.resource)
    else {
        return Err("decision case needs `principal`, `action` and `resource`".into());
    };
    // An absent context and `null` both read as `None` here, and both
    // reach the core as `null`, which means an empty context.
    let context = case.context.clone().unwrap_or(Value::Null);
    let decision = policy.evaluate(&Request {
        principal,
        action,
        resource,
        resource_attributes: case.resource_attributes.as_ref(),
        context: &context,
    });

    if decision.decision != outcome || decision.reasons != *reasons {
        return Err(format!(
            "got {:?} {:?}, expected {outcome:?} {reasons:?}",
            decision.decision, decision.reasons
        ));
    }
    let codes: Vec<&str> = decision
        .errors
        .iter()
        .map(|error| error.code.as_str())
        .collect();
    let expected_codes: Vec<&str> = case
        .expect
        .errors
        .iter()
        .flatten()
        .map(String::as_str)
        .collect();
    if codes != expected_codes {
        return Err(format!(
            "errors {:?}, expected codes {expected_codes:?}",
            decision.errors
        ));
    }
    Ok(())
}

#[test]
fn policy_vectors_pass() {
    let dir = vector_dir();
    let mut paths: Vec<PathBuf> = fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("cannot list {}: {e}", dir.display()))
        .map(|entry| entry.unwrap().path())
        .filter(|path| path.extension().is_some_and(|ext| ext == "json"))
        .collect();
    paths.sort();

    let mut case_count = 0;
    let mut failures = Vec::new();
    for path in &paths {
        let file = read_vector_file(path);
        let file_name = path.file_name().unwrap().to_string_lossy().into_owned();
        assert!(!file.source.is_empty(), "{file_name}: empty `source`");
        assert!(
            !file.description.is_empty(),
            "{file_name}: empty `description`"
        );

        let mut names = BTreeSet::new();
        for case in &file.cases {
            case_count += 1;
            let label = format!("{file_name}: {}", case.name);
            if !names.insert(case.name.as_str()) {
                failures.push(format!("{label}: repeated case name"));
            }
            if case.source.is_empty() {
                failures.push(format!("{label}: empty `source`"));
            }
            if let Err(problem) = run_case(case, &file.policies) {
                failures.push(format!("{label}: {problem}"));
            }
        }
    }

    assert!(
        case_count > 0,
        "no policy vector cases in {}",
        dir.display()
    );
    assert!(
        failures.is_empty(),
        "{} of {case_count} policy vector cases failed:\n{}",
        failures.len(),
        failures.join("\n")
    );
}
