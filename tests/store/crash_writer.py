"""Crash trials: a writer process killed with SIGKILL at a random moment must lose nothing it
acknowledged, and leave a vault that passes its integrity checks.

Run as a script this is a small writer server: it imports the program once, then for each trial
the parent asks for, forks a writer process that opens the vault itself and commits small
transactions in a loop (one to three case notes, now and then an attachment, always an audit
event, a WAL checkpoint every few commits), printing one line per committed row only after
``commit`` returns. When the parent says "kill", the server sends SIGKILL to the writer, reaps
it, and reports. (Forking saves the ~0.6 s of imports per trial; the writer is still a separate
process with its own connections, killed without warning.) Imported, this module is the
harness that the test and ``bench/crash_trials.py`` share.

Protocol on the server's stdin, one line each: ``trial<TAB>folder<TAB>label<TAB>password``, then
``kill``. On its stdout: ``ready <pid>``, the acknowledgements ``n <id> <body>`` and
``a <id> <sha256>``, then ``reaped <pid> <wait status>``.
"""

from __future__ import annotations

import hashlib
import os
import queue
import random
import signal
import subprocess
import sys
import tempfile
import threading
import time
import traceback
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[2]
if str(REPO_ROOT) not in sys.path:
    sys.path.insert(0, str(REPO_ROOT))

from sqlmodel import select  # noqa: E402

from btam_desktop.domain.models import Attachment, Case, CaseNote  # noqa: E402
from btam_desktop.store import audit  # noqa: E402
from btam_desktop.store.crypto import KdfParams  # noqa: E402
from btam_desktop.store.vault import Vault  # noqa: E402

CHEAP = KdfParams(time_cost=1, memory_kib=8, parallelism=1)
USERNAME = "writer"
PASSWORD = "crash trial passphrase"
CHECKPOINT_EVERY = 6
READY = "ready"
REAPED = "reaped"
LINE_TIMEOUT = 120.0


# ---- the writer (a forked child of the server) -------------------------------------------------


def write_until_killed(folder: Path, label: str, password: str) -> None:
    rng = random.Random(label)
    vault = Vault.open(folder, USERNAME, password)
    with vault.read() as session:
        case_id = session.exec(select(Case.id).order_by(Case.id)).first()
    sys.stdout.write(f"{READY} {os.getpid()}\n")
    sys.stdout.flush()
    seq = 0
    while True:
        seq += 1
        notes: list[CaseNote] = []
        attachment: Attachment | None = None
        with vault.write() as session:
            for k in range(rng.randint(1, 3)):
                note = CaseNote(case_id=case_id, category="crash", body=f"{label}:{seq}:{k}")
                session.add(note)
                notes.append(note)
            if rng.random() < 0.15:
                data = os.urandom(rng.randint(4_000, 40_000))
                attachment = Attachment(
                    case_id=case_id,
                    file_name=f"{label}:{seq}",
                    media_type="application/octet-stream",
                    size=len(data),
                    sha256=hashlib.sha256(data).hexdigest(),
                    data=data,
                )
                session.add(attachment)
            session.flush()
            audit.append(
                session,
                username=USERNAME,
                action="crash.write",
                entity_kind="case_note",
                entity_id=notes[0].id,
                summary=f"{label}:{seq}",
            )
        # Committed. Acknowledge in one write (< PIPE_BUF, so it arrives whole or not at all).
        lines = [f"n {note.id} {note.body}" for note in notes]
        if attachment is not None:
            lines.append(f"a {attachment.id} {attachment.sha256}")
        sys.stdout.write("\n".join(lines) + "\n")
        sys.stdout.flush()
        if seq % CHECKPOINT_EVERY == 0:
            vault.checkpoint()


def serve() -> None:
    for command in sys.stdin:
        parts = command.rstrip("\n").split("\t")
        if parts[0] != "trial":
            continue
        folder, label, password = Path(parts[1]), parts[2], parts[3]
        sys.stdout.flush()
        sys.stderr.flush()
        pid = os.fork()
        if pid == 0:  # the writer
            try:
                signal.signal(signal.SIGINT, signal.SIG_DFL)
                write_until_killed(folder, label, password)
            except BaseException:
                traceback.print_exc()
                sys.stderr.flush()
            os._exit(1)
        order = sys.stdin.readline()  # "kill", or end of input: the parent is gone
        os.kill(pid, signal.SIGKILL)  # the writer is our child: its pid cannot be reused yet
        _, status = os.waitpid(pid, 0)
        if not order:
            return
        sys.stdout.write(f"{REAPED} {pid} {status}\n")
        sys.stdout.flush()


# ---- the harness -------------------------------------------------------------------------------


@dataclass
class Tally:
    trials: int = 0
    acknowledged: int = 0
    lost: int = 0
    integrity_failures: int = 0
    audit_failures: int = 0
    problems: list[str] = field(default_factory=list)

    def add(self, other: Tally) -> None:
        self.trials += other.trials
        self.acknowledged += other.acknowledged
        self.lost += other.lost
        self.integrity_failures += other.integrity_failures
        self.audit_failures += other.audit_failures
        self.problems += other.problems

    def summary(self) -> str:
        return (
            f"trials: {self.trials}, acknowledged commits checked: {self.acknowledged}, "
            f"lost commits: {self.lost}, integrity failures: {self.integrity_failures}, "
            f"audit chain failures: {self.audit_failures}"
        )


def prepare_vault(folder: Path) -> None:
    vault, _recovery = Vault.create(folder, username=USERNAME, password=PASSWORD, kdf_params=CHEAP)
    try:
        with vault.write() as session:
            session.add(
                Case(
                    number="2026-0001",
                    year=2026,
                    sequence=1,
                    title="crash trials",
                    setting="school",
                    status="intake",
                    level_scale="x",
                )
            )
    finally:
        vault.lock()


class WriterServer:
    """One server process (see the module docstring) and a thread that queues its output."""

    def __init__(self) -> None:
        self._stderr = tempfile.TemporaryFile(mode="w+")  # noqa: SIM115 - closed in close()
        self._process = subprocess.Popen(
            [sys.executable, str(Path(__file__).resolve()), "serve"],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=self._stderr,
            text=True,
            cwd=REPO_ROOT,
        )
        self._lines: queue.Queue[str | None] = queue.Queue()
        self._reader = threading.Thread(target=self._pump, daemon=True)
        self._reader.start()

    def _pump(self) -> None:
        assert self._process.stdout is not None
        for line in self._process.stdout:
            self._lines.put(line)
        self._lines.put(None)

    def send(self, line: str) -> None:
        assert self._process.stdin is not None
        self._process.stdin.write(line + "\n")
        self._process.stdin.flush()

    def next_line(self) -> str:
        line = self._lines.get(timeout=LINE_TIMEOUT)
        if line is None:
            raise RuntimeError(f"the writer server stopped: {self.errors()}")
        return line

    def errors(self) -> str:
        self._stderr.seek(0)
        return self._stderr.read()[-2000:]

    def close(self) -> None:
        if self._process.stdin is not None:
            self._process.stdin.close()
        try:
            self._process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self._process.kill()
            self._process.wait()
        self._reader.join(timeout=30)
        if self._process.stdout is not None:
            self._process.stdout.close()
        self._stderr.close()


def run_trial(
    server: WriterServer, folder: Path, label: str, max_delay: float, rng: random.Random
) -> Tally:
    """One writer, SIGKILLed at a random moment after it is ready; then check the vault."""
    tally = Tally(trials=1)
    server.send(f"trial\t{folder}\t{label}\t{PASSWORD}")
    first = server.next_line()
    if not first.startswith(READY):
        raise RuntimeError(f"{label}: the writer did not start ({first!r}): {server.errors()}")
    time.sleep(rng.uniform(0.0, max_delay))
    server.send("kill")
    acks: list[str] = []
    while not (line := server.next_line()).startswith(REAPED):
        acks.append(line)
    status = int(line.split()[2])
    if not (os.WIFSIGNALED(status) and os.WTERMSIG(status) == signal.SIGKILL):
        tally.problems.append(f"{label}: the writer stopped by itself: {server.errors()}")

    notes: dict[int, str] = {}
    attachments: dict[int, str] = {}
    for ack in acks:
        kind, row_id, value = ack.split(" ", 2)
        (notes if kind == "n" else attachments)[int(row_id)] = value.strip()
    tally.acknowledged = len(notes) + len(attachments)

    vault = Vault.open(folder, USERNAME, PASSWORD)
    try:
        problems = vault.integrity_problems()
        if problems:
            tally.integrity_failures += 1
            tally.problems.append(f"{label}: integrity: {problems[:3]}")
        with vault.read() as session:
            for note_id, body in notes.items():
                note = session.get(CaseNote, note_id)
                if note is None or note.body != body:
                    tally.lost += 1
                    tally.problems.append(f"{label}: note {note_id} ({body}) lost")
            for attachment_id, digest in attachments.items():
                stored = session.get(Attachment, attachment_id)
                if stored is None or hashlib.sha256(stored.data).hexdigest() != digest:
                    tally.lost += 1
                    tally.problems.append(f"{label}: attachment {attachment_id} lost or changed")
            report = audit.verify(session)
            if not report.ok:
                tally.audit_failures += 1
                tally.problems.append(f"{label}: audit: {report.describe()}")
    finally:
        vault.lock()
    return tally


def run_trials(
    workdir: Path,
    trials: int,
    jobs: int = 2,
    per_vault: int = 12,
    max_delay: float = 0.25,
    seed: int | None = None,
    progress: bool = False,
) -> Tally:
    """``trials`` crash trials over ``jobs`` workers, each with its own writer server and its own
    vaults (a fresh vault every ``per_vault`` trials keeps the integrity checks quick)."""
    master = random.Random(seed)
    shares = [trials // jobs + (1 if i < trials % jobs else 0) for i in range(jobs)]
    seeds = [master.getrandbits(64) for _ in range(jobs)]
    lock = threading.Lock()
    done = [0]

    def worker(index: int) -> Tally:
        rng = random.Random(seeds[index])
        tally = Tally()
        server = WriterServer()
        try:
            folder = workdir
            for n in range(shares[index]):
                if n % per_vault == 0:
                    folder = workdir / f"w{index}-v{n // per_vault}"
                    with lock:  # Alembic's op/context proxies are process-global: one at a time
                        prepare_vault(folder)
                tally.add(run_trial(server, folder, f"w{index}-t{n}", max_delay, rng))
                with lock:
                    done[0] += 1
                    if progress and done[0] % 100 == 0:
                        print(f"  ... {done[0]} trials", flush=True)
        finally:
            server.close()
        return tally

    total = Tally()
    with ThreadPoolExecutor(max_workers=jobs) as pool:
        for result in pool.map(worker, range(jobs)):
            total.add(result)
    return total


if __name__ == "__main__":
    if sys.argv[1:] == ["serve"]:
        serve()
    else:
        sys.exit(__doc__)
