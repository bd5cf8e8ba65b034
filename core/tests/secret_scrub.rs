//! Key material read from JSON is zeroized before its memory is freed, on
//! failed loads too.
//!
//! The global allocator of this test binary scans every freed block for a
//! marker, the base64url text of a secret in the documents below. A load
//! that drops a copy of it without zeroizing leaves the marker in a freed
//! block, and the count of such blocks goes up. The documents are
//! `&'static str`, so the inputs themselves are never freed.

// A global allocator is unsafe code; the library itself forbids it.
#![allow(unsafe_code)]

use std::alloc::{GlobalAlloc, Layout, System};
use std::sync::atomic::{AtomicUsize, Ordering};

use mem8_guard::crypto::Keyring;
use mem8_guard::token::{KeySet, SigningKey, VerifyingKey};

/// The secret's text: 43 base64url characters, 32 bytes.
macro_rules! marker {
    () => {
        "Zk9vYmFyLXNlY3JldC1tYXJrZXItMDEyMzQ1Njc4OWFi"
    };
}
const MARKER: &[u8] = marker!().as_bytes();

static FREED_WITH_MARKER: AtomicUsize = AtomicUsize::new(0);

struct ScanningAllocator;

// SAFETY: every call forwards to the system allocator with the same
// arguments; `dealloc` reads the block it is given before freeing it.
unsafe impl GlobalAlloc for ScanningAllocator {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        unsafe { System.alloc(layout) }
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        // SAFETY: `ptr` is a live block of `layout.size()` bytes.
        let block = unsafe { std::slice::from_raw_parts(ptr, layout.size()) };
        if block.windows(MARKER.len()).any(|window| window == MARKER) {
            FREED_WITH_MARKER.fetch_add(1, Ordering::SeqCst);
        }
        unsafe { System.dealloc(ptr, layout) }
    }

    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        // A moved block would leave the marker behind, so this copies and
        // frees through `dealloc`, which scans.
        let Ok(new_layout) = Layout::from_size_align(new_size, layout.align()) else {
            return std::ptr::null_mut();
        };
        let new = unsafe { self.alloc(new_layout) };
        if !new.is_null() {
            unsafe {
                std::ptr::copy_nonoverlapping(ptr, new, layout.size().min(new_size));
                self.dealloc(ptr, layout);
            }
        }
        new
    }
}

#[global_allocator]
static ALLOCATOR: ScanningAllocator = ScanningAllocator;

/// Runs `load` and returns how many freed blocks held the marker, and the
/// load's error message if it failed.
fn freed_copies<T, E: std::fmt::Display>(load: impl FnOnce() -> Result<T, E>) -> (usize, String) {
    let before = FREED_WITH_MARKER.load(Ordering::SeqCst);
    let message = match load() {
        Ok(_) => String::from("ok"),
        Err(error) => error.to_string(),
    };
    (FREED_WITH_MARKER.load(Ordering::SeqCst) - before, message)
}

/// A loader under test: the bytes of a document in, an error message out.
type Load = fn(&[u8]) -> Result<(), String>;

#[test]
fn secrets_are_zeroized_on_every_load_path() {
    // The scan works: a parsed document dropped as it is leaves its copy.
    let (copies, _) = freed_copies(|| {
        mem8_guard::json::parse_value(
            concat!(r#"{"k":""#, marker!(), r#""}"#).as_bytes(),
            &mem8_guard::json::JsonLimits::default(),
        )
    });
    assert!(
        copies > 0,
        "the scanning allocator found no copy of the marker"
    );

    let cases: &[(&str, &str, Load)] = &[
        (
            "signing JWK with a repeated member after `d`",
            concat!(
                r#"{"kty":"OKP","crv":"Ed25519","d":""#,
                marker!(),
                r#"","x":"11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo","x":"a"}"#
            ),
            signing,
        ),
        (
            "signing JWK followed by trailing data",
            concat!(r#"{"kty":"oct","alg":"HS256","k":""#, marker!(), r#""} x"#),
            signing,
        ),
        (
            "signing JWK with a syntax error in a nested array after `k`",
            concat!(
                r#"{"kty":"oct","alg":"HS256","k":""#,
                marker!(),
                r#"","x5c":[1,2,]}"#
            ),
            signing,
        ),
        (
            "signing JWK holding the integer -0, which is read twice",
            concat!(
                r#"{"kty":"oct","alg":"HS256","k":""#,
                marker!(),
                r#"","n":-0}"#
            ),
            signing,
        ),
        (
            "signing JWK that is not an object after all: an array",
            concat!(r#"[{"kty":"oct","alg":"HS256","k":""#, marker!(), r#""}]"#),
            signing,
        ),
        (
            "verifying JWK with a syntax error after `k`",
            concat!(r#"{"kty":"oct","alg":"HS256","k":""#, marker!(), r#"",}"#),
            verifying,
        ),
        (
            "key set whose first key fails before the `oct` key",
            concat!(
                r#"{"keys":[{"kty":"EC"},{"kty":"oct","alg":"HS256","k":""#,
                marker!(),
                r#""}]}"#
            ),
            key_set,
        ),
        (
            "key set with trailing data",
            concat!(
                r#"{"keys":[{"kty":"oct","alg":"HS256","k":""#,
                marker!(),
                r#""}]}}"#
            ),
            key_set,
        ),
        (
            "key set without a `keys` array",
            concat!(
                r#"{"key":[{"kty":"oct","alg":"HS256","k":""#,
                marker!(),
                r#""}]}"#
            ),
            key_set,
        ),
        (
            "keyring with a syntax error after `k`",
            concat!(
                r#"{"version":1,"keys":[{"id":"00000001","alg":"XC20P","state":"primary","k":""#,
                marker!(),
                r#"","created":1}],"#
            ),
            keyring,
        ),
    ];
    let mut leaks = Vec::new();
    for (name, document, load) in cases {
        let (copies, message) = freed_copies(|| load(document.as_bytes()));
        assert!(
            !message.contains(marker!()),
            "{name}: the error shows the secret"
        );
        if copies != 0 {
            leaks.push(format!(
                "{name}: {copies} freed blocks held the secret ({message})"
            ));
        }
    }
    assert!(leaks.is_empty(), "{leaks:#?}");

    // A good load leaves no copy behind either.
    let good = concat!(r#"{"kty":"oct","alg":"HS256","k":""#, marker!(), r#""}"#);
    let (copies, message) = freed_copies(|| signing(good.as_bytes()));
    assert_eq!((copies, message.as_str()), (0, "ok"));
}

fn signing(bytes: &[u8]) -> Result<(), String> {
    SigningKey::from_jwk_json(bytes)
        .map(drop)
        .map_err(|error| error.to_string())
}

fn verifying(bytes: &[u8]) -> Result<(), String> {
    VerifyingKey::from_jwk_json(bytes)
        .map(drop)
        .map_err(|error| error.to_string())
}

fn key_set(bytes: &[u8]) -> Result<(), String> {
    KeySet::from_json(bytes)
        .map(drop)
        .map_err(|error| error.to_string())
}

fn keyring(bytes: &[u8]) -> Result<(), String> {
    Keyring::from_json(bytes)
        .map(drop)
        .map_err(|error| error.to_string())
}
