"""One running instance per vault: a second open, from another process or this one, is refused
with a plain message; when the first locks the vault or dies, the vault opens again."""

from __future__ import annotations

import signal
import subprocess
import sys
from pathlib import Path

import pytest

from btam_desktop.store.errors import VaultLockedByOtherInstanceError
from btam_desktop.store.vault import Vault
from tests.store._support import ALICE, ALICE_PW, BOB, BOB_PW, REPO_ROOT

# The child reads the password from stdin (never argv), tries to open, and says what happened.
CHILD = """
import sys
from pathlib import Path
from btam_desktop.store.errors import VaultError
from btam_desktop.store.vault import Vault

folder, username, hold = Path(sys.argv[1]), sys.argv[2], sys.argv[3] == "hold"
password = sys.stdin.readline().rstrip("\\n")
try:
    vault = Vault.open(folder, username, password)
except VaultError as error:
    print(type(error).__name__)
    print(error, flush=True)
    sys.exit(3)
print("opened", flush=True)
if hold:
    sys.stdin.read()  # keep the vault open until the parent closes stdin or kills us
vault.lock()
"""


def run_child(folder: Path, username: str, password: str) -> tuple[int, list[str]]:
    done = subprocess.run(
        [sys.executable, "-c", CHILD, str(folder), username, "once"],
        input=password + "\n",
        capture_output=True,
        text=True,
        timeout=60,
        cwd=REPO_ROOT,
        check=False,
    )
    assert done.stderr == "", done.stderr
    return done.returncode, done.stdout.splitlines()


def test_second_process_is_refused_until_the_first_locks(vault_factory) -> None:
    made = vault_factory(members={BOB: BOB_PW})  # alice holds it open in this process
    code, lines = run_child(made.folder, BOB, BOB_PW)
    assert code == 3
    assert lines == [
        "VaultLockedByOtherInstanceError",
        str(VaultLockedByOtherInstanceError()),
    ]
    assert "already open in another running copy" in lines[1]

    made.vault.lock()
    code, lines = run_child(made.folder, BOB, BOB_PW)
    assert (code, lines) == (0, ["opened"])


def test_vault_opens_again_after_the_holder_is_killed(vault_factory, track) -> None:
    made = vault_factory()
    made.vault.lock()
    holder = subprocess.Popen(
        [sys.executable, "-c", CHILD, str(made.folder), ALICE, "hold"],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        cwd=REPO_ROOT,
    )
    try:
        assert holder.stdin is not None and holder.stdout is not None
        holder.stdin.write(ALICE_PW + "\n")
        holder.stdin.flush()
        assert holder.stdout.readline().strip() == "opened"

        with pytest.raises(VaultLockedByOtherInstanceError):
            Vault.open(made.folder, ALICE, ALICE_PW)

        holder.send_signal(signal.SIGKILL)  # a crash: the OS drops the lock
        holder.wait(timeout=30)
    finally:
        if holder.poll() is None:
            holder.kill()
            holder.wait(timeout=30)
        for stream in (holder.stdin, holder.stdout, holder.stderr):
            if stream is not None:
                stream.close()
    vault = track(Vault.open(made.folder, ALICE, ALICE_PW))
    assert vault.integrity_problems() == []


def test_second_open_in_the_same_process_is_refused(new_vault, track) -> None:
    with pytest.raises(VaultLockedByOtherInstanceError):
        Vault.open(new_vault.folder, ALICE, ALICE_PW)
    with pytest.raises(VaultLockedByOtherInstanceError):
        Vault.open_with_recovery(new_vault.folder, new_vault.recovery)
    new_vault.vault.lock()
    track(Vault.open(new_vault.folder, ALICE, ALICE_PW)).lock()
    track(Vault.open_with_recovery(new_vault.folder, new_vault.recovery)).lock()
