"""Unsaved drafts kept on this computer, encrypted, while the team server cannot be reached.

A draft (a half-typed intake, say) that cannot be saved to the server is written here instead:
one file per draft, named by a keyed hash (the name tells nothing), holding AES-256-GCM
ciphertext under a key derived from the team's data key, bound to the team and the draft's
owner, kind and subject. It is written under a temporary name and renamed. The next time the
draft is saved to the server, the file is removed.
"""

from __future__ import annotations

import contextlib
import hashlib
import hmac
import json
import os
from datetime import datetime
from pathlib import Path
from typing import Any

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from btam_desktop.domain.types import utcnow
from btam_desktop.store.keyslots import write_atomic

SUFFIX = ".draft"


class LocalDrafts:
    def __init__(self, folder: Path, key: bytes, team_id: str) -> None:
        self.folder = folder
        self._key = key
        self._team = team_id

    def _label(self, owner: int, kind: str, subject: str) -> bytes:
        return json.dumps([self._team, owner, kind, subject]).encode("utf-8")

    def _path(self, owner: int, kind: str, subject: str) -> Path:
        name = hmac.new(self._key, self._label(owner, kind, subject), hashlib.sha256)
        return self.folder / (name.hexdigest()[:32] + SUFFIX)

    def keep(self, owner: int, kind: str, subject: str, payload: dict[str, Any]) -> None:
        self.folder.mkdir(parents=True, exist_ok=True, mode=0o700)
        body = json.dumps({"at": utcnow().isoformat(), "payload": payload}).encode("utf-8")
        nonce = os.urandom(12)
        sealed = AESGCM(self._key).encrypt(nonce, body, self._label(owner, kind, subject))
        write_atomic(self._path(owner, kind, subject), nonce + sealed)

    def load(self, owner: int, kind: str, subject: str) -> tuple[dict[str, Any], datetime] | None:
        path = self._path(owner, kind, subject)
        try:
            raw = path.read_bytes()
            body = AESGCM(self._key).decrypt(raw[:12], raw[12:], self._label(owner, kind, subject))
        except (OSError, InvalidTag, ValueError):
            return None  # none kept, or not this key's (an older data key): nothing to offer
        found = json.loads(body)
        return dict(found["payload"]), datetime.fromisoformat(found["at"])

    def forget(self, owner: int, kind: str, subject: str) -> None:
        with contextlib.suppress(FileNotFoundError):
            self._path(owner, kind, subject).unlink()
