// The module's size target: at most 250 KB gzipped, measured as the build
// script measures it (zlib at level 9). A change that pulls in a large
// dependency, such as core::fmt's f64 formatting through serde's type
// errors, fails here instead of in the next benchmark run.
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { gzipSync } from "node:zlib";

const MAX_GZIPPED_BYTES = 250_000;

test("module is at most 250 KB gzipped", () => {
  const module = readFileSync(new URL("../pkg/mem8_guard_wasm_bg.wasm", import.meta.url));
  const gzipped = gzipSync(module, { level: 9 }).length;
  assert.ok(gzipped <= MAX_GZIPPED_BYTES, `the module is ${gzipped} bytes gzipped, over ${MAX_GZIPPED_BYTES}`);
});
