"""Ed25519 signatures: each member's signing key and the vault's own key (the root of trust).

Verifying needs only public keys. A member signs the audit events they write; the vault key
signs the roster (who may unlock, with which role and which public keys), so a viewer holding
the data key can neither make herself coordinator nor sign in anybody else's name.
"""

from __future__ import annotations

import base64
import hashlib
import json
from dataclasses import dataclass
from typing import Any

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

SEED_BYTES = 32
PUBLIC_BYTES = 32
SIGNATURE_BYTES = 64

# The name the recovery key signs with (it has no account).
RECOVERY_USERNAME = "(recovery key)"


def canonical(data: Any) -> bytes:
    return json.dumps(data, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()


def key_id(public: bytes) -> str:
    """A short, stable name for a public key (16 hex digits of its SHA-256)."""
    return hashlib.sha256(public).hexdigest()[:16]


def fingerprint(public: bytes) -> str:
    """The vault key as people compare it: 8 groups of 4 hex digits."""
    digest = hashlib.sha256(b"btam-vault-key|" + public).hexdigest()[:32].upper()
    return " ".join(digest[i : i + 4] for i in range(0, 32, 4))


def new_seed() -> tuple[bytes, bytes]:
    """A fresh key pair as (private seed, public key)."""
    private = Ed25519PrivateKey.generate()
    return _seed_of(private), _public_of(private)


def _seed_of(private: Ed25519PrivateKey) -> bytes:
    return private.private_bytes(
        serialization.Encoding.Raw, serialization.PrivateFormat.Raw, serialization.NoEncryption()
    )


def _public_of(private: Ed25519PrivateKey) -> bytes:
    return private.public_key().public_bytes(
        serialization.Encoding.Raw, serialization.PublicFormat.Raw
    )


@dataclass
class Signer:
    """A private key in memory for the session; ``drop`` forgets it at lock."""

    username: str
    _private: Ed25519PrivateKey | None
    public: bytes

    @classmethod
    def from_seed(cls, username: str, seed: bytes) -> Signer:
        private = Ed25519PrivateKey.from_private_bytes(seed)
        return cls(username, private, _public_of(private))

    @property
    def key_id(self) -> str:
        return key_id(self.public)

    def sign(self, message: bytes) -> bytes:
        if self._private is None:
            raise RuntimeError("the signing key was dropped at lock")
        return self._private.sign(message)

    def drop(self) -> None:
        self._private = None


def verify(public: bytes, signature: bytes, message: bytes) -> bool:
    try:
        Ed25519PublicKey.from_public_bytes(public).verify(signature, message)
    except (InvalidSignature, ValueError):
        return False
    return True


class Verifier:
    """Caches parsed public keys; verifying a 100,000-event trail parses each key once."""

    def __init__(self) -> None:
        self._keys: dict[bytes, Ed25519PublicKey] = {}

    def verify(self, public: bytes, signature: bytes, message: bytes) -> bool:
        key = self._keys.get(public)
        if key is None:
            try:
                key = Ed25519PublicKey.from_public_bytes(public)
            except ValueError:
                return False
            self._keys[public] = key
        try:
            key.verify(signature, message)
        except InvalidSignature:
            return False
        return True


def b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


def unb64(text: object) -> bytes:
    if not isinstance(text, str):
        raise ValueError("expected base64 text")
    return base64.b64decode(text.encode("ascii"), validate=True)
