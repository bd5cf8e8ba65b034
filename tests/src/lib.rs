//! The cross-runtime conformance suite of Mem8 Guard.
//!
//! The tests in `tests/tests/` run every vector file in `tests/vectors/`
//! against the native core and against the wasmtime host
//! (`mem8_guard_host::sandbox`), reduce each result to a runtime-neutral
//! JSON outcome, and fail when the two differ or when the native outcome
//! differs from the case's `expect`. They need the guest module; see
//! [`guest_module_path`].

use std::path::PathBuf;

/// The environment variable that names the guest module to test.
pub const GUEST_ENV: &str = "MEM8_GUARD_GUEST_WASM";

/// The guest module the tests load: `$MEM8_GUARD_GUEST_WASM` when set, else
/// `mem8_guard_guest.wasm` under `wasm32-wasip2/wasm-release/` in
/// `$CARGO_TARGET_DIR` (or the workspace's `target/`), where
/// `cargo build -p mem8-guard-guest --target wasm32-wasip2 --profile
/// wasm-release` writes it.
pub fn guest_module_path() -> PathBuf {
    if let Some(path) = std::env::var_os(GUEST_ENV) {
        return PathBuf::from(path);
    }
    let target = std::env::var_os("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../target"));
    target.join("wasm32-wasip2/wasm-release/mem8_guard_guest.wasm")
}

/// Reads the guest module.
///
/// # Errors
///
/// A message naming the path and the build command when the file is missing.
pub fn read_guest_module() -> Result<Vec<u8>, String> {
    let path = guest_module_path();
    std::fs::read(&path).map_err(|error| {
        format!(
            "cannot read the guest module `{}`: {error}; build it with `cargo build -p \
             mem8-guard-guest --target wasm32-wasip2 --profile wasm-release` or set {GUEST_ENV}",
            path.display()
        )
    })
}
