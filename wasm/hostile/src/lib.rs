//! A hostile guard module for the host's tests. It implements the world
//! `mem8:guard/guard-module`, but `policy.rules.create` misbehaves on
//! purpose, chosen by the document text:
//!
//! | document | behaviour |
//! |---|---|
//! | `loop` | spins forever |
//! | `grow` | grows linear memory until the host stops it |
//! | `trap` | executes `unreachable` |
//! | `bad-pointer` | returns an error string whose pointer lies outside memory |
//! | `bad-length` | returns an error string whose length runs past memory |
//! | anything else | a well-behaved policy with 7 rules |
//!
//! `types.version` returns normally, so the host loads the module. Every
//! other export traps.

#![cfg_attr(target_arch = "wasm32", no_std)]

extern crate alloc;

use alloc::string::String;
use alloc::vec::Vec;

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
    use super::Hostile;
    #[cfg(target_arch = "wasm32")]
    export!(Hostile with_types_in self);

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

use bindings::exports::mem8::guard::types::{GuardError, VersionInfo};
use bindings::exports::mem8::guard::{crypto, guard, policy, token};

#[cfg(target_arch = "wasm32")]
#[global_allocator]
static ALLOCATOR: dlmalloc::GlobalDlmalloc = dlmalloc::GlobalDlmalloc;

#[cfg(target_arch = "wasm32")]
#[panic_handler]
fn panic(_info: &core::panic::PanicInfo<'_>) -> ! {
    core::arch::wasm32::unreachable()
}

fn trap() -> ! {
    #[cfg(target_arch = "wasm32")]
    core::arch::wasm32::unreachable();
    #[cfg(not(target_arch = "wasm32"))]
    unreachable!("hostile guest")
}

struct Hostile;

impl bindings::exports::mem8::guard::types::Guest for Hostile {
    fn version() -> VersionInfo {
        VersionInfo {
            world_version: String::from("0.1.0"),
            core_version: String::from("hostile"),
            additions: Vec::new(),
        }
    }
}

/// A string whose pointer or length is outside linear memory. The host
/// must reject it while lifting; it is never read on this side.
fn forged_string(pointer: usize, length: usize) -> String {
    // SAFETY: none; this deliberately builds an invalid `String` to test the
    // host's bounds checks. It is handed straight to the canonical ABI,
    // which only copies its pointer and length into the return area.
    unsafe { String::from_raw_parts(pointer as *mut u8, length, length) }
}

pub struct Rules;

impl policy::Guest for Hostile {
    type Rules = Rules;

    fn format_text(_text: String) -> Result<String, GuardError> {
        trap()
    }

    fn text_to_json(_text: String) -> Result<String, GuardError> {
        trap()
    }

    fn json_to_text(_document: String) -> Result<String, GuardError> {
        trap()
    }
}

impl policy::GuestRules for Rules {
    fn create(document: String, _limits: Option<String>) -> Result<policy::Rules, GuardError> {
        match document.as_str() {
            "loop" => loop {
                core::hint::spin_loop();
            },
            "grow" => {
                let mut hoard: Vec<Vec<u8>> = Vec::new();
                loop {
                    let mut block = Vec::with_capacity(1 << 20);
                    block.resize(1 << 20, 1u8);
                    hoard.push(block);
                }
            }
            "trap" => trap(),
            "bad-pointer" => Err(GuardError::InvalidArgument(forged_string(0xfff0_0000, 64))),
            "bad-length" => Err(GuardError::InvalidArgument(forged_string(16, 0x7fff_0000))),
            _ => Ok(policy::Rules::new(Rules)),
        }
    }

    fn rule_count(&self) -> u32 {
        7
    }

    fn authorize(
        &self,
        _request: policy::AuthorizeRequest,
    ) -> Result<policy::Decision, GuardError> {
        trap()
    }

    fn from_text(_text: String, _limits: Option<String>) -> Result<policy::Rules, GuardError> {
        trap()
    }

    fn explain(&self, _request: policy::AuthorizeRequest) -> Result<String, GuardError> {
        trap()
    }

    fn who_can(&self, _action: String, _resource: String) -> Result<String, GuardError> {
        trap()
    }

    fn permissions_of_role(&self, _role: String) -> Result<String, GuardError> {
        trap()
    }

    fn permissions_of_principal(
        &self,
        _id: String,
        _roles: Vec<String>,
    ) -> Result<String, GuardError> {
        trap()
    }

    fn unused_permissions(&self, _decisions: String) -> Result<Vec<String>, GuardError> {
        trap()
    }

    fn validate(&self, _schema: String) -> Result<String, GuardError> {
        trap()
    }

    fn lint(&self, _schema: Option<String>) -> Result<String, GuardError> {
        trap()
    }

    fn to_text(&self) -> Result<String, GuardError> {
        trap()
    }

    fn to_json(&self) -> Result<String, GuardError> {
        trap()
    }
}

pub struct Verifier;

impl token::Guest for Hostile {
    type Verifier = Verifier;

    fn sign(_claims: String, _jwk: String) -> Result<String, GuardError> {
        trap()
    }

    fn generate_key(_alg: String, _kid: Option<String>) -> Result<token::GeneratedKey, GuardError> {
        trap()
    }
}

impl token::GuestVerifier for Verifier {
    fn create(_jwks: String, _validation: String) -> Result<token::Verifier, GuardError> {
        trap()
    }

    fn key_count(&self) -> u32 {
        trap()
    }

    fn skipped_keys(&self) -> u32 {
        trap()
    }

    fn verify(
        &self,
        _token: String,
        _now: Option<u64>,
    ) -> Result<token::VerifiedToken, GuardError> {
        trap()
    }

    fn verify_jws(&self, _jws: String) -> Result<token::VerifiedJws, GuardError> {
        trap()
    }
}

pub struct Pipeline;

impl guard::Guest for Hostile {
    type Pipeline = Pipeline;
}

impl guard::GuestPipeline for Pipeline {
    fn create(
        _jwks: String,
        _policy: String,
        _options: String,
    ) -> Result<guard::Pipeline, GuardError> {
        trap()
    }

    fn check(
        &self,
        _request: guard::CheckRequest,
        _now: Option<u64>,
    ) -> Result<policy::Decision, GuardError> {
        trap()
    }
}

pub struct Keyring;
pub struct StreamEncryptor;
pub struct StreamDecryptor;

impl crypto::Guest for Hostile {
    type Keyring = Keyring;
    type StreamEncryptor = StreamEncryptor;
    type StreamDecryptor = StreamDecryptor;

    fn hazmat_aead_seal(
        _algorithm: crypto::AeadAlgorithm,
        _key: Vec<u8>,
        _nonce: Vec<u8>,
        _aad: Vec<u8>,
        _plaintext: Vec<u8>,
    ) -> Result<Vec<u8>, GuardError> {
        trap()
    }

    fn hazmat_aead_open(
        _algorithm: crypto::AeadAlgorithm,
        _key: Vec<u8>,
        _nonce: Vec<u8>,
        _aad: Vec<u8>,
        _sealed: Vec<u8>,
    ) -> Result<Vec<u8>, GuardError> {
        trap()
    }
}

impl crypto::GuestStreamEncryptor for StreamEncryptor {
    fn header(&self) -> Vec<u8> {
        trap()
    }

    fn info(&self) -> Option<crypto::StreamInfo> {
        trap()
    }

    fn update(&self, _plaintext: Vec<u8>) -> Result<Vec<u8>, GuardError> {
        trap()
    }

    fn finish(&self) -> Result<Vec<u8>, GuardError> {
        trap()
    }
}

impl crypto::GuestStreamDecryptor for StreamDecryptor {
    fn info(&self) -> Option<crypto::StreamInfo> {
        trap()
    }

    fn update(&self, _ciphertext: Vec<u8>) -> Result<Vec<u8>, GuardError> {
        trap()
    }

    fn finish(&self) -> Result<Vec<u8>, GuardError> {
        trap()
    }
}

impl crypto::GuestKeyring for Keyring {
    fn generate(_algorithm: crypto::AeadAlgorithm, _now: Option<u64>) -> crypto::Keyring {
        trap()
    }

    fn from_json(_document: String) -> Result<crypto::Keyring, GuardError> {
        trap()
    }

    fn open(_sealed: String, _kek: Vec<u8>) -> Result<crypto::Keyring, GuardError> {
        trap()
    }

    fn to_json(&self) -> String {
        trap()
    }

    fn seal(&self, _kek: Vec<u8>) -> Result<String, GuardError> {
        trap()
    }

    fn keys(&self) -> Vec<crypto::KeyInfo> {
        trap()
    }

    fn add(
        &self,
        _algorithm: crypto::AeadAlgorithm,
        _now: Option<u64>,
    ) -> Result<String, GuardError> {
        trap()
    }

    fn rotate(
        &self,
        _algorithm: crypto::AeadAlgorithm,
        _now: Option<u64>,
    ) -> Result<String, GuardError> {
        trap()
    }

    fn promote(&self, _id: String) -> Result<(), GuardError> {
        trap()
    }

    fn enable(&self, _id: String) -> Result<(), GuardError> {
        trap()
    }

    fn disable(&self, _id: String) -> Result<(), GuardError> {
        trap()
    }

    fn destroy(&self, _id: String) -> Result<(), GuardError> {
        trap()
    }

    fn encrypt(&self, _plaintext: Vec<u8>, _aad: Vec<u8>) -> Result<Vec<u8>, GuardError> {
        trap()
    }

    fn encrypt_to_text(&self, _plaintext: Vec<u8>, _aad: Vec<u8>) -> Result<String, GuardError> {
        trap()
    }

    fn decrypt(&self, _envelope: Vec<u8>, _aad: Vec<u8>) -> Result<Vec<u8>, GuardError> {
        trap()
    }

    fn decrypt_text(&self, _envelope: String, _aad: Vec<u8>) -> Result<Vec<u8>, GuardError> {
        trap()
    }

    fn derive_key(&self, _id: String, _context: Vec<u8>) -> Result<Vec<u8>, GuardError> {
        trap()
    }

    fn stream_encryptor(
        &self,
        _aad: Vec<u8>,
        _chunk_size: u32,
    ) -> Result<crypto::StreamEncryptor, GuardError> {
        trap()
    }

    fn stream_decryptor(&self, _aad: Vec<u8>) -> crypto::StreamDecryptor {
        trap()
    }

    fn rotation_due(
        &self,
        _policy: crypto::RotationPolicy,
        _now: Option<u64>,
    ) -> Option<crypto::RotationDue> {
        trap()
    }
}
