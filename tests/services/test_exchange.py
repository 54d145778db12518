"""Whole-record export and import (JSON): the round trip, the preview, and refusals."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from btam_desktop.domain.enums import CaseSetting
from btam_desktop.services.app import Btam, NewTeam, create_team_vault
from btam_desktop.services.demo import create_demo_vault
from btam_desktop.store.errors import PermissionDeniedError, ValidationError
from tests.services.conftest import CHEAP


@pytest.fixture(scope="module")
def demo_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("exchange") / "demo"
    app = create_demo_vault(folder, kdf_params=CHEAP)
    app.lock()
    return folder


@pytest.fixture
def demo(demo_template: Path, tmp_path: Path) -> Iterator[Btam]:
    import shutil

    from btam_desktop.services.app import unlock

    folder = tmp_path / "demo"
    shutil.copytree(demo_template, folder)
    app = unlock(folder, "demo", "demo")
    yield app
    if app.vault.is_open:
        app.vault.lock()


def fresh_vault(folder: Path, username: str = "lee") -> Btam:
    app, _ = create_team_vault(
        folder,
        NewTeam(
            team_name="Receiving Team",
            setting=CaseSetting.SCHOOL,
            scale_id="scale.four-level",
            username=username,
            display_name="Lee Receiver",
            password="receiving password 1",
        ),
        kdf_params=CHEAP,
    )
    return app


def comparable(document: dict[str, Any]) -> list[dict[str, Any]]:
    """The content of an export, without what must differ between two vaults: the envelope
    (when, by which vault), each case's number (the receiving vault numbers it) and its origin
    block (which says where it came from). Everything else must be equal, field for field."""
    cases = []
    for record in document["cases"]:
        kept = {k: v for k, v in record.items() if k not in ("number", "origin")}
        cases.append(kept)
    return cases


def test_json_round_trip_into_a_fresh_vault_is_identical(demo: Btam, tmp_path: Path) -> None:
    ids = demo.exchange.all_case_ids()
    # Give one case an attachment so files travel too.
    demo.records.add_attachment(ids[0], "note.txt", b"fictional attachment text\n", "scan")
    first = json.loads(demo.exchange.export_json(ids, include_files=True))
    assert len(first["cases"]) == len(ids) >= 8
    assert first["form_snapshots"], "assessments carry their form definitions"
    kinds = {k for c in first["cases"] for k in ("plans", "assessments") if c[k]}
    assert kinds == {"plans", "assessments"}
    # Who saved an assessment last travels as a user name, never as this vault's account id.
    saved_by = [a.get("updated_by") for c in first["cases"] for a in c["assessments"]]
    assert saved_by and all(isinstance(name, str) for name in saved_by)
    assert not any("updated_by_id" in a for c in first["cases"] for a in c["assessments"])

    receiving = fresh_vault(tmp_path / "fresh")
    preview = receiving.exchange.preview_json(json.dumps(first).encode())
    assert preview.ok, preview.problems
    result = receiving.exchange.import_json(preview)
    assert [old for old, _new in result.numbers] == [c["number"] for c in first["cases"]]

    second = json.loads(
        receiving.exchange.export_json(receiving.exchange.all_case_ids(), include_files=True)
    )
    assert _first_difference(comparable(second), comparable(first)) is None
    assert comparable(second) == comparable(first)
    # Authors without an account here are still named (kept in the case's origin record).
    assert (
        second["cases"][0]["reports"][0]["entered_by"]
        == first["cases"][0]["reports"][0]["entered_by"]
    )
    assert {a["username"] for a in second["accounts"]} == {a["username"] for a in first["accounts"]}
    # The origin says where each case came from.
    origins = [c["origin"] for c in second["cases"]]
    assert all(o["kind"] == "json_import" for o in origins)
    assert [o["source_number"] for o in origins] == [c["number"] for c in first["cases"]]
    assert all(o["source_team"] == first["source"]["team"] for o in origins)
    receiving.lock()


def _first_difference(a: Any, b: Any, path: str = "") -> str | None:
    if isinstance(a, dict) and isinstance(b, dict):
        for key in sorted(set(a) | set(b)):
            found = _first_difference(a.get(key), b.get(key), f"{path}.{key}")
            if found:
                return found
        return None
    if isinstance(a, list) and isinstance(b, list):
        if len(a) != len(b):
            return f"{path}: {len(a)} items vs {len(b)}"
        for i, (x, y) in enumerate(zip(a, b, strict=True)):
            found = _first_difference(x, y, f"{path}[{i}]")
            if found:
                return found
        return None
    return None if a == b else f"{path}: {a!r} vs {b!r}"


# ---- spreadsheets -------------------------------------------------------------------------------

GOOD_AND_BAD = (
    "Case No,Title,Date opened,Status,Level,Closed,School\n"
    "OLD-1,Threat in hallway,2025-02-03,Closed,low,2025-03-01,North High\n"
    "OLD-2,,2025-02-04,Reported,,,North High\n"
    "OLD-3,Bus remark,31/02/2025,Reported,,,South\n"
    "OLD-4,Online post,2025-04-01,Monitoring,severe,,South\n"
    "OLD-5,Note in locker,2025-05-01,Closed,,,South\n"
)


def test_csv_import_with_bad_rows_writes_nothing_and_names_each_row(demo: Btam) -> None:
    before = len(demo.exchange.all_case_ids())
    preview = demo.spreadsheet.preview(GOOD_AND_BAD.encode())
    assert preview.mapping["title"] == "Title" and preview.mapping["opened"] == "Date opened"
    problems = preview.problems
    assert [p.split(":")[0] for p in problems] == ["Row 3", "Row 4", "Row 5", "Row 6"]
    assert "title is empty" in problems[0]
    assert "31/02/2025" in problems[1]
    assert "severe" in problems[2]
    assert "closing date is empty" in problems[3]
    with pytest.raises(ValidationError, match="Row 3"):
        demo.spreadsheet.commit(preview)
    assert len(demo.exchange.all_case_ids()) == before


def test_csv_import_of_good_rows_adds_cases_in_one_go(demo: Btam, tmp_path: Path) -> None:
    good = (
        "\n".join(GOOD_AND_BAD.splitlines()[:2])
        + "\nOLD-9,Drawing in notebook,3/14/2025,Monitoring,moderate,,\n"
    )
    preview = demo.spreadsheet.preview(good.encode())
    assert preview.ok, preview.problems
    numbers = demo.spreadsheet.commit(preview)
    assert [n[:4] for n in numbers] == ["2025", "2025"]
    first = demo.cases.by_number(numbers[0])
    assert (first.status, first.level, first.site) == ("closed", "low", "North High")
    assert first.closed_at is not None and first.closed_at.date().isoformat() == "2025-03-01"
    second = demo.cases.by_number(numbers[1])
    assert second.opened_at.date().isoformat() == "2025-03-14"
    document = json.loads(demo.exchange.export_json([first.id]))
    assert document["cases"][0]["origin"]["source_number"] == "OLD-1"
    assert document["cases"][0]["origin"]["kind"] == "csv_import"


def test_csv_export_has_the_list_columns_and_outcomes_and_reimports(demo: Btam) -> None:
    from btam_desktop.services.spreadsheet import EXPORT_COLUMNS, cases_csv, read_csv

    ids = demo.exchange.all_case_ids()
    headers, rows = read_csv(cases_csv(demo.ctx, ids))
    assert tuple(headers) == EXPORT_COLUMNS
    assert len(rows) == len(ids)
    closed = [r for r in rows if r[2] in ("Closed", "Closed: no threat")]
    assert closed and all(r[10] and r[12] for r in closed)
    mapping = {
        "title": "Title",
        "opened": "Opened",
        "status": "Status",
        "closed": "Closed",
        "source_number": "Case number",
        "level": "Level at closure",
    }
    preview = demo.spreadsheet.preview(cases_csv(demo.ctx, ids), mapping)
    assert preview.ok, preview.problems


def test_csv_cells_that_look_like_formulas_are_defused(demo: Btam) -> None:
    from btam_desktop.services.spreadsheet import cases_csv

    case_id = demo.exchange.all_case_ids()[0]
    demo.cases.update(case_id, title='=HYPERLINK("http://x")')
    text = cases_csv(demo.ctx, [case_id]).decode("utf-8-sig")
    assert "'=HYPERLINK" in text


# ---- transfer ----------------------------------------------------------------------------

PASSPHRASE = "maple river lantern pocket"


def test_transfer_round_trip_records_both_sides(demo: Btam, tmp_path: Path) -> None:
    demo.transfer.kdf_params = CHEAP
    ids = demo.exchange.all_case_ids()[:2]
    numbers = [demo.cases.get(i).number for i in ids]
    package = tmp_path / "cases.btamtransfer"
    demo.transfer.send(ids, PASSPHRASE, "Lincoln High counseling office", package)
    data = package.read_bytes()
    assert b"Maple" not in data and b"fictional" not in data  # sealed, nothing readable
    sent = demo.records.disclosures(ids[0])[-1]
    assert (sent.recipient_kind, sent.recipient_name) == (
        "receiving_organization",
        "Lincoln High counseling office",
    )
    assert any(e.action == "case.transfer_out" for e in demo.audit_events(case_id=ids[0]))

    receiving = fresh_vault(tmp_path / "other", username="demo")  # same name, another person
    receiving.transfer.kdf_params = CHEAP
    preview = receiving.transfer.preview(data, PASSPHRASE)
    assert preview.ok and preview.sending_team.startswith("Maple Grove")
    assert [c.source_number for c in preview.cases.cases] == numbers
    pairs = receiving.transfer.receive(preview)
    assert [old for old, _ in pairs] == numbers
    new = receiving.cases.by_number(pairs[0][1])
    assert new.owner_id is None  # "demo" there is not "demo" here
    got = receiving.records.disclosures(new.id)
    assert got[-1].recipient_kind == "receiving_organization"
    assert numbers[0] in got[-1].information_disclosed
    document = json.loads(receiving.exchange.export_json([new.id]))
    assert document["cases"][0]["origin"]["source_number"] == numbers[0]
    assert document["cases"][0]["origin"]["kind"] == "transfer"
    assert document["cases"][0]["owner"] == "demo"  # the sender's author kept by name
    # Receiving the same package twice is refused.
    again = receiving.transfer.preview(data, PASSPHRASE)
    assert not again.ok and "already received" in again.problems[0]
    receiving.lock()


def test_transfer_refuses_wrong_passphrase_and_changed_bytes(demo: Btam, tmp_path: Path) -> None:
    from btam_desktop.services.transfer import NOT_A_PACKAGE, WRONG_OR_CHANGED

    demo.transfer.kdf_params = CHEAP
    package = tmp_path / "p.btamtransfer"
    demo.transfer.send(demo.exchange.all_case_ids()[:1], PASSPHRASE, "Next school", package)
    data = package.read_bytes()
    with pytest.raises(ValidationError) as wrong:
        demo.transfer.preview(data, PASSPHRASE + "x")
    assert str(wrong.value) == WRONG_OR_CHANGED
    for position in (20, len(data) // 2, len(data) - 1):  # header, body, tag
        flipped = bytearray(data)
        flipped[position] ^= 0x01
        with pytest.raises(ValidationError) as changed:
            demo.transfer.preview(bytes(flipped), PASSPHRASE)
        assert str(changed.value) in (WRONG_OR_CHANGED,)
    with pytest.raises(ValidationError) as truncated:
        demo.transfer.preview(data[:-10], PASSPHRASE)
    assert str(truncated.value) == WRONG_OR_CHANGED
    with pytest.raises(ValidationError) as other:
        demo.transfer.preview(b"PK\x03\x04 not a package", PASSPHRASE)
    assert str(other.value) == NOT_A_PACKAGE


def test_weak_passphrase_is_refused_and_nothing_written(demo: Btam, tmp_path: Path) -> None:
    package = tmp_path / "p.btamtransfer"
    for weak in ("short", "123456789012345", "aaaaaaaaaaaaaaaa"):
        with pytest.raises(ValidationError):
            demo.transfer.send(demo.exchange.all_case_ids()[:1], weak, "Next school", package)
    assert not package.exists()
    assert list(tmp_path.iterdir()) == [tmp_path / "demo"]


# ---- roles -------------------------------------------------------------------------------


def test_members_and_viewers_may_not_export_import_or_transfer(
    as_role: Any, coordinator: Btam, tmp_path: Path
) -> None:
    from tests.services.conftest import intake

    case = coordinator.cases.report_concern(intake())
    data = coordinator.exchange.export_json([case.id])
    for role in ("member", "viewer"):
        app = as_role(role)
        with pytest.raises(PermissionDeniedError):
            app.exchange.export_json([case.id])
        with pytest.raises(PermissionDeniedError):
            app.exchange.preview_json(data)
        with pytest.raises(PermissionDeniedError):
            app.spreadsheet.preview(b"Title,Opened\nx,2025-01-01\n")
        with pytest.raises(PermissionDeniedError):
            app.transfer.send([case.id], PASSPHRASE, "x", tmp_path / "x")
        with pytest.raises(PermissionDeniedError):
            app.transfer.preview(b"", PASSPHRASE)
    assert not (tmp_path / "x").exists()
    viewer = as_role("viewer")
    with pytest.raises(PermissionDeniedError):
        viewer.statistics.annual(2026)
    member = as_role("member")
    assert member.statistics.annual(case.year).total == 1
    coordinator_again = as_role("coordinator")
    refused = [
        e.summary for e in coordinator_again.audit_events() if e.action == "permission.denied"
    ]
    assert refused.count("refused: export or transfer cases out of the vault") == 4
    assert refused.count("refused: import or receive cases") == 6
    assert refused.count("refused: produce annual statistics") == 1
