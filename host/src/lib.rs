//! Host-side pieces of Mem8 Guard: the core sandboxed in wasmtime
//! ([`sandbox`]), signed module bundles ([`bundle`]), and loading guard
//! configurations, key sets,
//! policies and keyrings from disk for the `mem8-guard` command-line tool and
//! for Rust services that embed the core natively.

pub mod bundle;
pub mod config;
pub mod keyring_file;
pub mod sandbox;
