// Times `Policy.authorize` on the RBAC workload in a plain loop, for
// profiling one build of the package:
//
//   node bench/authorize-loop.mjs [DIR] [RULES]
//
// DIR is a copy of npm/ (src/ and pkg/), by default this package; RULES is
// the workload's rule count, by default 100. Prints µs per decision over
// 4 s; add `--cpu-prof` to node for a profile.

import path from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";

import { buildRbacWorkload } from "./rbac-workload.mjs";

const here = path.dirname(fileURLToPath(import.meta.url));
const dir = process.argv[2] ?? path.resolve(here, "..");
const rules = Number(process.argv[3] ?? 100);
const guard = await import(pathToFileURL(path.resolve(dir, "src/node.js")).href);

const workload = buildRbacWorkload(rules);
const policy = new guard.Policy(workload.guardPolicy);
const requests = workload.requests.map((request) => request.guard);

const start = performance.now();
let calls = 0;
while (performance.now() - start < 4000) {
  for (let i = 0; i < 1000; i++) policy.authorize(requests[i % requests.length]);
  calls += 1000;
}
console.log(`${rules} rules: ${(((performance.now() - start) * 1000) / calls).toFixed(2)} µs per decision`);
