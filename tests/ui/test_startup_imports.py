"""The unlock screen shows before the database libraries load (issue 13: start-up)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

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


# Loaded only after the unlock screen's first paint (issue 13): the key file's signature check,
# the keyring, the guide, the log's stock rotation module, and the database code.
AFTER_FIRST_PAINT = (
    "cryptography",
    "argon2",
    "keyring",
    "logging.handlers",
    "btam_desktop.ui.help",
    "btam_desktop.store.keyslots",
    "btam_desktop.services.app",
)

FIRST_PAINT_PROBE = """
import os, sys
from pathlib import Path
from PySide6.QtCore import QEvent, QObject, QTimer
from PySide6.QtWidgets import QApplication

WATCHED = {watched!r}
seen = {{}}

class FirstPaint(QObject):
    def eventFilter(self, obj, event):
        if (event.type() == QEvent.Type.Paint and type(obj).__name__ == "UnlockScreen"
                and "at_paint" not in seen):
            seen["at_paint"] = sorted(m for m in WATCHED if m in sys.modules)
            seen["members_at_paint"] = obj.user_combo_items()
            obj.members_loaded.connect(lambda: seen.setdefault("members", obj.user_combo_items()))
            QTimer.singleShot(0, finish_when_warm)
        return False

def finish_when_warm():
    from btam_desktop.ui.app import warm_up_done
    if "members" in seen and warm_up_done():
        print("AT_PAINT", seen["at_paint"])
        print("MEMBERS_AT_PAINT", seen["members_at_paint"])
        print("MEMBERS", seen["members"])
        print("LATER", sorted(m for m in WATCHED if m in sys.modules))
        sys.stdout.flush()
        os._exit(0)
    QTimer.singleShot(20, finish_when_warm)

qapp = QApplication(sys.argv[:1])
probe = FirstPaint()
qapp.installEventFilter(probe)
from btam_desktop.ui.app import run_app
run_app(vault=Path(sys.argv[1]))
"""


def test_the_unlock_screen_paints_before_keys_keyring_and_database_code_load(
    demo_vault: Path, tmp_path: Path
) -> None:
    probe = FIRST_PAINT_PROBE.format(watched=AFTER_FIRST_PAINT)
    done = subprocess.run(
        [sys.executable, "-c", probe, str(demo_vault)],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
        env={
            "QT_QPA_PLATFORM": "offscreen",
            "PATH": "/usr/bin:/bin",
            "HOME": str(tmp_path),
            "XDG_CONFIG_HOME": str(tmp_path / "config"),
            "XDG_DATA_HOME": str(tmp_path / "data"),
            "XDG_STATE_HOME": str(tmp_path / "state"),
            "PYTHON_KEYRING_BACKEND": "keyring.backends.fail.Keyring",
        },
    )
    assert done.returncode == 0, done.stderr[-3000:]
    lines = dict(line.split(" ", 1) for line in done.stdout.splitlines() if " " in line)
    assert lines["AT_PAINT"] == "[]", done.stdout
    # Nobody signed in on this computer yet: the list is empty until it has been checked.
    assert lines["MEMBERS_AT_PAINT"] == "[]"
    assert lines["MEMBERS"] == "['casey', 'demo', 'morgan']"
    later = lines["LATER"]
    for module in ("cryptography", "keyring", "btam_desktop.services.app"):
        assert f"'{module}'" in later, later  # loaded after the paint, in the background
