#!/usr/bin/env python3
"""Set up a local environment and run BTAM Desktop or its tests.

    python3 dev.py demo     set up, then open the app on a demo vault
    python3 dev.py test     set up, then run lint, type checks and every test

Only Python 3.11+ is needed: everything else is installed into ./.venv from
the pinned versions in requirements/constraints.txt. On Debian or Ubuntu, `test`
also installs the system packages the tests use (PostgreSQL for the team server
tests, poppler-utils to read PDFs back), listed in .ci/apt-packages.txt, when
run as root; otherwise it names the command to run.
"""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys
import venv
from pathlib import Path

ROOT = Path(__file__).resolve().parent
VENV = ROOT / ".venv"
CONSTRAINTS = ROOT / "requirements" / "constraints.txt"
STAMP = VENV / ".btam-installed"
SYSTEM_PACKAGES = ROOT / ".ci" / "apt-packages.txt"


def venv_python() -> Path:
    if os.name == "nt":
        return VENV / "Scripts" / "python.exe"
    return VENV / "bin" / "python"


def requirements_fingerprint() -> str:
    digest = hashlib.sha256()
    for path in (ROOT / "pyproject.toml", CONSTRAINTS):
        digest.update(path.read_bytes())
    return digest.hexdigest()


def ensure_environment() -> Path:
    if sys.version_info < (3, 11):  # noqa: UP036 - dev.py runs on whatever python3 is there
        sys.exit(f"BTAM Desktop needs Python 3.11 or newer; this is {sys.version.split()[0]}.")
    python = venv_python()
    if not python.exists():
        print("Creating the virtual environment in .venv ...", flush=True)
        venv.EnvBuilder(with_pip=True, clear=True).create(VENV)
    fingerprint = requirements_fingerprint()
    if not STAMP.exists() or STAMP.read_text() != fingerprint:
        print("Installing pinned dependencies ...", flush=True)
        pip = [str(python), "-m", "pip", "--disable-pip-version-check"]
        subprocess.run([*pip, "install", "-q", "--upgrade", "pip"], check=True)
        subprocess.run(
            [*pip, "install", "-q", "-c", str(CONSTRAINTS), "-e", f"{ROOT}[dev]"], check=True
        )
        STAMP.write_text(fingerprint)
    return python


def missing_system_packages() -> list[str]:
    """The Debian packages the tests need that are not installed ([] off Debian)."""
    if not Path("/usr/bin/dpkg").exists() or not SYSTEM_PACKAGES.exists():
        return []
    wanted = [
        line.strip()
        for line in SYSTEM_PACKAGES.read_text().splitlines()
        if line.strip() and not line.startswith("#")
    ]
    return [
        name
        for name in wanted
        if subprocess.run(["dpkg", "-s", name], capture_output=True, check=False).returncode
    ]


def ensure_system_packages() -> None:
    missing = missing_system_packages()
    if not missing:
        return
    command = ["apt-get", "install", "-y", "-qq", "--no-install-recommends", *missing]
    if os.geteuid() != 0:
        sys.exit(
            "The tests need these system packages: " + " ".join(missing) + ". Install them "
            "with:\n    sudo apt-get install " + " ".join(missing) + "\nthen run this again."
        )
    print(f"Installing system packages: {' '.join(missing)} ...", flush=True)
    environment = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    subprocess.run(["apt-get", "update", "-qq"], check=True, env=environment)
    subprocess.run(command, check=True, env=environment)


def run(python: Path, *args: str) -> int:
    return subprocess.run([str(python), *args], cwd=ROOT).returncode


def main(argv: list[str]) -> int:
    if not argv or argv[0] not in {"demo", "test", "setup"}:
        print(__doc__)
        return 2
    python = ensure_environment()
    command, rest = argv[0], argv[1:]
    if command == "setup":
        return 0
    if command == "demo":
        return run(python, "-m", "btam_desktop", "--demo", *rest)
    ensure_system_packages()
    steps = [
        ("ruff check", ["-m", "ruff", "check", "."]),
        ("ruff format --check", ["-m", "ruff", "format", "--check", "."]),
        ("mypy", ["-m", "mypy"]),
        ("pytest", ["-m", "pytest", "-n", "2", *rest]),
    ]
    for name, args in steps:
        print(f"== {name}", flush=True)
        code = run(python, *args)
        if code != 0:
            print(f"== {name} failed (exit {code})", flush=True)
            return code
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
