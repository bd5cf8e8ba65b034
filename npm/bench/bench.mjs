// Benchmarks the mem8-guard npm package against jose (JWT verify),
// @cedar-policy/cedar-wasm (authorization) and libsodium-wrappers (AEAD) in
// one Node process, and prints markdown tables to stdout. Progress goes to
// stderr. Run it with `npm run bench` in npm/.
//
// BENCH_MIN_RUN_MS sets the minimum length of one timed run, in milliseconds
// (default 1000). Each figure is the median of 5 runs. BENCH_ONLY runs only
// the named sections, comma-separated: jwt, rbac, abac, aead.

import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import os from "node:os";

import * as cedar from "@cedar-policy/cedar-wasm/nodejs";
import * as jose from "jose";
import sodium from "libsodium-wrappers";

import * as guard from "../src/node.js";
import {
  MIN_RUN_NS,
  RUNS,
  formatMicros,
  formatRate,
  formatRatio,
  formatSpread,
  markdownTable,
  measure,
} from "./harness.mjs";
import { buildAbacWorkload } from "./abac-workload.mjs";
import { buildRbacWorkload } from "./rbac-workload.mjs";

const ISSUER = "https://issuer.example";
const AUDIENCE = "https://api.example";
const NOW = 1_800_000_000;
const JWT_TARGETS = { HS256: 10, EdDSA: 1.5 };
const RULE_COUNTS = [10, 100, 1000];
const AUTHORIZATION_TARGET = { ruleCount: 1000, ratio: 100 };
const AEAD_MESSAGE_BYTES = 1024 * 1024;

function packageVersion(name) {
  const url = new URL(`../node_modules/${name}/package.json`, import.meta.url);
  return JSON.parse(readFileSync(url, "utf8")).version;
}

function targetCell(ratio, target) {
  if (target === undefined) return "none";
  return `>= ${target}x: ${ratio >= target ? "met" : "missed"}`;
}

function printEnvironment() {
  const guardVersion = JSON.parse(readFileSync(new URL("../package.json", import.meta.url), "utf8")).version;
  console.log("## Environment\n");
  console.log(`- CPU: ${os.cpus()[0]?.model ?? "unknown"}, ${os.availableParallelism()} cores`);
  console.log(`- Node ${process.version}, ${process.platform} ${process.arch}`);
  console.log(
    `- mem8-guard ${guardVersion} (core ${guard.coreVersion()}), jose ${packageVersion("jose")}, ` +
      `@cedar-policy/cedar-wasm ${packageVersion("@cedar-policy/cedar-wasm")}, ` +
      `libsodium-wrappers ${packageVersion("libsodium-wrappers")}`,
  );
  console.log(
    `- Each figure is the median of ${RUNS} timed runs of about ${MIN_RUN_NS / 1e9} s each, after a warm-up. ` +
      "The two sides of a comparison run alternately.\n",
  );
}

/** Signs a test token with a new `alg` key and returns it with the JWK that verifies it. */
async function jwtFixture(alg) {
  const claims = { iss: ISSUER, aud: AUDIENCE, sub: "user-1", iat: NOW - 60, exp: NOW + 3600 };
  if (alg === "RS256") {
    const { publicKey, privateKey } = await jose.generateKeyPair("RS256", { extractable: true });
    const token = await new jose.SignJWT(claims)
      .setProtectedHeader({ alg, typ: "JWT", kid: "rs" })
      .sign(privateKey);
    const publicJwk = { ...(await jose.exportJWK(publicKey)), alg, kid: "rs", use: "sig" };
    return { token, verifyJwk: publicJwk };
  }
  const { privateJwk, publicJwk } = guard.generateKey(alg, { kid: alg.toLowerCase() });
  const token = guard.signToken(claims, privateJwk);
  // An HMAC secret verifies as well as signs, so it is the verification key.
  return { token, verifyJwk: publicJwk ?? privateJwk };
}

async function benchJwt() {
  console.log("## JWT verify\n");
  console.log(
    "mem8-guard: `TokenVerifier` built once, `verify(token, { now })` per call. " +
      "jose: `jwtVerify(token, key, options)` with the key from `importJWK` once. " +
      "Both check the signature, the algorithm, `iss`, `aud` and `exp` against the same fixed time.\n",
  );
  const rows = [];
  for (const alg of ["HS256", "EdDSA", "ES256", "RS256"]) {
    process.stderr.write(`JWT ${alg}\n`);
    const { token, verifyJwk } = await jwtFixture(alg);
    const verifier = new guard.TokenVerifier(
      { keys: [verifyJwk] },
      { algorithms: [alg], issuers: [ISSUER], audiences: [AUDIENCE] },
    );
    const joseKey = await jose.importJWK(verifyJwk, alg);
    const joseOptions = { algorithms: [alg], issuer: ISSUER, audience: AUDIENCE, currentDate: new Date(NOW * 1000) };

    const guardResult = verifier.verify(token, { now: NOW });
    const joseResult = await jose.jwtVerify(token, joseKey, joseOptions);
    assert.deepEqual(guardResult.claims, joseResult.payload, `${alg}: the two libraries return different claims`);

    const [guardTiming, joseTiming] = await measure([
      { name: `mem8-guard ${alg}`, operation: () => verifier.verify(token, { now: NOW }) },
      { name: `jose ${alg}`, operation: () => jose.jwtVerify(token, joseKey, joseOptions), isAsync: true },
    ]);
    verifier.free();

    const ratio = joseTiming.nsPerOp / guardTiming.nsPerOp;
    rows.push([
      alg,
      formatMicros(guardTiming.nsPerOp),
      formatRate(guardTiming.nsPerOp),
      formatSpread(guardTiming.spread),
      formatMicros(joseTiming.nsPerOp),
      formatRate(joseTiming.nsPerOp),
      formatSpread(joseTiming.spread),
      formatRatio(ratio),
      targetCell(ratio, JWT_TARGETS[alg]),
    ]);
  }
  const header = [
    "alg", "mem8-guard µs", "mem8-guard verifies/s", "spread", "jose µs", "jose verifies/s", "spread",
    "mem8-guard / jose rate", "target",
  ];
  console.log(markdownTable(header, rows));
  console.log("\nspread: (slowest - fastest) / median over the 5 runs of that figure.\n");
}

function sortedReasons(reasons) {
  return [...reasons].sort();
}

/** Checks that both engines and the rule list agree on every request. */
function checkDecisions(workload, policy, policySetId) {
  for (const request of workload.requests) {
    const label = `${workload.ruleCount} rules, ${request.kind}, ${JSON.stringify(request.guard)}`;
    assert.equal(request.expected.decision, request.kind.split(",")[0], `${label}: the workload built the wrong case`);

    const guardDecision = policy.authorize(request.guard);
    assert.equal(guardDecision.decision, request.expected.decision, `${label}: mem8-guard decision`);
    assert.deepEqual(sortedReasons(guardDecision.reasons), request.expected.reasons, `${label}: mem8-guard reasons`);

    const answer = cedar.statefulIsAuthorized({ ...request.cedar, preparsedPolicySetId: policySetId });
    assert.equal(answer.type, "success", `${label}: cedar-wasm failed: ${JSON.stringify(answer.errors)}`);
    assert.equal(answer.response.diagnostics.errors.length, 0, `${label}: cedar-wasm evaluation errors`);
    assert.equal(answer.response.decision, request.expected.decision, `${label}: cedar-wasm decision`);
    assert.deepEqual(
      sortedReasons(answer.response.diagnostics.reason),
      request.expected.reasons,
      `${label}: cedar-wasm reasons`,
    );
  }
}

const RBAC_DESCRIPTION =
  "Workload: roles in chains of 4 that inherit the level below, permits over 20 actions and " +
  "10 resource types, and one forbid on `delete` under `protected/`. Each call decides one of " +
  "8 requests in turn: 4 allowed only through an inherited role, 2 denied by the forbid, " +
  "2 denied by no rule.";

const ABAC_DESCRIPTION =
  "Workload: the one of the Rust benchmark in bench/policy. A chain of 10 roles, permits over " +
  "10 actions and rules / 10 resource types (`resource is T`), one condition per rule " +
  "(`context.level >= i % 5`) and one blanket forbid (`context.blocked == true`). Each call " +
  "decides one of 16 requests in turn, each in the scope of one permit: 13 allowed, 3 denied " +
  "because that permit's condition is false.";

const COMMON_DESCRIPTION =
  "mem8-guard: `Policy.authorize(request)` on a policy loaded once. " +
  "cedar-wasm: `statefulIsAuthorized` on a set cached once with `preparsePolicySet`, passing " +
  "the user, its role chain and the resource as entities each call. Before timing, every " +
  "request is checked to get the same decision and reasons from both engines.";

async function benchAuthorization(title, description, build, prefix) {
  console.log(`## ${title}\n`);
  console.log(`${description} ${COMMON_DESCRIPTION}\n`);
  const rows = [];
  for (const ruleCount of RULE_COUNTS) {
    process.stderr.write(`${prefix}, ${ruleCount} rules\n`);
    const workload = build(ruleCount);
    const policy = new guard.Policy(workload.guardPolicy);

    const policySetId = `${prefix}-${ruleCount}`;
    const parsed = cedar.preparsePolicySet(policySetId, workload.cedarPolicySet);
    assert.equal(parsed.type, "success", `cedar-wasm could not parse the policy set: ${JSON.stringify(parsed.errors)}`);
    checkDecisions(workload, policy, policySetId);

    const guardRequests = workload.requests.map((request) => request.guard);
    const cedarCalls = workload.requests.map((request) => ({ ...request.cedar, preparsedPolicySetId: policySetId }));
    const count = guardRequests.length;
    const [guardTiming, cedarTiming] = await measure([
      { name: `mem8-guard ${ruleCount} rules`, operation: (i) => policy.authorize(guardRequests[i % count]) },
      { name: `cedar-wasm ${ruleCount} rules`, operation: (i) => cedar.statefulIsAuthorized(cedarCalls[i % count]) },
    ]);
    policy.free();

    const ratio = cedarTiming.nsPerOp / guardTiming.nsPerOp;
    const target = ruleCount === AUTHORIZATION_TARGET.ruleCount ? AUTHORIZATION_TARGET.ratio : undefined;
    rows.push([
      ruleCount,
      workload.roleCount,
      formatMicros(guardTiming.nsPerOp),
      formatSpread(guardTiming.spread),
      formatMicros(cedarTiming.nsPerOp),
      formatSpread(cedarTiming.spread),
      formatRatio(ratio),
      targetCell(ratio, target),
    ]);
  }
  const header = [
    "rules", "roles", "mem8-guard µs/decision", "spread", "cedar-wasm µs/decision", "spread",
    "cedar-wasm / mem8-guard time", "target",
  ];
  console.log(markdownTable(header, rows));
  console.log();
}

async function benchAead() {
  console.log("## AEAD encrypt, 1 MiB\n");
  process.stderr.write("AEAD\n");
  await sodium.ready;
  const key = sodium.crypto_aead_xchacha20poly1305_ietf_keygen();
  const message = sodium.randombytes_buf(AEAD_MESSAGE_BYTES);
  const nonceBytes = sodium.crypto_aead_xchacha20poly1305_ietf_NPUBBYTES;
  // Real use needs a fresh nonce per call, and generating it costs little next to 1 MiB.
  const sodiumEncrypt = () =>
    sodium.crypto_aead_xchacha20poly1305_ietf_encrypt(message, null, null, sodium.randombytes_buf(nonceBytes), key);

  // The package draws its nonce inside the module; the envelope adds a
  // 30-byte header to the 16-byte tag.
  const ring = guard.Keyring.generate({ algorithm: "XC20P", now: NOW });
  const guardEncrypt = () => ring.encrypt(message);

  // The floor: the raw AEAD in the same module, with no envelope, key
  // lookup or nonce generation. A fixed nonce is acceptable only because
  // nothing here is ever decrypted by anyone else.
  const rawKey = crypto.getRandomValues(new Uint8Array(32));
  const rawNonce = crypto.getRandomValues(new Uint8Array(24));
  const empty = new Uint8Array(0);
  const rawEncrypt = () => guard.hazmat.aeadSeal("XC20P", rawKey, rawNonce, empty, message);

  assert.equal(sodiumEncrypt().length, AEAD_MESSAGE_BYTES + sodium.crypto_aead_xchacha20poly1305_ietf_ABYTES);
  assert.equal(rawEncrypt().length, AEAD_MESSAGE_BYTES + 16);
  const envelope = guardEncrypt();
  assert.deepEqual(ring.decrypt(envelope), message);

  const timings = await measure([
    { name: "mem8-guard Keyring.encrypt XC20P", operation: guardEncrypt },
    { name: "libsodium XChaCha20-Poly1305", operation: sodiumEncrypt },
    { name: "mem8-guard hazmat.aeadSeal XC20P", operation: rawEncrypt },
  ]);
  const [ours, theirs, raw] = timings;
  const rate = (timing) => AEAD_MESSAGE_BYTES / (1024 * 1024) / (timing.nsPerOp / 1e9);
  const header = ["implementation", "ms per 1 MiB", "MiB/s", "spread"];
  const rows = [
    ["mem8-guard Keyring.encrypt (XChaCha20-Poly1305 envelope)", (ours.nsPerOp / 1e6).toFixed(2), rate(ours).toFixed(0), formatSpread(ours.spread)],
    ["libsodium-wrappers XChaCha20-Poly1305 encrypt", (theirs.nsPerOp / 1e6).toFixed(2), rate(theirs).toFixed(0), formatSpread(theirs.spread)],
    ["mem8-guard hazmat.aeadSeal (raw XChaCha20-Poly1305, no envelope)", (raw.nsPerOp / 1e6).toFixed(2), rate(raw).toFixed(0), formatSpread(raw.spread)],
  ];
  console.log(markdownTable(header, rows));
  const ratio = rate(ours) / rate(theirs);
  console.log(`\nmem8-guard / libsodium-wrappers throughput: ${formatRatio(ratio)}; target >= 1.5x: ${ratio >= 1.5 ? "met" : "missed"}\n`);
}

const SECTIONS = {
  jwt: benchJwt,
  rbac: () => benchAuthorization("Authorization (RBAC)", RBAC_DESCRIPTION, buildRbacWorkload, "rbac"),
  abac: () => benchAuthorization("Authorization (RBAC + ABAC)", ABAC_DESCRIPTION, buildAbacWorkload, "abac"),
  aead: benchAead,
};
const only = process.env.BENCH_ONLY?.split(",") ?? Object.keys(SECTIONS);
const unknown = only.filter((name) => !(name in SECTIONS));
if (unknown.length > 0) {
  console.error(`BENCH_ONLY: unknown section ${unknown.join(", ")}; use ${Object.keys(SECTIONS).join(", ")}`);
  process.exit(2);
}

printEnvironment();
for (const name of only) await SECTIONS[name]();
