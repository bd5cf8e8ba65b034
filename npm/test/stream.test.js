// Keyring streams through the package: round trips in any split, typed
// errors for bad options and tampering, use after finish, and the
// TransformStream helpers.
import { test } from "node:test";
import assert from "node:assert/strict";

import * as guard from "../src/node.js";

const NOW = 1_800_000_000;
const aad = new TextEncoder().encode("backup:2024-06");

function data(length) {
  return Uint8Array.from({ length }, (_, index) => (index * 31) % 251);
}

function concat(parts) {
  const output = new Uint8Array(parts.reduce((sum, part) => sum + part.length, 0));
  let offset = 0;
  for (const part of parts) {
    output.set(part, offset);
    offset += part.length;
  }
  return output;
}

function encrypt(ring, plaintext, piece, chunkSize = 1024) {
  const encryptor = ring.streamEncryptor({ aad, chunkSize });
  const parts = [encryptor.header];
  for (let start = 0; start < plaintext.length; start += piece) {
    parts.push(encryptor.update(plaintext.subarray(start, start + piece)));
  }
  parts.push(encryptor.finish());
  return concat(parts);
}

function decrypt(ring, stream, piece) {
  const decryptor = ring.streamDecryptor({ aad });
  const parts = [];
  for (let start = 0; start < stream.length; start += piece) {
    parts.push(decryptor.update(stream.subarray(start, start + piece)));
  }
  parts.push(decryptor.finish());
  return concat(parts);
}

test("streams round-trip in any split", () => {
  for (const algorithm of ["XC20P", "C20P"]) {
    const ring = guard.Keyring.generate({ algorithm, now: NOW });
    const message = data(5000);
    const stream = encrypt(ring, message, 777);
    assert.equal(ring.keys[0].messages, 1, "a stream counts one message");
    for (const piece of [1, 13, 1039, 1041, stream.length]) {
      assert.deepEqual(decrypt(ring, stream, piece), message, `${algorithm} in pieces of ${piece}`);
    }
  }
});

test("updates over the 1 MiB piece size give the same stream as small ones", () => {
  const ring = guard.Keyring.generate({ now: NOW });
  // Over the 1 MiB piece size, and not a multiple of it or of the chunk.
  const message = data(3 * 1024 * 1024 + 5);
  const whole = encrypt(ring, message, message.length, 65536);
  const small = encrypt(ring, message, 4096, 65536);
  assert.equal(whole.length, small.length);
  assert.deepEqual(decrypt(ring, whole, whole.length), message);
  assert.deepEqual(decrypt(ring, small, whole.length), message);
  assert.deepEqual(decrypt(ring, whole, 1000), message);

  // A tampered chunk in a later piece still fails the whole update.
  const tampered = whole.slice();
  tampered[tampered.length - 70000] ^= 1;
  const decryptor = ring.streamDecryptor({ aad });
  assert.throws(() => decryptor.update(tampered), { code: "ERR_CRYPTO_DECRYPTION_FAILED" });
});

test("an envelope over the size limit is an argument error, not a trap", () => {
  const ring = guard.Keyring.generate({ now: NOW });
  assert.equal(guard.MAX_ENVELOPE_BYTES, 2 ** 30);
  // Zero-filled on demand: the check runs before anything is copied.
  const large = new Uint8Array(guard.MAX_ENVELOPE_BYTES + 1);
  for (const call of [() => ring.encrypt(large), () => ring.encryptToText(large)]) {
    assert.throws(call, {
      code: "ERR_INVALID_ARGUMENT",
      message: /^plaintext of 1073741825 bytes is over the limit of 1073741824 bytes for one envelope; encrypt data this large with streamEncryptor$/,
    });
  }
  assert.equal(ring.keys[0].messages, 0);
  assert.deepEqual(ring.decrypt(ring.encrypt(data(10))), data(10));
});

/** A Uint8Array whose `byteLength` claims `reported` bytes. */
class ReportedLength extends Uint8Array {
  #reported;

  constructor(bytes, reported) {
    super(bytes);
    this.#reported = reported;
  }

  get byteLength() {
    return this.#reported;
  }
}

test("decrypt takes every envelope size that encrypt can write", () => {
  // A plaintext of MAX_ENVELOPE_BYTES gives an envelope 46 bytes longer.
  // The size check reads `byteLength`, while the module copies `length`
  // bytes, so a short envelope that reports a large size tests the bound
  // without building a GiB.
  const ring = guard.Keyring.generate({ now: NOW });
  const envelope = ring.encrypt(data(10));
  envelope[envelope.length - 1] ^= 1;
  const largest = new ReportedLength(envelope, guard.MAX_ENVELOPE_BYTES + 46);
  assert.throws(() => ring.decrypt(largest), { code: "ERR_CRYPTO_DECRYPTION_FAILED" });

  const over = new ReportedLength(envelope, guard.MAX_ENVELOPE_BYTES + 47);
  assert.throws(() => ring.decrypt(over), {
    code: "ERR_INVALID_ARGUMENT",
    message: /^envelope of 1073741871 bytes is over the limit of 1073741870 bytes for one envelope;/,
  });
});

test("envelope text longer than V8's longest string is an argument error", () => {
  const ring = guard.Keyring.generate({ now: NOW });
  // The largest plaintext whose text fits, and one byte more.
  const fits = new ReportedLength(data(10), 402_653_120);
  assert.equal(typeof ring.encryptToText(fits), "string");
  const over = new ReportedLength(data(10), 402_653_121);
  assert.throws(() => ring.encryptToText(over), {
    code: "ERR_INVALID_ARGUMENT",
    message:
      /^plaintext of 402653121 bytes gives an envelope text of 536870890 characters, over the limit of 536870888 \(the longest string V8 builds\); use encrypt, which returns bytes$/,
  });
});

test("stream info names the header fields", () => {
  const ring = guard.Keyring.generate({ now: NOW });
  const encryptor = ring.streamEncryptor();
  const info = encryptor.info;
  assert.deepEqual(info, { keyId: ring.keys[0].id, algorithm: "XC20P", chunkSize: 65536 });
  const stream = concat([encryptor.header, encryptor.finish()]);
  assert.equal(encryptor.info, null, "no info after finish");

  const decryptor = ring.streamDecryptor();
  assert.equal(decryptor.info, null, "no info before the header");
  decryptor.update(stream);
  assert.deepEqual(decryptor.info, info);
  assert.equal(decryptor.finish().length, 0);
});

test("stream options are checked", () => {
  const ring = guard.Keyring.generate({ now: NOW });
  assert.throws(() => ring.streamEncryptor({ chunkSize: 10 }), {
    name: "CryptoError",
    code: "ERR_CRYPTO_INVALID_CHUNK_SIZE",
    message: /`10`/,
  });
  // Sizes past the module's 32-bit `usize`, and past `u64`, are named as
  // given; a number past 2^64 as JavaScript writes it.
  assert.throws(() => ring.streamEncryptor({ chunkSize: 2 ** 40 }), {
    code: "ERR_CRYPTO_INVALID_CHUNK_SIZE",
    message: /`1099511627776`/,
  });
  assert.throws(() => ring.streamEncryptor({ chunkSize: 2 ** 70 }), {
    code: "ERR_CRYPTO_INVALID_CHUNK_SIZE",
    message: /`1\.1805916207174113e\+21` is outside the supported range of 1024 to 16777216 bytes/,
  });
  assert.throws(() => ring.streamEncryptor({ chunkSize: 1024.5 }), { name: "InvalidArgumentError", message: /1024\.5/ });
  assert.throws(() => ring.streamEncryptor({ chunkSize: "1024" }), { code: "ERR_INVALID_ARGUMENT" });
  assert.throws(() => ring.streamEncryptor({ chunk: 1024 }), { code: "ERR_INVALID_ARGUMENT", message: /`chunk`/ });
  assert.throws(() => ring.streamDecryptor({ aad: "text" }), { code: "ERR_INVALID_ARGUMENT", message: /aad/ });
  assert.throws(() => ring.streamEncryptor().update("text"), { code: "ERR_INVALID_ARGUMENT", message: /plaintext/ });
  assert.throws(() => new guard.StreamEncryptor(), { code: "ERR_INVALID_ARGUMENT" });
});

test("tampered and truncated streams fail with typed errors", () => {
  const ring = guard.Keyring.generate({ now: NOW });
  const stream = encrypt(ring, data(3000), 3000);

  const cut = stream.subarray(0, stream.length - 20);
  assert.throws(() => decrypt(ring, cut, 100), { name: "CryptoError", code: "ERR_CRYPTO_DECRYPTION_FAILED" });
  const headerOnly = stream.subarray(0, 61);
  assert.throws(() => decrypt(ring, headerOnly, 5), { code: "ERR_CRYPTO_TRUNCATED" });
  // A cut at a chunk boundary is a truncation; a cut inside a chunk or the
  // header breaks what it cuts.
  const atBoundary = stream.subarray(0, 61 + 1040);
  assert.throws(() => decrypt(ring, atBoundary, 100), { code: "ERR_CRYPTO_TRUNCATED" });
  const insideChunk = stream.subarray(0, 61 + 1040 + 100);
  assert.throws(() => decrypt(ring, insideChunk, 100), { code: "ERR_CRYPTO_DECRYPTION_FAILED" });
  const insideHeader = stream.subarray(0, 58);
  assert.throws(() => decrypt(ring, insideHeader, 100), { code: "ERR_CRYPTO_MALFORMED" });
  const flipped = stream.slice();
  flipped[100] ^= 1;
  const decryptor = ring.streamDecryptor({ aad });
  assert.throws(() => decryptor.update(flipped), { code: "ERR_CRYPTO_DECRYPTION_FAILED" });
  assert.throws(() => decryptor.update(new Uint8Array(1)), { code: "ERR_CRYPTO_DECRYPTION_FAILED" }, "the failure sticks");

  const other = guard.Keyring.generate({ now: NOW });
  assert.throws(() => decrypt(other, stream, 4096), { code: "ERR_CRYPTO_UNKNOWN_KEY" });
});

test("finished and freed streams reject calls", () => {
  const ring = guard.Keyring.generate({ now: NOW });
  const encryptor = ring.streamEncryptor();
  encryptor.finish();
  assert.throws(() => encryptor.update(new Uint8Array(1)), { code: "ERR_INVALID_ARGUMENT", message: /finished/ });
  assert.throws(() => encryptor.finish(), { code: "ERR_INVALID_ARGUMENT", message: /finished/ });
  encryptor.free();
  assert.throws(() => encryptor.update(new Uint8Array(1)), { code: "ERR_INVALID_ARGUMENT", message: /freed/ });

  const decryptor = ring.streamDecryptor();
  decryptor.free();
  assert.throws(() => decryptor.finish(), { code: "ERR_INVALID_ARGUMENT", message: /freed/ });
});

test("decryptor sees keys disabled before its header", () => {
  const ring = guard.Keyring.generate({ now: NOW });
  const stream = encrypt(ring, data(10), 10);
  const decryptor = ring.streamDecryptor({ aad });
  const first = ring.keys[0].id;
  ring.rotate({ now: NOW });
  ring.disable(first);
  assert.throws(() => decryptor.update(stream), { code: "ERR_CRYPTO_KEY_DISABLED" });
});

test("transform streams encrypt and decrypt", async () => {
  const ring = guard.Keyring.generate({ now: NOW });
  const message = data(4000);
  const pieces = [message.subarray(0, 1500), message.subarray(1500)];
  const source = () => new ReadableStream({
    start(controller) {
      for (const piece of pieces) controller.enqueue(piece);
      controller.close();
    },
  });
  const collect = async (readable) => {
    const parts = [];
    for await (const part of readable) parts.push(part);
    return concat(parts);
  };

  const stream = await collect(source().pipeThrough(guard.encryptionStream(ring, { aad, chunkSize: 1024 })));
  assert.deepEqual(decrypt(ring, stream, 333), message);
  const opened = await collect(
    new Blob([stream]).stream().pipeThrough(guard.decryptionStream(ring, { aad })),
  );
  assert.deepEqual(opened, message);

  const truncated = new Blob([stream.subarray(0, 61 + 1040)]).stream();
  await assert.rejects(collect(truncated.pipeThrough(guard.decryptionStream(ring, { aad }))), {
    code: "ERR_CRYPTO_TRUNCATED",
  });
});
