"""Write tests/vectors/jwt-hostile.json: hostile and boundary tokens with the exact expected error.

Tokens are assembled by hand from header and payload bytes, so they can carry headers
and encodings that JOSE libraries refuse to produce. Each case names the one fault it
carries. Cases named order-* carry two faults on purpose and pin which check wins.
Every token is signed over its first two segments exactly as they appear in it, so a
verifier that tolerated an encoding fault (padding, non-canonical bits) would accept it.
"""

import json
import sys

from cryptography.hazmat.primitives.asymmetric import utils

import vectorlib as v

OUTPUT = v.VECTORS_DIR / "jwt-hostile.json"
NOW = 1700000000
ISSUER = "https://issuer.example"
AUDIENCE = "https://api.example"
OWN = "own"
# DROP leaves a member out. DEFAULT takes the main key set's value.
DROP = object()
DEFAULT = object()


class Segment(str):
    """A segment given as its literal base64url text, used as is."""


# ---------------------------------------------------------------- keys and key sets

SECRETS = v.load_hmac_secrets()
RSA_A = v.load_private_key("rsa-2048-a.pem")
RSA_B = v.load_private_key("rsa-2048-b.pem")
EC_KEY = v.load_private_key("ec-p256.pem")
EC_P384 = v.load_private_key("ec-p384.pem")
ED_KEY = v.load_private_key("ed25519.pem")
ED_ATTACKER = v.load_private_key("ed25519-attacker.pem")
EC_ATTACKER = v.load_private_key("ec-p256-attacker.pem")
X25519_KEY = v.load_private_key("x25519.pem")

SIGNING_KEYS = {
    "hs256": SECRETS["hs256"],
    "hs384": SECRETS["hs384"],
    "hs512": SECRETS["hs512"],
    "rsa-a": RSA_A,
    "rsa-b": RSA_B,
    "ec": EC_KEY,
    "ec-attacker": EC_ATTACKER,
    "ed": ED_KEY,
    "ed-attacker": ED_ATTACKER,
}
# The signing key for each algorithm in the "main" key set.
MAIN_SIGNER = {
    "HS256": "hs256", "HS384": "hs384", "HS512": "hs512", "EdDSA": "ed", "ES256": "ec",
    "RS256": "rsa-a", "RS384": "rsa-a", "RS512": "rsa-a",
    "PS256": "rsa-a", "PS384": "rsa-a", "PS512": "rsa-a",
}
# The kid of each algorithm's key in the "main" key set.
MAIN_KID = {alg: alg.lower() for alg in v.KNOWN_ALGORITHMS}
MAIN_KID["EdDSA"] = "ed25519"

RSA_PUBLIC_RS256 = v.public_jwk(RSA_A, kid="rsa", use="sig", alg="RS256")
RSA_PUBLIC_NO_ALG = v.public_jwk(RSA_A, kid="rsa")


def main_key_set() -> dict:
    keys = [
        v.oct_jwk(SECRETS["hs256"], kid="hs256", use="sig", alg="HS256"),
        v.oct_jwk(SECRETS["hs384"], kid="hs384", alg="HS384"),
        v.oct_jwk(SECRETS["hs512"], kid="hs512", alg="HS512", key_ops=["verify"]),
        v.public_jwk(ED_KEY, kid="ed25519", use="sig", alg="EdDSA"),
        v.public_jwk(EC_KEY, kid="es256", use="sig", alg="ES256"),
    ]
    for alg in ("RS256", "RS384", "RS512", "PS256", "PS384", "PS512"):
        keys.append(v.public_jwk(RSA_A, kid=alg.lower(), use="sig", alg=alg))
    return {"keys": keys}


KEY_SETS = {
    "main": main_key_set(),
    "with-skipped": {
        "keys": [
            v.oct_jwk(SECRETS["hs256"], kid="hs256", alg="HS256"),
            v.public_jwk(EC_P384, kid="ec-p384", use="sig"),
            v.public_jwk(X25519_KEY, kid="x25519"),
            v.public_jwk(RSA_A, kid="rsa-oaep", alg="RSA-OAEP"),
            v.public_jwk(EC_KEY, kid="ec-enc", use="enc"),
        ]
    },
    "rsa-public": {"keys": [RSA_PUBLIC_RS256]},
    "rsa-public-no-alg": {"keys": [RSA_PUBLIC_NO_ALG]},
    "two-rs256": {
        "keys": [
            v.public_jwk(RSA_A, kid="rsa-a", alg="RS256"),
            v.public_jwk(RSA_B, kid="rsa-b", alg="RS256"),
        ]
    },
    "oct-no-alg-32": {"keys": [v.oct_jwk(SECRETS["hs256"], kid="oct-32")]},
    "oct-no-alg-64": {"keys": [v.oct_jwk(SECRETS["hs512"], kid="oct-64")]},
    "ec-no-alg": {"keys": [v.public_jwk(EC_KEY, kid="ec")]},
    "rsa-sign-only": {
        "keys": [v.public_jwk(RSA_A, kid="rsa-sign-only", alg="RS256", key_ops=["sign"])]
    },
}

# ---------------------------------------------------------------- token assembly

REUSE = v.SignatureReuse(OUTPUT)


def sign_bytes(alg: str, key_name: str, signing_input: bytes) -> bytes:
    return REUSE.sign(alg, SIGNING_KEYS[key_name], signing_input)


def encode_segment(part) -> str:
    if isinstance(part, Segment):
        return str(part)
    if isinstance(part, bytes):
        return v.b64url(part)
    return v.b64url(v.compact_json(part))


def header(alg="HS256", kid=DEFAULT, typ="JWT", **extra) -> dict:
    """Build a JOSE header. The kid defaults to the main key set's key for `alg`, and DROP leaves it out."""
    result = {"alg": alg}
    if kid is DEFAULT:
        kid = MAIN_KID.get(alg, DROP)
    if kid is not DROP:
        result["kid"] = kid
    if typ is not DROP:
        result["typ"] = typ
    for name, value in extra.items():
        if value is not DROP:
            result[name] = value
    return result


def claims(name: str, **overrides) -> dict:
    """Build the base claims set (valid at NOW, no aud) with overrides. DROP removes a claim."""
    result = {"iss": ISSUER, "sub": "user-1", "iat": NOW - 10, "exp": NOW + 300, "jti": name}
    for claim, value in overrides.items():
        if value is DROP:
            result.pop(claim, None)
        else:
            result[claim] = value
    return result


def token(header_part, payload_part, signer=None, signature=None) -> str:
    """Assemble header.payload.signature.

    `signer` is (alg, key name). By default it is the header's alg with the main key set's
    key for it, or HS256 with the hs256 secret when the header is raw bytes.
    `signature` may be raw bytes or a literal Segment instead.
    """
    header_segment = encode_segment(header_part)
    payload_segment = encode_segment(payload_part)
    signing_input = f"{header_segment}.{payload_segment}".encode("ascii")
    if signature is None:
        if signer is None and isinstance(header_part, dict) and header_part.get("alg") in MAIN_SIGNER:
            signer = (header_part["alg"], MAIN_SIGNER[header_part["alg"]])
        elif signer is None:
            signer = ("HS256", "hs256")
        signature_segment = v.b64url(sign_bytes(signer[0], signer[1], signing_input))
    elif isinstance(signature, Segment):
        signature_segment = str(signature)
    else:
        signature_segment = v.b64url(signature)
    return f"{header_segment}.{payload_segment}.{signature_segment}"


def split(token_text: str) -> list[str]:
    return token_text.split(".")


def replace_segment(token_text: str, index: int, segment: str) -> str:
    parts = split(token_text)
    parts[index] = segment
    return ".".join(parts)


def signature_of(token_text: str) -> bytes:
    return v.b64url_decode_strict(split(token_text)[2])


def with_signature(token_text: str, signature: bytes) -> str:
    return replace_segment(token_text, 2, v.b64url(signature))


def noncanonical(segment: str) -> str:
    """Set an unused low bit in the last character, which lenient decoders ignore."""
    if len(segment) % 4 not in (2, 3):
        raise ValueError("segment has no unused bits")
    alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"
    last = alphabet.index(segment[-1])
    return segment[:-1] + alphabet[last | 1]


def padded(segment: str) -> str:
    if len(segment) % 4 == 0:
        raise ValueError("segment needs no padding")
    return segment + "=" * (-len(segment) % 4)


def json_with_length_residue(build, residue: int):
    """Return build(filler) for the shortest filler whose compact JSON length % 3 == residue."""
    for size in range(3):
        value = build("a" * size)
        if len(v.compact_json(value)) % 3 == residue:
            return value
    raise AssertionError("unreachable")


def standard_alphabet(segment: str) -> str:
    """Rewrite base64url as the standard alphabet, which uses + and /."""
    return segment.replace("-", "+").replace("_", "/")


def nested_arrays(depth: int):
    value: list = []
    for _ in range(depth - 1):
        value = [value]
    return value


def nested_objects(depth: int):
    value: dict = {}
    for _ in range(depth - 1):
        value = {"a": value}
    return value


def parse_payload(token_text: str) -> dict:
    return json.loads(v.b64url_decode_strict(split(token_text)[1]))


def der_signature(raw: bytes) -> bytes:
    return utils.encode_dss_signature(int.from_bytes(raw[:32], "big"), int.from_bytes(raw[32:], "big"))


# ---------------------------------------------------------------- cases

CASES: list[dict] = []


def add(name, description, token_text, expect, jwks="main", validation=None, now=NOW, mode=None, source=OWN):
    case = {"name": name, "source": source, "description": description}
    if mode is not None:
        case["mode"] = mode
    case["jwks"] = jwks
    if validation is not None:
        case["validation"] = validation
    case["now"] = now
    case["token"] = token_text
    case["expect"] = expect
    CASES.append(case)


def error(kind, claim=None, limit=None) -> dict:
    expect = {"error": kind}
    if claim is not None:
        expect["claim"] = claim
    if limit is not None:
        expect["limit"] = limit
    return expect


def add_valid(name, description, alg="HS256", jwks="main", validation=None, now=NOW, hdr=None, payload=None, signer=None):
    payload = payload if payload is not None else claims(name)
    hdr = hdr if hdr is not None else header(alg)
    add(name, description, token(hdr, payload, signer), {"claims": payload}, jwks, validation, now)


def positive_controls():
    for alg in v.KNOWN_ALGORITHMS:
        add_valid(f"valid-{alg.lower()}", f"positive control: a valid {alg} token with kid", alg)

    add_valid(
        "valid-hs256-without-kid",
        "positive control: no kid, and exactly one key in the set is usable with HS256",
        hdr=header("HS256", kid=DROP),
    )

    add_valid(
        "valid-rs256-without-typ",
        "positive control: no typ header, which is fine when no typ is configured",
        "RS256", hdr=header("RS256", typ=DROP),
    )

    add_valid(
        "valid-unknown-header-member",
        "positive control: an unknown, non-critical header member is ignored",
        hdr=header("HS256", **{"x-trace": "abc"}),
    )

    add_valid(
        "valid-oct-without-alg-allow-list",
        "positive control: a 32-byte oct key without alg is usable for HS256 when HS256 is allowed",
        jwks="oct-no-alg-32", validation={"algorithms": ["HS256"]}, hdr=header("HS256", kid="oct-32"),
    )

    add_valid(
        "valid-oct-64-without-alg-hs512",
        "positive control: a 64-byte oct key without alg is usable for HS512 when HS512 is allowed",
        jwks="oct-no-alg-64", validation={"algorithms": ["HS512"]},
        hdr=header("HS512", kid="oct-64"), signer=("HS512", "hs512"),
    )

    add_valid(
        "valid-ec-without-alg-no-kid",
        "positive control: an EC key without alg, no kid, ES256 allowed",
        "ES256", jwks="ec-no-alg", validation={"algorithms": ["ES256"]}, hdr=header("ES256", kid=DROP),
    )

    add_valid(
        "valid-key-set-with-skipped-keys",
        "positive control: the set also holds P-384, X25519, RSA-OAEP and use=enc keys, which are skipped",
        jwks="with-skipped",
    )


def algorithm_cases():
    input_payload = claims("alg-none")

    labels = {"none": "none", "None": "none-capitalized", "NONE": "none-upper", "nOnE": "none-mixed-case"}

    for spelling in ("none", "None", "NONE", "nOnE"):
        hdr = header(spelling, kid=DROP)
        add(
            f"alg-{labels[spelling]}-empty-signature",
            f"alg \"{spelling}\" with an empty signature segment",
            token(hdr, input_payload, signature=Segment("")),
            error("unsupported_algorithm"),
        )

    for spelling in ("none", "NONE", "nOnE"):
        hdr = header(spelling, kid="hs256")
        add(
            f"alg-{labels[spelling]}-hs256-signature",
            f"alg \"{spelling}\" with a valid HS256 signature over the signing input",
            token(hdr, input_payload, signer=("HS256", "hs256")),
            error("unsupported_algorithm"),
        )

    for name, alg in (
        ("alg-lowercase-hs256", "hs256"),
        ("alg-unknown-hs1024", "HS1024"),
        ("alg-es384-not-implemented", "ES384"),
        ("alg-empty-string", ""),
    ):
        add(
            name,
            f"alg {alg!r} is not a known algorithm name (names are case-sensitive)",
            token(header(alg, kid="hs256"), claims(name), signer=("HS256", "hs256")),
            error("unsupported_algorithm"),
        )

    add(
        "alg-ed25519-fully-specified",
        "alg \"Ed25519\" (the fully-specified name of RFC 9864) is not in the known list, only EdDSA is",
        token(header("Ed25519", kid="ed25519"), claims("alg-ed25519-fully-specified"), signer=("EdDSA", "ed")),
        error("unsupported_algorithm"),
    )

    add(
        "alg-missing",
        "the header has no alg member",
        token({"kid": "hs256", "typ": "JWT"}, claims("alg-missing"), signer=("HS256", "hs256")),
        error("malformed"),
    )

    add(
        "alg-number",
        "alg is the number 256, not a string",
        token(header(256, kid="hs256"), claims("alg-number"), signer=("HS256", "hs256")),
        error("malformed"),
    )

    add(
        "alg-null",
        "alg is null",
        token(header(None, kid="hs256"), claims("alg-null"), signer=("HS256", "hs256")),
        error("malformed"),
    )

    add(
        "alg-not-allowed",
        "a valid HS256 token, but the allow-list names RS256 only",
        token(header("HS256"), claims("alg-not-allowed")),
        error("disallowed_algorithm"), validation={"algorithms": ["RS256"]},
    )

    add(
        "alg-rs384-with-rs256-key",
        "a correct RS384 signature, but kid selects the key whose alg is RS256",
        token(header("RS384", kid="rs256"), claims("alg-rs384-with-rs256-key")),
        error("key_algorithm_mismatch"),
    )

    add(
        "alg-ps256-with-rs256-key",
        "a correct PS256 signature, but kid selects the key whose alg is RS256",
        token(header("PS256", kid="rs256"), claims("alg-ps256-with-rs256-key")),
        error("key_algorithm_mismatch"),
    )

    add(
        "alg-hs384-with-hs256-key",
        "an HS384 token (signed with the HS256 secret) whose kid selects the HS256 key",
        token(header("HS384", kid="hs256"), claims("alg-hs384-with-hs256-key"), signer=("HS384", "hs256")),
        error("key_algorithm_mismatch"),
    )

    add(
        "alg-es256-with-eddsa-key",
        "a correct ES256 signature, but kid selects the EdDSA key",
        token(header("ES256", kid="ed25519"), claims("alg-es256-with-eddsa-key")),
        error("key_algorithm_mismatch"),
    )

    add(
        "alg-hs512-with-short-oct-key",
        "HS512 allowed, kid selects a 32-byte oct key without alg, too short for HS512",
        token(header("HS512", kid="oct-32"), claims("alg-hs512-with-short-oct-key"), signer=("HS512", "hs256")),
        error("key_algorithm_mismatch"), jwks="oct-no-alg-32", validation={"algorithms": ["HS512"]},
    )

    add(
        "alg-rs256-key-ops-sign-only",
        "kid selects an RS256 key whose key_ops is [\"sign\"]; such keys are skipped at load",
        token(header("RS256", kid="rsa-sign-only"), claims("alg-rs256-key-ops-sign-only")),
        error("unknown_key_id"), jwks="rsa-sign-only", validation={"algorithms": ["RS256"]},
    )


def confusion_cases():
    pem_secret = v.public_pem(RSA_A)
    jwk_secret = v.compact_json(RSA_PUBLIC_RS256)

    for label, secret_name, secret in (
        ("pem", "the RSA public key's PEM text", pem_secret),
        ("jwk", "the RSA public JWK's JSON bytes", jwk_secret),
    ):
        SIGNING_KEYS[f"confusion-{label}"] = secret
        signer = ("HS256", f"confusion-{label}")
        hdr = header("HS256", kid="rsa")
        add(
            f"confusion-hs256-rsa-{label}-default",
            f"HS256 signed with {secret_name} as the secret; default validation allows RS256 only",
            token(hdr, claims(f"confusion-hs256-rsa-{label}-default"), signer),
            error("disallowed_algorithm"), jwks="rsa-public",
        )
        add(
            f"confusion-hs256-rsa-{label}-allow-list",
            f"HS256 signed with {secret_name}; HS256 and RS256 allowed, kid selects the RS256 key",
            token(hdr, claims(f"confusion-hs256-rsa-{label}-allow-list"), signer),
            error("key_algorithm_mismatch"), jwks="rsa-public", validation={"algorithms": ["HS256", "RS256"]},
        )
        add(
            f"confusion-hs256-rsa-{label}-key-without-alg",
            f"HS256 signed with {secret_name}; HS256 and RS256 allowed, the RSA key has no alg",
            token(hdr, claims(f"confusion-hs256-rsa-{label}-key-without-alg"), signer),
            error("key_algorithm_mismatch"), jwks="rsa-public-no-alg",
            validation={"algorithms": ["HS256", "RS256"]},
        )

    signer = ("HS256", "confusion-pem")

    add(
        "confusion-hs256-rsa-pem-no-kid",
        "HS256 signed with the RSA PEM text, no kid; HS256 and RS256 allowed, no key fits HS256",
        token(header("HS256", kid=DROP), claims("confusion-hs256-rsa-pem-no-kid"), signer),
        error("no_matching_key"), jwks="rsa-public", validation={"algorithms": ["HS256", "RS256"]},
    )

    add(
        "confusion-hs256-rsa-pem-no-alg-default",
        "HS256 signed with the RSA PEM text; the RSA key has no alg and no allow-list is set",
        token(header("HS256", kid="rsa"), claims("confusion-hs256-rsa-pem-no-alg-default"), signer),
        error("disallowed_algorithm"), jwks="rsa-public-no-alg",
    )

    add(
        "embedded-jwk-header-ignored",
        "signed by an attacker key that the header embeds as jwk; the set's own EdDSA key is used",
        token(
            header("EdDSA", kid=DROP, jwk=v.public_jwk(ED_ATTACKER)),
            claims("embedded-jwk-header-ignored"),
            ("EdDSA", "ed-attacker"),
        ),
        error("bad_signature"),
    )

    add(
        "jku-header-ignored",
        "signed by an attacker key; the jku header points at the attacker's key set and is not fetched",
        token(
            header("ES256", jku="https://attacker.invalid/jwks.json"),
            claims("jku-header-ignored"),
            ("ES256", "ec-attacker"),
        ),
        error("bad_signature"),
    )


def crit_cases():
    for name, description, crit, expect in (
        ("crit-unknown-name", "crit names an extension the verifier does not implement",
         ["x-mem8-ext"], error("critical_header")),
        ("crit-b64", "crit names b64 (RFC 7797), which is not implemented", ["b64"], error("critical_header")),
        ("crit-empty-list", "crit is an empty array", [], error("malformed")),
        ("crit-not-array", "crit is the string \"b64\", not an array", "b64", error("malformed")),
        ("crit-number-element", "crit is an array holding a number", [1], error("malformed")),
    ):
        extra = {"crit": crit}
        if crit == ["x-mem8-ext"]:
            extra["x-mem8-ext"] = True
        if crit == ["b64"]:
            extra = {"b64": False, "crit": crit}
        add(name, description, token(header("HS256", **extra), claims(name)), expect)
    add(
        "crit-names-registered-member",
        "crit lists exp, a name that no implemented extension defines",
        token(header("HS256", crit=["exp"]), claims("crit-names-registered-member")),
        error("critical_header"),
    )


def kid_cases():
    for name, kid, description in (
        ("kid-not-found", "missing-key", "kid matches no key in the set"),
        ("kid-path-traversal", "../../etc/passwd", "kid is a relative path; it must be compared, never opened"),
        ("kid-absolute-path", "/dev/null", "kid is an absolute path; it must be compared, never opened"),
        ("kid-sql-injection", "' OR '1'='1", "kid is an SQL injection string"),
        ("kid-case-differs", "HS256", "kid differs from the key's kid \"hs256\" in letter case"),
        ("kid-empty-string", "", "kid is the empty string"),
        ("kid-with-nul", "hs256\u0000", "kid is the real kid followed by a NUL character"),
    ):
        add(name, description, token(header("HS256", kid=kid), claims(name)), error("unknown_key_id"))

    for name, kid, description in (
        ("kid-number", 1, "kid is a number"),
        ("kid-array", ["hs256"], "kid is an array holding the real kid"),
        ("kid-null", None, "kid is null"),
    ):
        add(name, description, token(header("HS256", kid=kid), claims(name)), error("malformed"))

    for kid, what in (
        ("ec-p384", "an EC P-384 key"),
        ("x25519", "an OKP X25519 key"),
        ("rsa-oaep", "an RSA key with alg RSA-OAEP"),
        ("ec-enc", "a P-256 key with use enc"),
    ):
        name = f"kid-of-skipped-{kid}-key"
        add(
            name,
            f"kid names {what}, which the loader skips",
            token(header("HS256", kid=kid), claims(name), signer=("HS256", "hs256")),
            error("unknown_key_id"), jwks="with-skipped",
        )

    add(
        "kid-absent-two-candidates",
        "no kid, and two RS256 keys in the set could verify it",
        token(header("RS256", kid=DROP), claims("kid-absent-two-candidates")),
        error("ambiguous_key"), jwks="two-rs256",
    )

    add(
        "kid-absent-no-candidate",
        "no kid, HS384 allowed, but the only key is a 32-byte oct key without alg, too short for HS384",
        token(header("HS384", kid=DROP), claims("kid-absent-no-candidate")),
        error("no_matching_key"), jwks="oct-no-alg-32", validation={"algorithms": ["HS384"]},
    )


def audience_cases():
    with_audience = {"audiences": [AUDIENCE]}

    for name, aud, description in (
        ("aud-number", 42, "aud is a number"),
        ("aud-object", {"aud": AUDIENCE}, "aud is an object"),
        ("aud-null", None, "aud is null"),
        ("aud-bool", True, "aud is true"),
        ("aud-array-with-number", [AUDIENCE, 1], "aud is an array holding a number"),
        ("aud-array-nested", [[AUDIENCE]], "aud is an array holding an array"),
    ):
        add(name, description, token(header(), claims(name, aud=aud)), error("invalid_claim", "aud"),
            validation=with_audience)

    add("aud-mismatch", "aud is a different audience",
        token(header(), claims("aud-mismatch", aud="https://other.example")),
        error("invalid_claim", "aud"), validation=with_audience)

    add("aud-case-differs", "aud differs from the configured audience in letter case",
        token(header(), claims("aud-case-differs", aud=AUDIENCE.upper())),
        error("invalid_claim", "aud"), validation=with_audience)

    add("aud-array-mismatch", "aud is an array of other audiences",
        token(header(), claims("aud-array-mismatch", aud=["https://a.example", "https://b.example"])),
        error("invalid_claim", "aud"), validation=with_audience)

    add("aud-empty-array", "aud is an empty array",
        token(header(), claims("aud-empty-array", aud=[])),
        error("invalid_claim", "aud"), validation=with_audience)

    add("aud-present-none-configured", "aud is present but no audiences are configured",
        token(header(), claims("aud-present-none-configured", aud=AUDIENCE)),
        error("invalid_claim", "aud"))

    add("aud-missing", "audiences are configured but the token has no aud",
        token(header(), claims("aud-missing")),
        error("missing_claim", "aud"), validation=with_audience)

    payload = claims("valid-aud-string", aud=AUDIENCE)

    add("valid-aud-string", "positive control: aud equals the configured audience",
        token(header(), payload), {"claims": payload}, validation=with_audience)

    payload = claims("valid-aud-array-one-match", aud=["https://other.example", AUDIENCE])

    add("valid-aud-array-one-match", "positive control: one element of the aud array matches",
        token(header(), payload), {"claims": payload}, validation=with_audience)


def time_cases():
    def case(name, description, expect, validation=None, **overrides):
        payload = claims(name, **overrides)
        result = {"claims": payload} if expect is None else expect
        add(name, description, token(header(), payload), result, validation=validation)

    case("exp-equals-now", "exp == now is expired (now >= exp)", error("expired"), exp=NOW)

    case("exp-now-plus-one", "exp == now + 1 is still valid", None, exp=NOW + 1)

    case("exp-past-within-leeway", "exp == now - 5 with leeway 10 is valid", None, {"leeway": 10}, exp=NOW - 5)

    case("exp-past-at-leeway", "exp == now - 10 with leeway 10 is expired (now >= exp + leeway)",
         error("expired"), {"leeway": 10}, exp=NOW - 10)

    case("exp-float-half-second", "exp == now + 0.5 is valid because now < exp", None, exp=NOW + 0.5)

    case("exp-float-half-second-past", "exp == now - 0.5 is expired", error("expired"), exp=NOW - 0.5)

    case("exp-negative", "exp is -1", error("expired"), exp=-1)

    case("exp-zero", "exp is 0", error("expired"), exp=0)

    case("exp-string", "exp is a numeric string", error("invalid_claim", "exp"), exp=str(NOW + 300))

    case("exp-null", "exp is null", error("invalid_claim", "exp"), exp=None)

    case("exp-bool", "exp is true", error("invalid_claim", "exp"), exp=True)

    case("exp-array", "exp is an array holding a number", error("invalid_claim", "exp"), exp=[NOW + 300])

    case("exp-missing", "no exp, and exp is required by default", error("missing_claim", "exp"), exp=DROP)

    case("exp-missing-not-required", "no exp with required_claims []", None, {"required_claims": []}, exp=DROP)

    case("nbf-equals-now", "nbf == now is valid", None, nbf=NOW)

    case("nbf-now-plus-one", "nbf == now + 1 is not yet valid", error("not_yet_valid"), nbf=NOW + 1)

    case("nbf-within-leeway", "nbf == now + 10 with leeway 10 is valid", None, {"leeway": 10}, nbf=NOW + 10)

    case("nbf-beyond-leeway", "nbf == now + 11 with leeway 10 is not yet valid",
         error("not_yet_valid"), {"leeway": 10}, nbf=NOW + 11)

    case("nbf-string", "nbf is a numeric string", error("invalid_claim", "nbf"), nbf=str(NOW))

    case("iat-equals-now", "iat == now is valid", None, iat=NOW)

    case("iat-future-no-leeway", "iat == now + 1 with leeway 0", error("issued_in_future"), iat=NOW + 1)

    case("iat-future-within-leeway", "iat == now + 30 with leeway 60 is valid", None, {"leeway": 60}, iat=NOW + 30)

    case("iat-future-beyond-leeway", "iat == now + 61 with leeway 60",
         error("issued_in_future"), {"leeway": 60}, iat=NOW + 61)

    case("iat-string", "iat is a numeric string", error("invalid_claim", "iat"), iat=str(NOW))

    case("max-age-exceeded", "max_age 300 and iat == now - 301", error("too_old"), {"max_age": 300}, iat=NOW - 301)

    case("max-age-at-limit", "max_age 300 and iat == now - 300 is valid", None, {"max_age": 300}, iat=NOW - 300)

    case("max-age-without-iat", "max_age is set but the token has no iat",
         error("missing_claim", "iat"), {"max_age": 300}, iat=DROP)

    case("required-claim-jti-missing", "required_claims [exp, jti] and no jti",
         error("missing_claim", "jti"), {"required_claims": ["exp", "jti"]}, jti=DROP)

    case("required-claim-nbf-missing", "required_claims [nbf] and no nbf",
         error("missing_claim", "nbf"), {"required_claims": ["nbf"]})


def identity_cases():
    def case(name, description, expect, validation=None, hdr=None, **overrides):
        payload = claims(name, **overrides)
        result = {"claims": payload} if expect is None else expect
        add(name, description, token(hdr or header(), payload), result, validation=validation)

    issuers = {"issuers": ["https://other-issuer.example", ISSUER]}

    case("iss-mismatch", "iss is not one of the configured issuers",
         error("invalid_claim", "iss"), issuers, iss="https://evil.example")

    case("iss-missing", "issuers are configured but the token has no iss",
         error("missing_claim", "iss"), issuers, iss=DROP)

    case("iss-number", "iss is a number", error("invalid_claim", "iss"), iss=7)

    case("valid-iss-second-of-two", "positive control: iss equals the second configured issuer", None, issuers)

    case("sub-mismatch", "sub differs from the configured subject",
         error("invalid_claim", "sub"), {"subject": "user-1"}, sub="user-2")

    case("sub-missing", "a subject is configured but the token has no sub",
         error("missing_claim", "sub"), {"subject": "user-1"}, sub=DROP)

    case("sub-number", "sub is a number", error("invalid_claim", "sub"), sub=1)

    case("jti-number", "jti is a number", error("invalid_claim", "jti"), jti=12345)

    case("typ-mismatch", "header typ JWT, but at+jwt is configured",
         error("invalid_header"), {"typ": "at+jwt"})

    case("typ-missing", "typ is configured but the header has none",
         error("invalid_header"), {"typ": "JWT"}, hdr=header(typ=DROP))

    case("valid-typ-prefix-and-case", "positive control: typ application/AT+JWT matches at+jwt",
         None, {"typ": "at+jwt"}, hdr=header(typ="application/AT+JWT"))

    add("typ-number", "header typ is a number",
        token(header(typ=1), claims("typ-number")), error("malformed"))


def size_cases():
    # A valid token exactly max_token_length (16384) long, and one byte longer.
    def padded_token(name, length):
        # A payload segment never has 4n+1 characters, so some lengths need a 1-byte longer header.
        for hdr in [header()] + [header(x="a" * size) for size in range(4)]:
            start = max(0, (length - len(token(hdr, claims(name)))) * 3 // 4 - 60)
            for filler in range(start, start + 120):
                text = token(hdr, claims(name, pad="x" * filler))
                if len(text) == length:
                    return text
        raise AssertionError(f"no token of length {length}")

    exact = padded_token("token-length-at-limit", 16384)

    add("token-length-at-limit", "a valid token exactly 16384 bytes long (the default limit)",
        exact, {"claims": parse_payload(exact)})

    over = padded_token("token-length-over-limit", 16385)

    add("token-length-over-limit", "a valid token 16385 bytes long, one over the default limit",
        over, error("too_large", limit="token_length"))

    small = token(header(), claims("token-length-custom-limit"))

    add("token-length-custom-limit", "max_token_length is one byte less than this valid token",
        small, error("too_large", limit="token_length"), validation={"max_token_length": len(small) - 1})

    add("token-length-garbage", "16385 bytes of 'a': the length check comes before parsing",
        "a" * 16385, error("too_large", limit="token_length"))

    add("header-depth-17", "the header nests arrays to depth 17 (limit 16)",
        token(header(x=nested_arrays(16)), claims("header-depth-17")), error("too_large", limit="json_depth"))

    add("payload-depth-17", "a payload claim nests objects to depth 17 (limit 16)",
        token(header(), claims("payload-depth-17", x=nested_objects(16))), error("too_large", limit="json_depth"))

    payload = claims("payload-depth-16", x=nested_arrays(15))

    add("payload-depth-16", "positive control: the payload nests arrays to exactly depth 16",
        token(header(), payload), {"claims": payload})

    add("payload-depth-custom-limit", "max_json_depth 3 and the payload nests to depth 4",
        token(header(), claims("payload-depth-custom-limit", x=nested_arrays(3))),
        error("too_large", limit="json_depth"), validation={"max_json_depth": 3})

    # A payload nested to depth 127 would make this file too deep for the JSON readers of
    # the runners, so the control shows only that the option value is accepted.
    payload = claims("json-depth-limit-at-supported-maximum", x=nested_arrays(20))

    add("json-depth-limit-at-supported-maximum", "positive control: max_json_depth 127, the supported "
        "maximum, is accepted, and a payload nesting to depth 21 verifies under it",
        token(header(), payload), {"claims": payload}, validation={"max_json_depth": 127})

    add("json-depth-limit-above-supported", "max_json_depth 128 is above the supported maximum of 127: "
        "the options are rejected before the token is read",
        token(header(), claims("json-depth-limit-above-supported")), error("invalid_option"),
        validation={"max_json_depth": 128})

    add("leeway-above-maximum", "leeway 3601 is above the maximum of 3600 s: the options are "
        "rejected before the token is read",
        token(header(), claims("leeway-above-maximum")), error("invalid_option"),
        validation={"leeway": 3601})

    add("leeway-far-above-maximum", "leeway 2^32, which would accept tokens expired for 136 "
        "years, is rejected as an option",
        token(header(), claims("leeway-far-above-maximum", exp=NOW - 1000)), error("invalid_option"),
        validation={"leeway": 4294967296})

    payload = claims("leeway-at-maximum", exp=NOW - 3599)

    add("leeway-at-maximum", "positive control: leeway 3600, the maximum, accepts a token that "
        "expired 3599 s ago",
        token(header(), payload), {"claims": payload}, validation={"leeway": 3600})

    add("typ-option-empty", "an empty required typ matches no token, so the options are "
        "rejected", token(header(), claims("typ-option-empty")), error("invalid_option"),
        validation={"typ": ""})

    add("subject-option-empty", "an empty required subject matches no token, so the options "
        "are rejected", token(header(), claims("subject-option-empty")), error("invalid_option"),
        validation={"subject": ""})

    payload = claims("sub-empty-counts-as-present", sub="")

    add("sub-empty-counts-as-present", "positive control: a required sub is present when the "
        "payload has the member, even as an empty string",
        token(header(), payload), {"claims": payload},
        validation={"required_claims": ["exp", "sub"]})

    def with_members(name, count):
        payload = claims(name)
        index = 0
        while len(payload) < count:
            payload[f"c{index:03d}"] = index
            index += 1
        return payload

    payload = with_members("payload-claims-100", 100)

    add("payload-claims-100", "positive control: the payload has exactly 100 members",
        token(header(), payload), {"claims": payload})

    add("payload-claims-101", "the payload has 101 members (limit 100)",
        token(header(), with_members("payload-claims-101", 101)), error("too_large", limit="claim_count"))

    add("payload-array-101", "a payload claim is an array of 101 elements (limit 100)",
        token(header(), claims("payload-array-101", roles=list(range(101)))),
        error("too_large", limit="claim_count"))

    hdr = header()
    index = 0
    while len(hdr) < 101:
        hdr[f"h{index:03d}"] = index
        index += 1

    add("header-members-101", "the header has 101 members (limit 100)",
        token(hdr, claims("header-members-101")), error("too_large", limit="claim_count"))

    add("payload-claims-custom-limit", "max_claims 5 and the payload has 6 members",
        token(header(), claims("payload-claims-custom-limit", extra=1)),
        error("too_large", limit="claim_count"), validation={"max_claims": 5})


def raw_json_payload(name: str, marker_value: str, raw: bytes) -> bytes:
    """Serialize claims with sub set to a marker, then replace the quoted marker with raw bytes."""
    text = v.compact_json(claims(name, sub=marker_value))
    marker = v.compact_json(marker_value)
    assert text.count(marker) == 1
    return text.replace(marker, raw)


def json_cases():
    hs_header = v.compact_json(header())
    header_text = hs_header.decode()

    add("header-duplicate-alg", "the header has alg twice (HS256, then none)",
        token(header_text[:-1].encode() + b',"alg":"none"}', claims("header-duplicate-alg")),
        error("malformed"))

    add("header-duplicate-escaped-alg", "the header has alg and \\u0061lg, the same name",
        token(header_text[:-1].encode() + b',"\\u0061lg":"HS256"}', claims("header-duplicate-escaped-alg")),
        error("malformed"))

    payload = v.compact_json(claims("payload-duplicate-exp"))

    add("payload-duplicate-exp", "the payload has exp twice, the second one far in the future",
        token(header(), payload[:-1] + b',"exp":9999999999}'), error("malformed"))

    payload = v.compact_json(claims("payload-duplicate-escaped-sub"))

    add("payload-duplicate-escaped-sub", "the payload has sub and \\u0073ub, the same name",
        token(header(), payload[:-1] + b',"\\u0073ub":"admin"}'), error("malformed"))

    payload = v.compact_json(claims("payload-duplicate-nested"))

    add("payload-duplicate-nested", "an object inside the payload has the member role twice",
        token(header(), payload[:-1] + b',"ext":{"role":"user","role":"admin"}}'), error("malformed"))

    for name, body, description in (
        ("payload-array", b'[{"sub":"user-1","exp":1700000300}]', "the payload is a JSON array"),
        ("payload-string", b'"user-1"', "the payload is a JSON string"),
        ("payload-number", b"1700000300", "the payload is a JSON number"),
        ("payload-null", b"null", "the payload is JSON null"),
        ("payload-empty", b"", "the payload segment is empty"),
    ):
        add(name, description, token(header(), body), error("malformed"))

    add("header-array", "the header is a JSON array",
        token(b'["HS256"]', claims("header-array"), signer=("HS256", "hs256")), error("malformed"))

    add("header-empty", "the header segment is empty",
        token(b"", claims("header-empty"), signer=("HS256", "hs256")), error("malformed"))

    payload = v.compact_json(claims("payload-trailing-data"))

    add("payload-trailing-data", "the payload object is followed by more JSON text",
        token(header(), payload + b"{}"), error("malformed"))

    payload = v.compact_json(claims("payload-trailing-comma"))

    add("payload-trailing-comma", "the payload object has a trailing comma",
        token(header(), payload[:-1] + b",}"), error("malformed"))

    payload = v.compact_json(claims("payload-nan"))

    add("payload-nan", "a payload claim is NaN, which JSON does not allow",
        token(header(), payload[:-1] + b',"score":NaN}'), error("malformed"))

    payload = v.compact_json(claims("payload-single-quotes"))

    add("payload-single-quotes", "a payload member name is in single quotes",
        token(header(), payload[:-1] + b",'role':\"admin\"}"), error("malformed"))

    for name, raw, description in (
        ("payload-invalid-utf8-byte", b'"\xff"', "a payload string holds the byte 0xFF"),
        ("payload-overlong-utf8", b'"\xc0\xaf"', "a payload string holds an overlong encoding of /"),
        ("payload-utf8-surrogate", b'"\xed\xa0\x80"', "a payload string holds a UTF-8 encoded surrogate"),
        ("payload-truncated-utf8", b'"\xe2\x82"', "a payload string ends inside a 3-byte sequence"),
    ):
        add(name, description, token(header(), raw_json_payload(name, "MARKER", raw)), error("malformed"))


def encoding_cases():
    # Header and payload JSON whose lengths leave unused bits and need padding.
    def hdr_build(filler):
        return header(x=filler)

    def payload_build(name):
        return lambda filler: claims(name, x=filler)

    for segment_name, index in (("header", 0), ("payload", 1)):
        name = f"{segment_name}-padding"
        hdr = json_with_length_residue(hdr_build, 1)
        payload = json_with_length_residue(payload_build(name), 1)
        base = token(hdr, payload)
        parts = split(base)
        parts[index] = padded(parts[index])
        signing_input = f"{parts[0]}.{parts[1]}".encode()
        parts[2] = v.b64url(sign_bytes("HS256", "hs256", signing_input))
        add(name, f"the {segment_name} segment ends with = padding", ".".join(parts), error("malformed"))

        name = f"{segment_name}-noncanonical-bits"
        payload = json_with_length_residue(payload_build(name), 1)
        base = token(hdr, payload)
        parts = split(base)
        parts[index] = noncanonical(parts[index])
        signing_input = f"{parts[0]}.{parts[1]}".encode()
        parts[2] = v.b64url(sign_bytes("HS256", "hs256", signing_input))
        add(name, f"the {segment_name} segment's last character has a non-zero unused bit",
            ".".join(parts), error("malformed"))

    base = token(header(), claims("signature-padding"))

    add("signature-padding", "the HS256 signature segment (43 characters) ends with =",
        replace_segment(base, 2, padded(split(base)[2])), error("malformed"))

    base = token(header(), claims("signature-noncanonical-bits"))

    add("signature-noncanonical-bits",
        "the HS256 signature's last character has a non-zero unused bit; the bytes are unchanged",
        replace_segment(base, 2, noncanonical(split(base)[2])), error("malformed"))

    base = token(header("EdDSA"), claims("signature-noncanonical-bits-eddsa"))

    add("signature-noncanonical-bits-eddsa",
        "the EdDSA signature's last character (86 characters, 4 unused bits) has a non-zero unused bit",
        replace_segment(base, 2, noncanonical(split(base)[2])), error("malformed"))

    # + and / from the standard alphabet, in a segment that has - or _ in base64url.
    def find_with_url_chars(build, index):
        for counter in range(1000):
            text = build(counter)
            if any(c in split(text)[index] for c in "-_"):
                return text
        raise AssertionError("no segment with - or _ found")

    def resign(parts):
        signing_input = f"{parts[0]}.{parts[1]}".encode()
        parts[2] = v.b64url(sign_bytes("HS256", "hs256", signing_input))
        return ".".join(parts)

    base = find_with_url_chars(lambda n: token(header(x="?" * n + "~"), claims("header-standard-alphabet")), 0)

    parts = split(base)
    parts[0] = standard_alphabet(parts[0])

    add("header-standard-alphabet", "the header segment uses + or / (standard base64) in place of - or _",
        resign(parts), error("malformed"))

    base = find_with_url_chars(
        lambda n: token(header(), claims("payload-standard-alphabet", x="?" * n + "~")), 1)

    parts = split(base)
    parts[1] = standard_alphabet(parts[1])

    add("payload-standard-alphabet", "the payload segment uses + or / in place of - or _",
        resign(parts), error("malformed"))

    base = find_with_url_chars(lambda n: token(header(), claims(f"signature-standard-alphabet-{n}")), 2)

    add("signature-standard-alphabet", "the signature segment uses + or / in place of - or _",
        replace_segment(base, 2, standard_alphabet(split(base)[2])), error("malformed"))

    base = token(header(), claims("header-space"))

    parts = split(base)
    parts[0] = parts[0][:10] + " " + parts[0][10:]

    add("header-space", "the header segment has a space in the middle", resign(parts), error("malformed"))

    base = token(header(), claims("payload-line-break"))

    parts = split(base)
    parts[1] = parts[1][:20] + "\n" + parts[1][20:]

    add("payload-line-break", "the payload segment is wrapped with a line feed", resign(parts), error("malformed"))

    base = token(header(), claims("signature-trailing-newline"))

    add("signature-trailing-newline", "the token ends with CR LF after the signature",
        base + "\r\n", error("malformed"))

    base = token(header(), claims("token-leading-space"))

    add("token-leading-space", "the token starts with a space", " " + base, error("malformed"))

    base = token(header(), claims("payload-invalid-character"))

    parts = split(base)
    parts[1] = parts[1][:20] + "$" + parts[1][21:]

    add("payload-invalid-character", "the payload segment holds $, outside the base64url alphabet",
        resign(parts), error("malformed"))

    base = token(header(), claims("signature-length-1-mod-4"))

    add("signature-length-1-mod-4", "the signature segment has 4n+1 characters, which no byte string encodes",
        replace_segment(base, 2, split(base)[2] + "AA"), error("malformed"))


def segment_cases():
    base = token(header(), claims("segments"))

    parts = split(base)

    add("segments-two", "only header.payload, no signature segment", f"{parts[0]}.{parts[1]}", error("malformed"))

    add("segments-one", "the header segment alone", parts[0], error("malformed"))

    add("segments-four", "a fourth segment after the signature", base + ".AAAA", error("malformed"))

    add("segments-four-empty", "a trailing dot after the signature", base + ".", error("malformed"))

    add("segments-five", "five segments, the shape of a JWE",
        f"{parts[0]}.AAAA.AAAA.{parts[1]}.{parts[2]}", error("malformed"))

    add("segments-empty-token", "the token is the empty string", "", error("malformed"))

    add("segments-only-dots", "the token is two dots, three empty segments", "..", error("malformed"))


def signature_cases():
    base = token(header("ES256"), claims("es256-signature"))

    raw = signature_of(base)

    add("es256-signature-63-bytes", "the ES256 signature has its last byte removed",
        with_signature(base, raw[:-1]), error("bad_signature"))

    add("es256-signature-65-bytes", "the ES256 signature has a zero byte appended",
        with_signature(base, raw + b"\x00"), error("bad_signature"))

    add("es256-signature-der", "the valid ES256 signature in ASN.1 DER form in place of R || S",
        with_signature(base, der_signature(raw)), error("bad_signature"))

    add("es256-signature-r-s-swapped", "the ES256 signature has R and S swapped",
        with_signature(base, raw[32:] + raw[:32]), error("bad_signature"))

    add("es256-signature-zero", "the ES256 signature is 64 zero bytes (r = s = 0)",
        with_signature(base, bytes(64)), error("bad_signature"))

    order = v.P256_ORDER.to_bytes(32, "big")

    add("es256-signature-r-equals-n", "the ES256 signature's R is the group order n (out of range)",
        with_signature(base, order + raw[32:]), error("bad_signature"))

    add("es256-signature-other-token", "a valid ES256 signature copied from a different payload",
        replace_segment(base, 2, split(token(header("ES256"), claims("es256-other")))[2]), error("bad_signature"))

    base = token(header("EdDSA"), claims("eddsa-signature"))

    raw = signature_of(base)

    add("eddsa-signature-63-bytes", "the EdDSA signature has its last byte removed",
        with_signature(base, raw[:-1]), error("bad_signature"))

    add("eddsa-signature-65-bytes", "the EdDSA signature has a zero byte appended",
        with_signature(base, raw + b"\x00"), error("bad_signature"))

    s_value = int.from_bytes(raw[32:], "little")

    add("eddsa-signature-s-plus-l", "the EdDSA signature's S has L added (S >= L, non-canonical)",
        with_signature(base, raw[:32] + (s_value + v.ED25519_L).to_bytes(32, "little")), error("bad_signature"))

    add("eddsa-signature-zero", "the EdDSA signature is 64 zero bytes",
        with_signature(base, bytes(64)), error("bad_signature"))

    base = token(header("HS256"), claims("hs256-signature"))

    raw = signature_of(base)

    add("hs256-signature-truncated", "the HS256 signature is cut to its first 16 bytes",
        with_signature(base, raw[:16]), error("bad_signature"))

    add("hs256-signature-empty", "the HS256 signature segment is empty",
        replace_segment(base, 2, ""), error("bad_signature"))

    payload = claims("hs256-signature", sub="admin")

    add("hs256-payload-modified", "the payload's sub was changed after signing",
        replace_segment(base, 1, encode_segment(payload)), error("bad_signature"))

    base = token(header("RS256"), claims("rs256-signature"))

    raw = signature_of(base)

    add("rs256-signature-255-bytes", "the RS256 signature has its first byte removed",
        with_signature(base, raw[1:]), error("bad_signature"))

    add("rs256-signature-leading-zero", "the RS256 signature has a zero byte prepended (257 bytes)",
        with_signature(base, b"\x00" + raw), error("bad_signature"))

    add("ps256-header-pkcs1-signature", "header alg PS256 over an RS256 (PKCS #1 v1.5) signature",
        token(header("PS256"), claims("ps256-header-pkcs1-signature"), signer=("RS256", "rsa-a")),
        error("bad_signature"))

    add("rs256-header-pss-signature", "header alg RS256 over a PS256 signature",
        token(header("RS256"), claims("rs256-header-pss-signature"), signer=("PS256", "rsa-a")),
        error("bad_signature"))

    add("rs512-header-rs256-signature", "header alg RS512 over an RS256 signature",
        token(header("RS512"), claims("rs512-header-rs256-signature"), signer=("RS256", "rsa-a")),
        error("bad_signature"))

    add("hs256-signed-with-other-secret", "HS256 signed with the HS384 key's secret",
        token(header("HS256"), claims("hs256-signed-with-other-secret"), signer=("HS256", "hs384")),
        error("bad_signature"))


def jws_mode_cases():
    payload = b"\x00\x01binary payload, not JSON\xff"

    text = token(header("EdDSA"), payload)

    add("jws-mode-binary-payload", "jws mode: any payload bytes are accepted when the signature is valid",
        text, {"payload_b64url": split(text)[1]}, mode="jws")

    add("jws-mode-binary-payload-as-jwt", "the same token in jwt mode: the payload is not JSON",
        text, error("malformed"))

    text = token(header("HS256"), claims("jws-mode-ignores-claims", exp=NOW - 100))

    add("jws-mode-ignores-claims", "jws mode checks the signature only, so an expired claims set passes",
        text, {"payload_b64url": split(text)[1]}, mode="jws")

    add("jws-mode-bad-signature", "jws mode still rejects a wrong signature",
        with_signature(text, bytes(32)), error("bad_signature"), mode="jws")


def order_cases():
    add("order-length-before-segments", "check order: 16385 bytes and 4 segments -> the length check wins",
        token(header(), claims("order", pad="x" * 12200)) + ".AAAA",
        error("too_large", limit="token_length"))

    add("order-alg-before-crit", "check order: alg none and an empty crit -> unsupported_algorithm",
        token(header("none", kid=DROP, crit=[]), claims("order-alg-before-crit"), signature=Segment("")),
        error("unsupported_algorithm"))

    add("order-crit-before-kid-type", "check order: a crit name and a numeric kid -> critical_header",
        token(header("HS256", kid=1, crit=["x"]), claims("order-crit-before-kid-type"), ("HS256", "hs256")),
        error("critical_header"))

    base = token(header(), claims("order-payload-before-allow-list"))

    add("order-payload-before-allow-list",
        "check order: a disallowed alg and a payload with bad base64url -> malformed",
        replace_segment(base, 1, split(base)[1] + "="), error("malformed"),
        validation={"algorithms": ["RS256"]})

    add("order-allow-list-before-kid", "check order: a disallowed alg and an unknown kid -> disallowed_algorithm",
        token(header("HS256", kid="nope"), claims("order-allow-list-before-kid"), ("HS256", "hs256")),
        error("disallowed_algorithm"), validation={"algorithms": ["RS256"]})

    base = token(header(), claims("order-signature-before-expiry", exp=NOW - 100))

    add("order-signature-before-expiry", "check order: expired and a wrong signature -> bad_signature",
        with_signature(base, bytes(32)), error("bad_signature"))

    add("order-typ-before-claims", "check order: a wrong typ and an expired exp -> invalid_header",
        token(header(), claims("order-typ-before-claims", exp=NOW - 100)),
        error("invalid_header"), validation={"typ": "at+jwt"})

    add("order-claim-type-before-required",
        "check order: exp is a string and the required nbf is missing -> invalid_claim exp",
        token(header(), claims("order-claim-type-before-required", exp="soon")),
        error("invalid_claim", "exp"), validation={"required_claims": ["exp", "nbf"]})

    add("order-expiry-before-issuer", "check order: expired and a wrong iss -> expired",
        token(header(), claims("order-expiry-before-issuer", exp=NOW - 100, iss="https://evil.example")),
        error("expired"), validation={"issuers": [ISSUER]})

    add("order-issuer-before-audience", "check order: a wrong iss and a wrong aud -> invalid_claim iss",
        token(header(), claims("order-issuer-before-audience", iss="https://evil.example",
                               aud="https://other.example")),
        error("invalid_claim", "iss"), validation={"issuers": [ISSUER], "audiences": [AUDIENCE]})

    add("order-audience-before-subject", "check order: a wrong aud and a wrong sub -> invalid_claim aud",
        token(header(), claims("order-audience-before-subject", aud="https://other.example", sub="user-2")),
        error("invalid_claim", "aud"), validation={"audiences": [AUDIENCE], "subject": "user-1"})


def build() -> dict:
    positive_controls()
    algorithm_cases()
    confusion_cases()
    crit_cases()
    kid_cases()
    audience_cases()
    time_cases()
    identity_cases()
    size_cases()
    json_cases()
    encoding_cases()
    segment_cases()
    signature_cases()
    jws_mode_cases()
    order_cases()

    return {
        "source": "own",
        "description": (
            "Hostile and boundary JWTs for the Mem8 Guard verifier, each with the exact expected "
            "error. All cases use now = 1700000000 unless stated. The base claims set is "
            "{iss, sub, iat = now - 10, exp = now + 300, jti = the case name} with no aud. "
            "Cases named order-* carry two faults and pin which check comes first. "
            "Generated by tests/vectors/gen/gen_hostile.py from the fixed keys in tests/vectors/keys/. "
            "HS*, RS* and EdDSA signatures are deterministic, and ES256 uses RFC 6979 nonces. "
            "PS* signatures are randomized, so the generator reuses the signature in this file "
            "when the signing input is unchanged and it still verifies; reruns are byte-identical."
        ),
        "key_sets": KEY_SETS,
        "cases": CASES,
    }


def main() -> int:
    document = build()
    names = [case["name"] for case in document["cases"]]
    duplicates = sorted({name for name in names if names.count(name) > 1})
    if duplicates:
        raise SystemExit(f"duplicate case names: {duplicates}")
    v.write_vectors(OUTPUT, document)
    print(f"wrote {len(names)} cases to {OUTPUT}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
