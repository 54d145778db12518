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
