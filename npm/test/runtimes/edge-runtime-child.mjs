// Run by node for the edge-runtime driver. Bundles edge-entry.js with esbuild
// the way Vercel's edge bundler does (condition `edge-light`, each
// `.wasm?module` import replaced by a global that contains the compiled
// WebAssembly.Module), evaluates the bundle in the edge-runtime package's
// EdgeRuntime, runs the suite and prints one `RESULT {...}` line.
import { readFileSync } from "node:fs";
import path from "node:path";
import { runInContext } from "node:vm";

import { EdgeRuntime } from "edge-runtime";
import { build } from "esbuild";

import { npmDir, readVectorTexts, runtimesDir } from "./shared.mjs";

const EXPECTED_ENTRY = "src/edge.js";

/** esbuild plugin: `import m from "x.wasm?module"` becomes `globalThis[binding]`. */
function wasmModulePlugin(bindings) {
  return {
    name: "wasm-module",
    setup(builder) {
      builder.onResolve({ filter: /\.wasm\?module$/ }, async (args) => {
        const resolved = await builder.resolve(args.path.replace(/\?module$/, ""), {
          kind: args.kind,
          importer: args.importer,
          resolveDir: args.resolveDir,
        });
        if (resolved.errors.length > 0) return { errors: resolved.errors };
        return { path: resolved.path, namespace: "wasm-module" };
      });
      builder.onLoad({ filter: /.*/, namespace: "wasm-module" }, (args) => {
        const binding = `wasm_${path.basename(args.path, ".wasm")}`;
        bindings.set(binding, args.path);
        return { contents: `export default globalThis[${JSON.stringify(binding)}];`, loader: "js" };
      });
    },
  };
}

async function bundleEntry() {
  const bindings = new Map();
  const output = await build({
    entryPoints: [path.join(runtimesDir, "edge-entry.js")],
    absWorkingDir: npmDir,
    bundle: true,
    format: "iife",
    globalName: "conformance",
    platform: "neutral",
    conditions: ["edge-light"],
    plugins: [wasmModulePlugin(bindings)],
    metafile: true,
    write: false,
    logLevel: "warning",
    // The glue's default path `new URL(..., import.meta.url)` is unused,
    // because src/edge.js always passes the module to initSync.
    logOverride: { "empty-import-meta": "silent" },
  });
  if (!(EXPECTED_ENTRY in output.metafile.inputs)) {
    throw new Error(`the bundle does not contain ${EXPECTED_ENTRY}: ${Object.keys(output.metafile.inputs).join(", ")}`);
  }
  return { code: output.outputFiles[0].text, bindings };
}

const { code, bindings } = await bundleEntry();
const runtime = new EdgeRuntime({
  extend(context) {
    // NOTE: the module is compiled with the context's own WebAssembly, so
    // that module and code share a realm, as in one isolate. A module
    // compiled in Node's realm fails the `instanceof WebAssembly.Module`
    // check of the glue's initSync, so that host setup is not tested.
    const ContextWebAssembly = runInContext("WebAssembly", context);
    for (const [binding, file] of bindings) context[binding] = new ContextWebAssembly.Module(readFileSync(file));
    return context;
  },
});
runtime.evaluate(code);
const run = runtime.evaluate("conformance.run");
const result = run(readVectorTexts());
console.log(`RESULT ${JSON.stringify({ entry: EXPECTED_ENTRY, ...result })}`);
