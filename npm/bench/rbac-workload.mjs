// Builds one RBAC workload in two forms, a mem8-guard policy document and a
// Cedar policy set with its entities, together with requests and the decision
// each request must get.
//
// Roles form chains of CHAIN_LENGTH: `teamC-levelL` inherits `teamC-level(L-1)`.
// Permit rules give one role one action on one resource type. One forbid rule
// denies `delete` on every resource under `protected/`, whatever the role.
// Cedar models inheritance as Role entities whose parent is the inherited
// role, and the protected prefix as resources whose parent is Zone::"protected".

export const ACTIONS = [
  "read", "list", "write", "delete", "share", "comment", "approve", "publish", "archive", "restore",
  "export", "import", "tag", "move", "copy", "lock", "unlock", "audit", "invite", "transfer",
];
export const RESOURCE_TYPES = [
  "document", "folder", "report", "invoice", "ticket", "project", "dataset", "dashboard", "secret",
  "calendar",
];
const CHAIN_LENGTH = 4;
const RULES_PER_CHAIN = 40;
const FORBID_ID = "protected-no-delete";
const UNDECLARED_ROLE = "contractor";

/** Mulberry32: a small seeded generator, so every run builds the same rules. */
function seededRandom(seed) {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const cedarType = (resourceType) => resourceType[0].toUpperCase() + resourceType.slice(1);
const roleName = (chain, level) => `team${chain}-level${level}`;

/** Generates the `ruleCount - 1` permit rules. The format builders add the forbid. */
function generateRules(ruleCount, roles) {
  const random = seededRandom(ruleCount);
  const pick = (list) => list[Math.floor(random() * list.length)];
  // The first permit lets the base role of chain 0 delete documents, so the
  // forbid has a permit to override.
  const permits = [{ id: "permit-0", role: roleName(0, 0), action: "delete", type: "document" }];
  for (let i = 1; i < ruleCount - 1; i++) {
    const role = roles[i % roles.length];
    permits.push({ id: `permit-${i}`, role: role.name, action: pick(ACTIONS), type: pick(RESOURCE_TYPES) });
  }
  return permits;
}

function guardDocument(roles, permits) {
  const roleDefinitions = {};
  for (const role of roles) {
    roleDefinitions[role.name] = role.inherits === undefined ? {} : { inherits: [role.inherits] };
  }
  const rules = permits.map((permit) => ({
    id: permit.id,
    effect: "permit",
    principal: { role: permit.role },
    action: permit.action,
    resource: `${permit.type}:*`,
  }));
  rules.push({ id: FORBID_ID, effect: "forbid", action: "delete", resource: "*:protected/*" });
  return { version: 1, roles: roleDefinitions, rules };
}

function cedarPolicies(permits) {
  const policies = {};
  for (const permit of permits) {
    policies[permit.id] =
      `permit(principal in Role::"${permit.role}", action == Action::"${permit.action}", ` +
      `resource is ${cedarType(permit.type)});`;
  }
  policies[FORBID_ID] = 'forbid(principal, action == Action::"delete", resource in Zone::"protected");';
  return { staticPolicies: policies };
}

/**
 * Builds the request of a user with `role`, in both forms. `chainRoles`
 * are the role entities Cedar needs to see the inheritance: the user's role
 * and every role it inherits, which is the minimum Cedar can work with.
 */
function buildRequest(userId, role, chainRoles, action, resource) {
  const [type, id] = resource.split(/:(.*)/s);
  const resourceParents = id.startsWith("protected/") ? [{ type: "Zone", id: "protected" }] : [];
  const entities = [
    { uid: { type: "User", id: userId }, attrs: {}, parents: [{ type: "Role", id: role }] },
    ...chainRoles.map((chainRole) => ({
      uid: { type: "Role", id: chainRole.name },
      attrs: {},
      parents: chainRole.inherits === undefined ? [] : [{ type: "Role", id: chainRole.inherits }],
    })),
    { uid: { type: cedarType(type), id }, attrs: {}, parents: resourceParents },
  ];
  return {
    guard: { principal: { id: userId, roles: [role] }, action, resource },
    cedar: {
      principal: { type: "User", id: userId },
      action: { type: "Action", id: action },
      resource: { type: cedarType(type), id },
      context: {},
      entities,
    },
  };
}

/** Returns the decision and sorted reasons a request must get, from the rule list. */
function expectedDecision(permits, heldRoles, action, resource) {
  const [type, id] = resource.split(/:(.*)/s);
  if (action === "delete" && id.startsWith("protected/")) return { decision: "deny", reasons: [FORBID_ID] };
  const matching = permits
    .filter((permit) => heldRoles.has(permit.role) && permit.action === action && permit.type === type)
    .map((permit) => permit.id)
    .sort();
  return { decision: matching.length > 0 ? "allow" : "deny", reasons: matching };
}

/**
 * Builds the workload for `ruleCount` rules (at least 2). Its `requests` are
 * 4 allowed only through an inherited role, 2 denied by the forbid and 2
 * denied because no rule matches. Each has `expected` from the rule list.
 */
export function buildRbacWorkload(ruleCount) {
  if (!Number.isInteger(ruleCount) || ruleCount < 2) {
    throw new RangeError(`ruleCount must be an integer of at least 2 (one permit and the forbid), got ${ruleCount}`);
  }
  const chainCount = Math.max(1, Math.ceil(ruleCount / RULES_PER_CHAIN));
  const roles = [];
  for (let chain = 0; chain < chainCount; chain++) {
    for (let level = 0; level < CHAIN_LENGTH; level++) {
      const inherits = level === 0 ? undefined : roleName(chain, level - 1);
      roles.push({ name: roleName(chain, level), chain, level, inherits });
    }
  }
  const permits = generateRules(ruleCount, roles);
  const roleByName = new Map(roles.map((role) => [role.name, role]));
  const chainOf = (chain) => roles.filter((role) => role.chain === chain);
  const topRole = (chain) => roleName(chain, CHAIN_LENGTH - 1);

  const specs = [];
  // Allowed through inheritance: the user has the top role of a chain and
  // the permit names a lower role of that chain. Taking every fifth such
  // permit spreads the requests over chains, actions and types.
  const inherited = permits.filter((permit) => roleByName.get(permit.role).level < CHAIN_LENGTH - 1);
  for (let i = 0; i < 4; i++) {
    const permit = inherited[(i * 5) % inherited.length];
    const chain = roleByName.get(permit.role).chain;
    specs.push({ kind: "allow, inherited role", chain, action: permit.action, resource: `${permit.type}:item-${i}` });
  }
  specs.push({ kind: "deny, forbid", chain: 0, action: "delete", resource: "document:protected/contract-7" });
  specs.push({ kind: "deny, forbid", chain: 0, action: "delete", resource: "report:protected/q3" });

  const chainZeroRoles = new Set(chainOf(0).map((role) => role.name));
  const ungranted = ACTIONS.flatMap((action) => RESOURCE_TYPES.map((type) => ({ action, type }))).find(
    ({ action, type }) => expectedDecision(permits, chainZeroRoles, action, `${type}:x`).decision === "deny",
  );
  specs.push({ kind: "deny, no rule", chain: 0, action: ungranted.action, resource: `${ungranted.type}:item-9` });
  specs.push({ kind: "deny, undeclared role", chain: null, action: "read", resource: "document:item-3" });

  const requests = specs.map((spec, index) => {
    const userId = `user-${index}`;
    if (spec.chain === null) {
      const undeclared = [{ name: UNDECLARED_ROLE, inherits: undefined }];
      const request = buildRequest(userId, UNDECLARED_ROLE, undeclared, spec.action, spec.resource);
      return { ...request, kind: spec.kind, expected: { decision: "deny", reasons: [] } };
    }
    const chainRoles = chainOf(spec.chain);
    const heldRoles = new Set(chainRoles.map((role) => role.name));
    const request = buildRequest(userId, topRole(spec.chain), chainRoles, spec.action, spec.resource);
    return { ...request, kind: spec.kind, expected: expectedDecision(permits, heldRoles, spec.action, spec.resource) };
  });

  return {
    ruleCount,
    roleCount: roles.length,
    guardPolicy: guardDocument(roles, permits),
    cedarPolicySet: cedarPolicies(permits),
    requests,
  };
}
