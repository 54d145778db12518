"""Conditions in words: one wording for the screen, the paper and the suggested level's reasons."""

from __future__ import annotations

from typing import Any

import pytest

from btam_desktop.domain.forms import Answers, FormDefinition, check_condition, parse_text
from btam_desktop.domain.forms.schema import Condition, NumberItem
from btam_desktop.domain.forms.wording import (
    bounds_in_words,
    describe_condition,
    number_hint,
    number_words,
)

FORM = """\
schema: 1
kind: screening
id: team.wording
version: "1.0.0"
title: Wording
language: {language}
sections:
  - id: facts
    title: Facts
    items:
      - id: weapons
        type: yes_no_unknown
        label: Does the person have access to weapons?
        short: weapons access
        risk_factor: true
      - id: stage
        type: single_choice
        label: Stage on the pathway
        short: pathway stage
        choices:
          - {{id: ideation, label: Ideation}}
          - {{id: planning, label: Planning}}
          - {{id: preparation, label: Preparation}}
      - id: behaviors
        type: multiple_choice
        label: Which behaviors?
        short: behaviors
        choices:
          - {{id: research, label: Research on the target}}
          - {{id: rehearsal, label: Rehearsal}}
      - id: absences
        type: number
        label: Days absent
        short: days absent
        unit: days
"""


def _form(language: str = "en") -> FormDefinition:
    parsed = parse_text(FORM.format(language=language), "wording.yaml")
    assert isinstance(parsed, FormDefinition), parsed
    return parsed


def _condition(data: dict[str, Any]) -> Condition:
    return Condition.model_validate(data)


@pytest.fixture(scope="module")
def form() -> FormDefinition:
    return _form()


@pytest.mark.parametrize(
    ("data", "words"),
    [
        ({"item": "weapons", "equals": "yes"}, "“weapons access” is Yes"),
        ({"item": "weapons", "equals": "unknown"}, "“weapons access” is Unknown"),
        (
            {"item": "stage", "in": ["planning", "preparation"]},
            "“pathway stage” is Planning or Preparation",
        ),
        ({"item": "behaviors", "contains": "rehearsal"}, "“behaviors” includes Rehearsal"),
        ({"item": "absences", "at_least": 3}, "“days absent” is at least 3"),
        ({"item": "absences", "at_most": 5}, "“days absent” is at most 5"),
        ({"item": "absences", "at_least": 3, "at_most": 5}, "“days absent” is between 3 and 5"),
        ({"item": "absences", "at_least": 2.5}, "“days absent” is at least 2.5"),
        ({"risk_factors_at_least": 2}, "at least 2 risk factors are present"),
        ({"protective_factors_at_least": 1}, "at least 1 protective factor is present"),
        ({"red_flags_at_least": 3}, "at least 3 red flags are present"),
        (
            {
                "all": [
                    {"item": "weapons", "equals": "yes"},
                    {"item": "stage", "equals": "planning"},
                ]
            },
            "“weapons access” is Yes and “pathway stage” is Planning",
        ),
        (
            {
                "any": [
                    {"item": "weapons", "equals": "yes"},
                    {
                        "all": [
                            {"item": "absences", "at_least": 10},
                            {"item": "behaviors", "contains": "research"},
                        ]
                    },
                ]
            },
            "“weapons access” is Yes or (“days absent” is at least 10 and “behaviors” includes "
            "Research on the target)",
        ),
    ],
)
def test_each_kind_of_condition_in_words(
    form: FormDefinition, data: dict[str, Any], words: str
) -> None:
    assert describe_condition(form, _condition(data)) == words


@pytest.mark.parametrize(
    ("data", "words"),
    [
        ({"item": "weapons", "equals": "yes"}, "“weapons access” is not Yes"),
        ({"item": "stage", "in": ["planning"]}, "“pathway stage” is not Planning"),
        ({"item": "behaviors", "contains": "rehearsal"}, "“behaviors” does not include Rehearsal"),
        ({"item": "absences", "at_least": 3}, "“days absent” is below 3"),
        ({"item": "absences", "at_most": 5}, "“days absent” is above 5"),
        (
            {"item": "absences", "at_least": 3, "at_most": 5},
            "“days absent” is not between 3 and 5",
        ),
        ({"risk_factors_at_least": 2}, "fewer than 2 risk factors are present"),
        ({"red_flags_at_least": 1}, "no red flags are present"),
        (
            {
                "all": [
                    {"item": "weapons", "equals": "yes"},
                    {"item": "stage", "equals": "planning"},
                ]
            },
            "not all of these: “weapons access” is Yes; “pathway stage” is Planning",
        ),
        (
            {"any": [{"item": "weapons", "equals": "yes"}, {"item": "absences", "at_most": 1}]},
            "none of these: “weapons access” is Yes; “days absent” is at most 1",
        ),
        # not of not is the condition itself
        ({"not": {"item": "weapons", "equals": "yes"}}, "“weapons access” is Yes"),
    ],
)
def test_not_turns_the_sentence_around(
    form: FormDefinition, data: dict[str, Any], words: str
) -> None:
    assert describe_condition(form, _condition({"not": data})) == words


def test_the_reason_for_a_not_is_the_same_sentence(form: FormDefinition) -> None:
    condition = _condition({"not": {"item": "absences", "at_least": 3, "at_most": 5}})
    held = check_condition(form, Answers({"absences": 7}), condition)
    assert held.holds
    assert held.reasons == (describe_condition(form, condition),)
    assert held.reasons == ("“days absent” is not between 3 and 5",)


def test_a_range_that_holds_names_the_answer_and_the_range(form: FormDefinition) -> None:
    condition = _condition({"item": "absences", "at_least": 3, "at_most": 5})
    held = check_condition(form, Answers({"absences": 4}), condition)
    assert held.reasons == ("“days absent” is 4 days (between 3 and 5)",)


def test_numbers_and_bounds() -> None:
    assert number_words(3.0) == "3"
    assert number_words(2.5) == "2.5"
    assert bounds_in_words(3, 5) == "between 3 and 5"
    assert bounds_in_words(3, None) == "at least 3"
    assert bounds_in_words(None, 5) == "at most 5"
    assert bounds_in_words(None, None) == ""


def test_a_spanish_form_reads_in_spanish() -> None:
    spanish = _form("es")
    assert describe_condition(spanish, _condition({"item": "weapons", "equals": "yes"})) == (
        "“weapons access” es Sí"
    )
    assert describe_condition(
        spanish, _condition({"item": "stage", "in": ["planning", "preparation"]})
    ) == ("“pathway stage” es Planning o Preparation")
    assert describe_condition(
        spanish, _condition({"item": "absences", "at_least": 3, "at_most": 5})
    ) == ("“days absent” es entre 3 y 5")


def test_what_a_number_may_be() -> None:
    def item(**limits: Any) -> NumberItem:
        return NumberItem.model_validate({"id": "n", "type": "number", "label": "N", **limits})

    assert number_hint(item(min=0, max=365, integer=True)) == "whole number, 0 to 365"
    assert number_hint(item(min=1.5)) == "at least 1.5"
    assert number_hint(item(max=10)) == "at most 10"
    assert number_hint(item(integer=True)) == "whole number"
    assert number_hint(item()) == ""
