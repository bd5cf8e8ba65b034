"""A Python model of the Mem8 Guard token verifier, used only to cross-check the vectors.

The generators write each expectation by hand from the fault they put into a token.
check_vectors.py then runs this model on every case, so a token that carries a second,
unintended fault, or an expectation that breaks the check order, shows up as a mismatch.
The model follows the written semantics: key set loading, then checks 0 (the options) to 16 in order.
"""

import json
import math

from cryptography.hazmat.primitives.asymmetric import ec, ed25519, rsa

import vectorlib as v

HMAC_MIN_BYTES = {"HS256": 32, "HS384": 48, "HS512": 64}


class VerifyError(Exception):
    """A verification failure: the error kind plus the claim or limit it names."""

    def __init__(self, kind: str, claim: str | None = None, limit: str | None = None):
        super().__init__(kind, claim, limit)
        self.kind = kind
        self.claim = claim
        self.limit = limit

    def as_expect(self) -> dict:
        expect = {"error": self.kind}
        if self.claim is not None:
            expect["claim"] = self.claim
        if self.limit is not None:
            expect["limit"] = self.limit
        return expect


class KeySetError(Exception):
    """A key set that fails to load, with one of the key error codes."""

    def __init__(self, code: str, reason: str):
        super().__init__(f"{code}: {reason}")
        self.code = code


# ---------------------------------------------------------------- strict JSON


class _DuplicateMember(ValueError):
    pass


def _reject_duplicates(pairs):
    result = {}
    for name, value in pairs:
        if name in result:
            raise _DuplicateMember(name)
        result[name] = value
    return result


def _reject_constant(name):
    raise ValueError(f"{name} is not JSON")


def _parse_float(text):
    value = float(text)
    if math.isinf(value):
        raise ValueError("number out of the range of f64")
    return value


def parse_json_strict(data: bytes):
    """Parse UTF-8 JSON text, or raise ValueError (bad UTF-8, syntax, duplicate member names)."""
    text = data.decode("utf-8")
    return json.loads(
        text,
        object_pairs_hook=_reject_duplicates,
        parse_constant=_reject_constant,
        parse_float=_parse_float,
    )


def json_depth(value) -> int:
    """Nesting depth: a scalar is 0, and each object or array adds 1."""
    if isinstance(value, dict):
        return 1 + max((json_depth(item) for item in value.values()), default=0)
    if isinstance(value, list):
        return 1 + max((json_depth(item) for item in value), default=0)
    return 0


def json_max_members(value) -> int:
    """The largest member or element count of any object or array in the value."""
    if isinstance(value, dict):
        return max([len(value)] + [json_max_members(item) for item in value.values()])
    if isinstance(value, list):
        return max([len(value)] + [json_max_members(item) for item in value])
    return 0


def parse_object_segment(segment: str, max_depth: int, max_members: int) -> dict:
    """Decode and parse a header or payload segment as a JSON object (checks 3 and 7)."""
    try:
        data = v.b64url_decode_strict(segment)
    except ValueError:
        raise VerifyError("malformed")
    try:
        value = parse_json_strict(data)
    except (ValueError, UnicodeDecodeError):
        raise VerifyError("malformed")
    if not isinstance(value, dict):
        raise VerifyError("malformed")
    if json_depth(value) > max_depth:
        raise VerifyError("too_large", limit="json_depth")
    if json_max_members(value) > max_members:
        raise VerifyError("too_large", limit="claim_count")
    return value


# ---------------------------------------------------------------- key sets


class Key:
    """A loaded verification key: its JWK metadata plus the key object or secret."""

    def __init__(self, jwk: dict, family: str, material):
        self.kid = jwk.get("kid")
        self.alg = jwk.get("alg")
        self.use = jwk.get("use")
        self.key_ops = jwk.get("key_ops")
        self.family = family
        self.material = material

    def usable_with(self, alg: str, explicit_algorithms) -> bool:
        if self.use is not None and self.use != "sig":
            return False
        if self.key_ops is not None and "verify" not in self.key_ops:
            return False
        if self.alg is not None:
            return self.alg == alg
        if explicit_algorithms is None or alg not in explicit_algorithms:
            return False
        if self.family == "oct":
            return alg in HMAC_MIN_BYTES and len(self.material) >= HMAC_MIN_BYTES[alg]
        if self.family == "OKP":
            return alg == "EdDSA"
        if self.family == "EC":
            return alg == "ES256"
        return alg[:2] in ("RS", "PS")


def _member_bytes(jwk: dict, name: str) -> bytes:
    value = jwk.get(name)
    if not isinstance(value, str):
        raise KeySetError("invalid_key", f"member {name!r} missing or not a string")
    try:
        return v.b64url_decode_strict(value)
    except ValueError:
        raise KeySetError("invalid_key", f"member {name!r} is not strict base64url")


def _member_int(jwk: dict, name: str) -> int:
    return int.from_bytes(_member_bytes(jwk, name), "big")


def _is_skipped(jwk: dict) -> bool:
    """Keys of types, curves, algorithms or uses the verifier does not implement."""
    kty = jwk.get("kty")
    if kty not in ("oct", "RSA", "EC", "OKP"):
        return True
    if kty == "EC" and jwk.get("crv") != "P-256":
        return True
    if kty == "OKP" and jwk.get("crv") != "Ed25519":
        return True
    if "alg" in jwk and jwk["alg"] not in v.KNOWN_ALGORITHMS:
        return True
    if "use" in jwk and jwk["use"] != "sig":
        return True
    if isinstance(jwk.get("key_ops"), list) and "verify" not in jwk["key_ops"]:
        return True
    return False


# The deepest max_json_depth the verifier supports.
MAX_SUPPORTED_DEPTH = 127

# The largest leeway the verifier accepts, in seconds.
MAX_LEEWAY = 3600

# Private JWK members: d (RFC 7518 §6.2.2 and §6.3.2, RFC 8037 §2) and the RSA ones
# (RFC 7518 §6.3.2), in the order the verifier names the first one found.
PRIVATE_MEMBERS = ("d", "p", "q", "dp", "dq", "qi", "oth")


def _private_member(jwk: dict):
    """The first private member of a JWK whose kty is not oct, or None."""
    if jwk.get("kty") == "oct":
        return None
    return next((name for name in PRIVATE_MEMBERS if name in jwk), None)


def _load_oct(jwk: dict) -> Key:
    secret = _member_bytes(jwk, "k")
    minimum = HMAC_MIN_BYTES.get(jwk.get("alg"), 32)
    if len(secret) < max(32, minimum):
        raise KeySetError("weak_key", f"oct secret of {len(secret)} bytes")
    return Key(jwk, "oct", secret)


def _load_rsa(jwk: dict) -> Key:
    n = _member_int(jwk, "n")
    e = _member_int(jwk, "e")
    if n.bit_length() < 2048:
        raise KeySetError("weak_key", f"RSA modulus of {n.bit_length()} bits")
    try:
        public = rsa.RSAPublicNumbers(e, n).public_key()
    except ValueError as error:
        raise KeySetError("invalid_key", str(error))
    return Key(jwk, "RSA", public)


def _load_ec(jwk: dict) -> Key:
    x = _member_bytes(jwk, "x")
    y = _member_bytes(jwk, "y")
    if len(x) != 32 or len(y) != 32:
        raise KeySetError("invalid_key", "P-256 coordinates must be 32 bytes")
    try:
        public = ec.EllipticCurvePublicNumbers(
            int.from_bytes(x, "big"), int.from_bytes(y, "big"), ec.SECP256R1()
        ).public_key()
    except ValueError:
        raise KeySetError("invalid_key", "point is not on P-256")
    return Key(jwk, "EC", public)


def _load_okp(jwk: dict) -> Key:
    x = _member_bytes(jwk, "x")
    if len(x) != 32 or v.ed25519_decode_point(x) is None:
        raise KeySetError("invalid_key", "x is not an Ed25519 point")
    if v.ed25519_is_small_order(x):
        raise KeySetError("weak_key", "small-order Ed25519 public key")
    public = ed25519.Ed25519PublicKey.from_public_bytes(x)
    return Key(jwk, "OKP", public)


LOADERS = {"oct": _load_oct, "RSA": _load_rsa, "EC": _load_ec, "OKP": _load_okp}


def load_key_set(jwks) -> list[Key]:
    """Load a key set given as a parsed value or as JSON text, or raise KeySetError."""
    if isinstance(jwks, str):
        try:
            jwks = parse_json_strict(jwks.encode("utf-8"))
        except ValueError as error:
            raise KeySetError("invalid_key_set", f"not strict JSON: {error}")
    if not isinstance(jwks, dict) or not isinstance(jwks.get("keys"), list):
        raise KeySetError("invalid_key_set", "not an object with a keys array")
    keys = []
    seen_kids = set()
    for jwk in jwks["keys"]:
        if not isinstance(jwk, dict):
            raise KeySetError("invalid_key_set", "a keys element is not an object")
        # Before skipping: a private key of a type the verifier skips fails the set too.
        private = _private_member(jwk)
        if private is not None:
            raise KeySetError("private_key", f"a {jwk.get('kty')} key has the private member {private!r}")
        if _is_skipped(jwk):
            continue
        key = LOADERS[jwk["kty"]](jwk)
        if key.kid is not None:
            if key.kid in seen_kids:
                raise KeySetError("duplicate_key_id", f"kid {key.kid!r} appears twice")
            seen_kids.add(key.kid)
        keys.append(key)
    return keys


# ---------------------------------------------------------------- verification


def _is_number(value) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def _normalize_typ(value: str) -> str:
    lowered = value.lower()
    return lowered[len("application/"):] if lowered.startswith("application/") else lowered


def verify(token: str, keys: list[Key], validation: dict | None, now, mode: str = "jwt"):
    """Run checks 0 to 16 and return the claims (jwt) or payload bytes (jws), or raise VerifyError."""
    options = validation or {}
    max_depth = options.get("max_json_depth", 16)
    max_members = options.get("max_claims", 100)

    # 0. The options: the verifier's JSON parser checks nesting up to depth 127 only, a
    # leeway is at most one hour, and an empty typ or subject matches no token.
    if max_depth > MAX_SUPPORTED_DEPTH:
        raise VerifyError("invalid_option")
    if options.get("leeway", 0) > MAX_LEEWAY:
        raise VerifyError("invalid_option")
    if options.get("typ") == "" or options.get("subject") == "":
        raise VerifyError("invalid_option")

    # 1. Length, in bytes of the token text.
    if len(token.encode("utf-8")) > options.get("max_token_length", 16384):
        raise VerifyError("too_large", limit="token_length")
    # 2. Exactly three segments.
    segments = token.split(".")
    if len(segments) != 3:
        raise VerifyError("malformed")
    header_segment, payload_segment, signature_segment = segments
    # 3. Header.
    header = parse_object_segment(header_segment, max_depth, max_members)
    # 4. alg.
    alg = header.get("alg")
    if not isinstance(alg, str):
        raise VerifyError("malformed")
    if alg not in v.KNOWN_ALGORITHMS:
        raise VerifyError("unsupported_algorithm")
    # 5. crit.
    if "crit" in header:
        crit = header["crit"]
        if not isinstance(crit, list) or not crit or not all(isinstance(n, str) for n in crit):
            raise VerifyError("malformed")
        raise VerifyError("critical_header")
    # 6. kid and typ types.
    for name in ("kid", "typ"):
        if name in header and not isinstance(header[name], str):
            raise VerifyError("malformed")
    # 7. Payload.
    if mode == "jws":
        try:
            payload_bytes = v.b64url_decode_strict(payload_segment)
        except ValueError:
            raise VerifyError("malformed")
        claims = None
    else:
        claims = parse_object_segment(payload_segment, max_depth, max_members)
    # 8. Signature encoding.
    try:
        signature = v.b64url_decode_strict(signature_segment)
    except ValueError:
        raise VerifyError("malformed")
    # 9. Allowed algorithms.
    explicit = options.get("algorithms")
    allowed = set(explicit) if explicit is not None else {k.alg for k in keys if k.alg is not None}
    if alg not in allowed:
        raise VerifyError("disallowed_algorithm")
    # 10. Key selection.
    if "kid" in header:
        matches = [k for k in keys if k.kid == header["kid"]]
        if not matches:
            raise VerifyError("unknown_key_id")
        key = matches[0]
        if not key.usable_with(alg, explicit):
            raise VerifyError("key_algorithm_mismatch")
    else:
        usable = [k for k in keys if k.usable_with(alg, explicit)]
        if not usable:
            raise VerifyError("no_matching_key")
        if len(usable) > 1:
            raise VerifyError("ambiguous_key")
        key = usable[0]
    # 11. Signature.
    signing_input = f"{header_segment}.{payload_segment}".encode("ascii")
    if not v.verify(alg, key.material, signing_input, signature):
        raise VerifyError("bad_signature")
    if mode == "jws":
        return payload_bytes
    # 12. Header typ.
    if "typ" in options:
        typ = header.get("typ")
        if typ is None or _normalize_typ(typ) != _normalize_typ(options["typ"]):
            raise VerifyError("invalid_header")
    # 13. Registered claim types.
    for name in ("exp", "nbf", "iat"):
        if name in claims and not _is_number(claims[name]):
            raise VerifyError("invalid_claim", claim=name)
    for name in ("iss", "sub", "jti"):
        if name in claims and not isinstance(claims[name], str):
            raise VerifyError("invalid_claim", claim=name)
    if "aud" in claims:
        aud = claims["aud"]
        if not (isinstance(aud, str) or (isinstance(aud, list) and all(isinstance(a, str) for a in aud))):
            raise VerifyError("invalid_claim", claim="aud")
    # 14. Required claims. NOTE: max_age without iat is treated as a missing iat here.
    required = list(options.get("required_claims", ["exp"]))
    if "max_age" in options and "iat" not in required:
        required.append("iat")
    for name in required:
        if name not in claims:
            raise VerifyError("missing_claim", claim=name)
    # 15. Time checks.
    leeway = options.get("leeway", 0)
    if "exp" in claims and now >= claims["exp"] + leeway:
        raise VerifyError("expired")
    if "nbf" in claims and now + leeway < claims["nbf"]:
        raise VerifyError("not_yet_valid")
    if "iat" in claims and claims["iat"] > now + leeway:
        raise VerifyError("issued_in_future")
    if "max_age" in options and now - claims["iat"] > options["max_age"]:
        raise VerifyError("too_old")
    # 16. Issuer, audience, subject.
    if "issuers" in options:
        if "iss" not in claims:
            raise VerifyError("missing_claim", claim="iss")
        if claims["iss"] not in options["issuers"]:
            raise VerifyError("invalid_claim", claim="iss")
    audiences = options.get("audiences", [])
    if not audiences:
        if "aud" in claims:
            raise VerifyError("invalid_claim", claim="aud")
    else:
        if "aud" not in claims:
            raise VerifyError("missing_claim", claim="aud")
        token_audiences = [claims["aud"]] if isinstance(claims["aud"], str) else claims["aud"]
        if not any(a in audiences for a in token_audiences):
            raise VerifyError("invalid_claim", claim="aud")
    if "subject" in options:
        if "sub" not in claims:
            raise VerifyError("missing_claim", claim="sub")
        if claims["sub"] != options["subject"]:
            raise VerifyError("invalid_claim", claim="sub")
    return claims
