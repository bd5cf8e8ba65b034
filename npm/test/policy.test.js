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
  assert.throws(() => policy.validate({ principals: {} }), { code: "ERR_POLICY_INVALID_DOCUMENT" });
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
