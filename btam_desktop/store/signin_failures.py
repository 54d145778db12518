"""Failed sign-ins and wrong recovery keys, kept until the next successful sign-in.

A failed attempt happens before the database can be opened, so it cannot go into the audit trail
at once. It is noted in a small file in the vault folder instead; the next successful sign-in
moves the notes into the trail and empties the file. The file holds no secret and no content:
the time, what kind of attempt it was, and the user name only when it is a member of this vault
(a name typed by mistake can be a password, so unknown names are never written down).
"""

from __future__ import annotations

import contextlib
import json
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from btam_desktop.store.keyslots import write_atomic

FILE_NAME = "sign-in-failures.json"
MAX_KEPT = 200  # the newest ones; a flood of guesses must not grow the file without bound

KIND_PASSWORD = "password"  # noqa: S105 - a kind of attempt, not a password
KIND_RECOVERY_KEY = "recovery_key"
KINDS = (KIND_PASSWORD, KIND_RECOVERY_KEY)


@dataclass(frozen=True)
class FailedAttempt:
    at: datetime
    kind: str
    username: str  # empty when the typed name is not a member of the vault


def _path(folder: Path) -> Path:
    return folder.expanduser().resolve() / FILE_NAME


def read(folder: Path) -> list[FailedAttempt]:
    """The attempts noted so far, oldest first; a damaged file counts as one unreadable note."""
    path = _path(folder)
    try:
        raw = json.loads(path.read_text("utf-8"))
    except FileNotFoundError:
        return []
    except (OSError, ValueError):
        return [FailedAttempt(datetime.now(UTC), "unreadable", "")]
    attempts: list[FailedAttempt] = []
    for item in raw if isinstance(raw, list) else []:
        try:
            at = datetime.fromisoformat(str(item["at"]))
            kind = str(item["kind"])
            username = str(item.get("user", ""))
        except (KeyError, TypeError, ValueError):
            continue
        if kind in KINDS and at.tzinfo is not None:
            attempts.append(FailedAttempt(at, kind, username[:64]))
    return attempts


def note(folder: Path, kind: str, username: str = "") -> None:
    """Add one attempt. Never raises: failing to note a failure must not hide the failure."""
    if kind not in KINDS:
        raise ValueError(kind)
    try:
        kept = [a for a in read(folder) if a.kind in KINDS][-(MAX_KEPT - 1) :]
        kept.append(FailedAttempt(datetime.now(UTC), kind, username))
        data = [
            {"at": a.at.isoformat(timespec="seconds"), "kind": a.kind, "user": a.username}
            for a in kept
        ]
        write_atomic(_path(folder), json.dumps(data, indent=1).encode("utf-8"))
    except OSError:
        pass


def clear(folder: Path) -> None:
    with contextlib.suppress(OSError):
        _path(folder).unlink(missing_ok=True)
