"""The team server store: what the server holds, keys, search, audit and connection rules."""

from __future__ import annotations

import secrets
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import psycopg
import pytest
from sqlalchemy import text

from btam_desktop.domain.enums import CaseSetting, NoteCategory, Role
from btam_desktop.services.app import Btam, NewTeam
from btam_desktop.services.cases import CaseQuery, CaseSort
from btam_desktop.services.team_server import create_team_server, unlock_server
from btam_desktop.store.errors import ValidationError, VaultDamagedError, WrongCredentialsError
from btam_desktop.store.server.connection import (
    ServerUnavailableError,
    parse_server_url,
)
from btam_desktop.store.server.sealing import SEALED_COLUMNS, Sealer
from btam_desktop.store.server.store import NoTeamOnServerError, ServerVault
from tests.server.throwaway_postgres import ThrowawayPostgres
from tests.services.conftest import CHEAP, MEMBER_PASSWORD, PASSWORD, intake
from tests.store.test_no_plaintext import Canaries, populate_every_table


class ShortCanaries(Canaries):
    """Canaries that fit the shortest plain column (8 characters): PostgreSQL enforces the
    length limits that SQLite ignores."""

    def __call__(self, label: str) -> str:
        value = "q" + secrets.token_hex(4)[:7]
        assert label not in self.values
        self.values[label] = value
        return value


SEALED_LABELS = {
    f"{cls.__tablename__}.{column}" for cls, columns in SEALED_COLUMNS.items() for column in columns
}


@pytest.fixture
def url(postgres: ThrowawayPostgres, server_db: str) -> str:
    return postgres.url(server_db)


@pytest.fixture
def team(url: str) -> Iterator[Btam]:
    app, _recovery = create_team_server(
        url,
        NewTeam(
            team_name="District Team",
            setting=CaseSetting.SCHOOL,
            scale_id="scale.four-level",
            username="coord",
            display_name="Cory Coordinator",
            password=PASSWORD,
        ),
        kdf_params=CHEAP,
    )
    app.team.add_member("member", "Mel Member", Role.MEMBER, MEMBER_PASSWORD, kdf_params=CHEAP)
    yield app
    if app.vault.is_open:
        app.lock()


@pytest.fixture
def coordinator_on_vault(tmp_path: Path) -> Iterator[Btam]:
    from btam_desktop.services.app import create_team_vault

    app, _ = create_team_vault(
        tmp_path / "vault",
        NewTeam("T", CaseSetting.SCHOOL, "scale.four-level", "coord", "Cory", PASSWORD),
        kdf_params=CHEAP,
    )
    yield app
    app.lock()


# ---- what the server holds ---------------------------------------------------------------------


def test_a_dump_of_the_server_holds_no_canary_of_sealed_content(
    team: Btam, postgres: ThrowawayPostgres, server_db: str
) -> None:
    canaries = ShortCanaries()
    with team.vault.write() as session:
        populate_every_table(session, canaries)
    case = team.cases.report_concern(
        intake(narrative="cnrynarrative01 was said near the gym", title="cnrytitle02")
    )
    team.records.add_note(case.id, NoteCategory.OTHER, "cnrynote03 met the parents")
    dump = postgres.dump(server_db)
    sealed = {label: v for label, v in canaries.values.items() if label in SEALED_LABELS}
    plain = {label: v for label, v in canaries.values.items() if label not in SEALED_LABELS}
    assert len(sealed) >= 35  # every content column of populate_every_table
    leaked = [label for label, value in sealed.items() if value.encode() in dump]
    assert leaked == []
    for needle in (b"cnrynarrative01", b"cnrytitle02", b"cnrynote03", b"Jamie", b"Zo\xc3\xab"):
        assert needle not in dump
    # The dump is real and complete: the plain columns (ids, status, site, ...) are in it.
    missing_plain = [label for label, value in plain.items() if value.encode() not in dump]
    assert missing_plain == []
    # ... and the program reads every sealed value back.
    with team.vault.read() as session:
        back = session.execute(text("SELECT count(*) FROM person")).scalar_one()
    assert back >= 1
    people = team.records.people(case.id)
    assert [p.full_name for p in people] == ["Jamie Subject"]


def test_a_sealed_value_moved_to_another_row_does_not_open(
    team: Btam, postgres: ThrowawayPostgres, server_db: str
) -> None:
    first = team.cases.report_concern(intake(narrative="first narrative"))
    second = team.cases.report_concern(intake(narrative="second narrative"))
    with psycopg.connect(postgres.url(server_db), autocommit=True) as conn:
        conn.execute(
            "UPDATE concern_report SET narrative = "
            "(SELECT narrative FROM concern_report WHERE case_id = %s) WHERE case_id = %s",
            (first.id, second.id),
        )
    assert team.records.reports(first.id)[0].narrative == "first narrative"
    with pytest.raises(VaultDamagedError, match="another record"):
        team.records.reports(second.id)


def test_a_changed_sealed_value_is_refused(
    team: Btam, postgres: ThrowawayPostgres, server_db: str
) -> None:
    case = team.cases.report_concern(intake())
    with psycopg.connect(postgres.url(server_db), autocommit=True) as conn:
        conn.execute("UPDATE case_note SET body = 'btam1:1:AAAA' WHERE case_id = %s", (case.id,))
        conn.execute("UPDATE person SET notes = 'plain text typed into the server'")
    with pytest.raises(VaultDamagedError, match="not sealed"):
        team.records.people(case.id)


def test_another_teams_key_opens_nothing(team: Btam) -> None:
    case = team.cases.report_concern(intake(title="Sealed title"))
    with team.vault.read() as session:
        stored = session.execute(
            text("SELECT title FROM case_file WHERE id = :i"), {"i": case.id}
        ).scalar_one()
    assert stored.startswith("btam1:") and "Sealed" not in stored
    stranger = Sealer.from_data_key(b"\x01" * 32, team.vault.vault_id)
    with pytest.raises(VaultDamagedError):
        stranger.open_value("case_file", "title", stored, str(case.id))


def test_wrong_password_and_unknown_member_are_refused(team: Btam, url: str) -> None:
    team.lock()
    with pytest.raises(WrongCredentialsError):
        unlock_server(url, "coord", "not the password at all")
    with pytest.raises(WrongCredentialsError):
        unlock_server(url, "nobody", PASSWORD)
    again = unlock_server(url, "coord", PASSWORD)
    assert again.actor.role is Role.COORDINATOR
    again.lock()


def test_key_slots_live_in_the_server_and_a_changed_slot_is_refused(
    team: Btam, url: str, postgres: ThrowawayPostgres, server_db: str
) -> None:
    team.lock()
    with psycopg.connect(postgres.url(server_db), autocommit=True) as conn:
        row = conn.execute("SELECT body FROM server_keys").fetchone()
        assert row is not None and '"format"' in row[0] and PASSWORD not in row[0]
        conn.execute(
            "UPDATE server_keys SET body = replace(body, '\"generation\": 1', '\"generation\": 7')"
        )
    with pytest.raises((WrongCredentialsError, VaultDamagedError)):
        unlock_server(url, "coord", PASSWORD)


def test_a_second_team_cannot_be_set_up_in_the_same_database(team: Btam, url: str) -> None:
    with pytest.raises(Exception, match="already holds a BTAM team"):
        create_team_server(
            url,
            NewTeam("Other", CaseSetting.SCHOOL, "scale.four-level", "xavier", "X", PASSWORD),
            kdf_params=CHEAP,
        )


def test_an_empty_database_says_there_is_no_team(url: str) -> None:
    with pytest.raises(NoTeamOnServerError, match="holds no BTAM team"):
        ServerVault.open_on_server(url, "coord", PASSWORD)


def test_a_server_that_cannot_be_reached_gives_a_plain_message(
    postgres: ThrowawayPostgres,
) -> None:
    closed_port = postgres.port + 1 if postgres.port < 65535 else postgres.port - 1
    url = f"postgresql://btam_admin@127.0.0.1:{closed_port}/nothing?connect_timeout=2"
    with pytest.raises(ServerUnavailableError, match="cannot be reached") as caught:
        unlock_server(url, "coord", PASSWORD)
    assert "btam_admin" not in str(caught.value)


# ---- search --------------------------------------------------------------------------------------


def test_blind_index_finds_whole_words_only_and_holds_no_word(
    team: Btam, postgres: ThrowawayPostgres, server_db: str
) -> None:
    hit = team.cases.report_concern(intake(narrative="He drew a crossbow in the Gymnasium"))
    team.cases.report_concern(intake(narrative="Quiet week, nothing new"))

    def found(words: str) -> list[int]:
        return [r.id for r in team.cases.find(CaseQuery(text=words))]

    assert found("crossbow") == [hit.id]
    assert found("GYMNASIUM crossbow") == [hit.id]
    assert found("gymnasium quiet") == []  # every word must match in one case
    assert found("gymna") == []  # no prefix search on the server: whole words only
    assert team.cases.count(CaseQuery(text="crossbow")) == 1
    zoe = team.cases.report_concern(intake(narrative="Zoë Müller was named"))
    assert found("zoe muller") == [zoe.id]  # accents removed, as in the vault's index
    dump = postgres.dump(server_db)
    assert b"crossbow" not in dump and b"gymnasium" not in dump.lower()


def test_the_case_list_sorts_sealed_titles_on_the_client(team: Btam) -> None:
    made = {
        title: team.cases.report_concern(intake(title=title)).id
        for title in ("Bravo", "alpha", "Charlie", "Alpha")
    }
    query = CaseQuery(sort=CaseSort.TITLE, descending=False)
    expected = [made[t] for t in sorted(made)]
    assert team.cases.list_ids(query) == expected
    assert [r.id for r in team.cases.list_page(query, 1, 2)] == expected[1:3]
    backwards = CaseQuery(sort=CaseSort.TITLE, descending=True)
    assert team.cases.list_ids(backwards) == expected[::-1]


# ---- members and keys ----------------------------------------------------------------------------


def test_removing_a_member_reseals_everything_under_a_new_key(team: Btam, url: str) -> None:
    case = team.cases.report_concern(intake(narrative="a crossbow was mentioned"))
    team.records.add_note(case.id, NoteCategory.OTHER, "Parents were called")
    old_sealer = team.vault.sealer  # type: ignore[attr-defined]
    with team.vault.read() as session:
        before = session.execute(text("SELECT body FROM case_note")).scalar_one()
    steps: list[tuple[int, int]] = []
    member = next(m for m in team.team.members() if m.username == "member")
    team.team.remove_member(member.id, lambda done, total, _msg: steps.append((done, total)))
    assert steps and steps[-1][0] == steps[-1][1]
    with team.vault.read() as session:
        after = session.execute(text("SELECT body FROM case_note")).scalar_one()
    assert after != before
    with pytest.raises(VaultDamagedError):
        old_sealer.open_value("case_note", "body", after)
    assert [r.id for r in team.cases.find(CaseQuery(text="crossbow"))] == [case.id]
    team.lock()
    with pytest.raises(WrongCredentialsError):
        unlock_server(url, "member", MEMBER_PASSWORD)
    again = unlock_server(url, "coord", PASSWORD)
    assert again.records.notes(case.id)[0].body == "Parents were called"
    assert again.verify_audit().ok
    again.lock()


# ---- audit on the server -------------------------------------------------------------------------


def test_the_audit_chain_stays_one_chain_under_concurrent_writers(team: Btam, url: str) -> None:
    team.lock()
    apps = [unlock_server(url, "coord", PASSWORD) for _ in range(2)]
    apps += [unlock_server(url, "member", MEMBER_PASSWORD) for _ in range(2)]
    errors: list[BaseException] = []
    start = threading.Barrier(len(apps))

    def work(app: Btam) -> None:
        try:
            start.wait()
            for _ in range(6):
                case = app.cases.report_concern(intake())
                app.records.add_note(case.id, NoteCategory.OTHER, "seen in the office")
        except BaseException as exc:  # reported below
            errors.append(exc)

    threads = [threading.Thread(target=work, args=(app,)) for app in apps]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert errors == []
    report = apps[0].verify_audit()
    assert report.ok, report.describe()
    numbers = [r.number for r in apps[0].cases.find(CaseQuery(), 0, 100)]
    assert len(numbers) == len(set(numbers)) == 24
    for app in apps:
        app.lock()


def test_the_audit_trail_refuses_update_and_delete_on_the_server(
    team: Btam, postgres: ThrowawayPostgres, server_db: str
) -> None:
    with psycopg.connect(postgres.url(server_db), autocommit=True) as conn:
        for statement in (
            "UPDATE audit_event SET summary = 'rewritten'",
            "DELETE FROM audit_event",
            "TRUNCATE audit_event",
        ):
            with pytest.raises(psycopg.errors.RaiseException, match="append-only"):
                conn.execute(statement)  # type: ignore[arg-type]
    assert team.verify_audit().ok


# ---- reaching the server -------------------------------------------------------------------------


def test_a_remote_server_is_reached_only_over_verified_tls() -> None:
    remote = parse_server_url("postgresql://btam_app@db.district.example/btam")
    assert "sslmode=verify-full" in remote.conninfo and not remote.local
    assert remote.warning == ""
    for weak in ("disable", "prefer", "require", "verify-ca"):
        with pytest.raises(ValidationError, match="verify-full"):
            parse_server_url(f"postgresql://btam_app@db.district.example/btam?sslmode={weak}")
    with pytest.raises(ValidationError, match="not a team server address"):
        parse_server_url("this is not an address")


def test_a_server_on_this_computer_may_skip_tls_with_a_warning() -> None:
    for host in ("localhost", "127.0.0.1", "[::1]"):
        local = parse_server_url(f"postgresql://btam_app@{host}:5432/btam")
        assert local.local and "sslmode" not in local.conninfo
        assert "without encryption" in local.warning
    socket = parse_server_url("postgresql:///btam?host=/var/run/postgresql")
    assert socket.local


def test_the_password_in_an_address_never_reaches_a_message(tmp_path: Path) -> None:
    address = parse_server_url("postgresql://btam_app:s3cret-pw@db.district.example/btam")
    assert "s3cret-pw" not in address.where
    assert "s3cret-pw" not in str(ServerUnavailableError(address.where))


# ---- other computers' changes --------------------------------------------------------------------


def test_other_computers_hear_of_a_new_case_and_a_change_within_two_seconds(
    team: Btam, url: str
) -> None:
    from btam_desktop.services.team_server import watch_changes

    elsewhere = unlock_server(url, "member", MEMBER_PASSWORD)
    heard: list[tuple[str, int | None, float]] = []
    arrived = threading.Event()

    def on_change(table: str, case_id: int | None) -> None:
        heard.append((table, case_id, time.monotonic()))
        arrived.set()

    watch = watch_changes(elsewhere, on_change)
    assert watch is not None
    try:
        sent = time.monotonic()
        case = team.cases.report_concern(intake())
        assert arrived.wait(2.0)
        assert ("case_file", case.id) in [(t, c) for t, c, _ in heard]
        assert max(at for *_, at in heard) - sent < 2.0
        heard.clear()
        arrived.clear()
        team.records.add_note(case.id, NoteCategory.OTHER, "the secret words")
        assert arrived.wait(2.0)
        assert all(c == case.id for _, c, _ in heard)
        assert {t for t, _, _ in heard} >= {"case_note"}
        assert all("secret" not in t for t, _, _ in heard)
    finally:
        watch.stop()
        elsewhere.lock()


def test_a_vault_has_no_change_watch(coordinator_on_vault: Btam) -> None:
    from btam_desktop.services.team_server import watch_changes

    assert watch_changes(coordinator_on_vault, lambda table, case: None) is None


def test_a_write_that_skips_sealing_is_refused_whatever_path_it_takes(
    team: Btam, postgres: ThrowawayPostgres, server_db: str
) -> None:
    from sqlalchemy import insert, update

    from btam_desktop.domain.models import CaseNote, Person
    from btam_desktop.store.server.sealing import UnsealedWriteError

    case = team.cases.report_concern(intake())
    plain_person = {"case_id": case.id, "role": "subject", "full_name": "Unsealed Name"}
    with pytest.raises(UnsealedWriteError), team.vault.write() as session:
        session.execute(insert(Person), [plain_person])  # an ORM bulk insert
    with pytest.raises(UnsealedWriteError), team.vault.write() as session:
        session.connection().execute(
            update(CaseNote).where(CaseNote.case_id == case.id).values(body="plain body")
        )
    assert b"Unsealed Name" not in postgres.dump(server_db)
    assert b"plain body" not in postgres.dump(server_db)


def test_a_connection_dropped_mid_transaction_loses_nothing_acknowledged(
    team: Btam, postgres: ThrowawayPostgres, server_db: str
) -> None:
    kept = team.cases.report_concern(intake(narrative="acknowledged before the drop"))
    from btam_desktop.domain.models import CaseNote

    with (
        pytest.raises(ServerUnavailableError, match="cannot be reached"),
        team.vault.write() as session,
    ):
        session.add(CaseNote(case_id=kept.id, category="other", body="never acknowledged"))
        session.flush()
        pid = session.execute(text("SELECT pg_backend_pid()")).scalar_one()
        with psycopg.connect(postgres.url(server_db), autocommit=True) as admin:
            admin.execute("SELECT pg_terminate_backend(%s)", (pid,))
    # The program carries on with a new connection; the acknowledged case is whole, the cut
    # write left nothing behind, and the audit chain still verifies.
    assert team.records.reports(kept.id)[0].narrative == "acknowledged before the drop"
    assert team.records.notes(kept.id) == []
    after = team.cases.report_concern(intake())
    assert after.id is not None and after.id > (kept.id or 0)
    assert team.verify_audit().ok


def test_integrity_check_names_changed_key_slots(
    team: Btam, postgres: ThrowawayPostgres, server_db: str
) -> None:
    assert team.vault.integrity_problems() == []
    with psycopg.connect(postgres.url(server_db), autocommit=True) as conn:
        conn.execute(
            "UPDATE server_keys SET body = replace(body, '\"generation\": 1', '\"generation\": 2')"
        )
    assert team.vault.integrity_problems() == ["the key slots on the team server were changed"]


def test_drafts_typed_while_the_server_is_away_are_kept_here_encrypted_then_sent(
    team: Btam, postgres: ThrowawayPostgres
) -> None:
    from btam_desktop.store.server.connection import parse_server_url
    from btam_desktop.store.server.store import _engine

    team.drafts.save("intake", {"narrative": "first words"})
    reachable = team.vault._engine
    closed_port = postgres.port + 1 if postgres.port < 65535 else postgres.port - 1
    away = parse_server_url(f"postgresql://btam_admin@127.0.0.1:{closed_port}/x?connect_timeout=2")
    team.vault._engine = _engine(away)  # the network to the server is gone
    try:
        team.drafts.save("intake", {"narrative": "Jamie said more while the server was away"})
        assert team.drafts.load("intake") == {
            "narrative": "Jamie said more while the server was away"
        }
        kept = list((team.vault.folder / "drafts").iterdir())
        assert len(kept) == 1 and "intake" not in kept[0].name
        assert b"Jamie" not in kept[0].read_bytes() and b"narrative" not in kept[0].read_bytes()
        with pytest.raises(ServerUnavailableError):
            team.cases.report_concern(intake())  # a record, unlike a draft, needs the server
    finally:
        team.vault._engine.dispose()
        team.vault._engine = reachable
    # Back: the newer draft typed here wins over the server's older copy, and the next save
    # sends it to the server and clears this computer's copy.
    assert team.drafts.load("intake") == {"narrative": "Jamie said more while the server was away"}
    team.drafts.save("intake", {"narrative": "Jamie said more, and the server is back"})
    assert list((team.vault.folder / "drafts").iterdir()) == []
    assert team.drafts.load("intake") == {"narrative": "Jamie said more, and the server is back"}


# Every text column the server holds in the clear, on purpose: codes, ids, statuses, settings,
# the team itself and the audit trail (the README's table). A new text column must be sealed
# (SEALED_COLUMNS) or added here after deciding that the server may read it.
PLAIN_ON_PURPOSE = {
    "account": {"username", "display_name", "role", "email", "phone", "team_role"},
    "training_record": {"course", "provider"},
    "audit_event": {"username", "action", "entity_kind", "entity_id", "summary"},
    "form_snapshot": {"content_hash", "form_id", "version", "definition"},
    "vault_info": {"key", "value"},
    "case_file": {
        "number",
        "setting",
        "site",
        "status",
        "priority",
        "level_scale",
        "level",
        "threat_type",
    },
    "draft": {"kind", "subject"},
    "assessment": {
        "form_id",
        "form_version",
        "form_hash",
        "form_title",
        "form_kind",
        "status",
        "suggested_level",
        "decided_level",
        "decision_scale",
        "workflow_action",
    },
    "attachment": {"media_type"},
    "case_note": {"category"},
    "case_origin": {"kind", "source_number"},
    "disclosure": {"recipient_kind", "legal_basis"},
    "level_decision": {"scale", "level", "source"},
    "management_plan": {"status"},
    "monitoring_entry": {"intervention_key"},
    "person": {"role"},
    "timeline_entry": {"category", "pathway_stage", "source", "reliability"},
    "workflow_transition": {"action", "from_status", "to_status"},
    "concern_report": {
        "channel",
        "expressed_as",
        "directness",
        "known_to_target",
        "danger_answer",
        "emergency_called",
    },
    "plan_intervention": {"key", "catalog_ref", "strategy", "recurrence", "status"},
}


def test_every_text_column_is_sealed_or_plain_on_purpose() -> None:
    from tests.store.test_no_plaintext import free_text_columns

    sealed = {(str(c.__tablename__), col) for c, cols in SEALED_COLUMNS.items() for col in cols}
    undecided = [
        (table, column)
        for table, column in free_text_columns()
        if (table, column) not in sealed and column not in PLAIN_ON_PURPOSE.get(table, set())
    ]
    assert undecided == []
    both = [(t, c) for t, c in sealed if c in PLAIN_ON_PURPOSE.get(t, set())]
    assert both == []


def test_removing_a_member_reseals_completed_assessments_too(team: Btam, url: str) -> None:
    from tests.services.conftest import complete_closure_checklist

    case = team.cases.report_concern(intake())
    assert case.id is not None
    complete_closure_checklist(team, case.id)
    done = [a for a in team.assessments.for_case(case.id) if a.status == "completed"]
    assert done
    member = next(m for m in team.team.members() if m.username == "member")
    team.team.remove_member(member.id)
    again = [a for a in team.assessments.for_case(case.id) if a.status == "completed"]
    assert [a.answers for a in again] == [a.answers for a in done]


def test_resealing_cannot_be_used_to_change_a_completed_assessment(
    team: Btam, postgres: ThrowawayPostgres, server_db: str
) -> None:
    from tests.services.conftest import complete_closure_checklist

    case = team.cases.report_concern(intake())
    assert case.id is not None
    complete_closure_checklist(team, case.id)
    with psycopg.connect(postgres.url(server_db)) as conn:
        conn.execute("SET LOCAL btam.resealing = 'on'")
        with pytest.raises(psycopg.errors.RaiseException, match="cannot be changed"):
            conn.execute("UPDATE assessment SET decided_level = 'high', answers = answers")


def test_the_recovery_key_resets_a_password_on_the_server(url: str) -> None:
    from btam_desktop.services.team_server import recover_and_reset_server
    from btam_desktop.store.errors import WrongRecoveryKeyError

    app, recovery = create_team_server(
        url,
        NewTeam("T", CaseSetting.SCHOOL, "scale.four-level", "coord", "Cory", PASSWORD),
        kdf_params=CHEAP,
    )
    app.lock()
    with pytest.raises(WrongRecoveryKeyError):
        recover_and_reset_server(url, "0" * 32, "coord", "a brand new password")
    recover_and_reset_server(url, recovery.lower(), "coord", "a brand new password")
    with pytest.raises(WrongCredentialsError):
        unlock_server(url, "coord", PASSWORD)
    again = unlock_server(url, "coord", "a brand new password")
    try:
        assert again.verify_audit().ok
        assert any(e.action == "team.password_reset" for e in again.audit_events())
    finally:
        again.lock()
