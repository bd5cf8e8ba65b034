//! The `hazmat` feature, which exposes the raw AEAD with caller-chosen
//! nonces, must stay off unless a crate enables it by name. Cargo features
//! cannot be observed from another crate at run time, so these tests read the
//! manifests that decide it.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::path::Path;

fn manifest(relative: &str) -> String {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join(relative);
    std::fs::read_to_string(&path).unwrap_or_else(|error| panic!("{}: {error}", path.display()))
}

/// Returns the value of `key = ...` inside `[section]`, as written.
fn array_in_section(text: &str, section: &str, key: &str) -> Option<String> {
    let mut inside = false;
    for line in text.lines() {
        let line = line.trim();
        if line.starts_with('[') {
            inside = line == section;
            continue;
        }
        if inside {
            if let Some(rest) = line.strip_prefix(key) {
                if let Some(value) = rest.trim_start().strip_prefix('=') {
                    return Some(value.trim().to_owned());
                }
            }
        }
    }
    None
}

#[test]
fn core_default_features_leave_hazmat_out() {
    let text = manifest("Cargo.toml");
    let default = array_in_section(&text, "[features]", "default")
        .expect("core/Cargo.toml declares default features");
    assert!(default.starts_with('['), "{default}");
    assert!(
        !default.contains("hazmat"),
        "default features enable hazmat: {default}"
    );
    // The feature exists, so the check above is about a real name.
    assert!(array_in_section(&text, "[features]", "hazmat").is_some());
}

#[test]
fn host_builds_core_without_hazmat() {
    let text = manifest("../host/Cargo.toml");
    let dependency = text
        .lines()
        .find(|line| line.trim_start().starts_with("mem8-guard ="))
        .expect("host/Cargo.toml depends on mem8-guard");
    assert!(dependency.contains("features"), "{dependency}");
    assert!(
        !dependency.contains("hazmat"),
        "the CLI enables hazmat: {dependency}"
    );
}
