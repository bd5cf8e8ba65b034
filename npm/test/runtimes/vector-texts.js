// Runs the vector suite on vector files given as JSON text, inside the runtime
// under test (workerd, edge-runtime, Chromium), so that each runtime parses
// the files with its own JSON.parse.
import { runVectors } from "../vector-runner.js";

/** Parses `texts` (path under tests/vectors/ -> JSON text) and returns runVectors' result. */
export function runVectorTexts(pkg, texts) {
  const files = {};
  for (const [path, text] of Object.entries(texts)) files[path] = JSON.parse(text);
  return runVectors(pkg, files);
}
