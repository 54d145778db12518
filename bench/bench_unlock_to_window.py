"""Unlock to a usable main window: the password check (Argon2id, deliberately slow) and then
everything else until the window is on screen with its data painted. The goal (issue 13): at
most Argon2id + 200 ms.

    .venv/bin/python bench/bench_unlock_to_window.py [--vault DIR] [--cases 1000] [--runs 5]
                                                     [--profile]

Without --vault a demo vault of --cases cases is made in a temporary folder (password "demo").
The program's modules are imported first, as the unlock screen does while the password is typed
(ui/app.py ``_warm_up_main_window``). Each run, in one offscreen Qt process:

* sign-in: ``services.app.unlock`` (Argon2id, key slots, SQLCipher, the trail check, the
  unlock event), the part the unlock screen runs on a worker thread; the Argon2id call inside
  it is timed on its own, so "beyond Argon2id" is exact however busy the machine is;
* window shown: ``MainWindow`` built and shown (it opens on the dashboard), to its first paint;
* case list page 1 painted: the list's first page arrived from its background task and the
  list was rendered (``grab()``, as when its tab is chosen): the goal's "usable";
* dashboard figures painted: the dashboard's numbers (its own background task), rendered;
* every task done: the list's ids and count too.

"BEYOND ARGON2ID" is sign-in and window up to the case list's first page, less the password
check. The first run in a process pays one-time costs (reading the migration scripts, Qt's
first styling): it is printed on its own, next to the median of the others. --profile prints
a cProfile (main thread only) of the last run. Settings and this computer's anchors go to a
temporary folder. On a shared machine compare figures from one run of the bench.
"""

from __future__ import annotations

import argparse
import cProfile
import os
import pstats
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

_SANDBOX = tempfile.TemporaryDirectory(prefix="btam-bench-unlock-")
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
os.environ["XDG_CONFIG_HOME"] = str(Path(_SANDBOX.name) / "config")
os.environ["XDG_DATA_HOME"] = str(Path(_SANDBOX.name) / "data")
os.environ["XDG_STATE_HOME"] = str(Path(_SANDBOX.name) / "state")

from PySide6.QtCore import QEvent, QObject  # noqa: E402
from PySide6.QtWidgets import QApplication  # noqa: E402

USER = "demo"
PASSWORD = "demo"


class PaintWatch(QObject):
    """Notes when a widget (or any child of it) was last painted."""

    def __init__(self) -> None:
        super().__init__()
        self.last_paint = 0.0

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() == QEvent.Type.Paint:
            self.last_paint = time.perf_counter()
        return False


def wait_until(qapp: QApplication, done: object, timeout_s: float = 120.0) -> None:
    deadline = time.perf_counter() + timeout_s
    while not done():  # type: ignore[operator]
        if time.perf_counter() > deadline:
            raise TimeoutError("the window did not become usable in time")
        qapp.processEvents()
        time.sleep(0.001)


def one_run(qapp: QApplication, folder: Path, profile: cProfile.Profile | None) -> dict[str, float]:
    from btam_desktop.services.app import unlock
    from btam_desktop.store import crypto
    from btam_desktop.ui import tasks
    from btam_desktop.ui.main_window import MainWindow

    spent_in_argon2: list[float] = []
    derive = crypto.derive_key

    def timed_derive(*args: object, **kwargs: object) -> bytes:
        begin = time.perf_counter()
        try:
            return derive(*args, **kwargs)  # type: ignore[arg-type]
        finally:
            spent_in_argon2.append(time.perf_counter() - begin)

    if profile is not None:
        profile.enable()
    crypto.derive_key = timed_derive  # type: ignore[assignment]
    try:
        start = time.perf_counter()
        app = unlock(folder, USER, PASSWORD)
    finally:
        crypto.derive_key = derive  # type: ignore[assignment]
    argon2 = sum(spent_in_argon2)
    signed_in = time.perf_counter()
    watch = PaintWatch()
    qapp.installEventFilter(watch)
    window = MainWindow(app, folder)
    window.resize(1280, 800)
    window.show()
    wait_until(qapp, lambda: watch.last_paint > signed_in)
    shown = watch.last_paint
    cases, dashboard = window.cases_page, window.dashboard_page
    assert cases is not None and dashboard is not None
    # The window opens on the dashboard, so the case list (the next tab) is rendered as it
    # would be when chosen: grab() paints it offscreen.
    wait_until(qapp, lambda: cases._model.rowCount() > 0)
    cases.grab()
    first_page_painted = time.perf_counter()
    wait_until(qapp, lambda: dashboard.data is not None and not dashboard.is_loading())
    dashboard.grab()
    figures_painted = time.perf_counter()
    wait_until(qapp, lambda: tasks.active_task_count() == 0)
    idle = time.perf_counter()
    if profile is not None:
        profile.disable()
    qapp.removeEventFilter(watch)
    window.lock("manual", save_drafts=False)
    window.hide()
    window.deleteLater()
    qapp.processEvents()
    return {
        "Argon2id (in the sign-in)": argon2,
        "sign-in (unlock)": signed_in - start,
        "sign-in beyond Argon2id": signed_in - start - argon2,
        "to window shown": shown - signed_in,
        "to case list page 1 painted": first_page_painted - signed_in,
        "to dashboard figures painted": figures_painted - signed_in,
        "to every task done": idle - signed_in,
        "BEYOND ARGON2ID (page 1)": first_page_painted - start - argon2,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--vault", type=Path, help="a vault whose user 'demo' has password 'demo'")
    parser.add_argument("--cases", type=int, default=1000)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--profile", action="store_true")
    args = parser.parse_args()

    qapp = QApplication(sys.argv[:1])
    start = time.perf_counter()
    import btam_desktop.services.app
    import btam_desktop.ui.main_window  # noqa: F401

    print(f"imports (done while the password is typed): {time.perf_counter() - start:.2f} s")
    folder: Path = args.vault
    if folder is None:
        from btam_desktop.services.demo import create_demo_vault
        from btam_desktop.store import crypto

        folder = Path(_SANDBOX.name) / "vault"
        made = create_demo_vault(folder, cases=args.cases, kdf_params=crypto.tune_params())
        made.lock()
        print(f"made a demo vault of {args.cases} cases")

    samples: list[dict[str, float]] = []
    profile = cProfile.Profile() if args.profile else None
    for number in range(args.runs):
        last = number == args.runs - 1
        samples.append(one_run(qapp, folder, profile if last else None))
    later = samples[1:] or samples
    print(f"\n{folder}: milliseconds; first run, then the median (min, max) of the others")
    for step in samples[0]:
        values = [s[step] * 1000 for s in later]
        print(
            f"  {step:<30}{samples[0][step] * 1000:>8.0f}{statistics.median(values):>8.0f}   "
            f"({min(values):.0f}, {max(values):.0f})"
        )
    if profile is not None:
        print("\nsign-in and window, last run, main thread (cumulative):")
        pstats.Stats(profile).sort_stats("cumulative").print_stats(30)


if __name__ == "__main__":
    main()
