"""Recently opened vault folders, kept in QSettings as paths (never case content), and the last
person who signed in to each (a user name, as the unlock screen lists them anyway).

The list holds at most ``MAX_RECENT`` folders, most recently opened first. ``recent_vaults()``
returns the folders that still hold a vault first, then those that have gone missing (a USB
stick that is not plugged in), so a person can still see where a vault used to be.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QSettings

from btam_desktop import APP_NAME
from btam_desktop.services.vault_paths import is_vault

ORGANIZATION = APP_NAME
MAX_RECENT = 8
_KEY = "vaults/recent"


def ui_settings() -> QSettings:
    """The per-user settings file for UI layout and recent vault paths."""
    return QSettings(
        QSettings.Format.NativeFormat, QSettings.Scope.UserScope, ORGANIZATION, APP_NAME
    )


def _normalized(folder: Path) -> Path:
    return Path(folder).expanduser().resolve()


def _stored() -> list[Path]:
    raw = ui_settings().value(_KEY, [])
    if isinstance(raw, str):  # QSettings gives a lone string for a one-element list
        raw = [raw]
    if not isinstance(raw, list):
        return []
    paths: list[Path] = []
    for item in raw:
        if isinstance(item, str) and item.strip():
            path = Path(item)
            if path not in paths:
                paths.append(path)
    return paths[:MAX_RECENT]


def _store(paths: list[Path]) -> None:
    settings = ui_settings()
    settings.setValue(_KEY, [str(p) for p in paths[:MAX_RECENT]])
    settings.sync()


def recent_vaults() -> list[Path]:
    """Recent vault folders: existing ones first (most recent first), then missing ones."""
    stored = _stored()
    existing = [p for p in stored if is_vault(p)]
    missing = [p for p in stored if p not in existing]
    return existing + missing


def add_recent_vault(folder: Path) -> None:
    """Put ``folder`` at the top of the list (after a successful unlock or creation)."""
    path = _normalized(folder)
    paths = [p for p in _stored() if p != path]
    _store([path, *paths])
    _set_last_kind(_KIND_VAULT)


def remove_recent_vault(folder: Path) -> None:
    path = _normalized(folder)
    _store([p for p in _stored() if p != path])


def clear_recent_vaults() -> None:
    _store([])


# ---- team servers (issue 16) ------------------------------------------------------------------
# Their addresses with any password taken out (the caller passes such an address): a password
# never reaches the settings file. Which kind was used last decides what the next start offers.
_SERVERS_KEY = "servers/recent"
_LAST_KIND_KEY = "locations/last_kind"
_KIND_VAULT, _KIND_SERVER = "vault", "server"


def _set_last_kind(kind: str) -> None:
    settings = ui_settings()
    settings.setValue(_LAST_KIND_KEY, kind)
    settings.sync()


def recent_servers() -> list[str]:
    """Team server addresses signed in to from this computer, most recent first."""
    raw = ui_settings().value(_SERVERS_KEY, [])
    if isinstance(raw, str):
        raw = [raw]
    if not isinstance(raw, list):
        return []
    urls: list[str] = []
    for item in raw:
        if isinstance(item, str) and item.strip() and item not in urls:
            urls.append(item)
    return urls[:MAX_RECENT]


def add_recent_server(shareable_url: str) -> None:
    """Put a server address (already without any password) at the top of its list."""
    urls = [u for u in recent_servers() if u != shareable_url]
    settings = ui_settings()
    settings.setValue(_SERVERS_KEY, [shareable_url, *urls][:MAX_RECENT])
    settings.setValue(_LAST_KIND_KEY, _KIND_SERVER)
    settings.sync()


def remove_recent_server(shareable_url: str) -> None:
    settings = ui_settings()
    settings.setValue(_SERVERS_KEY, [u for u in recent_servers() if u != shareable_url])
    settings.sync()


def last_location() -> Path | str | None:
    """What the next start offers: the last team server (its address) if a server was used
    last, else the last vault folder that still exists."""
    kind = ui_settings().value(_LAST_KIND_KEY, _KIND_VAULT)
    servers = recent_servers()
    if kind == _KIND_SERVER and servers:
        return servers[0]
    return last_vault()


def _server_key(shareable_url: str) -> str:
    import hashlib

    return _LAST_USER_KEY + "server-" + hashlib.sha256(shareable_url.encode()).hexdigest()[:24]


def remember_server_user(shareable_url: str, username: str) -> None:
    settings = ui_settings()
    settings.setValue(_server_key(shareable_url), username)
    settings.sync()


def last_server_user(shareable_url: str) -> str:
    value = ui_settings().value(_server_key(shareable_url), "")
    return value if isinstance(value, str) else ""


def last_vault() -> Path | None:
    """The most recently opened folder that still holds a vault, if any."""
    for path in _stored():
        if is_vault(path):
            return path
    return None


# ---- the last person who signed in on this computer (issue 11) ----------------------------------
# Only a user name, which the vault's key-slot file already lists in the clear for the unlock
# screen; kept per vault folder (by a hash of its path) so each vault suggests its own person.
_LAST_USER_KEY = "vaults/last_user/"


def _folder_key(folder: Path) -> str:
    import hashlib

    return (
        _LAST_USER_KEY + hashlib.sha256(str(_normalized(folder)).encode("utf-8")).hexdigest()[:24]
    )


def remember_last_user(folder: Path, username: str) -> None:
    settings = ui_settings()
    settings.setValue(_folder_key(folder), username)
    settings.sync()


def last_user(folder: Path) -> str:
    value = ui_settings().value(_folder_key(folder), "")
    return value if isinstance(value, str) else ""
