"""Unsaved drafts kept on this computer, encrypted, while the team server cannot be reached.

A draft (a half-typed intake, say) that cannot be saved to the server is written here instead:
one file per draft, named by a keyed hash of its owner, kind and subject (the name tells
nothing), holding AES-256-GCM ciphertext under a key derived from the team's data key. The
associated data binds the team and the file's name, and the sealed body repeats the owner, kind
and subject, so a file renamed or moved to another draft no longer opens, and the drafts kept
here can be listed (the drafts list shows them until the server has them). It is written under
a temporary name and renamed. Once the draft is on the server, the file is removed.
"""

from __future__ import annotations

import contextlib
import hashlib
import hmac
import json
import os
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from btam_desktop.domain.types import utcnow
from btam_desktop.store.keyslots import write_atomic

SUFFIX = ".draft"


@dataclass(frozen=True)
class KeptDraft:
    """A draft kept on this computer: whose, what, when it was typed, and its content."""

    owner: int
    kind: str
    subject: str
    at: datetime
    payload: dict[str, Any]


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

    def _file_label(self, path: Path) -> bytes:
        return json.dumps([self._team, "kept draft", path.name]).encode("utf-8")

    def keep(self, owner: int, kind: str, subject: str, payload: dict[str, Any]) -> None:
        self.folder.mkdir(parents=True, exist_ok=True, mode=0o700)
        path = self._path(owner, kind, subject)
        body = json.dumps(
            {
                "owner": owner,
                "kind": kind,
                "subject": subject,
                "at": utcnow().isoformat(),
                "payload": payload,
            }
        ).encode("utf-8")
        nonce = os.urandom(12)
        sealed = AESGCM(self._key).encrypt(nonce, body, self._file_label(path))
        write_atomic(path, nonce + sealed)

    def _open(self, path: Path, label: bytes | None = None) -> dict[str, Any] | None:
        try:
            raw = path.read_bytes()
            body = AESGCM(self._key).decrypt(raw[:12], raw[12:], label or self._file_label(path))
            found = json.loads(body)
        except (OSError, InvalidTag, ValueError):
            return None  # none kept, or not this key's (an older data key): nothing to offer
        return found if isinstance(found, dict) else None

    def load(self, owner: int, kind: str, subject: str) -> tuple[dict[str, Any], datetime] | None:
        path = self._path(owner, kind, subject)
        # (The second: kept by an earlier version of the program, bound to the draft itself.)
        found = self._open(path) or self._open(path, self._label(owner, kind, subject))
        if found is None:
            return None
        return dict(found["payload"]), datetime.fromisoformat(found["at"])

    def kept(self, owner: int) -> list[KeptDraft]:
        """The drafts of ``owner`` kept here, newest first (files this key cannot open, or of
        another person, are left out)."""
        drafts: list[KeptDraft] = []
        if not self.folder.is_dir():
            return drafts
        for path in self.folder.glob("*" + SUFFIX):
            found = self._open(path)
            if found is None or found.get("owner") != owner:
                continue
            if path != self._path(owner, str(found.get("kind")), str(found.get("subject"))):
                continue  # a file under another draft's name
            drafts.append(
                KeptDraft(
                    owner,
                    str(found["kind"]),
                    str(found["subject"]),
                    datetime.fromisoformat(found["at"]),
                    dict(found["payload"]),
                )
            )
        return sorted(drafts, key=lambda d: d.at, reverse=True)

    def forget(self, owner: int, kind: str, subject: str) -> None:
        with contextlib.suppress(FileNotFoundError):
            self._path(owner, kind, subject).unlink()
