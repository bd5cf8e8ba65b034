#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
//! Every case of every file in `tests/vectors/`, natively and in the
//! wasmtime host: the two outcomes must be identical, and the native one
//! must match the case's `expect`.

mod common;

use common::{check_expect, host, kind_of, run_case, vector_files, Runtime};

#[test]
fn vectors_agree_native_and_host() {
    let host = host();
    let mut failures = Vec::new();
    let mut cases = 0usize;
    let files = vector_files();
    assert!(
        files.len() >= 8,
        "expected the eight vector files, found {}",
        files.len()
    );

    for (path, file) in &files {
        let kind = kind_of(path);
        let Some(list) = file["cases"].as_array() else {
            failures.push(format!("{path}: no `cases` array"));
            continue;
        };
        for case in list {
            cases += 1;
            let name = case["name"].as_str().unwrap_or("?");
            let native = run_case(Runtime::Native, kind, file, case);
            let hosted = run_case(Runtime::Host(host), kind, file, case);
            if native != hosted {
                failures.push(format!("{path}: {name}: native {native} but host {hosted}"));
            }
            if let Err(problem) = check_expect(kind, case, &native) {
                failures.push(format!("{path}: {name}: native: {problem}"));
            }
        }
    }

    println!("{cases} cases in {} files", files.len());
    assert!(cases > 600, "expected over 600 cases, ran {cases}");
    assert!(
        failures.is_empty(),
        "{} of {cases} cases failed:\n{}",
        failures.len(),
        failures.join("\n")
    );
}
