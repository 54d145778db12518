"""The key-slot file (``vault.keys``): who can unlock the vault, LUKS-style.

Each slot holds an X25519 key pair. The private half is wrapped (AES-256-GCM) under a key that
Argon2id derives from the slot's password or recovery key; the data key is sealed to the public
half. Sealing to public keys lets a coordinator rekey the vault for every remaining member
without knowing their passwords. Associated data binds the vault id, the slot id, its kind,
its user name and the key generation, so slots cannot be swapped, renamed or replayed.

Format 2 adds signatures. Each slot also holds an Ed25519 signing key wrapped under the same
password-derived key (so only its owner can sign), and coordinators' slots and the recovery slot
hold the vault's own signing key, sealed to the slot's X25519 key. Each slot carries a *grant*:
the vault key's signature over its identity (id, kind, user name, role, public keys). The
roster signature covers the list of grants and the retired signing keys, which stay so that
older audit events still verify. Only vouched slots are listed or opened.
"""

from __future__ import annotations

import base64
import copy
import hashlib
import hmac
import json
import os
import secrets
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey, X25519PublicKey
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

from btam_desktop.store import crypto, signing
from btam_desktop.store.errors import VaultDamagedError, VaultTooNewError, VaultTooOldError

FILE_MAGIC = "btam-vault-keys"
FORMAT_MAJOR = 2
MAX_FILE_BYTES = 1024 * 1024
SLOT_USER = "user"
SLOT_RECOVERY = "recovery"
ROLE_COORDINATOR = "coordinator"
ROLE_RECOVERY = "recovery"


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


def _unb64(text: object) -> bytes:
    if not isinstance(text, str):
        raise ValueError("expected base64 text")
    return base64.b64decode(text.encode("ascii"), validate=True)


@dataclass
class KeySlot:
    slot_id: str
    kind: str
    username: str | None
    kdf: crypto.KdfParams
    salt: bytes
    public_key: bytes
    private_nonce: bytes
    private_wrapped: bytes
    sealed_ephemeral: bytes = b""
    sealed_nonce: bytes = b""
    sealed_key: bytes = b""
    role: str = ""
    sign_public: bytes = b""
    sign_nonce: bytes = b""
    sign_wrapped: bytes = b""
    vault_ephemeral: bytes = b""
    vault_nonce: bytes = b""
    vault_sealed: bytes = b""
    grant: bytes = b""

    @property
    def holds_vault_key(self) -> bool:
        return bool(self.vault_sealed)

    def grant_message(self, vault_id: str) -> bytes:
        """What the vault key signs to vouch for this slot."""
        return b"btam-grant|" + signing.canonical(
            {
                "vault": vault_id,
                "slot": self.slot_id,
                "kind": self.kind,
                "user": self.username,
                "role": self.role,
                "box": _b64(self.public_key),
                "sign": _b64(self.sign_public),
            }
        )

    def sign_aad(self, vault_id: str) -> bytes:
        return f"btam-slot-sign|{self._identity(vault_id)}".encode()

    def vault_key_aad(self, vault_id: str) -> bytes:
        return f"btam-slot-vault-key|{self._identity(vault_id)}".encode()

    def _identity(self, vault_id: str) -> str:
        return f"{FORMAT_MAJOR}|{vault_id}|{self.slot_id}|{self.kind}|{self.username or ''}"

    def private_aad(self, vault_id: str) -> bytes:
        return f"btam-slot-private|{self._identity(vault_id)}".encode()

    def seal_aad(self, vault_id: str, generation: int) -> bytes:
        return f"btam-slot-seal|{self._identity(vault_id)}|{generation}".encode()

    def to_json(self) -> dict[str, Any]:
        return {
            "id": self.slot_id,
            "kind": self.kind,
            "username": self.username,
            "kdf": {"alg": "argon2id", **self.kdf.as_dict(), "salt": _b64(self.salt)},
            "public_key": _b64(self.public_key),
            "private": {"nonce": _b64(self.private_nonce), "data": _b64(self.private_wrapped)},
            "sealed": {
                "ephemeral": _b64(self.sealed_ephemeral),
                "nonce": _b64(self.sealed_nonce),
                "data": _b64(self.sealed_key),
            },
            "role": self.role,
            "sign_public": _b64(self.sign_public),
            "sign_private": {"nonce": _b64(self.sign_nonce), "data": _b64(self.sign_wrapped)},
            "vault_key": {
                "ephemeral": _b64(self.vault_ephemeral),
                "nonce": _b64(self.vault_nonce),
                "data": _b64(self.vault_sealed),
            },
            "grant": _b64(self.grant),
        }

    @classmethod
    def from_json(cls, raw: dict[str, Any]) -> KeySlot:
        kdf = raw["kdf"]
        if kdf.get("alg") != "argon2id":
            raise ValueError("unknown key derivation")
        kind = raw["kind"]
        if kind not in (SLOT_USER, SLOT_RECOVERY):
            raise ValueError("unknown slot kind")
        username = raw.get("username")
        if username is not None and not isinstance(username, str):
            raise ValueError("bad user name")
        slot_id = raw["id"]
        if not isinstance(slot_id, str):
            raise ValueError("bad slot id")
        slot = cls(
            slot_id=slot_id,
            kind=kind,
            username=username,
            kdf=crypto.KdfParams.from_dict(kdf),
            salt=_unb64(kdf["salt"]),
            public_key=_unb64(raw["public_key"]),
            private_nonce=_unb64(raw["private"]["nonce"]),
            private_wrapped=_unb64(raw["private"]["data"]),
            sealed_ephemeral=_unb64(raw["sealed"]["ephemeral"]),
            sealed_nonce=_unb64(raw["sealed"]["nonce"]),
            sealed_key=_unb64(raw["sealed"]["data"]),
            role=str(raw["role"]),
            sign_public=_unb64(raw["sign_public"]),
            sign_nonce=_unb64(raw["sign_private"]["nonce"]),
            sign_wrapped=_unb64(raw["sign_private"]["data"]),
            vault_ephemeral=_unb64(raw["vault_key"]["ephemeral"]),
            vault_nonce=_unb64(raw["vault_key"]["nonce"]),
            vault_sealed=_unb64(raw["vault_key"]["data"]),
            grant=_unb64(raw["grant"]),
        )
        if (
            len(slot.salt) < crypto.SALT_BYTES
            or len(slot.public_key) != 32
            or len(slot.sealed_ephemeral) != 32
            or len(slot.private_nonce) != crypto.NONCE_BYTES
            or len(slot.sealed_nonce) != crypto.NONCE_BYTES
            or len(slot.sign_public) != signing.PUBLIC_BYTES
            or len(slot.sign_nonce) != crypto.NONCE_BYTES
        ):
            raise ValueError("a key slot value has the wrong size")
        return slot


def _read_stamps(raw: object) -> dict[int, str]:
    if not isinstance(raw, dict):
        raise ValueError("bad key stamps")
    stamps: dict[int, str] = {}
    for generation, stamp in raw.items():
        if not isinstance(stamp, str) or len(stamp) != 16:
            raise ValueError("bad key stamp")
        bytes.fromhex(stamp)
        stamps[int(generation)] = stamp
    return stamps


def _seal_kek(shared: bytes, info: bytes) -> bytes:
    return HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=info).derive(shared)


@dataclass
class KeyFile:
    vault_id: str
    generation: int = 1
    slots: list[KeySlot] = field(default_factory=list)
    mac: bytes = b""
    # generation -> the public stamp of that generation's data key (diagnosis.py): tells an
    # older database apart from damage. Absent in files written before stamps existed.
    key_stamps: dict[int, str] = field(default_factory=dict)
    vault_public: bytes = b""
    # Signing keys no longer in use (password reset, member removed): older events still verify.
    retired: list[dict[str, str]] = field(default_factory=list)
    roster_signature: bytes = b""

    # ---- authentication: only someone holding the data key can produce a valid file --------
    def _body(self) -> dict[str, Any]:
        body: dict[str, Any] = {
            "format": FILE_MAGIC,
            "format_major": FORMAT_MAJOR,
            "vault_id": self.vault_id,
            "generation": self.generation,
            "slots": [s.to_json() for s in self.slots],
            "vault_public": _b64(self.vault_public),
            "retired": self.retired,
            "roster_signature": _b64(self.roster_signature),
        }
        if self.key_stamps:  # only when present, so older files keep their check value
            body["key_stamps"] = {str(g): v for g, v in sorted(self.key_stamps.items())}
        return body

    def _compute_mac(self, data_key: bytes) -> bytes:
        key = HKDF(
            algorithm=hashes.SHA256(),
            length=32,
            salt=None,
            info=b"btam-keyfile-mac|" + self.vault_id.encode(),
        ).derive(data_key)
        body = json.dumps(self._body(), sort_keys=True, separators=(",", ":")).encode()
        return hmac.new(key, body, hashlib.sha256).digest()

    def authenticate(self, data_key: bytes) -> None:
        self.mac = self._compute_mac(data_key)

    def is_authentic(self, data_key: bytes) -> bool:
        return bool(self.mac) and hmac.compare_digest(self.mac, self._compute_mac(data_key))

    def copy(self) -> KeyFile:
        return copy.deepcopy(self)

    # ---- reading and writing -------------------------------------------------------------
    @classmethod
    def read(cls, path: Path) -> KeyFile:
        try:
            size = path.stat().st_size
            if size > MAX_FILE_BYTES:
                raise VaultDamagedError("the key-slot file is far larger than it can be")
            data = path.read_bytes()
        except VaultDamagedError:
            raise
        except OSError as exc:
            raise VaultDamagedError("the key-slot file cannot be read") from exc
        return cls.from_bytes(data)

    @classmethod
    def from_bytes(cls, data: bytes) -> KeyFile:
        """Parse a key file's bytes (the team server keeps the same document in a table)."""
        try:
            raw = json.loads(data.decode("utf-8"))
        except (UnicodeDecodeError, json.JSONDecodeError) as exc:
            raise VaultDamagedError("the key-slot file cannot be read") from exc
        if not isinstance(raw, dict) or raw.get("format") != FILE_MAGIC:
            raise VaultDamagedError("the key-slot file is not a BTAM key file")
        major = raw.get("format_major")
        if not isinstance(major, int):
            raise VaultDamagedError("the key-slot file has no format version")
        if major > FORMAT_MAJOR:
            raise VaultTooNewError(major, FORMAT_MAJOR)
        if major < FORMAT_MAJOR:
            raise VaultTooOldError()
        try:
            vault_id = raw["vault_id"]
            generation = raw["generation"]
            if not isinstance(vault_id, str) or not isinstance(generation, int):
                raise ValueError("bad header")
            slots = [KeySlot.from_json(s) for s in raw["slots"]]
            mac = _unb64(raw.get("mac", ""))
            key_stamps = _read_stamps(raw.get("key_stamps", {}))
            vault_public = _unb64(raw["vault_public"])
            retired = [
                {"message": str(r["message"]), "grant": str(r["grant"])} for r in raw["retired"]
            ]
            roster_signature = _unb64(raw["roster_signature"])
        except (KeyError, TypeError, ValueError, AttributeError) as exc:
            raise VaultDamagedError("the key-slot file is incomplete or altered") from exc
        if not slots:
            raise VaultDamagedError("the key-slot file holds no keys")
        return cls(
            vault_id=vault_id,
            generation=generation,
            slots=slots,
            mac=mac,
            key_stamps=key_stamps,
            vault_public=vault_public,
            retired=retired,
            roster_signature=roster_signature,
        )

    def to_bytes(self) -> bytes:
        doc = {**self._body(), "mac": _b64(self.mac)}
        return json.dumps(doc, indent=1, sort_keys=True).encode("utf-8")

    def write(self, path: Path) -> None:
        """Atomic replace: the old file stays whole until the new one is on disk."""
        write_atomic(path, self.to_bytes())

    # ---- slots -----------------------------------------------------------------------------
    def user_slot(self, username: str) -> KeySlot | None:
        wanted = username.strip().casefold()
        for slot in self.slots:
            if slot.kind == SLOT_USER and (slot.username or "").casefold() == wanted:
                return slot
        return None

    def recovery_slot(self) -> KeySlot | None:
        return next((s for s in self.slots if s.kind == SLOT_RECOVERY), None)

    def usernames(self, trusted: bytes | None = None) -> list[str]:
        """Members the vault vouches for (a planted or altered slot is left out)."""
        return sorted(
            (s.username or "" for s in self.vouched_slots(trusted) if s.kind == SLOT_USER),
            key=str.casefold,
        )

    # ---- signatures: the vault key vouches for each slot and for the roster ----------------
    def is_vouched(self, slot: KeySlot, trusted: bytes | None = None) -> bool:
        public = trusted or self.vault_public
        return bool(slot.grant) and signing.verify(
            public, slot.grant, slot.grant_message(self.vault_id)
        )

    def vouched_slots(self, trusted: bytes | None = None) -> list[KeySlot]:
        return [s for s in self.slots if self.is_vouched(s, trusted)]

    def _roster_message(self) -> bytes:
        return b"btam-roster|" + signing.canonical(
            {
                "vault": self.vault_id,
                "vault_public": _b64(self.vault_public),
                "grants": sorted(_b64(s.grant) for s in self.slots),
                "retired": sorted(r["grant"] for r in self.retired),
            }
        )

    def roster_intact(self, trusted: bytes | None = None) -> bool:
        public = trusted or self.vault_public
        return all(self.is_vouched(s, public) for s in self.slots) and signing.verify(
            public, self.roster_signature, self._roster_message()
        )

    def grant(self, slot: KeySlot, vault_signer: signing.Signer) -> None:
        slot.grant = vault_signer.sign(slot.grant_message(self.vault_id))

    def sign_roster(self, vault_signer: signing.Signer) -> None:
        self.roster_signature = vault_signer.sign(self._roster_message())

    def retire(self, slot: KeySlot) -> None:
        """Keep a slot's vouched signing key so the events it signed still verify."""
        self.retired.append(
            {"message": _b64(slot.grant_message(self.vault_id)), "grant": _b64(slot.grant)}
        )

    def signing_keys(self, trusted: bytes | None = None) -> dict[str, list[tuple[bytes, str]]]:
        """Vouched signing keys by user name (the recovery slot under ``""``): (key, role)."""
        public = trusted or self.vault_public
        found: dict[str, list[tuple[bytes, str]]] = {}
        for slot in self.vouched_slots(public):
            found.setdefault((slot.username or "").casefold(), []).append(
                (slot.sign_public, slot.role)
            )
        for entry in self.retired:
            try:
                message = _unb64(entry["message"])
                if not signing.verify(public, _unb64(entry["grant"]), message):
                    continue
                data = json.loads(message.removeprefix(b"btam-grant|"))
                if data["vault"] != self.vault_id:
                    continue
                found.setdefault(str(data["user"] or "").casefold(), []).append(
                    (_unb64(data["sign"]), str(data["role"]))
                )
            except (KeyError, ValueError, TypeError):
                continue
        return found

    def role_of(self, username: str, trusted: bytes | None = None) -> str | None:
        slot = self.user_slot(username)
        if slot is None or not self.is_vouched(slot, trusted):
            return None
        return slot.role

    def new_slot(
        self,
        kind: str,
        username: str | None,
        secret: bytes,
        data_key: bytes,
        params: crypto.KdfParams,
        *,
        role: str = "",
        vault_seed: bytes | None = None,
    ) -> tuple[KeySlot, bytes]:
        """Create a slot for ``secret`` holding ``data_key``, a fresh signing key and, when
        ``vault_seed`` is given, the vault key. Returns it and its unwrapping key. The caller
        grants it with the vault key."""
        private = X25519PrivateKey.generate()
        private_raw = private.private_bytes(
            serialization.Encoding.Raw,
            serialization.PrivateFormat.Raw,
            serialization.NoEncryption(),
        )
        public_raw = private.public_key().public_bytes(
            serialization.Encoding.Raw, serialization.PublicFormat.Raw
        )
        salt = os.urandom(crypto.SALT_BYTES)
        slot = KeySlot(
            slot_id=secrets.token_hex(8),
            kind=kind,
            username=username,
            kdf=params,
            salt=salt,
            public_key=public_raw,
            private_nonce=b"",
            private_wrapped=b"",
            role=role,
        )
        kek = crypto.derive_key(secret, salt, params)
        slot.private_nonce, slot.private_wrapped = crypto.wrap(
            kek, private_raw, slot.private_aad(self.vault_id)
        )
        sign_seed, slot.sign_public = signing.new_seed()
        slot.sign_nonce, slot.sign_wrapped = crypto.wrap(
            kek, sign_seed, slot.sign_aad(self.vault_id)
        )
        self.seal(slot, data_key)
        if vault_seed is not None:
            self.seal_vault_key(slot, vault_seed)
        return slot, kek

    def seal_vault_key(self, slot: KeySlot, vault_seed: bytes) -> None:
        """Give a slot the vault key (coordinators and the recovery slot), without its password."""
        ephemeral = X25519PrivateKey.generate()
        shared = ephemeral.exchange(X25519PublicKey.from_public_bytes(slot.public_key))
        aad = slot.vault_key_aad(self.vault_id)
        slot.vault_nonce, slot.vault_sealed = crypto.wrap(_seal_kek(shared, aad), vault_seed, aad)
        slot.vault_ephemeral = ephemeral.public_key().public_bytes(
            serialization.Encoding.Raw, serialization.PublicFormat.Raw
        )

    def clear_vault_key(self, slot: KeySlot) -> None:
        slot.vault_ephemeral = slot.vault_nonce = slot.vault_sealed = b""

    def open_signing(self, slot: KeySlot, kek: bytes) -> tuple[bytes, bytes | None] | None:
        """The slot's signing seed and the vault key seed (None if the slot holds none)."""
        seed = crypto.unwrap(kek, slot.sign_nonce, slot.sign_wrapped, slot.sign_aad(self.vault_id))
        if seed is None or len(seed) != signing.SEED_BYTES:
            return None
        if not slot.holds_vault_key:
            return seed, None
        private_raw = crypto.unwrap(
            kek, slot.private_nonce, slot.private_wrapped, slot.private_aad(self.vault_id)
        )
        if private_raw is None:
            return None
        try:
            private = X25519PrivateKey.from_private_bytes(private_raw)
            shared = private.exchange(X25519PublicKey.from_public_bytes(slot.vault_ephemeral))
        except ValueError:
            return seed, None
        aad = slot.vault_key_aad(self.vault_id)
        vault_seed = crypto.unwrap(_seal_kek(shared, aad), slot.vault_nonce, slot.vault_sealed, aad)
        return seed, vault_seed

    def seal(self, slot: KeySlot, data_key: bytes) -> None:
        """Seal the data key of this generation to the slot's public key."""
        ephemeral = X25519PrivateKey.generate()
        shared = ephemeral.exchange(X25519PublicKey.from_public_bytes(slot.public_key))
        aad = slot.seal_aad(self.vault_id, self.generation)
        nonce, sealed = crypto.wrap(_seal_kek(shared, aad), data_key, aad)
        slot.sealed_ephemeral = ephemeral.public_key().public_bytes(
            serialization.Encoding.Raw, serialization.PublicFormat.Raw
        )
        slot.sealed_nonce = nonce
        slot.sealed_key = sealed

    def rewrap_private(self, slot: KeySlot, old_kek: bytes, new_secret: bytes) -> bytes:
        """Change the password of a slot; returns its new unwrapping key."""
        private_raw = crypto.unwrap(
            old_kek, slot.private_nonce, slot.private_wrapped, slot.private_aad(self.vault_id)
        )
        if private_raw is None:
            raise VaultDamagedError("a key slot did not open with its own key")
        sign_seed = crypto.unwrap(
            old_kek, slot.sign_nonce, slot.sign_wrapped, slot.sign_aad(self.vault_id)
        )
        if sign_seed is None:
            raise VaultDamagedError("a key slot did not open with its own key")
        slot.salt = os.urandom(crypto.SALT_BYTES)
        kek = crypto.derive_key(new_secret, slot.salt, slot.kdf)
        slot.private_nonce, slot.private_wrapped = crypto.wrap(
            kek, private_raw, slot.private_aad(self.vault_id)
        )
        slot.sign_nonce, slot.sign_wrapped = crypto.wrap(
            kek, sign_seed, slot.sign_aad(self.vault_id)
        )
        return kek

    def slot_kek(self, slot: KeySlot, secret: bytes) -> bytes:
        return crypto.derive_key(secret, slot.salt, slot.kdf)

    def open_slot(self, slot: KeySlot, kek: bytes) -> bytes | None:
        """The data key, or None if ``kek`` is wrong or the slot was altered."""
        private_raw = crypto.unwrap(
            kek, slot.private_nonce, slot.private_wrapped, slot.private_aad(self.vault_id)
        )
        if private_raw is None:
            return None
        try:
            private = X25519PrivateKey.from_private_bytes(private_raw)
            shared = private.exchange(X25519PublicKey.from_public_bytes(slot.sealed_ephemeral))
        except ValueError:
            return None
        aad = slot.seal_aad(self.vault_id, self.generation)
        data_key = crypto.unwrap(_seal_kek(shared, aad), slot.sealed_nonce, slot.sealed_key, aad)
        if data_key is None or len(data_key) != crypto.DATA_KEY_BYTES:
            return None
        return data_key


def write_atomic(path: Path, data: bytes) -> None:
    """Write ``data`` beside ``path`` then rename over it, with fsyncs, so a crash leaves the old
    or the new file whole. The temporary file holds only what the final file holds."""
    tmp = path.with_name(path.name + ".writing")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    fsync_dir(path.parent)


def fsync_dir(folder: Path) -> None:
    if os.name == "nt":  # Windows cannot open a directory for fsync
        return
    fd = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
