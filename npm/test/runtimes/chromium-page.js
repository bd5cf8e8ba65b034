// Loaded by chromium-page.html: imports the package's browser entry
// (src/web.js, which fetches the .wasm file next to it), fetches the vector
// files from the static server and runs the suite.
import { CryptoError, KeyError, Keyring, Mem8GuardError, Policy, PolicyError, TokenError, TokenVerifier, hazmat } from "../../src/web.js";
import { runVectorTexts } from "./vector-texts.js";

const pkg = { CryptoError, KeyError, Keyring, Mem8GuardError, Policy, PolicyError, TokenError, TokenVerifier, hazmat };

async function fetchText(url) {
  const response = await fetch(url);
  if (!response.ok) throw new Error(`GET ${url} failed with HTTP ${response.status}`);
  return response.text();
}

/** Returns runVectors' result for every file that /vector-index.json lists. */
export async function run() {
  const paths = JSON.parse(await fetchText("/vector-index.json"));
  const texts = {};
  for (const path of paths) texts[path] = await fetchText(`/vectors/${path}`);
  return runVectorTexts(pkg, texts);
}
