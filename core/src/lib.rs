#![no_std]
#![forbid(unsafe_code)]
#![deny(missing_docs)]
//! Mem8 Guard core: tokens, authorization policy, the one-call guard
//! pipeline and encryption with rotating keys, with no I/O, no clock and no
//! global random source.
//!
//! Time (`now`, Unix seconds) and randomness are arguments, so every runtime
//! that embeds this crate gives the same answer for the same input.
//!
//! # Example
//!
//! Issue a token with a fresh Ed25519 key, then verify it:
//!
//! ```
//! use mem8_guard::token::{self, Algorithm, KeySet, SigningKey, Validation};
//!
//! // Any `CryptoRngCore` works; hosts pass their operating system's RNG.
//! let mut rng = rand_core::OsRng;
//! let key = SigningKey::generate(Algorithm::EdDSA, &mut rng)?;
//! let keys = KeySet::from_keys(vec![key.verifying_key()])?;
//!
//! let now = 1_700_000_000;
//! let claims = serde_json::json!({ "sub": "alice", "exp": now + 300 });
//! let jwt = token::sign(claims.as_object().unwrap(), &key)?;
//!
//! let verified = token::verify(&jwt, &keys, &Validation::default(), now)?;
//! assert_eq!(verified.claims.subject(), Some("alice"));
//!
//! // Five minutes later the same token is expired.
//! let error = token::verify(&jwt, &keys, &Validation::default(), now + 300).unwrap_err();
//! assert_eq!(error.code(), "expired");
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

extern crate alloc;
#[cfg(feature = "std")]
extern crate std;

pub mod crypto;
pub mod guard;
pub mod json;
pub mod policy;
pub mod token;
