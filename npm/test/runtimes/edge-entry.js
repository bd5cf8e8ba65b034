// Bundle entry for edge-runtime-child.mjs. The package is imported by name,
// so esbuild resolves it through the `edge-light` export condition to
// src/edge.js.
//
// The imports are named, as in application code. A namespace import
// (`import * as pkg`) makes esbuild keep the body of src/edge.js even where
// package.json marks the package free of side effects, so it would hide a
// bundle that drops the initSync call of src/edge.js.
import { CryptoError, KeyError, Keyring, Mem8GuardError, Policy, PolicyError, TokenError, TokenVerifier, hazmat } from "mem8-guard";

import { runVectorTexts } from "./vector-texts.js";

const pkg = { CryptoError, KeyError, Keyring, Mem8GuardError, Policy, PolicyError, TokenError, TokenVerifier, hazmat };

/** Runs the suite on vector files given as text (path -> JSON text). */
export function run(texts) {
  return runVectorTexts(pkg, texts);
}
