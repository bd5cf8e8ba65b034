//! Per-call limits and engine settings.

use std::path::PathBuf;
use std::time::Duration;

/// Limits applied to every call into the module.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct Limits {
    /// Wall-clock time one call may run before it is interrupted. Default
    /// 1 s. The deadline is checked on epoch ticks of [`EPOCH_TICK`], so a
    /// call stops at most one tick (plus scheduling delay) after it.
    pub deadline: Duration,
    /// Fuel (roughly, Wasm instructions) per call, or `None` for no fuel
    /// metering. Default `None`: metering costs time on every call, and the
    /// deadline already bounds a loop.
    pub fuel: Option<u64>,
    /// Largest linear memory the guest may grow to, in bytes. Default 64 MiB.
    ///
    /// NOTE: a value below the module's initial memory (1.125 MiB for the
    /// guest of this repository) fails the load with wasmtime's message,
    /// and a cached module is then logged as unusable and compiled again.
    pub max_memory_bytes: usize,
    /// Largest number of random bytes one `wasi:random` call may request.
    /// Default 1 MiB; a larger request traps.
    pub max_random_bytes: u64,
}

impl Default for Limits {
    fn default() -> Self {
        Self {
            deadline: Duration::from_secs(1),
            fuel: None,
            max_memory_bytes: 64 << 20,
            max_random_bytes: 1 << 20,
        }
    }
}

/// Interval between epoch increments, which is the resolution of
/// [`Limits::deadline`].
pub const EPOCH_TICK: Duration = Duration::from_millis(5);

/// How the host compiles, caches and pools the module.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct HostConfig {
    /// Limits of every call.
    pub limits: Limits,
    /// Folder for precompiled modules, or `None` to compile in memory each
    /// time a module is loaded. Default `None`.
    ///
    /// # Security
    ///
    /// A precompiled module is native code that the host runs unchecked, so
    /// whoever can write to this folder can run code in the host process.
    /// On Unix the host rejects a folder, or a file in it, that is writable
    /// by group or others or that another user owns, a path with a
    /// symbolic link in it, and a folder above the cache that a user other
    /// than this one or root owns or that others can write to without the
    /// sticky bit; `docs/host.md` states the rule.
    pub cache_dir: Option<PathBuf>,
    /// Reserve instances in wasmtime's pooling allocator instead of
    /// allocating them on demand. Default `true`.
    pub pooling: bool,
    /// Maximum number of instances alive at once: idle ones kept for reuse
    /// plus those running calls. Default 32. A call that finds every
    /// instance busy and the maximum reached waits for one to return.
    pub max_instances: u32,
}

impl Default for HostConfig {
    fn default() -> Self {
        Self {
            limits: Limits::default(),
            cache_dir: None,
            pooling: true,
            max_instances: 32,
        }
    }
}
