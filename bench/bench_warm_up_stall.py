"""How long the unlock screen stops answering while the program warms up behind it.

    .venv/bin/python bench/bench_warm_up_stall.py [--vault DIR] [--runs 3]

Each run is a new process that opens the unlock screen as ``btam --vault DIR`` does (the
program's theme, offscreen) and, for four seconds, while the database code, the report
builders and the main window's modules load in the background (``ui/app.py``), notes the gaps
between ticks of a 5 ms timer on the GUI thread: the longest gap is the longest a keystroke
would wait. Prints the longest gap and the number of gaps over 50 ms per run.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _child_process import make_demo_vault, sandbox_env

CHILD = r"""
import sys, time
from pathlib import Path
from PySide6.QtCore import QTimer
from btam_desktop.ui.app import Launcher, create_application

qapp = create_application()
launcher = Launcher(qapp, keyring=(False, "bench"))
screen = launcher.show_unlock(Path(sys.argv[1]))
gaps = []
last = [time.perf_counter()]


def tick():
    now = time.perf_counter()
    gaps.append(now - last[0])
    last[0] = now


timer = QTimer()
timer.setInterval(5)
timer.timeout.connect(tick)
timer.start()
end = time.perf_counter() + 4
while time.perf_counter() < end:
    qapp.processEvents()
    time.sleep(0.001)
from btam_desktop.ui.app import warm_up_done

warm = warm_up_done()
print(f"{max(gaps) * 1000:.0f} {sum(g > 0.05 for g in gaps)} {warm}")
"""


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--vault", type=Path)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="btam-bench-stall-") as sandbox:
        env = sandbox_env(Path(sandbox))
        folder: Path = args.vault
        if folder is None:
            folder = Path(sandbox) / "vault"
            make_demo_vault(folder, env, tuned=False)
        for number in range(args.runs):
            done = subprocess.run(
                [sys.executable, "-c", CHILD, str(folder)],
                env=env,
                capture_output=True,
                text=True,
                timeout=120,
                check=True,
            )
            longest, over, warm = done.stdout.split()
            print(
                f"run {number + 1}: longest stall {longest} ms, stalls over 50 ms: {over}, "
                f"warmed up: {warm}"
            )


if __name__ == "__main__":
    main()
