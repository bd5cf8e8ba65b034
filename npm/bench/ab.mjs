// Times two builds of the package against each other in one Node process:
// HS256 and EdDSA verification and `Keyring.encrypt` of 1 MiB.
//
//   node bench/ab.mjs DIR_A DIR_B
//
// Each DIR is a copy of npm/ (src/ and pkg/) holding one build of the
// module, for example one built with `-C target-feature=+simd128`. Prints
// the median of 7 alternating timed runs of 0.4 s per side, and A's time
// divided by B's.

import path from "node:path";
import { pathToFileURL } from "node:url";

const NOW = 1_800_000_000;
const RUNS = 7;
const RUN_MS = 400;

const [dirA, dirB] = process.argv.slice(2);
if (!dirA || !dirB) {
  console.error("usage: node bench/ab.mjs DIR_A DIR_B");
  process.exit(2);
}
const load = (dir) => import(pathToFileURL(path.resolve(dir, "src/node.js")).href);
const [a, b] = [operations(await load(dirA)), operations(await load(dirB))];

function operations(guard) {
  const result = {};
  for (const alg of ["HS256", "EdDSA"]) {
    const { privateJwk, publicJwk } = guard.generateKey(alg, { kid: "k" });
    const token = guard.signToken({ iss: "i", aud: "a", sub: "s", exp: NOW + 60 }, privateJwk);
    const verifier = new guard.TokenVerifier(
      { keys: [publicJwk ?? privateJwk] },
      { algorithms: [alg], issuers: ["i"], audiences: ["a"] },
    );
    result[`${alg} verify`] = () => verifier.verify(token, { now: NOW });
  }
  const ring = guard.Keyring.generate({ now: NOW });
  const message = new Uint8Array(1 << 20);
  result["Keyring.encrypt 1 MiB"] = () => ring.encrypt(message);
  return result;
}

function microsPerCall(operation, ms) {
  let calls = 0;
  const start = performance.now();
  let now;
  do {
    for (let i = 0; i < 10; i++) operation();
    calls += 10;
    now = performance.now();
  } while (now - start < ms);
  return ((now - start) * 1000) / calls;
}

const median = (values) => values.sort((x, y) => x - y)[values.length >> 1];

for (const name of Object.keys(a)) {
  microsPerCall(a[name], 300);
  microsPerCall(b[name], 300);
  const timesA = [];
  const timesB = [];
  for (let run = 0; run < RUNS; run++) {
    timesA.push(microsPerCall(a[name], RUN_MS));
    timesB.push(microsPerCall(b[name], RUN_MS));
  }
  const [medianA, medianB] = [median(timesA), median(timesB)];
  console.log(`${name}: A ${medianA.toFixed(2)} µs, B ${medianB.toFixed(2)} µs, A/B ${(medianA / medianB).toFixed(3)}`);
}
