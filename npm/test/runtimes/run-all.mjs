// Runs the conformance vectors of tests/vectors/ with the real package in
// node, deno, bun, workerd, edge-runtime and Chromium, and prints one line per
// runtime: `RUNTIME: N passed, M failed`. Exits with 1 when a runtime fails to
// run, reports a failed case, or passes a different number of cases than
// node. README.md in this folder describes how each runtime is driven.
import { summaryLine } from "../vector-runner.js";
import { runChromium } from "./chromium.mjs";
import { runBun, runDeno, runNode } from "./cli.mjs";
import { runEdgeRuntime } from "./edge-runtime.mjs";
import { Session, withTimeout } from "./shared.mjs";
import { runWorkerd } from "./workerd.mjs";

const RUNTIME_TIMEOUT_MS = 120_000;
const MAX_LISTED_FAILURES = 20;

const RUNTIMES = [
  ["node", runNode],
  ["deno", runDeno],
  ["bun", runBun],
  ["workerd", runWorkerd],
  ["edge-runtime", runEdgeRuntime],
  ["chromium", runChromium],
];

let activeSession;

async function runRuntime(driver) {
  activeSession = new Session();
  try {
    return await withTimeout(driver(activeSession), RUNTIME_TIMEOUT_MS, "the run");
  } finally {
    await activeSession.close();
    activeSession = undefined;
  }
}

function validateResult(result) {
  const valid =
    Number.isInteger(result?.passed) && Number.isInteger(result?.failed) && Array.isArray(result?.failures);
  if (!valid) throw new Error(`invalid result: ${JSON.stringify(result)?.slice(0, 200)}`);
  return result;
}

function printFailures(runtime, failures) {
  for (const failure of failures.slice(0, MAX_LISTED_FAILURES)) console.error(`  ${runtime}: ${failure}`);
  if (failures.length > MAX_LISTED_FAILURES) {
    console.error(`  ${runtime}: ... and ${failures.length - MAX_LISTED_FAILURES} more failures`);
  }
}

const SIGNAL_EXIT_CODES = { SIGINT: 130, SIGTERM: 143 };
for (const [signal, exitCode] of Object.entries(SIGNAL_EXIT_CODES)) {
  process.once(signal, async () => {
    console.error(`received ${signal}, stopping the current runtime`);
    await activeSession?.close();
    process.exit(exitCode);
  });
}

let allPassed = true;
let nodePassed;
for (const [runtime, driver] of RUNTIMES) {
  let result;
  try {
    result = validateResult(await runRuntime(driver));
  } catch (error) {
    console.error(`${runtime}: failed to run: ${error.message}`);
    allPassed = false;
    continue;
  }
  console.log(summaryLine(runtime, result));
  printFailures(runtime, result.failures);
  if (result.failed > 0) allPassed = false;
  if (runtime === "node") {
    nodePassed = result.passed;
  } else if (result.passed !== nodePassed) {
    console.error(`${runtime}: ${result.passed} cases passed, but node passed ${nodePassed ?? "none (it did not run)"}`);
    allPassed = false;
  }
}
process.exitCode = allPassed ? 0 : 1;

// Every session is closed by now, so nothing should keep Node running. If a
// handle leaked anyway, say so and exit instead of hanging.
setTimeout(() => {
  console.error("run-all: open handles remained 10 s after the last runtime; exiting");
  process.exit(process.exitCode);
}, 10_000).unref();
