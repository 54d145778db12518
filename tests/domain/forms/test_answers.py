"""Answers: what is shown, what is missing, what was found, what is unknown, and whether a
single answer fits its question."""

from __future__ import annotations

import json

import pytest

from btam_desktop.domain.forms import (
    Answer,
    Answers,
    AnyItem,
    FormDefinition,
    FormDefinitionError,
    FormRegistry,
    findings,
    information_gaps,
    is_visible,
    missing_required,
    parse_text,
    protective_factors,
    red_flags,
    risk_factors,
    validate_answers,
    validate_value,
    visible_items,
    visible_sections,
)

ANSWERS_FORM = """\
schema: 1
kind: intake
id: team.answers
version: "1.0.0"
title: Answers
sections:
  - id: start
    title: Start
    items:
      - id: threat
        type: yes_no_unknown
        label: Was a threat made?
        short: threat made
        required: true
        red_flag: true
      - id: quote
        type: long_text
        label: Exact words
        required: true
        show_if: {item: threat, equals: "yes"}
      - id: kind
        type: single_choice
        label: Kind of threat
        show_if: {item: quote, equals: never}
        choices:
          - {id: direct, label: Direct, risk_factor: true}
          - {id: veiled, label: Veiled}
          - {id: unknown, label: Not known}
  - id: details
    title: Details
    show_if: {item: threat, in: ["yes", unknown]}
    items:
      - id: weapons
        type: yes_no_unknown
        label: Access to weapons?
        short: weapons access
        risk_factor: true
        ask_source: true
      - id: supports
        type: multiple_choice
        label: Supports
        protective_factor: true
        choices:
          - {id: adult, label: Trusted adult}
          - {id: team, label: Sports team}
      - id: steps
        type: checklist
        label: Steps taken
        required: true
        choices:
          - {id: parents, label: Parents told}
          - {id: target, label: Target protected}
      - id: when
        type: date
        label: When did it happen?
      - id: age
        type: number
        label: Age
        min: 5
        max: 99
        integer: true
        unit: years
      - id: worry
        type: rating
        label: Worry
        min: 1
        max: 5
      - id: name
        type: short_text
        label: Name
"""


@pytest.fixture(scope="module")
def form() -> FormDefinition:
    # A show_if on free text is refused, so the fixture uses a choice-based one instead.
    text = ANSWERS_FORM.replace(
        "show_if: {item: quote, equals: never}", 'show_if: {item: threat, equals: "yes"}'
    )
    parsed = parse_text(text, "answers.yaml")
    assert isinstance(parsed, FormDefinition)
    return parsed


def test_show_if_on_free_text_is_refused() -> None:
    with pytest.raises(FormDefinitionError, match="conditions cannot test long_text items"):
        parse_text(ANSWERS_FORM, "answers.yaml")


def ids(items: list[AnyItem]) -> list[str]:
    return [i.id for i in items]


def test_items_appear_as_their_conditions_are_met(form: FormDefinition) -> None:
    assert ids(visible_items(form, Answers())) == ["threat"]
    assert [s.id for s in visible_sections(form, Answers())] == ["start"]
    unknown = ids(visible_items(form, Answers({"threat": "unknown"})))
    assert unknown == ["threat", "weapons", "supports", "steps", "when", "age", "worry", "name"]
    assert ids(visible_items(form, Answers({"threat": "yes"})))[:3] == ["threat", "quote", "kind"]
    assert is_visible(form, Answers({"threat": "yes"}), "quote")
    assert not is_visible(form, Answers({"threat": "no"}), "quote")
    with pytest.raises(KeyError, match="has no item 'nope'"):
        is_visible(form, Answers(), "nope")


def test_missing_required_names_the_label_and_section(form: FormDefinition) -> None:
    assert [m.message for m in missing_required(form, Answers())] == [
        "“Was a threat made?” (section “Start”) needs an answer."
    ]
    missing = missing_required(form, Answers({"threat": "yes", "steps": ["parents"]}))
    assert [m.item_id for m in missing] == ["quote", "steps"]
    assert missing[1].message == (
        "“Steps taken” (section “Details”): 1 of 2 checks are not ticked yet: Target protected."
    )
    complete = Answers({"threat": "yes", "quote": "“I'll get you”", "steps": ["parents", "target"]})
    assert missing_required(form, complete) == []


def test_hidden_required_items_are_not_missing(form: FormDefinition) -> None:
    assert missing_required(form, Answers({"threat": "no"})) == []


def test_findings_by_kind(form: FormDefinition) -> None:
    answers = Answers(
        {"threat": "yes", "kind": "direct", "weapons": "yes", "supports": ["adult", "team"]}
    )
    found = findings(form, answers)
    assert [f.label for f in found.red_flags] == ["threat made"]
    assert [(f.item_id, f.choice_id) for f in found.risk_factors] == [
        ("kind", "direct"),
        ("weapons", None),
    ]
    assert [f.label for f in found.protective_factors] == [
        "Supports: Trusted adult",
        "Supports: Sports team",
    ]
    assert risk_factors(form, answers) == list(found.risk_factors)
    assert protective_factors(form, answers) == list(found.protective_factors)
    assert red_flags(form, answers) == list(found.red_flags)


def test_no_and_unknown_are_not_findings(form: FormDefinition) -> None:
    answers = Answers({"threat": "unknown", "weapons": "no", "kind": "veiled"})
    assert findings(form, answers).red_flags == ()
    assert findings(form, answers).risk_factors == ()


def test_hidden_answers_are_not_findings(form: FormDefinition) -> None:
    # Answered earlier, then the threat answer changed to "no": the details are hidden now.
    answers = Answers({"threat": "no", "weapons": "yes", "kind": "direct"})
    assert findings(form, answers).risk_factors == ()


def test_information_gaps(form: FormDefinition) -> None:
    answers = Answers(
        {"threat": "unknown", "weapons": "unknown", "steps": ["parents"], "age": 15, "worry": 2}
    )
    gaps = information_gaps(form, answers)
    assert [(g.item_id, g.reason) for g in gaps] == [
        ("threat", "unknown"),
        ("weapons", "unknown"),
        ("supports", "unanswered"),
        ("steps", "incomplete"),
        ("when", "unanswered"),
        ("name", "unanswered"),
    ]
    assert gaps[3].message == "“Steps taken”: not yet ticked: Target protected."


def test_an_unknown_choice_is_a_gap(form: FormDefinition) -> None:
    gaps = information_gaps(form, Answers({"threat": "yes", "quote": "x", "kind": "unknown"}))
    assert ("kind", "unknown") in [(g.item_id, g.reason) for g in gaps]


def test_required_empty_items_are_missing_not_gaps(form: FormDefinition) -> None:
    assert "quote" not in [g.item_id for g in information_gaps(form, Answers({"threat": "yes"}))]


@pytest.mark.parametrize(
    ("item_id", "value", "message"),
    [
        ("threat", "maybe", "“Was a threat made?” is answered yes, no or unknown."),
        ("kind", "hostile", "“Kind of threat”: choose one of the offered answers."),
        ("supports", ["adult", "coach"], "“Supports”: 'coach' is not one of the offered answers."),
        ("supports", ["adult", "adult"], "“Supports”: an answer is chosen twice."),
        ("supports", "adult", "“Supports”: choose from the offered answers."),
        (
            "when",
            "31/12/2024",
            "“When did it happen?” needs a date written as year-month-day, like 2024-03-31.",
        ),
        ("when", "2024-02-30", "“When did it happen?”: 2024-02-30 is not a date in the calendar."),
        ("age", 4, "“Age” is at least 5 years."),
        ("age", 100, "“Age” is at most 99 years."),
        ("age", 15.5, "“Age” needs a whole number."),
        ("age", True, "“Age” needs a number."),
        ("age", float("nan"), "“Age” needs a number."),
        ("age", "15", "“Age” needs a number."),
        ("worry", 6, "“Worry” is rated from 1 to 5; 6 is outside."),
        ("worry", 2.5, "“Worry” is rated with a whole number from 1 to 5."),
        ("name", "Ann\nLee", "“Name” takes one line of text."),
        ("name", "x" * 501, "“Name” takes at most 500 characters."),
        ("quote", 12, "“Exact words” needs text."),
    ],
)
def test_invalid_values_get_a_plain_message(
    form: FormDefinition, item_id: str, value: object, message: str
) -> None:
    assert validate_value(form.item(item_id), value) == message


@pytest.mark.parametrize(
    ("item_id", "value"),
    [
        ("threat", "yes"),
        ("kind", "veiled"),
        ("supports", ("adult", "team")),
        ("steps", ["parents"]),
        ("when", "2024-02-29"),
        ("age", 15),
        ("age", 15.0),
        ("worry", 5),
        ("name", "Ann Lee"),
        ("quote", "line one\nline two"),
        ("name", None),
        ("name", ""),
        ("supports", ()),
    ],
)
def test_valid_and_empty_values_pass(form: FormDefinition, item_id: str, value: object) -> None:
    assert validate_value(form.item(item_id), value) is None


def test_validate_answers_checks_items_sources_and_reliability(form: FormDefinition) -> None:
    answers = (
        Answers({"ghost": "yes", "worry": 9})
        .with_answer("weapons", "yes", source="rumour", reliability="probable")
        .with_answer("threat", "yes", source="interview", reliability="sure")
    )
    problems = [(p.item_id, p.message) for p in validate_answers(form, answers)]
    assert problems == [
        ("ghost", "This form has no question 'ghost'."),
        ("worry", "“Worry” is rated from 1 to 5; 9 is outside."),
        (
            "weapons",
            "“Access to weapons?”: the source 'rumour' is not one of: interview, "
            "law_enforcement, observation, other, records, report, social_media.",
        ),
        (
            "threat",
            "“Was a threat made?”: the reliability 'sure' is not one of: confirmed, probable, "
            "possible, doubtful, unknown.",
        ),
    ]


def test_answers_are_immutable_and_round_trip_through_json() -> None:
    answers = Answers({"threat": "yes"}).with_answer(
        "weapons", "yes", source="interview", source_detail="parent, 3 May", reliability="probable"
    )
    changed = answers.with_answer("supports", ["adult"])
    assert "supports" not in answers and changed.value("supports") == ("adult",)
    assert changed.without("threat").value("threat") is None
    stored = json.loads(json.dumps(changed.to_dict()))
    assert stored["weapons"] == {
        "value": "yes",
        "source": "interview",
        "source_detail": "parent, 3 May",
        "reliability": "probable",
    }
    again = Answers.from_dict(stored)
    assert again == changed
    assert again["weapons"] == Answer("yes", "interview", "parent, 3 May", "probable")
    with pytest.raises(AttributeError):
        again["weapons"].value = "no"  # type: ignore[misc]


@pytest.mark.parametrize(
    "stored",
    [
        [],
        {"a": "yes"},
        {"a": {"value": "yes", "colour": "red"}},
        {"a": {"value": [1, 2]}},
        {"a": {"value": {"x": 1}}},
        {"a": {"value": "yes", "source": 5}},
        {"a": {"value": "yes", "reliability": ["x"]}},
    ],
)
def test_unreadable_stored_answers_are_refused_plainly(stored: object) -> None:
    with pytest.raises(ValueError, match="stored"):
        Answers.from_dict(stored)  # type: ignore[arg-type]


def test_builtin_intake_asks_for_emergency_action_only_when_needed(registry: FormRegistry) -> None:
    form = registry.form("btam.report-of-concern")
    calm = ids(visible_items(form, Answers({"immediate_danger": "no"})))
    urgent = ids(visible_items(form, Answers({"immediate_danger": "yes"})))
    assert "emergency_called" not in calm
    assert "emergency_called" in urgent
    assert [m.item_id for m in missing_required(form, Answers({"immediate_danger": "yes"}))][
        :2
    ] == [
        "emergency_called",
        "received_on",
    ]
