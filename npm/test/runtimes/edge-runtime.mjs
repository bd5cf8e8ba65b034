// Driver for edge-runtime: runs edge-runtime-child.mjs in a child Node
// process, so that a hang in the synchronous suite can be killed.
import path from "node:path";

import { outputTail, parseResultLine, runtimesDir } from "./shared.mjs";

const EXPECTED_ENTRY = "src/edge.js";

export async function runEdgeRuntime(session) {
  const script = path.join(runtimesDir, "edge-runtime-child.mjs");
  const { code, signal, stdout, stderr } = await session.run(process.execPath, [script], { cwd: runtimesDir });
  if (code !== 0) {
    throw new Error(`edge-runtime-child.mjs exited with ${signal ?? `code ${code}`}:\n${outputTail(stderr + stdout)}`);
  }
  const { entry, ...result } = parseResultLine(stdout);
  if (entry !== EXPECTED_ENTRY) throw new Error(`the bundle was built from ${entry}, expected ${EXPECTED_ENTRY}`);
  return result;
}
