// Entry for browsers and Deno: fetches the module next to this file, with
// top-level await. Bundlers that rewrite `new URL(..., import.meta.url)` copy
// the .wasm file into the build.
import init from "../pkg/mem8_guard_wasm.js";

await init({ module_or_path: new URL("../pkg/mem8_guard_wasm_bg.wasm", import.meta.url) });

export * from "./api.js";
