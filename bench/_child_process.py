"""What the start-up benches share: the environment of a child process that starts the program
as a person would, in a sandbox, and a demo vault made in a child process."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def sandbox_env(sandbox: Path) -> dict[str, str]:
    """Offscreen, this checkout's code, and settings, recent vaults and this computer's records
    of vaults kept in ``sandbox`` (never those of the person running the bench)."""
    return {
        **os.environ,
        "QT_QPA_PLATFORM": os.environ.get("QT_QPA_PLATFORM", "offscreen"),
        "QT_LOGGING_RULES": "qt.qpa.*=false",
        "PYTHONPATH": str(ROOT),
        "HOME": str(sandbox),
        "XDG_CONFIG_HOME": str(sandbox / "config"),
        "XDG_DATA_HOME": str(sandbox / "data"),
        "XDG_STATE_HOME": str(sandbox / "state"),
        "PYTHON_KEYRING_BACKEND": "keyring.backends.fail.Keyring",
    }


def make_demo_vault(folder: Path, env: dict[str, str], *, cases: int = 0, tuned: bool) -> None:
    """The demo vault (user "demo", password "demo") with ``cases`` extra cases; Argon2id tuned
    as a real vault's, or the cheapest (for benches that never unlock)."""
    params = "crypto.tune_params()" if tuned else "crypto.KdfParams(1, 8, 1)"
    subprocess.run(
        [
            sys.executable,
            "-c",
            "import sys; from pathlib import Path;"
            "from btam_desktop.services.demo import create_demo_vault;"
            "from btam_desktop.store import crypto;"
            "create_demo_vault(Path(sys.argv[1]), cases=int(sys.argv[2]),"
            f" kdf_params={params}).lock()",
            str(folder),
            str(cases),
        ],
        env=env,
        check=True,
    )
