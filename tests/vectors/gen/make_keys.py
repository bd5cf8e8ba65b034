"""Generate the fixed test keys in tests/vectors/keys/ (run once, then commit them).

The keys are for conformance vectors only and must never protect anything real.
Existing files are kept, because every committed vector was signed with them.
"""

import base64
import json
import os
import sys
from pathlib import Path

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec, ed25519, rsa, x25519

KEYS_DIR = Path(__file__).resolve().parent.parent / "keys"


def private_pem(key) -> bytes:
    return key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )


def b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def main() -> int:
    KEYS_DIR.mkdir(parents=True, exist_ok=True)
    makers = {
        "rsa-2048-a.pem": lambda: rsa.generate_private_key(65537, 2048),
        "rsa-2048-b.pem": lambda: rsa.generate_private_key(65537, 2048),
        "rsa-1024-weak.pem": lambda: rsa.generate_private_key(65537, 1024),
        "ec-p256.pem": lambda: ec.generate_private_key(ec.SECP256R1()),
        "ec-p256-attacker.pem": lambda: ec.generate_private_key(ec.SECP256R1()),
        "ec-p384.pem": lambda: ec.generate_private_key(ec.SECP384R1()),
        "ed25519.pem": ed25519.Ed25519PrivateKey.generate,
        "ed25519-attacker.pem": ed25519.Ed25519PrivateKey.generate,
        "x25519.pem": x25519.X25519PrivateKey.generate,
    }
    for name, make in makers.items():
        path = KEYS_DIR / name
        if path.exists():
            print(f"kept {path}")
            continue
        path.write_bytes(private_pem(make()))
        print(f"wrote {path}")

    secrets_path = KEYS_DIR / "hmac-secrets.json"
    if secrets_path.exists():
        print(f"kept {secrets_path}")
    else:
        secrets = {
            "hs256": b64url(os.urandom(32)),
            "hs384": b64url(os.urandom(48)),
            "hs512": b64url(os.urandom(64)),
        }
        secrets_path.write_text(json.dumps(secrets, indent=2) + "\n")
        print(f"wrote {secrets_path}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
