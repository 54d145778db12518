"""A form's conditions in plain words: one wording for the screen, the paper and the reasons.

The wizard's "shown when" notes, the Forms page, the printed checklist and the rules'
explanations all describe conditions through :func:`describe_condition`, so a counselor reads
the same sentence wherever a condition appears: "“Days absent” is between 10 and 30".
"""

from __future__ import annotations

from btam_desktop.domain.forms.answers import display_value
from btam_desktop.domain.forms.schema import AnyItem, Condition, FormDefinition, NumberItem

# The connecting words, in the languages forms are written in. A form's own labels come
# from its file; only these small words are the program's.
_WORDS: dict[str, dict[str, str]] = {
    "en": {
        "is": "is",
        "is not": "is not",
        "or": "or",
        "and": "and",
        "includes": "includes",
        "does not include": "does not include",
        "between": "between {low} and {high}",
        "not between": "is not between {low} and {high}",
        "at least": "at least {low}",
        "below": "is below {low}",
        "at most": "at most {high}",
        "above": "is above {high}",
        "not all": "not all of these: {inner}",
        "none": "none of these: {inner}",
        "count": "at least {count} {flags} are present",
        "count one": "at least 1 {flag} is present",
        "fewer": "fewer than {count} {flags} are present",
        "fewer one": "no {flags} are present",
        "Yes": "Yes",
        "No": "No",
        "Unknown": "Unknown",
        "risk_factor": "risk factors",
        "protective_factor": "protective factors",
        "red_flag": "red flags",
        "risk_factor one": "risk factor",
        "protective_factor one": "protective factor",
        "red_flag one": "red flag",
    },
    "es": {
        "is": "es",
        "is not": "no es",
        "or": "o",
        "and": "y",
        "includes": "incluye",
        "does not include": "no incluye",
        "between": "entre {low} y {high}",
        "not between": "no está entre {low} y {high}",
        "at least": "al menos {low}",
        "below": "es menor que {low}",
        "at most": "como máximo {high}",
        "above": "es mayor que {high}",
        "not all": "no todas estas: {inner}",
        "none": "ninguna de estas: {inner}",
        "count": "hay al menos {count} {flags}",
        "count one": "hay al menos 1 {flag}",
        "fewer": "hay menos de {count} {flags}",
        "fewer one": "no hay {flags}",
        "Yes": "Sí",
        "No": "No",
        "Unknown": "No se sabe",
        "risk_factor": "factores de riesgo",
        "protective_factor": "factores de protección",
        "red_flag": "señales de alarma",
        "risk_factor one": "factor de riesgo",
        "protective_factor one": "factor de protección",
        "red_flag one": "señal de alarma",
    },
}


def _words(language: str) -> dict[str, str]:
    return _WORDS.get(language, _WORDS["en"])


def number_words(value: float) -> str:
    """3 rather than 3.0; 2.5 stays 2.5."""
    return str(int(value)) if float(value).is_integer() else f"{value:g}"


def bounds_in_words(low: float | None, high: float | None, language: str = "en") -> str:
    """ "between 3 and 5", "at least 3" or "at most 5" (empty when neither bound is set)."""
    w = _words(language)
    if low is not None and high is not None:
        return w["between"].format(low=number_words(low), high=number_words(high))
    if low is not None:
        return w["at least"].format(low=number_words(low))
    if high is not None:
        return w["at most"].format(high=number_words(high))
    return ""


def number_hint(item: NumberItem) -> str:
    """What a number answer may be, the same on screen and paper: "whole number, 0 to 365"."""
    parts = []
    if item.integer:
        parts.append("whole number")
    low, high = item.min, item.max
    if low is not None and high is not None:
        parts.append(f"{number_words(low)} to {number_words(high)}")
    elif low is not None or high is not None:
        parts.append(bounds_in_words(low, high))
    return ", ".join(parts)


def quoted_name(item: AnyItem) -> str:
    """An item's short name in quotation marks, so a question reads as one phrase."""
    return f"\u201c{item.name}\u201d"


def value_in_words(item: AnyItem, value: object, language: str = "en") -> str:
    """A value a condition tests for, as the form shows it ("Yes", a choice's label)."""
    if item.type == "yes_no_unknown" and isinstance(value, str):
        return _words(language).get(value.capitalize(), value)
    return display_value(item, value)  # type: ignore[arg-type]


def describe_condition(form: FormDefinition, condition: Condition, *, negated: bool = False) -> str:
    """``condition`` in plain words in the form's language ("is not ..." when ``negated``)."""
    language = form.language
    w = _words(language)
    if condition.item is not None:
        return _describe_item_test(form, condition, negated, language)
    if condition.all_of is not None or condition.any_of is not None:
        parts = condition.all_of if condition.all_of is not None else condition.any_of
        assert parts is not None
        if negated:
            inner = "; ".join(describe_condition(form, c) for c in parts)
            return w["not all" if condition.all_of is not None else "none"].format(inner=inner)
        joint = w["and"] if condition.all_of is not None else w["or"]
        return f" {joint} ".join(_grouped(form, c) for c in parts)
    if condition.not_ is not None:
        return describe_condition(form, condition.not_, negated=not negated)
    count = condition.count_test
    if count is not None:
        flag, least = count
        template = ("fewer" if negated else "count") + (" one" if least == 1 else "")
        return w[template].format(count=least, flags=w[flag], flag=w[f"{flag} one"])
    return "?"  # pragma: no cover  (the schema allows no other shape)


def _describe_item_test(
    form: FormDefinition, condition: Condition, negated: bool, language: str
) -> str:
    w = _words(language)
    assert condition.item is not None
    try:
        item: AnyItem | None = form.item(condition.item)
    except KeyError:
        item = None
    name = quoted_name(item) if item is not None else f"\u201c{condition.item}\u201d"

    def value(raw: object) -> str:
        return value_in_words(item, raw, language) if item is not None else str(raw)

    is_ = w["is not" if negated else "is"]
    if condition.equals is not None:
        return f"{name} {is_} {value(condition.equals)}"
    if condition.in_ is not None:
        options = f" {w['or']} ".join(value(v) for v in condition.in_)
        return f"{name} {is_} {options}"
    if condition.contains is not None:
        verb = w["does not include" if negated else "includes"]
        return f"{name} {verb} {value(condition.contains)}"
    low, high = condition.at_least, condition.at_most
    if not negated:
        return f"{name} {w['is']} {bounds_in_words(low, high, language)}"
    if low is not None and high is not None:
        return f"{name} {w['not between'].format(low=number_words(low), high=number_words(high))}"
    if low is not None:
        return f"{name} {w['below'].format(low=number_words(low))}"
    assert high is not None
    return f"{name} {w['above'].format(high=number_words(high))}"


def _grouped(form: FormDefinition, condition: Condition) -> str:
    """A part of an and/or list, in brackets when it is itself a list."""
    text = describe_condition(form, condition)
    if condition.all_of is not None or condition.any_of is not None:
        return f"({text})"
    return text


__all__ = [
    "bounds_in_words",
    "describe_condition",
    "number_hint",
    "number_words",
    "quoted_name",
    "value_in_words",
]
