// Interop with jose in both directions: tokens jose signs verify in the
// package, and tokens the package signs verify in jose, for every algorithm
// both support (the package signs HS*, EdDSA and ES256 only).
import { test } from "node:test";
import assert from "node:assert/strict";
import * as jose from "jose";

import * as guard from "../src/node.js";

const NOW = 1_800_000_000;
const CLAIMS = { sub: "alice", iss: "https://issuer.example", exp: NOW + 600, roles: ["editor"] };

test("tokens signed by jose verify in the package", async () => {
  for (const alg of ["HS256", "HS384", "HS512", "EdDSA", "ES256", "RS256", "RS384", "RS512", "PS256", "PS384", "PS512"]) {
    let signingKey;
    let jwk;
    if (alg.startsWith("HS")) {
      const secret = crypto.getRandomValues(new Uint8Array(Number(alg.slice(2)) / 8));
      signingKey = secret;
      jwk = { kty: "oct", k: jose.base64url.encode(secret) };
    } else {
      const pair = await jose.generateKeyPair(alg, { extractable: true, crv: alg === "EdDSA" ? "Ed25519" : undefined });
      signingKey = pair.privateKey;
      jwk = await jose.exportJWK(pair.publicKey);
    }
    const token = await new jose.SignJWT(CLAIMS).setProtectedHeader({ alg, kid: "k1", typ: "JWT" }).sign(signingKey);

    const verifier = new guard.TokenVerifier({ keys: [{ ...jwk, kid: "k1", alg }] }, { issuers: [CLAIMS.iss] });
    const verified = verifier.verify(token, { now: NOW });
    assert.deepEqual(verified.claims, CLAIMS, alg);
    assert.equal(verified.header.alg, alg);

    const tampered = token.slice(0, -2) + (token.at(-2) === "A" ? "B" : "A") + token.at(-1);
    assert.throws(() => verifier.verify(tampered, { now: NOW }), { coreCode: "bad_signature" }, alg);
    verifier.free();
  }
});

test("tokens signed by the package verify in jose", async () => {
  for (const alg of ["HS256", "HS384", "HS512", "EdDSA", "ES256"]) {
    const { privateJwk, publicJwk } = guard.generateKey(alg, { kid: "k2" });
    const token = guard.signToken(CLAIMS, privateJwk);

    const key = await jose.importJWK(publicJwk ?? privateJwk, alg);
    const { payload, protectedHeader } = await jose.jwtVerify(token, key, {
      issuer: CLAIMS.iss,
      currentDate: new Date(NOW * 1000),
      algorithms: [alg],
    });
    assert.deepEqual(payload, CLAIMS, alg);
    assert.equal(protectedHeader.kid, "k2");
    assert.equal(protectedHeader.typ, "JWT");
  }
});
