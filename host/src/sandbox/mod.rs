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
