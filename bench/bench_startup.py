"""Start-up: process start to the unlock screen painted, next to a bare PySide6 window.

    .venv/bin/python bench/bench_startup.py [--vault DIR] [--runs 7]

Each run is a new process (bytecode compiled beforehand, so the figures are warm-start ones):

* "bare": a PySide6 window showing a 200-row table, to its first paint;
* "btam": the program as ``btam --vault DIR`` starts it (``ui.app.run_app``), to the first paint
  of the unlock screen; and, for information, until the member list has been checked against
  the vault key and shown (work that starts after the first paint);
* "btam --version" and "btam --help": the command line without a window.

A probe module installs an event filter that notes the first paint of the wanted widget and
exits the process at once; the parent measures wall time from spawning to that exit, and CPU
time from the child's rusage. Prints the median of --runs and the ratio to "bare" (the goal:
at most 1.5x). ``--vault`` defaults to a small vault made in a temporary folder.
"""

from __future__ import annotations

import argparse
import compileall
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from _child_process import sandbox_env  # noqa: E402

PROBE = """
import os, sys
from PySide6.QtCore import QEvent, QObject
from PySide6.QtWidgets import QApplication

class FirstPaint(QObject):
    def __init__(self, class_name):
        super().__init__()
        self.class_name = class_name
    def eventFilter(self, watched, event):
        if event.type() == QEvent.Type.Paint and type(watched).__name__ == self.class_name:
            sys.stdout.flush()
            os._exit(0)
        return False

qapp = QApplication(sys.argv[:1])
probe = FirstPaint(sys.argv[1])
qapp.installEventFilter(probe)
"""

BARE = (
    PROBE
    + """
from PySide6.QtWidgets import QTableWidget, QTableWidgetItem
table = QTableWidget(200, 6)
for row in range(200):
    for column in range(6):
        table.setItem(row, column, QTableWidgetItem(f"cell {row} {column}"))
table.resize(900, 600)
table.show()
qapp.exec()
"""
)

BTAM = (
    PROBE
    + """
from pathlib import Path
from btam_desktop.ui.app import run_app
run_app(vault=Path(sys.argv[2]))
"""
)

# The same start, measured until the member list has been checked against the vault key and
# shown (a background task started after the first paint; the list holds the last member
# until then).
MEMBERS = """
import os, sys
from pathlib import Path
from PySide6.QtCore import QTimer
from btam_desktop.ui import app as app_module
from btam_desktop.ui.unlock import UnlockScreen

def exit_when_members_shown():
    for widget in app_module.QApplication.allWidgets():
        if isinstance(widget, UnlockScreen) and widget.members_ready():
            sys.stdout.flush()
            os._exit(0)
    QTimer.singleShot(1, exit_when_members_shown)

QTimer.singleShot(0, exit_when_members_shown)
app_module.run_app(vault=Path(sys.argv[1]))
"""


def run_once(args: list[str], env: dict[str, str]) -> tuple[float, float]:
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    done = subprocess.run(args, env=env, capture_output=True, timeout=120)
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if done.returncode != 0:
        raise SystemExit(f"{args[:3]} failed: {done.stderr.decode(errors='replace')[-2000:]}")
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return wall, cpu


def make_vault(folder: Path) -> Path:
    from btam_desktop.services.demo import create_demo_vault
    from btam_desktop.store.crypto import KdfParams

    vault = folder / "vault"
    create_demo_vault(vault, kdf_params=KdfParams(time_cost=1, memory_kib=8, parallelism=1)).lock()
    return vault


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--vault", type=Path)
    parser.add_argument("--runs", type=int, default=7)
    args = parser.parse_args()
    compileall.compile_dir(ROOT / "btam_desktop", quiet=1)
    with tempfile.TemporaryDirectory() as tmp:
        vault = args.vault or make_vault(Path(tmp))
        env = sandbox_env(Path(tmp))
        python = sys.executable
        cases = {
            "bare PySide6, 200-row table": [python, "-c", BARE, "QTableWidget"],
            "btam, unlock screen painted": [python, "-c", BTAM, "UnlockScreen", str(vault)],
            "btam, member list checked": [python, "-c", MEMBERS, str(vault)],
            "btam --version": [python, "-m", "btam_desktop", "--version"],
            "btam --help": [python, "-m", "btam_desktop", "--help"],
        }
        figures: dict[str, tuple[float, float]] = {}
        samples: dict[str, list[tuple[float, float]]] = {name: [] for name in cases}
        for _ in range(args.runs):  # interleaved, so a busy moment hits every case alike
            for name, command in cases.items():
                samples[name].append(run_once(command, env))
        for name, runs in samples.items():
            figures[name] = (
                statistics.median(w for w, _ in runs),
                statistics.median(c for _, c in runs),
            )
    bare_wall, bare_cpu = figures["bare PySide6, 200-row table"]
    print(f"{'':<32}{'wall':>9}{'ratio':>8}{'CPU':>9}{'ratio':>8}   (median of {args.runs})")
    for name, (wall, cpu) in figures.items():
        print(
            f"{name:<32}{wall * 1000:>7.0f}ms{wall / bare_wall:>7.2f}x"
            f"{cpu * 1000:>7.0f}ms{cpu / bare_cpu:>7.2f}x"
        )


if __name__ == "__main__":
    main()
