"""Small helpers shared by the wizard, the viewer, the assessments tab and the forms page:
error messages, times, badges, and safe HTML for guidance and answers.

Everything put into HTML is escaped first: form files come from a team's folder and answers
are case content, and neither may ever be interpreted as markup.
"""

from __future__ import annotations

import html
from datetime import datetime, time

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel, QSizePolicy, QWidget

from btam_desktop.domain.enums import InformationSource, Reliability
from btam_desktop.domain.formatting import format_clock, format_datetime, format_iso_date
from btam_desktop.domain.forms import FormDefinition, display_value
from btam_desktop.ui import messages
from btam_desktop.ui.messages import NOT_SAVED
from btam_desktop.ui.theme import current_colors, set_style_role

KIND_TITLES: dict[str, str] = {
    "intake": "Intake forms",
    "screening": "Screenings",
    "assessment": "Full assessments",
    "interview": "Interview guides",
    "checklist": "Checklists",
    "catalog": "Catalogs",
    "scale": "Level-of-concern scales",
}

KIND_NAMES: dict[str, str] = {
    "intake": "Intake",
    "screening": "Screening",
    "assessment": "Full assessment",
    "interview": "Interview",
    "checklist": "Checklist",
    "catalog": "Catalog",
}

SETTING_NAMES: dict[str, str] = {
    "any": "any setting",
    "school": "schools",
    "workplace": "workplaces",
    "campus": "campuses",
    "community": "community settings",
}

FLAG_LABELS: dict[str, str] = {
    "risk_factor": "Risk factor",
    "protective_factor": "Protective factor",
    "red_flag": "Red flag",
}


# ---- errors --------------------------------------------------------------------------------


def error_message(error: BaseException) -> str:
    """The shared wording (``ui.messages``) for the assessment windows."""
    return messages.error_message(error, NOT_SAVED, during="an assessment window")


DRAFT_NOT_SAVED = (
    "The draft could not be saved because something went wrong. Your answers are still on "
    "this form: try Save draft again, and if it keeps failing, tell your coordinator before "
    "you close the form."
)


def draft_not_saved(error: BaseException) -> str:
    """A failed draft save: the error's own words after saying what failed, or, for a bug,
    that the answers are still on the form (restarting, the generic advice, would lose them)."""
    if messages.is_user_error(error):
        return f"The draft could not be saved. {error}"
    return messages.error_message(error, DRAFT_NOT_SAVED, during="saving an assessment draft")


# ---- times ---------------------------------------------------------------------------------


def fmt_datetime(value: datetime | None) -> str:
    """A stored (UTC) time in local time: "12 May 2026, 10:42" (the team's date format)."""
    return format_datetime(value)


def fmt_date_iso(text: str) -> str:
    """A stored answer date ("2026-05-12") for reading, as on paper: "12 May 2026"."""
    return format_iso_date(text)


def fmt_clock(now: time | None = None) -> str:
    """The current time of day for "Saved at 10:42"."""
    return format_clock(now or datetime.now().time())


# ---- labels and badges ---------------------------------------------------------------------


def plain_label(text: str = "", *, wrap: bool = True, selectable: bool = False) -> QLabel:
    label = QLabel(text)
    label.setTextFormat(Qt.TextFormat.PlainText)
    label.setWordWrap(wrap)
    if selectable:
        label.setTextInteractionFlags(
            Qt.TextInteractionFlag.TextSelectableByMouse
            | Qt.TextInteractionFlag.TextSelectableByKeyboard
        )
    return label


def role_label(text: str, role: str, *, wrap: bool = True) -> QLabel:
    label = plain_label(text, wrap=wrap)
    set_style_role(label, role)
    return label


def badge_colors(kind: str) -> tuple[str, str]:
    """(background, text) for a small badge: risk_factor, protective_factor, red_flag,
    required, builtin, custom, draft, completed, amendment."""
    colors = current_colors()
    dark = colors.dark
    table: dict[str, tuple[str, str]] = {
        "risk_factor": (colors.warning_bg, colors.warning_fg),
        "protective_factor": ("#1e3d24", "#cfeed5") if dark else ("#e1f2e3", "#1b4d22"),
        "red_flag": (colors.danger_bg, colors.danger_fg),
        "required": (colors.badge_bg, colors.badge_fg),
        "builtin": (colors.badge_bg, colors.badge_fg),
        "custom": (colors.info_bg, colors.info_fg),
        "draft": (colors.warning_bg, colors.warning_fg),
        "completed": ("#1e3d24", "#cfeed5") if dark else ("#e1f2e3", "#1b4d22"),
        "amendment": (colors.info_bg, colors.info_fg),
    }
    return table.get(kind, (colors.badge_bg, colors.badge_fg))


def badge(text: str, kind: str, parent: QWidget | None = None) -> QLabel:
    """A small rounded label such as "Risk factor" or "Team's own"."""
    label = QLabel(text, parent)
    label.setTextFormat(Qt.TextFormat.PlainText)
    background, foreground = badge_colors(kind)
    label.setStyleSheet(
        f"QLabel {{ color: {foreground}; background-color: {background}; border-radius: 8px;"
        " padding: 1px 8px; font-weight: 600; font-size: 8.5pt; }"
    )
    label.setAccessibleName(text)
    label.setSizePolicy(QSizePolicy.Policy.Fixed, QSizePolicy.Policy.Fixed)
    return label


def badge_html(text: str, kind: str) -> str:
    background, foreground = badge_colors(kind)
    return (
        f'<span style="background-color:{background}; color:{foreground}; font-weight:600;">'
        f"&nbsp;{esc(text).replace(' ', '&nbsp;')}&nbsp;</span>"
    )


def level_chip_html(label: str, color: str) -> str:
    from btam_desktop.ui.theme import level_text_color

    return (
        f'<span style="background-color:{color}; color:{level_text_color(color)}; '
        f'font-weight:700;">&nbsp;{esc(label).replace(" ", "&nbsp;")}&nbsp;</span>'
    )


# ---- HTML ----------------------------------------------------------------------------------


def esc(text: object) -> str:
    return html.escape(str(text), quote=True)


def guidance_html(text: str) -> str:
    """Guidance text as HTML: blank lines separate paragraphs; lines starting "- " are bullets
    (a bullet continues on the following indented lines)."""
    blocks: list[str] = []
    paragraph: list[str] = []
    bullets: list[str] = []

    def flush_paragraph() -> None:
        if paragraph:
            blocks.append(f"<p>{esc(' '.join(paragraph))}</p>")
            paragraph.clear()

    def flush_bullets() -> None:
        if bullets:
            items = "".join(f"<li>{esc(b)}</li>" for b in bullets)
            blocks.append(f"<ul>{items}</ul>")
            bullets.clear()

    for raw in text.splitlines():
        line = raw.strip()
        if not line:
            flush_paragraph()
            flush_bullets()
        elif line.startswith("- "):
            flush_paragraph()
            bullets.append(line[2:].strip())
        elif bullets and raw[:1] in (" ", "\t"):
            bullets[-1] = f"{bullets[-1]} {line}"
        else:
            flush_bullets()
            paragraph.append(line)
    flush_paragraph()
    flush_bullets()
    return "".join(blocks)


def numbered(number: int, title: str) -> str:
    """ "3. Communications", unless the title already starts with its own number."""
    return title if title[:1].isdigit() else f"{number}. {title}"


def source_text(source: str | None, detail: str, reliability: str | None) -> str:
    """ "Source: interview (teacher, 3 May) · reliability: probable", or "" if none recorded."""
    parts: list[str] = []
    if source:
        try:
            name = InformationSource(source).label.lower()
        except ValueError:
            name = source
        parts.append(f"Source: {name}" + (f" ({detail})" if detail else ""))
    elif detail:
        parts.append(f"Source: {detail}")
    if reliability:
        try:
            rel = Reliability(reliability).label.lower()
        except ValueError:
            rel = reliability
        parts.append(f"reliability: {rel}")
    return " · ".join(parts)


def answer_text(definition: FormDefinition, item_id: str, value: object) -> str:
    """An answer in words, dates written out."""
    item = definition.item(item_id)
    if item.type == "date" and isinstance(value, str):
        return fmt_date_iso(value)
    if item.type == "yes_no_unknown" and isinstance(value, str):
        return value.capitalize()
    return display_value(item, value)  # type: ignore[arg-type]
