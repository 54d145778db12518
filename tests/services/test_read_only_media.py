"""A vault on read-only media (a read-only bind mount; chmod where mounting is impossible):
signing in, reading, searching and printing work after a clear notice; saving is refused with a
message about read-only media, never one about disk space; not one byte is written."""

from __future__ import annotations

from pathlib import Path

import pytest

from btam_desktop.domain.enums import NoteCategory
from btam_desktop.reports import export_case_summary
from btam_desktop.services.app import Btam, unlock
from btam_desktop.services.cases import CaseQuery
from btam_desktop.store.errors import ReadOnlyVaultError
from tests.edges import read_only_view
from tests.services.conftest import PASSWORD, intake
from tests.store._support import file_states


def test_read_and_print_from_read_only_media(coordinator: Btam, vault_dir: Path, record_property):  # type: ignore[no-untyped-def]
    case = coordinator.cases.report_concern(intake(title="On the stick"))
    assert case.id is not None
    coordinator.lock()
    with read_only_view(vault_dir) as view:
        record_property("read_only", view.kind)
        states = file_states(view.path)
        app = unlock(view.path, "coord", PASSWORD)
        try:
            assert app.read_only
            notice = app.storage_notice()
            assert "read-only media" in notice and "space" not in notice.lower()
            assert app.cases.open_case(case.id).title == "On the stick"
            assert [r.id for r in app.cases.list_page(CaseQuery(text="stick"))] == [case.id]
            assert export_case_summary(app, case.id).startswith(b"%PDF")
            with pytest.raises(ReadOnlyVaultError) as caught:
                app.records.add_note(case.id, NoteCategory.OTHER, "cannot be saved here")
            assert "space" not in str(caught.value).lower()
            assert "copy the whole vault folder to a writable drive" in str(caught.value)
        finally:
            app.lock()
        assert not app.vault.is_open
        assert file_states(view.path) == states
