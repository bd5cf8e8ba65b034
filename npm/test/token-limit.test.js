// A token longer than the verifier's maxTokenLength is cut before it is
// copied into the module, whose memory never shrinks. This file runs in a
// process of its own, so the module starts with little free memory and a
// copy of the whole token would grow it.
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { initSync } from "../pkg/mem8_guard_wasm.js";
import { Guard, TokenVerifier, generateKey } from "../src/node.js";

test("an oversized token is rejected without copying it into the module", () => {
  // The package has instantiated the module already; `initSync` returns
  // the existing exports.
  const { memory } = initSync({ module: readFileSync(new URL("../pkg/mem8_guard_wasm_bg.wasm", import.meta.url)) });
  const { privateJwk } = generateKey("HS256");
  const verifier = new TokenVerifier({ keys: [privateJwk] }, { algorithms: ["HS256"], maxTokenLength: 1000 });
  const guard = new Guard({ jwks: { keys: [privateJwk] }, policy: { version: 2, rules: [] } });
  const huge = `${"a".repeat(30 * 2 ** 20)}.b.c`;
  const before = memory.buffer.byteLength;

  assert.throws(() => verifier.verify(huge), { code: "ERR_JWT_TOO_LARGE", message: /1000/ });
  assert.throws(() => verifier.verifyJws(huge), { code: "ERR_JWT_TOO_LARGE", message: /1000/ });
  const decision = guard.check({ token: huge, action: "read", resource: "x" });
  assert.equal(decision.decision, "deny");
  assert.equal(decision.errors[0].code, "token_too_large");
  // Cut at a surrogate pair, a token is still too large, never valid.
  assert.throws(() => verifier.verify(`${"a".repeat(999)}\u{1F600}`), { code: "ERR_JWT_TOO_LARGE" });

  const grownMiB = (memory.buffer.byteLength - before) / 2 ** 20;
  assert.ok(grownMiB < 8, `the module memory grew by ${grownMiB.toFixed(1)} MiB for a rejected token`);
  verifier.free();
  guard.free();
});
