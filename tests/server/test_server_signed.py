"""The signed trail and the vouched key slots on a team server (issue 10 on the issue 16 store).

The vault variants of these tests edit vault.db and vault.keys; here a team member, or whoever
runs the server, changes the same things through the database.
"""

from __future__ import annotations

from collections.abc import Iterator

import psycopg
import pytest
from sqlmodel import select

from btam_desktop.domain.enums import CaseSetting, Role
from btam_desktop.domain.models import AuditEvent, Case
from btam_desktop.services.app import Btam, NewTeam
from btam_desktop.services.team_server import create_team_server, server_usernames, unlock_server
from btam_desktop.store.errors import (
    PermissionDeniedError,
    VaultBehindError,
    VaultDamagedError,
    WrongCredentialsError,
)
from btam_desktop.store.keyslots import SLOT_USER
from btam_desktop.store.server.store import ServerVault
from tests.server.throwaway_postgres import ThrowawayPostgres
from tests.services.conftest import CHEAP, MEMBER_PASSWORD, PASSWORD, intake


@pytest.fixture
def url(postgres: ThrowawayPostgres, server_db: str) -> str:
    return postgres.url(server_db)


@pytest.fixture
def team(url: str) -> Iterator[Btam]:
    app, _recovery = create_team_server(
        url,
        NewTeam("District Team", CaseSetting.SCHOOL, "scale.four-level", "coord", "Cory", PASSWORD),
        kdf_params=CHEAP,
    )
    app.team.add_member("member", "Mel Member", Role.MEMBER, MEMBER_PASSWORD, kdf_params=CHEAP)
    yield app
    if app.vault.is_open:
        app.lock()


def _stored_keys(url: str) -> str:
    with psycopg.connect(url) as conn:
        row = conn.execute("SELECT body FROM server_keys WHERE id = 1").fetchone()
    assert row is not None
    return str(row[0])


def _put_keys(url: str, body: str) -> None:
    with psycopg.connect(url) as conn:
        conn.execute("UPDATE server_keys SET body = %s WHERE id = 1", (body,))


def test_every_event_on_the_server_is_signed_by_its_author(team: Btam) -> None:
    team.cases.report_concern(intake())
    with team.vault.read() as session:
        events = list(session.execute(select(AuditEvent)).scalars())
    assert events and all(e.signature and e.signer_key for e in events)
    report = team.verify_audit()
    assert report.ok and report.signed, report.describe()
    assert "every event signed by its author" in report.describe()


def test_promoting_oneself_on_the_server_gives_no_power_and_is_reported(
    team: Btam, url: str
) -> None:
    team.lock()
    with psycopg.connect(url) as conn:  # a member with the database password
        conn.execute("UPDATE account SET role = 'coordinator' WHERE username = 'member'")
    insider = unlock_server(url, "member", MEMBER_PASSWORD)
    try:
        assert insider.actor.role is Role.MEMBER  # the vault key vouches for the old role
        assert insider.vault.vault_signer is None
        with pytest.raises(PermissionDeniedError):
            insider.team.add_member("mallory", "Mallory", Role.COORDINATOR, "a long password 1")
    finally:
        insider.lock()
    coordinator = unlock_server(url, "coord", PASSWORD)
    try:
        report = coordinator.verify_audit()
    finally:
        coordinator.lock()
    assert not report.ok
    assert "team member member has the role coordinator in the database" in report.describe()


def test_a_slot_planted_on_the_server_is_not_listed_and_does_not_open(team: Btam, url: str) -> None:
    team.lock()
    insider = ServerVault.open_on_server(url, "member", MEMBER_PASSWORD)
    data_key = insider._data_key()
    keyfile = insider.keyfile.copy()
    insider.lock()
    planted, _ = keyfile.new_slot(
        SLOT_USER, "IT-Support", b"anything at all", data_key, CHEAP, role="coordinator"
    )
    keyfile.slots.append(planted)
    keyfile.authenticate(data_key)  # the insider can make the slots' check value fit
    _put_keys(url, keyfile.to_bytes().decode("utf-8"))
    assert server_usernames(url) == ["coord", "member"]
    with pytest.raises(WrongCredentialsError):
        unlock_server(url, "IT-Support", "anything at all")
    coordinator = unlock_server(url, "coord", PASSWORD)  # the team itself still opens
    try:
        assert coordinator.vault.integrity_problems() == [
            "the list of key slots on the team server is not the one the team's key signed"
        ]
    finally:
        coordinator.lock()


def test_a_new_key_on_the_server_leaves_older_key_slots_useless(team: Btam, url: str) -> None:
    case = team.cases.report_concern(intake())
    old_keys = _stored_keys(url)
    generation = team.vault.keyfile.generation
    team.team.change_own_password(PASSWORD, "a brand new password", rotate_key=True)
    assert team.vault.keyfile.generation == generation + 1
    assert team.cases.get(case.id or 0).title == case.title  # resealed, still readable
    team.team.reset_password("member", "member's new password")
    assert team.vault.keyfile.generation == generation + 2
    team.lock()
    member = unlock_server(url, "member", "member's new password")
    member.lock()
    with pytest.raises(WrongCredentialsError):
        unlock_server(url, "member", MEMBER_PASSWORD)
    # Whoever runs the server puts the older slots back: the old password opens those slots,
    # but their key opens none of the team's records any more.
    _put_keys(url, old_keys)
    stale = ServerVault.open_on_server(url, "coord", PASSWORD)
    try:
        with pytest.raises(VaultDamagedError), stale.read() as session:
            session.execute(select(Case)).scalars().all()
    finally:
        stale.lock()


def test_events_cut_off_the_server_trail_are_reported_on_this_computer(
    team: Btam, url: str, postgres: ThrowawayPostgres, server_db: str
) -> None:
    team.cases.report_concern(intake())
    team.lock()  # this computer's anchor: the head as it saw it
    with psycopg.connect(postgres.url(server_db)) as conn:  # the server's superuser
        conn.execute("ALTER TABLE audit_event DISABLE TRIGGER audit_event_append_only")
        conn.execute("DELETE FROM audit_event WHERE id > (SELECT max(id) - 3 FROM audit_event)")
        conn.execute("ALTER TABLE audit_event ENABLE TRIGGER audit_event_append_only")
    with pytest.raises(VaultBehindError, match="missing 3 events"):
        unlock_server(url, "coord", PASSWORD)
    inspecting = unlock_server(url, "coord", PASSWORD, inspect_older_copy=True)
    try:
        assert inspecting.older_copy is not None
    finally:
        inspecting.lock()


def test_a_new_recovery_key_on_the_server_retires_the_old_one(url: str) -> None:
    from btam_desktop.services.team_server import recover_and_reset_server
    from btam_desktop.store.errors import WrongRecoveryKeyError

    app, old_key = create_team_server(
        url,
        NewTeam("T", CaseSetting.SCHOOL, "scale.four-level", "coord", "Cory", PASSWORD),
        kdf_params=CHEAP,
    )
    app.team.add_member("member", "Mel", Role.MEMBER, MEMBER_PASSWORD, kdf_params=CHEAP)
    generation = app.vault.keyfile.generation
    steps: list[str] = []
    new_key = app.team.replace_recovery_key(
        progress=lambda done, total, message: steps.append(message), kdf_params=CHEAP
    )
    assert steps[-1] == "Done"
    assert app.vault.keyfile.generation == generation + 1
    assert app.cases.report_concern(intake()).id is not None  # the open session keeps working
    app.lock()
    with pytest.raises(WrongRecoveryKeyError):
        recover_and_reset_server(url, old_key, "member", "a fine new pass phrase 8", CHEAP)
    recover_and_reset_server(url, new_key, "member", "a fine new pass phrase 8", CHEAP)
    unlock_server(url, "member", "a fine new pass phrase 8").lock()
    again = unlock_server(url, "coord", PASSWORD)
    try:
        assert again.verify_audit().ok
    finally:
        again.lock()
