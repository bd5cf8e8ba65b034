// Entry for Node.js (18+) and Bun: reads the module from disk and instantiates
// it synchronously at import.
import { readFileSync } from "node:fs";
import { initSync } from "../pkg/mem8_guard_wasm.js";

initSync({ module: readFileSync(new URL("../pkg/mem8_guard_wasm_bg.wasm", import.meta.url)) });

export * from "./api.js";
