"""Moving a team's cases from a vault to a team server and back, through export and import:
every field arrives, the counts match, and both audit chains verify."""

from __future__ import annotations

import json
from pathlib import Path

from btam_desktop.domain.enums import CaseSetting
from btam_desktop.services.app import NewTeam
from btam_desktop.services.demo import create_demo_vault
from btam_desktop.services.team_server import create_team_server
from tests.server.throwaway_postgres import ThrowawayPostgres
from tests.services.conftest import CHEAP
from tests.services.test_exchange import _first_difference, comparable, fresh_vault


def test_a_vault_moves_to_a_team_server_and_back(
    tmp_path: Path, postgres: ThrowawayPostgres, server_db: str
) -> None:
    vault = create_demo_vault(tmp_path / "demo", kdf_params=CHEAP)
    server, _ = create_team_server(
        postgres.url(server_db),
        NewTeam(
            "District", CaseSetting.SCHOOL, "scale.four-level", "lee", "Lee Lead", "lee pw 12345"
        ),
        kdf_params=CHEAP,
    )
    back = fresh_vault(tmp_path / "back")
    try:
        ids = vault.exchange.all_case_ids()
        vault.records.add_attachment(ids[0], "scan.txt", b"fictional scan\n", "scan")
        original = json.loads(vault.exchange.export_json(ids, include_files=True))

        preview = server.exchange.preview_json(json.dumps(original).encode())
        assert preview.ok, preview.problems
        server.exchange.import_json(preview)
        on_server = json.loads(
            server.exchange.export_json(server.exchange.all_case_ids(), include_files=True)
        )
        assert len(on_server["cases"]) == len(original["cases"]) >= 8
        assert _first_difference(comparable(on_server), comparable(original)) is None

        preview = back.exchange.preview_json(json.dumps(on_server).encode())
        assert preview.ok, preview.problems
        back.exchange.import_json(preview)
        returned = json.loads(
            back.exchange.export_json(back.exchange.all_case_ids(), include_files=True)
        )
        assert _first_difference(comparable(returned), comparable(original)) is None
        for app in (vault, server, back):
            report = app.verify_audit()
            assert report.ok, report.describe()
    finally:
        for app in (vault, server, back):
            if app.vault.is_open:
                app.lock()


def test_btam_server_move_copies_a_vault_to_the_server_without_a_file(
    tmp_path: Path, postgres: ThrowawayPostgres, server_db: str, monkeypatch, capsys
) -> None:
    import io

    from btam_desktop.cli import main
    from btam_desktop.services.app import unlock
    from btam_desktop.services.cases import CaseQuery
    from btam_desktop.services.team_server import unlock_server

    url = postgres.url(server_db)
    vault = create_demo_vault(tmp_path / "demo", kdf_params=CHEAP)
    count = len(vault.exchange.all_case_ids())
    vault.lock()
    server, _ = create_team_server(
        url,
        NewTeam(
            "District", CaseSetting.SCHOOL, "scale.four-level", "lee", "Lee Lead", "lee pw 12345"
        ),
        kdf_params=CHEAP,
    )
    server.lock()
    before = {p.name for p in tmp_path.rglob("*")}
    monkeypatch.setattr("sys.stdin", io.StringIO("demo\nlee pw 12345\n"))
    args = ["server", "move", "--vault", str(tmp_path / "demo"), "--user", "demo"]
    code = main([*args, "--server", url, "--server-user", "lee", "--password-stdin"])
    out, err = capsys.readouterr()
    assert code == 0, err
    assert f"Copied {count} of {count} cases to the team server" in out
    assert out.count("Audit trail intact") == 2
    assert {p.name for p in tmp_path.rglob("*")} == before  # no export file was written
    again = unlock_server(url, "lee", "lee pw 12345")
    try:
        assert again.cases.count(CaseQuery()) == count
    finally:
        again.lock()
    source = unlock(tmp_path / "demo", "demo", "demo")
    try:
        assert source.cases.count(CaseQuery()) == count  # the source is left as it was
    finally:
        source.lock()
