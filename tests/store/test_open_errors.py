"""Opening a vault that cannot or must not open: each case gets its own clear error type, a plain
message without secrets, and never a traceback of another type or silently wrong data."""

from __future__ import annotations

import json
import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import text

from btam_desktop.domain.models import Case, CaseNote, Person
from btam_desktop.store.errors import (
    KeyFileMismatchError,
    VaultDamagedError,
    VaultError,
    VaultNotFoundError,
    VaultTooNewError,
    WrongCredentialsError,
    WrongRecoveryKeyError,
)
from btam_desktop.store.keyfile_names import DB_NAME, KEYS_NAME
from btam_desktop.store.vault import Vault, normalize_recovery_key
from tests.store._support import (
    ALICE,
    ALICE_PW,
    BOB,
    BOB_PW,
    assert_no_secret,
    flip_byte,
)

PAGE = 4096


def load_keys(folder: Path) -> dict[str, Any]:
    return json.loads((folder / KEYS_NAME).read_text("utf-8"))


def save_keys(folder: Path, doc: dict[str, Any]) -> None:
    (folder / KEYS_NAME).write_text(json.dumps(doc, indent=1), "utf-8")


def slot_of(doc: dict[str, Any], username: str | None) -> dict[str, Any]:
    return next(s for s in doc["slots"] if s["username"] == username)


def flip_b64(value: str) -> str:
    """Change one base64 character in the middle (the result is still valid base64)."""
    i = len(value) // 2
    return value[:i] + ("A" if value[i] != "A" else "B") + value[i + 1 :]


@pytest.fixture
def team(vault_factory):
    """A locked vault with alice and bob, and everything needed to check messages."""
    made = vault_factory(members={BOB: BOB_PW})
    data_key = made.vault._data_key()
    slot_key = made.vault.slot_key
    made.vault.lock()
    made.secrets = [
        ALICE_PW,
        BOB_PW,
        made.recovery,
        normalize_recovery_key(made.recovery),
        data_key,
        slot_key,
    ]
    return made


def open_error(folder: Path, username: str = ALICE, password: str = ALICE_PW) -> VaultError:
    with pytest.raises(VaultError) as caught:
        Vault.open(folder, username, password).lock()
    return caught.value


def opens(folder: Path, username: str, password: str) -> bool:
    Vault.open(folder, username, password).lock()
    return True


# ---- credentials -------------------------------------------------------------------------------


def test_wrong_password_and_unknown_user_give_the_same_plain_message(team) -> None:
    wrong = open_error(team.folder, ALICE, "not the password at all")
    unknown = open_error(team.folder, "mallory", ALICE_PW)
    assert type(wrong) is WrongCredentialsError
    assert type(unknown) is WrongCredentialsError
    assert str(wrong) == str(unknown) == "Wrong user name or password. Check it and try again."
    assert_no_secret(wrong, team.secrets)
    assert_no_secret(unknown, team.secrets)
    # A failed attempt leaves the vault unlocked for the next, correct one.
    assert opens(team.folder, ALICE, ALICE_PW)
    assert opens(team.folder, "  ALICE ", ALICE_PW)  # user names ignore case and spaces


def test_wrong_recovery_key(team) -> None:
    chars = normalize_recovery_key(team.recovery)
    other = chars[:-1] + ("0" if chars[-1] != "0" else "1")
    for attempt in (other, "ABCD-EFGH", "", team.recovery + "-0000"):
        with pytest.raises(WrongRecoveryKeyError) as caught:
            Vault.open_with_recovery(team.folder, attempt).lock()
        assert "recovery key does not open this vault" in str(caught.value)
        assert_no_secret(caught.value, team.secrets)


def test_recovery_key_typed_loosely_still_opens(team) -> None:
    typed = team.recovery.lower().replace("-", " ").replace("0", "o").replace("1", "l")
    vault = Vault.open_with_recovery(team.folder, typed)
    try:
        assert vault.principal.via_recovery
        assert vault.integrity_problems() == []
    finally:
        vault.lock()


def test_missing_vault_files(team, tmp_path: Path) -> None:
    with pytest.raises(VaultNotFoundError):
        Vault.open(tmp_path / "nowhere", ALICE, ALICE_PW)
    copy = tmp_path / "no-keys"
    shutil.copytree(team.folder, copy)
    (copy / KEYS_NAME).unlink()
    with pytest.raises(VaultNotFoundError):
        Vault.open(copy, ALICE, ALICE_PW)
    copy2 = tmp_path / "no-db"
    shutil.copytree(team.folder, copy2)
    (copy2 / DB_NAME).unlink()
    with pytest.raises(VaultNotFoundError):
        Vault.open(copy2, ALICE, ALICE_PW)


# ---- the key-slot file -------------------------------------------------------------------------


@pytest.mark.parametrize(
    "keep", [0, 1, 40, 0.5, -1], ids=["empty", "1-byte", "40-bytes", "half", "last-byte-cut"]
)
def test_truncated_key_file_is_reported_damaged(team, keep: float) -> None:
    path = team.folder / KEYS_NAME
    data = path.read_bytes()
    cut = int(len(data) * keep) if isinstance(keep, float) else keep
    path.write_bytes(data[:cut])
    error = open_error(team.folder)
    assert type(error) is VaultDamagedError
    assert "key-slot file" in str(error)
    assert_no_secret(error, team.secrets)


def _flip_private(doc: dict[str, Any]) -> None:
    slot = slot_of(doc, ALICE)
    slot["private"]["data"] = flip_b64(slot["private"]["data"])


def _flip_sealed(doc: dict[str, Any]) -> None:
    slot = slot_of(doc, ALICE)
    slot["sealed"]["data"] = flip_b64(slot["sealed"]["data"])


def _change_vault_id(doc: dict[str, Any]) -> None:
    doc["vault_id"] = "0" * 32


def _swap_usernames(doc: dict[str, Any]) -> None:
    alice, bob = slot_of(doc, ALICE), slot_of(doc, BOB)
    alice["username"], bob["username"] = BOB, ALICE


def _bump_generation(doc: dict[str, Any]) -> None:
    doc["generation"] += 1


ALTERATIONS: dict[str, tuple[Callable[[dict[str, Any]], None], bool, bool]] = {
    # name: (change, bob may still open, recovery may still open)
    "flip-private-data": (_flip_private, True, True),
    "flip-sealed-data": (_flip_sealed, True, True),
    "change-vault-id": (_change_vault_id, False, False),
    "swap-usernames": (_swap_usernames, False, True),
    "bump-generation": (_bump_generation, False, False),
}


@pytest.mark.parametrize("name", sorted(ALTERATIONS))
def test_altered_key_slots_do_not_open(team, name: str) -> None:
    """The associated data binds vault id, slot id, user name and generation: an altered slot
    fails its GCM tag exactly like a wrong password (the two cannot be told apart). Slots the
    change did not touch may keep working, or the whole file may be refused as damaged (if it is
    authenticated as a whole); nothing else may happen."""
    change, bob_may_open, recovery_may_open = ALTERATIONS[name]
    doc = load_keys(team.folder)
    change(doc)
    save_keys(team.folder, doc)

    error = open_error(team.folder, ALICE, ALICE_PW)
    assert type(error) in (WrongCredentialsError, VaultDamagedError)
    assert_no_secret(error, team.secrets)
    bob = outcome(lambda: Vault.open(team.folder, BOB, BOB_PW), team.secrets)
    recovery = outcome(lambda: Vault.open_with_recovery(team.folder, team.recovery), team.secrets)
    assert bob in (
        {"opened", "VaultDamagedError"}
        if bob_may_open
        else {"WrongCredentialsError", "VaultDamagedError"}
    )
    assert recovery in (
        {"opened", "VaultDamagedError"}
        if recovery_may_open
        else {"WrongRecoveryKeyError", "VaultDamagedError"}
    )


def outcome(open_vault: Callable[[], Vault], secrets: list[Any]) -> str:
    try:
        open_vault().lock()
    except VaultError as error:
        assert_no_secret(error, secrets)
        return type(error).__name__
    return "opened"


def test_key_file_from_a_newer_program_is_refused(team) -> None:
    before = (team.folder / DB_NAME).read_bytes()
    doc = load_keys(team.folder)
    doc["format_major"] = 99
    save_keys(team.folder, doc)
    error = open_error(team.folder)
    assert type(error) is VaultTooNewError
    assert "newer version of BTAM Desktop" in str(error) and "99" in str(error)
    assert_no_secret(error, team.secrets)
    assert (team.folder / DB_NAME).read_bytes() == before


@pytest.mark.parametrize(
    "change",
    [
        pytest.param(lambda s: s["kdf"].update(salt=""), id="empty-salt"),
        pytest.param(lambda s: s["kdf"].update(salt="AAAA"), id="3-byte-salt"),
        pytest.param(lambda s: s["kdf"].update(memory_kib=2**40), id="absurd-memory"),
        pytest.param(lambda s: s["kdf"].update(time_cost=2**40), id="absurd-time"),
        pytest.param(lambda s: s["private"].update(nonce="AAAA"), id="short-private-nonce"),
        pytest.param(lambda s: s["sealed"].update(nonce="AAAA"), id="short-sealed-nonce"),
        pytest.param(lambda s: s["sealed"].update(ephemeral="AAAA"), id="short-ephemeral"),
        pytest.param(lambda s: s.update(public_key="AAAA"), id="short-public-key"),
    ],
)
def test_malformed_slot_values_are_reported_damaged(team, change) -> None:
    """Values that cannot come from this program (a salt too short for Argon2, a nonce of the
    wrong size, a cost Argon2 cannot run) mean the file was altered: VaultDamagedError, not an
    argon2 / cryptography exception escaping as a crash."""
    doc = load_keys(team.folder)
    change(slot_of(doc, ALICE))
    save_keys(team.folder, doc)
    try:
        Vault.open(team.folder, ALICE, ALICE_PW).lock()
    except VaultDamagedError as error:
        assert_no_secret(error, team.secrets)
    except Exception as error:
        pytest.fail(f"{type(error).__module__}.{type(error).__name__} escaped: {error}")
    else:
        pytest.fail("the altered key-slot file opened without complaint")


def _mutations(value: Any) -> list[tuple[str, Any]]:
    found: list[tuple[str, Any]] = [("null", None), ("list", [1]), ("object", {"x": 1})]
    if isinstance(value, int):  # bool included
        found += [("zero", 0), ("negative", -1), ("huge", 2**40), ("text", "1")]
    if isinstance(value, str):
        found += [("empty", ""), ("number", 7), ("not-base64", "***")]
        if len(value) >= 8:
            found += [("flipped", flip_b64(value)), ("halved", value[: len(value) // 2])]
    return found


def _leaves(node: Any, path: tuple[Any, ...] = ()) -> list[tuple[tuple[Any, ...], Any]]:
    if isinstance(node, dict):
        return [leaf for k, v in node.items() for leaf in _leaves(v, (*path, k))]
    if isinstance(node, list):
        return [leaf for i, v in enumerate(node) for leaf in _leaves(v, (*path, i))]
    return [(path, node)]


def test_any_altered_field_gives_a_vault_error_never_a_crash(team, tmp_path: Path) -> None:
    """Every field of the key-slot file, altered every way: opening raises a VaultError (or, for
    a field of another slot, may open), never another exception type."""
    original = load_keys(team.folder)
    crashes = []
    for path, value in _leaves(original):
        for mutation, replacement in _mutations(value):
            doc = json.loads(json.dumps(original))
            node = doc
            for key in path[:-1]:
                node = node[key]
            node[path[-1]] = replacement
            save_keys(team.folder, doc)
            try:
                Vault.open(team.folder, ALICE, ALICE_PW).lock()
            except VaultError as error:
                assert_no_secret(error, team.secrets)
            except Exception as error:
                crashes.append(f"{'/'.join(map(str, path))} {mutation}: {type(error).__name__}")
    save_keys(team.folder, original)
    assert opens(team.folder, ALICE, ALICE_PW)
    assert not crashes, "\n".join(crashes)


def test_key_file_of_another_vault(team, vault_factory) -> None:
    other = vault_factory("other")
    other.vault.lock()
    shutil.copy2(other.folder / KEYS_NAME, team.folder / KEYS_NAME)
    error = open_error(team.folder)  # alice's password opens the other vault's slot
    assert type(error) is KeyFileMismatchError
    assert "belongs to another vault" in str(error)
    assert_no_secret(error, team.secrets)


# ---- the database file -------------------------------------------------------------------------


def test_database_replaced_by_garbage(team) -> None:
    (team.folder / DB_NAME).write_bytes(b"\x00\x13" * 50_000)
    error = open_error(team.folder)
    # Without a key nobody can tell garbage from another vault's database: both are named.
    assert isinstance(error, VaultDamagedError)
    assert "damaged" in str(error)
    assert_no_secret(error, team.secrets)


def test_empty_database_file_is_damage_not_a_new_vault(team) -> None:
    """A zero-byte vault.db (a failed copy, a sync conflict) must be reported, not silently
    opened as an empty vault (which would also overwrite the evidence)."""
    (team.folder / DB_NAME).write_bytes(b"")
    error = open_error(team.folder)
    assert type(error) is VaultDamagedError
    assert_no_secret(error, team.secrets)
    assert (team.folder / DB_NAME).stat().st_size == 0


def _populate(vault: Vault) -> None:
    with vault.write() as session:
        for n in range(1, 4):
            case = Case(
                number=f"2026-{n:04d}",
                year=2026,
                sequence=n,
                title=f"Case {n}",
                setting="school",
                status="intake",
                level_scale="x",
            )
            session.add(case)
            session.flush()
            session.add(Person(case_id=case.id, role="subject", full_name=f"Person {n}"))
            for i in range(25):
                session.add(CaseNote(case_id=case.id, category="note", body=f"note {n}-{i} " * 30))


def _dump(vault: Vault) -> dict[str, list[tuple[Any, ...]]]:
    """Every row of every table (FTS shadow tables included), through the vault's session."""
    dump = {}
    with vault.read() as session:
        names = session.execute(
            text("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name")
        ).scalars()
        for name in list(names):
            rows = session.execute(text(f'SELECT * FROM "{name}"')).all()  # noqa: S608
            dump[name] = sorted(tuple(r) for r in rows)
    return dump


def test_a_flipped_byte_in_any_database_page_is_reported_damaged(vault_factory, tmp_path) -> None:
    """For every page from the third on: flip one byte in its middle. Opening, reading every
    table, or the integrity check must say VaultDamagedError; nothing else may escape and no
    read may return different data."""
    made = vault_factory()
    _populate(made.vault)
    baseline = _dump(made.vault)
    made.vault.lock()
    pages = (made.folder / DB_NAME).stat().st_size // PAGE
    assert pages >= 10
    problems = []
    for page in range(2, pages):
        folder = tmp_path / f"page-{page}"
        shutil.copytree(made.folder, folder)
        flip_byte(folder / DB_NAME, page * PAGE + PAGE // 2)
        stage = "open"
        try:
            vault = Vault.open(folder, ALICE, ALICE_PW)
            try:
                stage = "read"
                if _dump(vault) != baseline:
                    problems.append(f"page {page + 1}: a read returned different data")
                    continue
                stage = "integrity check"
                if not vault.integrity_problems():
                    problems.append(f"page {page + 1}: the damage went unnoticed")
            finally:
                vault.lock()
        except VaultDamagedError as error:
            assert "damaged" in str(error)
        except Exception as error:
            first_line = str(error).splitlines()[0][:120]
            problems.append(f"page {page + 1} at {stage}: {type(error).__name__}: {first_line}")
        shutil.rmtree(folder)
    assert not problems, "\n".join(problems)
