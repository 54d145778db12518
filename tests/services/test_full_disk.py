"""A full disk: cases can still be read, searched and printed; views and prints that cannot be
recorded wait in memory and are recorded when space returns; saving says the disk is full and
keeps the last saved state; locking always forgets the keys.

Runs on a real 6 MB tmpfs when the test can mount one, else on a simulated full disk (see
tests/edges.py); the path that ran is in the test report as ``disk``."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlmodel import select

from btam_desktop.domain.enums import CaseSetting, NoteCategory, Role
from btam_desktop.domain.models import AuditEvent
from btam_desktop.reports import export_case_summary, record_print
from btam_desktop.services.app import Btam, NewTeam, create_team_vault, unlock
from btam_desktop.services.cases import CaseQuery
from btam_desktop.services.pending_audit import LATE_NOTE
from btam_desktop.store.errors import NotEnoughSpaceError, StorageUnavailableError
from tests.edges import SmallDisk, small_disk
from tests.services.conftest import CHEAP, MEMBER_PASSWORD, PASSWORD, intake


@pytest.fixture
def disk(tmp_path: Path, record_property) -> SmallDisk:  # type: ignore[no-untyped-def]
    with small_disk(tmp_path) as made:
        record_property("disk", made.kind)
        yield made


def _vault_on(disk: SmallDisk) -> tuple[Btam, int]:
    app, _ = create_team_vault(
        disk.path / "vault",
        NewTeam(
            team_name="Edge Team",
            setting=CaseSetting.SCHOOL,
            scale_id="scale.four-level",
            username="coord",
            display_name="Cory Coordinator",
            password=PASSWORD,
        ),
        kdf_params=CHEAP,
    )
    case = app.cases.report_concern(intake(title="Fullness check"))
    assert case.id is not None
    app.vault.checkpoint()  # an empty write-ahead log: any new write must grow a file
    return app, case.id


def _events(app: Btam, action: str) -> list[AuditEvent]:
    with app.vault.read() as session:
        return list(session.exec(select(AuditEvent).where(AuditEvent.action == action)).all())


def test_reading_searching_and_printing_on_a_full_disk(disk: SmallDisk) -> None:
    app, case_id = _vault_on(disk)
    try:
        views_before = len(_events(app, "case.view"))
        disk.fill(app.vault.engine)

        # Reading: the case opens; its view waits in memory and the person is told.
        case = app.cases.open_case(case_id)
        assert case.title == "Fullness check"
        assert app.pending_events() == 1
        assert "disk is full" in app.storage_notice()
        assert "recorded as soon as space is freed" in app.storage_notice()

        # Searching and listing work.
        assert [r.id for r in app.cases.list_page(CaseQuery(text="Fullness"))] == [case_id]
        assert app.records.people(case_id)

        # Printing: the document is built in memory, its export and print wait as well.
        pdf = export_case_summary(app, case_id)
        assert pdf.startswith(b"%PDF")
        record_print(app, "case summary", case_id)
        assert app.pending_events() == 3

        # Saving a change: a plain message about the full disk, nothing half-saved.
        with pytest.raises(StorageUnavailableError) as caught:
            app.records.add_note(case_id, NoteCategory.OTHER, "x" * 400_000)
        assert caught.value.disk_full
        assert "Free some disk space" in str(caught.value)
        assert app.records.notes(case_id) == []
        assert len(_events(app, "case.view")) == views_before  # nothing written yet
        assert app.flush_pending_events() == 3  # still no room

        # Space returns: the waiting events are written, with their original time.
        disk.free_up()
        assert app.flush_pending_events() == 0
        views = _events(app, "case.view")
        assert len(views) == views_before + 1
        assert views[-1].summary.endswith(LATE_NOTE)
        assert [e.action for e in _events(app, "report.print")] == ["report.print"]
        assert app.verify_audit().ok
    finally:
        app.vault.lock()


def test_lock_on_a_full_disk_forgets_the_keys_and_records_it_later(disk: SmallDisk) -> None:
    app, case_id = _vault_on(disk)
    folder = app.vault.folder
    disk.fill(app.vault.engine)
    app.cases.open_case(case_id)
    keys = app.vault._keys
    app.lock()  # the lock event cannot be written: the lock happens anyway
    assert not app.vault.is_open
    assert keys._key is None and app.vault._slot_key is None
    assert app.pending_events() == 2  # the view and the lock, in memory only

    # Unlocking on the full disk still works (its own event waits too).
    again = unlock(folder, "coord", PASSWORD)
    try:
        assert again.cases.get(case_id).title == "Fullness check"
        assert again.pending_events() == 3
        disk.free_up()
        assert again.flush_pending_events() == 0
        actions = [e.action for e in again.audit_events(limit=3)][::-1]
        assert actions == ["case.view", "vault.lock", "vault.unlock"]
        assert again.verify_audit().ok
    finally:
        again.lock()


def test_a_save_writes_the_waiting_events_first(disk: SmallDisk) -> None:
    app, case_id = _vault_on(disk)
    try:
        disk.fill(app.vault.engine)
        app.cases.open_case(case_id)
        assert app.pending_events() == 1
        disk.free_up()
        app.records.add_note(case_id, NoteCategory.OTHER, "after the disk had room")
        assert app.pending_events() == 0
        actions = [e.action for e in app.audit_events(limit=2)][::-1]
        assert actions == ["case.view", "note.add"]
    finally:
        app.vault.lock()


def test_removing_a_member_on_a_full_disk_says_how_much_room_it_needs(disk: SmallDisk) -> None:
    app, _case_id = _vault_on(disk)
    try:
        app.team.add_member("member", "Mel Member", Role.MEMBER, MEMBER_PASSWORD, kdf_params=CHEAP)
        member = next(m for m in app.team.members() if m.username == "member")
        assert member.id is not None
        disk.fill(app.vault.engine)
        with pytest.raises(NotEnoughSpaceError) as caught:
            app.team.remove_member(member.id)
        assert "needs about" in str(caught.value) and "something went wrong" not in str(
            caught.value
        )
        disk.free_up()
        assert app.team.get(member.id).active  # nothing changed
        assert "member" in app.vault.keyfile.usernames()
    finally:
        app.vault.lock()
