"""Answers to a form, and checking one answer against its item.

Answers are plain, JSON-friendly values so a completed form can be stored and read back:

=================  ==========================================================
item type          value
=================  ==========================================================
yes_no_unknown     ``"yes"``, ``"no"`` or ``"unknown"``
single_choice      a choice id
multiple_choice    a tuple of choice ids (a list is accepted and converted)
checklist          a tuple of the ids of the ticked checks; a check that does not apply
                   is ``"na:<id>:<why>"`` (never ticked as if it were true)
short_text         text on one line
long_text          text
date               ``"YYYY-MM-DD"``
number             an int or a float
rating             an int between the item's min and max
=================  ==========================================================

``None``, ``""`` and an empty tuple all mean "not answered".
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any

from btam_desktop.domain.enums import InformationSource, Reliability
from btam_desktop.domain.forms.schema import (
    YES_NO_UNKNOWN,
    AnyItem,
    FormDefinition,
    NumberItem,
    RatingItem,
)

AnswerValue = str | int | float | tuple[str, ...] | None

MAX_SHORT_TEXT = 500
MAX_LONG_TEXT = 100_000
_ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")


@dataclass(frozen=True)
class Answer:
    """One item's answer, and where the information came from when the item asks for it."""

    value: AnswerValue = None
    source: str | None = None
    source_detail: str = ""
    reliability: str | None = None

    def __post_init__(self) -> None:
        if isinstance(self.value, list):
            object.__setattr__(self, "value", tuple(self.value))

    @property
    def empty(self) -> bool:
        return is_empty(self.value)


def is_empty(value: object) -> bool:
    return value is None or (isinstance(value, str | tuple | list) and len(value) == 0)


class Answers(Mapping[str, Answer]):
    """An immutable mapping of item id to :class:`Answer`. Changes return a new object."""

    __slots__ = ("_entries",)

    def __init__(
        self, entries: Mapping[str, Answer | AnswerValue | list[str]] | None = None
    ) -> None:
        converted: dict[str, Answer] = {}
        for item_id, entry in (entries or {}).items():
            converted[item_id] = entry if isinstance(entry, Answer) else Answer(_as_value(entry))
        self._entries = converted

    def __getitem__(self, item_id: str) -> Answer:
        return self._entries[item_id]

    def __iter__(self) -> Iterator[str]:
        return iter(self._entries)

    def __len__(self) -> int:
        return len(self._entries)

    def __repr__(self) -> str:
        return f"Answers({self._entries!r})"

    def value(self, item_id: str) -> AnswerValue:
        entry = self._entries.get(item_id)
        return None if entry is None else entry.value

    def with_answer(
        self,
        item_id: str,
        value: AnswerValue | list[str],
        *,
        source: str | None = None,
        source_detail: str = "",
        reliability: str | None = None,
    ) -> Answers:
        entries: dict[str, Answer | AnswerValue | list[str]] = dict(self._entries)
        entries[item_id] = Answer(_as_value(value), source, source_detail, reliability)
        return Answers(entries)

    def without(self, item_id: str) -> Answers:
        return Answers({k: v for k, v in self._entries.items() if k != item_id})

    def to_dict(self) -> dict[str, dict[str, Any]]:
        """JSON-able: ``{item_id: {"value": ..., "source": ..., ...}}`` without empty extras."""
        result: dict[str, dict[str, Any]] = {}
        for item_id, entry in self._entries.items():
            value = list(entry.value) if isinstance(entry.value, tuple) else entry.value
            stored: dict[str, Any] = {"value": value}
            if entry.source is not None:
                stored["source"] = entry.source
            if entry.source_detail:
                stored["source_detail"] = entry.source_detail
            if entry.reliability is not None:
                stored["reliability"] = entry.reliability
            result[item_id] = stored
        return result

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Answers:
        """The inverse of :meth:`to_dict`. Raises ValueError with a plain message."""
        if not isinstance(data, Mapping):
            raise ValueError("stored answers must be a mapping of item id to answer")
        entries: dict[str, Answer | AnswerValue | list[str]] = {}
        for item_id, stored in data.items():
            if not isinstance(item_id, str) or not isinstance(stored, Mapping):
                raise ValueError(f"the stored answer for {item_id!r} is not readable")
            unknown = set(stored) - {"value", "source", "source_detail", "reliability"}
            if unknown:
                raise ValueError(
                    f"the stored answer for '{item_id}' has unknown keys {sorted(unknown)}"
                )
            raw = stored.get("value")
            if isinstance(raw, list) and not all(isinstance(v, str) for v in raw):
                raise ValueError(f"the stored answer for '{item_id}' has a list that is not ids")
            if raw is not None and not isinstance(raw, str | int | float | list):
                raise ValueError(
                    f"the stored answer for '{item_id}' has a value of an unknown kind"
                )
            source, detail, reliability = (
                stored.get("source"),
                stored.get("source_detail", ""),
                stored.get("reliability"),
            )
            if not (source is None or isinstance(source, str)) or not isinstance(detail, str):
                raise ValueError(f"the stored source for '{item_id}' is not text")
            if not (reliability is None or isinstance(reliability, str)):
                raise ValueError(f"the stored reliability for '{item_id}' is not text")
            entries[item_id] = Answer(_as_value(raw), source, detail, reliability)
        return cls(entries)


def _as_value(value: object) -> AnswerValue:
    if isinstance(value, list):
        return tuple(value)
    if value is None or isinstance(value, str | int | float | tuple):
        return value
    raise TypeError(f"an answer value cannot be a {type(value).__name__}")


@dataclass(frozen=True)
class AnswerProblem:
    """Something wrong with one answer, in words to show next to the item."""

    item_id: str
    message: str


def validate_value(item: AnyItem, value: object) -> str | None:
    """None when ``value`` is a valid answer to ``item`` (or empty), else a plain message."""
    if is_empty(value):
        return None
    label = f"“{item.label}”"
    kind = item.type
    if kind == "yes_no_unknown":
        if value not in YES_NO_UNKNOWN:
            return f"{label} is answered yes, no or unknown."
    elif kind == "single_choice":
        if not isinstance(value, str) or item.choice(value) is None:
            return f"{label}: choose one of the offered answers."
    elif kind in ("multiple_choice", "checklist"):
        if not isinstance(value, tuple | list) or not all(isinstance(v, str) for v in value):
            return f"{label}: choose from the offered answers."
        if kind == "checklist":
            for entry in value:
                parsed = not_applicable(entry)
                if entry.startswith(NOT_APPLICABLE_PREFIX) and (
                    parsed is None or not parsed[1].strip()
                ):
                    return f"{label}: a check that does not apply needs a short reason."
            value = [covered_check(v) for v in value]
        unknown = [v for v in value if item.choice(v) is None]
        if unknown:
            return f"{label}: {', '.join(map(repr, unknown))} is not one of the offered answers."
        if len(set(value)) != len(value):
            return f"{label}: an answer is chosen twice."
    elif kind == "short_text":
        if not isinstance(value, str):
            return f"{label} needs text."
        if "\n" in value or "\r" in value:
            return f"{label} takes one line of text."
        if len(value) > MAX_SHORT_TEXT:
            return f"{label} takes at most {MAX_SHORT_TEXT} characters."
    elif kind == "long_text":
        if not isinstance(value, str):
            return f"{label} needs text."
        if len(value) > MAX_LONG_TEXT:
            return f"{label} takes at most {MAX_LONG_TEXT} characters."
    elif kind == "date":
        return _date_problem(label, value)
    elif isinstance(item, NumberItem):
        return _number_problem(label, item, value)
    elif isinstance(item, RatingItem):
        if isinstance(value, bool) or not isinstance(value, int):
            return f"{label} is rated with a whole number from {item.min} to {item.max}."
        if not item.min <= value <= item.max:
            return f"{label} is rated from {item.min} to {item.max}; {value} is outside."
    return None


def _date_problem(label: str, value: object) -> str | None:
    if not isinstance(value, str) or not _ISO_DATE.match(value):
        return f"{label} needs a date written as year-month-day, like 2024-03-31."
    try:
        date.fromisoformat(value)
    except ValueError:
        return f"{label}: {value} is not a date in the calendar."
    return None


def _number_problem(label: str, item: NumberItem, value: object) -> str | None:
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
        return f"{label} needs a number."
    if item.integer and not float(value).is_integer():
        return f"{label} needs a whole number."
    unit = f" {item.unit}" if item.unit else ""
    if item.min is not None and value < item.min:
        return f"{label} is at least {_number(item.min)}{unit}."
    if item.max is not None and value > item.max:
        return f"{label} is at most {_number(item.max)}{unit}."
    return None


def _number(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else str(value)


_SOURCES = frozenset(s.value for s in InformationSource)
_RELIABILITIES = frozenset(r.value for r in Reliability)


def validate_answers(definition: FormDefinition, answers: Answers) -> list[AnswerProblem]:
    """Every answer that does not fit its item: unknown item, wrong value, unknown source."""
    problems: list[AnswerProblem] = []
    for item_id, entry in answers.items():
        try:
            item = definition.item(item_id)
        except KeyError:
            problems.append(AnswerProblem(item_id, f"This form has no question '{item_id}'."))
            continue
        message = validate_value(item, entry.value)
        if message:
            problems.append(AnswerProblem(item_id, message))
        if entry.source is not None and entry.source not in _SOURCES:
            problems.append(
                AnswerProblem(
                    item_id,
                    f"“{item.label}”: the source '{entry.source}' is not one of: "
                    f"{', '.join(sorted(_SOURCES))}.",
                )
            )
        if entry.reliability is not None and entry.reliability not in _RELIABILITIES:
            problems.append(
                AnswerProblem(
                    item_id,
                    f"“{item.label}”: the reliability '{entry.reliability}' is not one of: "
                    f"{', '.join(r.value for r in Reliability)}.",
                )
            )
    return problems


NOT_APPLICABLE_PREFIX = "na:"


def not_applicable(entry: str) -> tuple[str, str] | None:
    """(check id, why) for a checklist entry saying a check does not apply, else None."""
    if not entry.startswith(NOT_APPLICABLE_PREFIX):
        return None
    check, sep, why = entry[len(NOT_APPLICABLE_PREFIX) :].partition(":")
    return (check, why) if sep and check else None


def not_applicable_entry(check: str, why: str) -> str:
    return f"{NOT_APPLICABLE_PREFIX}{check}:{' '.join(why.split())}"


def covered_check(entry: str) -> str:
    """The check a checklist entry settles: ticked, or marked as not applying."""
    parsed = not_applicable(entry)
    return parsed[0] if parsed is not None else entry


def display_value(item: AnyItem, value: AnswerValue) -> str:
    """An answer as words for explanations and reports."""
    if is_empty(value):
        return "not answered"
    if isinstance(value, tuple):
        return ", ".join(_choice_label(item, v) for v in value)
    if isinstance(value, str):
        return _choice_label(item, value)
    if isinstance(item, RatingItem) and isinstance(value, int):
        named = item.label_for(value)
        return f"{value} ({named})" if named else str(value)
    unit = f" {item.unit}" if isinstance(item, NumberItem) and item.unit else ""
    return f"{_number(value)}{unit}" if value is not None else "not answered"


def _choice_label(item: AnyItem, value: str) -> str:
    parsed = not_applicable(value)
    if parsed is not None:
        check, why = parsed
        choice = item.choice(check)
        return f"{choice.label if choice else check} (does not apply: {why})"
    choice = item.choice(value)
    return choice.label if choice is not None else value
