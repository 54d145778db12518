"""Unlock to a usable main window, as a person lives it: the program started, the unlock screen
up and warmed (the member list shown, the database code loaded while the password is typed),
then Unlock pressed. The goal (issue 13): at most the password check (Argon2id, deliberately
slow) + 200 ms.

    .venv/bin/python bench/bench_unlock_to_window.py [--vault DIR] [--cases 1000] [--runs 6]
                                                     [--profile]

Without --vault a demo vault of --cases cases is made in a temporary folder (its user "demo"
has the password "demo", as with --vault). Each run is a new process, the way the program
starts (``ui.app.Launcher``, the program's theme, offscreen): it waits until the unlock screen
is ready, types the password, presses Unlock, and notes from that moment:

* Argon2id: the password check inside the sign-in, timed on its own (it runs on a worker
  thread while the window may already be prepared);
* window shown: the main window's first paint (it opens on the dashboard);
* case list page 1 painted: the list's first page arrived from its background task and was
  rendered (``grab()``, as when its tab is chosen): the goal's "usable";
* dashboard figures painted: the dashboard's numbers (its own background task), rendered.

"BEYOND ARGON2ID" is Unlock pressed to the case list's first page painted, less Argon2id.
The first run is the first sign-in on this computer (nothing known of the vault yet: the audit
trail's newest events are all checked); the others are usual sign-ins (a new process; this
computer has seen the vault before). Settings and this computer's records of the vault go to a
temporary folder shared by the runs. --profile prints a cProfile of the last run's main thread.
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _child_process import make_demo_vault, sandbox_env

USER = "demo"
PASSWORD = "demo"

CHILD = r"""
import cProfile, json, os, pstats, sys, time
from pathlib import Path
from PySide6.QtCore import QEvent, QObject

from btam_desktop.ui.app import Launcher, create_application, warm_up_done

folder, profiling = Path(sys.argv[1]), sys.argv[2] == "1"


class PaintWatch(QObject):
    # Notes the main window's first paint (of the window or any widget in it).

    def __init__(self):
        super().__init__()
        self.first_paint = 0.0

    def eventFilter(self, watched, event):
        if (
            not self.first_paint
            and event.type() == QEvent.Type.Paint
            and launcher.main_window is not None
            and watched.isWidgetType()
            and watched.window() is launcher.main_window
        ):
            self.first_paint = time.perf_counter()
        return False


def wait_until(done, timeout_s=120.0):
    deadline = time.perf_counter() + timeout_s
    while not done():
        if time.perf_counter() > deadline:
            raise TimeoutError("the window did not become usable in time")
        qapp.processEvents()
        time.sleep(0.001)


qapp = create_application()
launcher = Launcher(qapp, keyring=(False, "bench"))
screen = launcher.show_unlock(folder)
wait_until(lambda: screen.members_ready() and warm_up_done())
started = time.perf_counter()
wait_until(lambda: time.perf_counter() - started > 0.3)  # the person is still typing

from btam_desktop.store import crypto

spent_in_argon2 = []
derive = crypto.derive_key


def timed_derive(*args, **kwargs):
    begin = time.perf_counter()
    try:
        return derive(*args, **kwargs)
    finally:
        spent_in_argon2.append(time.perf_counter() - begin)


crypto.derive_key = timed_derive
watch = PaintWatch()
qapp.installEventFilter(watch)
screen.select_user(sys.argv[3])
screen.password_edit.setText(sys.argv[4])
profile = cProfile.Profile() if profiling else None
if profile is not None:
    profile.enable()
pressed = time.perf_counter()
screen.submit()
wait_until(lambda: launcher.main_window is not None and launcher.main_window.isVisible())
window = launcher.main_window
wait_until(lambda: watch.first_paint > 0 and window.cases_page is not None)
shown = watch.first_paint
cases, dashboard = window.cases_page, window.dashboard_page
wait_until(lambda: cases._model.rowCount() > 0)
cases.grab()
first_page = time.perf_counter()
wait_until(lambda: dashboard.data is not None and not dashboard.is_loading())
dashboard.grab()
figures = time.perf_counter()
if profile is not None:
    profile.disable()
argon2 = sum(spent_in_argon2)
print(json.dumps({
    "Argon2id": argon2,
    "to window shown": shown - pressed,
    "to case list page 1 painted": first_page - pressed,
    "to dashboard figures painted": figures - pressed,
    "BEYOND ARGON2ID (page 1)": first_page - pressed - argon2,
}))
sys.stdout.flush()
if profile is not None:
    pstats.Stats(profile, stream=sys.stderr).sort_stats("cumulative").print_stats(40)
window.lock("manual", save_drafts=False)
os._exit(0)
"""


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--vault", type=Path, help="a vault whose user 'demo' has password 'demo'")
    parser.add_argument("--cases", type=int, default=1000)
    parser.add_argument("--runs", type=int, default=6)
    parser.add_argument("--profile", action="store_true")
    args = parser.parse_args()

    with tempfile.TemporaryDirectory(prefix="btam-bench-unlock-") as sandbox:
        env = sandbox_env(Path(sandbox))
        folder: Path = args.vault
        if folder is None:
            folder = Path(sandbox) / "vault"
            make_demo_vault(folder, env, cases=args.cases, tuned=True)
            print(f"made a demo vault of {args.cases} cases")
        samples: list[dict[str, float]] = []
        for number in range(args.runs):
            profiling = args.profile and number == args.runs - 1
            done = subprocess.run(
                [
                    sys.executable,
                    "-c",
                    CHILD,
                    str(folder),
                    "1" if profiling else "0",
                    USER,
                    PASSWORD,
                ],
                env=env,
                capture_output=True,
                text=True,
                timeout=300,
            )
            if done.returncode != 0:
                raise SystemExit(f"run {number + 1} failed:\n{done.stderr[-3000:]}")
            samples.append(json.loads(done.stdout.strip().splitlines()[-1]))
            if profiling:
                print(done.stderr)
    later = samples[1:] or samples
    print(
        f"\n{folder}: milliseconds from Unlock pressed; the first sign-in on this computer, "
        "then the median (min, max) of the usual ones"
    )
    for step in samples[0]:
        values = [s[step] * 1000 for s in later]
        print(
            f"  {step:<30}{samples[0][step] * 1000:>8.0f}{statistics.median(values):>8.0f}   "
            f"({min(values):.0f}, {max(values):.0f})"
        )


if __name__ == "__main__":
    main()
