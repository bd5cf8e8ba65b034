#!/usr/bin/env bash
# Builds the WebAssembly components the wasmtime host loads, for
# wasm32-wasip2 with the wasm-release profile:
#   - wasm/guest (mem8_guard_guest.wasm): the core, as the host runs it;
#   - wasm/hostile (mem8_guard_hostile_guest.wasm): a deliberately hostile
#     module for the host's sandboxing tests.
# Each build is a cargo invocation of its own: built together with the
# wasm-bindgen crate, getrandom's `js` feature would leak into the guest.
set -euo pipefail
cd "$(dirname "$0")/.."

rustup target add wasm32-wasip2
cargo build -p mem8-guard-guest --target wasm32-wasip2 --profile wasm-release
cargo build -p mem8-guard-hostile-guest --target wasm32-wasip2 --profile wasm-release
