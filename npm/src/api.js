// The package's API over the wasm-bindgen bindings. It converts arguments to
// JSON text, parses results, and turns the module's thrown JSON errors into
// typed Error subclasses. All logic lives in the Rust core.

import * as wasm from "../pkg/mem8_guard_wasm.js";

/** Base class of every error this package throws; `code` is stable. */
export class Mem8GuardError extends Error {
  constructor(info, options) {
    super(info.message, options);
    this.name = new.target.name;
    /** Stable code in jose's style, for example `ERR_JWT_EXPIRED`. */
    this.code = info.code;
    /** The core's snake_case code, for example `expired`; shared by every runtime. */
    this.coreCode = info.coreCode;
    if (info.claim !== undefined) this.claim = info.claim;
    if (info.limit !== undefined) this.limit = info.limit;
  }
}

/** A token failed verification: malformed, bad signature, expired, ... */
export class TokenError extends Mem8GuardError {}
/** A JWK or JWK Set could not be loaded or used. */
export class KeyError extends Mem8GuardError {}
/** A policy document could not be loaded. */
export class PolicyError extends Mem8GuardError {}
/** An argument has the wrong type or shape. */
export class InvalidArgumentError extends Mem8GuardError {}

// Filled in below as each area's classes are defined.
const ERROR_CLASSES = {
  token: TokenError,
  key: KeyError,
  policy: PolicyError,
  argument: InvalidArgumentError,
};

function toError(thrown) {
  if (thrown instanceof Mem8GuardError) return thrown;
  if (typeof thrown === "string" && thrown.startsWith("{")) {
    const info = JSON.parse(thrown);
    const ErrorClass = ERROR_CLASSES[info.kind] ?? Mem8GuardError;
    return new ErrorClass(info);
  }
  // A trap or a JS engine error: report it as internal, never untyped.
  const message = `internal error: ${thrown?.message ?? String(thrown)}`;
  return new Mem8GuardError({ code: "ERR_INTERNAL", coreCode: "internal", message }, { cause: thrown });
}

function invalid(message) {
  return new InvalidArgumentError({ code: "ERR_INVALID_ARGUMENT", coreCode: "invalid_argument", message });
}

function call(fn) {
  try {
    return fn();
  } catch (thrown) {
    throw toError(thrown);
  }
}

/**
 * Runs `fn` as `call` does, for a call that handles key material, then
 * zeroes the module's stack where that call ran. The module's allocator
 * zeroes freed heap blocks itself, but a stack frame that held a key stays
 * in memory until a later call overwrites it.
 */
// NOTE: `verify` and `check` use `call`, not `secretCall`, for speed, so
// the HMAC state of a symmetric key can stay in the module's stack.
function secretCall(fn) {
  try {
    return call(fn);
  } finally {
    wasm.scrubStack();
  }
}

/**
 * Runs argument conversion. A throwing getter, proxy or `toJSON`, or a
 * `null` where an object belongs, becomes an `InvalidArgumentError`.
 */
function convert(fn) {
  try {
    return fn();
  } catch (thrown) {
    if (thrown instanceof Mem8GuardError) throw thrown;
    throw invalid(`invalid argument: ${thrown?.message ?? String(thrown)}`);
  }
}

/** The options object of a call: `undefined` or `null` mean none. */
function optionsObject(options, name) {
  if (options === undefined || options === null) return {};
  if (typeof options !== "object") throw invalid(`${name} must be an object`);
  return options;
}

function requireString(value, name) {
  if (typeof value !== "string") throw invalid(`${name} must be a string, got ${typeof value}`);
  return value;
}

const textEncoder = new TextEncoder();

/** The largest token that `tokenBytes` writes into its reused buffer. */
const TOKEN_BUFFER_CHARS = 21_845;

/** Reused by `tokenBytes`, so that checking a token allocates no buffer. */
let tokenBuffer = new Uint8Array(4096);

/** The core's default `max_token_length`, in bytes. */
const DEFAULT_MAX_TOKEN_LENGTH = 16 * 1024;

/**
 * Returns the `max_token_length` of `validation`, options as `coreOptions`
 * renamed them for the core, or the default. Reading the renamed copy
 * gives the value the core reads, even from a getter. An invalid value
 * makes the core reject the options, so it is never used.
 */
function tokenLimit(validation) {
  const limit = validation.max_token_length;
  return Number.isSafeInteger(limit) && limit >= 0 ? limit : DEFAULT_MAX_TOKEN_LENGTH;
}

/**
 * Cuts a token of more than `limit` characters to `limit + 1` of them. It
 * has more than `limit` bytes either way, so the core rejects it as too
 * large, without copying a huge token into the module's memory, which
 * never shrinks.
 */
function cutToken(token, limit) {
  return token.length > limit ? token.slice(0, limit + 1) : token;
}

/**
 * Returns the UTF-8 bytes of `token`, cut by `cutToken`, in a buffer that
 * the next call overwrites, so pass them on at once. Encoding a whole token
 * with `TextEncoder` costs a fraction of wasm-bindgen's per-character copy
 * of a string argument, about 0.7 µs of a 9 µs HS256 verification in Node
 * 20. Tokens of more than TOKEN_BUFFER_CHARS characters get a fresh buffer.
 */
function tokenBytes(text, limit) {
  const token = cutToken(text, limit);
  // `encodeInto` writes at most 3 bytes per UTF-16 code unit.
  const needed = token.length * 3;
  if (token.length > TOKEN_BUFFER_CHARS) return textEncoder.encode(token);
  if (needed > tokenBuffer.length) tokenBuffer = new Uint8Array(TOKEN_BUFFER_CHARS * 3);
  const { written } = textEncoder.encodeInto(token, tokenBuffer);
  return tokenBuffer.subarray(0, written);
}

function isPlainObject(value) {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/**
 * Serializes `value` as JSON text. JSON has no NaN or Infinity, and
 * JSON.stringify would write them as `null`, so they are rejected with the
 * member's path.
 */
function strictJson(value, name) {
  try {
    // A replacer takes JSON.stringify off its fast path, which cost about
    // a quarter of a policy decision, so values that need no check skip it.
    return JSON.stringify(value, needsNoCheck(value, 0) ? undefined : checkMember);
  } catch (error) {
    if (error === BAD_MEMBER) throw describeBadMember(value, name);
    if (error instanceof InvalidArgumentError) throw error;
    throw invalid(`${name} cannot be serialized as JSON: ${error.message}`);
  }
}

/**
 * Whether JSON.stringify writes `value` faithfully without `checkMember`:
 * only finite numbers, no bytes, no `toJSON` (whose result only a replacer
 * receives), and at most 64 levels, so a cycle ends here and is reported by
 * JSON.stringify itself.
 */
function needsNoCheck(value, depth) {
  if (typeof value === "number") return Number.isFinite(value);
  if (typeof value !== "object" || value === null) return true;
  if (depth > 64 || typeof value.toJSON === "function" || isBinary(value)) return false;
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) if (!needsNoCheck(value[i], depth + 1)) return false;
    return true;
  }
  for (const key in value) {
    if (Object.hasOwn(value, key) && !needsNoCheck(value[key], depth + 1)) return false;
  }
  return true;
}

/** Thrown by `checkMember`; `describeBadMember` then finds where. */
const BAD_MEMBER = Symbol("bad member");

// Cheap on purpose: it runs for every member of every request, so the path
// of a bad member is only worked out once one is found.
function checkMember(key, member) {
  if (typeof member === "number" ? !Number.isFinite(member) : isBinary(member)) throw BAD_MEMBER;
  return member;
}

function isBinary(member) {
  return typeof member === "object" && member !== null && (ArrayBuffer.isView(member) || member instanceof ArrayBuffer);
}

/** Builds the error for the first member `checkMember` rejects, naming its path. */
function describeBadMember(value, name) {
  const paths = new Map();
  let found = invalid(`${name} cannot be serialized as JSON`);
  try {
    JSON.stringify(value, function (key, member) {
      const path = key === "" ? name : `${paths.get(this) ?? name}.${key}`;
      if (typeof member === "number" && !Number.isFinite(member)) {
        found = invalid(`${path} must be a finite number, got ${member}`);
        throw BAD_MEMBER;
      }
      // JSON.stringify would write bytes as an object keyed by index.
      if (isBinary(member)) {
        found = invalid(`${path} is binary (${member.constructor.name}); JSON has no bytes, so pass an object or JSON text`);
        throw BAD_MEMBER;
      }
      if (typeof member === "object" && member !== null) paths.set(member, path);
      return member;
    });
  } catch {
    // `found` contains the description.
  }
  return found;
}

/** JSON text of a document given as an object or as JSON text. */
function documentText(value, name) {
  if (typeof value === "string") return value;
  if (isBinary(value)) {
    throw invalid(`${name} must be an object or JSON text, not bytes; decode them first, for example with new TextDecoder().decode(bytes)`);
  }
  if (!isPlainObject(value)) throw invalid(`${name} must be an object or JSON text`);
  return strictJson(value, name);
}

function optionalNow(options) {
  const now = optionsObject(options, "options").now;
  if (now === undefined) return undefined;
  if (typeof now !== "number") throw invalid("now must be a number of Unix seconds");
  return now;
}

const OPTION_NAMES = {
  algorithms: "algorithms",
  issuers: "issuers",
  audiences: "audiences",
  subject: "subject",
  typ: "typ",
  requiredClaims: "required_claims",
  leeway: "leeway",
  maxAge: "max_age",
  maxTokenLength: "max_token_length",
  maxJsonDepth: "max_json_depth",
  maxClaims: "max_claims",
  rolesClaims: "roles_claims",
  maxRules: "max_rules",
  maxRoles: "max_roles",
  maxInheritanceDepth: "max_inheritance_depth",
  maxActionsPerRule: "max_actions_per_rule",
  maxPatternLength: "max_pattern_length",
  maxRequestLength: "max_request_length",
  maxExpressionDepth: "max_expression_depth",
  maxListLength: "max_list_length",
  maxSteps: "max_steps",
};

/** Returns whether the core reads option `coreName` as a whole number. */
function isCount(coreName) {
  return coreName === "leeway" || coreName.startsWith("max_");
}

/**
 * Rejects a count option that the core cannot read as an unsigned 64-bit
 * integer, naming the option: the module's own message names only the
 * type. `null` passes only when `nullable` is true, where it means "not
 * checked", as for the validation option `maxAge`. The core checks each maximum.
 */
function requireCount(value, name, nullable) {
  if (value === undefined || (value === null && nullable)) return;
  if (typeof value !== "number") {
    throw invalid(`${name} must be a whole number, got ${value === null ? "null" : typeof value}`);
  }
  if (!Number.isInteger(value) || value < 0 || value >= 2 ** 64) {
    throw invalid(`${name} must be a whole number from 0 to 18446744073709551615, got ${value}`);
  }
}

/** Renames camelCase option names to the core's snake_case ones. */
function coreOptions(options, name, names = OPTION_NAMES) {
  if (options === undefined || options === null) return {};
  if (!isPlainObject(options)) throw invalid(`${name} must be an object`);
  const renamed = Object.create(null);
  for (const [key, value] of Object.entries(options)) {
    // Own properties only, so `constructor` or `__proto__` is unknown too.
    if (!Object.hasOwn(names, key)) throw invalid(`${name} has unknown option \`${key}\``);
    if (typeof value === "number" && !Number.isFinite(value)) {
      throw invalid(`${name}.${key} must be a finite number, got ${value}`);
    }
    if (isCount(names[key])) requireCount(value, `${name}.${key}`, names === OPTION_NAMES && key === "maxAge");
    renamed[names[key]] = value;
  }
  return renamed;
}

function optionsText(options, name) {
  return documentText(coreOptions(options, name), name);
}

function base64urlToBytes(text) {
  const base64 = text.replace(/-/g, "+").replace(/_/g, "/");
  const binary = atob(base64 + "=".repeat((4 - (base64.length % 4)) % 4));
  const bytes = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i);
  return bytes;
}

/** Verifies JWTs against a JWK Set with fixed validation options. */
export class TokenVerifier {
  #inner;
  #tokenLimit;

  constructor(jwks, options) {
    this.#inner = convert(() => {
      const renamed = coreOptions(options, "options");
      this.#tokenLimit = tokenLimit(renamed);
      const jwksText = documentText(jwks, "jwks");
      const validation = documentText(renamed, "options");
      return secretCall(() => new wasm.TokenVerifier(jwksText, validation));
    });
  }

  /** Usable keys in the set. */
  get keyCount() {
    return call(() => this.#live().keyCount);
  }

  /** JWKs skipped because their type, curve, algorithm or use is unsupported. */
  get skippedKeys() {
    return call(() => this.#live().skippedKeys);
  }

  verify(token, options) {
    requireString(token, "token");
    const now = optionalNow(options);
    return JSON.parse(call(() => this.#live().verify(tokenBytes(token, this.#tokenLimit), now)));
  }

  verifyJws(jws) {
    requireString(jws, "jws");
    const result = JSON.parse(call(() => this.#live().verifyJws(cutToken(jws, this.#tokenLimit))));
    return { header: result.header, payload: base64urlToBytes(result.payload) };
  }

  /** Releases the module memory now instead of at garbage collection. */
  free() {
    this.#inner?.free();
    this.#inner = null;
  }

  #live() {
    if (this.#inner === null) throw invalid(`this ${this.constructor.name} was freed; create a new one`);
    return this.#inner;
  }

  [Symbol.dispose]() {
    this.free();
  }
}

/** Verifies one JWT; for many, build a `TokenVerifier` once. */
export function verifyToken(token, jwks, options) {
  const { now, ...validation } = convert(() => ({ ...optionsObject(options, "options") }));
  const verifier = new TokenVerifier(jwks, validation);
  try {
    return verifier.verify(token, { now });
  } finally {
    verifier.free();
  }
}

/** Signs a claims object with a private JWK (HS*, EdDSA or ES256). */
export function signToken(claims, privateJwk) {
  return convert(() => {
    const claimsText = documentText(claims, "claims");
    const keyText = documentText(privateJwk, "privateJwk");
    return secretCall(() => wasm.signToken(claimsText, keyText));
  });
}

/** Generates a signing key; randomness comes from `crypto.getRandomValues`. */
export function generateKey(alg, options) {
  return convert(() => {
    requireString(alg, "alg");
    const { kid } = optionsObject(options, "options");
    if (kid !== undefined) requireString(kid, "kid");
    return JSON.parse(secretCall(() => wasm.generateKey(alg, kid)));
  });
}

/** Request members the facade accepts, with their names in the core. */
const REQUEST_NAMES = {
  principal: "principal",
  action: "action",
  resource: "resource",
  resourceAttributes: "resource_attributes",
  context: "context",
};

function requestText(request) {
  if (typeof request === "string") return request;
  return documentText(coreOptions(request, "request", REQUEST_NAMES), "request");
}

function policyLimitsText(options) {
  const { limits, ...rest } = optionsObject(options, "options");
  rejectUnknown(rest, "policy options");
  return limits === undefined ? undefined : optionsText(limits, "limits");
}

/**
 * A loaded policy: RBAC roles and permit/forbid rules with conditions,
 * compiled into an index. Decisions, explanations, access review, schema
 * validation, the linter and the text form are all computed by the core.
 */
export class Policy {
  #inner;

  /**
   * Loads a policy document (an object or JSON text). `options.limits`
   * overrides the limits (`maxRules`, `maxSteps`, ...).
   */
  constructor(document, options) {
    this.#inner = convert(() => {
      if (document instanceof TextPolicySource) {
        const limitsText = policyLimitsText(options);
        return call(() => wasm.Policy.fromText(document.text, limitsText));
      }
      const text = documentText(document, "policy");
      const limitsText = policyLimitsText(options);
      return call(() => new wasm.Policy(text, limitsText));
    });
  }

  /** Loads a policy from its text form. */
  static fromText(text, options) {
    requireString(text, "text");
    return new Policy(new TextPolicySource(text), options);
  }

  get ruleCount() {
    return call(() => this.#live().ruleCount);
  }

  /** Decides a request; a deny is a value, never an exception. */
  authorize(request) {
    if (!isPlainObject(request)) throw invalid("request must be an object");
    const text = convert(() => requestText(request));
    return JSON.parse(call(() => this.#live().authorize(text)));
  }

  /** Decides a request and reports, for every rule, whether it applied and why not. */
  explain(request) {
    if (!isPlainObject(request)) throw invalid("request must be an object");
    const text = convert(() => requestText(request));
    return JSON.parse(call(() => this.#live().explain(text)));
  }

  /** Roles and principals that rules allow to perform `action` on `resource`. */
  whoCan(action, resource) {
    requireString(action, "action");
    requireString(resource, "resource");
    return JSON.parse(call(() => this.#live().whoCan(action, resource)));
  }

  /** Returns the rules that apply to a declared role. */
  permissionsOfRole(role) {
    requireString(role, "role");
    return JSON.parse(call(() => this.#live().permissionsOfRole(role)));
  }

  /** Returns the rules that apply to a principal id carrying `roles`, plus the roles the policy assigns it. */
  permissionsOfPrincipal(id, roles = []) {
    requireString(id, "id");
    if (!Array.isArray(roles) || !roles.every((role) => typeof role === "string")) {
      throw invalid("roles must be an array of strings");
    }
    return JSON.parse(call(() => this.#live().permissionsOfPrincipal(id, JSON.stringify(roles))));
  }

  /** Ids of permit rules that no allow among `decisions` used. */
  unusedPermissions(decisions) {
    if (!Array.isArray(decisions)) throw invalid("decisions must be an array");
    const text = convert(() => JSON.stringify(decisions));
    return JSON.parse(call(() => this.#live().unusedPermissions(text)));
  }

  /** Schema violations of this policy; an empty array means it conforms. */
  validate(schema) {
    const text = convert(() => documentText(schema, "schema"));
    return JSON.parse(call(() => this.#live().validate(text)));
  }

  /** Lint warnings: shadowed, duplicate and over-broad rules. */
  lint(schema) {
    const text = schema === undefined ? undefined : convert(() => documentText(schema, "schema"));
    return JSON.parse(call(() => this.#live().lint(text)));
  }

  /** Returns the policy in the canonical text form. */
  toText() {
    return call(() => this.#live().toText());
  }

  /**
   * Returns the policy document in the JSON form. Throws a `PolicyError`
   * with code `ERR_POLICY_UNSAFE_INTEGER` when the policy contains an integer
   * that a JavaScript number cannot hold exactly; `toJSONText()` is exact.
   */
  toJSON() {
    return exactDocument(call(() => this.#live().toJson()), "toJSONText()");
  }

  /** Returns the policy document in the JSON form, as JSON text. */
  toJSONText() {
    return call(() => this.#live().toJson());
  }

  free() {
    this.#inner?.free();
    this.#inner = null;
  }

  #live() {
    if (this.#inner === null) throw invalid(`this ${this.constructor.name} was freed; create a new one`);
    return this.#inner;
  }

  [Symbol.dispose]() {
    this.free();
  }
}

/** Marks text handed to the constructor by `Policy.fromText`. */
class TextPolicySource {
  constructor(text) {
    this.text = text;
  }
}

/** Parses policy text and returns it in the canonical layout. */
export function formatPolicyText(text) {
  requireString(text, "text");
  return call(() => wasm.formatPolicyText(text));
}

/**
 * Converts policy text to the JSON form (a document object). Throws
 * `ERR_POLICY_UNSAFE_INTEGER` as `Policy.toJSON` does.
 */
export function policyTextToJson(text) {
  requireString(text, "text");
  return exactDocument(call(() => wasm.policyTextToJson(text)), "Policy.fromText(text).toJSONText()");
}

/** A JSON string, or a number literal; strings are matched whole so that
 * digits inside them are skipped. */
const JSON_STRING_OR_NUMBER = /"(?:[^"\\]|\\.)*"|-?\d+(?:\.\d+)?(?:[eE][+-]?\d+)?/g;

/**
 * Parses a policy document that the core wrote, and rejects it rather than round: an
 * integer beyond 2^53 would become a different number, and a rule on it
 * would then match other values. The core writes integers without a
 * fraction or exponent, so those are the literals checked.
 */
function exactDocument(text, exact) {
  for (const [literal] of text.matchAll(JSON_STRING_OR_NUMBER)) {
    if (literal[0] === '"' || /[.eE]/.test(literal) || Number.isSafeInteger(Number(literal))) continue;
    throw new PolicyError({
      code: "ERR_POLICY_UNSAFE_INTEGER",
      coreCode: "unsafe_integer",
      message: `invalid policy for JavaScript: the integer \`${literal}\` cannot be represented exactly as a number; use ${exact} for an exact copy`,
    });
  }
  return JSON.parse(text);
}

/** Converts a policy document (an object or JSON text) to the text form. */
export function policyJsonToText(document) {
  const text = convert(() => documentText(document, "policy"));
  return call(() => wasm.policyJsonToText(text));
}

/** Keys, validation, principal mapping and policy: token in, decision out. */
export class Guard {
  #inner;
  #tokenLimit;

  constructor(config) {
    this.#inner = convert(() => {
      if (!isPlainObject(config)) throw invalid("guard config must be an object");
      const { jwks, policy, validation, principal, ...rest } = config;
      const unknown = Object.keys(rest);
      if (unknown.length > 0) throw invalid(`guard config has unknown option \`${unknown[0]}\``);
      // The documents reach the core's strict parsers as given: parsing
      // them here would round integers above 2^53 and let a repeated
      // member name replace the first.
      const jwksText = documentText(jwks, "jwks");
      const policyText = documentText(policy, "policy");
      const renamedValidation = coreOptions(validation, "validation");
      this.#tokenLimit = tokenLimit(renamedValidation);
      const options = strictJson({
        validation: renamedValidation,
        principal: coreOptions(principal, "principal"),
      }, "guard config");
      return secretCall(() => new wasm.Guard(jwksText, policyText, options));
    });
  }

  /** Returns the decision; an invalid token is a deny, not an exception. */
  check(request, options) {
    if (!isPlainObject(request)) throw invalid("request must be an object");
    const token = requireString(request.token, "token");
    const action = requireString(request.action, "action");
    const resource = requireString(request.resource, "resource");
    // `null` is an empty context, as absent is.
    const context = request.context == null ? undefined : documentText(request.context, "context");
    const attributes =
      request.resourceAttributes === undefined ? undefined : documentText(request.resourceAttributes, "resourceAttributes");
    const now = optionalNow(options);
    return JSON.parse(call(() => this.#live().check(tokenBytes(token, this.#tokenLimit), action, resource, context, now, attributes)));
  }

  free() {
    this.#inner?.free();
    this.#inner = null;
  }

  #live() {
    if (this.#inner === null) throw invalid(`this ${this.constructor.name} was freed; create a new one`);
    return this.#inner;
  }

  [Symbol.dispose]() {
    this.free();
  }
}

/** The version of the Rust core compiled into the module. */
export function coreVersion() {
  return wasm.coreVersion();
}

/** An envelope failed to decrypt, or a key cannot be used for the operation. */
export class CryptoError extends Mem8GuardError {}
/** A keyring operation or document is invalid, or the key-encryption key is wrong. */
export class KeyringError extends Mem8GuardError {}
ERROR_CLASSES.crypto = CryptoError;
ERROR_CLASSES.keyring = KeyringError;

function requireBytes(value, name) {
  if (!(value instanceof Uint8Array)) throw invalid(`${name} must be a Uint8Array`);
  // A detached buffer reads as empty, but copying from it throws. Only an
  // empty view can be detached, so longer ones skip the check.
  if (value.byteLength === 0 && isDetached(value.buffer)) {
    throw invalid(`${name} is a Uint8Array over a detached ArrayBuffer (transferred or freed); pass a live one`);
  }
  return value;
}

function isDetached(buffer) {
  if (typeof buffer.detached === "boolean") return buffer.detached;
  try {
    new Uint8Array(buffer, 0, 0);
    return false;
  } catch {
    return true;
  }
}

/** Checks the key-encryption key's type; the core rejects a wrong length or the all-zero key. */
function requireKek(value) {
  return requireBytes(value, "kek");
}

function optionalBytes(value, name) {
  return value === undefined ? new Uint8Array(0) : requireBytes(value, name);
}

function requireKeyId(id) {
  return requireString(id, "key id");
}

const ROTATION_NAMES = {
  maxAge: "max_age",
  maxMessagesXChaCha20: "max_messages_xchacha20",
  maxMessagesChaCha20: "max_messages_chacha20",
};

/**
 * AEAD keys with ids, states and rotation (XChaCha20-Poly1305 by default),
 * and the versioned envelope format. Key material stays inside the module
 * except through `toJson`, which exports it on purpose.
 */
export class Keyring {
  #inner;

  constructor(inner) {
    if (!(inner instanceof wasm.Keyring)) throw invalid("use Keyring.generate, Keyring.fromJson or Keyring.open");
    this.#inner = inner;
  }

  /** A new keyring with one primary key; `algorithm` is `XC20P` (default) or `C20P`. */
  static generate(options) {
    const algorithm = requireString(optionsObject(options, "options").algorithm ?? "XC20P", "algorithm");
    const now = optionalNow(options);
    return new Keyring(secretCall(() => wasm.Keyring.generate(algorithm, now)));
  }

  /** Loads an unsealed keyring document (object or JSON text). */
  static fromJson(document) {
    const text = documentText(document, "keyring");
    return new Keyring(secretCall(() => wasm.Keyring.fromJson(text)));
  }

  /** Opens a sealed keyring (text from `seal`) with its 32-byte key-encryption key. */
  static open(sealed, kek) {
    requireString(sealed, "sealed");
    requireKek(kek);
    return new Keyring(secretCall(() => wasm.Keyring.open(sealed, kek)));
  }

  /** The keyring document as JSON text. It contains every key: store it as a secret. */
  toJson() {
    return secretCall(() => this.#live().toJson());
  }

  /** The keyring encrypted under a 32-byte key-encryption key, as text. */
  seal(kek) {
    requireKek(kek);
    return secretCall(() => this.#live().seal(kek));
  }

  /** `[{ id, algorithm, state, created, messages }]`, never key material. */
  get keys() {
    return JSON.parse(call(() => this.#live().keys()));
  }

  /** Adds a decrypt-only key; returns its id. */
  add(options) {
    const algorithm = requireString(optionsObject(options, "options").algorithm ?? "XC20P", "algorithm");
    const now = optionalNow(options);
    return secretCall(() => this.#live().add(algorithm, now));
  }

  /** Adds a key and makes it the primary; the old primary stays decrypt-only. Returns the new id. */
  rotate(options) {
    const algorithm = requireString(optionsObject(options, "options").algorithm ?? "XC20P", "algorithm");
    const now = optionalNow(options);
    return secretCall(() => this.#live().rotate(algorithm, now));
  }

  promote(id) {
    call(() => this.#live().promote(requireKeyId(id)));
  }

  enable(id) {
    call(() => this.#live().enable(requireKeyId(id)));
  }

  disable(id) {
    call(() => this.#live().disable(requireKeyId(id)));
  }

  /** Zeroizes a disabled key's material; its id remains so old envelopes report it. */
  destroy(id) {
    secretCall(() => this.#live().destroy(requireKeyId(id)));
  }

  /** Encrypts with the primary key; returns the binary envelope. */
  encrypt(plaintext, aad) {
    requireEnvelopeSize(requireBytes(plaintext, "plaintext"), "plaintext");
    const extra = optionalBytes(aad, "aad");
    return secretCall(() => this.#live().encrypt(plaintext, extra));
  }

  /** Encrypts with the primary key; returns the envelope as base64url text. */
  encryptToText(plaintext, aad) {
    requireEnvelopeSize(requireBytes(plaintext, "plaintext"), "plaintext");
    const length = Math.ceil(((plaintext.byteLength + ENVELOPE_OVERHEAD_BYTES) * 4) / 3);
    if (length > MAX_ENVELOPE_TEXT_LENGTH) {
      throw invalid(
        `plaintext of ${plaintext.byteLength} bytes gives an envelope text of ${length} characters, ` +
          `over the limit of ${MAX_ENVELOPE_TEXT_LENGTH} (the longest string V8 builds); use encrypt, which returns bytes`,
      );
    }
    const extra = optionalBytes(aad, "aad");
    return secretCall(() => this.#live().encryptToText(plaintext, extra));
  }

  decrypt(envelope, aad) {
    requireEnvelopeSize(requireBytes(envelope, "envelope"), "envelope", ENVELOPE_OVERHEAD_BYTES);
    const extra = optionalBytes(aad, "aad");
    return secretCall(() => this.#live().decrypt(envelope, extra));
  }

  decryptText(text, aad) {
    requireString(text, "envelope");
    const extra = optionalBytes(aad, "aad");
    return secretCall(() => this.#live().decryptText(text, extra));
  }

  /**
   * Starts a stream under the primary key, for data too large for one
   * envelope, and counts one message on the primary. `chunkSize` is the
   * plaintext length of every chunk but the last: 1024 to 16777216 bytes,
   * 65536 by default.
   */
  streamEncryptor(options) {
    const { aad, chunkSize, ...rest } = optionsObject(options, "options");
    rejectUnknown(rest, "stream options");
    const extra = optionalBytes(aad, "aad");
    const size = chunkSize ?? DEFAULT_CHUNK_SIZE;
    if (typeof size !== "number") throw invalid(`chunkSize must be a number of bytes, got ${typeof size}`);
    return new StreamEncryptor(secretCall(() => this.#live().streamEncryptor(extra, size)), STREAM_TOKEN);
  }

  /**
   * Starts decrypting a stream, header included. The key is looked up in
   * this keyring when the header has arrived.
   */
  streamDecryptor(options) {
    const { aad, ...rest } = optionsObject(options, "options");
    rejectUnknown(rest, "stream options");
    const extra = optionalBytes(aad, "aad");
    return new StreamDecryptor(secretCall(() => this.#live().streamDecryptor(extra)), STREAM_TOKEN);
  }

  /** `null`, or `{ reason, message }` when the primary key is due for rotation. */
  rotationDue(policy, options) {
    const text = strictJson(coreOptions(policy, "rotation policy", ROTATION_NAMES), "rotation policy");
    const now = optionalNow(options);
    return JSON.parse(call(() => this.#live().rotationDue(text, now)));
  }

  free() {
    this.#inner?.free();
    this.#inner = null;
  }

  #live() {
    if (this.#inner === null) throw invalid(`this ${this.constructor.name} was freed; create a new one`);
    return this.#inner;
  }

  [Symbol.dispose]() {
    this.free();
  }
}

/** The core's default chunk size, 64 KiB. */
const DEFAULT_CHUNK_SIZE = 64 * 1024;

/**
 * The most bytes one envelope call copies into the module. An envelope is
 * one AEAD message, so its input and output are in the module's memory at
 * once: a call needs about twice its size free in the module's 4 GiB.
 * Past this size, a stream fits better. A call that finds too little free
 * memory ends in a trap (`ERR_INTERNAL`).
 */
export const MAX_ENVELOPE_BYTES = 1024 * 1024 * 1024;

/**
 * The bytes an envelope adds to its plaintext, at most: a header of 30
 * bytes (version, key id, algorithm, an XChaCha20 nonce) and a 16-byte tag.
 */
const ENVELOPE_OVERHEAD_BYTES = 46;

/**
 * The maximum length of the text `encryptToText` returns: V8's longest string,
 * 2^29 - 24 characters, the lowest maximum of the supported runtimes. Every
 * runtime applies this one limit, so a call fails or succeeds alike.
 */
const MAX_ENVELOPE_TEXT_LENGTH = 2 ** 29 - 24;

/** Stream input goes into the module in pieces of at most this size. */
const STREAM_PIECE_BYTES = 1024 * 1024;

/**
 * Rejects a plaintext over MAX_ENVELOPE_BYTES, or, with `overhead`, an
 * envelope longer than such a plaintext's envelope can be.
 */
function requireEnvelopeSize(bytes, name, overhead = 0) {
  const limit = MAX_ENVELOPE_BYTES + overhead;
  if (bytes.byteLength > limit) {
    throw invalid(
      `${name} of ${bytes.byteLength} bytes is over the limit of ${limit} bytes for one envelope; ` +
        "encrypt data this large with streamEncryptor",
    );
  }
}

/**
 * Runs `update` on `bytes` in pieces of at most STREAM_PIECE_BYTES, so that
 * the module's memory holds one piece at a time, and joins the results.
 */
function inPieces(bytes, update) {
  if (bytes.byteLength <= STREAM_PIECE_BYTES) return update(bytes);
  const parts = [];
  let length = 0;
  for (let start = 0; start < bytes.byteLength; start += STREAM_PIECE_BYTES) {
    const part = update(bytes.subarray(start, start + STREAM_PIECE_BYTES));
    parts.push(part);
    length += part.byteLength;
  }
  const joined = new Uint8Array(length);
  let offset = 0;
  for (const part of parts) {
    joined.set(part, offset);
    offset += part.byteLength;
  }
  return joined;
}

/** Lets only `Keyring` construct stream objects. */
const STREAM_TOKEN = Symbol("stream");
/** The method that returns a stream's live module object; a symbol, so it is not public API. */
const LIVE = Symbol("live");

function rejectUnknown(rest, name) {
  const [unknown] = Object.keys(rest);
  if (unknown !== undefined) throw invalid(`${name} has unknown option \`${unknown}\``);
}

/** Shared parts of the two stream classes: `free`, `using` and the freed check. */
class StreamBase {
  #inner;

  constructor(inner, token) {
    if (token !== STREAM_TOKEN) throw invalid("use keyring.streamEncryptor or keyring.streamDecryptor");
    this.#inner = inner;
  }

  /** `{ keyId, algorithm, chunkSize }` of the stream header, or `null` before the header or after `finish`. */
  get info() {
    return JSON.parse(call(() => this[LIVE]().info));
  }

  /** Releases the stream's memory inside the module. */
  free() {
    this.#inner?.free();
    this.#inner = null;
  }

  [Symbol.dispose]() {
    this.free();
  }

  [LIVE]() {
    if (this.#inner === null) throw invalid(`this ${this.constructor.name} was freed; create a new one`);
    return this.#inner;
  }
}

/**
 * Encrypts one stream chunk by chunk. Write `header`, then what every
 * `update` returns, then what `finish` returns.
 */
export class StreamEncryptor extends StreamBase {
  #header;

  constructor(inner, token) {
    super(inner, token);
    this.#header = call(() => inner.header);
  }

  /** The stream header, to be written before any chunk. */
  get header() {
    return this.#header.slice();
  }

  /** Encrypts `plaintext`; returns the chunks it completes, possibly none. */
  update(plaintext) {
    requireBytes(plaintext, "plaintext");
    return inPieces(plaintext, (piece) => secretCall(() => this[LIVE]().update(piece)));
  }

  /** Encrypts the buffered rest as the final chunk and returns it. */
  finish() {
    return secretCall(() => this[LIVE]().finish());
  }
}

/**
 * Decrypts one stream, header included. Each `update` returns authentic
 * plaintext in order, but the stream is complete only once `finish`
 * succeeds: until then it may have been cut short.
 */
export class StreamDecryptor extends StreamBase {
  /** Decrypts the chunks that `ciphertext` completes and returns their plaintext. */
  update(ciphertext) {
    requireBytes(ciphertext, "ciphertext");
    return inPieces(ciphertext, (piece) => secretCall(() => this[LIVE]().update(piece)));
  }

  /** Decrypts the final chunk; throws `ERR_CRYPTO_TRUNCATED` when the stream ended early. */
  finish() {
    return secretCall(() => this[LIVE]().finish());
  }
}

/**
 * Returns a WHATWG `TransformStream` that encrypts the `Uint8Array` chunks written
 * to it: the header, then the sealed chunks, then the final chunk on close.
 */
export function encryptionStream(keyring, options) {
  if (!(keyring instanceof Keyring)) throw invalid("keyring must be a Keyring");
  const encryptor = keyring.streamEncryptor(options);
  let started = false;
  const emit = (controller, bytes) => {
    if (bytes.length > 0) controller.enqueue(bytes);
  };
  return new TransformStream({
    transform(chunk, controller) {
      if (!started) {
        started = true;
        emit(controller, encryptor.header);
      }
      emit(controller, encryptor.update(chunk));
    },
    flush(controller) {
      if (!started) emit(controller, encryptor.header);
      emit(controller, encryptor.finish());
      encryptor.free();
    },
  });
}

/**
 * Returns a WHATWG `TransformStream` that decrypts a stream written to it in
 * `Uint8Array` pieces. A stream cut short errors the readable side at close.
 */
export function decryptionStream(keyring, options) {
  if (!(keyring instanceof Keyring)) throw invalid("keyring must be a Keyring");
  const decryptor = keyring.streamDecryptor(options);
  return new TransformStream({
    transform(chunk, controller) {
      const plaintext = decryptor.update(chunk);
      if (plaintext.length > 0) controller.enqueue(plaintext);
    },
    flush(controller) {
      const plaintext = decryptor.finish();
      decryptor.free();
      if (plaintext.length > 0) controller.enqueue(plaintext);
    },
  });
}

/**
 * Raw AEAD with caller-chosen nonces, for known-answer tests. Reusing a nonce
 * under one key breaks confidentiality and authenticity: applications use
 * `Keyring`, which draws random nonces.
 */
export const hazmat = Object.freeze({
  aeadSeal: guarded(function aeadSeal(algorithm, key, nonce, aad, plaintext) {
    requireString(algorithm, "algorithm");
    for (const [value, name] of [[key, "key"], [nonce, "nonce"], [aad, "aad"], [plaintext, "plaintext"]]) {
      requireBytes(value, name);
    }
    return secretCall(() => wasm.hazmatAeadSeal(algorithm, key, nonce, aad, plaintext));
  }),
  aeadOpen: guarded(function aeadOpen(algorithm, key, nonce, aad, sealed) {
    requireString(algorithm, "algorithm");
    for (const [value, name] of [[key, "key"], [nonce, "nonce"], [aad, "aad"], [sealed, "sealed"]]) {
      requireBytes(value, name);
    }
    return secretCall(() => wasm.hazmatAeadOpen(algorithm, key, nonce, aad, sealed));
  }),
});

/** Runs `fn` with arguments converted inside `convert`, keeping `this`. */
function guarded(fn) {
  return function (...args) {
    return convert(() => fn.apply(this, args));
  };
}

// Wrap every method, getter and static method of the exported classes, so
// that no argument can make a call end in an untyped exception.
for (const Class of [TokenVerifier, Policy, Guard, Keyring, StreamBase, StreamEncryptor, StreamDecryptor]) {
  for (const target of [Class.prototype, Class]) {
    for (const name of Object.getOwnPropertyNames(target)) {
      if (["constructor", "prototype", "length", "name"].includes(name)) continue;
      const descriptor = Object.getOwnPropertyDescriptor(target, name);
      if (typeof descriptor.value === "function") descriptor.value = guarded(descriptor.value);
      if (descriptor.get) descriptor.get = guarded(descriptor.get);
      Object.defineProperty(target, name, descriptor);
    }
  }
}
