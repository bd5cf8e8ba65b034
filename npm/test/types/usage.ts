// A typed use of every export, checked by `npm run typecheck` (tsc --noEmit).
// It is compiled, never run.
import {
  AccessReport,
  Decision,
  Diagnostic,
  Explanation,
  PermissionReport,
  PolicyError,
  Schema,
  formatPolicyText,
  policyJsonToText,
  policyTextToJson,
  Guard,
  KeyError,
  Mem8GuardError,
  Policy,
  PolicyDocument,
  TokenError,
  TokenVerifier,
  VerifiedToken,
  CryptoError,
  Keyring,
  StreamDecryptor,
  StreamEncryptor,
  StreamInfo,
  MAX_ENVELOPE_BYTES,
  coreVersion,
  decryptionStream,
  encryptionStream,
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

const conditional: PolicyDocument = {
  version: 2,
  roles: { viewer: {}, editor: { inherits: ["viewer"] } },
  action_groups: { writes: ["create", "update"] },
  assignments: { carol: ["editor"] },
  rules: [
    {
      id: "own",
      effect: "permit",
      principal: { role: "editor" },
      action: { group: "writes" },
      resource: { type: "doc" },
      when: { "==": [{ ".": [{ var: "resource" }, "owner"] }, { ".": [{ var: "principal" }, "id"] }] },
      unless: { inCidr: [{ ".": [{ var: "context" }, "ip"] }, "203.0.113.0/24"] },
    },
  ],
};
const abac = new Policy(conditional, { limits: { maxSteps: 1000, maxExpressionDepth: 16 } });
const request = {
  principal: { id: "erin", roles: ["editor"] },
  action: "update",
  resource: "doc:1",
  resourceAttributes: { owner: "erin" },
  context: { ip: "198.51.100.7" },
};
const explained: Explanation = abac.explain(request);
const firstResult: string | undefined = explained.rules[0]?.result;
const access: AccessReport = abac.whoCan("update", "doc:1");
const ofRole: PermissionReport = abac.permissionsOfRole("editor");
const ofPrincipal: PermissionReport = abac.permissionsOfPrincipal("carol", []);
const unused: string[] = abac.unusedPermissions([abac.authorize(request)]);
const schema: Schema = { resources: { doc: { owner: "string" } }, context: { ip: "string" } };
const violations: Diagnostic[] = abac.validate(schema);
const warnings: Diagnostic[] = abac.lint(schema);
const text: string = abac.toText();
const same: Policy = Policy.fromText(text);
const document2: PolicyDocument = abac.toJSON();
const documentText2: string = abac.toJSONText();
const formatted: string = formatPolicyText(text);
const roundTrip: string = policyJsonToText(policyTextToJson(text));
try {
  Policy.fromText("version 2; permit");
} catch (error) {
  if (error instanceof PolicyError) report(error.code === "ERR_POLICY_SYNTAX_ERROR");
}

report(subject, direct, allowed, firstError, coreVersion(), policy.ruleCount, verifier.keyCount);
report(firstResult, access.roles, ofRole.permits, ofPrincipal.roles, unused, violations, warnings);
report(same.ruleCount, document2.version, formatted, roundTrip);
guard.free();

const streamRing = Keyring.generate();
const envelopeLimit: number = MAX_ENVELOPE_BYTES;
report(envelopeLimit > 0);
const encryptor: StreamEncryptor = streamRing.streamEncryptor({ aad: new Uint8Array(1), chunkSize: 4096 });
const streamHeader: Uint8Array = encryptor.header;
const streamInfo: StreamInfo | null = encryptor.info;
const sealedChunks: Uint8Array = encryptor.update(new Uint8Array(10));
const finalChunk: Uint8Array = encryptor.finish();
const decryptor: StreamDecryptor = streamRing.streamDecryptor({ aad: new Uint8Array(1) });
const openedBytes: Uint8Array = decryptor.update(streamHeader);
try {
  decryptor.finish();
} catch (error) {
  if (error instanceof CryptoError) report(error.code === "ERR_CRYPTO_TRUNCATED");
}
const transforms: [TransformStream<Uint8Array, Uint8Array>, TransformStream<Uint8Array, Uint8Array>] = [
  encryptionStream(streamRing, { chunkSize: 1024 }),
  decryptionStream(streamRing),
];
report(streamInfo?.keyId, streamInfo?.chunkSize, sealedChunks, finalChunk, openedBytes, decryptor.info, transforms);
streamRing.free();
