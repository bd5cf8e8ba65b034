//! Concrete entry points to the AEAD and HMAC-SHA-256 primitives of the
//! Mem8 Guard core.
//!
//! Every function here calls `chacha20poly1305` or `hmac` with fixed types
//! and adds no cryptography of its own. The crate exists for code
//! generation: the RustCrypto types are generic, so their code is compiled
//! in whichever crate names the concrete type, at that crate's
//! `opt-level`. Naming them here, behind `#[inline(never)]` functions, keeps
//! the cipher and MAC loops at this crate's level when the core is built
//! for size, as the npm package's module is.
#![no_std]

extern crate alloc;

pub mod aead;
pub mod mac;
