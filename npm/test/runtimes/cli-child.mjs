// Run by node, deno and bun. The package is imported by its name, which
// resolves through the `exports` conditions of npm/package.json, so each
// runtime loads the entry its users get (deno: src/web.js, node and bun:
// src/node.js). Prints the entry and the result as one `RESULT {...}` line.
import * as pkg from "mem8-guard";

import { loadVectors } from "../load-vectors.js";
import { runVectors } from "../vector-runner.js";

const entry = import.meta.resolve("mem8-guard");
const result = runVectors(pkg, loadVectors());
console.log(`RESULT ${JSON.stringify({ entry, ...result })}`);
