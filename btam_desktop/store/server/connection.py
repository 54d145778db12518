"""Reaching the team server: TLS with the server's certificate verified, except on this computer.

A connection string is what the district's administrator hands out, e.g.
``postgresql://btam_app@db.district.example/btam?sslrootcert=/path/district-ca.pem``. A server
elsewhere is reached only over TLS that verifies the server's certificate and name
(``sslmode=verify-full``, the default here). A server on the same machine (localhost or a local
socket, as in the tests) may be reached without TLS, with a warning.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

import psycopg
from psycopg.conninfo import conninfo_to_dict, make_conninfo

from btam_desktop.store.errors import StorageUnavailableError, ValidationError, VaultError

LOCAL_HOSTS = {"localhost", "127.0.0.1", "::1"}
VERIFIED = "verify-full"
CONNECT_TIMEOUT_SECONDS = 10


class ServerUnavailableError(StorageUnavailableError):
    def __init__(self, where: str) -> None:
        VaultError.__init__(
            self,
            f"The team server ({where}) cannot be reached. Check this computer's network "
            "connection and try again; if it still fails, ask whoever runs the server whether "
            "it is up. Nothing was lost: what you were working on is still here.",
        )
        self.disk_full = False
        self.read_only = False
        self.where = where  # host/database, never a password


class ServerSignInRefusedError(ServerUnavailableError):
    """The server answered but refused the program's database role (its password, usually)."""

    def __init__(self, where: str) -> None:
        VaultError.__init__(
            self,
            f"The team server ({where}) answered but did not let BTAM Desktop in: the address "
            "lacks the database password, or it is wrong. Type the full address you were given "
            "(it may include a password), or ask whoever runs the server to put the password "
            "in this computer's PostgreSQL password file. This is not your own password.",
        )
        self.disk_full = False
        self.read_only = False
        self.where = where


# Settings of a connection string that are secrets: never shown, logged or remembered.
SECRET_SETTINGS = frozenset({"password", "sslpassword"})


def shareable_url(url: str) -> str:
    """The address without any password, fit to show and to remember on this computer."""
    url = url.strip()
    if "://" in url:
        parts = urlsplit(url)
        host = parts.netloc.rpartition("@")[2]
        user = parts.netloc.rpartition("@")[0].partition(":")[0] if "@" in parts.netloc else ""
        netloc = f"{user}@{host}" if user else host
        query = [
            (k, v)
            for k, v in parse_qsl(parts.query, keep_blank_values=True)
            if k.lower() not in SECRET_SETTINGS
        ]
        return urlunsplit((parts.scheme, netloc, parts.path, urlencode(query), parts.fragment))
    try:
        params: dict[str, Any] = conninfo_to_dict(url)
    except psycopg.ProgrammingError as exc:
        raise ValidationError("That is not a team server address.") from exc
    return make_conninfo(**{k: v for k, v in params.items() if k not in SECRET_SETTINGS})


@dataclass(frozen=True)
class ServerAddress:
    """A parsed connection string; ``where`` names the server without any password."""

    conninfo: str = ""
    where: str = ""
    local: bool = False

    @property
    def warning(self) -> str:
        if self.local:
            return (
                "This team server is on this computer and is reached without encryption in "
                "transit (TLS). That is fine for trying the program out; a real team server "
                "on another computer is always reached over TLS."
            )
        return ""


def parse_server_url(url: str) -> ServerAddress:
    """Check a connection string and return how to connect. Refuses TLS without verification."""
    try:
        params: dict[str, Any] = conninfo_to_dict(url.strip())
    except psycopg.ProgrammingError as exc:
        raise ValidationError(
            "That is not a team server address. It looks like "
            "postgresql://user@server.example/database; ask whoever runs the server for it."
        ) from exc
    host = str(params.get("host") or "localhost")
    hosts = [h.strip() for h in host.split(",")]
    local = all(h in LOCAL_HOSTS or h.startswith("/") for h in hosts)
    mode = params.get("sslmode")
    if not local:
        if mode is None:
            params["sslmode"] = VERIFIED
        elif mode != VERIFIED:
            raise ValidationError(
                f"The team server address asks for sslmode={mode}. BTAM Desktop reaches a "
                "server on another computer only over TLS that checks the server's certificate "
                "and name: remove the sslmode setting (or use sslmode=verify-full) and give the "
                "district's certificate with sslrootcert=FILE."
            )
    params.setdefault("connect_timeout", CONNECT_TIMEOUT_SECONDS)
    params.setdefault("application_name", "BTAM Desktop")
    where = f"{host}/{params.get('dbname') or params.get('user') or ''}".rstrip("/")
    return ServerAddress(conninfo=make_conninfo(**params), where=where, local=local)


def connect(address: ServerAddress) -> psycopg.Connection[Any]:
    try:
        return psycopg.connect(address.conninfo)
    except psycopg.OperationalError as exc:
        # Told apart by the server's reason (never shown or logged: it may name the role).
        reason = str(exc).lower()
        if "password" in reason or "authentication failed" in reason:
            raise ServerSignInRefusedError(address.where) from exc
        raise ServerUnavailableError(address.where) from exc
