"""The window's side of ``domain.formatting``: this computer's regional format from QLocale,
and the matching pattern for date fields, so what is typed looks like what is shown."""

from __future__ import annotations

from PySide6.QtCore import QLocale

from btam_desktop.domain.formatting import (
    date_style,
    follow_system,
    system_style_for,
    uses_24_hour_clock,
)

# Qt display patterns for date fields, one per style of domain.formatting.
_FIELD_PATTERNS = {
    "day_month_year": "d MMM yyyy",
    "month_day_year": "MMM d, yyyy",
    "numeric_dmy": "dd/MM/yyyy",
    "numeric_mdy": "MM/dd/yyyy",
    "iso": "yyyy-MM-dd",
}


def follow_system_locale(locale: QLocale | None = None) -> None:
    """Tell the shared formatting how this computer writes dates and the time of day."""
    locale = locale or QLocale()
    if locale.language() == QLocale.Language.C:
        follow_system("day_month_year", clock_24h=True)
        return
    pattern = locale.dateFormat(QLocale.FormatType.ShortFormat)
    clock = locale.timeFormat(QLocale.FormatType.ShortFormat)
    follow_system(system_style_for(pattern), clock_24h="a" not in clock.lower())


def date_field_pattern() -> str:
    """The display pattern for a QDateEdit in the date format in force."""
    return _FIELD_PATTERNS.get(date_style(), "d MMM yyyy")


def datetime_field_pattern() -> str:
    """The display pattern for a QDateTimeEdit: the date as above, then the time of day."""
    clock = "HH:mm" if uses_24_hour_clock() else "h:mm AP"
    return f"{date_field_pattern()}  {clock}"


__all__ = ["date_field_pattern", "datetime_field_pattern", "follow_system_locale"]
