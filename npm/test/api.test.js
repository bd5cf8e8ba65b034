// The package's API: typed errors with stable codes, decisions as values, and
// no trap or untyped exception on hostile input.
import { test } from "node:test";
import assert from "node:assert/strict";

import * as guard from "../src/node.js";

const NOW = 1_800_000_000;
const POLICY = {
  version: 1,
  roles: { viewer: {}, editor: { inherits: ["viewer"] } },
  rules: [
    { id: "viewers-read", effect: "permit", principal: { role: "viewer" }, action: "read", resource: "doc:*" },
    { id: "no-secret", effect: "forbid", action: "*", resource: "doc:secret" },
  ],
};

function fixture() {
  const { privateJwk, publicJwk } = guard.generateKey("EdDSA", { kid: "k1" });
  return { privateJwk, jwks: { keys: [publicJwk] } };
}

test("guard reads JWK Set and policy text as the core does", () => {
  const { privateJwk, jwks } = fixture();
  // 9007199254740993 is 2^53 + 1, which a JavaScript number cannot hold.
  const policy = `{"version":2,"rules":[
    {"id":"all","effect":"permit","action":"read","resource":"*"},
    {"id":"blocked","effect":"forbid","action":"read","resource":"*",
     "when":{"==":[{".":[{"var":"principal"},"acct"]},{"value":9007199254740993}]}}]}`;
  const g = new guard.Guard({ jwks: JSON.stringify(jwks), policy });
  const sign = (acct) => guard.signToken(`{"sub":"m","acct":${acct},"exp":${NOW + 60}}`, privateJwk);
  const check = (acct) => g.check({ token: sign(acct), action: "read", resource: "doc:1" }, { now: NOW });
  assert.equal(check("9007199254740993").decision, "deny");
  assert.deepEqual(check("9007199254740993").reasons, ["blocked"]);
  assert.equal(check("9007199254740992").decision, "allow");

  // A repeated member name is an error, as in Policy and TokenVerifier,
  // not a document where the last one wins.
  const repeated = '{"version":1,"rules":[{"id":"r","effect":"forbid","effect":"permit","action":"read","resource":"*"}]}';
  assert.throws(() => new guard.Policy(repeated), { name: "PolicyError" });
  assert.throws(() => new guard.Guard({ jwks, policy: repeated }), { name: "PolicyError" });
  const key = jwks.keys[0];
  const repeatedJwks = `{"keys":[{"kty":"OKP","crv":"Ed25519","kid":"k1","alg":"EdDSA","x":"${key.x}","x":"${key.x}"}]}`;
  assert.throws(() => new guard.Guard({ jwks: repeatedJwks, policy: POLICY }), { name: "KeyError" });
});

test("guard decisions are values with reasons", () => {
  const { privateJwk, jwks } = fixture();
  const g = new guard.Guard({ jwks, policy: POLICY, principal: { rolesClaims: ["roles"] } });
  const token = guard.signToken({ sub: "alice", exp: NOW + 60, roles: ["editor"] }, privateJwk);

  assert.deepEqual(g.check({ token, action: "read", resource: "doc:1" }, { now: NOW }), {
    decision: "allow", reasons: ["viewers-read"], errors: [],
  });
  assert.deepEqual(g.check({ token, action: "read", resource: "doc:secret" }, { now: NOW }).reasons, ["no-secret"]);

  const expired = g.check({ token, action: "read", resource: "doc:1" }, { now: NOW + 60 });
  assert.equal(expired.decision, "deny");
  assert.equal(expired.errors[0].code, "token_expired");
  assert.ok(!expired.errors[0].message.includes(token));
  g.free();
});

test("clock defaults to Date.now", () => {
  const { privateJwk, jwks } = fixture();
  const nowSeconds = Math.floor(Date.now() / 1000);
  const past = guard.signToken({ sub: "a", exp: nowSeconds - 10 }, privateJwk);
  const future = guard.signToken({ sub: "a", exp: nowSeconds + 600 }, privateJwk);
  assert.throws(() => guard.verifyToken(past, jwks), { code: "ERR_JWT_EXPIRED" });
  assert.equal(guard.verifyToken(future, jwks).claims.sub, "a");
});

test("errors are typed with stable codes", () => {
  const { privateJwk, jwks } = fixture();
  const token = guard.signToken({ sub: "a", exp: NOW + 60, aud: "api" }, privateJwk);

  assert.throws(() => guard.verifyToken(token, jwks, { now: NOW }), (error) => {
    assert.ok(error instanceof guard.TokenError);
    assert.ok(error instanceof guard.Mem8GuardError);
    assert.ok(error instanceof Error);
    assert.equal(error.code, "ERR_JWT_INVALID_CLAIM");
    assert.equal(error.coreCode, "invalid_claim");
    assert.equal(error.claim, "aud");
    assert.equal(error.name, "TokenError");
    return true;
  });
  assert.throws(() => new guard.TokenVerifier({ keys: 1 }), { name: "KeyError", code: "ERR_JWK_INVALID_KEY_SET" });
  assert.throws(() => new guard.TokenVerifier({ keys: [{ kty: "oct", k: "c2hvcnQ" }] }), { code: "ERR_JWK_WEAK_KEY" });
  const cyclic = { version: 1, roles: { a: { inherits: ["b"] }, b: { inherits: ["a"] } } };
  assert.throws(() => new guard.Policy(cyclic), { name: "PolicyError", code: "ERR_POLICY_ROLE_CYCLE" });
  assert.throws(() => new guard.Policy('{"version":1,"version":1}'), { code: "ERR_POLICY_DUPLICATE_MEMBER" });
  assert.throws(() => new guard.TokenVerifier(jwks, { leway: 5 }), { name: "InvalidArgumentError" });
  assert.throws(() => new guard.TokenVerifier(jwks, { leeway: -1 }), { code: "ERR_INVALID_ARGUMENT" });
  assert.throws(() => guard.generateKey("RS256"), { code: "ERR_JWK_UNSUPPORTED_KEY" });
  assert.throws(() => guard.generateKey("none"), { code: "ERR_INVALID_ARGUMENT" });
});

test("verification key sets reject private keys", () => {
  const { privateJwk, publicJwk } = guard.generateKey("ES256", { kid: "signer" });
  for (const make of [
    () => new guard.TokenVerifier({ keys: [publicJwk, privateJwk] }),
    () => guard.verifyToken("a.b.c", { keys: [privateJwk] }),
    () => new guard.Guard({ jwks: { keys: [privateJwk] }, policy: POLICY }),
  ]) {
    assert.throws(make, (error) => {
      assert.equal(error.name, "KeyError");
      assert.equal(error.code, "ERR_JWK_PRIVATE_KEY");
      assert.match(error.message, /kid `signer`\) contains the private member `d`/);
      assert.ok(!error.message.includes(privateJwk.d), error.message);
      return true;
    });
  }
  // An HMAC secret is the one key a verifier shares with the signer.
  const hmac = guard.generateKey("HS256");
  assert.equal(new guard.TokenVerifier({ keys: [hmac.privateJwk] }, { algorithms: ["HS256"] }).keyCount, 1);
});

test("time claim errors show the claim as written and the leeway", () => {
  const { privateJwk, jwks } = fixture();
  const verifier = new guard.TokenVerifier(jwks);
  const fractional = guard.signToken(`{"sub":"a","exp":${NOW - 1}.5}`, privateJwk);
  assert.throws(() => verifier.verify(fractional, { now: NOW }), {
    code: "ERR_JWT_EXPIRED",
    message: `token expired: exp \`${NOW - 1}.5\` is not after now \`${NOW}\``,
  });

  const huge = guard.signToken(`{"sub":"a","exp":${NOW + 60},"iat":1e300}`, privateJwk);
  // The signer writes the number its own way; the message quotes the payload.
  const payload = new TextDecoder().decode(
    Uint8Array.from(atob(huge.split(".")[1].replace(/-/g, "+").replace(/_/g, "/")), (c) => c.charCodeAt(0)),
  );
  const iat = /"iat":([^,}]+)/.exec(payload)[1];
  assert.match(iat, /^1e\+?300$/);
  assert.throws(() => verifier.verify(huge, { now: NOW }), {
    code: "ERR_JWT_ISSUED_IN_FUTURE",
    message: `token issued in the future: iat \`${iat}\` is after now \`${NOW}\``,
  });

  const lenient = new guard.TokenVerifier(jwks, { leeway: 5 });
  const expired = guard.signToken({ sub: "a", exp: NOW - 10 }, privateJwk);
  assert.throws(() => lenient.verify(expired, { now: NOW }), {
    message: `token expired: exp \`${NOW - 10}\` plus the leeway of 5 s is not after now \`${NOW}\``,
  });
  const early = guard.signToken({ sub: "a", exp: NOW + 60, nbf: NOW + 10 }, privateJwk);
  assert.throws(() => lenient.verify(early, { now: NOW }), {
    code: "ERR_JWT_NOT_YET_VALID",
    message: `token not yet valid: nbf \`${NOW + 10}\` is after now \`${NOW}\` plus the leeway of 5 s`,
  });
});

test("maxJsonDepth above the supported maximum is an option error", () => {
  const { jwks } = fixture();
  const tooDeep = { name: "TokenError", code: "ERR_JWT_INVALID_OPTION", message: /`max_json_depth` is 200, above the supported maximum of 127/ };
  assert.throws(() => new guard.TokenVerifier(jwks, { maxJsonDepth: 200 }), tooDeep);
  assert.throws(() => guard.verifyToken("a.b.c", jwks, { maxJsonDepth: 200 }), tooDeep);
  assert.throws(() => new guard.Guard({ jwks, policy: POLICY, validation: { maxJsonDepth: 200 } }), tooDeep);
  assert.equal(new guard.TokenVerifier(jwks, { maxJsonDepth: 127 }).keyCount, 1);

  assert.throws(() => new guard.Policy(POLICY, { limits: { maxJsonDepth: 128 } }), {
    name: "PolicyError",
    code: "ERR_POLICY_INVALID_LIMIT",
    message: /`max_json_depth` is 128, above the supported maximum of 127/,
  });
  assert.throws(() => guard.Policy.fromText("version 2;", { limits: { maxJsonDepth: 128 } }), { code: "ERR_POLICY_INVALID_LIMIT" });
  assert.equal(new guard.Policy(POLICY, { limits: { maxJsonDepth: 127 } }).ruleCount, 2);
});

test("count options that are not whole numbers name the option", () => {
  const { jwks } = fixture();
  const named = (message) => ({ name: "InvalidArgumentError", code: "ERR_INVALID_ARGUMENT", message });
  const range = "must be a whole number from 0 to 18446744073709551615";
  assert.throws(() => new guard.TokenVerifier(jwks, { leeway: -1 }), named(`options.leeway ${range}, got -1`));
  assert.throws(() => new guard.TokenVerifier(jwks, { maxClaims: 1.5 }), named(`options.maxClaims ${range}, got 1.5`));
  assert.throws(() => new guard.TokenVerifier(jwks, { maxAge: "10" }), named("options.maxAge must be a whole number, got string"));
  assert.throws(() => new guard.Guard({ jwks, policy: POLICY, validation: { maxTokenLength: 2 ** 64 } }), named(/^validation\.maxTokenLength must be a whole number/));
  assert.throws(() => new guard.Policy(POLICY, { limits: { maxRules: -1 } }), named(`limits.maxRules ${range}, got -1`));
  assert.equal(new guard.TokenVerifier(jwks, { maxAge: null }).keyCount, 1);
  assert.throws(() => new guard.TokenVerifier(jwks, { maxTokenLength: null }), named("options.maxTokenLength must be a whole number, got null"));
  assert.throws(() => new guard.Policy(POLICY, { maxRules: 0 }), named("policy options has unknown option `maxRules`"));
});

test("the token cut uses the limit the core reads", () => {
  const { privateJwk, jwks } = fixture();
  const token = guard.signToken({ sub: "a", exp: NOW + 60 }, privateJwk);
  // An inherited option is not one: the core reads own properties only.
  // Cut at the inherited limit, the junk would fall off and leave the
  // valid token.
  const options = Object.create({ maxTokenLength: token.length - 1 });
  const verifier = new guard.TokenVerifier(jwks, options);
  assert.throws(() => verifier.verify(`${token}junk`, { now: NOW }), { name: "TokenError" });
  const g = new guard.Guard({ jwks, policy: POLICY, validation: options });
  const decision = g.check({ token: `${token}junk`, action: "read", resource: "doc:1" }, { now: NOW });
  assert.equal(decision.decision, "deny");
  assert.notEqual(decision.errors.length, 0);
});

test("options that no token can pass are rejected when checked", () => {
  const { jwks } = fixture();
  const invalid = (message) => ({ name: "TokenError", code: "ERR_JWT_INVALID_OPTION", message });
  const leeway = invalid(/`leeway` is 3601 s, above the maximum of 3600 s/);
  assert.throws(() => new guard.TokenVerifier(jwks, { leeway: 3601 }), leeway);
  assert.throws(() => guard.verifyToken("a.b.c", jwks, { leeway: 2 ** 53 }), invalid(/above the maximum of 3600 s/));
  assert.throws(() => new guard.Guard({ jwks, policy: POLICY, validation: { leeway: 3601 } }), leeway);
  assert.equal(new guard.TokenVerifier(jwks, { leeway: 3600 }).keyCount, 1);

  // The same maximum as in native builds, although the module's usize is 32 bits.
  for (const option of ["maxTokenLength", "maxClaims"]) {
    const name = option === "maxClaims" ? "max_claims" : "max_token_length";
    const above = invalid(new RegExp(`\`${name}\` is 4294967296, above the supported maximum of 4294967295`));
    assert.throws(() => new guard.TokenVerifier(jwks, { [option]: 2 ** 32 }), above);
    assert.throws(() => new guard.Guard({ jwks, policy: POLICY, validation: { [option]: 2 ** 32 } }), above);
    assert.equal(new guard.TokenVerifier(jwks, { [option]: 2 ** 32 - 1 }).keyCount, 1);
  }

  const empty = (option) => invalid(new RegExp(`\`${option}\` is an empty string, which no token can match`));
  assert.throws(() => new guard.TokenVerifier(jwks, { typ: "" }), empty("typ"));
  assert.throws(() => new guard.TokenVerifier(jwks, { subject: "" }), empty("subject"));
  assert.throws(() => new guard.Guard({ jwks, policy: POLICY, validation: { typ: "" } }), empty("typ"));
});

test("roles claims read each entry one way and reject malformed entries", () => {
  const { privateJwk, jwks } = fixture();
  const g = new guard.Guard({
    jwks,
    policy: POLICY,
    principal: { rolesClaims: ["roles", "realm_access.roles", "https://example.com/roles"] },
  });
  const check = (claims) => g.check({ token: guard.signToken({ sub: "a", exp: NOW + 60, ...claims }, privateJwk), action: "read", resource: "doc:1" }, { now: NOW });

  assert.equal(check({ realm_access: { roles: ["viewer"] } }).decision, "allow");
  assert.equal(check({ "https://example.com/roles": ["viewer"] }).decision, "allow");
  // The other reading of each entry grants nothing.
  const dotted = check({ "realm_access.roles": ["viewer"] });
  assert.equal(dotted.decision, "deny");
  assert.deepEqual(dotted.errors, []);
  const split = check({ "https://example": { "com/roles": ["viewer"] } });
  assert.equal(split.decision, "deny");
  assert.deepEqual(split.errors, []);

  for (const entry of ["", "a..b", ".x", "x."]) {
    assert.throws(() => new guard.Guard({ jwks, policy: POLICY, principal: { rolesClaims: ["roles", entry] } }), (error) => {
      assert.equal(error.code, "ERR_INVALID_ARGUMENT", entry);
      assert.match(error.message, /`roles_claims`/, entry);
      return true;
    });
  }
  const namespaced = new guard.Guard({ jwks, policy: POLICY, principal: { rolesClaims: ["https://example.com/roles"] } });
  const token = guard.signToken({ sub: "a", exp: NOW + 60, "https://example.com/roles": ["viewer"] }, privateJwk);
  assert.equal(namespaced.check({ token, action: "read", resource: "doc:1" }, { now: NOW }).decision, "allow");
});

test("an empty sub is a deny in the guard and present in verification", () => {
  const { privateJwk, jwks } = fixture();
  const token = guard.signToken({ sub: "", exp: NOW + 60, roles: ["viewer"] }, privateJwk);
  const g = new guard.Guard({ jwks, policy: POLICY });
  const decision = g.check({ token, action: "read", resource: "doc:1" }, { now: NOW });
  assert.equal(decision.decision, "deny");
  assert.equal(decision.errors[0].code, "principal_empty_subject");
  const verified = guard.verifyToken(token, jwks, { requiredClaims: ["exp", "sub"], now: NOW });
  assert.equal(verified.claims.sub, "");
});

test("key errors name the length rule and the modulus maximum", () => {
  const oct = { kty: "oct", kid: "o", k: Buffer.alloc(32, 9).toString("base64url") };
  const b64 = (value) => Buffer.from(JSON.stringify(value)).toString("base64url");
  const token = `${b64({ alg: "HS384", kid: "o" })}.${b64({ sub: "a", exp: NOW + 60 })}.${Buffer.alloc(48).toString("base64url")}`;
  assert.throws(() => guard.verifyToken(token, { keys: [oct] }, { algorithms: ["HS384"], now: NOW }), {
    code: "ERR_JWT_KEY_ALGORITHM_MISMATCH",
    message: /needs an HMAC secret of at least 48 bytes/,
  });

  const n = Buffer.alloc(2048);
  n[0] = 0x80;
  n[2047] = 1;
  const rsa = { kty: "RSA", kid: "r", alg: "RS256", n: n.toString("base64url"), e: "AQAB" };
  assert.throws(() => new guard.TokenVerifier({ keys: [rsa] }), {
    code: "ERR_JWK_INVALID_KEY",
    message: /16384-bit RSA modulus, above the supported maximum of 8192 bits/,
  });
});

test("a text-form policy given as JSON gets a hint", () => {
  const { jwks } = fixture();
  const text = 'version 2;\npermit "all" action == "read" resource like "*";';
  assert.throws(() => new guard.Guard({ jwks, policy: text }), {
    name: "PolicyError",
    code: "ERR_POLICY_INVALID_JSON",
    message: /may be in the text form: load it with `Policy\.fromText\(text\)` and give the Guard its `toJSONText\(\)`/,
  });
  assert.throws(() => new guard.Policy(`  \n${text}`), { message: /may be in the text form: load it with `Policy\.fromText\(text\)`$/ });
  assert.throws(() => new guard.Policy('{"version": 2,'), (error) => {
    assert.equal(error.code, "ERR_POLICY_INVALID_JSON");
    assert.ok(!error.message.includes("text form"), error.message);
    return true;
  });
  const g = new guard.Guard({ jwks, policy: guard.Policy.fromText(text).toJSONText() });
  g.free();
});

test("hostile input never traps", () => {
  const { privateJwk, jwks } = fixture();
  const verifier = new guard.TokenVerifier(jwks);
  const cyclic = {};
  cyclic.self = cyclic;
  const attempts = [
    () => verifier.verify(42),
    () => verifier.verify(undefined),
    () => verifier.verify("a".repeat(1 << 20)),
    () => verifier.verify("\u0000.\uffff.\ud800"),
    () => verifier.verify("e30.e30.", { now: Number.NaN }),
    () => verifier.verify("e30.e30.", { now: -1 }),
    () => verifier.verify("e30.e30.", { now: "soon" }),
    () => guard.signToken(cyclic, privateJwk),
    () => guard.signToken({ big: 1n }, privateJwk),
    () => guard.signToken([], privateJwk),
    () => guard.signToken({ sub: "a" }, "{not json"),
    () => new guard.Policy(null),
    () => new guard.Policy("[".repeat(100_000)),
    () => new guard.Guard({ jwks, policy: POLICY, extra: 1 }),
    () => new guard.Guard({ jwks, policy: POLICY }).check({ token: "x", action: 1, resource: "r" }),
    () => new guard.Guard({ jwks, policy: POLICY }).check({ token: "x", action: "a", resource: "r", context: [] }),
  ];
  for (const [index, attempt] of attempts.entries()) {
    assert.throws(attempt, (error) => {
      assert.ok(error instanceof guard.Mem8GuardError, `attempt ${index}: ${error}`);
      assert.notEqual(error.code, "ERR_INTERNAL", `attempt ${index}: ${error.message}`);
      return true;
    });
  }

  // The module still answers correctly afterwards.
  const token = guard.signToken({ sub: "a", exp: NOW + 60 }, privateJwk);
  assert.equal(verifier.verify(token, { now: NOW }).claims.sub, "a");
});

test("tokens reach the module intact at every length", () => {
  // The facade writes tokens into a reused buffer up to 21,845 characters
  // and into a fresh one above.
  const { privateJwk, jwks } = fixture();
  const verifier = new guard.TokenVerifier(jwks, { maxTokenLength: 100_000 });
  const sign = (pad) => guard.signToken({ sub: "a", exp: NOW + 60, pad }, privateJwk);
  const short = sign("s");
  const long = sign("l".repeat(9_000));
  const huge = sign("h".repeat(30_000));
  assert.ok(long.length > 4096 / 3, `${long.length}`);
  assert.ok(long.length < 21_845, `${long.length}`);
  assert.ok(huge.length > 21_845, `${huge.length}`);

  const pads = new Map([
    [short, "s"],
    [long, "l".repeat(9_000)],
    [huge, "h".repeat(30_000)],
  ]);
  for (const token of [short, long, short, huge, short]) {
    const { claims } = verifier.verify(token, { now: NOW });
    assert.equal(claims.pad, pads.get(token));
  }
  // A character outside ASCII after a valid token is a malformed token.
  assert.throws(() => verifier.verify(`${short}é`, { now: NOW }), { code: "ERR_JWT_MALFORMED" });

  const checker = new guard.Guard({ jwks, policy: POLICY });
  const request = { action: "read", resource: "doc:1" };
  const viewer = guard.signToken({ sub: "a", exp: NOW + 60, roles: ["viewer"], pad: "p".repeat(9_000) }, privateJwk);
  assert.equal(checker.check({ ...request, token: viewer }, { now: NOW }).decision, "allow");
  assert.equal(checker.check({ ...request, token: short }, { now: NOW }).decision, "deny");
});

test("jws payload is bytes", () => {
  const { privateJwk, jwks } = fixture();
  const token = guard.signToken({ sub: "a", exp: NOW + 60 }, privateJwk);
  const verifier = new guard.TokenVerifier(jwks);
  const { payload, header } = verifier.verifyJws(token);
  assert.ok(payload instanceof Uint8Array);
  assert.deepEqual(JSON.parse(new TextDecoder().decode(payload)), { exp: NOW + 60, sub: "a" });
  assert.equal(header.kid, "k1");
});

test("generated keys", () => {
  const hmac = guard.generateKey("HS256");
  assert.equal(hmac.publicJwk, null);
  assert.equal(hmac.privateJwk.kty, "oct");
  assert.equal(typeof hmac.privateJwk.kid, "string");
  assert.notEqual(guard.generateKey("HS256").privateJwk.k, hmac.privateJwk.k);
  const ec = guard.generateKey("ES256");
  assert.equal(ec.publicJwk.crv, "P-256");
  assert.equal(ec.publicJwk.d, undefined);
  assert.equal(typeof ec.privateJwk.d, "string");
});

test("policy authorize and limits", () => {
  const policy = new guard.Policy(POLICY);
  assert.equal(policy.ruleCount, 2);
  const decision = policy.authorize({ principal: { id: "v", roles: ["viewer"] }, action: "read", resource: "doc:7" });
  assert.deepEqual(decision.reasons, ["viewers-read"]);
  assert.throws(() => new guard.Policy(POLICY, { limits: { maxRules: 1 } }), { code: "ERR_POLICY_LIMIT_EXCEEDED" });
  assert.throws(() => policy.authorize({ principal: { id: "v", role: "x" }, action: "read", resource: "d" }), {
    code: "ERR_INVALID_ARGUMENT",
  });
});

test("hostile option objects give typed errors", () => {
  const { privateJwk, jwks } = fixture();
  const token = guard.signToken({ sub: "a", exp: NOW + 60 }, privateJwk);
  const verifier = new guard.TokenVerifier(jwks);
  const throwing = new Proxy({}, { ownKeys() { throw new Error("trap"); }, get() { throw new Error("trap"); } });
  const attempts = [
    () => verifier.verify(token, { get now() { throw new Error("getter"); } }),
    () => guard.verifyToken(token, jwks, throwing),
    () => new guard.TokenVerifier(jwks, throwing),
    () => new guard.TokenVerifier(jwks, { get leeway() { throw new Error("getter"); } }),
    () => guard.generateKey("HS256", { get kid() { throw new Error("getter"); } }),
    () => new guard.Policy(POLICY, { limits: throwing }),
    () => new guard.Guard({ jwks, policy: POLICY }).check({ get token() { throw new Error("getter"); }, action: "a", resource: "r" }),
    () => new guard.TokenVerifier(jwks, { constructor: 1 }),
    () => new guard.TokenVerifier(jwks, JSON.parse('{"__proto__":{"leeway":99999}}')),
    () => guard.Keyring.generate({ now: NOW }).rotationDue({ constructor: 1 }),
  ];
  for (const [index, attempt] of attempts.entries()) {
    assert.throws(attempt, (error) => {
      assert.ok(error instanceof guard.InvalidArgumentError, `attempt ${index}: ${error}`);
      return true;
    });
  }

  // null options mean none, as undefined does.
  assert.equal(verifier.verify(token, null).claims.sub, "a");
  assert.equal(guard.verifyToken(token, jwks, null).claims.sub, "a");
  assert.equal(typeof guard.generateKey("HS256", null).privateJwk.k, "string");
  assert.equal(new guard.Policy(POLICY, null).ruleCount, 2);
  assert.equal(guard.Keyring.generate(null).keys.length, 1);
});

test("free is idempotent and use after free is typed", () => {
  const { jwks } = fixture();
  const objects = [new guard.TokenVerifier(jwks), new guard.Policy(POLICY), guard.Keyring.generate({ now: NOW })];
  for (const object of objects) {
    object.free();
    object.free();
  }
  const [verifier, policy, ring] = objects;
  for (const use of [() => verifier.keyCount, () => verifier.verify("a.b.c"), () => policy.ruleCount, () => ring.keys, () => ring.toJson()]) {
    assert.throws(use, (error) => error instanceof guard.InvalidArgumentError && /was freed/.test(error.message));
  }
});

test("non-finite numbers rejected", () => {
  const { privateJwk } = guard.generateKey("HS256");
  for (const bad of [NaN, Infinity, -Infinity]) {
    assert.throws(() => guard.signToken({ sub: "a", exp: bad }, privateJwk), {
      code: "ERR_INVALID_ARGUMENT",
      message: /claims\.exp must be a finite number/,
    });
    assert.throws(() => new guard.TokenVerifier({ keys: [privateJwk] }, { algorithms: ["HS256"], leeway: bad }), {
      code: "ERR_INVALID_ARGUMENT",
      message: /options\.leeway must be a finite number/,
    });
    const ring = guard.Keyring.generate({ now: 1_800_000_000 });
    assert.throws(() => ring.rotationDue({ maxAge: bad }, { now: 1_800_000_000 }), {
      code: "ERR_INVALID_ARGUMENT",
      message: /maxAge must be a finite number/,
    });
    ring.free();
  }
});

test("claims serialize like JSON.stringify", () => {
  const { privateJwk } = guard.generateKey("HS256");
  const verifier = new guard.TokenVerifier({ keys: [privateJwk] }, { algorithms: ["HS256"] });
  const when = new Date(Date.UTC(2026, 0, 2));
  const token = guard.signToken({ sub: "a", exp: 1_800_000_060, at: when, deep: { list: [1, { x: "y" }] } }, privateJwk);
  const { claims } = verifier.verify(token, { now: 1_800_000_000 });
  assert.equal(claims.at, "2026-01-02T00:00:00.000Z");
  assert.deepEqual(claims.deep, { list: [1, { x: "y" }] });

  // A non-finite number behind toJSON or deep in the claims is still found.
  assert.throws(() => guard.signToken({ sub: "a", v: { toJSON: () => NaN } }, privateJwk), {
    code: "ERR_INVALID_ARGUMENT",
    message: /claims\.v must be a finite number/,
  });
  let deep = { n: Infinity };
  for (let i = 0; i < 80; i++) deep = { deep };
  assert.throws(() => guard.signToken({ sub: "a", deep }, privateJwk), { code: "ERR_INVALID_ARGUMENT" });
  const cycle = { sub: "a" };
  cycle.self = cycle;
  assert.throws(() => guard.signToken(cycle, privateJwk), { code: "ERR_INVALID_ARGUMENT", message: /cannot be serialized/ });
});

test("detached buffer rejected", () => {
  const ring = guard.Keyring.generate({ now: 1_800_000_000 });
  const bytes = new Uint8Array(8);
  structuredClone(bytes.buffer, { transfer: [bytes.buffer] });
  assert.throws(() => ring.encrypt(bytes), { code: "ERR_INVALID_ARGUMENT", message: /detached/ });
  assert.throws(() => ring.encrypt(new Uint8Array(2), bytes), { code: "ERR_INVALID_ARGUMENT", message: /aad .*detached/ });
  // An ordinary empty view is fine.
  assert.deepEqual(ring.decrypt(ring.encrypt(new Uint8Array(0))), new Uint8Array(0));
  ring.free();
});
