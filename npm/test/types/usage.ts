// A typed use of every export, checked by `npm run typecheck` (tsc --noEmit).
// It is compiled, never run.
import {
  Decision,
  Guard,
  KeyError,
  Mem8GuardError,
  Policy,
  PolicyDocument,
  TokenError,
  TokenVerifier,
  VerifiedToken,
  coreVersion,
  generateKey,
  signToken,
  verifyToken,
} from "mem8-guard";

declare function report(...values: unknown[]): void;

const key = generateKey("EdDSA", { kid: "k1" });
const jwks = { keys: key.publicJwk === null ? [] : [key.publicJwk] };
const token: string = signToken({ sub: "alice", exp: 2_000_000_000, roles: ["editor"] }, key.privateJwk);

const verifier = new TokenVerifier(jwks, { issuers: ["https://issuer.example"], leeway: 30 });
const verified: VerifiedToken = verifier.verify(token, { now: 1_900_000_000 });
const subject: string | undefined = typeof verified.claims.sub === "string" ? verified.claims.sub : undefined;
verifier.verifyJws(token).payload satisfies Uint8Array;
verifyToken(token, jwks, { algorithms: ["EdDSA"], now: 1_900_000_000 });

const document: PolicyDocument = {
  version: 1,
  roles: { viewer: {}, editor: { inherits: ["viewer"] } },
  rules: [
    { id: "read", effect: "permit", principal: { role: "viewer" }, action: ["read"], resource: "doc:*" },
    { id: "no-legal", effect: "forbid", action: "*", resource: "doc:legal/*" },
  ],
};
const policy = new Policy(document, { limits: { maxRules: 10 } });
const direct: Decision = policy.authorize({ principal: { id: "alice", roles: ["editor"] }, action: "read", resource: "doc:1" });

const guard = new Guard({ jwks, policy: document, validation: { maxAge: 3600 }, principal: { rolesClaims: ["roles"] } });
const decision: Decision = guard.check({ token, action: "read", resource: "doc:1", context: { ip: "192.0.2.1" } });
const allowed: boolean = decision.decision === "allow";
const firstError: string | undefined = decision.errors[0]?.code;

try {
  verifier.verify("x");
} catch (error) {
  if (error instanceof TokenError) {
    const code: string = error.code;
    const claim: string | undefined = error.claim;
    report(code, claim);
  } else if (error instanceof KeyError || error instanceof Mem8GuardError) {
    report(error.coreCode);
  }
}

report(subject, direct, allowed, firstError, coreVersion(), policy.ruleCount, verifier.keyCount);
guard.free();
