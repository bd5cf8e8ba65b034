"""Write tests/vectors/jws-rfc.json from the example JWSs of RFC 7515 and RFC 8037.

The keys and compact serializations below are transcribed from RFC 7515 Appendix A.1,
A.2 and A.3 and RFC 8037 Appendix A.1 and A.4. Each one is verified with `cryptography`
before the file is written, and the script exits non-zero if any does not verify.
"""

import json
import math
import sys

from cryptography.hazmat.primitives.asymmetric import ec, ed25519, rsa

import vectorlib as v

# RFC 7515 Appendix A.1.1: the HMAC key has no "alg" member.
A1_JWK = {
    "kty": "oct",
    "k": "AyM1SysPpbyDfgZld3umj1qzKObwVMkoqQ-EstJQLr_T-1qS0gZH75aKtMN3Yj0iPS4hcgUuTwjAzZr1Z9CAow",
}
A1_TOKEN = (
    "eyJ0eXAiOiJKV1QiLA0KICJhbGciOiJIUzI1NiJ9"
    ".eyJpc3MiOiJqb2UiLA0KICJleHAiOjEzMDA4MTkzODAsDQogImh0dHA6Ly9leGFtcGxlLmNvbS9pc19yb290Ijp0cnVlfQ"
    ".dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk"
)

# RFC 7515 Appendix A.2.1: a 2048-bit RSA private key, also without "alg".
A2_JWK = {
    "kty": "RSA",
    "n": "ofgWCuLjybRlzo0tZWJjNiuSfb4p4fAkd_wWJcyQoTbji9k0l8W26mPddxHmfHQp-Vaw-4qPCJrcS2mJPMEzP1Pt0Bm4d4QlL"
    "-yRT-SFd2lZS-pCgNMsD1W_YpRPEwOWvG6b32690r2jZ47soMZo9wGzjb_7OMg0LOL-bSf63kpaSHSXndS5z5rexMdbBYUsLA9e"
    "-KXBdQOS-UTo7WTBEMa2R2CapHg665xsmtdVMTBQY4uDZlxvb3qCo5ZwKh9kG4LT6_I5IhlJH7aGhyxXFvUK-DWNmoudF8NAco9_h9"
    "iaGNj8q2ethFkMLs91kzk2PAcDTW9gb54h4FRWyuXpoQ",
    "e": "AQAB",
    "d": "Eq5xpGnNCivDflJsRQBXHx1hdR1k6Ulwe2JZD50LpXyWPEAeP88vLNO97IjlA7_GQ5sLKMgvfTeXZx9SE-7YwVol2NXOoAJe4"
    "6sui395IW_GO-pWJ1O0BkTGoVEn2bKVRUCgu-GjBVaYLU6f3l9kJfFNS3E0QbVdxzubSu3Mkqzjkn439X0M_V51gfpRLI9JYanrC"
    "4D4qAdGcopV_0ZHHzQlBjudU2QvXt4ehNYTCBr6XCLQUShb1juUO1ZdiYoFaFQT5Tw8bGUl_x_jTj3ccPDVZFD9pIuhLhBOneufuB"
    "iB4cS98l2SR_RQyGWSeWjnczT0QU91p1DhOVRuOopznQ",
    "p": "4BzEEOtIpmVdVEZNCqS7baC4crd0pqnRH_5IB3jw3bcxGn6QLvnEtfdUdiYrqBdss1l58BQ3KhooKeQTa9AB0Hw_Py5PJdTJN"
    "PY8cQn7ouZ2KKDcmnPGBY5t7yLc1QlQ5xHdwW1VhvKn-nXqhJTBgIPgtldC-KDV5z-y2XDwGUc",
    "q": "uQPEfgmVtjL0Uyyx88GZFF1fOunH3-7cepKmtH4pxhtCoHqpWmT8YAmZxaewHgHAjLYsp1ZSe7zFYHj7C6ul7TjeLQeZD_YwD"
    "66t62wDmpe_HlB-TnBA-njbglfIsRLtXlnDzQkv5dTltRJ11BKBBypeeF6689rjcJIDEz9RWdc",
    "dp": "BwKfV3Akq5_MFZDFZCnW-wzl-CCo83WoZvnLQwCTeDv8uzluRSnm71I3QCLdhrqE2e9YkxvuxdBfpT_PI7Yz-FOKnu1R6HsJ"
    "eDCjn12Sk3vmAktV2zb34MCdy7cpdTh_YVr7tss2u6vneTwrA86rZtu5Mbr1C1XsmvkxHQAdYo0",
    "dq": "h_96-mK1R_7glhsum81dZxjTnYynPbZpHziZjeeHcXYsXaaMwkOlODsWa7I9xXDoRwbKgB719rrmI2oKr6N3Do9U0ajaHF-N"
    "KJnwgjMd2w9cjz3_-kyNlxAr2v4IKhGNpmM5iIgOS1VZnOZ68m6_pbLBSp3nssTdlqvd0tIiTHU",
    "qi": "IYd7DHOhrWvxkwPQsRM2tOgrjbcrfvtQJipd-DlcxyVuuM9sQLdgjVk2oy26F0EmpScGLq2MowX7fhd_QJQ3ydy5cY7YIBi8"
    "7w93IKLEdfnbJtoOPLUW0ITrJReOgo1cq9SbsxYawBgfp_gh6A5603k2-ZQwVK0JKSHuLFkuQ3U",
}
A2_TOKEN = (
    "eyJhbGciOiJSUzI1NiJ9"
    ".eyJpc3MiOiJqb2UiLA0KICJleHAiOjEzMDA4MTkzODAsDQogImh0dHA6Ly9leGFtcGxlLmNvbS9pc19yb290Ijp0cnVlfQ"
    ".cC4hiUPoj9Eetdgtv3hF80EGrhuB__dzERat0XF9g2VtQgr9PJbu3XOiZj5RZmh7AAuHIm4Bh-0Qc_lF5YKt_O8W2Fp5jujGbds9"
    "uJdbF9CUAr7t1dnZcAcQjbKBYNX4BAynRFdiuB--f_nZLgrnbyTyWzO75vRK5h6xBArLIARNPvkSjtQBMHlb1L07Qe7K0GarZRmB_e"
    "SN9383LcOLn6_dO--xi12jzDwusC-eOkHWEsqtFZESc6BfI7noOPqvhJ1phCnvWh6IeYI2w9QOYEUipUTI8np6LbgGY9Fs98rqVt5A"
    "XLIhWkWywlVmtVrBp0igcN_IoypGlUPQGe77Rw"
)

# RFC 7515 Appendix A.3.1: a P-256 private key without "alg".
A3_JWK = {
    "kty": "EC",
    "crv": "P-256",
    "x": "f83OJ3D2xF1Bg8vub9tLe1gHMzV76e8Tus9uPHvRVEU",
    "y": "x_FEzRu9m36HLN_tue659LNpXW6pCyStikYjKIWI5a0",
    "d": "jpsQnnGQmL-YBIffH1136cspYG6-0iY7X1fCE9-E9LI",
}
A3_TOKEN = (
    "eyJhbGciOiJFUzI1NiJ9"
    ".eyJpc3MiOiJqb2UiLA0KICJleHAiOjEzMDA4MTkzODAsDQogImh0dHA6Ly9leGFtcGxlLmNvbS9pc19yb290Ijp0cnVlfQ"
    ".DtEhU3ljbEg8L38VWAfUAqOyKAM6-Xx-F4GawxaepmXFCgfTjDxw5djxLa8ISlSApmWQxfKTUJqPP3-Kg6NU1Q"
)

# RFC 8037 Appendix A.1 (key) and A.4 (JWS). The payload is text, not a JSON claims set.
A4_JWK = {
    "kty": "OKP",
    "crv": "Ed25519",
    "d": "nWGxne_9WmC6hEr0kuwsxERJxWl7MmkZcDusAxyuf2A",
    "x": "11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo",
}
A4_TOKEN = (
    "eyJhbGciOiJFZERTQSJ9"
    ".RXhhbXBsZSBvZiBFZDI1NTE5IHNpZ25pbmc"
    ".hgyY0il_MGCjP0JzlnLWG1PPOt7-09PGcvMg3AIbQR6dWbhijcNR4ki4iylGjg5BhVsPt9g7sVvpAr_MuM0KAg"
)

# Private JWK members (RFC 7518 §6.2.2 and §6.3.2, RFC 8037 §2), which a verification
# key set must not contain.
PRIVATE_MEMBERS = ("d", "p", "q", "dp", "dq", "qi", "oth")


def public_part(jwk: dict) -> dict:
    """The JWK without its private members: what a verifier is given."""
    return {name: value for name, value in jwk.items() if name not in PRIVATE_MEMBERS}


# The exp of the A.1, A.2 and A.3 claims set (2011-03-22T18:43:00Z).
RFC_EXP = 1300819380


def check_rsa_components(jwk: dict) -> None:
    """Exit unless the CRT members of an RSA JWK are consistent, which catches transcription errors."""
    n, e, d = (v.b64url_to_int(jwk[name]) for name in ("n", "e", "d"))
    p, q, dp, dq, qi = (v.b64url_to_int(jwk[name]) for name in ("p", "q", "dp", "dq", "qi"))
    lcm = (p - 1) * (q - 1) // math.gcd(p - 1, q - 1)
    checks = [p * q == n, d * e % lcm == 1, d % (p - 1) == dp, d % (q - 1) == dq, qi * q % p == 1]
    if not all(checks):
        raise SystemExit(f"RSA JWK members are inconsistent: {checks}")


def rsa_private_key(jwk: dict) -> rsa.RSAPrivateKey:
    check_rsa_components(jwk)
    public = rsa.RSAPublicNumbers(v.b64url_to_int(jwk["e"]), v.b64url_to_int(jwk["n"]))
    numbers = rsa.RSAPrivateNumbers(
        p=v.b64url_to_int(jwk["p"]),
        q=v.b64url_to_int(jwk["q"]),
        d=v.b64url_to_int(jwk["d"]),
        dmp1=v.b64url_to_int(jwk["dp"]),
        dmq1=v.b64url_to_int(jwk["dq"]),
        iqmp=v.b64url_to_int(jwk["qi"]),
        public_numbers=public,
    )
    return numbers.private_key()


def ec_private_key(jwk: dict) -> ec.EllipticCurvePrivateKey:
    key = ec.derive_private_key(v.b64url_to_int(jwk["d"]), ec.SECP256R1())
    public = key.public_key().public_numbers()
    if (public.x, public.y) != (v.b64url_to_int(jwk["x"]), v.b64url_to_int(jwk["y"])):
        raise SystemExit("RFC 7515 A.3: d does not match x and y")
    return key


def ed25519_private_key(jwk: dict) -> ed25519.Ed25519PrivateKey:
    key = ed25519.Ed25519PrivateKey.from_private_bytes(v.b64url_decode_strict(jwk["d"]))
    if v.public_jwk(key)["x"] != jwk["x"]:
        raise SystemExit("RFC 8037 A.1: d does not match x")
    return key


def flip_signature_bit(token: str) -> str:
    """Flip the lowest bit of the first signature byte and re-encode canonically."""
    header, payload, signature = token.split(".")
    raw = bytearray(v.b64url_decode_strict(signature))
    raw[0] ^= 0x01
    return f"{header}.{payload}.{v.b64url(bytes(raw))}"


def require_valid(label: str, alg: str, key, token: str) -> None:
    signature = v.b64url_decode_strict(token.split(".")[2])
    if not v.verify(alg, key, v.signing_input_of(token), signature):
        raise SystemExit(f"{label}: the transcribed signature does not verify")


def payload_claims(token: str) -> dict:
    return json.loads(v.b64url_decode_strict(token.split(".")[1]))


def build() -> dict:
    hmac_key = v.b64url_decode_strict(A1_JWK["k"])
    rsa_key = rsa_private_key(A2_JWK)
    ec_key = ec_private_key(A3_JWK)
    ed_key = ed25519_private_key(A4_JWK)
    require_valid("RFC 7515 A.1", "HS256", hmac_key, A1_TOKEN)
    require_valid("RFC 7515 A.2", "RS256", rsa_key, A2_TOKEN)
    require_valid("RFC 7515 A.3", "ES256", ec_key, A3_TOKEN)
    require_valid("RFC 8037 A.4", "EdDSA", ed_key, A4_TOKEN)
    if rsa_key.key_size != 2048:
        raise SystemExit("RFC 7515 A.2: expected a 2048-bit modulus")

    claims = payload_claims(A1_TOKEN)
    before_exp = RFC_EXP - 1
    cases = []

    def add(name, source, description, jwks, validation, now, token, expect, mode=None):
        case = {"name": name, "source": source, "description": description}
        if mode is not None:
            case["mode"] = mode
        case["jwks"] = jwks
        if validation is not None:
            case["validation"] = validation
        case["now"] = now
        case["token"] = token
        case["expect"] = expect
        cases.append(case)

    jwt_vectors = [
        ("a1", "A.1", "HS256", "rfc7515-a1-hmac", A1_TOKEN),
        ("a2", "A.2", "RS256", "rfc7515-a2-rsa", A2_TOKEN),
        ("a3", "A.3", "ES256", "rfc7515-a3-ec", A3_TOKEN),
    ]
    for short, appendix, alg, key_set, token in jwt_vectors:
        source = f"RFC 7515 Appendix {appendix}"
        derived = f"own, derived from RFC 7515 Appendix {appendix}"
        # The RFC key has no "alg", so only an explicit allow-list makes it usable.
        validation = {"algorithms": [alg]}
        add(
            f"rfc7515-{short}-{alg.lower()}-valid",
            source,
            f"the {alg} example JWS, verified one second before its exp",
            key_set, validation, before_exp, token, {"claims": claims},
        )
        add(
            f"rfc7515-{short}-signature-bit-flipped",
            derived,
            "the lowest bit of the first signature byte is flipped",
            key_set, validation, before_exp, flip_signature_bit(token), {"error": "bad_signature"},
        )
        add(
            f"rfc7515-{short}-at-exp",
            derived,
            "evaluated at now == exp, which is already expired",
            key_set, validation, RFC_EXP, token, {"error": "expired"},
        )
        add(
            f"rfc7515-{short}-no-allow-list",
            derived,
            "no algorithms configured and the RFC key has no alg, so the allowed set is empty",
            key_set, None, before_exp, token, {"error": "disallowed_algorithm"},
        )

    add(
        "rfc7515-a1-after-exp",
        "own, derived from RFC 7515 Appendix A.1",
        "evaluated at now = 1700000000, long after exp",
        "rfc7515-a1-hmac", {"algorithms": ["HS256"]}, 1700000000,
        A1_TOKEN, {"error": "expired"},
    )
    add(
        "rfc7515-a1-exp-not-required",
        "own, derived from RFC 7515 Appendix A.1",
        "required_claims [] and now long after exp: exp is still checked when present",
        "rfc7515-a1-hmac", {"algorithms": ["HS256"], "required_claims": []}, 1700000000,
        A1_TOKEN, {"error": "expired"},
    )
    add(
        "rfc7515-a1-within-leeway",
        "own, derived from RFC 7515 Appendix A.1",
        "now is 59 s after exp with a leeway of 60 s",
        "rfc7515-a1-hmac", {"algorithms": ["HS256"], "leeway": 60}, RFC_EXP + 59,
        A1_TOKEN, {"claims": claims},
    )
    add(
        "rfc7515-a1-wrong-algorithm-allowed",
        "own, derived from RFC 7515 Appendix A.1",
        "the allow-list names HS512 only, the token is HS256",
        "rfc7515-a1-hmac", {"algorithms": ["HS512"]}, before_exp,
        A1_TOKEN, {"error": "disallowed_algorithm"},
    )
    add(
        "rfc7515-a2-as-ps256",
        "own, derived from RFC 7515 Appendix A.2",
        "the allow-list names PS256 only, the token is RS256",
        "rfc7515-a2-rsa", {"algorithms": ["PS256"]}, before_exp,
        A2_TOKEN, {"error": "disallowed_algorithm"},
    )
    add(
        "rfc7515-a2-rs256-key-set-without-rs256",
        "own, derived from RFC 7515 Appendix A.2",
        "RS256 is allowed but the only key is the A.3 EC key, which cannot verify RS256",
        "rfc7515-a3-ec", {"algorithms": ["RS256"]}, before_exp,
        A2_TOKEN, {"error": "no_matching_key"},
    )

    a4_payload = A4_TOKEN.split(".")[1]
    add(
        "rfc8037-a4-eddsa-valid",
        "RFC 8037 Appendix A.4",
        "the Ed25519 example JWS over the text payload \"Example of Ed25519 signing\"",
        "rfc8037-a1-ed25519", {"algorithms": ["EdDSA"]}, 1700000000,
        A4_TOKEN, {"payload_b64url": a4_payload}, mode="jws",
    )
    add(
        "rfc8037-a4-signature-bit-flipped",
        "own, derived from RFC 8037 Appendix A.4",
        "the lowest bit of the first signature byte (in R) is flipped",
        "rfc8037-a1-ed25519", {"algorithms": ["EdDSA"]}, 1700000000,
        flip_signature_bit(A4_TOKEN), {"error": "bad_signature"}, mode="jws",
    )
    add(
        "rfc8037-a4-as-jwt",
        "own, derived from RFC 8037 Appendix A.4",
        "jwt mode: the payload is text, not a JSON object",
        "rfc8037-a1-ed25519", {"algorithms": ["EdDSA"]}, 1700000000,
        A4_TOKEN, {"error": "malformed"},
    )
    add(
        "rfc8037-a4-no-allow-list",
        "own, derived from RFC 8037 Appendix A.4",
        "no algorithms configured and the RFC key has no alg, so the allowed set is empty",
        "rfc8037-a1-ed25519", None, 1700000000,
        A4_TOKEN, {"error": "disallowed_algorithm"}, mode="jws",
    )

    return {
        "source": "RFC 7515 Appendix A",
        "description": (
            "The example JWSs of RFC 7515 Appendix A.1 (HS256), A.2 (RS256) and A.3 (ES256) and "
            "RFC 8037 Appendix A.4 (Ed25519), with the public parts of the JWKs the RFCs give "
            "(their private members removed, since a verification key set takes public keys "
            "only, and no alg member), plus negative cases derived from them. "
            "The RFC keys have no alg, so every positive case sets an explicit algorithms "
            "allow-list. The A.1 to A.3 claims set has exp 1300819380, so those cases use "
            "now = 1300819379. The A.4 payload is text, so that vector is a jws-mode case. "
            "Generated by tests/vectors/gen/gen_rfc.py, which verifies each RFC signature first."
        ),
        "key_sets": {
            "rfc7515-a1-hmac": {"keys": [A1_JWK]},
            "rfc7515-a2-rsa": {"keys": [public_part(A2_JWK)]},
            "rfc7515-a3-ec": {"keys": [public_part(A3_JWK)]},
            "rfc8037-a1-ed25519": {"keys": [public_part(A4_JWK)]},
        },
        "cases": cases,
    }


def main() -> int:
    v.write_vectors(v.VECTORS_DIR / "jws-rfc.json", build())
    return 0


if __name__ == "__main__":
    sys.exit(main())
