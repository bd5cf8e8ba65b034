#!/usr/bin/env bash
# Runs the whole test suite, installing what a fresh machine lacks first:
#   - Rust: every workspace crate (core, host, wasm, the guests, tests), with
#     the conformance vectors natively and in the wasmtime host, interop,
#     property, differential, sandbox and CLI tests;
#   - the npm package: built from source, its Node tests, its TypeScript
#     types, and the vector suite in node, deno, bun, workerd, edge-runtime
#     and headless Chromium.
set -euo pipefail
cd "$(dirname "$0")/.."

rustup target add wasm32-unknown-unknown
# The host's tests load the guest components, so they are built first.
scripts/build-guests.sh
cargo test --workspace

cd npm
npm ci --no-audit --no-fund
npm run build
npm test
npm run typecheck

if ! command -v chromium >/dev/null; then
  if [ "$(id -u)" -ne 0 ]; then
    echo "error: install Debian's chromium (apt-get install chromium) for the browser tests" >&2
    exit 1
  fi
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null
fi
npm run test:runtimes
