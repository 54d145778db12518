"""Filling a form's required items the way a team would, for tests."""

from __future__ import annotations

from btam_desktop.domain.forms import Answers, FormDefinition, missing_required


def plausible_value(item: object) -> object:
    kind = getattr(item, "type", "")
    if kind == "yes_no_unknown":
        return "no"
    if kind in ("single_choice",):
        return item.choices[0].id  # type: ignore[attr-defined]
    if kind == "multiple_choice":
        return [item.choices[0].id]  # type: ignore[attr-defined]
    if kind == "checklist":  # a required checklist is complete only when every box is ticked
        return [c.id for c in item.choices]  # type: ignore[attr-defined]
    if kind == "date":
        return "2026-11-20"
    if kind == "number":
        low = getattr(item, "min", None)
        return low if low is not None else 1
    if kind == "rating":
        return item.min  # type: ignore[attr-defined]
    return "Observed and recorded by the team."


def fill_required(definition: FormDefinition, answers: Answers) -> Answers:
    """Answer every required, shown, unanswered item; repeat as answers reveal more items."""
    for _ in range(20):
        missing = missing_required(definition, answers)
        if not missing:
            return answers
        for gap in missing:
            item = definition.item(gap.item_id)
            answers = answers.with_answer(gap.item_id, plausible_value(item))  # type: ignore[arg-type]
    raise AssertionError("required items keep appearing")
