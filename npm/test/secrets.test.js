// Key material that passes through the module leaves no copy in its
// memory once the call returns. wasm-bindgen copies every argument and
// result into the module's heap and frees it after the call; the module's
// allocator zeroes each block it frees (wasm/src/scrub.rs). These tests
// scan the whole module memory for the secrets after using them.
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { initSync } from "../pkg/mem8_guard_wasm.js";
import { Keyring, Policy, TokenVerifier, generateKey, hazmat, signToken } from "../src/node.js";

// The package has instantiated the module already; `initSync` returns the
// existing exports.
const { memory } = initSync({ module: readFileSync(new URL("../pkg/mem8_guard_wasm_bg.wasm", import.meta.url)) });

const NOW = 1_800_000_000;

/** Counts the occurrences of `needle` in the module's memory. */
function copiesInMemory(needle) {
  const haystack = Buffer.from(memory.buffer);
  let count = 0;
  for (let at = haystack.indexOf(needle); at !== -1; at = haystack.indexOf(needle, at + 1)) count++;
  return count;
}

const ascii = (text) => Buffer.from(text, "utf8");
const raw = (base64url) => Buffer.from(base64url, "base64url");

test("the memory scan finds what the module still holds", () => {
  const marker = "scan-control-rule-5f2c9e";
  const policy = new Policy({ version: 2, rules: [{ id: marker, effect: "permit", action: "read", resource: "*" }] });
  try {
    assert.ok(copiesInMemory(ascii(marker)) > 0, "a live policy's rule id is not in memory: the scan is broken");
  } finally {
    policy.free();
  }
});

/** Fails when `needle` is anywhere in module memory after `step`. */
function assertNoCopy(needle, description, step) {
  assert.equal(copiesInMemory(needle), 0, `${description} is still in module memory after ${step}`);
}

test("an HMAC key's text leaves no copy after signing and verifying", () => {
  const { privateJwk } = generateKey("HS256", { kid: "scrub" });
  const secret = ascii(privateJwk.k);
  assertNoCopy(secret, "the JWK's `k`", "generateKey");
  const token = signToken({ sub: "user-1", exp: NOW + 60 }, privateJwk);
  assertNoCopy(secret, "the JWK's `k`", "signToken");
  // The key's bytes, which the module's stack held while it signed.
  assertNoCopy(raw(privateJwk.k), "the HMAC key's bytes", "signToken");
  const verifier = new TokenVerifier({ keys: [privateJwk] }, { algorithms: ["HS256"] });
  assertNoCopy(secret, "the JWK's `k`", "new TokenVerifier");
  assert.equal(verifier.verify(token, { now: NOW }).claims.sub, "user-1");
  verifier.free();
  assertNoCopy(raw(privateJwk.k), "the HMAC key's bytes", "TokenVerifier.free");
});

test("an Ed25519 private key's text leaves no copy after signing", () => {
  const { privateJwk } = generateKey("EdDSA");
  const secret = ascii(privateJwk.d);
  assertNoCopy(secret, "the JWK's `d`", "generateKey");
  signToken({ sub: "user-2", exp: NOW + 60 }, privateJwk);
  assertNoCopy(secret, "the JWK's `d`", "signToken");
  assertNoCopy(raw(privateJwk.d), "the Ed25519 seed", "signToken");
});

test("a destroyed key leaves no copy in its keyring", () => {
  const keyring = Keyring.generate({ now: NOW });
  const [first] = JSON.parse(keyring.toJson()).keys;
  keyring.rotate({ now: NOW });
  keyring.disable(first.kid);
  keyring.destroy(first.kid);
  assertNoCopy(raw(first.k), "the destroyed key's bytes", "destroy");
  const keys = JSON.parse(keyring.toJson()).keys;
  keyring.free();
  for (const key of keys.filter((key) => key.k)) assertNoCopy(raw(key.k), "a key's bytes", "Keyring.free");
});

test("a keyring's exported text and its key-encryption key leave no copy", () => {
  const original = Keyring.generate({ now: NOW });
  const text = original.toJson();
  original.free();
  const keyTexts = JSON.parse(text).keys.map((key) => ascii(key.k));
  assert.ok(keyTexts.length > 0 && keyTexts.every((k) => k.length === 43));
  const noKeyText = (step) => keyTexts.forEach((k) => assertNoCopy(k, "a key's `k` text", step));
  noKeyText("toJson");

  const loaded = Keyring.fromJson(text);
  noKeyText("Keyring.fromJson");
  const kek = new Uint8Array(32).map((_, i) => (i * 37 + 11) & 0xff);
  const sealed = loaded.seal(kek);
  assertNoCopy(kek, "the key-encryption key", "seal");
  const reopened = Keyring.open(sealed, kek);
  assertNoCopy(kek, "the key-encryption key", "Keyring.open");
  assert.equal(reopened.toJson(), text);
  noKeyText("a second toJson");

  const plaintext = ascii("plaintext-marker-0c1d2e3f-4a5b6c7d");
  const envelope = reopened.encrypt(plaintext);
  assertNoCopy(plaintext, "the plaintext", "encrypt");
  assert.deepEqual(Buffer.from(loaded.decrypt(envelope)), plaintext);
  assertNoCopy(plaintext, "the plaintext", "decrypt");
  loaded.free();
  reopened.free();
});

test("a raw AEAD key given to hazmat leaves no copy", () => {
  const key = new Uint8Array(32).map((_, i) => (i * 53 + 7) & 0xff);
  const nonce = new Uint8Array(24).fill(1);
  const message = ascii("hazmat message 9d8c7b6a");
  const sealed = hazmat.aeadSeal("XC20P", key, nonce, new Uint8Array(0), message);
  assertNoCopy(key, "the raw key", "hazmat.aeadSeal");
  assertNoCopy(message, "the plaintext", "hazmat.aeadSeal");
  assert.deepEqual(Buffer.from(hazmat.aeadOpen("XC20P", key, nonce, new Uint8Array(0), sealed)), message);
  assertNoCopy(key, "the raw key", "hazmat.aeadOpen");
  assertNoCopy(message, "the plaintext", "hazmat.aeadOpen");
});
