// Types of the mem8-guard package. Every entry point (node, web, workerd,
// edge) exports this same API.

/** A JSON value as JSON.parse returns it. */
export type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

/** A JSON Web Key (RFC 7517); unknown members are ignored. */
export interface Jwk {
  kty: string;
  kid?: string;
  alg?: string;
  use?: string;
  key_ops?: string[];
  crv?: string;
  x?: string;
  y?: string;
  n?: string;
  e?: string;
  /** Private part (OKP, EC, RSA): for signing only, since key sets for verification reject it. */
  d?: string;
  /** Shared secret (oct). */
  k?: string;
  [member: string]: Json | undefined;
}

/** A JSON Web Key Set. */
export interface Jwks {
  keys: Jwk[];
}

export type Algorithm =
  | "HS256" | "HS384" | "HS512"
  | "EdDSA" | "ES256"
  | "RS256" | "RS384" | "RS512"
  | "PS256" | "PS384" | "PS512";

/** Token validation options; every one is optional. */
export interface ValidationOptions {
  /** Accepted algorithms. Default: the `alg` of each key in the set. */
  algorithms?: Algorithm[];
  /** Accepted `iss` values. Default: not checked. */
  issuers?: string[];
  /** Accepted audiences. Default: none, so a token carrying `aud` is rejected. */
  audiences?: string[];
  /** Required `sub`. Default: not checked. Not empty (`ERR_JWT_INVALID_OPTION`). */
  subject?: string;
  /** Required header `typ` (case-insensitive, `application/` ignored). Not empty (`ERR_JWT_INVALID_OPTION`). */
  typ?: string;
  /** Claims that must be present, with any value (`"sub": ""` is present). Default `["exp"]`. */
  requiredClaims?: string[];
  /** Clock skew tolerated for `exp`, `nbf` and `iat`, in seconds. Default 0, at most 3600 (`ERR_JWT_INVALID_OPTION` above). */
  leeway?: number;
  /** Maximum age from `iat`, in seconds. Default: not checked. */
  maxAge?: number;
  /** Maximum compact token length in bytes. Default 16384, at most 4294967295 (`ERR_JWT_INVALID_OPTION` above). */
  maxTokenLength?: number;
  /** Maximum JSON nesting of header and payload. Default 16, at most 127 (`ERR_JWT_INVALID_OPTION` above). */
  maxJsonDepth?: number;
  /** Maximum members per object or elements per array. Default 100, at most 4294967295 (`ERR_JWT_INVALID_OPTION` above). */
  maxClaims?: number;
}

/** The time to check against, in Unix seconds. Default: `Date.now()`. */
export interface AtTime {
  now?: number;
}

export interface ProtectedHeader {
  alg: Algorithm;
  kid?: string;
  typ?: string;
}

export interface VerifiedToken {
  header: ProtectedHeader;
  claims: { [claim: string]: Json };
}

export interface VerifiedJws {
  header: ProtectedHeader;
  payload: Uint8Array;
}

export class TokenVerifier {
  /** @throws {KeyError} for an invalid key set; {InvalidArgumentError} for bad options. */
  constructor(jwks: Jwks | string, options?: ValidationOptions);
  readonly keyCount: number;
  readonly skippedKeys: number;
  /** @throws {TokenError} when the token is invalid. */
  verify(token: string, options?: AtTime): VerifiedToken;
  /** Verifies the signature only; the payload may be any bytes. */
  verifyJws(jws: string): VerifiedJws;
  free(): void;
  [Symbol.dispose](): void;
}

/** Verifies one token; for many, build a `TokenVerifier` once. */
export function verifyToken(token: string, jwks: Jwks | string, options?: ValidationOptions & AtTime): VerifiedToken;

/** Signs claims with a private JWK (oct HS*, OKP Ed25519 or EC P-256). */
export function signToken(claims: { [claim: string]: Json }, privateJwk: Jwk | string): string;

export interface GeneratedKey {
  /** Contains the secret: store it as a secret. */
  privateJwk: Jwk;
  /** `null` for HMAC secrets, which have no public part. */
  publicJwk: Jwk | null;
}

/** Generates a signing key with randomness from `crypto.getRandomValues`. */
export function generateKey(alg: "HS256" | "HS384" | "HS512" | "EdDSA" | "ES256", options?: { kid?: string }): GeneratedKey;

export interface RoleDefinition {
  inherits?: string[];
  description?: string;
}

/**
 * A condition in the JSON form: an object with one member naming the
 * operator. Binary operators take a two-element array; `&&` and `||` take
 * two or more operands.
 */
export type Expr =
  | { value: Json }
  | { var: "principal" | "action" | "resource" | "context" }
  | { ".": [Expr, string] }
  | { has: [Expr, string] }
  | { "==": [Expr, Expr] }
  | { "!=": [Expr, Expr] }
  | { "<": [Expr, Expr] }
  | { "<=": [Expr, Expr] }
  | { ">": [Expr, Expr] }
  | { ">=": [Expr, Expr] }
  | { "&&": Expr[] }
  | { "||": Expr[] }
  | { "!": Expr }
  | { in: [Expr, Expr] }
  | { role: string }
  | { contains: [Expr, Expr] }
  | { containsAll: [Expr, Expr] }
  | { containsAny: [Expr, Expr] }
  | { like: [Expr, string] }
  | { isIp: Expr }
  | { inCidr: [Expr, string] }
  | { time: Expr }
  | { hourOfDay: Expr }
  | { dayOfWeek: Expr };

export interface RuleDefinition {
  id: string;
  effect: "permit" | "forbid";
  /** Absent: any principal. */
  principal?: { role: string } | { id: string };
  /** One action, a list, `"*"` for any, or (version 2) a declared group. */
  action: string | string[] | { group: string };
  /**
   * Anchored glob: `*` matches any run of characters; `\*` is a literal star.
   * Or (version 2) `{ type }`: every resource whose text before the first `:` is `type`.
   */
  resource: string | { type: string };
  /** Version 2: must be true for the rule to apply. */
  when?: Expr;
  /** Version 2: must be false for the rule to apply. */
  unless?: Expr;
  description?: string;
}

export interface PolicyDocument {
  /** 1 for roles and rules only; 2 adds conditions, groups, types and assignments. */
  version: 1 | 2;
  roles?: { [name: string]: RoleDefinition };
  /** Version 2: named lists of actions. */
  action_groups?: { [name: string]: string[] };
  /** Version 2: declared roles given to principal ids. */
  assignments?: { [principalId: string]: string[] };
  rules?: RuleDefinition[];
}

/**
 * Policy limits, each optional. Every limit has a maximum, the same in every
 * runtime: 127 for `maxJsonDepth`, 256 for `maxExpressionDepth` and
 * 4294967295 (the largest 32-bit count) for every other limit. A larger value
 * throws `ERR_POLICY_INVALID_LIMIT` naming the limit and its maximum.
 */
export interface PolicyLimits {
  /** Maximum rules in a document. Default 100000, at most 4294967295. */
  maxRules?: number;
  /** Maximum declared roles. Default 10000, at most 4294967295. */
  maxRoles?: number;
  /** Maximum inheritance steps below any role. Default 64, at most 4294967295. */
  maxInheritanceDepth?: number;
  /** Maximum action names in a rule or an action group. Default 256, at most 4294967295. */
  maxActionsPerRule?: number;
  /** Maximum length of a resource pattern or type, in bytes. Default 1024, at most 4294967295. */
  maxPatternLength?: number;
  /**
   * Maximum JSON nesting of the policy document, the document being level 1;
   * the text form is held to the nesting of its JSON form. Default 96, at most 127.
   */
  maxJsonDepth?: number;
  /** Maximum length of an action or resource evaluated, in bytes; longer ones are denied. Default 4096, at most 4294967295. */
  maxRequestLength?: number;
  /** Deepest condition. Default 32, at most 256. */
  maxExpressionDepth?: number;
  /** Maximum list length, in a condition or read from a request. Default 1000, at most 4294967295. */
  maxListLength?: number;
  /** Evaluation steps per decision. Default 10000, at most 4294967295. */
  maxSteps?: number;
}

export interface Principal {
  id: string;
  roles?: string[];
  /** Read by conditions as `principal.NAME`, except `id` and `roles`. */
  attributes?: { [name: string]: Json };
}

export interface AuthorizeRequest {
  /** Its `attributes` nest at most 64 levels (`ERR_INVALID_ARGUMENT` deeper). */
  principal: Principal;
  action: string;
  resource: string;
  /** Read by conditions as `resource.NAME`, except `id` and `type`. At most 64 levels deep. */
  resourceAttributes?: { [name: string]: Json };
  /**
   * Read by conditions as `context.NAME`; absent or `null` is empty. At most
   * 64 levels deep, counting the context object as level 1
   * (`ERR_INVALID_ARGUMENT` deeper). A value that is not an object is denied
   * with an `invalid_request` decision error.
   */
  context?: { [name: string]: Json } | null;
}

export interface DecisionError {
  /**
   * Stable snake_case code, for example `token_expired`, `missing_attribute`,
   * `type_mismatch`, `invalid_value`, `limit_exceeded`, `request_too_large`
   * or `invalid_request` (a context that is not an object).
   */
  code: string;
  message: string;
  /** The rule the error belongs to, if any. */
  rule?: string;
}

/** An explained decision; a deny is a value, never an exception. */
export interface Decision {
  decision: "allow" | "deny";
  /** Ids of the rules that decided it: satisfied or erroring forbids, or satisfied permits. */
  reasons: string[];
  errors: DecisionError[];
}

export type RuleResult =
  | "applied"
  | "action_mismatch"
  | "principal_mismatch"
  | "resource_mismatch"
  | "when_false"
  | "unless_true"
  | "error"
  | "not_evaluated";

export interface Explanation {
  decision: Decision;
  /** Every rule, in policy order. */
  rules: { rule: string; effect: "permit" | "forbid"; result: RuleResult; detail?: string }[];
}

export interface SubjectAccess {
  name: string;
  permits: string[];
  forbids: string[];
  /** Some permit has no condition and no forbid applies. */
  certain: boolean;
}

export interface AccessReport {
  /** Permit rules for every principal. */
  everyone: string[];
  roles: SubjectAccess[];
  principals: SubjectAccess[];
}

export interface Permission {
  rule: string;
  effect: "permit" | "forbid";
  actions: string[];
  resource: string | { type: string };
  conditional: boolean;
}

export interface PermissionReport {
  roles: string[];
  permits: Permission[];
  forbids: Permission[];
}

export type AttributeType =
  | "string"
  | "integer"
  | "boolean"
  | { list: AttributeType }
  | { record: { [name: string]: AttributeType } };

export interface Schema {
  principal?: { [name: string]: AttributeType };
  resources?: { [type: string]: { [name: string]: AttributeType } };
  context?: { [name: string]: AttributeType };
  actions?: { [name: string]: { resources?: string[] } };
}

export interface Diagnostic {
  /** For example `unknown_attribute`, `type_error`, `shadowed_by_forbid`. */
  code: string;
  severity: "error" | "warning";
  rule?: string;
  message: string;
}

export class Policy {
  /** @throws {PolicyError} for an invalid document. */
  constructor(document: PolicyDocument | string, options?: { limits?: PolicyLimits });
  /** @throws {PolicyError} with code `ERR_POLICY_SYNTAX_ERROR` and the line and column in the message. */
  static fromText(text: string, options?: { limits?: PolicyLimits }): Policy;
  readonly ruleCount: number;
  authorize(request: AuthorizeRequest): Decision;
  explain(request: AuthorizeRequest): Explanation;
  whoCan(action: string, resource: string): AccessReport;
  /** @throws {PolicyError} `ERR_POLICY_UNKNOWN_ROLE` for an undeclared role. */
  permissionsOfRole(role: string): PermissionReport;
  permissionsOfPrincipal(id: string, roles?: string[]): PermissionReport;
  unusedPermissions(decisions: Decision[]): string[];
  validate(schema: Schema | string): Diagnostic[];
  lint(schema?: Schema | string): Diagnostic[];
  toText(): string;
  /** Throws `ERR_POLICY_UNSAFE_INTEGER` for an integer beyond 2^53; see `toJSONText`. */
  toJSON(): PolicyDocument;
  /** The JSON form as text, exact for every number. */
  toJSONText(): string;
  free(): void;
  [Symbol.dispose](): void;
}

/** @throws {PolicyError} `ERR_POLICY_SYNTAX_ERROR` for invalid text. */
export function formatPolicyText(text: string): string;
export function policyTextToJson(text: string): PolicyDocument;
export function policyJsonToText(document: PolicyDocument | string): string;

export interface GuardConfig {
  jwks: Jwks | string;
  policy: PolicyDocument | string;
  validation?: ValidationOptions;
  principal?: {
    /**
     * Claims or dotted paths containing roles, read in order and merged.
     * Default `["roles"]`. An entry with `/` or `:` is one claim name; any
     * other entry with a dot is a path into nested objects only. An empty
     * entry or an empty path segment (`a..b`, `.a`, `a.`) throws
     * `ERR_INVALID_ARGUMENT`.
     */
    rolesClaims?: string[];
  };
}

export interface GuardRequest {
  /** The bearer token, without the `Bearer ` scheme. */
  token: string;
  action: string;
  resource: string;
  /**
   * An object, or its JSON text; absent or `null` is empty. At most 64
   * levels deep (`ERR_INVALID_ARGUMENT` deeper). JSON text of a value that is
   * not an object is denied with an `invalid_request` decision error.
   */
  context?: { [name: string]: Json } | string | null;
  /** Read by conditions as `resource.NAME`. At most 64 levels deep. */
  resourceAttributes?: { [name: string]: Json };
}

export class Guard {
  /** @throws {KeyError | PolicyError | InvalidArgumentError} */
  constructor(config: GuardConfig);
  /**
   * An invalid token gives a deny decision with a `token_*` error, and claims
   * that name no principal (an empty `sub`) or no clear roles a deny with a
   * `principal_*` error.
   */
  check(request: GuardRequest, options?: AtTime): Decision;
  free(): void;
  [Symbol.dispose](): void;
}

export type AeadAlgorithm = "XC20P" | "C20P";

export interface KeyMetadata {
  /** Random 32-bit id as eight hex digits, written into every envelope the key makes. */
  id: string;
  algorithm: AeadAlgorithm;
  /** `primary` encrypts; `enabled` decrypts only; `disabled` refuses; `destroyed` is zeroized. */
  state: "primary" | "enabled" | "disabled" | "destroyed";
  /** Creation time, Unix seconds. */
  created: number;
  /** Messages encrypted with the key, as counted by this keyring. */
  messages: number;
}

export interface RotationPolicy {
  /** Maximum primary key age in seconds. Default 90 days. */
  maxAge?: number;
  /** Message limit of an XC20P primary. Default: none. */
  maxMessagesXChaCha20?: number;
  /**
   * Message count at which a C20P primary (random 96-bit nonces) is due for rotation.
   * Default 2^30. Separately, a C20P key stops encrypting at 2^32 messages.
   */
  maxMessagesChaCha20?: number;
}

export class Keyring {
  private constructor();
  static generate(options?: { algorithm?: AeadAlgorithm } & AtTime): Keyring;
  static fromJson(document: object | string): Keyring;
  /**
   * @throws {KeyringError} `ERR_KEYRING_WRONG_KEK` for the wrong key-encryption key,
   * `ERR_KEYRING_WEAK_KEK` for the all-zero one.
   */
  static open(sealed: string, kek: Uint8Array): Keyring;
  /** Contains every key: store it as a secret. */
  toJson(): string;
  /** @throws {KeyringError} `ERR_KEYRING_WEAK_KEK` when `kek` is all zero bytes. */
  seal(kek: Uint8Array): string;
  readonly keys: KeyMetadata[];
  add(options?: { algorithm?: AeadAlgorithm } & AtTime): string;
  rotate(options?: { algorithm?: AeadAlgorithm } & AtTime): string;
  promote(id: string): void;
  enable(id: string): void;
  disable(id: string): void;
  destroy(id: string): void;
  /**
   * Encrypts with the primary key and counts one message on it.
   * @throws {CryptoError} `ERR_CRYPTO_KEY_EXHAUSTED` when a C20P primary has encrypted
   * 2^32 messages; the keyring is unchanged, and `rotate` makes a fresh primary.
   */
  encrypt(plaintext: Uint8Array, aad?: Uint8Array): Uint8Array;
  /**
   * As `encrypt`, with the envelope as base64url text.
   * @throws {InvalidArgumentError} when the text would be longer than 2^29 - 24
   * characters, V8's longest string: plaintexts over 402,653,120 bytes, in every
   * runtime. Use `encrypt` for those.
   */
  encryptToText(plaintext: Uint8Array, aad?: Uint8Array): string;
  /**
   * Takes envelopes of up to `MAX_ENVELOPE_BYTES` plus 46 bytes (header and tag),
   * so every envelope that `encrypt` writes.
   * @throws {CryptoError} for a tampered envelope, wrong aad, or an unknown, disabled or destroyed key.
   */
  decrypt(envelope: Uint8Array, aad?: Uint8Array): Uint8Array;
  decryptText(envelope: string, aad?: Uint8Array): Uint8Array;
  rotationDue(policy?: RotationPolicy, options?: AtTime): { reason: string; message: string } | null;
  /**
   * Starts a stream under the primary key and counts one message on it.
   * @throws {CryptoError} `ERR_CRYPTO_INVALID_CHUNK_SIZE` outside 1024 to 16777216 bytes,
   * `ERR_CRYPTO_KEY_EXHAUSTED` when a C20P primary has encrypted 2^32 messages.
   */
  streamEncryptor(options?: StreamEncryptorOptions): StreamEncryptor;
  /** Starts decrypting a stream, header included; the key is looked up when the header has arrived. */
  streamDecryptor(options?: StreamDecryptorOptions): StreamDecryptor;
  free(): void;
  [Symbol.dispose](): void;
}

export interface StreamDecryptorOptions {
  /** Associated data bound to every chunk; empty by default. */
  aad?: Uint8Array;
}

export interface StreamEncryptorOptions extends StreamDecryptorOptions {
  /** Plaintext bytes in every chunk but the last, 1024 to 16777216; default 65536. */
  chunkSize?: number;
}

/** The public fields of a stream header. */
export interface StreamInfo {
  /** Eight lowercase hex digits. */
  keyId: string;
  algorithm: AeadAlgorithm;
  chunkSize: number;
}

/** Encrypts one stream: write `header`, then every `update` result, then `finish()`. */
export class StreamEncryptor {
  private constructor();
  /** The stream header, a copy on each read. */
  readonly header: Uint8Array;
  /** `null` after `finish`. */
  readonly info: StreamInfo | null;
  /** Returns the chunks `plaintext` completes, possibly empty. */
  update(plaintext: Uint8Array): Uint8Array;
  /** Returns the final chunk; later calls throw `ERR_INVALID_ARGUMENT`. */
  finish(): Uint8Array;
  free(): void;
  [Symbol.dispose](): void;
}

/** Decrypts one stream; its plaintext is complete only once `finish()` succeeds. */
export class StreamDecryptor {
  private constructor();
  /** `null` until the header has arrived and after `finish`. */
  readonly info: StreamInfo | null;
  /**
   * @throws {CryptoError} `ERR_CRYPTO_DECRYPTION_FAILED` for a modified, reordered or dropped chunk
   * or wrong aad; `ERR_CRYPTO_UNKNOWN_KEY`, `ERR_CRYPTO_KEY_DISABLED` and the other key errors.
   */
  update(ciphertext: Uint8Array): Uint8Array;
  /** @throws {CryptoError} `ERR_CRYPTO_TRUNCATED` when the stream ended before its final chunk. */
  finish(): Uint8Array;
  free(): void;
  [Symbol.dispose](): void;
}

declare global {
  // Merges with the DOM's or Node's `TransformStream` where the caller's
  // types have one, and names an opaque type where they do not.
  interface TransformStream<I = any, O = any> {}
}

/** Returns a `TransformStream` that encrypts the bytes written to it into a stream. */
export function encryptionStream(keyring: Keyring, options?: StreamEncryptorOptions): TransformStream<Uint8Array, Uint8Array>;
/** Returns a `TransformStream` that decrypts a stream; a stream cut short errors it at close. */
export function decryptionStream(keyring: Keyring, options?: StreamDecryptorOptions): TransformStream<Uint8Array, Uint8Array>;

/** Raw AEAD with caller-chosen nonces, for known-answer tests only. */
export const hazmat: {
  aeadSeal(algorithm: AeadAlgorithm, key: Uint8Array, nonce: Uint8Array, aad: Uint8Array, plaintext: Uint8Array): Uint8Array;
  aeadOpen(algorithm: AeadAlgorithm, key: Uint8Array, nonce: Uint8Array, aad: Uint8Array, sealed: Uint8Array): Uint8Array;
};

/**
 * The largest plaintext, in bytes (1 GiB), that one envelope call takes;
 * `decrypt` takes envelopes up to 46 bytes longer, the envelope of such a
 * plaintext. Larger ones are an `ERR_INVALID_ARGUMENT`. Streams have no
 * such limit: their updates reach the module in pieces of 1 MiB.
 */
export const MAX_ENVELOPE_BYTES: number;

export function coreVersion(): string;

/** Base class of every error this package throws. */
export class Mem8GuardError extends Error {
  /** Stable code in jose's style, for example `ERR_JWT_EXPIRED`. */
  readonly code: string;
  /** The core's snake_case code, for example `expired`. */
  readonly coreCode: string;
  /** For missing or invalid claims: the claim. */
  readonly claim?: string;
  /** For `ERR_JWT_TOO_LARGE`: `token_length`, `json_depth` or `claim_count`. */
  readonly limit?: string;
}
export class TokenError extends Mem8GuardError {}
export class KeyError extends Mem8GuardError {}
export class PolicyError extends Mem8GuardError {}
export class InvalidArgumentError extends Mem8GuardError {}
export class CryptoError extends Mem8GuardError {}
export class KeyringError extends Mem8GuardError {}
