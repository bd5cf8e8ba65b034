"""Write the policy format version 2 vector files in tests/vectors/policy/.

Every expectation is written here by hand, from the documented semantics; the
Rust runner (core/tests/policy_vectors.rs) and the JS runner check the engine
against them. rbac.json is maintained by hand and not written by this script.

Run from any directory: python3 tests/vectors/gen/gen_policy_vectors.py
"""

import json
from pathlib import Path

OUT = str(Path(__file__).resolve().parent.parent / "policy") + "/"

def P(id, roles=(), **attrs):
    d={"id": id}
    if roles: d["roles"]=list(roles)
    if attrs: d["attributes"]=attrs
    return d

def v(x): return {"value": x}
def var(n): return {"var": n}
def attr(e, *names):
    for n in names: e={".": [e, n]}
    return e
def pa(*n): return attr(var("principal"), *n)
def ra(*n): return attr(var("resource"), *n)
def ca(*n): return attr(var("context"), *n)

cases_all={}
def case(file, name, desc, expect, **kw):
    c={"name": name, "source": "own", "description": desc}
    c.update(kw)
    c["expect"]=expect
    cases_all.setdefault(file, []).append(c)

def allow(*r, errors=None):
    e={"decision":"allow","reasons":list(r)}
    if errors: e["errors"]=errors
    return e
def deny(*r, errors=None):
    e={"decision":"deny","reasons":list(r)}
    if errors: e["errors"]=errors
    return e
def load_error(code): return {"load_error": code}

def doc1(when=None, unless=None, effect="permit", action="*", resource="*", principal=None, roles=None, extra=None, rules_extra=()):
    r={"id":"r","effect":effect,"action":action,"resource":resource}
    if principal: r["principal"]=principal
    if when is not None: r["when"]=when
    if unless is not None: r["unless"]=unless
    d={"version":2}
    if roles: d["roles"]=roles
    if extra: d.update(extra)
    d["rules"]=[r]+list(rules_extra)
    return d

def cond_case(name, desc, when, expected, principal=None, context=None, resource="doc:1", resource_attributes=None, action="read", errors=None, roles=None):
    kw={"document": doc1(when=when, roles=roles), "principal": principal or P("p"), "action": action, "resource": resource}
    if context is not None: kw["context"]=context
    if resource_attributes is not None: kw["resource_attributes"]=resource_attributes
    if expected is True: exp=allow("r")
    elif expected is False: exp=deny()
    else: exp=deny(errors=[expected])
    case("conditions.json", name, desc, exp, **kw)

F="conditions.json"
alice=P("alice", ["editor"], department="sales", level=3, tags=["a","b"], name="Zoë", address={"city":"Köln"})
# attribute access
cond_case("principal attribute equals", "a principal attribute compared with a string literal", {"==":[pa("department"), v("sales")]}, True, alice)
cond_case("principal attribute differs", "a different string is not equal", {"==":[pa("department"), v("Sales")]}, False, alice)
cond_case("nested record attribute", "attribute access into a record attribute", {"==":[pa("address","city"), v("Köln")]}, True, alice)
cond_case("principal id attribute", "`principal.id` reads the principal's id", {"==":[pa("id"), v("alice")]}, True, alice)
cond_case("principal roles attribute", "`principal.roles` is the list of roles as given, without inherited ones", {"==":[pa("roles"), v(["editor"])]}, True, alice)
cond_case("resource id attribute", "`resource.id` reads the resource string", {"==":[ra("id"), v("doc:1")]}, True)
cond_case("resource type attribute", "`resource.type` is the text before the first colon", {"==":[ra("type"), v("doc")]}, True, resource="doc:a:b")
cond_case("resource without type errors", "a resource without a colon has no type attribute, so the permit errors", {"==":[ra("type"), v("doc")]}, "missing_attribute", resource="nocolon")
cond_case("resource attribute read", "resource attributes come with the request", {"==":[ra("owner"), pa("id")]}, True, alice, resource_attributes={"owner":"alice"})
cond_case("resource attribute mismatch", "owner differs from the principal", {"==":[ra("owner"), pa("id")]}, False, alice, resource_attributes={"owner":"bob"})
cond_case("context attribute read", "context attributes are read by name", {"==":[ca("channel"), v("web")]}, True, context={"channel":"web"})
cond_case("action variable", "`action` is the request's action name", {"==":[var("action"), v("read")]}, True)
cond_case("missing principal attribute", "a missing attribute is an error, and an erroring permit grants nothing", {"==":[pa("department"), v("sales")]}, "missing_attribute", P("bob"))
cond_case("missing context attribute", "reading an absent context member errors", {"==":[ca("x"), v(1)]}, "missing_attribute", context={})
cond_case("attribute of a string", "attribute access on a string is a type mismatch", {"==":[attr(pa("department"),"x"), v(1)]}, "type_mismatch", alice)
# has
cond_case("has present attribute", "`has` is true for a present attribute", {"has":[var("principal"), "department"]}, True, alice)
cond_case("has absent attribute", "`has` is false for an absent attribute", {"has":[var("principal"), "clearance"]}, False, alice)
cond_case("has guards access", "`has` short-circuits before a missing attribute", {"&&":[{"has":[var("principal"),"clearance"]}, {"==":[pa("clearance"), v("top")]}]}, False, alice)
cond_case("has on context", "`has` on the context record", {"has":[var("context"), "mfa"]}, True, context={"mfa": False})
cond_case("has on null context", "a request without context has an empty one", {"has":[var("context"), "mfa"]}, False)
cond_case("has resource id", "`id` is always present on the resource", {"has":[var("resource"), "id"]}, True)
cond_case("has on integer errors", "`has` needs an entity or record", {"has":[pa("level"), "x"]}, "type_mismatch", alice)
# equality
cond_case("equal integers", "integer equality", {"==":[pa("level"), v(3)]}, True, alice)
cond_case("equal lists", "list equality is structural and ordered", {"==":[pa("tags"), v(["a","b"])]}, True, alice)
cond_case("equal lists order matters", "lists in another order are not equal", {"==":[pa("tags"), v(["b","a"])]}, False, alice)
cond_case("equal records", "record equality ignores member order", {"==":[pa("address"), v({"city":"Köln"})]}, True, alice)
cond_case("different types not equal", "a string never equals an integer", {"==":[v("3"), pa("level")]}, False, alice)
cond_case("not equal true", "`!=` of different strings", {"!=":[pa("department"), v("hr")]}, True, alice)
cond_case("not equal false", "`!=` of equal strings", {"!=":[pa("department"), v("sales")]}, False, alice)
cond_case("boolean equality", "booleans compare by value", {"==":[ca("mfa"), v(True)]}, True, context={"mfa": True})
cond_case("float attribute not an integer", "a fractional number compared with `==` is an error, so the permit grants nothing", {"==":[ca("n"), v(1)]}, "type_mismatch", context={"n": 1.5})
# unicode
cond_case("unicode exact match", "composed and decomposed forms differ: no normalization", {"==":[pa("name"), v("Zoe\u0308")]}, False, alice)
cond_case("unicode composed match", "the same code points are equal", {"==":[pa("name"), v("Zoë")]}, True, alice)
cond_case("unicode no case folding", "case differs, so not equal", {"==":[pa("name"), v("ZOË")]}, False, alice)
cond_case("sharp s not folded", "`ß` is not `ss`", {"==":[ca("street"), v("Strasse")]}, False, context={"street":"Straße"})
cond_case("emoji exact", "astral characters compare exactly", {"==":[ca("tag"), v("🔒")]}, True, context={"tag":"🔒"})
# ordering
for op, a, b, res in [("<",1,2,True),("<",2,2,False),("<=",2,2,True),("<=",3,2,False),(">",3,2,True),(">",2,2,False),(">=",2,2,True),(">=",1,2,False)]:
    cond_case(f"integer {({'<':'lt','<=':'le','>':'gt','>=':'ge'})[op]} {a} {b}", f"`{a} {op} {b}` is {str(res).lower()}", {op:[ca("n"), v(b)]}, res, context={"n": a})
cond_case("negative integers compare", "negative integers order below zero", {"<":[ca("n"), v(0)]}, True, context={"n": -5})
cond_case("large integers compare", "integers up to 2^53 - 1, the largest every JSON reader keeps exact, compare exactly", {">":[ca("n"), v(9007199254740990)]}, True, context={"n": 9007199254740991})
cond_case("ordering a string errors", "`<` on a string is a type mismatch", {"<":[ca("n"), v(1)]}, "type_mismatch", context={"n": "1"})
cond_case("ordering a float errors", "`<` on a fraction is a type mismatch", {"<":[ca("n"), v(1)]}, "type_mismatch", context={"n": 0.5})
# boolean logic
T={"==":[v(1),v(1)]}; Fa={"==":[v(1),v(2)]}
ERR={"==":[ca("missing"), v(1)]}
cond_case("and all true", "`&&` of true operands", {"&&":[T,T,T]}, True)
cond_case("and one false", "`&&` with a false operand", {"&&":[T,Fa]}, False)
cond_case("and short circuits", "`&&` stops at false before an erroring operand", {"&&":[Fa,ERR]}, False, context={})
cond_case("and error after true", "`&&` evaluates an erroring operand after true", {"&&":[T,ERR]}, "missing_attribute", context={})
cond_case("or one true", "`||` with one true operand", {"||":[Fa,T]}, True)
cond_case("or all false", "`||` of false operands", {"||":[Fa,Fa]}, False)
cond_case("or short circuits", "`||` stops at true before an erroring operand", {"||":[T,ERR]}, True, context={})
cond_case("or error after false", "`||` evaluates an erroring operand after false", {"||":[Fa,ERR]}, "missing_attribute", context={})
cond_case("not negates", "`!` negates a boolean", {"!":Fa}, True)
cond_case("not of string errors", "`!` needs a boolean", {"!":v("yes")}, "type_mismatch")
cond_case("and of integer errors", "`&&` operands must be booleans", {"&&":[T,v(1)]}, "type_mismatch")
cond_case("condition must be boolean", "a `when` that yields a string is a type mismatch", v("true"), "type_mismatch")
# in
cond_case("in list", "a string in a literal list", {"in":[pa("department"), v(["hr","sales"])]}, True, alice)
cond_case("not in list", "a string not in a literal list", {"in":[pa("department"), v(["hr"])]}, False, alice)
cond_case("in attribute list", "a literal in a list from the request", {"in":[v("b"), pa("tags")]}, True, alice)
cond_case("in empty list", "nothing is in an empty list", {"in":[v("a"), v([])]}, False)
cond_case("in roles list", "list membership in the principal's own roles", {"in":[v("editor"), pa("roles")]}, True, alice)
cond_case("in list of mixed types", "membership compares by equality, types included", {"in":[v(1), v(["1", 1])]}, True)
cond_case("in string errors", "the right operand of `in` must be a list or a role", {"in":[v("a"), v("abc")]}, "type_mismatch")
roles_h={"admin":{"inherits":["editor"]},"editor":{"inherits":["viewer"]},"viewer":{},"auditor":{}}
cond_case("principal in role direct", "the principal has the role directly", {"in":[var("principal"), {"role":"editor"}]}, True, alice, roles=roles_h)
cond_case("principal in role inherited", "an editor is in `viewer` through inheritance", {"in":[var("principal"), {"role":"viewer"}]}, True, alice, roles=roles_h)
cond_case("principal not in higher role", "an editor is not an admin", {"in":[var("principal"), {"role":"admin"}]}, False, alice, roles=roles_h)
cond_case("principal not in sibling role", "an editor is not an auditor", {"in":[var("principal"), {"role":"auditor"}]}, False, alice, roles=roles_h)
cond_case("role name in role", "a role name is in a role it inherits", {"in":[v("admin"), {"role":"viewer"}]}, True, roles=roles_h)
cond_case("undeclared role name in role", "an undeclared role name is in no role", {"in":[v("ghost"), {"role":"viewer"}]}, False, roles=roles_h)
cond_case("role in role", "a role literal in a role it does not inherit", {"in":[{"role":"viewer"}, {"role":"admin"}]}, False, roles=roles_h)
cond_case("integer in role errors", "only principals and roles can be in a role", {"in":[v(1), {"role":"admin"}]}, "type_mismatch", roles=roles_h)
# contains family
cond_case("contains present", "a list contains a value", {"contains":[pa("tags"), v("a")]}, True, alice)
cond_case("contains absent", "a list does not contain a value", {"contains":[pa("tags"), v("z")]}, False, alice)
cond_case("contains on string errors", "`contains` needs a list, not a string", {"contains":[pa("department"), v("s")]}, "type_mismatch", alice)
cond_case("contains all true", "every element present", {"containsAll":[pa("tags"), v(["b","a"])]}, True, alice)
cond_case("contains all false", "one element missing", {"containsAll":[pa("tags"), v(["a","c"])]}, False, alice)
cond_case("contains all empty", "every list contains all of the empty list", {"containsAll":[pa("tags"), v([])]}, True, alice)
cond_case("contains any true", "one element present", {"containsAny":[pa("tags"), v(["z","b"])]}, True, alice)
cond_case("contains any false", "no element present", {"containsAny":[pa("tags"), v(["y","z"])]}, False, alice)
cond_case("contains any empty", "no list contains any of the empty list", {"containsAny":[pa("tags"), v([])]}, False, alice)
cond_case("contains all roles", "`containsAll` over the principal's roles", {"containsAll":[pa("roles"), v(["editor"])]}, True, alice)
# like
cond_case("like prefix", "anchored prefix glob", {"like":[ca("path"), "/api/*"]}, True, context={"path":"/api/x"})
cond_case("like anchored no slash", "`/api/*` does not match `/api`", {"like":[ca("path"), "/api/*"]}, False, context={"path":"/api"})
cond_case("like anchored apix", "`/api/*` does not match `/apix`", {"like":[ca("path"), "/api/*"]}, False, context={"path":"/apix"})
cond_case("like anchored trailing slash", "`/api/*` matches `/api/`", {"like":[ca("path"), "/api/*"]}, True, context={"path":"/api/"})
cond_case("like suffix", "a glob anchored at the end", {"like":[ca("file"), "*.pdf"]}, True, context={"file":"a.pdf"})
cond_case("like suffix anchored", "`*.pdf` does not match `a.pdf.exe`", {"like":[ca("file"), "*.pdf"]}, False, context={"file":"a.pdf.exe"})
cond_case("like literal star", "an escaped star matches only a star", {"like":[ca("s"), "a\\*"]}, False, context={"s":"ab"})
cond_case("like is case sensitive", "`like` does not fold case", {"like":[ca("s"), "Admin*"]}, False, context={"s":"admin-1"})
cond_case("like on integer errors", "`like` needs a string", {"like":[pa("level"), "*"]}, "type_mismatch", alice)
# ip
cond_case("is ip v4", "`isIp` accepts a dotted IPv4 address", {"isIp": ca("ip")}, True, context={"ip":"192.0.2.1"})
cond_case("is ip v6", "`isIp` accepts an IPv6 address", {"isIp": ca("ip")}, True, context={"ip":"2001:db8::1"})
cond_case("is ip rejects host name", "`isIp` rejects a host name", {"isIp": ca("ip")}, False, context={"ip":"example.com"})
cond_case("is ip rejects leading zero", "`isIp` rejects octets with leading zeros", {"isIp": ca("ip")}, False, context={"ip":"010.0.0.1"})
cond_case("in cidr v4", "an address inside 10.0.0.0/8", {"inCidr":[ca("ip"), "10.0.0.0/8"]}, True, context={"ip":"10.20.30.40"})
cond_case("not in cidr v4", "an address outside 10.0.0.0/8", {"inCidr":[ca("ip"), "10.0.0.0/8"]}, False, context={"ip":"11.0.0.1"})
cond_case("in cidr v4 boundary", "the last address of 192.0.2.0/24", {"inCidr":[ca("ip"), "192.0.2.0/24"]}, True, context={"ip":"192.0.2.255"})
cond_case("in cidr v6", "an address inside 2001:db8::/32", {"inCidr":[ca("ip"), "2001:db8::/32"]}, True, context={"ip":"2001:db8:ffff::1"})
cond_case("not in cidr v6", "an address outside 2001:db8::/32", {"inCidr":[ca("ip"), "2001:db8::/32"]}, False, context={"ip":"2001:db9::1"})
cond_case("v4 not in v6 range", "an IPv4 address is never in an IPv6 range", {"inCidr":[ca("ip"), "::/0"]}, False, context={"ip":"10.0.0.1"})
cond_case("mapped v6 in v4 range", "an IPv4-mapped IPv6 address is read as the IPv4 address it maps", {"inCidr":[ca("ip"), "10.0.0.0/8"]}, True, context={"ip":"::ffff:10.0.0.1"})
cond_case("mapped v6 range holds v4", "a range in IPv4-mapped form is the IPv4 range it maps", {"inCidr":[ca("ip"), "::ffff:10.0.0.0/104"]}, True, context={"ip":"10.1.2.3"})
cond_case("mapped v6 range holds mapped v6", "an IPv4-mapped address is in the mapped form of its range", {"inCidr":[ca("ip"), "::ffff:10.0.0.0/104"]}, True, context={"ip":"::ffff:10.1.2.3"})
cond_case("mapped v6 range excludes outside", "an IPv4 address outside the mapped range", {"inCidr":[ca("ip"), "::ffff:10.0.0.0/104"]}, False, context={"ip":"11.0.0.1"})
cond_case("in cidr bad address errors", "a value that is not an address is an invalid value", {"inCidr":[ca("ip"), "10.0.0.0/8"]}, "invalid_value", context={"ip":"10.0.0"})
cond_case("in cidr single host", "a bare address is a range of one", {"inCidr":[ca("ip"), "192.0.2.7"]}, True, context={"ip":"192.0.2.7"})
# time
cond_case("time before deadline", "a context time before a literal deadline", {"<":[ca("now"), {"time": v("2026-01-01T00:00:00Z")}]}, True, context={"now": 1767225599})
cond_case("time at deadline", "the deadline itself is not before it", {"<":[ca("now"), {"time": v("2026-01-01T00:00:00Z")}]}, False, context={"now": 1767225600})
cond_case("time with offset", "an offset is applied: 01:00+01:00 is midnight UTC", {"==":[{"time": v("2026-01-01T01:00:00+01:00")}, v(1767225600)]}, True)
cond_case("time from context string", "`time` converts an RFC 3339 string from the request", {">=":[{"time": ca("at")}, v(1767225600)]}, True, context={"at":"2026-01-01T00:00:00.250Z"})
cond_case("time bad context string", "an invalid time string is an invalid value", {">=":[{"time": ca("at")}, v(0)]}, "invalid_value", context={"at":"yesterday"})
cond_case("time of boolean errors", "`time` needs a string or integer", {">=":[{"time": ca("at")}, v(0)]}, "type_mismatch", context={"at": True})
cond_case("hour of day business hours", "13:00 UTC is within 9 to 17", {"&&":[{">=":[{"hourOfDay": ca("now")}, v(9)]}, {"<":[{"hourOfDay": ca("now")}, v(17)]}]}, True, context={"now": 1767272400})
cond_case("hour of day night", "03:00 UTC is outside 9 to 17", {">=":[{"hourOfDay": ca("now")}, v(9)]}, False, context={"now": 1767236400})
cond_case("day of week thursday", "2026-01-01 is a Thursday, day 3", {"==":[{"dayOfWeek": ca("now")}, v(3)]}, True, context={"now": 1767225600})
cond_case("day of week of string errors", "`dayOfWeek` needs Unix seconds", {"==":[{"dayOfWeek": ca("now")}, v(3)]}, "type_mismatch", context={"now": "2026-01-01T00:00:00Z"})
# unless
case(F, "unless true blocks permit", "a permit whose `unless` holds does not apply", deny(), document=doc1(when=T, unless={"==":[ca("blocked"), v(True)]}), principal=P("p"), action="read", resource="doc:1", context={"blocked": True})
case(F, "unless false lets permit apply", "a permit whose `unless` is false applies", allow("r"), document=doc1(unless={"==":[ca("blocked"), v(True)]}), principal=P("p"), action="read", resource="doc:1", context={"blocked": False})
case(F, "unless error fails permit", "an erroring `unless` makes the permit grant nothing", deny(errors=["missing_attribute"]), document=doc1(unless={"==":[ca("blocked"), v(True)]}), principal=P("p"), action="read", resource="doc:1", context={})
case(F, "when false skips unless", "`unless` is not evaluated when `when` is false", deny(), document=doc1(when=Fa, unless=ERR), principal=P("p"), action="read", resource="doc:1", context={})

# ---------------- fail closed
G="fail-closed.json"
base_permit={"id":"allow-all","effect":"permit","action":"*","resource":"*"}
def fc_doc(forbid_when, permit_when=None, extra_rules=()):
    pr=dict(base_permit)
    if permit_when is not None: pr["when"]=permit_when
    return {"version":2,"rules":[pr,{"id":"guard","effect":"forbid","action":"*","resource":"*","when":forbid_when}]+list(extra_rules)}
case(G, "erroring forbid denies", "a forbid whose condition reads a missing attribute denies and reports the error", deny("guard", errors=["missing_attribute"]), document=fc_doc({"==":[ca("risk"), v("high")]}), principal=P("p"), action="read", resource="x", context={})
case(G, "satisfied forbid denies", "the same forbid with the attribute present and matching", deny("guard"), document=fc_doc({"==":[ca("risk"), v("high")]}), principal=P("p"), action="read", resource="x", context={"risk":"high"})
case(G, "false forbid allows", "the forbid's condition is false, so the permit allows", allow("allow-all"), document=fc_doc({"==":[ca("risk"), v("high")]}), principal=P("p"), action="read", resource="x", context={"risk":"low"})
case(G, "type mismatch forbid denies", "a forbid comparing a string with `<` denies", deny("guard", errors=["type_mismatch"]), document=fc_doc({">":[ca("risk"), v(5)]}), principal=P("p"), action="read", resource="x", context={"risk":"high"})
case(G, "invalid value forbid denies", "a forbid on a malformed address denies", deny("guard", errors=["invalid_value"]), document=fc_doc({"!": {"inCidr":[ca("ip"), "10.0.0.0/8"]}}), principal=P("p"), action="read", resource="x", context={"ip":"not-an-ip"})
case(G, "erroring permit grants nothing", "a permit whose condition errors does not allow", deny(errors=["missing_attribute"]), document={"version":2,"rules":[dict(base_permit, when={"==":[ca("x"), v(1)]})]}, principal=P("p"), action="read", resource="x", context={})
case(G, "erroring permit beside good permit", "another permit still allows, and the error is reported", allow("good", errors=["missing_attribute"]), document={"version":2,"rules":[dict(base_permit, id="bad", when={"==":[ca("x"), v(1)]}), dict(base_permit, id="good")]}, principal=P("p"), action="read", resource="x", context={})
case(G, "two erroring forbids both reported", "every erroring forbid is a reason and an error", deny("f1","f2", errors=["missing_attribute","type_mismatch"]), document={"version":2,"rules":[{"id":"f1","effect":"forbid","action":"*","resource":"*","when":{"==":[ca("a"),v(1)]}},{"id":"f2","effect":"forbid","action":"*","resource":"*","when":{"<":[ca("b"),v(1)]}}]}, principal=P("p"), action="read", resource="x", context={"b":"s"})
case(G, "erroring forbid out of scope ignored", "a forbid for another action is never evaluated", allow("allow-all"), document={"version":2,"rules":[base_permit,{"id":"guard","effect":"forbid","action":"delete","resource":"*","when":{"==":[ca("x"),v(1)]}}]}, principal=P("p"), action="read", resource="x", context={})
case(G, "float equality forbid denies", "a fractional number is not an integer: a forbid comparing it with `contains` errors and denies (JSON text such as `7.0` does the same in Rust, but JavaScript reads it as 7)", deny("guard", errors=["type_mismatch"]), document=fc_doc({"contains":[ca("flags"), v(7)]}), principal=P("p"), action="read", resource="x", context={"flags":[7.5]})
case(G, "float inequality permit grants nothing", "`0.5 != 0` errors instead of being true, so the permit grants nothing", deny(errors=["type_mismatch"]), document={"version":2,"rules":[dict(base_permit, when={"!=":[ca("level"), v(0)]})]}, principal=P("p"), action="read", resource="x", context={"level":0.5})
case(G, "satisfied and erroring forbid", "a satisfied forbid and an erroring one are both reasons", deny("f1","f2", errors=["missing_attribute"]), document={"version":2,"rules":[base_permit,{"id":"f1","effect":"forbid","action":"*","resource":"*"},{"id":"f2","effect":"forbid","action":"*","resource":"*","when":{"==":[ca("x"),v(1)]}}]}, principal=P("p"), action="read", resource="x", context={})
case(G, "permit errors not evaluated after forbid", "permit rules are not evaluated once a forbid decided", deny("f"), document={"version":2,"rules":[dict(base_permit, when={"==":[ca("x"),v(1)]}),{"id":"f","effect":"forbid","action":"*","resource":"*"}]}, principal=P("p"), action="read", resource="x", context={})
case(G, "step limit in forbid denies", "a forbid that runs out of steps denies with a limit error", deny("guard", errors=["limit_exceeded"]), document=fc_doc({"contains":[ca("list"), v("z")]}), limits={"max_steps": 5}, principal=P("p"), action="read", resource="x", context={"list":["a","b","c","d","e","f"]})
case(G, "step limit in permit grants nothing", "a permit that runs out of steps grants nothing", deny(errors=["limit_exceeded"]), document={"version":2,"rules":[dict(base_permit, when={"contains":[ca("list"), v("z")]})]}, limits={"max_steps": 5}, principal=P("p"), action="read", resource="x", context={"list":["a","b","c","d","e","f"]})
case(G, "steps within limit", "the same permit with enough steps evaluates to false", deny(), document={"version":2,"rules":[dict(base_permit, when={"contains":[ca("list"), v("z")]})]}, limits={"max_steps": 20}, principal=P("p"), action="read", resource="x", context={"list":["a","b","c","d","e","f"]})
case(G, "steps shared across rules", "the step budget is per decision, so a later forbid runs out and denies", deny("f2", errors=["limit_exceeded"]), document={"version":2,"rules":[base_permit,{"id":"f1","effect":"forbid","action":"*","resource":"*","when":{"contains":[ca("list"), v("z")]}},{"id":"f2","effect":"forbid","action":"*","resource":"*","when":{"contains":[ca("list"), v("y")]}}]}, limits={"max_steps": 12}, principal=P("p"), action="read", resource="x", context={"list":["a","b","c","d","e","f"]})
case(G, "request list over limit in forbid denies", "a forbid reading a request list longer than max_list_length denies", deny("guard", errors=["limit_exceeded"]), document=fc_doc({"contains":[ca("list"), v("z")]}), limits={"max_list_length": 3}, principal=P("p"), action="read", resource="x", context={"list":["a","b","c","d"]})
case(G, "request list at limit", "a list at max_list_length is evaluated", allow("allow-all"), document=fc_doc({"contains":[ca("list"), v("z")]}), limits={"max_list_length": 4}, principal=P("p"), action="read", resource="x", context={"list":["a","b","c","d"]})
case(G, "forbid with unless error denies", "an erroring `unless` on a forbid denies", deny("guard", errors=["missing_attribute"]), document={"version":2,"rules":[base_permit,{"id":"guard","effect":"forbid","action":"*","resource":"*","unless":{"==":[ca("mfa"),v(True)]}}]}, principal=P("p"), action="read", resource="x", context={})
case(G, "forbid unless satisfied allows", "a forbid whose `unless` holds does not apply", allow("allow-all"), document={"version":2,"rules":[base_permit,{"id":"guard","effect":"forbid","action":"*","resource":"*","unless":{"==":[ca("mfa"),v(True)]}}]}, principal=P("p"), action="read", resource="x", context={"mfa": True})
case(G, "request too large with conditions", "an oversized resource is denied before any rule", deny(errors=["request_too_large"]), document=fc_doc({"==":[ca("x"),v(1)]}), limits={"max_request_length": 4}, principal=P("p"), action="read", resource="abcdef", context={})

# ---------------- load errors v2
L="load-v2.json"
def le(name, desc, document, code, limits=None):
    kw={"document": document}
    if limits: kw["limits"]=limits
    case(L, name, desc, load_error(code), **kw)
le("null literal", "`null` is not a condition value", doc1(when={"==":[ca("x"), v(None)]}), "invalid_condition")
le("float literal", "numbers with a fraction are rejected", doc1(when={"==":[ca("x"), v(1.5)]}), "invalid_condition")
le("null inside list literal", "`null` nested in a list literal", doc1(when={"in":[ca("x"), v(["a", None])]}), "invalid_condition")
le("ordering string literal", "`<` with a string literal can never evaluate", doc1(when={"<":[ca("x"), v("a")]}), "invalid_condition")
le("and with one operand", "`&&` needs two operands", doc1(when={"&&":[v(True)]}), "invalid_condition")
le("or with no operands", "`||` needs two operands", doc1(when={"||":[]}), "invalid_condition")
le("bad cidr prefix", "a prefix longer than 32 bits", doc1(when={"inCidr":[ca("ip"), "10.0.0.0/33"]}), "invalid_condition")
le("cidr host bits", "host bits after the prefix are rejected", doc1(when={"inCidr":[ca("ip"), "10.0.0.1/8"]}), "invalid_condition")
le("cidr not an address", "a range that is not an address", doc1(when={"inCidr":[ca("ip"), "intranet"]}), "invalid_condition")
le("bad time literal", "a literal time that is not RFC 3339", doc1(when={"<":[ca("now"), {"time": v("2026-02-30T00:00:00Z")}]}), "invalid_condition")
le("time literal without zone", "RFC 3339 needs `Z` or an offset", doc1(when={"<":[ca("now"), {"time": v("2026-01-01T00:00:00")}]}), "invalid_condition")
le("bad like pattern", "a `like` pattern with an unknown escape", doc1(when={"like":[ca("s"), "a\\b"]}), "invalid_condition")
le("empty like pattern", "an empty `like` pattern", doc1(when={"like":[ca("s"), ""]}), "invalid_condition")
le("unknown role in condition", "`role` must name a declared role", doc1(when={"in":[var("principal"), {"role":"ghost"}]}), "unknown_role")
le("unknown operator", "an operator the language does not have", doc1(when={"regex":[ca("s"), v("a+")]}), "invalid_document")
le("two operators in one object", "an expression object has exactly one member", doc1(when={"==":[v(1),v(1)], "!=":[v(1),v(2)]}), "invalid_document")
le("unknown variable", "only principal, action, resource and context", doc1(when={"==":[{"var":"user"}, v(1)]}), "invalid_document")
le("null when", "`when: null` is rejected rather than read as absent", {"version":2,"rules":[{"id":"r","effect":"permit","action":"*","resource":"*","when":None}]}, "invalid_document")
le("binary operator with three operands", "`==` takes exactly two operands", doc1(when={"==":[v(1),v(1),v(1)]}), "invalid_document")
le("when in version 1", "a version 1 document cannot have conditions", {"version":1,"rules":[{"id":"r","effect":"permit","action":"*","resource":"*","when":v(True)}]}, "invalid_document")
le("group in version 1", "a version 1 document cannot use action groups", {"version":1,"action_groups":{"w":["write"]},"rules":[]}, "invalid_document")
le("type in version 1", "a version 1 document cannot use resource types", {"version":1,"rules":[{"id":"r","effect":"permit","action":"*","resource":{"type":"doc"}}]}, "invalid_document")
le("assignments in version 1", "a version 1 document cannot assign roles", {"version":1,"roles":{"a":{}},"assignments":{"alice":["a"]}}, "invalid_document")
le("unknown action group", "a rule naming an undeclared group", doc1(action={"group":"writes"}), "unknown_action_group")
le("empty action group", "a group with no actions", doc1(action={"group":"none"}, extra={"action_groups":{"none":[]}}), "invalid_rule")
le("empty name in action group", "a group with an empty action name", doc1(action={"group":"g"}, extra={"action_groups":{"g":["read",""]}}), "invalid_rule")
le("action group over limit", "a group with more actions than max_actions_per_rule", doc1(action={"group":"g"}, extra={"action_groups":{"g":["a","b","c"]}}), "limit_exceeded", limits={"max_actions_per_rule":2})
le("unknown role in assignment", "assignments must name declared roles", {"version":2,"roles":{"a":{}},"assignments":{"alice":["b"]}}, "unknown_role")
le("resource type with colon", "a type cannot contain `:`", doc1(resource={"type":"doc:x"}), "invalid_rule")
le("empty resource type", "a type cannot be empty", doc1(resource={"type":""}), "invalid_rule")
le("resource object with extra member", "`{type}` has exactly one member", doc1(resource={"type":"doc","pattern":"*"}), "invalid_document")
deep={"value":True}
for _ in range(32): deep={"!":deep}
le("expression over depth limit", "a condition 33 levels deep exceeds max_expression_depth 32", doc1(when=deep), "limit_exceeded")
deep31={"value":False}
for _ in range(31): deep31={"!":deep31}
case(L, "expression at depth limit", "a condition 32 levels deep loads and evaluates", allow("r"), document=doc1(when=deep31), principal=P("p"), action="read", resource="x")
le("literal list over limit", "a literal list longer than max_list_length", doc1(when={"in":[ca("x"), v(["a","b","c"])]}), "limit_exceeded", limits={"max_list_length":2})
le("expression depth configurable", "max_expression_depth can be lowered", doc1(when={"!":{"!":{"value":True}}}), "limit_exceeded", limits={"max_expression_depth":2})
le("json depth limit above supported", "max_json_depth 128 is above the supported maximum of 127, so no policy loads under it", doc1(), "invalid_limit", limits={"max_json_depth":128})
case(L, "json depth limit at supported maximum", "max_json_depth 127, the supported maximum, is accepted", allow("r"), document=doc1(), limits={"max_json_depth":127}, principal=P("p"), action="read", resource="x")

# ---------------- text form
X="text-form.json"
def tcase(name, desc, text, expect, **kw):
    c={"document_text": text}
    c.update(kw)
    case(X, name, desc, expect, **c)
good_text='''version 2;
role "admin" inherits ["editor"];
role "editor" inherits ["viewer"];
role "viewer";
group "writes" = ["create", "update", "delete"];
assign "carol" = ["admin"];

// Editors change documents during office hours from the office network.
permit "editors-write"
  principal in role "editor"
  action in group "writes"
  resource like "document:*"
  when { hourOfDay(context.now) >= 9 && hourOfDay(context.now) < 17 }
  unless { !inCidr(context.ip, "10.0.0.0/8") };

permit "viewers-read"
  principal in role "viewer"
  action == "read"
  resource is "document";

forbid "no-archive-delete"
  action == "delete"
  resource like "document:archive/*";
'''
tcase("text editor writes in hours", "an editor updates during office hours from the office network", good_text, allow("editors-write"), principal=P("e", ["editor"]), action="update", resource="document:1", context={"now": 1767272400, "ip": "10.1.2.3"})
tcase("text editor blocked off network", "the `unless` holds outside 10.0.0.0/8", good_text, deny(), principal=P("e", ["editor"]), action="update", resource="document:1", context={"now": 1767272400, "ip": "192.0.2.1"})
tcase("text assignment grants admin", "`carol` is an admin by assignment and inherits viewer", good_text, allow("viewers-read"), principal=P("carol"), action="read", resource="document:7")
tcase("text forbid wins", "deleting from the archive is forbidden even for editors", good_text, deny("no-archive-delete"), principal=P("e", ["editor"]), action="delete", resource="document:archive/1", context={"now": 1767272400, "ip": "10.1.2.3"})
tcase("text resource type", "`resource is` matches by type, not by pattern", good_text, deny(), principal=P("v", ["viewer"]), action="read", resource="documents:1")
tcase("text syntax error", "a missing semicolon is a syntax error", 'version 2;\npermit "r" action any resource like "*"\npermit "s" action any resource like "*";', load_error("syntax_error"))
tcase("text unknown keyword", "an unknown item keyword", 'version 2;\nallow "r" action any resource like "*";', load_error("syntax_error"))
tcase("text unterminated string", "a string without its closing quote", 'version 2;\nrole "viewer;', load_error("syntax_error"))
tcase("text bad escape", "strings use JSON escapes", 'version 2;\nrole "a\\qb";', load_error("syntax_error"))
tcase("text depth limit", "a condition 41 levels deep exceeds max_expression_depth 32", 'version 2; permit "r" action any resource like "*" when { ' + '!'*40 + 'true };', load_error("limit_exceeded"))
tcase("text redundant parentheses", "parentheses add no depth: 20 pairs around a literal load", 'version 2; permit "r" action any resource like "*" when { ' + '('*20 + 'true' + ')'*20 + ' };', allow("r"), principal=P("p"), action="read", resource="x")
tcase("text parenthesis flood", "thousands of parentheses stop at the parser's frame budget", 'version 2; permit "r" action any resource like "*" when { ' + '('*5000 + 'true' + ')'*5000 + ' };', load_error("limit_exceeded"))
tcase("text role cycle", "a cycle written in the text form", 'version 2; role "a" inherits ["b"]; role "b" inherits ["a"];', load_error("role_cycle"))
tcase("text unicode ids", "ids and names are exact Unicode strings", 'version 2; role "café"; permit "menü" principal in role "café" action == "lire" resource like "menu:*";', allow("menü"), principal=P("p", ["café"]), action="lire", resource="menu:1")
tcase("text unicode decomposed role", "a decomposed `café` is a different role", 'version 2; role "café"; permit "menü" principal in role "café" action == "lire" resource like "menu:*";', deny(), principal=P("p", ["cafe\u0301"]), action="lire", resource="menu:1")
tcase("text version one", "a version 1 text document loads with version 1 meaning", 'version 1; permit "r" action in ["read"] resource like "/api/*";', allow("r"), principal=P("p"), action="read", resource="/api/")
tcase("text unsupported version", "version 3 is not read", 'version 3;', load_error("unsupported_version"))
tcase("text duplicate group", "a second `group` with the same name is an error, not a replacement", 'version 2; group "w" = ["create", "delete"]; forbid "f" action in group "w" resource like "*"; group "w" = ["create"];', load_error("syntax_error"))
tcase("text duplicate role", "a second `role` line for one role is an error", 'version 2; role "staff"; role "intern"; role "staff" inherits ["intern"];', load_error("syntax_error"))
tcase("text underflowing number", "a non-zero literal too small for a 64-bit float is an error, not 0", 'version 2; permit "r" action any resource like "*" when { context.x == 1e-400 };', load_error("syntax_error"))
tcase("text duplicate assignment", "a second `assign` for one principal is an error", 'version 2; role "a"; role "b"; assign "p" = ["a"]; assign "p" = ["b"];', load_error("syntax_error"))

# ---------------- scopes v2
S="scopes-v2.json"
scopes={"version":2,
 "roles":{"admin":{"inherits":["editor"]},"editor":{"inherits":["viewer"]},"viewer":{}},
 "action_groups":{"writes":["create","update","delete"],"everything":["*"]},
 "assignments":{"dana":["editor"]},
 "rules":[
   {"id":"viewers-read","effect":"permit","principal":{"role":"viewer"},"action":"read","resource":{"type":"document"}},
   {"id":"editors-write","effect":"permit","principal":{"role":"editor"},"action":{"group":"writes"},"resource":"document:*"},
   {"id":"api","effect":"permit","action":"get","resource":"/api/*"},
   {"id":"admins-all","effect":"permit","principal":{"role":"admin"},"action":{"group":"everything"},"resource":"admin:*"},
   {"id":"no-delete-locked","effect":"forbid","action":"delete","resource":{"type":"document"},"when":{"==":[ra("locked"), v(True)]}}
 ]}
def sc(name, desc, principal, action, resource, expect, **kw):
    case(S, name, desc, expect, policy="scopes", principal=principal, action=action, resource=resource, **kw)
sc("group member allowed", "`update` is in the `writes` group", P("e",["editor"]), "update", "document:1", allow("editors-write"))
sc("group non member denied", "`read` is not in `writes`, but viewers read", P("e",["editor"]), "read", "document:1", allow("viewers-read"))
sc("group action case sensitive", "`Update` is not in the group", P("e",["editor"]), "Update", "document:1", deny())
sc("group with star", "a group holding `*` covers every action", P("a",["admin"]), "reboot", "admin:host", allow("admins-all"))
sc("type scope matches type", "`{type: document}` matches `document:9`", P("v",["viewer"]), "read", "document:9", allow("viewers-read"))
sc("type scope needs colon", "a resource without a colon has no type", P("v",["viewer"]), "read", "document", deny())
sc("type scope exact", "`documents:1` has type `documents`", P("v",["viewer"]), "read", "documents:1", deny())
sc("type scope empty rest", "`document:` has type `document`", P("v",["viewer"]), "read", "document:", allow("viewers-read"))
sc("assignment grants role", "`dana` is an editor through the document's assignments", P("dana"), "update", "document:1", allow("editors-write"))
sc("assignment inherits", "an assigned editor also reads as a viewer", P("dana"), "read", "document:1", allow("viewers-read"))
sc("assignment is by exact id", "`Dana` has no assignment", P("Dana"), "update", "document:1", deny())
sc("api anchored exact prefix", "`/api/*` does not match `/api`", P("p"), "get", "/api", deny())
sc("api anchored apix", "`/api/*` does not match `/apix`", P("p"), "get", "/apix", deny())
sc("api anchored trailing slash", "`/api/*` matches `/api/`", P("p"), "get", "/api/", allow("api"))
sc("api nested path", "`/api/*` matches deeper paths", P("p"), "get", "/api/v1/users", allow("api"))
sc("forbid on resource attribute", "a locked document cannot be deleted", P("e",["editor"]), "delete", "document:1", deny("no-delete-locked"), resource_attributes={"locked": True})
sc("forbid on unlocked", "an unlocked document can be deleted by an editor", P("e",["editor"]), "delete", "document:1", allow("editors-write"), resource_attributes={"locked": False})
sc("forbid missing resource attribute", "without `locked`, the forbid errors and denies", P("e",["editor"]), "delete", "document:1", deny("no-delete-locked", errors=["missing_attribute"]))
chain={}
for i in range(64): chain[f"r{i:02d}"]={"inherits":[f"r{i+1:02d}"]}
chain["r64"]={}
deep_doc={"version":2,"roles":chain,"rules":[{"id":"bottom","effect":"permit","principal":{"role":"r64"},"action":"read","resource":"*","when":{"in":[var("principal"),{"role":"r64"}]}}]}
case(S, "deep hierarchy at limit", "a chain of 64 inheritance steps reaches the bottom role", allow("bottom"), document=deep_doc, principal=P("p",["r00"]), action="read", resource="x")
chain2=dict(chain); chain2["r64"]={"inherits":["r65"]}; chain2["r65"]={}
case(S, "deep hierarchy over limit", "65 inheritance steps exceed max_inheritance_depth", load_error("limit_exceeded"), document={"version":2,"roles":chain2,"rules":[]})
case(S, "role cycle through three roles", "a cycle a, b, c", load_error("role_cycle"), document={"version":2,"roles":{"a":{"inherits":["b"]},"b":{"inherits":["c"]},"c":{"inherits":["a"]}}})
case(S, "role self cycle", "a role inheriting itself", load_error("role_cycle"), document={"version":2,"roles":{"a":{"inherits":["a"]}}})
case(S, "version 1 document keeps meaning", "a version 1 document loads and decides as before", allow("r"), document={"version":1,"roles":{"v":{}},"rules":[{"id":"r","effect":"permit","principal":{"role":"v"},"action":["read"],"resource":"/api/*"}]}, principal=P("p",["v"]), action="read", resource="/api/x")

# ---------------- request context: an object, or absent or null for an empty one
permit_all={"version":2,"rules":[dict(base_permit)]}
for name, context, kind in [("string", "abc", "a string"), ("boolean", True, "a boolean"), ("number", 5, "a number"), ("fraction", 1.5, "a number"), ("array", [1], "an array")]:
    case(G, f"context {name} denied", f"a context that is {kind}, not an object, is denied before any rule with an `invalid_request` error, whatever the rules allow", deny(errors=["invalid_request"]), document=permit_all, principal=P("p"), action="read", resource="x", context=context)
case(G, "context null is empty", "a `null` context is an empty one, so the permit allows", allow("allow-all"), document=permit_all, principal=P("p"), action="read", resource="x", context=None)
ctx_empty=doc1(when={"==":[var("context"), v({})]})
case(F, "absent context equals empty record", "a request without context has an empty one, which equals the record `{}`", allow("r"), document=ctx_empty, principal=P("p"), action="read", resource="doc:1")
case(F, "null context equals empty record", "a `null` context is an empty one, which equals the record `{}`", allow("r"), document=ctx_empty, principal=P("p"), action="read", resource="doc:1", context=None)
case(F, "empty context equals empty record", "the context `{}` equals the record `{}`", allow("r"), document=ctx_empty, principal=P("p"), action="read", resource="doc:1", context={})
case(F, "context record differs from empty", "a context with a member is not `{}`", deny(), document=ctx_empty, principal=P("p"), action="read", resource="doc:1", context={"a": 1})

# ---------------- numbers as the core's JSON reader reads them
NEG_ZERO_DOC='{"version":2,"rules":[{"id":"r","effect":"permit","action":"*","resource":"*","when":{"&&":[{"==":[{".":[{"var":"context"},"n"]},{"value":-0}]},{"<":[{".":[{"var":"context"},"n"]},{"value":1}]}]}}]}'
case(L, "negative zero literal is integer zero", "the integer literal `-0` in the JSON text is the integer 0, as JavaScript's JSON.stringify(-0) writes it, so it loads as an integer literal and equals 0", allow("r"), document=NEG_ZERO_DOC, principal=P("p"), action="read", resource="x", context={"n": 0})
case(L, "negative zero float literal rejected", "`-0.0` is written as a float, and a float literal is a load error", load_error("invalid_condition"), document=NEG_ZERO_DOC.replace("-0}", "-0.0}"))
case(L, "overflowing number literal", "`1e400` is above the largest 64-bit float, so the JSON does not load", load_error("invalid_json"), document=NEG_ZERO_DOC.replace("-0}", "1e400}"))

# ---------------- limit maximums, the same on every platform
le("max steps above maximum", "max_steps 10^15 is above its maximum of 4294967295 (the largest 32-bit count), on every platform", doc1(), "invalid_limit", limits={"max_steps": 1000000000000000})
case(L, "max steps at maximum", "max_steps 4294967295, its maximum, is accepted", allow("r"), document=doc1(), limits={"max_steps": 4294967295}, principal=P("p"), action="read", resource="x")
le("max rules above maximum", "max_rules 4294967296 is one above its maximum", doc1(), "invalid_limit", limits={"max_rules": 4294967296})
le("max request length above maximum", "max_request_length 2^53 is above its maximum", doc1(), "invalid_limit", limits={"max_request_length": 9007199254740992})
le("expression depth above maximum", "max_expression_depth 257 is above its maximum of 256", doc1(), "invalid_limit", limits={"max_expression_depth": 257})
case(L, "expression depth at maximum", "max_expression_depth 256, its maximum, is accepted", allow("r"), document=doc1(), limits={"max_expression_depth": 256}, principal=P("p"), action="read", resource="x")

# ---------------- text form: byte order mark, JSON-form nesting, numbers
tcase("byte order mark skipped", "one leading UTF-8 byte order mark, which some editors write, is skipped", "\ufeffversion 2;\npermit \"r\" action any resource like \"*\";\n", allow("r"), principal=P("p"), action="read", resource="x")
tcase("second byte order mark rejected", "only one leading byte order mark is skipped", "\ufeff\ufeffversion 2;\n", load_error("syntax_error"))
def nested_text(levels):
    return "version 2;\npermit \"r\" action any resource like \"*\" when { context.x == " + "["*levels + "]"*levels + " };\n"
tcase("literal at json form depth limit", "the literal's first list is level 7 of the JSON form (document, rules, rule, `when`, the `==` operands, `{\"value\": ...}`), so 90 levels reach max_json_depth 96", nested_text(90), deny(), principal=P("p"), action="read", resource="x", context={"x": []})
tcase("literal over json form depth limit", "91 levels of list put the JSON form one level over max_json_depth 96, so the text form is rejected as the JSON form is", nested_text(91), load_error("limit_exceeded"))
tcase("json form depth counts the document", "with max_json_depth 8, a list literal of two levels fits (levels 7 and 8), and three do not", nested_text(3), load_error("limit_exceeded"), limits={"max_json_depth": 8})
tcase("json form depth fits the document", "with max_json_depth 8, a list literal of two levels fits", nested_text(2), deny(), limits={"max_json_depth": 8}, principal=P("p"), action="read", resource="x", context={"x": []})
tcase("negative zero literal in text", "`-0` in the text form is the integer 0", "version 2;\npermit \"r\" action any resource like \"*\" when { context.n == -0 };\n", allow("r"), principal=P("p"), action="read", resource="x", context={"n": 0})
tcase("overflowing number in text", "`1e400` is above the largest 64-bit float", "version 2;\npermit \"r\" action any resource like \"*\" when { context.n == 1e400 };\n", load_error("syntax_error"))

policies_by_file={S: {"scopes": scopes}}
descs={
 "conditions.json": "Conditions (`when`, `unless`) of policy format version 2: every operator of the expression language, with exact string and Unicode comparison, short-circuit evaluation, role membership through the hierarchy, anchored `like` globs, IPv4 and IPv6 CIDR checks and time checks. Each case loads `document` and evaluates one request; an expected error code means the rule's condition failed, so the permit granted nothing.",
 "fail-closed.json": "Fail-closed evaluation: a forbid rule whose condition errors (missing attribute, type mismatch, invalid value, step or list limit) denies and reports the error; a permit rule whose condition errors grants nothing. Unlike Cedar, an erroring forbid never lets a request through.",
 "load-v2.json": "Load errors of policy format version 2: invalid literals, CIDR ranges, times and patterns in conditions, unknown operators, variables, roles and action groups, version 2 features in version 1 documents, and the expression depth and list length limits.",
 "text-form.json": "Policies written in the text form (`document_text`), which parses into the JSON form: decisions, and syntax and limit errors at load.",
 "scopes-v2.json": "Scopes of policy format version 2: action groups, resource types, role assignments from the document, anchored resource patterns, deep role hierarchies and cycles, and a version 1 document keeping its meaning.",
}
total=0
for f, cs in cases_all.items():
    doc={"source":"own","description":descs[f],"policies":policies_by_file.get(f,{}),"cases":cs}
    open(OUT+f,'w').write(json.dumps(doc, ensure_ascii=False, indent=1)+"\n")
    print(f, len(cs)); total+=len(cs)
print("total", total)
