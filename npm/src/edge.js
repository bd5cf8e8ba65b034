// Entry for Vercel's edge runtime (condition `edge-light`): the bundler turns a
// `.wasm?module` import into a compiled WebAssembly.Module.
import wasmModule from "../pkg/mem8_guard_wasm_bg.wasm?module";
import { initSync } from "../pkg/mem8_guard_wasm.js";

initSync({ module: wasmModule });

export * from "./api.js";
