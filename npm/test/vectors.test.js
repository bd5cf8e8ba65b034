// The conformance vectors under Node's test runner.
import { test } from "node:test";
import assert from "node:assert/strict";

import * as pkg from "../src/node.js";
import { loadVectors } from "./load-vectors.js";
import { runVectors, summaryLine } from "./vector-runner.js";

test("every conformance vector passes in node", () => {
  const files = loadVectors();
  assert.ok(Object.keys(files).length >= 4, "vector files are missing");
  const result = runVectors(pkg, files);
  console.log(summaryLine("node", result));
  assert.deepEqual(result.failures, []);
  assert.ok(result.passed > 1000, `only ${result.passed} cases ran`);
});
