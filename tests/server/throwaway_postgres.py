"""A real, throwaway PostgreSQL server for the tests, started and stopped by the test run.

It uses the server binaries of the system package (``postgresql``, listed in
.ci/apt-packages.txt). PostgreSQL refuses to run as root, so under root (as in CI) the data
folder is handed to the unprivileged ``nobody`` account and the server runs as that account.
It listens on 127.0.0.1 only, on a free port, and trusts local connections: it lives in a
temporary folder for one test session and holds only test data.
"""

from __future__ import annotations

import glob
import os
import shutil
import socket
import subprocess
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

SUPERUSER = "btam_admin"


def server_bin_dir() -> Path | None:
    """The newest installed PostgreSQL server binaries, or None."""
    found = sorted(
        glob.glob("/usr/lib/postgresql/*/bin/pg_ctl"),
        key=lambda p: int(Path(p).parent.parent.name),
    )
    if found:
        return Path(found[-1]).parent
    which = shutil.which("pg_ctl")
    return Path(which).resolve().parent if which else None


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _as_server_user(args: list[str]) -> list[str]:
    if os.geteuid() != 0:
        return args
    return ["runuser", "-u", "nobody", "--", *args]


@dataclass
class ThrowawayPostgres:
    root: Path
    port: int
    bin_dir: Path

    @property
    def data_dir(self) -> Path:
        return self.root / "data"

    def url(self, database: str = "postgres", user: str = SUPERUSER) -> str:
        return f"postgresql://{user}@127.0.0.1:{self.port}/{database}"

    def tool(self, name: str) -> str:
        return str(self.bin_dir / name)

    @classmethod
    def start(cls, root: Path | None = None) -> ThrowawayPostgres:
        """Start a server in ``root`` (default: a new folder in the system's temp folder).

        Not under pytest's temp folder: pytest makes its root private (0700) again whenever a
        test process starts, and the server's account could then no longer reach its data to
        stop it."""
        bin_dir = server_bin_dir()
        if bin_dir is None:
            raise RuntimeError(
                "PostgreSQL is not installed: apt-get install postgresql (see .ci/apt-packages.txt)"
            )
        if root is None:
            root = Path(tempfile.mkdtemp(prefix="btam-postgres-"))
        root.mkdir(parents=True, exist_ok=True)
        server = cls(root=root, port=_free_port(), bin_dir=bin_dir)
        server.data_dir.mkdir()
        if os.geteuid() == 0:
            for path in (root, server.data_dir):
                shutil.chown(path, "nobody", "nogroup")
            root.chmod(0o700)
        subprocess.run(
            _as_server_user(
                [
                    server.tool("initdb"),
                    "-D",
                    str(server.data_dir),
                    "-U",
                    SUPERUSER,
                    "-A",
                    "trust",
                    "-E",
                    "UTF8",
                    "--no-locale",
                    "--no-sync",
                ]
            ),
            check=True,
            capture_output=True,
        )
        options = (
            f"-p {server.port} -c listen_addresses=127.0.0.1 -k {server.data_dir} "
            "-c fsync=off -c synchronous_commit=off -c full_page_writes=off "
            "-c max_connections=60"
        )
        subprocess.run(
            _as_server_user(
                [
                    server.tool("pg_ctl"),
                    "-D",
                    str(server.data_dir),
                    "-o",
                    options,
                    "-l",
                    str(server.data_dir / "server.log"),
                    "-w",
                    "start",
                ]
            ),
            check=True,
            capture_output=True,
        )
        return server

    def stop(self) -> None:
        """Stop the server and remove its folder."""
        subprocess.run(
            _as_server_user(
                [self.tool("pg_ctl"), "-D", str(self.data_dir), "-m", "immediate", "-w", "stop"]
            ),
            check=False,
            capture_output=True,
        )
        shutil.rmtree(self.root, ignore_errors=True)

    def admin_sql(self, sql: str, database: str = "postgres") -> None:
        import psycopg

        with psycopg.connect(self.url(database), autocommit=True) as conn:
            conn.execute(sql)  # type: ignore[arg-type]

    def fresh_database(self, prefix: str = "t") -> str:
        name = f"{prefix}_{time.time_ns():x}"
        self.admin_sql(f'CREATE DATABASE "{name}"')
        return name

    def dump(self, database: str) -> bytes:
        """``pg_dump`` of one database, as the server's administrators and backups see it."""
        done = subprocess.run(
            [self.tool("pg_dump"), "--no-owner", self.url(database)],
            check=True,
            capture_output=True,
        )
        return done.stdout
