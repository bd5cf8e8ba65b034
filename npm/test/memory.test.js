// The module's heap grows the Wasm memory by at least an eighth of its
// size at a time. Growing it a page at a time made Node 20 run a full
// garbage collection on many grows, so loading a large policy took a
// minute instead of seconds. The number of grows shows the growth policy
// without timing anything.
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { initSync } from "../pkg/mem8_guard_wasm.js";
import { Policy } from "../src/node.js";

test("module memory grows geometrically", () => {
  // The package has instantiated the module already; `initSync` returns
  // the existing exports.
  const { memory } = initSync({ module: readFileSync(new URL("../pkg/mem8_guard_wasm_bg.wasm", import.meta.url)) });
  const rules = Array.from({ length: 200 }, (_, i) => ({
    id: `r${i}`,
    effect: "permit",
    principal: { role: "editor" },
    action: [`act${i}`, "read"],
    resource: `document:${i}/*`,
  }));
  const text = JSON.stringify({ version: 2, roles: { editor: {} }, rules });

  const start = memory.buffer.byteLength;
  const sizes = new Set([start]);
  const policies = [];
  for (let i = 0; i < 300; i++) {
    policies.push(new Policy(text));
    sizes.add(memory.buffer.byteLength);
  }
  const grownMiB = (memory.buffer.byteLength - start) / 2 ** 20;
  for (const policy of policies) policy.free();

  assert.ok(grownMiB >= 32, `the policies took only ${grownMiB.toFixed(1)} MiB; the test needs more to show the growth policy`);
  const grows = sizes.size - 1;
  assert.ok(grows <= 40, `memory grew ${grows} times by ${grownMiB.toFixed(1)} MiB in all`);
});

