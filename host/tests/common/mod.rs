//! Paths of the guest modules the host tests load.

#![allow(dead_code)]

use std::path::PathBuf;

/// The folder cargo writes `wasm32-wasip2` modules to with the
/// `wasm-release` profile: under `$CARGO_TARGET_DIR`, or the workspace's
/// `target/`.
fn module_dir() -> PathBuf {
    let target = std::env::var_os("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../target"));
    target.join("wasm32-wasip2/wasm-release")
}

/// The real guest: `$MEM8_GUARD_GUEST_WASM`, or where `cargo build -p
/// mem8-guard-guest --target wasm32-wasip2 --profile wasm-release` puts it.
pub fn guest_path() -> PathBuf {
    std::env::var_os("MEM8_GUARD_GUEST_WASM")
        .map(PathBuf::from)
        .unwrap_or_else(|| module_dir().join("mem8_guard_guest.wasm"))
}

/// The hostile guest of `wasm/hostile`: `$MEM8_GUARD_HOSTILE_WASM`, or
/// beside the real one.
pub fn hostile_path() -> PathBuf {
    std::env::var_os("MEM8_GUARD_HOSTILE_WASM")
        .map(PathBuf::from)
        .unwrap_or_else(|| module_dir().join("mem8_guard_hostile_guest.wasm"))
}

pub fn read(path: &PathBuf) -> Vec<u8> {
    std::fs::read(path).unwrap_or_else(|error| {
        panic!(
            "cannot read `{}`: {error}; build the guests with scripts/build-guests.sh",
            path.display()
        )
    })
}

pub fn guest() -> Vec<u8> {
    read(&guest_path())
}

pub fn hostile() -> Vec<u8> {
    read(&hostile_path())
}
