"""Write tests/vectors/jwk-sets.json: key set loading cases with the expected result.

Valid sets expect {"ok": true, "usable_keys": N}, where N counts the keys that loaded.
Skipped keys (unsupported kty, crv, alg or use) do not count. Rejected sets expect
{"key_error": CODE}. A set that cannot be written as a JSON value, because it repeats
a member name, is given as text in "jwks_json" instead of "jwks".
"""

import sys

from cryptography.hazmat.primitives import serialization

import vectorlib as v
from gen_hostile import KEY_SETS as HOSTILE_KEY_SETS
from gen_rfc import A1_JWK, A2_JWK, A3_JWK, A4_JWK, public_part

OUTPUT = v.VECTORS_DIR / "jwk-sets.json"

SECRETS = v.load_hmac_secrets()
RSA_A = v.load_private_key("rsa-2048-a.pem")
RSA_B = v.load_private_key("rsa-2048-b.pem")
RSA_WEAK = v.load_private_key("rsa-1024-weak.pem")
EC_KEY = v.load_private_key("ec-p256.pem")
EC_OTHER = v.load_private_key("ec-p256-attacker.pem")
EC_P384 = v.load_private_key("ec-p384.pem")
ED_KEY = v.load_private_key("ed25519.pem")
ED_OTHER = v.load_private_key("ed25519-attacker.pem")
X25519_KEY = v.load_private_key("x25519.pem")

# Small-order Ed25519 points: the identity (order 1) and a point of order 8.
ED25519_IDENTITY = bytes([1]) + bytes(31)
ED25519_ORDER_8 = bytes.fromhex("c7176a703d4dd84fba3c0b760d10670f2a2053fa2c39ccc64ec7fd7792ac037a")

CASES: list[dict] = []


def add(name, description, expect, jwks=None, jwks_json=None, source="own"):
    case = {"name": name, "source": source, "description": description}
    if jwks_json is not None:
        case["jwks_json"] = jwks_json
    else:
        case["jwks"] = jwks
    case["expect"] = expect
    CASES.append(case)


def ok(count: int) -> dict:
    return {"ok": True, "usable_keys": count}


def key_error(code: str) -> dict:
    return {"key_error": code}


def keys(*jwks) -> dict:
    return {"keys": list(jwks)}


def hs256_jwk(**members) -> dict:
    return v.oct_jwk(SECRETS["hs256"], kid="hs256", alg="HS256", **members)


def private_members(key) -> dict:
    """The private JWK members of an EC or Ed25519 private key (d only)."""
    if hasattr(key, "private_numbers"):
        return {"d": v.int_to_b64url(key.private_numbers().private_value, 32)}
    raw = key.private_bytes(
        serialization.Encoding.Raw, serialization.PrivateFormat.Raw, serialization.NoEncryption()
    )
    return {"d": v.b64url(raw)}


def ed25519_point_not_on_curve() -> bytes:
    """The smallest y (sign bit 0) for which no x satisfies the Ed25519 curve equation."""
    for y in range(2, 1000):
        encoded = y.to_bytes(32, "little")
        if v.ed25519_decode_point(encoded) is None:
            return encoded
    raise AssertionError("no off-curve y below 1000")


def valid_cases():
    add("all-supported-types", "one oct, RSA, EC P-256 and Ed25519 key each", ok(4), keys(
        hs256_jwk(),
        v.public_jwk(RSA_A, kid="rsa", alg="RS256"),
        v.public_jwk(EC_KEY, kid="ec", alg="ES256"),
        v.public_jwk(ED_KEY, kid="ed", alg="EdDSA"),
    ))

    add("rfc-example-public-keys",
        "the public parts of the RFC 7515 A.1, A.2, A.3 and RFC 8037 A.1 keys (A.1 is an oct secret)",
        ok(4), keys(A1_JWK, public_part(A2_JWK), public_part(A3_JWK), public_part(A4_JWK)),
        source="own, derived from RFC 7515 Appendix A and RFC 8037 Appendix A.1")

    add("hostile-main-key-set", "the \"main\" key set of jwt-hostile.json", ok(11), HOSTILE_KEY_SETS["main"])

    add("unsupported-keys-only", "P-384, X25519, alg RSA-OAEP and use enc keys are all skipped", ok(0), keys(
        v.public_jwk(EC_P384, kid="p384"),
        v.public_jwk(X25519_KEY, kid="x25519"),
        v.public_jwk(RSA_A, kid="oaep", alg="RSA-OAEP"),
        v.public_jwk(EC_KEY, kid="enc", use="enc"),
    ))

    add("unsupported-key-type", "kty \"foo\" is skipped, the oct key loads", ok(1), keys(
        {"kty": "foo", "kid": "foo", "k": "AAAA"},
        hs256_jwk(),
    ))

    add("empty-keys-array", "an empty keys array loads as a set with no keys", ok(0), keys())

    add("unknown-members-ignored", "unknown members in the set and in a key are ignored", ok(1), {
        "keys": [hs256_jwk(**{"x-note": "rotated 2024-01", "ext": True})],
        "x-issuer": "https://issuer.example",
    })

    add("keys-without-kid", "two keys without kid do not conflict", ok(2), keys(
        v.oct_jwk(SECRETS["hs256"], alg="HS256"),
        v.oct_jwk(SECRETS["hs512"], alg="HS512"),
    ))

    add("oct-48-bytes-hs384", "a 48-byte secret with alg HS384", ok(1), keys(
        v.oct_jwk(SECRETS["hs384"], kid="hs384", alg="HS384"),
    ))

    add("oct-32-bytes-no-alg", "a 32-byte secret without alg", ok(1), keys(
        v.oct_jwk(SECRETS["hs256"], kid="oct"),
    ))


def private_key_cases():
    """A verification key set takes public keys only: any kty but oct with d, or with an RSA
    private member, fails the whole set, whether or not its type is one the verifier uses."""
    add("rfc-example-private-keys",
        "the RFC 7515 A.1, A.2, A.3 and RFC 8037 A.1 keys as the RFCs give them, private members included",
        key_error("private_key"), keys(A1_JWK, A2_JWK, A3_JWK, A4_JWK),
        source="own, derived from RFC 7515 Appendix A and RFC 8037 Appendix A.1")

    add("ec-private-key-matching-d", "a P-256 key with its matching private d", key_error("private_key"), keys(
        {**v.public_jwk(EC_KEY, kid="ec", alg="ES256"), **private_members(EC_KEY)},
    ))

    add("ed25519-private-key-matching-d", "an Ed25519 key with its matching private d",
        key_error("private_key"), keys(
            {**v.public_jwk(ED_KEY, kid="ed", alg="EdDSA"), **private_members(ED_KEY)},
        ))

    jwk = v.public_jwk(RSA_A, kid="rsa", alg="RS256")
    jwk["d"] = v.int_to_b64url(RSA_B.private_numbers().d)

    add("rsa-private-d", "an RSA key with a private d (of another key; its value is never read)",
        key_error("private_key"), keys(jwk))

    numbers = RSA_A.private_numbers()
    jwk = {**v.public_jwk(RSA_A, kid="rsa", alg="RS256"),
           "p": v.int_to_b64url(numbers.p), "q": v.int_to_b64url(numbers.q)}

    add("rsa-private-p-q-without-d", "an RSA key with its private p and q but no d",
        key_error("private_key"), keys(jwk))

    add("private-key-among-public-keys", "a P-256 private key after an oct key and an Ed25519 public key",
        key_error("private_key"), keys(
            hs256_jwk(),
            v.public_jwk(ED_KEY, kid="ed", alg="EdDSA"),
            {**v.public_jwk(EC_KEY, kid="ec", alg="ES256"), **private_members(EC_KEY)},
        ))

    add("private-key-repeating-public-kid", "an Ed25519 public key, then its private key with the same kid: "
        "the private key is reported, not the repeated kid",
        key_error("private_key"), keys(
            v.public_jwk(ED_KEY, kid="ed", alg="EdDSA"),
            {**v.public_jwk(ED_KEY, kid="ed", alg="EdDSA"), **private_members(ED_KEY)},
        ))

    add("private-key-of-skipped-type", "a P-384 private key, a curve the verifier would skip",
        key_error("private_key"), keys(
            hs256_jwk(),
            {**v.public_jwk(EC_P384, kid="p384"), "d": v.int_to_b64url(EC_P384.private_numbers().private_value, 48)},
        ))

    add("oct-key-with-d-member", "an oct secret with a stray d member: oct keys are not asymmetric",
        ok(1), keys(hs256_jwk(d=v.b64url(bytes(32)))))


def set_shape_cases():
    add("set-is-array", "the key set is a JSON array, not an object", key_error("invalid_key_set"),
        jwks=[hs256_jwk()])

    add("set-keys-missing", "the key set object has no keys member", key_error("invalid_key_set"), jwks={})

    add("set-keys-object", "keys is an object, not an array", key_error("invalid_key_set"),
        jwks={"keys": hs256_jwk()})

    add("set-keys-null", "keys is null", key_error("invalid_key_set"), jwks={"keys": None})

    hs256_text = v.compact_json(hs256_jwk()).decode()

    add("set-duplicate-keys-member", "the set has the member keys twice, the second one empty",
        key_error("invalid_key_set"), jwks_json=f'{{"keys":[{hs256_text}],"keys":[]}}')

    add("jwk-duplicate-member", "a key has the member k twice",
        key_error("invalid_key_set"),
        jwks_json='{"keys":[' + hs256_text[:-1] + ',"k":"' + v.b64url(bytes(32)) + '"}]}')


def oct_cases():
    secret = SECRETS["hs256"]

    add("oct-k-padded", "k ends with = padding", key_error("invalid_key"),
        keys({"kty": "oct", "kid": "k", "alg": "HS256", "k": v.b64url(secret) + "="}))

    add("oct-k-missing", "an oct key has no k", key_error("invalid_key"),
        keys({"kty": "oct", "kid": "k", "alg": "HS256"}))

    add("oct-k-number", "k is a number", key_error("invalid_key"),
        keys({"kty": "oct", "kid": "k", "alg": "HS256", "k": 12345}))

    add("oct-31-bytes", "a 31-byte secret without alg", key_error("weak_key"),
        keys(v.oct_jwk(secret[:31], kid="k")))

    add("oct-empty-secret", "k is the empty string, a 0-byte secret", key_error("weak_key"),
        keys(v.oct_jwk(b"", kid="k", alg="HS256")))

    add("oct-32-bytes-hs512", "a 32-byte secret with alg HS512, which needs 64", key_error("weak_key"),
        keys(v.oct_jwk(secret, kid="k", alg="HS512")))

    add("oct-47-bytes-hs384", "a 47-byte secret with alg HS384, which needs 48", key_error("weak_key"),
        keys(v.oct_jwk(SECRETS["hs384"][:47], kid="k", alg="HS384")))


def rsa_cases():
    add("rsa-1024-bits", "an RS256 key with a 1024-bit modulus", key_error("weak_key"),
        keys(v.public_jwk(RSA_WEAK, kid="weak", alg="RS256")))

    add("rsa-1024-bits-no-alg", "a 1024-bit RSA key without alg", key_error("weak_key"),
        keys(v.public_jwk(RSA_WEAK, kid="weak")))

    jwk = v.public_jwk(RSA_A, kid="rsa", alg="RS256")
    del jwk["e"]

    add("rsa-e-missing", "an RSA key has no e", key_error("invalid_key"), keys(jwk))

    jwk = v.public_jwk(RSA_A, kid="rsa", alg="RS256")
    assert "-" in jwk["n"] or "_" in jwk["n"]
    jwk["n"] = jwk["n"].replace("-", "+").replace("_", "/")

    add("rsa-n-standard-alphabet", "n uses + or / (standard base64) in place of - or _",
        key_error("invalid_key"), keys(jwk))



def ec_cases():
    base = v.public_jwk(EC_KEY, kid="ec", alg="ES256")

    x = v.b64url_decode_strict(base["x"])
    y = v.b64url_decode_strict(base["y"])

    add("ec-x-31-bytes", "x is 31 bytes (its first byte removed)", key_error("invalid_key"),
        keys({**base, "x": v.b64url(x[1:])}))

    add("ec-y-33-bytes", "y is 33 bytes (a zero byte prepended, same integer)", key_error("invalid_key"),
        keys({**base, "y": v.b64url(b"\x00" + y)}))

    p256_prime = 2**256 - 2**224 + 2**192 + 2**96 - 1
    off_curve_y = (int.from_bytes(y, "big") + 1) % p256_prime

    add("ec-point-not-on-curve", "y + 1 in place of y, so (x, y) is not on P-256", key_error("invalid_key"),
        keys({**base, "y": v.int_to_b64url(off_curve_y, 32)}))

    add("ec-d-mismatch", "the private d belongs to a different P-256 key; any d is rejected unread",
        key_error("private_key"), keys({**base, **private_members(EC_OTHER)}))

    add("ec-y-missing", "a P-256 key has no y", key_error("invalid_key"),
        keys({name: value for name, value in base.items() if name != "y"}))


def okp_cases():
    base = v.public_jwk(ED_KEY, kid="ed", alg="EdDSA")

    x = v.b64url_decode_strict(base["x"])

    add("okp-x-31-bytes", "an Ed25519 x of 31 bytes", key_error("invalid_key"),
        keys({**base, "x": v.b64url(x[:31])}))

    add("okp-x-missing", "an Ed25519 key has no x", key_error("invalid_key"),
        keys({name: value for name, value in base.items() if name != "x"}))

    add("okp-x-not-on-curve", "x encodes a y for which no curve point exists", key_error("invalid_key"),
        keys({**base, "x": v.b64url(ed25519_point_not_on_curve())}))

    add("okp-small-order-identity", "x is the identity point (order 1)", key_error("weak_key"),
        keys({**base, "x": v.b64url(ED25519_IDENTITY)}))

    add("okp-small-order-8", "x is a point of order 8", key_error("weak_key"),
        keys({**base, "x": v.b64url(ED25519_ORDER_8)}))

    add("okp-small-order-among-valid-keys", "a small-order Ed25519 key next to valid keys fails the whole set",
        key_error("weak_key"),
        keys(hs256_jwk(), v.public_jwk(EC_KEY, kid="ec", alg="ES256"),
             {"kty": "OKP", "kid": "ed-small", "alg": "EdDSA", "crv": "Ed25519", "x": v.b64url(ED25519_ORDER_8)}))

    add("okp-d-mismatch", "the private d belongs to a different Ed25519 key; any d is rejected unread",
        key_error("private_key"), keys({**base, **private_members(ED_OTHER)}))


def kid_cases():
    add("duplicate-kid", "two oct keys share the kid \"k\"", key_error("duplicate_key_id"), keys(
        v.oct_jwk(SECRETS["hs256"], kid="k", alg="HS256"),
        v.oct_jwk(SECRETS["hs512"], kid="k", alg="HS512"),
    ))

    add("duplicate-kid-different-types", "an oct key and an RSA key share the kid \"k\"",
        key_error("duplicate_key_id"), keys(
            v.oct_jwk(SECRETS["hs256"], kid="k", alg="HS256"),
            v.public_jwk(RSA_A, kid="k", alg="RS256"),
        ))


def build() -> dict:
    for point in (ED25519_IDENTITY, ED25519_ORDER_8):
        assert v.ed25519_is_small_order(point)

    valid_cases()
    private_key_cases()
    set_shape_cases()
    oct_cases()
    rsa_cases()
    ec_cases()
    okp_cases()
    kid_cases()

    return {
        "source": "own",
        "description": (
            "Key set loading cases for the Mem8 Guard verifier. Valid sets expect "
            "{\"ok\": true, \"usable_keys\": N}, where N counts the loaded keys; keys of "
            "unsupported kty, crv, alg or use are skipped and not counted, but a key of any kty "
            "except oct that carries a private member (d, p, q, dp, dq, qi, oth) fails the set "
            "with private_key. Rejected sets "
            "expect {\"key_error\": CODE}. A set that repeats a member name cannot be a JSON "
            "value, so it is given as text in \"jwks_json\" in place of \"jwks\". "
            "Generated by tests/vectors/gen/gen_jwk_sets.py; the output is deterministic."
        ),
        "key_sets": {},
        "cases": CASES,
    }


def main() -> int:
    document = build()
    v.write_vectors(OUTPUT, document)
    print(f"wrote {len(CASES)} cases to {OUTPUT}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
