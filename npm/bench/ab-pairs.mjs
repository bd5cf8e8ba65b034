// Times one JWT verification in two builds of the package against each
// other, in one Node process, in many short alternating pairs, which
// tolerates a machine whose load changes more than bench/ab.mjs does:
//
//   node bench/ab-pairs.mjs DIR_A DIR_B [ALG] [PAIRS]
//
// ALG is HS256 (default) or EdDSA; PAIRS defaults to 41. EXTRA, when set,
// is a JSON object of claims added to the token. Prints the median time of
// each side, the median of the per-pair ratios A/B and each side's fastest
// run.

import path from "node:path";
import { pathToFileURL } from "node:url";

const [dirA, dirB, alg = "HS256", pairs = "41"] = process.argv.slice(2);
if (!dirA || !dirB) {
  console.error("usage: node bench/ab-pairs.mjs DIR_A DIR_B [ALG] [PAIRS]");
  process.exit(2);
}
const NOW = 1_800_000_000;
const extra = process.env.EXTRA ? JSON.parse(process.env.EXTRA) : {};

async function operation(dir) {
  const guard = await import(pathToFileURL(path.resolve(dir, "src/node.js")).href);
  const { privateJwk, publicJwk } = guard.generateKey(alg, { kid: "k" });
  const token = guard.signToken({ iss: "i", aud: "a", sub: "s", exp: NOW + 60, ...extra }, privateJwk);
  const verifier = new guard.TokenVerifier(
    { keys: [publicJwk ?? privateJwk] },
    { algorithms: [alg], issuers: ["i"], audiences: ["a"] },
  );
  return () => verifier.verify(token, { now: NOW });
}

function microsPerCall(operation, ms) {
  let calls = 0;
  const start = performance.now();
  let now;
  do {
    for (let i = 0; i < 20; i++) operation();
    calls += 20;
    now = performance.now();
  } while (now - start < ms);
  return ((now - start) * 1000) / calls;
}

const median = (values) => [...values].sort((x, y) => x - y)[values.length >> 1];
const [a, b] = [await operation(dirA), await operation(dirB)];
microsPerCall(a, 300);
microsPerCall(b, 300);
const timesA = [];
const timesB = [];
const ratios = [];
for (let i = 0; i < Number(pairs); i++) {
  const [x, y] = [microsPerCall(a, 100), microsPerCall(b, 100)];
  timesA.push(x);
  timesB.push(y);
  ratios.push(x / y);
}
console.log(
  `${alg}: A ${median(timesA).toFixed(2)} µs, B ${median(timesB).toFixed(2)} µs, ` +
    `median A/B ${median(ratios).toFixed(3)}, fastest A ${Math.min(...timesA).toFixed(2)} µs, ` +
    `fastest B ${Math.min(...timesB).toFixed(2)} µs`,
);
