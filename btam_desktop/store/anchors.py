"""What this computer knows about each vault it opened, kept outside the vault folder.

Like a known host: the vault's public signing key is pinned the first time the vault opens
here, and a vault presenting another key is refused. The *anchor* is the highest audit position
(with its hash) and key generation seen here; a copy that is behind it (an older copy put back,
events cut off) is reported when it opens. The anchor is signed by the member who recorded it,
whose key the pinned vault key vouches for, so editing this file is noticed too.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass
from pathlib import Path

import platformdirs

from btam_desktop.store import signing
from btam_desktop.store.keyslots import write_atomic

MAX_FILE_BYTES = 64 * 1024


def known_vaults_dir() -> Path:
    return Path(platformdirs.user_data_dir("BTAM Desktop", appauthor=False)) / "known-vaults"


@dataclass
class Anchor:
    vault_id: str
    vault_public: str  # base64, pinned
    position: int = 0
    head_hash: str = ""
    generation: int = 0
    seen_at: str = ""  # ISO UTC time the anchor was last raised
    signer_user: str = ""
    signer_public: str = ""
    signature: str = ""

    def _message(self) -> bytes:
        body = {k: v for k, v in asdict(self).items() if k != "signature"}
        return b"btam-anchor|" + signing.canonical(body)

    def sign(self, signer: signing.Signer) -> None:
        self.signer_user = signer.username
        self.signer_public = signing.b64(signer.public)
        self.signature = signing.b64(signer.sign(self._message()))

    def is_signed_by(self, keys: dict[str, list[tuple[bytes, str]]]) -> bool:
        """True if signed by a key the vault vouches for, for the member named in it."""
        try:
            public = signing.unb64(self.signer_public)
            signature = signing.unb64(self.signature)
        except ValueError:
            return False
        user = self.signer_user.casefold()
        if user == signing.RECOVERY_USERNAME.casefold():
            user = ""  # the recovery slot's key is listed without a user name
        vouched = {k for k, _ in keys.get(user, [])}
        return public in vouched and signing.verify(public, signature, self._message())

    @property
    def pinned_key(self) -> bytes:
        return signing.unb64(self.vault_public)


def _path(vault_id: str) -> Path:
    safe = "".join(ch for ch in vault_id if ch.isalnum())[:64]
    return known_vaults_dir() / f"{safe}.json"


def load(vault_id: str) -> Anchor | None:
    """The anchor for a vault, or None if this computer has not opened it (or the file is
    unreadable, which is treated as never seen and reported by the caller)."""
    path = _path(vault_id)
    try:
        if not path.is_file() or path.stat().st_size > MAX_FILE_BYTES:
            return None
        raw = json.loads(path.read_text("utf-8"))
        anchor = Anchor(**{k: raw[k] for k in Anchor.__dataclass_fields__})
        signing.unb64(anchor.vault_public)
    except (OSError, ValueError, KeyError, TypeError):
        return None
    if anchor.vault_id != vault_id or not isinstance(anchor.position, int):
        return None
    return anchor


def save(anchor: Anchor) -> None:
    folder = known_vaults_dir()
    folder.mkdir(parents=True, exist_ok=True)
    write_atomic(_path(anchor.vault_id), json.dumps(asdict(anchor), indent=1).encode("utf-8"))
