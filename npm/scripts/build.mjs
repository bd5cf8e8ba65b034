// Builds the npm package's WebAssembly module from a clean checkout:
//
//   1. cargo builds crate mem8-guard-wasm for wasm32-unknown-unknown, on its
//      own, so that getrandom's `js` feature reaches no other build;
//   2. wasm-bindgen-cli, at exactly the wasm-bindgen version in Cargo.lock
//      (installed with cargo when missing or different), writes the bindings
//      into pkg/ for `--target web`;
//   3. wasm-opt (-Oz, --gufa, -Oz) from the npm package `binaryen` shrinks the module
//      (Debian's binaryen 108 breaks wasm-bindgen output, so never use it).
//
// Prints the module's size, raw and gzipped.

import { execFileSync } from "node:child_process";
import { readFileSync, statSync, mkdirSync } from "node:fs";
import { gzipSync } from "node:zlib";
import { fileURLToPath } from "node:url";
import path from "node:path";

const npmDir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const root = path.resolve(npmDir, "..");
const pkgDir = path.join(npmDir, "pkg");
const targetDir = process.env.CARGO_TARGET_DIR ?? path.join(root, "target");
const rawModule = path.join(targetDir, "wasm32-unknown-unknown", "npm-release", "mem8_guard_wasm.wasm");
const outModule = path.join(pkgDir, "mem8_guard_wasm_bg.wasm");

function run(command, args, options = {}) {
  console.error(`> ${command} ${args.join(" ")}`);
  execFileSync(command, args, { stdio: "inherit", cwd: root, ...options });
}

function lockedVersion(crate) {
  const lock = readFileSync(path.join(root, "Cargo.lock"), "utf8");
  const match = lock.match(new RegExp(`name = "${crate}"\\nversion = "([^"]+)"`));
  if (!match) throw new Error(`Cargo.lock has no entry for ${crate}; run cargo once first`);
  return match[1];
}

function installedBindgenVersion() {
  try {
    const output = execFileSync("wasm-bindgen", ["--version"], { encoding: "utf8" });
    return output.trim().split(" ")[1];
  } catch {
    return null;
  }
}

function ensureBindgen() {
  const wanted = lockedVersion("wasm-bindgen");
  const installed = installedBindgenVersion();
  if (installed === wanted) return;
  console.error(`wasm-bindgen-cli ${installed ?? "is missing"}; installing ${wanted} (about two minutes)`);
  // `--locked` fails against this registry mirror, so the install is unlocked.
  run("cargo", ["install", "wasm-bindgen-cli", "--version", wanted]);
}

run("rustup", ["target", "add", "wasm32-unknown-unknown"]);
run("cargo", [
  "build", "-p", "mem8-guard-wasm", "--target", "wasm32-unknown-unknown", "--profile", "npm-release",
]);

ensureBindgen();
mkdirSync(pkgDir, { recursive: true });
run("wasm-bindgen", [
  "--target", "web", "--out-dir", pkgDir, "--out-name", "mem8_guard_wasm", "--no-typescript", rawModule,
]);

const wasmOpt = path.join(npmDir, "node_modules", "binaryen", "bin", "wasm-opt");
run(wasmOpt, [
  // `--gufa` then `-Oz` again take about 500 bytes (gzipped) more off than
  // `-Oz` alone, at no measured speed cost (docs/benchmarks.md).
  "-Oz", "--gufa", "-Oz", "--strip-debug", "--strip-producers",
  // The features rustc 1.95 enables by default for wasm32-unknown-unknown.
  "--enable-bulk-memory", "--enable-mutable-globals", "--enable-nontrapping-float-to-int",
  "--enable-sign-ext", "--enable-reference-types", "--enable-multivalue",
  // Set in ../.cargo/config.toml for this target.
  "--enable-simd",
  outModule, "-o", outModule,
]);

const bytes = readFileSync(outModule);
const gzipped = gzipSync(bytes, { level: 9 }).length;
console.error(`pkg/mem8_guard_wasm_bg.wasm: ${statSync(outModule).size} bytes, ${gzipped} bytes gzipped`);
