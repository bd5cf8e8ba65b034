// Builds the RBAC + ABAC workload of the Rust benchmark (bench/policy) in
// two forms, a mem8-guard policy document and a Cedar policy set, with its
// requests and the decision each must get.
//
// `ruleCount` permit rules over ten actions and max(1, ruleCount / 10)
// resource types, a chain of ten roles (`role0` inherits `role1` ...
// `role9`), one condition per rule (`context.level >= i % 5`) and one
// blanket forbid (`context.blocked == true`). Every request is in the scope
// of exactly one permit; with `level` 3, actions 4 and 9 fail its condition.

const ROLES = 10;
const ACTIONS = 10;
const REQUESTS = 16;

const typeCount = (ruleCount) => Math.max(1, Math.floor(ruleCount / ACTIONS));

function guardDocument(ruleCount) {
  const roles = {};
  for (let role = 0; role < ROLES; role++) {
    roles[`role${role}`] = role + 1 < ROLES ? { inherits: [`role${role + 1}`] } : {};
  }
  const rules = [];
  for (let i = 0; i < ruleCount; i++) {
    rules.push({
      id: `p${i}`,
      effect: "permit",
      principal: { role: `role${i % ROLES}` },
      action: `action${i % ACTIONS}`,
      resource: { type: `T${Math.floor(i / ACTIONS) % typeCount(ruleCount)}` },
      when: { ">=": [{ ".": [{ var: "context" }, "level"] }, { value: i % 5 }] },
    });
  }
  rules.push({
    id: "blocked",
    effect: "forbid",
    action: "*",
    resource: "*",
    when: { "==": [{ ".": [{ var: "context" }, "blocked"] }, { value: true }] },
  });
  return { version: 2, roles, rules };
}

function cedarPolicies(ruleCount) {
  const policies = {};
  for (let i = 0; i < ruleCount; i++) {
    policies[`p${i}`] =
      `permit(principal in Role::"role${i % ROLES}", action == Action::"action${i % ACTIONS}", ` +
      `resource is T${Math.floor(i / ACTIONS) % typeCount(ruleCount)}) when { context.level >= ${i % 5} };`;
  }
  policies.blocked = "forbid(principal, action, resource) when { context.blocked == true };";
  return { staticPolicies: policies };
}

function cedarEntities(resourceType) {
  const entities = [{ uid: { type: "User", id: "alice" }, attrs: {}, parents: [{ type: "Role", id: "role0" }] }];
  for (let role = 0; role < ROLES; role++) {
    const parents = role + 1 < ROLES ? [{ type: "Role", id: `role${role + 1}` }] : [];
    entities.push({ uid: { type: "Role", id: `role${role}` }, attrs: {}, parents });
  }
  entities.push({ uid: { type: `T${resourceType}`, id: "doc" }, attrs: {}, parents: [] });
  return entities;
}

/** Builds the workload for `ruleCount` rules (at least 10). */
export function buildAbacWorkload(ruleCount) {
  if (!Number.isInteger(ruleCount) || ruleCount < ACTIONS) {
    throw new RangeError(`ruleCount must be an integer of at least ${ACTIONS}, got ${ruleCount}`);
  }
  const context = { level: 3, blocked: false };
  const requests = [];
  for (let k = 0; k < REQUESTS; k++) {
    const action = (k * 7) % ACTIONS;
    const resourceType = (k * 13) % typeCount(ruleCount);
    // The one permit in scope: rule i with i % 10 == action and type index resourceType.
    const rule = resourceType * ACTIONS + action;
    const allowed = 3 >= rule % 5;
    requests.push({
      guard: {
        principal: { id: "alice", roles: ["role0"] },
        action: `action${action}`,
        resource: `T${resourceType}:doc`,
        context,
      },
      cedar: {
        principal: { type: "User", id: "alice" },
        action: { type: "Action", id: `action${action}` },
        resource: { type: `T${resourceType}`, id: "doc" },
        context,
        entities: cedarEntities(resourceType),
      },
      kind: allowed ? "allow, condition true" : "deny, condition false",
      expected: { decision: allowed ? "allow" : "deny", reasons: allowed ? [`p${rule}`] : [] },
    });
  }
  return {
    ruleCount,
    roleCount: ROLES,
    guardPolicy: guardDocument(ruleCount),
    cedarPolicySet: cedarPolicies(ruleCount),
    requests,
  };
}
