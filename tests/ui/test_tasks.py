"""Background tasks: work on a pool thread, results, errors and progress on the main thread."""

from __future__ import annotations

import functools
import gc
import logging
import threading
from collections.abc import Iterator

import pytest
from PySide6.QtCore import QObject, QThread
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot

from btam_desktop.ui import tasks
from btam_desktop.ui.tasks import ProgressFn, TaskCancelled, run_in_background, wait_for_idle


@pytest.fixture(autouse=True)
def no_task_left_behind(qapp: QApplication) -> Iterator[None]:
    yield
    tasks.cancel_all()
    assert wait_for_idle(5000), "a test left a background task running"


def test_result_arrives_on_the_main_thread(qapp: QApplication, qtbot: QtBot) -> None:
    seen: dict[str, object] = {}

    def work() -> int:
        seen["worker thread"] = QThread.currentThread()
        return 42

    def done(value: int) -> None:
        seen["done thread"] = QThread.currentThread()
        seen["value"] = value

    task = run_in_background(work, on_done=done)
    with qtbot.waitSignal(task.finished, timeout=5000):
        pass
    assert seen["value"] == 42
    assert seen["done thread"] is qapp.thread()
    assert seen["worker thread"] is not qapp.thread()
    assert task.is_finished
    assert task.result == 42
    assert task.error is None


def test_error_arrives_on_the_main_thread(qapp: QApplication, qtbot: QtBot) -> None:
    failures: list[tuple[BaseException, QThread]] = []
    done: list[object] = []

    def work() -> None:
        raise ValueError("the vault file is damaged")

    task = run_in_background(
        work,
        on_done=done.append,
        on_error=lambda error: failures.append((error, QThread.currentThread())),
    )
    with qtbot.waitSignal(task.finished, timeout=5000):
        pass
    assert done == []
    [(error, thread)] = failures
    assert isinstance(error, ValueError)
    assert str(error) == "the vault file is damaged"
    assert thread is qapp.thread()
    assert task.error is error


def test_unhandled_error_is_logged_by_type_without_its_message(
    qapp: QApplication, qtbot: QtBot, caplog: pytest.LogCaptureFixture
) -> None:
    def work() -> None:
        raise RuntimeError("Jane Doe, grade 9, said she would bring a knife")

    with caplog.at_level(logging.ERROR, logger="btam_desktop.ui.tasks"):
        task = run_in_background(work, on_done=lambda _value: None)
        with qtbot.waitSignal(task.finished, timeout=5000):
            pass
    [record] = [r for r in caplog.records if r.name == "btam_desktop.ui.tasks"]
    assert "RuntimeError" in record.getMessage()
    assert "test_tasks.py" in record.getMessage()
    assert "Jane" not in caplog.text
    assert "knife" not in caplog.text
    assert record.exc_info is None


def test_progress_arrives_in_order_on_the_main_thread(qapp: QApplication, qtbot: QtBot) -> None:
    reports: list[tuple[int, int, str, bool]] = []

    def work(progress: ProgressFn) -> str:
        for step in range(1, 6):
            progress(step, 5, f"step {step}")
        return "written"

    def on_progress(done: int, total: int, message: str) -> None:
        reports.append((done, total, message, QThread.currentThread() is qapp.thread()))

    task = run_in_background(work, on_done=lambda _v: None, on_progress=on_progress)
    with qtbot.waitSignal(task.finished, timeout=5000):
        pass
    assert reports[0] == (1, 5, "step 1", True)
    assert reports[-1] == (5, 5, "step 5", True)
    assert all(on_main for *_rest, on_main in reports)
    steps = [done for done, *_rest in reports]
    assert steps == sorted(steps)
    assert task.result == "written"


def test_progress_is_also_a_signal(qapp: QApplication, qtbot: QtBot) -> None:
    def work(progress: ProgressFn) -> None:
        progress(1, 1, "done")

    task = run_in_background(work)
    with qtbot.waitSignal(task.progressed, timeout=5000) as progressed:
        pass
    assert progressed.args == [1, 1, "done"]


def test_a_flood_of_progress_is_coalesced(qapp: QApplication, qtbot: QtBot) -> None:
    reports: list[int] = []

    def work(progress: ProgressFn) -> None:
        for step in range(1, 20_001):
            progress(step, 20_000)

    task = run_in_background(work, on_progress=lambda done, _t, _m: reports.append(done))
    with qtbot.waitSignal(task.finished, timeout=10_000):
        pass
    assert reports[-1] == 20_000
    assert len(reports) < 200


def test_each_new_step_is_shown_before_a_long_silence(qapp: QApplication, qtbot: QtBot) -> None:
    """A rekey reports "Preparing" then at once "Re-encrypting" and then blocks for minutes: the
    second report must not be dropped by the coalescing, or the bar sits on the first step."""
    reports: list[tuple[int, str]] = []
    in_long_step = threading.Event()
    release = threading.Event()

    def work(progress: ProgressFn) -> None:
        progress(0, 4, "Preparing a new key")
        progress(1, 4, "Re-encrypting the database")
        in_long_step.set()
        release.wait(10)  # the long statement: no reports meanwhile
        progress(4, 4, "Done")

    task = run_in_background(work, on_progress=lambda d, _t, m: reports.append((d, m)))
    assert in_long_step.wait(5)
    qtbot.waitUntil(lambda: (1, "Re-encrypting the database") in reports, timeout=5000)
    release.set()
    with qtbot.waitSignal(task.finished, timeout=5000):
        pass
    assert reports == [(0, "Preparing a new key"), (1, "Re-encrypting the database"), (4, "Done")]


def test_cancel_stops_the_work_and_skips_the_callbacks(qapp: QApplication, qtbot: QtBot) -> None:
    started = threading.Event()
    called: list[str] = []

    def work(progress: ProgressFn) -> str:
        started.set()
        step = 0
        while True:  # ends only through cancellation
            step += 1
            progress(step, 10**12)

    task = run_in_background(
        work, on_done=lambda _v: called.append("done"), on_error=lambda _e: called.append("error")
    )
    assert started.wait(5)
    with qtbot.waitSignal(task.finished, timeout=5000):
        task.cancel()
    assert task.is_cancelled
    assert isinstance(task.error, TaskCancelled)
    assert called == []


def test_callbacks_are_dropped_when_the_owner_is_destroyed(
    qapp: QApplication, qtbot: QtBot
) -> None:
    gate = threading.Event()
    called: list[object] = []
    owner = QObject()
    task = run_in_background(lambda: gate.wait(5), on_done=called.append, parent=owner)
    with qtbot.waitSignal(owner.destroyed, timeout=1000):
        owner.deleteLater()
    gate.set()
    with qtbot.waitSignal(task.finished, timeout=5000):
        pass
    assert called == []
    assert task.is_cancelled


def test_nothing_is_collected_mid_flight(qapp: QApplication) -> None:
    results: list[int] = []
    gate = threading.Event()
    for value in range(10):
        run_in_background(
            functools.partial(lambda v: gate.wait(5) and v, value), on_done=results.append
        )
    gc.collect()  # the caller kept no reference to any task
    gate.set()
    assert wait_for_idle(5000)
    assert sorted(results) == list(range(10))


def test_wait_for_idle_delivers_every_result(qapp: QApplication) -> None:
    results: list[int] = []
    for value in range(25):
        run_in_background(functools.partial(pow, value, 2), on_done=results.append)
    assert wait_for_idle(5000)
    assert sorted(results) == [value**2 for value in range(25)]
    assert tasks.active_task_count() == 0


def test_wait_for_idle_reports_a_timeout(qapp: QApplication) -> None:
    gate = threading.Event()
    run_in_background(lambda: gate.wait(5))
    assert not wait_for_idle(50)
    assert tasks.active_task_count() == 1
    gate.set()
    assert wait_for_idle(5000)


def test_a_failing_callback_is_reported_and_delivery_goes_on(
    qapp: QApplication, qtbot: QtBot
) -> None:
    later: list[int] = []

    def broken(_value: object) -> None:
        raise KeyError("bug in a callback")

    with qtbot.captureExceptions() as exceptions:
        first = run_in_background(lambda: 1, on_done=broken)
        run_in_background(lambda: 2, on_done=later.append)
        assert wait_for_idle(5000)
    assert [type(exc) for _type, exc, _tb in exceptions] == [KeyError]
    assert first.is_finished
    assert later == [2]


def test_starting_from_a_worker_thread_is_refused(qapp: QApplication) -> None:
    errors: list[BaseException] = []

    def start_elsewhere() -> None:
        try:
            run_in_background(lambda: None)
        except RuntimeError as error:
            errors.append(error)

    thread = threading.Thread(target=start_elsewhere)
    thread.start()
    thread.join(5)
    assert len(errors) == 1
    assert "main thread" in str(errors[0])


def test_the_pool_is_private_to_background_tasks(qapp: QApplication) -> None:
    from PySide6.QtCore import QThreadPool

    assert tasks.task_pool() is tasks.task_pool()
    assert tasks.task_pool() is not QThreadPool.globalInstance()
