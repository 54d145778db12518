"""Crash safety: a writer killed with SIGKILL at random moments loses no acknowledged commit and
leaves a vault that passes cipher_integrity_check and integrity_check, with an intact audit
chain. (SIGKILL kills the process, not the machine: this proves the transaction and WAL logic,
not power-loss durability, which ``synchronous=FULL`` is there for.)

``bench/crash_trials.py`` runs the same trials a thousand times.
A crash in the middle of a rekey is in test_key_slots.py.
"""

from __future__ import annotations

from pathlib import Path

from tests.store.crash_writer import run_trials

TRIALS = 24


def test_killed_writer_loses_no_acknowledged_commit(tmp_path: Path) -> None:
    tally = run_trials(tmp_path, TRIALS, jobs=2, per_vault=12, max_delay=0.25)
    assert not tally.problems, "\n".join(tally.problems[:20])
    assert tally.trials == TRIALS
    assert tally.acknowledged >= TRIALS  # the writers really were writing when killed
    assert (tally.lost, tally.integrity_failures, tally.audit_failures) == (0, 0, 0)
