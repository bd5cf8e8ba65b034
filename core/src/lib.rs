#![no_std]
#![forbid(unsafe_code)]
#![deny(missing_docs)]
//! Mem8 Guard core (crate docs are written with the token module).

extern crate alloc;
#[cfg(feature = "std")]
extern crate std;

pub mod json;
pub mod policy;
