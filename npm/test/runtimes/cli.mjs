// Drivers for the runtimes that run a script from the command line: node,
// deno and bun each run cli-child.mjs, which loads the vectors with node:fs.
import path from "node:path";
import { pathToFileURL } from "node:url";

import { binDir, npmDir, outputTail, parseResultLine, runtimesDir, vectorsDir } from "./shared.mjs";

const childScript = path.join(runtimesDir, "cli-child.mjs");

async function runChildScript(session, command, args, expectedEntry, env = {}) {
  const { code, signal, stdout, stderr } = await session.run(command, args, {
    cwd: runtimesDir,
    env: { ...process.env, ...env },
  });
  if (code !== 0) {
    throw new Error(`${path.basename(command)} exited with ${signal ?? `code ${code}`}:\n${outputTail(stderr + stdout)}`);
  }
  const { entry, ...result } = parseResultLine(stdout);
  const expectedUrl = pathToFileURL(path.join(npmDir, expectedEntry)).href;
  if (entry !== expectedUrl) throw new Error(`mem8-guard resolved to ${entry}, expected ${expectedUrl}`);
  return result;
}

export function runNode(session) {
  return runChildScript(session, process.execPath, [childScript], "src/node.js");
}

export function runDeno(session) {
  const args = ["run", "--no-lock", "--no-prompt", `--allow-read=${npmDir},${vectorsDir}`, childScript];
  // Without this variable Deno may contact its release server for a version check.
  return runChildScript(session, path.join(binDir, "deno"), args, "src/web.js", { DENO_NO_UPDATE_CHECK: "1" });
}

export function runBun(session) {
  // DO_NOT_TRACK=1 turns off Bun's crash-report upload and telemetry, and
  // --no-install stops it from fetching missing packages.
  const args = ["--no-install", childScript];
  return runChildScript(session, path.join(binDir, "bun"), args, "src/node.js", { DO_NOT_TRACK: "1" });
}
