//! The core's WebAssembly component run under wasmtime.
//!
//! [`HostGuard`] loads the module that `wasm/guest` builds and exposes the
//! same operations as the native core: token verification and signing,
//! policy evaluation, the guard pipeline and keyrings. Every call runs on a
//! pooled instance under [`Limits`]: an epoch deadline, optional fuel, and a
//! memory cap. A call that hits a limit, traps or returns an invalid value
//! fails with a typed [`HostError`], and its instance is replaced, so the
//! next call works.
//!
//! ```no_run
//! use mem8_guard::policy::PolicyLimits;
//! use mem8_guard_host::sandbox::{HostConfig, HostGuard};
//!
//! let module = std::fs::read("mem8_guard_guest.wasm")?;
//! let host = HostGuard::new(&module, HostConfig::default())?;
//! let policy = host.policy(r#"{"version":1,"rules":[]}"#, &PolicyLimits::default())?;
//! assert_eq!(policy.rule_count()?, 0);
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

mod api;
pub mod bindings;
mod cache;
mod error;
mod keyring;
mod limits;
mod objects;
mod policy_tools;
mod runtime;
#[cfg(target_os = "linux")]
mod sealed;
mod stream;

pub use api::{GeneratedKey, Header, HostGuard, ModuleVersion, VerifiedJws, VerifiedToken};
pub use cache::{cache_file_name, load_component, ModuleSource};
pub use error::{GuestError, GuestErrorKind, HostError};
pub use keyring::{HostKeyring, KeyMetadata, RotationDue};
pub use limits::{HostConfig, Limits, EPOCH_TICK};
pub use objects::{HostPipeline, HostPolicy, HostVerifier};
pub use stream::{HostStreamDecryptor, HostStreamEncryptor, StreamInfo, MAX_STREAM_CALL_BYTES};

/// The WIT package version series this host supports: any `0.1.x` module.
pub const WORLD_VERSION: &str = "0.1.0";

/// The first 8 bytes of a WebAssembly component in the binary format: the
/// magic `\0asm`, then version 13 and layer 1. A core module has version 1
/// and layer 0 there.
pub const COMPONENT_HEADER: [u8; 8] = [0x00, 0x61, 0x73, 0x6d, 0x0d, 0x00, 0x01, 0x00];

/// Compiles `module` and links it against the guard world, as a host does
/// when it loads it, without the module cache, and discards the result.
///
/// # Errors
///
/// The [`HostError`] that loading `module` in a host would return.
pub fn check_module_loads(module: &[u8]) -> Result<(), HostError> {
    runtime::Runtime::new(module, &HostConfig::default()).map(drop)
}

/// Checks that `module` starts with [`COMPONENT_HEADER`], so that an empty
/// file or one that is not a component gets a one-line message before
/// wasmtime reads it.
///
/// # Errors
///
/// A message saying what the bytes are instead and what to give.
pub fn check_component_header(module: &[u8]) -> Result<(), String> {
    const BUILD: &str = "give the component that scripts/build-guests.sh builds from `wasm/guest`";
    if module.is_empty() {
        return Err(format!("the module is empty; {BUILD}"));
    }
    if !module.starts_with(&COMPONENT_HEADER[..4]) {
        return Err(format!(
            "the module is not WebAssembly: it does not start with the bytes `\\0asm`; {BUILD}"
        ));
    }
    if module.starts_with(&[0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00]) {
        return Err(format!(
            "the module is a core WebAssembly module, not a component; {BUILD}"
        ));
    }
    if !module.starts_with(&COMPONENT_HEADER) {
        return Err(format!(
            "the module is not a WebAssembly component of the binary version this host reads \
             (version 13, layer 1); {BUILD}"
        ));
    }
    Ok(())
}
