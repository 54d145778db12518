"""Running slow work (unlock, backup, PDF, search) off the GUI thread.

    task = run_in_background(
        lambda progress: backup.create(vault, progress=progress),
        on_done=self._backup_written,
        on_error=self._backup_failed,
        on_progress=overlay.set_progress,
        parent=self,
    )

``fn`` runs on a worker thread of a private ``QThreadPool``. If it has a parameter named
``progress`` it is called as ``fn(progress=report)`` where ``report(done, total, message="")``
forwards progress to the GUI; otherwise it is called with no arguments (bind arguments with a
lambda or functools.partial). ``on_done(result)``, ``on_error(exception)`` and
``on_progress(done, total, message)`` are always called on the main thread.

How results travel: the worker never touches a widget or a task object. It appends
``(task id, kind, payload)`` to a locked queue and emits a signal of one long-lived dispatcher
object that lives on the main thread; the queued signal makes the main thread drain the queue and
call the callbacks. Tasks stay referenced in a registry until their result is delivered, so
nothing is garbage-collected mid-flight. If ``parent`` is destroyed first (the window closed), the
task is cancelled and its callbacks are not called.

Errors are never swallowed: they go to ``on_error``; without one they are logged with the
exception type and code location only, never the message, which could carry case content.

A write to the vault goes through ``ui.operations.run_operation`` instead: it adds the shared
error wording and announces the change on ``ui.vault_events`` so the other screens refresh.
"""

from __future__ import annotations

import inspect
import itertools
import logging
import os
import sys
import threading
import time
from collections import deque
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import (
    QCoreApplication,
    QObject,
    QRunnable,
    Qt,
    QThread,
    QThreadPool,
    Signal,
    Slot,
)

logger = logging.getLogger(__name__)

ProgressFn = Callable[..., None]
"""``progress(done: int, total: int, message: str = "")``; raises TaskCancelled once cancelled."""

# Progress from a tight loop is coalesced to about 20 updates a second; first and last always pass.
PROGRESS_INTERVAL_S = 0.05


class TaskCancelled(Exception):
    """Raised inside the worker by ``progress()`` after the task was cancelled."""


class BackgroundTask(QObject):
    """Handle for one piece of background work; lives on the main thread."""

    finished = Signal()  # after on_done / on_error ran, or after cancellation
    progressed = Signal(int, int, str)

    def __init__(
        self,
        task_id: int,
        on_done: Callable[[Any], None] | None,
        on_error: Callable[[BaseException], None] | None,
        on_progress: Callable[[int, int, str], None] | None,
        owner: QObject | None,
    ) -> None:
        super().__init__()
        self.task_id = task_id
        self._on_done = on_done
        self._on_error = on_error
        self._on_progress = on_progress
        self._cancel_event = threading.Event()
        self._is_finished = False
        self._result: Any = None
        self._error: BaseException | None = None
        if owner is not None:
            owner.destroyed.connect(self._owner_destroyed)

    # -- state -----------------------------------------------------------------------------

    @property
    def is_finished(self) -> bool:
        return self._is_finished

    @property
    def is_cancelled(self) -> bool:
        return self._cancel_event.is_set()

    @property
    def result(self) -> Any:
        return self._result

    @property
    def error(self) -> BaseException | None:
        return self._error

    def cancel(self) -> None:
        """Ask the work to stop: its next ``progress()`` call raises TaskCancelled.

        Callbacks are not called for a cancelled task; ``finished`` still is emitted.
        """
        self._cancel_event.set()

    @Slot()
    def _owner_destroyed(self) -> None:
        self._on_done = self._on_error = self._on_progress = None
        self.cancel()

    # -- delivery (main thread) ------------------------------------------------------------

    def _deliver_progress(self, done: int, total: int, message: str) -> None:
        if self.is_cancelled:
            return
        if self._on_progress is not None:
            self._on_progress(done, total, message)
        self.progressed.emit(done, total, message)

    def _deliver_result(self, value: Any) -> None:
        self._result = value
        try:
            if not self.is_cancelled and self._on_done is not None:
                self._on_done(value)
        finally:
            self._finish()

    def _deliver_error(self, error: BaseException) -> None:
        self._error = error
        try:
            if isinstance(error, TaskCancelled) or self.is_cancelled:
                return
            if self._on_error is not None:
                self._on_error(error)
            else:
                _log_unhandled(error)
        finally:
            self._finish()

    def _finish(self) -> None:
        self._is_finished = True
        # Drop the callbacks: they may hold windows and case data alive.
        self._on_done = self._on_error = self._on_progress = None
        self.finished.emit()


def _log_unhandled(error: BaseException) -> None:
    """Log type and code location only: an exception's message could quote case content."""
    location = "unknown location"
    tb = error.__traceback__
    while tb is not None and tb.tb_next is not None:
        tb = tb.tb_next
    if tb is not None:
        code = tb.tb_frame.f_code
        location = f"{os.path.basename(code.co_filename)}:{tb.tb_lineno} in {code.co_name}"
    logger.error("background task failed with %s at %s", type(error).__name__, location)


class _Dispatcher(QObject):
    """Carries worker results to the main thread; the only object workers touch."""

    pending = Signal()

    def __init__(self) -> None:
        super().__init__()
        self._lock = threading.Lock()
        self._queue: deque[tuple[int, str, Any]] = deque()
        self.pending.connect(self.drain, Qt.ConnectionType.QueuedConnection)

    def post(self, task_id: int, kind: str, payload: Any) -> None:
        """Called from worker threads."""
        with self._lock:
            self._queue.append((task_id, kind, payload))
        self.pending.emit()

    @Slot()
    def drain(self) -> None:
        """Deliver everything queued so far (main thread)."""
        while True:
            with self._lock:
                if not self._queue:
                    return
                task_id, kind, payload = self._queue.popleft()
            task = _active.get(task_id)
            if task is None:
                continue
            try:
                if kind == "progress":
                    task._deliver_progress(*payload)
                elif kind == "done":
                    del _active[task_id]
                    task._deliver_result(payload)
                else:
                    del _active[task_id]
                    task._deliver_error(payload)
            except Exception:
                # A bug in a callback: report it like any slot exception, keep delivering.
                sys.excepthook(*sys.exc_info())


class _ProgressReporter:
    """The ``progress`` callable handed to the work function (worker thread)."""

    def __init__(self, task_id: int, cancel_event: threading.Event, dispatcher: _Dispatcher):
        self._task_id = task_id
        self._cancel_event = cancel_event
        self._dispatcher = dispatcher
        self._last_sent = float("-inf")
        self._last_message: str | None = None

    def __call__(self, done: int, total: int, message: str = "") -> None:
        if self._cancel_event.is_set():
            raise TaskCancelled
        now = time.monotonic()
        # A new step is always shown: the work may sit in it for a long time (a rekey), and
        # dropping its first report would leave the bar on the step before.
        new_step = message != self._last_message
        if done >= total or new_step or now - self._last_sent >= PROGRESS_INTERVAL_S:
            self._last_sent = now
            self._last_message = message
            self._dispatcher.post(self._task_id, "progress", (int(done), int(total), message))


class _Job(QRunnable):
    """Runs fn on a pool thread; owned and deleted by the pool (autoDelete)."""

    def __init__(
        self,
        task_id: int,
        fn: Callable[..., Any],
        wants_progress: bool,
        cancel_event: threading.Event,
        dispatcher: _Dispatcher,
    ) -> None:
        super().__init__()
        self._task_id = task_id
        self._fn: Callable[..., Any] | None = fn
        self._wants_progress = wants_progress
        self._cancel_event = cancel_event
        self._dispatcher = dispatcher

    def run(self) -> None:
        fn, self._fn = self._fn, None  # let the closure go as soon as it has run
        try:
            if fn is None or self._cancel_event.is_set():
                raise TaskCancelled
            if self._wants_progress:
                reporter = _ProgressReporter(self._task_id, self._cancel_event, self._dispatcher)
                result = fn(progress=reporter)
            else:
                result = fn()
        except BaseException as error:  # delivered, never lost on a worker thread
            self._dispatcher.post(self._task_id, "error", error)
        else:
            self._dispatcher.post(self._task_id, "done", result)


_active: dict[int, BackgroundTask] = {}
_ids = itertools.count(1)
_pool: QThreadPool | None = None
_dispatcher_instance: _Dispatcher | None = None


def task_pool() -> QThreadPool:
    """The pool background tasks run on (separate from QThreadPool.globalInstance())."""
    global _pool
    if _pool is None:
        _pool = QThreadPool()
        _pool.setObjectName("btam-background-tasks")
    return _pool


def _dispatcher() -> _Dispatcher:
    global _dispatcher_instance
    if _dispatcher_instance is None:
        _dispatcher_instance = _Dispatcher()
    return _dispatcher_instance


def _require_main_thread() -> None:
    app = QCoreApplication.instance()
    if app is None:
        raise RuntimeError("background tasks need a running QApplication")
    if QThread.currentThread() is not app.thread():
        raise RuntimeError("run_in_background() must be called from the main thread")


def _wants_progress(fn: Callable[..., Any]) -> bool:
    try:
        return "progress" in inspect.signature(fn).parameters
    except (TypeError, ValueError):  # some builtins have no signature
        return False


def run_in_background(
    fn: Callable[..., Any],
    *,
    on_done: Callable[[Any], None] | None = None,
    on_error: Callable[[BaseException], None] | None = None,
    on_progress: Callable[[int, int, str], None] | None = None,
    parent: QObject | None = None,
) -> BackgroundTask:
    """Run ``fn`` on a worker thread; deliver its result, error and progress on the main thread."""
    _require_main_thread()
    dispatcher = _dispatcher()
    task_id = next(_ids)
    task = BackgroundTask(task_id, on_done, on_error, on_progress, parent)
    _active[task_id] = task
    job = _Job(task_id, fn, _wants_progress(fn), task._cancel_event, dispatcher)
    task_pool().start(job)
    return task


def active_task_count() -> int:
    """Tasks started whose result has not been delivered yet."""
    return len(_active)


def wait_for_idle(timeout_ms: int = 5000) -> bool:
    """Block (main thread) until every task has finished and been delivered; False on timeout.

    Meant for tests and for shutting down; callbacks run inside this call.
    """
    _require_main_thread()
    deadline = time.monotonic() + timeout_ms / 1000
    while _active:
        remaining_ms = int((deadline - time.monotonic()) * 1000)
        if remaining_ms <= 0:
            return False
        task_pool().waitForDone(min(remaining_ms, 50))
        _dispatcher().drain()
    return True


def cancel_all() -> None:
    """Ask every running task to stop (e.g. when the vault locks)."""
    for task in list(_active.values()):
        task.cancel()
