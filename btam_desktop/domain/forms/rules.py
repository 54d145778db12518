"""Reading answers against a definition: what is shown, what is missing, what was found, what is
unknown, and which level the form's rules suggest, with the reasons in words.

An answer to an item that is hidden (its ``show_if`` no longer holds) counts as not answered
everywhere here: it is left over from an earlier path through the form.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Literal

from btam_desktop.domain.forms.answers import (
    Answers,
    AnswerValue,
    covered_check,
    is_empty,
)
from btam_desktop.domain.forms.schema import (
    AnyItem,
    Condition,
    FormDefinition,
    LevelScale,
    Section,
)
from btam_desktop.domain.forms.wording import (
    bounds_in_words,
    describe_condition,
    quoted_name,
    value_in_words,
)

FlagKind = Literal["risk_factor", "protective_factor", "red_flag"]


# --- visibility ----------------------------------------------------------------------------


@dataclass(frozen=True)
class _Visibility:
    sections: frozenset[str]
    items: frozenset[str]


def _visibility(definition: FormDefinition, answers: Answers) -> _Visibility:
    sections: set[str] = set()
    items: set[str] = set()

    # show_if only refers to earlier items, so one pass in form order settles everything.
    def value(item_id: str) -> AnswerValue:
        return answers.value(item_id) if item_id in items else None

    context = _Context(definition, value, lambda flag: [])
    for section in definition.sections:
        if section.show_if is not None and not context.check(section.show_if).holds:
            continue
        sections.add(section.id)
        for item in section.items:
            if item.show_if is None or context.check(item.show_if).holds:
                items.add(item.id)
    return _Visibility(frozenset(sections), frozenset(items))


def visible_sections(definition: FormDefinition, answers: Answers) -> list[Section]:
    shown = _visibility(definition, answers).sections
    return [s for s in definition.sections if s.id in shown]


def visible_items(definition: FormDefinition, answers: Answers) -> list[AnyItem]:
    """The items to show, in form order, given the answers so far."""
    shown = _visibility(definition, answers).items
    return [item for item in definition.all_items() if item.id in shown]


def is_visible(definition: FormDefinition, answers: Answers, item_id: str) -> bool:
    definition.item(item_id)
    return item_id in _visibility(definition, answers).items


def _visible_value(definition: FormDefinition, answers: Answers) -> Callable[[str], AnswerValue]:
    shown = _visibility(definition, answers).items

    def value(item_id: str) -> AnswerValue:
        return answers.value(item_id) if item_id in shown else None

    return value


# --- completeness ------------------------------------------------------------------------------


@dataclass(frozen=True)
class MissingAnswer:
    item_id: str
    label: str
    section_title: str
    message: str


def _covered(value: tuple[str, ...]) -> set[str]:
    """Checks ticked, or marked as not applying with a reason."""
    return {covered_check(v) for v in value}


def missing_required(definition: FormDefinition, answers: Answers) -> list[MissingAnswer]:
    """Required items that are shown but not (fully) answered, each with a message."""
    missing: list[MissingAnswer] = []
    for item in visible_items(definition, answers):
        if not item.required:
            continue
        value = answers.value(item.id)
        section = definition.section_of(item.id).title
        if is_empty(value):
            message = f"“{item.label}” (section “{section}”) needs an answer."
        elif item.type == "checklist" and isinstance(value, tuple):
            open_checks = [c.label for c in item.options if c.id not in _covered(value)]
            if not open_checks:
                continue
            message = (
                f"“{item.label}” (section “{section}”): {len(open_checks)} of "
                f"{len(item.options)} checks are not ticked yet: {', '.join(open_checks)}."
            )
        else:
            continue
        missing.append(MissingAnswer(item.id, item.label, section, message))
    return missing


@dataclass(frozen=True)
class InformationGap:
    """A shown item the team does not know the answer to yet."""

    item_id: str
    label: str
    reason: Literal["unknown", "unanswered", "incomplete"]
    message: str


def information_gaps(definition: FormDefinition, answers: Answers) -> list[InformationGap]:
    """Shown items answered "unknown", optional ones left empty, and checklists not fully
    ticked. (Required items left empty are listed by :func:`missing_required`.)"""
    gaps: list[InformationGap] = []
    for item in visible_items(definition, answers):
        value = answers.value(item.id)
        if value == "unknown" and (item.type == "yes_no_unknown" or item.choice("unknown")):
            gaps.append(InformationGap(item.id, item.label, "unknown", f"“{item.label}”: unknown."))
        elif is_empty(value) and not item.required:
            # A required item left empty is reported by missing_required instead.
            gaps.append(
                InformationGap(item.id, item.label, "unanswered", f"“{item.label}”: not answered.")
            )
        elif item.type == "checklist" and isinstance(value, tuple):
            open_checks = [c.label for c in item.options if c.id not in _covered(value)]
            if open_checks:
                gaps.append(
                    InformationGap(
                        item.id,
                        item.label,
                        "incomplete",
                        f"“{item.label}”: not yet ticked: {', '.join(open_checks)}.",
                    )
                )
    return gaps


# --- flags ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Finding:
    """A risk factor, protective factor or red flag that the answers show as present."""

    kind: FlagKind
    item_id: str
    choice_id: str | None
    label: str


@dataclass(frozen=True)
class Findings:
    risk_factors: tuple[Finding, ...] = ()
    protective_factors: tuple[Finding, ...] = ()
    red_flags: tuple[Finding, ...] = ()

    def of(self, kind: FlagKind | str) -> tuple[Finding, ...]:
        return {
            "risk_factor": self.risk_factors,
            "protective_factor": self.protective_factors,
            "red_flag": self.red_flags,
        }[kind]


def _findings(definition: FormDefinition, value: Callable[[str], AnswerValue]) -> Findings:
    found: dict[str, list[Finding]] = {"risk_factor": [], "protective_factor": [], "red_flag": []}
    for item in definition.all_items():
        answer = value(item.id)
        if is_empty(answer):
            continue
        if item.type == "yes_no_unknown" and answer == "yes":
            for flag in item.flags:
                found[flag].append(Finding(flag, item.id, None, item.name))  # type: ignore[arg-type]
            continue
        chosen = (
            answer if isinstance(answer, tuple) else (answer,) if isinstance(answer, str) else ()
        )
        for choice in item.options:
            if choice.id not in chosen:
                continue
            flags = set(item.flags) | {f for f in found if getattr(choice, f)}
            for flag in sorted(flags, key=list(found).index):
                found[flag].append(
                    Finding(flag, item.id, choice.id, f"{item.name}: {choice.label}")  # type: ignore[arg-type]
                )
    return Findings(
        tuple(found["risk_factor"]), tuple(found["protective_factor"]), tuple(found["red_flag"])
    )


def findings(definition: FormDefinition, answers: Answers) -> Findings:
    """Risk factors, protective factors and red flags present in the shown answers.

    A yes/no/unknown item counts when answered yes. A choice counts when chosen and either it
    or its item carries the flag.
    """
    return _findings(definition, _visible_value(definition, answers))


def risk_factors(definition: FormDefinition, answers: Answers) -> list[Finding]:
    return list(findings(definition, answers).risk_factors)


def protective_factors(definition: FormDefinition, answers: Answers) -> list[Finding]:
    return list(findings(definition, answers).protective_factors)


def red_flags(definition: FormDefinition, answers: Answers) -> list[Finding]:
    return list(findings(definition, answers).red_flags)


# --- conditions ----------------------------------------------------------------------------


@dataclass(frozen=True)
class Check:
    """Whether a condition holds, and the facts that made it hold, in words."""

    holds: bool
    reasons: tuple[str, ...] = ()


_FLAG_WORDS = {
    "risk_factor": ("risk factor", "risk factors"),
    "protective_factor": ("protective factor", "protective factors"),
    "red_flag": ("red flag", "red flags"),
}


class _Context:
    def __init__(
        self,
        definition: FormDefinition,
        value: Callable[[str], AnswerValue],
        found: Callable[[str], list[Finding]],
    ) -> None:
        self.definition = definition
        self.value = value
        self.found = found

    def check(self, condition: Condition) -> Check:
        if condition.item is not None:
            return self._item_check(condition, self.definition.item(condition.item))
        if condition.all_of is not None:
            checks = [self.check(c) for c in condition.all_of]
            if all(c.holds for c in checks):
                return Check(True, tuple(r for c in checks for r in c.reasons))
            return Check(False)
        if condition.any_of is not None:
            checks = [self.check(c) for c in condition.any_of]
            if any(c.holds for c in checks):
                return Check(True, tuple(r for c in checks if c.holds for r in c.reasons))
            return Check(False)
        if condition.not_ is not None:
            inner = self.check(condition.not_)
            if inner.holds:
                return Check(False)
            return Check(True, (describe_condition(self.definition, condition.not_, negated=True),))
        count = condition.count_test
        if count is not None:
            flag, least = count
            present = self.found(flag)
            if len(present) < least:
                return Check(False)
            one, many = _FLAG_WORDS[flag]
            names = ", ".join(f.label for f in present)
            noun = one if len(present) == 1 else many
            return Check(True, (f"{len(present)} {noun} present (at least {least}): {names}",))
        return Check(False)  # pragma: no cover  (the schema allows no other shape)

    def _item_check(self, condition: Condition, item: AnyItem) -> Check:
        answer = self.value(item.id)
        if is_empty(answer):
            return Check(False)
        language = self.definition.language
        name = quoted_name(item)
        shown = value_in_words(item, answer, language)
        if condition.equals is not None:
            ok = _same(answer, condition.equals)
            return Check(ok, (f"{name} is {shown}",) if ok else ())
        if condition.in_ is not None:
            ok = any(_same(answer, v) for v in condition.in_)
            return Check(ok, (f"{name} is {shown}",) if ok else ())
        if condition.contains is not None:
            ok = isinstance(answer, tuple) and condition.contains in answer
            label = value_in_words(item, condition.contains, language)
            return Check(ok, (f"{name} includes {label}",) if ok else ())
        if isinstance(answer, bool) or not isinstance(answer, int | float):
            return Check(False)
        low, high = condition.at_least, condition.at_most
        ok = (low is None or answer >= low) and (high is None or answer <= high)
        if not ok:
            return Check(False)
        bounds = bounds_in_words(low, high, language)
        return Check(True, (f"{name} is {shown} ({bounds})",))


def _same(answer: AnswerValue, expected: str | int | float) -> bool:
    if isinstance(expected, str) or isinstance(answer, str):
        return answer == expected
    return isinstance(answer, int | float) and not isinstance(answer, bool) and answer == expected


def check_condition(definition: FormDefinition, answers: Answers, condition: Condition) -> Check:
    """Test one condition (of this definition) against the shown answers."""
    value = _visible_value(definition, answers)
    flags = _findings(definition, value)
    return _Context(definition, value, lambda flag: list(flags.of(flag))).check(condition)


# --- suggestion ----------------------------------------------------------------------------


@dataclass(frozen=True)
class Suggestion:
    """The level a form's rules suggest, and why. The team decides; this is a starting point.

    ``unknowns`` names the shown items the rules look at that are unknown or unanswered:
    answering them could change the suggestion.
    """

    level: str | None
    reasons: list[str] = field(default_factory=list)
    explanation: str = ""
    rule_number: int | None = None
    by_default: bool = False
    unknowns: list[str] = field(default_factory=list)


def _join(parts: list[str]) -> str:
    if len(parts) <= 1:
        return "".join(parts)
    return ", ".join(parts[:-1]) + " and " + parts[-1]


def _rule_items(definition: FormDefinition, upto: int) -> list[AnyItem]:
    """Items that the first ``upto`` rules look at: those they name, and flagged items they
    count. Only an earlier rule can take over from the rule that matched, so the matched rule
    and later ones are left out."""
    named: set[str] = set()
    counted: set[str] = set()
    for rule in definition.rules[:upto]:
        named.update(rule.when.referenced_items())
        counted.update(rule.when.counted_flags())
    return [
        item
        for item in definition.all_items()
        if item.id in named
        or any(flag in counted for flag in item.flags)
        or any(getattr(c, flag) for c in item.options for flag in counted)
    ]


def _unknowns(
    definition: FormDefinition,
    answers: Answers,
    shown: Callable[[str], AnswerValue],
    upto: int,
) -> list[str]:
    visible = {item.id for item in visible_items(definition, answers)}
    return [
        item.name
        for item in _rule_items(definition, upto)
        if item.id in visible and (is_empty(shown(item.id)) or shown(item.id) == "unknown")
    ]


def _unknowns_note(unknowns: list[str]) -> str:
    if not unknowns:
        return ""
    listed = unknowns[:5]
    more = len(unknowns) - len(listed)
    names = ", ".join(listed) + (f" and {more} more" if more else "")
    return f" Not known yet, and able to change the suggestion: {names}."


def evaluate(
    definition: FormDefinition, answers: Answers, scale: LevelScale | None = None
) -> Suggestion:
    """Apply the rules in order; the first that holds gives the suggested level.

    ``scale`` (the form's scale) is only used to name the level by its label.
    """
    if not definition.suggests_level:
        return Suggestion(None, explanation="This form does not suggest a level of concern.")
    value = _visible_value(definition, answers)
    flags = _findings(definition, value)
    context = _Context(definition, value, lambda flag: list(flags.of(flag)))

    def named(code: str) -> str:
        if scale is not None and scale.has_level(code):
            return scale.level(code).label
        return code

    for number, rule in enumerate(definition.rules, start=1):
        check = context.check(rule.when)
        if check.holds:
            unknowns = _unknowns(definition, answers, value, number - 1)
            note = _unknowns_note(unknowns)
            reasons = list(dict.fromkeys(check.reasons))
            text = f"Suggested: {named(rule.level)}, because {_join(reasons)}."
            if rule.note:
                text += f" {rule.note}"
            return Suggestion(
                rule.level, reasons, text + note, rule_number=number, unknowns=unknowns
            )
    unknowns = _unknowns(definition, answers, value, len(definition.rules))
    note = _unknowns_note(unknowns)
    if definition.default_level is None:
        return Suggestion(
            None,
            explanation="No rule of this form matched, and it names no default level; "
            "the team decides without a suggestion." + note,
            unknowns=unknowns,
        )
    reason = "none of the form's rules for another level matched"
    return Suggestion(
        definition.default_level,
        [reason],
        f"Suggested: {named(definition.default_level)}, because {reason}." + note,
        by_default=True,
        unknowns=unknowns,
    )
