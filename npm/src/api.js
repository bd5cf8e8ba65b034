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

function requireString(value, name) {
  if (typeof value !== "string") throw invalid(`${name} must be a string, got ${typeof value}`);
  return value;
}

function isPlainObject(value) {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** JSON text of a document given as an object or as JSON text. */
function documentText(value, name) {
  if (typeof value === "string") return value;
  if (!isPlainObject(value)) throw invalid(`${name} must be an object or JSON text`);
  try {
    return JSON.stringify(value);
  } catch (error) {
    throw invalid(`${name} cannot be serialized as JSON: ${error.message}`);
  }
}

function optionalNow(options) {
  if (options === undefined || options.now === undefined) return undefined;
  if (typeof options.now !== "number") throw invalid("now must be a number of Unix seconds");
  return options.now;
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
};

/** Renames camelCase option names to the core's snake_case ones. */
function coreOptions(options, name) {
  if (options === undefined) return {};
  if (!isPlainObject(options)) throw invalid(`${name} must be an object`);
  const renamed = {};
  for (const [key, value] of Object.entries(options)) {
    const coreName = OPTION_NAMES[key];
    if (coreName === undefined) throw invalid(`${name} has unknown option \`${key}\``);
    renamed[coreName] = value;
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

  constructor(jwks, options) {
    const jwksText = documentText(jwks, "jwks");
    const validation = optionsText(options, "options");
    this.#inner = call(() => new wasm.TokenVerifier(jwksText, validation));
  }

  /** Usable keys in the set. */
  get keyCount() {
    return this.#inner.keyCount;
  }

  /** JWKs skipped because their type, curve, algorithm or use is unsupported. */
  get skippedKeys() {
    return this.#inner.skippedKeys;
  }

  verify(token, options) {
    requireString(token, "token");
    const now = optionalNow(options);
    return JSON.parse(call(() => this.#inner.verify(token, now)));
  }

  verifyJws(jws) {
    requireString(jws, "jws");
    const result = JSON.parse(call(() => this.#inner.verifyJws(jws)));
    return { header: result.header, payload: base64urlToBytes(result.payload) };
  }

  /** Releases the module memory now instead of at garbage collection. */
  free() {
    this.#inner.free();
  }

  [Symbol.dispose]() {
    this.free();
  }
}

/** Verifies one JWT; for many, build a `TokenVerifier` once. */
export function verifyToken(token, jwks, options = {}) {
  const { now, ...validation } = options;
  const verifier = new TokenVerifier(jwks, validation);
  try {
    return verifier.verify(token, { now });
  } finally {
    verifier.free();
  }
}

/** Signs a claims object with a private JWK (HS*, EdDSA or ES256). */
export function signToken(claims, privateJwk) {
  const claimsText = documentText(claims, "claims");
  const keyText = documentText(privateJwk, "privateJwk");
  return call(() => wasm.signToken(claimsText, keyText));
}

/** Generates a signing key; randomness comes from `crypto.getRandomValues`. */
export function generateKey(alg, options = {}) {
  requireString(alg, "alg");
  if (options.kid !== undefined) requireString(options.kid, "kid");
  return JSON.parse(call(() => wasm.generateKey(alg, options.kid)));
}

/** A loaded RBAC policy. */
export class Policy {
  #inner;

  /** `options.limits` overrides the load limits (`maxRules`, `maxRoles`, ...). */
  constructor(document, options = {}) {
    const text = documentText(document, "policy");
    const limits = options.limits === undefined ? undefined : optionsText(options.limits, "limits");
    this.#inner = call(() => new wasm.Policy(text, limits));
  }

  get ruleCount() {
    return this.#inner.ruleCount;
  }

  authorize(request) {
    if (!isPlainObject(request)) throw invalid("request must be an object");
    const text = documentText(request, "request");
    return JSON.parse(call(() => this.#inner.authorize(text)));
  }

  free() {
    this.#inner.free();
  }

  [Symbol.dispose]() {
    this.free();
  }
}

/** Keys, validation, principal mapping and policy: token in, decision out. */
export class Guard {
  #inner;

  constructor(config) {
    if (!isPlainObject(config)) throw invalid("guard config must be an object");
    const { jwks, policy, validation, principal, ...rest } = config;
    const unknown = Object.keys(rest);
    if (unknown.length > 0) throw invalid(`guard config has unknown option \`${unknown[0]}\``);
    const text = JSON.stringify({
      jwks: JSON.parse(documentText(jwks, "jwks")),
      policy: JSON.parse(documentText(policy, "policy")),
      validation: coreOptions(validation, "validation"),
      principal: coreOptions(principal, "principal"),
    });
    this.#inner = call(() => new wasm.Guard(text));
  }

  /** Returns the decision; an invalid token is a deny, not an exception. */
  check(request, options) {
    if (!isPlainObject(request)) throw invalid("request must be an object");
    const token = requireString(request.token, "token");
    const action = requireString(request.action, "action");
    const resource = requireString(request.resource, "resource");
    const context = request.context === undefined ? undefined : documentText(request.context, "context");
    const now = optionalNow(options);
    return JSON.parse(call(() => this.#inner.check(token, action, resource, context, now)));
  }

  free() {
    this.#inner.free();
  }

  [Symbol.dispose]() {
    this.free();
  }
}

/** The version of the Rust core compiled into the module. */
export function coreVersion() {
  return wasm.coreVersion();
}
