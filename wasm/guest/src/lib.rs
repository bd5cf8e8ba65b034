//! The Mem8 Guard core as a WebAssembly component, for the wasmtime host.
//!
//! The module implements the WIT world `mem8:guard/guard-module` in
//! `wasm/wit/guard.wit`. Like the wasm-bindgen crate, it converts and
//! nothing else: every decision comes from the `mem8-guard` core.
//!
//! Built for wasm32 the crate is `no_std`, so the component imports only the
//! two interfaces its world names: `wasi:clocks/wall-clock` (read when a call
//! passes no `now`) and `wasi:random/random` (key generation, nonces). A
//! panic or a failed allocation traps, and the host turns the trap into a
//! typed error.

#![cfg_attr(target_arch = "wasm32", no_std)]
#![allow(missing_docs)]

extern crate alloc;

use alloc::string::{String, ToString};
use alloc::vec::Vec;

use mem8_guard::json::{self, JsonError, JsonLimits};

mod crypto;
mod policy;
mod stream;
mod token;

/// The bindings wit-bindgen generates; its code uses `unsafe` for the
/// canonical ABI, which the rest of the crate may not.
#[allow(unsafe_code)]
mod bindings {
    wit_bindgen::generate!({
        path: "../wit",
        world: "guard-module",
        generate_all,
    });

    // Only a wasm32 build exports the functions: their names (such as
    // `mem8:guard/types@0.1.0#version`) are not valid in a native linker's
    // version script, and a native build only checks the code.
    #[cfg(target_arch = "wasm32")]
    use super::Module;
    #[cfg(target_arch = "wasm32")]
    export!(Module with_types_in self);

    /// The canonical ABI's allocator, on the Rust global allocator, as
    /// wit-bindgen writes it for targets other than `wasm32-wasip2`. There
    /// wit-bindgen leaves this export to wasi-libc, whose `malloc` is not
    /// the allocator this `no_std` crate frees with.
    #[cfg(target_arch = "wasm32")]
    #[no_mangle]
    pub unsafe extern "C" fn cabi_realloc(
        old: *mut u8,
        old_len: usize,
        align: usize,
        new_len: usize,
    ) -> *mut u8 {
        use core::alloc::Layout;

        if new_len == 0 {
            // A zero-sized allocation needs no memory, only an aligned,
            // non-null pointer.
            return align as *mut u8;
        }
        // SAFETY: the canonical ABI passes a power-of-two `align`, and
        // `old` with `old_len` and `align` describes an earlier allocation
        // from this function whenever `old_len` is not zero.
        let pointer = unsafe {
            if old_len == 0 {
                alloc::alloc::alloc(Layout::from_size_align_unchecked(new_len, align))
            } else {
                let layout = Layout::from_size_align_unchecked(old_len, align);
                alloc::alloc::realloc(old, layout, new_len)
            }
        };
        if pointer.is_null() {
            core::arch::wasm32::unreachable();
        }
        pointer
    }
}

use bindings::exports::mem8::guard::types::{ErrorDetail, GuardError, VersionInfo};

/// The package version of the WIT world this module implements.
const WORLD_VERSION: &str = "0.1.0";

/// Limits for JSON arguments (options, claims, contexts): generous, but
/// bounded, and the same as the npm package's.
pub(crate) const ARGUMENT_LIMITS: JsonLimits = JsonLimits {
    max_depth: 64,
    max_members: 100_000,
};

// Shared with the npm module, which tests it.
#[cfg(target_arch = "wasm32")]
#[path = "../../src/scrub.rs"]
mod scrub;

/// dlmalloc, with every freed block zeroed: arguments and results that
/// carry keys are copied through this heap by the canonical ABI.
#[cfg(target_arch = "wasm32")]
#[global_allocator]
static ALLOCATOR: scrub::ScrubOnFree<dlmalloc::GlobalDlmalloc> =
    scrub::ScrubOnFree(dlmalloc::GlobalDlmalloc);

/// Traps. The host reports the trap as a typed error and replaces the
/// instance, so a panic never leaves a half-updated state behind.
#[cfg(target_arch = "wasm32")]
#[panic_handler]
fn panic(_info: &core::panic::PanicInfo<'_>) -> ! {
    core::arch::wasm32::unreachable()
}

/// The component's implementation of every exported interface.
struct Module;

impl bindings::exports::mem8::guard::types::Guest for Module {
    fn version() -> VersionInfo {
        VersionInfo {
            world_version: String::from(WORLD_VERSION),
            core_version: String::from(env!("CARGO_PKG_VERSION")),
            additions: Vec::new(),
        }
    }
}

/// Random bytes from the host's `wasi:random/random`, which must be a
/// cryptographically secure generator.
pub(crate) struct HostRng;

impl rand_core::RngCore for HostRng {
    fn next_u32(&mut self) -> u32 {
        let mut bytes = [0u8; 4];
        self.fill_bytes(&mut bytes);
        u32::from_le_bytes(bytes)
    }

    fn next_u64(&mut self) -> u64 {
        bindings::wasi::random::random::get_random_u64()
    }

    fn fill_bytes(&mut self, dest: &mut [u8]) {
        let bytes = bindings::wasi::random::random::get_random_bytes(dest.len() as u64);
        // A host that returns fewer bytes than requested breaks the WASI
        // contract; the missing bytes would be zeros, so trap instead.
        if bytes.len() != dest.len() {
            #[cfg(target_arch = "wasm32")]
            core::arch::wasm32::unreachable();
        }
        for (target, source) in dest.iter_mut().zip(bytes) {
            *target = source;
        }
    }

    fn try_fill_bytes(&mut self, dest: &mut [u8]) -> Result<(), rand_core::Error> {
        self.fill_bytes(dest);
        Ok(())
    }
}

impl rand_core::CryptoRng for HostRng {}

/// `now` if given, else the host's wall clock in Unix seconds.
pub(crate) fn seconds(now: Option<u64>) -> u64 {
    match now {
        Some(now) => now,
        None => bindings::wasi::clocks::wall_clock::now().seconds,
    }
}

/// Parses a JSON argument into `T` under [`ARGUMENT_LIMITS`].
pub(crate) fn parse_argument<T: serde::de::DeserializeOwned>(
    text: &str,
    what: &str,
) -> Result<T, GuardError> {
    let value = json::parse_value(text.as_bytes(), &ARGUMENT_LIMITS)
        .map_err(|error| argument_error(what, &error))?;
    json::from_value(&value)
        .map_err(|error| GuardError::InvalidArgument(alloc::format!("invalid {what}: {error}")))
}

/// Parses a JSON object argument, or `{}` when it is absent.
pub(crate) fn parse_object_argument(
    text: Option<&str>,
    what: &str,
) -> Result<serde_json::Map<String, serde_json::Value>, GuardError> {
    match parse_request_value(text, what)? {
        serde_json::Value::Object(map) => Ok(map),
        serde_json::Value::Null if text.is_none() => Ok(serde_json::Map::new()),
        _ => Err(GuardError::InvalidArgument(alloc::format!(
            "{what} must be an object"
        ))),
    }
}

/// Parses a request's context, or attributes, under the core's request
/// limits; `null` when it is absent. The core denies a context that is not
/// an object, so this accepts any JSON value.
pub(crate) fn parse_request_value(
    text: Option<&str>,
    what: &str,
) -> Result<serde_json::Value, GuardError> {
    let Some(text) = text else {
        return Ok(serde_json::Value::Null);
    };
    json::parse_value(text.as_bytes(), &mem8_guard::policy::REQUEST_OBJECT_LIMITS)
        .map_err(|error| argument_error(what, &error))
}

pub(crate) fn argument_error(what: &str, error: &JsonError) -> GuardError {
    GuardError::InvalidArgument(alloc::format!("invalid {what}: {error}"))
}

pub(crate) fn detail(code: &str, message: &dyn core::fmt::Display) -> ErrorDetail {
    ErrorDetail {
        code: String::from(code),
        message: message.to_string(),
        claim: None,
        limit: None,
    }
}
