"""Dates, times, names and counts as people read them: one place, the same on screen and paper.

No Qt here, so the reports use it as the window does. The team chooses a date format in
Settings (``TeamSettings.date_format``); when it has not, dates follow this computer's
regional format, which the window reads from ``QLocale`` at start-up and hands to
:func:`follow_system`. A command run without the window writes "5 Dec 2026", which no one
misreads.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time

MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")

# The team's choices, with how 5 December 2026 looks in each. "" follows this computer.
DATE_STYLES: dict[str, str] = {
    "": "As on this computer",
    "day_month_year": "5 Dec 2026",
    "month_day_year": "Dec 5, 2026",
    "numeric_dmy": "05/12/2026",
    "numeric_mdy": "12/05/2026",
    "iso": "2026-12-05",
}
FALLBACK_STYLE = "day_month_year"

_team_style = ""
_system_style = FALLBACK_STYLE
_system_clock_24h = True


def use_date_style(style: str) -> None:
    """The team's date format from Settings ("" to follow this computer)."""
    global _team_style
    _team_style = style if style in DATE_STYLES else ""


def follow_system(style: str, *, clock_24h: bool = True) -> None:
    """This computer's regional format, as the window read it (see ``system_style_for``)."""
    global _system_style, _system_clock_24h
    _system_style = style if style in DATE_STYLES and style else FALLBACK_STYLE
    _system_clock_24h = clock_24h


def date_style() -> str:
    """The date format in force: the team's choice, else this computer's."""
    return _team_style or _system_style


def system_date_style() -> str:
    """This computer's date style (what "As on this computer" means)."""
    return _system_style


def uses_24_hour_clock() -> bool:
    """Whether times of day are written "14:05" (else "2:05 PM"), as on this computer."""
    return _system_clock_24h


def system_style_for(pattern: str) -> str:
    """The nearest of our styles to a locale's date pattern ("M/d/yy" gives month_day_year).

    A locale's numeric short date is often ambiguous ("5/12/26"), so the computer's order of
    day and month is kept but the month is written as a word.
    """
    letters = [c for c in pattern if c in "dMy"]
    order = "".join(dict.fromkeys(letters))
    if order.startswith("y"):
        return "iso"
    if order.startswith("M"):
        return "month_day_year"
    return "day_month_year"


def local_time(moment: datetime) -> datetime:
    """A stored time (UTC; naive means UTC) in this computer's time zone."""
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone()


def format_date(value: date | datetime | None, style: str | None = None) -> str:
    """A day in the format in force ("5 Dec 2026"); a datetime is read in local time."""
    if value is None:
        return ""
    if isinstance(value, datetime):
        value = local_time(value).date()
    style = style or date_style()
    d, m, y = value.day, value.month, value.year
    if style == "month_day_year":
        return f"{MONTHS[m - 1]} {d}, {y}"
    if style == "numeric_dmy":
        return f"{d:02d}/{m:02d}/{y}"
    if style == "numeric_mdy":
        return f"{m:02d}/{d:02d}/{y}"
    if style == "iso":
        return f"{y}-{m:02d}-{d:02d}"
    return f"{d} {MONTHS[m - 1]} {y}"


def format_iso_date(text: str) -> str:
    """A stored day ("2026-05-12", e.g. a form's date answer) for reading; odd text unchanged."""
    try:
        return format_date(date.fromisoformat(text))
    except ValueError:
        return text


def format_clock(value: time | datetime) -> str:
    """A time of day: "14:05", or "2:05 PM" where this computer uses a 12-hour clock."""
    if isinstance(value, datetime):
        value = local_time(value).time()
    if _system_clock_24h:
        return f"{value.hour:02d}:{value.minute:02d}"
    hour = value.hour % 12 or 12
    return f"{hour}:{value.minute:02d} {'AM' if value.hour < 12 else 'PM'}"


def format_datetime(value: datetime | None) -> str:
    """A stored moment in local time: "5 Dec 2026, 14:05"."""
    if value is None:
        return ""
    return f"{format_date(value)}, {format_clock(value)}"


def format_stored_datetime(text: object) -> str:
    """A stored ISO moment (e.g. a draft's); "" when there is none or it is garbled."""
    try:
        return format_datetime(datetime.fromisoformat(str(text)))
    except ValueError:
        return ""


def plural(count: int, singular: str, plural_form: str | None = None) -> str:
    """'1 case', '2 cases', '0 entries', '12,400 cases' (give ``plural_form`` when adding s
    is wrong)."""
    word = singular if count == 1 else (plural_form or singular + "s")
    return f"{count:,} {word}"


def person_name(full_name: str | None, username: str | None = None) -> str:
    """A person as others read them: the full name, else the sign-in name, else "someone"."""
    name = " ".join((full_name or "").split())
    if name:
        return name
    return (username or "").strip() or "someone"


__all__ = [
    "DATE_STYLES",
    "date_style",
    "follow_system",
    "format_clock",
    "format_date",
    "format_datetime",
    "format_iso_date",
    "format_stored_datetime",
    "local_time",
    "person_name",
    "plural",
    "system_date_style",
    "system_style_for",
    "use_date_style",
    "uses_24_hour_clock",
]
