//! The hot code of the Mem8 Guard core: concrete entry points to the AEAD
//! and HMAC primitives, and the strict JSON parser.
//!
//! The AEAD and MAC functions call `chacha20poly1305` or `hmac` with fixed
//! types and add no cryptography of their own. The crate exists for code
//! generation: the RustCrypto types and the `serde_json` parser are
//! generic, so their code is compiled in whichever crate names the concrete
//! type, at that crate's `opt-level`. Naming them here, behind
//! `#[inline(never)]` functions, keeps these loops at this crate's level when
//! the core is built for size, as the npm package's module is.
#![no_std]

extern crate alloc;
#[cfg(feature = "std")]
extern crate std;

pub mod aead;
pub mod json;
pub mod mac;
