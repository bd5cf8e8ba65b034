"""Check the vector files: strict JSON, file format, unique names, and every expectation.

Each token case runs through reference_verifier.py, and its result must equal the
case's "expect". Each positive case's signature is also verified directly with
`cryptography`, and its expected claims must equal the decoded payload. Each key set
case must load, or fail, as expected. Exits non-zero and prints every mismatch.

Policy vector files (tests/vectors/policy/*.json) are checked for format only:
strict JSON, the file members, unique case names, a `source` of "own" or an RFC,
exactly one policy source per case, and an `expect` that is either a load error
code or a decision. Their decisions are not recomputed here, because there is no
independent Python model of the policy engine; the Rust runner
(core/tests/policy_vectors.rs) and the JS runner in every runtime check them.

The stream file (tests/vectors/aead/stream.json) is checked for format only: strict
JSON, unique kebab-case names, lowercase hex, an unsealed keyring object, a chunk size
in range, and an `expect` that is a plaintext or one of the core's stream error codes.
core/tests/stream_vectors.rs regenerates it and checks every case against the core.

Run from any directory: python3 tests/vectors/gen/check_vectors.py
"""

import json
import re
import sys
from collections import Counter

import reference_verifier as ref
import vectorlib as v

TOKEN_FILES = ("jws-rfc.json", "jwt-hostile.json")
KEY_SET_FILE = "jwk-sets.json"
NAME_PATTERN = re.compile(r"[a-z0-9]+(-[a-z0-9]+)*")
ERROR_KINDS = {
    "too_large", "malformed", "unsupported_algorithm", "critical_header", "disallowed_algorithm",
    "unknown_key_id", "key_algorithm_mismatch", "no_matching_key", "ambiguous_key", "bad_signature",
    "invalid_header", "invalid_claim", "missing_claim", "expired", "not_yet_valid",
    "issued_in_future", "too_old", "invalid_option",
}
KEY_ERROR_CODES = {"invalid_key_set", "invalid_key", "weak_key", "duplicate_key_id", "private_key"}


def load_strict(path):
    """Parse a vector file, rejecting duplicate member names at any depth."""
    return ref.parse_json_strict(path.read_bytes())


def check_common(file_name, document, problems):
    for member in ("source", "description", "key_sets", "cases"):
        if member not in document:
            problems.append(f"{file_name}: missing top-level member {member!r}")
    names = [case.get("name") for case in document.get("cases", [])]
    for name, count in Counter(names).items():
        if count > 1:
            problems.append(f"{file_name}: case name {name!r} is used {count} times")
    for case in document.get("cases", []):
        name = case.get("name")
        if not isinstance(name, str) or not NAME_PATTERN.fullmatch(name):
            problems.append(f"{file_name}: case name {name!r} is not kebab-case")
        source = case.get("source")
        if not isinstance(source, str) or not (source.startswith("own") or source.startswith("RFC ")):
            problems.append(f"{file_name}: {name}: unexpected source {source!r}")
        if not isinstance(case.get("description"), str) or not case["description"]:
            problems.append(f"{file_name}: {name}: missing description")


def resolve_jwks(document, case):
    jwks = case["jwks"]
    if isinstance(jwks, str):
        return document["key_sets"][jwks]
    return jwks


def check_positive_signature(case, keys, problems, file_name):
    """Verify a positive case's signature with `cryptography`, independently of check order."""
    name = case["name"]
    token = case["token"]
    header = json.loads(v.b64url_decode_strict(token.split(".")[0]))
    alg = header["alg"]
    explicit = (case.get("validation") or {}).get("algorithms")
    if "kid" in header:
        candidates = [key for key in keys if key.kid == header["kid"]]
    else:
        candidates = [key for key in keys if key.usable_with(alg, explicit)]
    if len(candidates) != 1:
        problems.append(f"{file_name}: {name}: expected one candidate key, found {len(candidates)}")
        return
    signature = v.b64url_decode_strict(token.split(".")[2])
    if not v.verify(alg, candidates[0].material, v.signing_input_of(token), signature):
        problems.append(f"{file_name}: {name}: the positive case's signature does not verify")
    payload = v.b64url_decode_strict(token.split(".")[1])
    expect = case["expect"]
    if "claims" in expect and json.loads(payload) != expect["claims"]:
        problems.append(f"{file_name}: {name}: expected claims differ from the payload")
    if "payload_b64url" in expect and expect["payload_b64url"] != token.split(".")[1]:
        problems.append(f"{file_name}: {name}: payload_b64url differs from the payload segment")


def check_token_file(file_name, problems, tally):
    path = v.VECTORS_DIR / file_name
    document = load_strict(path)
    check_common(file_name, document, problems)
    loaded_sets = {}
    for set_name, jwks in document["key_sets"].items():
        try:
            loaded_sets[set_name] = ref.load_key_set(jwks)
        except ref.KeySetError as error:
            problems.append(f"{file_name}: key set {set_name} does not load: {error}")
    for case in document["cases"]:
        name = case["name"]
        expect = case["expect"]
        if "error" in expect and expect["error"] not in ERROR_KINDS:
            problems.append(f"{file_name}: {name}: unknown error kind {expect['error']!r}")
        jwks = case["jwks"]
        keys = loaded_sets.get(jwks) if isinstance(jwks, str) else ref.load_key_set(jwks)
        if keys is None:
            problems.append(f"{file_name}: {name}: unknown key set {jwks!r}")
            continue
        mode = case.get("mode", "jwt")
        try:
            result = ref.verify(case["token"], keys, case.get("validation"), case["now"], mode)
            actual = {"payload_b64url": v.b64url(result)} if mode == "jws" else {"claims": result}
        except ref.VerifyError as error:
            actual = error.as_expect()
        if actual != expect:
            problems.append(f"{file_name}: {name}: expected {expect}, the reference model gives {actual}")
        if "error" not in expect:
            check_positive_signature(case, keys, problems, file_name)
        tally[expect.get("error", "valid")] += 1


def check_key_set_file(problems, tally):
    document = load_strict(v.VECTORS_DIR / KEY_SET_FILE)
    check_common(KEY_SET_FILE, document, problems)
    for case in document["cases"]:
        name = case["name"]
        expect = case["expect"]
        if ("jwks" in case) == ("jwks_json" in case):
            problems.append(f"{KEY_SET_FILE}: {name}: needs exactly one of jwks and jwks_json")
            continue
        if "key_error" in expect and expect["key_error"] not in KEY_ERROR_CODES:
            problems.append(f"{KEY_SET_FILE}: {name}: unknown key error {expect['key_error']!r}")
        if "jwks_json" in case:
            try:
                json.loads(case["jwks_json"])
            except ValueError:
                problems.append(f"{KEY_SET_FILE}: {name}: jwks_json is not JSON text at all")
        try:
            keys = ref.load_key_set(case.get("jwks_json", case.get("jwks")))
            actual = {"ok": True, "usable_keys": len(keys)}
        except ref.KeySetError as error:
            actual = {"key_error": error.code}
        if actual != expect:
            problems.append(f"{KEY_SET_FILE}: {name}: expected {expect}, the reference model gives {actual}")
        tally[expect.get("key_error", "ok")] += 1


POLICY_CASE_MEMBERS = {
    "name", "source", "description", "policy", "document", "document_text", "limits",
    "principal", "action", "resource", "resource_attributes", "context", "expect",
}
POLICY_LOAD_ERRORS = {
    "invalid_json", "duplicate_member", "invalid_document", "unsupported_version", "invalid_role",
    "unknown_role", "role_cycle", "duplicate_rule_id", "invalid_rule", "invalid_pattern",
    "limit_exceeded", "invalid_condition", "unknown_action_group", "syntax_error", "invalid_limit",
}
STREAM_FILE = "aead/stream.json"
STREAM_CASE_MEMBERS = {"name", "source", "description", "keyring", "aad", "chunk_size", "stream", "expect"}
STREAM_ERRORS = {
    "malformed", "unsupported_version", "unsupported_algorithm", "unknown_key", "key_disabled",
    "key_destroyed", "algorithm_mismatch", "decryption_failed", "truncated", "invalid_chunk_size",
}
HEX_PATTERN = re.compile(r"(?:[0-9a-f]{2})*")
POLICY_DECISION_ERRORS = {
    "missing_attribute", "type_mismatch", "invalid_value", "limit_exceeded", "request_too_large",
    "invalid_request",
}


def check_policy_file(path, problems, tally):
    file_name = f"policy/{path.name}"
    document = load_strict(path)
    for member in ("source", "description", "cases"):
        if member not in document:
            problems.append(f"{file_name}: missing top-level member {member!r}")
    names = Counter(case.get("name") for case in document.get("cases", []))
    for name, count in names.items():
        if count > 1:
            problems.append(f"{file_name}: case name {name!r} is used {count} times")
    for case in document.get("cases", []):
        name = case.get("name")
        unknown = set(case) - POLICY_CASE_MEMBERS
        if unknown:
            problems.append(f"{file_name}: {name}: unknown members {sorted(unknown)}")
        source = case.get("source")
        if not isinstance(source, str) or not (source.startswith("own") or source.startswith("RFC ")):
            problems.append(f"{file_name}: {name}: unexpected source {source!r}")
        sources = [member for member in ("policy", "document", "document_text") if member in case]
        if len(sources) != 1:
            problems.append(f"{file_name}: {name}: needs exactly one of policy, document, document_text")
        if "policy" in case and case["policy"] not in document.get("policies", {}):
            problems.append(f"{file_name}: {name}: unknown policy {case['policy']!r}")
        expect = case.get("expect", {})
        if "load_error" in expect:
            if expect["load_error"] not in POLICY_LOAD_ERRORS:
                problems.append(f"{file_name}: {name}: unknown load error {expect['load_error']!r}")
            if set(expect) != {"load_error"}:
                problems.append(f"{file_name}: {name}: a load error case expects nothing else")
            tally["load_error"] += 1
            continue
        if expect.get("decision") not in ("allow", "deny") or not isinstance(expect.get("reasons"), list):
            problems.append(f"{file_name}: {name}: expect needs decision and reasons")
        for code in expect.get("errors", []):
            if code not in POLICY_DECISION_ERRORS:
                problems.append(f"{file_name}: {name}: unknown decision error {code!r}")
        if expect.get("decision") == "allow" and not expect.get("reasons"):
            problems.append(f"{file_name}: {name}: an allow needs at least one reason")
        for member in ("principal", "action", "resource"):
            if member not in case:
                problems.append(f"{file_name}: {name}: a decision case needs {member}")
        tally[expect.get("decision", "?")] += 1


def check_stream_file(problems, tally):
    document = load_strict(v.VECTORS_DIR / STREAM_FILE)
    for member in ("source", "description", "cases"):
        if member not in document:
            problems.append(f"{STREAM_FILE}: missing top-level member {member!r}")
    names = Counter(case.get("name") for case in document.get("cases", []))
    for name, count in names.items():
        if count > 1:
            problems.append(f"{STREAM_FILE}: case name {name!r} is used {count} times")
    for case in document.get("cases", []):
        name = case.get("name")
        if not isinstance(name, str) or not NAME_PATTERN.fullmatch(name):
            problems.append(f"{STREAM_FILE}: case name {name!r} is not kebab-case")
        if set(case) != STREAM_CASE_MEMBERS:
            problems.append(f"{STREAM_FILE}: {name}: members {sorted(case)}, expected {sorted(STREAM_CASE_MEMBERS)}")
            continue
        if not case["source"].startswith("own"):
            problems.append(f"{STREAM_FILE}: {name}: unexpected source {case['source']!r}")
        if not isinstance(case["keyring"], dict) or not isinstance(case["keyring"].get("keys"), list):
            problems.append(f"{STREAM_FILE}: {name}: keyring is not an unsealed keyring document")
        chunk_size = case["chunk_size"]
        if not isinstance(chunk_size, int) or not 1024 <= chunk_size <= 16 * 1024 * 1024:
            problems.append(f"{STREAM_FILE}: {name}: chunk size {chunk_size!r} out of range")
        for member in ("aad", "stream"):
            if not isinstance(case[member], str) or not HEX_PATTERN.fullmatch(case[member]):
                problems.append(f"{STREAM_FILE}: {name}: {member} is not lowercase hex")
        expect = case["expect"]
        if set(expect) == {"plaintext"} and HEX_PATTERN.fullmatch(str(expect["plaintext"])):
            tally["plaintext"] += 1
        elif set(expect) == {"error"} and expect["error"] in STREAM_ERRORS:
            tally[expect["error"]] += 1
        else:
            problems.append(f"{STREAM_FILE}: {name}: expect {expect!r} is neither a plaintext nor a stream error")


def main() -> int:
    problems: list[str] = []
    for file_name in TOKEN_FILES:
        tally: Counter = Counter()
        check_token_file(file_name, problems, tally)
        print(f"{file_name}: {sum(tally.values())} cases: {dict(sorted(tally.items()))}")
    tally = Counter()
    check_key_set_file(problems, tally)
    print(f"{KEY_SET_FILE}: {sum(tally.values())} cases: {dict(sorted(tally.items()))}")
    for path in sorted((v.VECTORS_DIR / "policy").glob("*.json")):
        tally = Counter()
        check_policy_file(path, problems, tally)
        print(f"policy/{path.name}: {sum(tally.values())} cases (format only): {dict(sorted(tally.items()))}")
    tally = Counter()
    check_stream_file(problems, tally)
    print(f"{STREAM_FILE}: {sum(tally.values())} cases (format only): {dict(sorted(tally.items()))}")
    for problem in problems:
        print(f"MISMATCH {problem}")
    print(f"{len(problems)} problems")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
