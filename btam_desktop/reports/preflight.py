"""Before printing: which fields hold characters that no embedded font can print.

Printed documents choose a font character by character (see ``reports/fonts.py``), so nearly
everything prints. What still cannot (a private-use character, a script no bundled font has)
is named here, field by field, so the print preview and the CLI can say so before anything is
printed. Field labels name the kind of record, its number and the field, never its content.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from btam_desktop.reports.base import fmt_date
from btam_desktop.reports.fonts import MISSING_MARK, describe_chars, unprintable

if TYPE_CHECKING:
    from btam_desktop.services.app import Btam


@dataclass(frozen=True)
class UnprintableField:
    """A field holding characters no font can print."""

    field: str  # e.g. "Person 3 (witness): full name"
    chars: tuple[str, ...]

    def message(self) -> str:
        return f"{self.field}: {describe_chars(self.chars)}"


def check_fields(fields: Iterable[tuple[str, object]]) -> list[UnprintableField]:
    """The fields (label, value) whose text has characters no font can print. A value may be
    text or a structure of lists and dicts holding text (form answers)."""
    problems: list[UnprintableField] = []
    for label, value in fields:
        chars: dict[str, None] = {}
        for text in _texts(value):
            for char in unprintable(text):
                chars[char] = None
        if chars:
            problems.append(UnprintableField(label, tuple(chars)))
    return problems


def _texts(value: object) -> Iterator[str]:
    if isinstance(value, str):
        if not value.isascii():
            yield value
    elif isinstance(value, dict):
        for item in value.values():
            yield from _texts(item)
    elif isinstance(value, list | tuple):
        for item in value:
            yield from _texts(item)


def _record_fields(
    kind: str, number: int, record: Any, names: Iterable[str]
) -> Iterator[tuple[str, object]]:
    for name in names:
        value = getattr(record, name, None)
        if value:
            yield f"{kind} {number}: {name.replace('_', ' ')}", value


#: The case file parts (services/case_file.py) whose text a case document may print.
_PRINTED_PARTS = frozenset(
    {
        "people",
        "reports",
        "timeline",
        "notes",
        "levels",
        "transitions",
        "disclosures",
        "assessments",
        "plan",
    }
)


def case_fields(app: Btam, case_id: int) -> list[tuple[str, object]]:
    """Every text field of a case that a document may print, labelled for a message."""
    file = app.case_file(case_id, _PRINTED_PARTS)  # one read: the fields agree with each other
    case = file.case
    fields: list[tuple[str, object]] = [
        (f"Case {case.number}: {name.replace('_', ' ')}", getattr(case, name, None))
        for name in ("title", "site", "summary", "closure_summary")
    ]
    for n, person in enumerate(file.people, start=1):
        label = f"Person {n} ({person.role.replace('_', ' ')})"
        fields += [
            (f"{label}: {name.replace('_', ' ')}", getattr(person, name, None))
            for name in ("full_name", "affiliation", "grade_or_position", "contact", "notes")
        ]
    for n, report in enumerate(file.reports, start=1):
        fields += _record_fields(
            "Report of concern", n, report, ("narrative", "threat_quote", "site", "location")
        )
    for n, entry in enumerate(file.timeline, start=1):
        fields += _record_fields("Timeline entry", n, entry, ("description", "obtained_how"))
    for n, note in enumerate(file.notes, start=1):
        fields.append((f"Note {n} of {fmt_date(note.created_at)}: text", note.body))
    for n, decision in enumerate(file.levels, start=1):
        fields += _record_fields("Level decision", n, decision, ("rationale",))
    for n, step in enumerate(file.transitions, start=1):
        fields += _record_fields("Workflow decision", n, step, ("reason",))
    for n, disclosure in enumerate(file.disclosures, start=1):
        fields += _record_fields(
            "Disclosure",
            n,
            disclosure,
            ("recipient_name", "information_disclosed", "purpose", "articulable_threat"),
        )
    for n, assessment in enumerate(file.assessments, start=1):
        fields += _record_fields(
            "Assessment", n, assessment, ("answers", "rationale", "participants")
        )
    plan = file.plan
    if plan is not None and plan.id is not None:
        fields += _record_fields(
            "Management plan", plan.version, plan, ("goals", "supervision", "safety_plan")
        )
        for n, item in enumerate(file.interventions, start=1):
            fields += _record_fields(
                "Plan intervention", n, item, ("title", "notes", "dropped_reason")
            )
    return fields


def team_fields(app: Btam) -> list[tuple[str, object]]:
    """The team settings that appear on documents."""
    settings = app.settings()
    return [
        (f"Team settings: {name.replace('_', ' ')}", getattr(settings, name, None))
        for name in (
            "team_name",
            "contact_name",
            "contact_phone",
            "contact_email",
            "report_instructions",
            "confidentiality_line",
        )
    ]


def case_problems(app: Btam, case_id: int) -> list[UnprintableField]:
    """The fields of a case (and the team settings) that cannot be printed in full."""
    return check_fields([*team_fields(app), *case_fields(app, case_id)])


def team_problems(app: Btam) -> list[UnprintableField]:
    """The team settings that cannot be printed in full (documents without a case)."""
    return check_fields(team_fields(app))


def warning_text(problems: list[UnprintableField], *, limit: int = 8) -> str:
    """A message for the person printing; '' when there is nothing to say."""
    if not problems:
        return ""
    lines = [
        "Some characters cannot be printed: no font in BTAM Desktop has them. They will show "
        f"as {MISSING_MARK} on paper. Everything else prints. Check these fields, and write the "
        "missing characters by hand on the printout if they matter:"
    ]
    lines += [f"\u2022 {p.message()}" for p in problems[:limit]]
    if len(problems) > limit:
        lines.append(f"\u2022 \u2026and {len(problems) - limit} more fields.")
    return "\n".join(lines)
