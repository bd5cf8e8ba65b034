// Keyrings and envelopes through the package: rotation order, distinct
// errors for unknown, disabled and destroyed keys, sealing, and tampering.
import { test } from "node:test";
import assert from "node:assert/strict";

import * as guard from "../src/node.js";

const NOW = 1_800_000_000;
const encoder = new TextEncoder();

test("envelopes survive rotation until their key is disabled", () => {
  const ring = guard.Keyring.generate({ now: NOW });
  const first = ring.keys[0];
  assert.equal(first.state, "primary");
  assert.equal(first.algorithm, "XC20P");
  const aad = encoder.encode("tenant-7");
  const old = ring.encrypt(encoder.encode("first secret"), aad);

  const second = ring.rotate({ now: NOW + 10 });
  assert.deepEqual(ring.keys.map((key) => key.state).sort(), ["enabled", "primary"]);
  const fresh = ring.encryptToText(encoder.encode("second secret"));

  assert.equal(new TextDecoder().decode(ring.decrypt(old, aad)), "first secret");
  assert.equal(new TextDecoder().decode(ring.decryptText(fresh)), "second secret");
  assert.throws(() => ring.decrypt(old, encoder.encode("tenant-8")), { name: "CryptoError", code: "ERR_CRYPTO_DECRYPTION_FAILED" });

  ring.disable(first.id);
  assert.throws(() => ring.decrypt(old, aad), { code: "ERR_CRYPTO_KEY_DISABLED" });
  ring.enable(first.id);
  assert.equal(ring.decrypt(old, aad).length, 12);
  assert.throws(() => ring.destroy(first.id), { name: "KeyringError", code: "ERR_KEYRING_INVALID_STATE" });
  ring.disable(first.id);
  ring.destroy(first.id);
  assert.throws(() => ring.decrypt(old, aad), { code: "ERR_CRYPTO_KEY_DESTROYED" });
  assert.ok(!ring.toJson().includes(`"kid":"${first.id}","k"`));
  assert.notEqual(second, first.id);
});

test("tampered envelopes never decrypt", () => {
  const ring = guard.Keyring.generate({ now: NOW });
  const envelope = ring.encrypt(encoder.encode("payload bytes"));
  for (let i = 0; i < envelope.length; i++) {
    const changed = envelope.slice();
    changed[i] ^= 0x01;
    assert.throws(() => ring.decrypt(changed), (error) => error instanceof guard.CryptoError, `byte ${i}`);
  }
  assert.throws(() => ring.decrypt(envelope.slice(0, -1)), guard.CryptoError);
  assert.throws(() => ring.decrypt(new Uint8Array([...envelope, 0])), guard.CryptoError);
  const other = guard.Keyring.generate({ now: NOW });
  assert.throws(() => other.decrypt(envelope), { code: "ERR_CRYPTO_UNKNOWN_KEY" });
});

test("sealed keyrings need the right key-encryption key", () => {
  const ring = guard.Keyring.generate({ algorithm: "C20P", now: NOW });
  const kek = crypto.getRandomValues(new Uint8Array(32));
  const sealed = ring.seal(kek);
  assert.ok(!sealed.includes(JSON.parse(ring.toJson()).keys[0].k));
  const reopened = guard.Keyring.open(sealed, kek);
  assert.deepEqual(reopened.keys, ring.keys);
  const otherKek = crypto.getRandomValues(new Uint8Array(32));
  assert.throws(() => guard.Keyring.open(sealed, otherKek), { code: "ERR_KEYRING_WRONG_KEK" });
  assert.throws(() => guard.Keyring.open(sealed, new Uint8Array(16)), { code: "ERR_INVALID_ARGUMENT" });
  assert.throws(() => ring.seal(new Uint8Array(32)), { code: "ERR_KEYRING_WEAK_KEK", message: /all zero/ });
  assert.throws(() => guard.Keyring.open(sealed, new Uint8Array(32)), { code: "ERR_KEYRING_WEAK_KEK" });
  assert.deepEqual(guard.Keyring.fromJson(ring.toJson()).keys, ring.keys);
});

test("rotation becomes due by age", () => {
  const ring = guard.Keyring.generate({ now: NOW });
  assert.equal(ring.rotationDue({ maxAge: 60 }, { now: NOW + 59 }), null);
  const due = ring.rotationDue({ maxAge: 60 }, { now: NOW + 60 });
  assert.equal(typeof due.reason, "string");
  assert.throws(() => ring.rotationDue({ maxAgee: 1 }), { code: "ERR_INVALID_ARGUMENT" });
});

test("keyring arguments are checked", () => {
  const ring = guard.Keyring.generate({ now: NOW });
  assert.throws(() => ring.encrypt("text"), { code: "ERR_INVALID_ARGUMENT" });
  assert.throws(() => ring.disable("zz"), { code: "ERR_INVALID_ARGUMENT" });
  assert.throws(() => ring.disable("00000001"), { code: "ERR_KEYRING_UNKNOWN_KEY" });
  assert.throws(() => guard.Keyring.generate({ algorithm: "AES" }), { code: "ERR_INVALID_ARGUMENT" });
  assert.throws(() => new guard.Keyring({}), { code: "ERR_INVALID_ARGUMENT" });
  assert.throws(() => guard.Keyring.fromJson('{"version":1,"keys":[]}'), guard.KeyringError);
});

test("a C20P key at 2^32 messages encrypts nothing", () => {
  const document = JSON.parse(guard.Keyring.generate({ algorithm: "C20P", now: NOW }).toJson());
  // 2^32 - 1: one message below the hard limit for random 96-bit nonces.
  document.keys[0].messages = 2 ** 32 - 1;
  const ring = guard.Keyring.fromJson(document);
  const last = ring.encrypt(encoder.encode("last"));
  assert.equal(ring.keys[0].messages, 2 ** 32);

  const before = ring.toJson();
  const exhausted = { name: "CryptoError", code: "ERR_CRYPTO_KEY_EXHAUSTED", message: /4294967296 messages.*rotate/ };
  assert.throws(() => ring.encrypt(encoder.encode("x")), exhausted);
  assert.throws(() => ring.encryptToText(encoder.encode("x")), exhausted);
  assert.throws(() => ring.streamEncryptor(), exhausted);
  assert.equal(ring.toJson(), before);
  // The rotation policy reports it as due, as before the hard limit.
  assert.equal(ring.rotationDue({}, { now: NOW }).reason, "message_limit");

  ring.rotate({ algorithm: "C20P", now: NOW });
  const next = ring.encrypt(encoder.encode("next"));
  assert.equal(new TextDecoder().decode(ring.decrypt(last)), "last");
  assert.equal(new TextDecoder().decode(ring.decrypt(next)), "next");

  // The same count on an XC20P key, whose nonces are 192 bits, is no limit.
  document.keys[0].alg = "XC20P";
  guard.Keyring.fromJson(document).encrypt(encoder.encode("x"));
});

test("long key ids are shown by length only", () => {
  const ring = guard.Keyring.generate({ now: NOW });
  // A 32-byte key in base64url, pasted where an id belongs.
  const secret = "3q2-7wAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA";
  assert.throws(() => ring.disable(secret), (error) => {
    assert.equal(error.code, "ERR_INVALID_ARGUMENT");
    assert.ok(!error.message.includes(secret), error.message);
    assert.match(error.message, /`\.\.\.` \(43 characters, not shown\)/);
    return true;
  });
  assert.throws(() => ring.promote("0a1b2c3"), { message: /`0a1b2c3`/ });

  const document = JSON.parse(ring.toJson());
  document.keys[0].kid = secret;
  assert.throws(() => guard.Keyring.fromJson(document), (error) => {
    assert.equal(error.code, "ERR_KEYRING_INVALID_KEYRING");
    assert.ok(!error.message.includes(secret), error.message);
    assert.match(error.message, /\(43 characters, not shown\)/);
    return true;
  });
});

test("keyring messages never show key material", () => {
  const ring = guard.Keyring.generate({ now: NOW });
  const text = ring.toJson();
  const k = JSON.parse(text).keys[0].k;
  const shows = (message) => [...Array(k.length - 5).keys()].some((i) => message.includes(k.slice(i, i + 6)));
  const withMember = (name) => {
    const document = JSON.parse(text);
    document.keys[0][name] = 1;
    return JSON.stringify(document);
  };
  const cases = {
    // A backtick in a member name shifted quote pairing, which printed k.
    "backtick before k": withMember("x`" + k),
    "backticks around k": withMember("`x`" + k + "`"),
    "k as a member name": withMember(k),
    "k as a repeated name": text.replace('"kty"', `"${k}": 1, "${k}": 2, "kty"`),
    "k in place of a key": `{"version": 1, "keys": ["${k}"]}`,
    "k as state": text.replace('"primary"', JSON.stringify("`" + k + "`")),
  };
  for (const [name, document] of Object.entries(cases)) {
    assert.ok(document.includes(k), name);
    assert.throws(() => guard.Keyring.fromJson(document), (error) => {
      assert.match(error.code, /^ERR_KEYRING_/, name);
      assert.ok(!shows(error.message), `${name}: ${error.message}`);
      return true;
    });
  }
});

test("documents given as bytes are refused", () => {
  const text = guard.Keyring.generate({ now: NOW }).toJson();
  const bytes = new TextEncoder().encode(text);
  assert.throws(() => guard.Keyring.fromJson(bytes), { code: "ERR_INVALID_ARGUMENT", message: /not bytes/ });
  assert.throws(() => guard.Keyring.fromJson(bytes.buffer), { code: "ERR_INVALID_ARGUMENT" });
  const { privateJwk } = guard.generateKey("HS256", { kid: "k" });
  assert.throws(() => guard.signToken({ sub: "s", blob: new Uint8Array(2) }, privateJwk), {
    code: "ERR_INVALID_ARGUMENT",
    message: /claims\.blob is binary/,
  });
});
