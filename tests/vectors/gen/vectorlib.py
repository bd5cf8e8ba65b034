"""Shared helpers for the vector generators: base64url, the fixed keys, JWKs and signing.

Everything here is built on the `cryptography` package (version 48) and the standard
library, so the vectors do not depend on any JOSE library.
"""

import base64
import binascii
import hashlib
import hmac
import json
import re
from pathlib import Path

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, ed25519, padding, rsa, utils

VECTORS_DIR = Path(__file__).resolve().parent.parent
KEYS_DIR = VECTORS_DIR / "keys"

HASHES = {"256": hashes.SHA256, "384": hashes.SHA384, "512": hashes.SHA512}
HASHLIB = {"256": hashlib.sha256, "384": hashlib.sha384, "512": hashlib.sha512}
KNOWN_ALGORITHMS = (
    "HS256", "HS384", "HS512", "EdDSA", "ES256",
    "RS256", "RS384", "RS512", "PS256", "PS384", "PS512",
)

# Order of the P-256 group and of the Ed25519 prime-order subgroup.
P256_ORDER = 0xFFFFFFFF00000000FFFFFFFFFFFFFFFFBCE6FAADA7179E84F3B9CAC2FC632551
ED25519_L = 2**252 + 27742317777372353535851937790883648493

_B64URL_ALPHABET = re.compile(r"[A-Za-z0-9_-]*")


def b64url(data: bytes) -> str:
    """Encode bytes as unpadded base64url (RFC 7515 section 2)."""
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def b64url_decode_strict(text: str) -> bytes:
    """Decode unpadded, canonical base64url, or raise ValueError.

    Rejects padding, whitespace, characters outside the URL-safe alphabet, a length
    of 1 mod 4, and non-zero unused bits in the last character.
    """
    if not _B64URL_ALPHABET.fullmatch(text):
        raise ValueError("not base64url alphabet")
    if len(text) % 4 == 1:
        raise ValueError("impossible base64url length")
    try:
        data = base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))
    except binascii.Error as error:
        raise ValueError(str(error)) from error
    if b64url(data) != text:
        raise ValueError("non-canonical trailing bits")
    return data


def compact_json(value) -> bytes:
    """Serialize a JSON value without whitespace, keeping member order."""
    return json.dumps(value, separators=(",", ":"), ensure_ascii=False).encode("utf-8")


def int_to_b64url(value: int, length: int | None = None) -> str:
    if length is None:
        length = max(1, (value.bit_length() + 7) // 8)
    return b64url(value.to_bytes(length, "big"))


def b64url_to_int(text: str) -> int:
    return int.from_bytes(b64url_decode_strict(text), "big")


# ---------------------------------------------------------------- fixed keys


def load_private_key(name: str):
    return serialization.load_pem_private_key((KEYS_DIR / name).read_bytes(), password=None)


def load_hmac_secrets() -> dict[str, bytes]:
    raw = json.loads((KEYS_DIR / "hmac-secrets.json").read_text())
    return {name: b64url_decode_strict(value) for name, value in raw.items()}


def public_jwk(key, **members) -> dict:
    """Build the public JWK of a private or public key, with `members` (kid, use, alg, ...) first."""
    if hasattr(key, "public_key"):
        key = key.public_key()
    jwk: dict = {}
    if isinstance(key, rsa.RSAPublicKey):
        numbers = key.public_numbers()
        jwk["kty"] = "RSA"
        jwk.update(members)
        jwk["n"] = int_to_b64url(numbers.n)
        jwk["e"] = int_to_b64url(numbers.e)
    elif isinstance(key, ec.EllipticCurvePublicKey):
        numbers = key.public_numbers()
        crv, size = {"secp256r1": ("P-256", 32), "secp384r1": ("P-384", 48)}[key.curve.name]
        jwk["kty"] = "EC"
        jwk.update(members)
        jwk["crv"] = crv
        jwk["x"] = int_to_b64url(numbers.x, size)
        jwk["y"] = int_to_b64url(numbers.y, size)
    elif isinstance(key, ed25519.Ed25519PublicKey):
        jwk["kty"] = "OKP"
        jwk.update(members)
        jwk["crv"] = "Ed25519"
        jwk["x"] = b64url(key.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw))
    else:
        raw_public = key.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
        jwk["kty"] = "OKP"
        jwk.update(members)
        jwk["crv"] = "X25519"
        jwk["x"] = b64url(raw_public)
    return jwk


def oct_jwk(secret: bytes, **members) -> dict:
    jwk = {"kty": "oct"}
    jwk.update(members)
    jwk["k"] = b64url(secret)
    return jwk


def public_pem(key) -> bytes:
    """Return the SubjectPublicKeyInfo PEM text of a key, as an attacker would find it published."""
    if hasattr(key, "public_key"):
        key = key.public_key()
    return key.public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)


# ---------------------------------------------------------------- signing


def pss_padding(bits: str) -> padding.PSS:
    """PSS with MGF1 over the same hash and a salt as long as the hash (RFC 7518 section 3.5)."""
    digest = HASHES[bits]()
    return padding.PSS(mgf=padding.MGF1(HASHES[bits]()), salt_length=digest.digest_size)


def sign(alg: str, key, signing_input: bytes) -> bytes:
    """Sign `signing_input` with `key` (secret bytes or a private key) under JWS `alg`.

    ES256 uses RFC 6979 deterministic nonces and returns R || S (64 bytes). PS* signatures
    are randomized.
    """
    bits = alg[2:]
    if alg.startswith("HS"):
        return hmac.new(key, signing_input, HASHLIB[bits]).digest()
    if alg == "EdDSA":
        return key.sign(signing_input)
    if alg == "ES256":
        der = key.sign(signing_input, ec.ECDSA(hashes.SHA256(), deterministic_signing=True))
        r, s = utils.decode_dss_signature(der)
        return r.to_bytes(32, "big") + s.to_bytes(32, "big")
    if alg.startswith("RS"):
        return key.sign(signing_input, padding.PKCS1v15(), HASHES[bits]())
    if alg.startswith("PS"):
        return key.sign(signing_input, pss_padding(bits), HASHES[bits]())
    raise ValueError(f"cannot sign with alg {alg!r}")


def verify(alg: str, key, signing_input: bytes, signature: bytes) -> bool:
    """Return whether `signature` is valid for `signing_input` under JWS `alg`.

    `key` is secret bytes for HS*, else a public (or private) key object. Length and
    range rules of RFC 7518 and RFC 8032 are enforced here, so a lenient backend cannot
    accept a DER-encoded ES256 signature or an Ed25519 S that is not below L.
    """
    if hasattr(key, "public_key"):
        key = key.public_key()
    bits = alg[2:]
    try:
        if alg.startswith("HS"):
            expected = hmac.new(key, signing_input, HASHLIB[bits]).digest()
            return hmac.compare_digest(expected, signature)
        if alg == "EdDSA":
            if len(signature) != 64:
                return False
            if int.from_bytes(signature[32:], "little") >= ED25519_L:
                return False
            key.verify(signature, signing_input)
            return True
        if alg == "ES256":
            if len(signature) != 64:
                return False
            r = int.from_bytes(signature[:32], "big")
            s = int.from_bytes(signature[32:], "big")
            if not (0 < r < P256_ORDER and 0 < s < P256_ORDER):
                return False
            key.verify(utils.encode_dss_signature(r, s), signing_input, ec.ECDSA(hashes.SHA256()))
            return True
        if alg.startswith("RS") or alg.startswith("PS"):
            if len(signature) != (key.key_size + 7) // 8:
                return False
            pad = padding.PKCS1v15() if alg.startswith("RS") else pss_padding(bits)
            key.verify(signature, signing_input, pad, HASHES[bits]())
            return True
    except InvalidSignature:
        return False
    raise ValueError(f"cannot verify alg {alg!r}")


def signing_input_of(token: str) -> bytes:
    header, payload, _ = token.split(".")
    return f"{header}.{payload}".encode("ascii")


class SignatureReuse:
    """Signatures of randomized algorithms (PS*) taken from the previously written file.

    A signature is reused only when the signing input is byte-identical and it still
    verifies with the current key, so reruns of a generator give identical output.
    """

    def __init__(self, previous_file: Path):
        self._by_input: dict[bytes, bytes] = {}
        if not previous_file.exists():
            return
        for case in json.loads(previous_file.read_text()).get("cases", []):
            token = case.get("token")
            if not isinstance(token, str) or token.count(".") != 2:
                continue
            header, payload, signature = token.split(".")
            try:
                self._by_input[f"{header}.{payload}".encode("ascii")] = b64url_decode_strict(signature)
            except (ValueError, UnicodeEncodeError):
                continue

    def sign(self, alg: str, key, signing_input: bytes) -> bytes:
        if alg.startswith("PS"):
            previous = self._by_input.get(signing_input)
            if previous is not None and verify(alg, key, signing_input, previous):
                return previous
        return sign(alg, key, signing_input)


# ---------------------------------------------------------------- Ed25519 point arithmetic

_P = 2**255 - 19
_D = (-121665 * pow(121666, -1, _P)) % _P
_SQRT_M1 = pow(2, (_P - 1) // 4, _P)


def ed25519_decode_point(encoded: bytes):
    """Decode a 32-byte Ed25519 point (RFC 8032 section 5.1.3), or return None if invalid."""
    if len(encoded) != 32:
        return None
    y = int.from_bytes(encoded, "little") & ((1 << 255) - 1)
    sign_bit = encoded[31] >> 7
    if y >= _P:
        return None
    u = (y * y - 1) % _P
    v = (_D * y * y + 1) % _P
    x = (u * pow(v, 3, _P) * pow(u * pow(v, 7, _P), (_P - 5) // 8, _P)) % _P
    if (v * x * x - u) % _P != 0:
        x = (x * _SQRT_M1) % _P
    if (v * x * x - u) % _P != 0:
        return None
    if x == 0 and sign_bit == 1:
        return None
    if x & 1 != sign_bit:
        x = _P - x
    return (x, y)


def _ed25519_add(a, b):
    x1, y1 = a
    x2, y2 = b
    t = _D * x1 * x2 * y1 * y2 % _P
    x3 = (x1 * y2 + x2 * y1) * pow(1 + t, -1, _P) % _P
    y3 = (y1 * y2 + x1 * x2) * pow(1 - t, -1, _P) % _P
    return (x3, y3)


def ed25519_is_small_order(encoded: bytes) -> bool:
    """Return whether a valid Ed25519 point has order 1, 2, 4 or 8 (8 * P is the identity)."""
    point = ed25519_decode_point(encoded)
    if point is None:
        raise ValueError("not a valid Ed25519 point")
    for _ in range(3):
        point = _ed25519_add(point, point)
    return point == (0, 1)


# ---------------------------------------------------------------- output


def write_vectors(path: Path, document: dict) -> None:
    """Write a vector file as indented UTF-8 JSON with a trailing newline."""
    path.write_text(json.dumps(document, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
