// The policy engine through the package: the text form, conditions with
// resource attributes, explanations, access review, schema and linter.
import { test } from "node:test";
import assert from "node:assert/strict";

import * as guard from "../src/node.js";

const TEXT = `version 2;

role "editor" inherits ["viewer"];
role "viewer";

assign "carol" = ["editor"];

permit "viewers-read"
  principal in role "viewer"
  action == "read"
  resource is "doc";

permit "editors-write-own"
  principal in role "editor"
  action == "write"
  resource like "doc:*"
  when { resource.owner == principal.id };

forbid "locked"
  action any
  resource like "doc:*"
  when { resource.locked };
`;

test("text form loads and decides with resource attributes", () => {
  const policy = guard.Policy.fromText(TEXT);
  assert.equal(policy.ruleCount, 3);
  const request = {
    principal: { id: "erin", roles: ["editor"] },
    action: "write",
    resource: "doc:1",
    resourceAttributes: { owner: "erin", locked: false },
  };
  assert.deepEqual(policy.authorize(request), { decision: "allow", reasons: ["editors-write-own"], errors: [] });

  const missing = policy.authorize({ ...request, resourceAttributes: { owner: "erin" } });
  assert.equal(missing.decision, "deny");
  assert.deepEqual(missing.reasons, ["locked"]);
  assert.equal(missing.errors[0].code, "missing_attribute");
  assert.equal(missing.errors[0].rule, "locked");
});

test("text form round trips through JSON", () => {
  const policy = guard.Policy.fromText(TEXT);
  assert.equal(policy.toText(), TEXT);
  const document = policy.toJSON();
  assert.equal(document.version, 2);
  assert.equal(guard.policyJsonToText(document), TEXT);
  assert.deepEqual(guard.policyTextToJson(TEXT), document);
  assert.equal(guard.formatPolicyText(TEXT.replaceAll("\n  ", " ")), TEXT);
});

test("syntax errors are typed with line and column", () => {
  assert.throws(() => guard.Policy.fromText('version 2;\npermit "r"\n  action = "x";'), (error) => {
    assert.ok(error instanceof guard.PolicyError);
    assert.equal(error.code, "ERR_POLICY_SYNTAX_ERROR");
    assert.equal(error.coreCode, "syntax_error");
    assert.match(error.message, /line 3, column 10/);
    return true;
  });
  assert.throws(() => guard.formatPolicyText("version"), { code: "ERR_POLICY_SYNTAX_ERROR" });
  assert.throws(
    () => new guard.Policy({ version: 2, rules: [{ id: "r", effect: "permit", action: "*", resource: "*", when: { value: null } }] }),
    { code: "ERR_POLICY_INVALID_CONDITION" },
  );
  assert.throws(
    () => new guard.Policy({ version: 2, rules: [{ id: "r", effect: "permit", action: { group: "g" }, resource: "*" }] }),
    { code: "ERR_POLICY_UNKNOWN_ACTION_GROUP" },
  );
});

test("explain lists every rule", () => {
  const policy = guard.Policy.fromText(TEXT);
  const explanation = policy.explain({ principal: { id: "vic", roles: ["viewer"] }, action: "write", resource: "doc:1" });
  assert.equal(explanation.decision.decision, "deny");
  assert.deepEqual(
    explanation.rules.map((rule) => [rule.rule, rule.result]),
    [["viewers-read", "action_mismatch"], ["editors-write-own", "principal_mismatch"], ["locked", "error"]],
  );
});

test("access review queries", () => {
  const policy = guard.Policy.fromText(TEXT);
  const access = policy.whoCan("read", "doc:1");
  assert.deepEqual(access.roles.map((role) => role.name), ["editor", "viewer"]);
  assert.deepEqual(access.principals.map((principal) => principal.name), ["carol"]);
  assert.deepEqual(policy.permissionsOfRole("viewer").roles, ["viewer"]);
  assert.deepEqual(policy.permissionsOfPrincipal("carol").roles, ["editor", "viewer"]);
  assert.throws(() => policy.permissionsOfRole("ghost"), { code: "ERR_POLICY_UNKNOWN_ROLE" });
  const decision = policy.authorize({
    principal: { id: "vic", roles: ["viewer"] },
    action: "read",
    resource: "doc:1",
    resourceAttributes: { locked: false },
  });
  assert.equal(decision.decision, "allow");
  assert.deepEqual(policy.unusedPermissions([decision]), ["editors-write-own"]);
  assert.throws(() => policy.unusedPermissions("x"), { code: "ERR_INVALID_ARGUMENT" });
});

test("schema validation and lint", () => {
  const policy = guard.Policy.fromText(TEXT);
  const schema = { resources: { doc: { owner: "string" } } };
  const violations = policy.validate(schema);
  assert.deepEqual(violations.map((finding) => [finding.code, finding.rule]), [["unknown_attribute", "locked"]]);
  assert.deepEqual(policy.lint(), []);
  const broad = new guard.Policy({ version: 2, rules: [{ id: "all", effect: "permit", action: "*", resource: "*" }] });
  assert.deepEqual(broad.lint(schema).map((finding) => finding.code), ["broad_wildcard", "broad_wildcard"]);
  assert.throws(() => policy.validate({ principals: {} }), { code: "ERR_POLICY_INVALID_SCHEMA" });
});

test("request members are checked", () => {
  const policy = guard.Policy.fromText(TEXT);
  assert.throws(
    () => policy.authorize({ principal: { id: "a" }, action: "read", resource: "doc:1", resource_attributes: {} }),
    { code: "ERR_INVALID_ARGUMENT" },
  );
  assert.throws(() => policy.explain(null), { code: "ERR_INVALID_ARGUMENT" });
  assert.throws(() => guard.Policy.fromText(42), { code: "ERR_INVALID_ARGUMENT" });
});

test("toJSON refuses to round an integer that toJSONText keeps", () => {
  const text = `{"version":2,"rules":[{"id":"blocked","effect":"forbid","action":"read","resource":"*",
    "when":{"==":[{".":[{"var":"principal"},"acct"]},{"value":9007199254740993}]}}]}`;
  const policy = new guard.Policy(text);
  assert.throws(() => policy.toJSON(), { name: "PolicyError", code: "ERR_POLICY_UNSAFE_INTEGER", message: /`9007199254740993`/ });
  assert.throws(() => guard.policyTextToJson(policy.toText()), { code: "ERR_POLICY_UNSAFE_INTEGER" });
  assert.match(policy.toJSONText(), /9007199254740993/);
  assert.equal(new guard.Policy(policy.toJSONText()).toText(), policy.toText());

  // Safe integers, fractions and digits inside strings pass.
  const safe = new guard.Policy(`{"version":2,"rules":[{"id":"r 9007199254740993","effect":"permit","action":"read","resource":"*",
    "when":{"==":[{".":[{"var":"context"},"n"]},{"value":9007199254740991}]}}]}`);
  assert.equal(safe.toJSON().rules[0].id, "r 9007199254740993");
  assert.match(JSON.stringify(safe.toJSON()), /9007199254740991/);
});

/** Returns a policy whose condition compares `context.x` with a list nested `levels` deep. */
function nestedLiteralText(levels) {
  return `version 2;\npermit "p" action any resource like "*" when { context.x == ${"[".repeat(levels)}${"]".repeat(levels)} };\n`;
}

test("every text policy that loads has a JSON form that loads", () => {
  // The literal's first list is level 7 of the JSON form: 90 levels reach the default maxJsonDepth of 96.
  const policy = guard.Policy.fromText(nestedLiteralText(90));
  assert.equal(new guard.Policy(policy.toJSONText()).ruleCount, 1);
  assert.equal(new guard.Policy(policy.toJSON()).ruleCount, 1);
  assert.equal(new guard.Policy(guard.policyTextToJson(nestedLiteralText(90))).ruleCount, 1);
  assert.throws(() => guard.Policy.fromText(nestedLiteralText(91)), {
    code: "ERR_POLICY_LIMIT_EXCEEDED",
    message: /^the JSON form of rule `p` is nested deeper than the limit of 96 levels/,
  });
  assert.throws(() => guard.policyTextToJson(nestedLiteralText(91)), { code: "ERR_POLICY_LIMIT_EXCEEDED" });
});

test("a context that is not an object is denied", () => {
  const policy = guard.Policy.fromText('version 2; permit "p" action any resource like "*" when { context == {} };');
  const request = { principal: { id: "u" }, action: "a", resource: "r" };
  for (const [context, kind] of [["abc", "a string"], [true, "a boolean"], [5, "a number"], [[1], "an array"]]) {
    for (const decision of [policy.authorize({ ...request, context }), policy.explain({ ...request, context }).decision]) {
      assert.equal(decision.decision, "deny");
      assert.deepEqual(decision.errors.map((error) => error.code), ["invalid_request"]);
      assert.match(decision.errors[0].message, new RegExp(`^request \`context\` is ${kind}, not a JSON object`));
    }
  }
  // Absent, `null` and `{}` are all the empty context, which equals `{}`.
  for (const context of [undefined, null, {}]) {
    assert.equal(policy.authorize({ ...request, context }).decision, "allow", String(context));
  }
});

test("the guard denies a context that is not an object", () => {
  const { privateJwk, publicJwk } = guard.generateKey("EdDSA", { kid: "k1" });
  const token = guard.signToken({ sub: "u", exp: 2_000_000_000 }, privateJwk);
  const g = new guard.Guard({
    jwks: { keys: [publicJwk] },
    policy: guard.policyTextToJson('version 2; permit "p" action any resource like "*" when { context == {} };'),
  });
  const check = (context) => g.check({ token, action: "a", resource: "r", context }, { now: 1_800_000_000 });
  for (const context of ["5", '"abc"', "[]"]) {
    const decision = check(context);
    assert.equal(decision.decision, "deny", context);
    assert.deepEqual(decision.errors.map((error) => error.code), ["invalid_request"], context);
  }
  for (const context of [undefined, null, {}, "{}", "null"]) {
    assert.equal(check(context).decision, "allow", String(context));
  }
});

/** Returns an object nested `levels` deep. */
function nested(levels) {
  let value = 1;
  for (let i = 0; i < levels; i++) value = { a: value };
  return value;
}

test("a context nests at most 64 levels in every entry point", () => {
  const policy = guard.Policy.fromText('version 2; permit "p" action any resource like "*";');
  const request = { principal: { id: "u", attributes: nested(64) }, action: "a", resource: "r", resourceAttributes: nested(64) };
  assert.equal(policy.authorize({ ...request, context: nested(64) }).decision, "allow");
  assert.equal(policy.explain({ ...request, context: nested(64) }).decision.decision, "allow");
  for (const deep of [
    { context: nested(65) },
    { resourceAttributes: nested(65) },
    { principal: { id: "u", attributes: nested(65) } },
  ]) {
    assert.throws(() => policy.authorize({ ...request, ...deep }), {
      code: "ERR_INVALID_ARGUMENT",
      message: /nested deeper than the limit of 64 levels/,
    });
  }

  const { privateJwk, publicJwk } = guard.generateKey("EdDSA", { kid: "k1" });
  const token = guard.signToken({ sub: "u", exp: 2_000_000_000 }, privateJwk);
  const g = new guard.Guard({ jwks: { keys: [publicJwk] }, policy: policy.toJSON() });
  const options = { now: 1_800_000_000 };
  assert.equal(g.check({ token, action: "a", resource: "r", context: nested(64), resourceAttributes: nested(64) }, options).decision, "allow");
  for (const deep of [{ context: nested(65) }, { resourceAttributes: nested(65) }]) {
    assert.throws(() => g.check({ token, action: "a", resource: "r", ...deep }, options), {
      code: "ERR_INVALID_ARGUMENT",
      message: /nested deeper than the limit of 64/,
    });
  }
});

test("every policy limit has a maximum above which it is rejected", () => {
  const text = 'version 2; permit "p" action any resource like "*";';
  assert.throws(() => guard.Policy.fromText(text, { limits: { maxSteps: 1e15 } }), {
    code: "ERR_POLICY_INVALID_LIMIT",
    message: "policy limit `max_steps` is 1000000000000000, above the supported maximum of 4294967295; set it to 4294967295 or less",
  });
  assert.equal(guard.Policy.fromText(text, { limits: { maxSteps: 4294967295 } }).ruleCount, 1);
  assert.throws(() => guard.Policy.fromText(text, { limits: { maxRules: 2 ** 53 } }), { code: "ERR_POLICY_INVALID_LIMIT" });
  assert.throws(() => guard.Policy.fromText(text, { limits: { maxExpressionDepth: 257 } }), {
    code: "ERR_POLICY_INVALID_LIMIT",
    message: /`max_expression_depth` is 257, above the supported maximum of 256/,
  });
});

test("a leading byte order mark is skipped in the text form", () => {
  assert.equal(guard.Policy.fromText('\ufeffversion 2; permit "p" action any resource like "*";').ruleCount, 1);
  assert.equal(guard.formatPolicyText('\ufeffversion 2; role "r";'), 'version 2;\n\nrole "r";\n');
});

test("lint messages escape invisible characters", () => {
  const policy = guard.Policy.fromText(
    'version 2; permit "p\\u200b" action any resource like "*"; permit "p" action any resource like "*";',
  );
  const duplicate = policy.lint().find((finding) => finding.code === "duplicate_rule");
  assert.ok(duplicate);
  assert.equal(duplicate.message.includes("\u200b"), false, duplicate.message);
  assert.ok(duplicate.message.includes("`p\\u{200b}`"), duplicate.message);
});

test("schema errors name the schema", () => {
  const policy = guard.Policy.fromText('version 2; permit "p" action any resource like "*";');
  assert.throws(() => policy.validate({ contexts: {} }), {
    code: "ERR_POLICY_INVALID_SCHEMA",
    message: /^invalid schema: unknown field `contexts`/,
  });
});
