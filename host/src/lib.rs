//! Host-side pieces of Mem8 Guard: loading guard configurations, key sets,
//! policies and keyrings from disk for the `mem8-guard` command-line tool and
//! for Rust services that embed the core natively.

pub mod config;
pub mod keyring_file;
