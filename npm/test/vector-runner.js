// Runs the conformance vectors of tests/vectors/ against the package, in any
// JavaScript runtime. The caller passes the loaded package and the vector
// files as parsed JSON, keyed by their path under tests/vectors/; this file
// uses no runtime-specific API, so Node, Deno, Bun, workerd, edge-runtime and
// Chromium all run exactly this code.
//
// The expectations mirror the Rust runners in core/tests/: a case that passes
// natively and fails here is a bug in the product.

function keySetText(file, testCase) {
  if (typeof testCase.jwks === "string") return JSON.stringify(file.key_sets[testCase.jwks] ?? null);
  if (testCase.jwks !== undefined) return JSON.stringify(testCase.jwks);
  if (typeof testCase.jwks_json === "string") return testCase.jwks_json;
  throw new Error("case names no key set");
}

/** Converts snake_case validation options of a vector to the package's camelCase. */
function camelOptions(options) {
  const renamed = {};
  for (const [key, value] of Object.entries(options ?? {})) {
    renamed[key.replace(/_([a-z])/g, (_, letter) => letter.toUpperCase())] = value;
  }
  return renamed;
}

function bytesToBase64url(bytes) {
  let binary = "";
  for (const byte of bytes) binary += String.fromCharCode(byte);
  return btoa(binary).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
}

function sameJson(a, b) {
  return JSON.stringify(sortKeys(a)) === JSON.stringify(sortKeys(b));
}

function sortKeys(value) {
  if (Array.isArray(value)) return value.map(sortKeys);
  if (value && typeof value === "object") {
    return Object.fromEntries(Object.keys(value).sort().map((key) => [key, sortKeys(value[key])]));
  }
  return value;
}

function runTokenCase(pkg, file, testCase) {
  const expect = testCase.expect;
  let verifier;
  try {
    verifier = new pkg.TokenVerifier(keySetText(file, testCase), camelOptions(testCase.validation));
  } catch (error) {
    // Options that no token can pass fail when the verifier is built.
    if (expect.error !== undefined && error instanceof pkg.TokenError) {
      return error.coreCode === expect.error ? null : `expected error ${expect.error}, got ${error.coreCode} (${error.message})`;
    }
    if (expect.key_error === undefined) return `key set failed to load: ${error.coreCode} ${error.message}`;
    if (error.coreCode !== expect.key_error) return `expected key error ${expect.key_error}, got ${error.coreCode}`;
    if (!(error instanceof pkg.KeyError)) return `expected a KeyError, got ${error.name}`;
    return null;
  }
  try {
    if (expect.key_error !== undefined) return `expected key error ${expect.key_error}, but the set loaded`;
    if (expect.ok === true) {
      const usable = expect.usable_keys ?? verifier.keyCount;
      return verifier.keyCount === usable ? null : `expected ${usable} usable keys, got ${verifier.keyCount}`;
    }

    let result;
    try {
      if ((testCase.mode ?? "jwt") === "jws") {
        result = bytesToBase64url(verifier.verifyJws(testCase.token).payload);
      } else {
        result = verifier.verify(testCase.token, { now: testCase.now ?? 0 }).claims;
      }
    } catch (error) {
      if (!(error instanceof pkg.TokenError)) return `expected a TokenError, got ${error.name}: ${error.message}`;
      if (expect.error === undefined) return `expected success, got ${error.coreCode} (${error.message})`;
      if (error.coreCode !== expect.error) return `expected error ${expect.error}, got ${error.coreCode} (${error.message})`;
      if (error.code !== `ERR_JWT_${expect.error.toUpperCase()}`) return `unexpected code ${error.code}`;
      if (expect.claim !== undefined && error.claim !== expect.claim) return `expected claim ${expect.claim}, got ${error.claim}`;
      if (expect.limit !== undefined && error.limit !== expect.limit) return `expected limit ${expect.limit}, got ${error.limit}`;
      return null;
    }
    if (expect.error !== undefined) return `expected error ${expect.error}, but the token verified`;
    const want = expect.claims ?? expect.payload_b64url;
    return sameJson(want, result) ? null : `expected ${JSON.stringify(want)}, got ${JSON.stringify(result)}`;
  } finally {
    verifier.free();
  }
}

function runPolicyCase(pkg, file, testCase) {
  const expect = testCase.expect;
  const document = testCase.policy !== undefined ? file.policies[testCase.policy] : testCase.document;
  if (document === undefined && testCase.document_text === undefined) return "case needs a policy or a document";
  let policy;
  try {
    const options = testCase.limits === undefined ? {} : { limits: camelOptions(testCase.limits) };
    if (testCase.document_text !== undefined) {
      policy = pkg.Policy.fromText(testCase.document_text, options);
    } else {
      policy = new pkg.Policy(typeof document === "string" ? document : JSON.stringify(document), options);
    }
  } catch (error) {
    if (expect.load_error === undefined) return `policy failed to load: ${error.coreCode} ${error.message}`;
    if (!(error instanceof pkg.PolicyError)) return `expected a PolicyError, got ${error.name}: ${error.message}`;
    return error.coreCode === expect.load_error ? null : `expected load error ${expect.load_error}, got ${error.coreCode}`;
  }
  try {
    if (expect.load_error !== undefined) return `expected load error ${expect.load_error}, but the policy loaded`;
    const decision = policy.authorize({
      principal: testCase.principal,
      action: testCase.action,
      resource: testCase.resource,
      resourceAttributes: testCase.resource_attributes,
      // Absent stays absent and `null` stays `null`: both are an empty context.
      context: testCase.context,
    });
    if (decision.decision !== expect.decision) return `expected ${expect.decision}, got ${decision.decision}`;
    if (expect.reasons !== undefined && !sameJson(decision.reasons, expect.reasons)) {
      return `expected reasons ${JSON.stringify(expect.reasons)}, got ${JSON.stringify(decision.reasons)}`;
    }
    const codes = decision.errors.map((error) => error.code);
    if (!sameJson(codes, expect.errors ?? [])) {
      return `expected error codes ${JSON.stringify(expect.errors ?? [])}, got ${JSON.stringify(codes)}`;
    }
    return null;
  } finally {
    policy.free();
  }
}

function hexToBytes(hex) {
  const bytes = new Uint8Array(hex.length / 2);
  for (let i = 0; i < bytes.length; i++) bytes[i] = parseInt(hex.slice(2 * i, 2 * i + 2), 16);
  return bytes;
}

function bytesToHex(bytes) {
  return Array.from(bytes, (byte) => byte.toString(16).padStart(2, "0")).join("");
}

function runAeadCase(pkg, testCase) {
  const key = hexToBytes(testCase.key);
  const nonce = hexToBytes(testCase.nonce);
  const aad = hexToBytes(testCase.aad);
  const sealedHex = testCase.ct + testCase.tag;
  const attempt = (fn) => {
    try {
      return { value: fn() };
    } catch (error) {
      if (!(error instanceof pkg.Mem8GuardError) || error.code === "ERR_INTERNAL") throw error;
      return { error };
    }
  };
  const opened = attempt(() => pkg.hazmat.aeadOpen(testCase.algorithm, key, nonce, aad, hexToBytes(sealedHex)));
  if (testCase.result === "valid") {
    if (opened.error) return `valid case failed to decrypt: ${opened.error.coreCode}`;
    if (bytesToHex(opened.value) !== testCase.msg) return "decrypted to the wrong plaintext";
    const sealed = attempt(() => pkg.hazmat.aeadSeal(testCase.algorithm, key, nonce, aad, hexToBytes(testCase.msg)));
    if (sealed.error) return `valid case failed to encrypt: ${sealed.error.coreCode}`;
    return bytesToHex(sealed.value) === sealedHex ? null : "encrypted to the wrong ciphertext or tag";
  }
  if (testCase.result === "invalid") {
    if (!opened.error) return "invalid case decrypted";
    const expectedNonce = testCase.algorithm === "XC20P" ? 24 : 12;
    if (nonce.length !== expectedNonce) {
      const sealed = attempt(() => pkg.hazmat.aeadSeal(testCase.algorithm, key, nonce, aad, hexToBytes(testCase.msg)));
      if (!sealed.error) return "encryption accepted a nonce of the wrong length";
    }
    return null;
  }
  if (testCase.result === "acceptable") {
    return opened.error || bytesToHex(opened.value) === testCase.msg ? null : "acceptable case decrypted to the wrong plaintext";
  }
  return `unknown result ${testCase.result}`;
}

/**
 * Splits of a stream case's input between `update` calls, as in the Rust
 * runner: whole, byte by byte for a short stream, and pieces that end near
 * header and chunk boundaries.
 */
function streamSplits(length, chunkSize) {
  const sealed = chunkSize + 16;
  const splits = [Math.max(length, 1), 7, 61, sealed - 1, sealed + 1, 2 * sealed + 3];
  if (length <= 1200) splits.push(1);
  return splits;
}

function decryptStream(pkg, keyring, stream, aad, piece) {
  const decryptor = keyring.streamDecryptor({ aad });
  const parts = [];
  try {
    for (let start = 0; start < stream.length; start += piece) {
      parts.push(decryptor.update(stream.subarray(start, start + piece)));
    }
    parts.push(decryptor.finish());
  } catch (error) {
    if (!(error instanceof pkg.CryptoError)) return { thrown: `${error?.name}: ${error?.message}` };
    return { error: error.coreCode, code: error.code };
  } finally {
    decryptor.free();
  }
  return { plaintext: parts.map(bytesToHex).join("") };
}

function runStreamCase(pkg, testCase) {
  const keyring = pkg.Keyring.fromJson(testCase.keyring);
  try {
    const stream = hexToBytes(testCase.stream);
    const aad = hexToBytes(testCase.aad);
    const expect = testCase.expect;
    for (const piece of streamSplits(stream.length, testCase.chunk_size)) {
      const outcome = decryptStream(pkg, keyring, stream, aad, piece);
      if (outcome.thrown !== undefined) return `pieces of ${piece}: threw ${outcome.thrown}`;
      if (expect.plaintext !== undefined) {
        if (outcome.plaintext !== expect.plaintext) return `pieces of ${piece}: expected the plaintext, got ${JSON.stringify(outcome).slice(0, 200)}`;
        continue;
      }
      if (outcome.error !== expect.error) return `pieces of ${piece}: expected error ${expect.error}, got ${JSON.stringify(outcome).slice(0, 200)}`;
      if (outcome.code !== `ERR_CRYPTO_${expect.error.toUpperCase()}`) return `unexpected code ${outcome.code}`;
    }
    return null;
  } finally {
    keyring.free();
  }
}

/**
 * Runs every case of `files` (path -> parsed vector file) and returns
 * `{ passed, failed, failures }`, where each failure is "path: name: problem".
 */
export function runVectors(pkg, files) {
  let passed = 0;
  const failures = [];
  for (const [path, file] of Object.entries(files)) {
    const isPolicy = path.startsWith("policy/");
    const isStream = path === "aead/stream.json";
    const isAead = path.startsWith("aead/") && !isStream;
    for (const testCase of file.cases ?? []) {
      let problem;
      try {
        if (isStream) problem = runStreamCase(pkg, testCase);
        else if (isAead) problem = runAeadCase(pkg, testCase);
        else if (isPolicy) problem = runPolicyCase(pkg, file, testCase);
        else problem = runTokenCase(pkg, file, testCase);
      } catch (error) {
        problem = `threw ${error?.name}: ${error?.message}`;
      }
      if (problem === null) passed += 1;
      else failures.push(`${path}: ${testCase.name}: ${problem}`);
    }
  }
  return { passed, failed: failures.length, failures };
}

/** The one-line summary every runtime prints. */
export function summaryLine(runtime, result) {
  return `${runtime}: ${result.passed} passed, ${result.failed} failed`;
}
