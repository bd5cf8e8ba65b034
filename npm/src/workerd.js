// Entry for Cloudflare workerd: the runtime imports .wasm files as compiled
// WebAssembly.Module values (Wrangler does this by default).
import wasmModule from "../pkg/mem8_guard_wasm_bg.wasm";
import { initSync } from "../pkg/mem8_guard_wasm.js";

initSync({ module: wasmModule });

export * from "./api.js";
