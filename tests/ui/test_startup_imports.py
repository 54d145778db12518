"""The unlock screen shows before the database libraries load (issue 13: start-up)."""

from __future__ import annotations

import subprocess
import sys

HEAVY = ("sqlalchemy", "sqlmodel", "sqlcipher3", "alembic", "reportlab")


def test_the_unlock_screen_code_loads_no_database_or_report_library() -> None:
    probe = (
        "import sys\n"
        "import btam_desktop.ui.app, btam_desktop.ui.unlock\n"
        f"heavy = sorted(m for m in sys.modules if m.split('.')[0] in {HEAVY!r})\n"
        "print('HEAVY', heavy)\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", probe],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
        env={"QT_QPA_PLATFORM": "offscreen", "PATH": "/usr/bin:/bin"},
    )
    assert done.returncode == 0, done.stderr
    assert "HEAVY []" in done.stdout, done.stdout
