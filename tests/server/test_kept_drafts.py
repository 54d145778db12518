"""Drafts typed while the team server cannot be reached: kept on this computer, listed as such
in the drafts list, and sent to the server as soon as it answers again."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from pytestqt.qtbot import QtBot

from btam_desktop.services.app import Btam
from btam_desktop.services.drafts import KEPT_HERE
from btam_desktop.services.team_server import unlock_server
from btam_desktop.store.server.connection import ServerUnavailableError, parse_server_url
from btam_desktop.store.server.store import _engine
from tests.server.conftest import open_team
from tests.server.test_server_store import PASSWORD, team, url  # noqa: F401 (fixtures)
from tests.server.throwaway_postgres import ThrowawayPostgres


@contextmanager
def server_away(app: Btam, postgres: ThrowawayPostgres) -> Iterator[None]:
    """The network to the server is gone (a closed port), then back."""
    reachable = app.vault._engine  # type: ignore[attr-defined]
    closed_port = postgres.port + 1 if postgres.port < 65535 else postgres.port - 1
    away = parse_server_url(f"postgresql://btam_admin@127.0.0.1:{closed_port}/x?connect_timeout=2")
    app.vault._engine = _engine(away)  # type: ignore[attr-defined]
    try:
        yield
    finally:
        app.vault._engine.dispose()  # type: ignore[attr-defined]
        app.vault._engine = reachable  # type: ignore[attr-defined]


def test_drafts_kept_here_are_listed_as_such_while_the_server_is_away(
    team: Btam,  # noqa: F811
    postgres: ThrowawayPostgres,
) -> None:
    team.drafts.save("intake", {"narrative": "on the server"})
    team.drafts.save("overview", {"site": "North"}, "7")
    with server_away(team, postgres):
        team.drafts.save("overview", {"site": "Typed while away"}, "7")
        team.drafts.save("plan", {"goals": "Also typed while away"}, "9")
        with pytest.raises(ServerUnavailableError):
            team.cases.get(1)  # records need the server; the drafts list does not
        listed = team.drafts.list()
    # Only what is kept here is known while away; each says so, newest first, no content.
    assert [(d.kind, d.subject, d.where) for d in listed] == [
        ("plan", "9", KEPT_HERE),
        ("overview", "7", KEPT_HERE),
    ]
    assert all(d.kept_here for d in listed)
    assert "away" not in repr(listed)  # the list carries no content


def test_drafts_kept_here_are_sent_when_the_server_answers_again(
    team: Btam,  # noqa: F811
    postgres: ThrowawayPostgres,
) -> None:
    team.drafts.save("intake", {"narrative": "on the server"})
    team.drafts.save("overview", {"site": "North"}, "7")
    with server_away(team, postgres):
        team.drafts.save("overview", {"site": "Typed while away"}, "7")
        team.drafts.save("plan", {"goals": "Also typed while away"}, "9")
    kept_folder = team.vault.folder / "drafts"
    assert len(list(kept_folder.iterdir())) == 2
    # Back: listing sends what waited here, and the list shows everything on the server.
    listed = team.drafts.list()
    assert sorted((d.kind, d.subject, d.kept_here) for d in listed) == [
        ("intake", "", False),
        ("overview", "7", False),
        ("plan", "9", False),
    ]
    assert list(kept_folder.iterdir()) == []
    # What was sent is on the server itself: another computer's session reads it there.
    assert team.drafts.load("overview", "7") == {"site": "Typed while away"}
    assert team.drafts.load("plan", "9") == {"goals": "Also typed while away"}


def test_signing_in_again_sends_the_drafts_kept_here(
    team: Btam,  # noqa: F811
    postgres: ThrowawayPostgres,
    url: str,  # noqa: F811
) -> None:
    with server_away(team, postgres):
        team.drafts.save("intake", {"narrative": "Typed on the bus"})
    kept_folder = team.vault.folder / "drafts"
    assert len(list(kept_folder.iterdir())) == 1
    team.lock()
    again = unlock_server(url, "coord", PASSWORD)
    try:
        assert list(kept_folder.iterdir()) == []
        assert [(d.kind, d.kept_here) for d in again.drafts.list()] == [("intake", False)]
        assert again.drafts.load("intake") == {"narrative": "Typed on the bus"}
    finally:
        again.lock()


def test_a_newer_draft_on_the_server_is_not_overwritten_by_an_older_one_kept_here(
    team: Btam,  # noqa: F811
    postgres: ThrowawayPostgres,
    url: str,  # noqa: F811
) -> None:
    # The same person is also signed in on another computer, which reaches the server.
    elsewhere = open_team(url, "coord", PASSWORD)
    try:
        with server_away(team, postgres):
            team.drafts.save("intake", {"narrative": "older, typed here"})
        elsewhere.drafts.save("intake", {"narrative": "newer, typed elsewhere"})
    finally:
        elsewhere.lock()
    assert team.drafts.send_kept() == 0
    assert team.drafts.load("intake") == {"narrative": "newer, typed elsewhere"}
    assert list((team.vault.folder / "drafts").iterdir()) == []


def test_the_dashboard_says_drafts_are_kept_here_then_sends_them(
    qtbot: QtBot,
    team: Btam,  # noqa: F811
    postgres: ThrowawayPostgres,
) -> None:
    from btam_desktop.ui import tasks
    from btam_desktop.ui.pages.dashboard import DashboardPage

    with server_away(team, postgres):
        team.drafts.save("intake", {"narrative": "Typed in the gym office"})
        page = DashboardPage(team)
        qtbot.addWidget(page)
        page.resize(1280, 800)
        page.show()
        assert tasks.wait_for_idle(30_000)
        # The numbers need the server; the drafts kept here are still told about.
        assert page.error_banner.isVisible() and "cannot be reached" in page.error_banner.text()
        assert page.drafts_banner.isVisible()
        text = page.drafts_banner.text()
        assert "1 draft is kept on this computer, not yet on the team server" in text
        assert "gym" not in text
        from pathlib import Path

        shots = Path("/tmp/shots/srvdata")
        shots.mkdir(parents=True, exist_ok=True)
        page.grab().save(str(shots / "dashboard_kept_drafts.png"))
    page.refresh()  # the server answers again: the draft is sent, the notice goes
    assert tasks.wait_for_idle(30_000)
    assert not page.drafts_banner.isVisible() and not page.error_banner.isVisible()
    assert list((team.vault.folder / "drafts").iterdir()) == []
    assert team.drafts.load("intake") == {"narrative": "Typed in the gym office"}


def test_a_kept_draft_opens_only_under_its_own_name_and_lists_only_for_its_owner(
    tmp_path: Path,
) -> None:
    import os
    import shutil

    from btam_desktop.store.server.local_drafts import LocalDrafts

    here = LocalDrafts(tmp_path / "drafts", os.urandom(32), "team-1")
    here.keep(7, "intake", "", {"narrative": "Jamie's words"})
    here.keep(8, "plan", "3", {"goals": "another person's"})
    assert [(d.kind, d.payload) for d in here.kept(7)] == [
        ("intake", {"narrative": "Jamie's words"})
    ]
    assert [d.owner for d in here.kept(8)] == [8]
    # A file copied under another draft's name does not open there (nor is it listed).
    shutil.copy(here._path(7, "intake", ""), here._path(7, "plan", "3"))
    assert here.load(7, "plan", "3") is None
    assert [d.kind for d in here.kept(7)] == ["intake"]
    # Another team's key opens nothing.
    other = LocalDrafts(tmp_path / "drafts", os.urandom(32), "team-1")
    assert other.kept(7) == [] and other.load(7, "intake", "") is None
    for path in (tmp_path / "drafts").iterdir():
        assert b"Jamie" not in path.read_bytes() and b"intake" not in path.read_bytes()
