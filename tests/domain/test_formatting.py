"""One place for dates, times, names and counts (domain.formatting, no Qt)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, date, datetime, time, timedelta, timezone

import pytest

from btam_desktop.domain import formatting
from btam_desktop.domain.formatting import (
    DATE_STYLES,
    date_style,
    follow_system,
    format_clock,
    format_date,
    format_datetime,
    format_iso_date,
    format_stored_datetime,
    person_name,
    plural,
    system_style_for,
    use_date_style,
)

DAY = date(2026, 12, 5)


@pytest.fixture(autouse=True)
def _restore_styles() -> Iterator[None]:
    team, system, clock = (
        formatting._team_style,
        formatting._system_style,
        formatting._system_clock_24h,
    )
    yield
    formatting._team_style, formatting._system_style = team, system
    formatting._system_clock_24h = clock


@pytest.mark.parametrize(
    ("style", "shown"),
    [
        ("day_month_year", "5 Dec 2026"),
        ("month_day_year", "Dec 5, 2026"),
        ("numeric_dmy", "05/12/2026"),
        ("numeric_mdy", "12/05/2026"),
        ("iso", "2026-12-05"),
    ],
)
def test_each_team_format(style: str, shown: str) -> None:
    use_date_style(style)
    assert format_date(DAY) == shown
    # the Settings list shows each choice as it looks
    assert DATE_STYLES[style] == shown


def test_no_team_choice_follows_the_computer_and_a_command_line_writes_the_day_in_words() -> None:
    use_date_style("")
    follow_system("month_day_year")
    assert date_style() == "month_day_year" and format_date(DAY) == "Dec 5, 2026"
    follow_system("")  # nothing known about the computer
    assert format_date(DAY) == "5 Dec 2026"


def test_an_unknown_style_is_ignored() -> None:
    follow_system("day_month_year")
    use_date_style("klingon")
    assert format_date(DAY) == "5 Dec 2026"


def test_the_computers_order_of_day_and_month_is_kept_but_never_ambiguous() -> None:
    assert system_style_for("M/d/yy") == "month_day_year"  # United States
    assert system_style_for("dd/MM/yyyy") == "day_month_year"  # United Kingdom
    assert system_style_for("dd.MM.yy") == "day_month_year"  # Germany
    assert system_style_for("yyyy-MM-dd") == "iso"  # Sweden
    assert system_style_for("y/M/d") == "iso"  # Japan


def test_a_stored_utc_moment_is_shown_in_local_time() -> None:
    use_date_style("iso")
    follow_system("iso", clock_24h=True)
    moment = datetime(2026, 12, 5, 23, 30, tzinfo=UTC)
    local = moment.astimezone()
    assert format_datetime(moment) == f"{local:%Y-%m-%d}, {local:%H:%M}"
    # naive stored times are UTC
    assert format_datetime(moment.replace(tzinfo=None)) == format_datetime(moment)
    assert format_date(moment) == f"{local:%Y-%m-%d}"
    assert format_datetime(None) == "" and format_date(None) == ""


def test_twelve_and_twenty_four_hour_clocks() -> None:
    follow_system("day_month_year", clock_24h=True)
    assert format_clock(time(14, 5)) == "14:05"
    assert format_clock(time(0, 7)) == "00:07"
    follow_system("day_month_year", clock_24h=False)
    assert format_clock(time(14, 5)) == "2:05 PM"
    assert format_clock(time(0, 7)) == "12:07 AM"
    assert format_clock(time(12, 0)) == "12:00 PM"
    moment = datetime(2026, 12, 5, 9, 0, tzinfo=timezone(timedelta(hours=-5)))
    assert format_clock(moment) == format_clock(moment.astimezone().time())


def test_stored_text() -> None:
    use_date_style("day_month_year")
    assert format_iso_date("2026-05-12") == "12 May 2026"
    assert format_iso_date("sometime in May") == "sometime in May"
    assert format_stored_datetime("not a time") == ""
    assert format_stored_datetime(None) == ""
    assert format_stored_datetime("2026-05-12T10:00:00+00:00").startswith("12 May 2026, ")


def test_plurals_and_names() -> None:
    assert plural(1, "case") == "1 case"
    assert plural(2, "case") == "2 cases"
    assert plural(0, "entry", "entries") == "0 entries"
    assert person_name("  Morgan   Member ", "morgan") == "Morgan Member"
    assert person_name("", "morgan") == "morgan"
    assert person_name(None, None) == "someone"
