"""Suggested levels: the first rule that holds wins, and the explanation says why."""

from __future__ import annotations

import pytest

from btam_desktop.domain.forms import (
    Answers,
    FormDefinition,
    FormRegistry,
    LevelScale,
    check_condition,
    evaluate,
    parse_text,
)

RULES_FORM = """\
schema: 1
kind: assessment
id: team.rules
version: "1.0.0"
title: Rules
scale: scale.four-level
sections:
  - id: facts
    title: Facts
    items:
      - id: imminent
        type: yes_no_unknown
        label: Is an attack imminent?
        short: imminent attack
      - id: weapons
        type: yes_no_unknown
        label: Access to weapons?
        short: weapons access
        risk_factor: true
      - id: planning
        type: yes_no_unknown
        label: Planning?
        short: planning
        risk_factor: true
      - id: behaviors
        type: multiple_choice
        label: Which behaviors?
        short: behaviors
        choices:
          - {id: research, label: research}
          - {id: rehearsal, label: rehearsal, risk_factor: true}
      - id: grievance
        type: yes_no_unknown
        label: Grievance?
        short: grievance
        risk_factor: true
      - id: worry
        type: rating
        label: How worried are others?
        short: worry of others
        min: 0
        max: 10
        labels: {10: extreme}
      - id: absences
        type: number
        label: Days absent
        short: days absent
        unit: days
      - id: trusted_adult
        type: yes_no_unknown
        label: Trusted adult?
        short: trusted adult
        protective_factor: true
rules:
  - level: imminent
    when: {item: imminent, equals: "yes"}
    note: Act first.
  - level: high
    when:
      all:
        - {item: weapons, equals: "yes"}
        - any:
            - {item: planning, equals: "yes"}
            - {item: behaviors, contains: rehearsal}
  - level: high
    when: {item: worry, at_least: 9}
  - level: moderate
    when:
      all:
        - {risk_factors_at_least: 2}
        - not: {item: trusted_adult, equals: "yes"}
  - level: moderate
    when: {item: absences, at_least: 10, at_most: 30}
default_level: low
"""


@pytest.fixture(scope="module")
def form() -> FormDefinition:
    parsed = parse_text(RULES_FORM, "rules.yaml")
    assert isinstance(parsed, FormDefinition)
    return parsed


@pytest.fixture(scope="module")
def scale() -> LevelScale:
    return FormRegistry.load().scale("scale.four-level")


def test_weapons_and_planning_suggest_high_with_the_documented_sentence(
    form: FormDefinition,
) -> None:
    suggestion = evaluate(form, Answers({"weapons": "yes", "planning": "yes", "imminent": "no"}))
    assert suggestion.level == "high"
    assert suggestion.rule_number == 2
    assert suggestion.reasons == ["“weapons access” is Yes", "“planning” is Yes"]
    assert suggestion.explanation == (
        "Suggested: high, because “weapons access” is Yes and “planning” is Yes."
    )


def test_the_scale_gives_the_level_its_label(form: FormDefinition, scale: LevelScale) -> None:
    suggestion = evaluate(
        form, Answers({"weapons": "yes", "planning": "yes", "imminent": "no"}), scale
    )
    assert suggestion.explanation.startswith("Suggested: High, because")


def test_first_matching_rule_wins_and_its_note_is_added(form: FormDefinition) -> None:
    suggestion = evaluate(form, Answers({"imminent": "yes", "weapons": "yes", "planning": "yes"}))
    assert suggestion.level == "imminent"
    assert suggestion.rule_number == 1
    assert (
        suggestion.explanation
        == "Suggested: imminent, because “imminent attack” is Yes. Act first."
    )


def test_contains_in_an_any_branch_explains_the_choice(form: FormDefinition) -> None:
    answers = Answers(
        {"imminent": "no", "weapons": "yes", "planning": "no", "behaviors": ["rehearsal"]}
    )
    suggestion = evaluate(form, answers)
    assert suggestion.level == "high"
    assert suggestion.reasons == ["“weapons access” is Yes", "“behaviors” includes rehearsal"]


def test_rating_threshold_shows_the_value_and_its_label(form: FormDefinition) -> None:
    suggestion = evaluate(form, Answers({"imminent": "no", "worry": 10}))
    assert suggestion.level == "high"
    assert suggestion.reasons == ["“worry of others” is 10 (extreme) (at least 9)"]
    assert evaluate(form, Answers({"imminent": "no", "worry": 8})).level == "low"


def test_risk_factor_count_with_not_lists_the_factors(form: FormDefinition) -> None:
    answers = Answers(
        {"imminent": "no", "grievance": "yes", "planning": "yes", "trusted_adult": "no"}
    )
    suggestion = evaluate(form, answers)
    assert suggestion.level == "moderate"
    assert suggestion.reasons == [
        "2 risk factors present (at least 2): planning, grievance",
        "“trusted adult” is not Yes",
    ]


def test_a_protective_factor_keeps_the_count_rule_from_holding(form: FormDefinition) -> None:
    answers = Answers(
        {"imminent": "no", "grievance": "yes", "planning": "yes", "trusted_adult": "yes"}
    )
    assert evaluate(form, answers).level == "low"


def test_choice_level_flags_count_as_risk_factors(form: FormDefinition) -> None:
    answers = Answers(
        {"imminent": "no", "grievance": "yes", "behaviors": ["research", "rehearsal"]}
    )
    suggestion = evaluate(form, answers)
    assert suggestion.level == "moderate"
    # "research" is chosen too, but carries no flag.
    assert (
        suggestion.reasons[0]
        == "2 risk factors present (at least 2): behaviors: rehearsal, grievance"
    )


def test_number_range_holds_only_inside_it(form: FormDefinition) -> None:
    inside = evaluate(form, Answers({"imminent": "no", "absences": 12}))
    assert inside.level == "moderate"
    assert inside.reasons == ["“days absent” is 12 days (between 10 and 30)"]
    assert evaluate(form, Answers({"imminent": "no", "absences": 31})).level == "low"
    assert evaluate(form, Answers({"imminent": "no", "absences": 9.5})).level == "low"


def test_default_level_explains_itself_and_names_what_is_unknown(form: FormDefinition) -> None:
    suggestion = evaluate(form, Answers({"imminent": "no", "weapons": "unknown"}))
    assert suggestion.level == "low"
    assert suggestion.by_default
    assert suggestion.rule_number is None
    assert suggestion.explanation.startswith(
        "Suggested: low, because none of the form's rules for another level matched."
    )
    assert suggestion.unknowns == [
        "weapons access",
        "planning",
        "behaviors",
        "grievance",
        "worry of others",
        "days absent",
        "trusted adult",
    ]
    assert "Not known yet, and able to change the suggestion: weapons access, planning" in (
        suggestion.explanation
    )
    assert suggestion.explanation.endswith("and 2 more.")


def test_unknowns_only_name_rules_before_the_one_that_matched(form: FormDefinition) -> None:
    suggestion = evaluate(form, Answers({"weapons": "yes", "planning": "yes"}))
    assert suggestion.level == "high"
    assert suggestion.unknowns == ["imminent attack"]


def test_unknown_answers_never_satisfy_an_equals(form: FormDefinition) -> None:
    answers = Answers({"imminent": "unknown", "weapons": "unknown", "planning": "unknown"})
    assert evaluate(form, answers).level == "low"


def test_form_without_rules_suggests_nothing(registry: FormRegistry) -> None:
    suggestion = evaluate(registry.form("btam.interview.witness"), Answers())
    assert suggestion.level is None
    assert suggestion.explanation == "This form does not suggest a level of concern."


def test_no_match_and_no_default_leaves_the_decision_open() -> None:
    text = RULES_FORM.replace("default_level: low\n", "")
    form = parse_text(text, "rules.yaml")
    assert isinstance(form, FormDefinition)
    suggestion = evaluate(form, Answers({"imminent": "no"}))
    assert suggestion.level is None
    assert "the team decides without a suggestion" in suggestion.explanation


def test_hidden_answers_do_not_count() -> None:
    text = RULES_FORM.replace(
        "        short: planning\n",
        '        short: planning\n        show_if: {item: weapons, equals: "yes"}\n',
    )
    form = parse_text(text, "rules.yaml")
    assert isinstance(form, FormDefinition)
    # "planning" is hidden while weapons is "no": its stale "yes" must not be counted.
    answers = Answers({"imminent": "no", "weapons": "no", "planning": "yes", "grievance": "yes"})
    assert evaluate(form, answers).level == "low"


def test_check_condition_reports_reasons(form: FormDefinition) -> None:
    rule = form.rules[1]
    held = check_condition(form, Answers({"weapons": "yes", "planning": "yes"}), rule.when)
    assert held.holds and held.reasons == ("“weapons access” is Yes", "“planning” is Yes")
    missed = check_condition(form, Answers({"weapons": "yes"}), rule.when)
    assert not missed.holds and missed.reasons == ()


class TestBuiltinRules:
    def test_school_weapons_and_attack_behavior_is_high(self, registry: FormRegistry) -> None:
        form = registry.form("btam.assessment.school")
        answers = Answers(
            {"attack_imminent": "no", "weapons_access": "yes", "attack_related": "yes"}
        )
        suggestion = evaluate(form, answers, registry.scale_for(form))
        assert suggestion.level == "high"
        assert suggestion.explanation.startswith(
            "Suggested: High, because “weapons access” is Yes and “attack-related behavior” is Yes."
        )

    def test_school_imminent_attack_is_imminent(self, registry: FormRegistry) -> None:
        form = registry.form("btam.assessment.school")
        suggestion = evaluate(form, Answers({"attack_imminent": "yes"}), registry.scale_for(form))
        assert suggestion.level == "imminent"
        assert "“imminent attack” is Yes" in suggestion.explanation

    def test_school_preparation_on_the_pathway_is_high(self, registry: FormRegistry) -> None:
        form = registry.form("btam.assessment.school")
        suggestion = evaluate(
            form, Answers({"attack_imminent": "no", "pathway_stage": "preparation"})
        )
        assert suggestion.level == "high"
        assert suggestion.reasons == ["“pathway stage” is Preparation"]

    def test_school_protective_factors_alone_stay_low(self, registry: FormRegistry) -> None:
        form = registry.form("btam.assessment.school")
        answers = Answers({"attack_imminent": "no", "trusted_adult": "yes", "connected": "yes"})
        assert evaluate(form, answers).level == "low"

    def test_workplace_domestic_threat_to_kill_is_high(self, registry: FormRegistry) -> None:
        form = registry.form("btam.assessment.workplace")
        answers = Answers(
            {
                "attack_imminent": "no",
                "domestic_concern": "yes",
                "domestic_signs": ["threats_to_kill"],
            }
        )
        suggestion = evaluate(form, answers)
        assert suggestion.level == "high"
        assert suggestion.reasons == [
            "“domestic-violence spillover” is Yes",
            "“domestic-violence signs” includes Threats to kill the partner or others",
        ]

    def test_workplace_fixation_before_a_trigger_is_moderate(self, registry: FormRegistry) -> None:
        form = registry.form("btam.assessment.workplace")
        answers = Answers(
            {
                "attack_imminent": "no",
                "grievance": "yes",
                "grievance_fixation": "yes",
                "upcoming_trigger": "yes",
            }
        )
        suggestion = evaluate(form, answers)
        assert suggestion.level == "moderate"
        assert suggestion.reasons == [
            "“fixation on the grievance” is Yes",
            "“upcoming trigger event” is Yes",
        ]

    def test_screening_transient_and_resolved_is_low(self, registry: FormRegistry) -> None:
        form = registry.form("btam.screening")
        answers = Answers(
            {
                "immediate_danger": "no",
                "serious_harm": "no",
                "weapons_access": "no",
                "attack_behavior": "no",
                "classification": "transient",
                "resolved_on_the_spot": "yes",
            }
        )
        assert evaluate(form, answers).level == "low"

    def test_screening_cannot_tell_is_treated_as_substantive(self, registry: FormRegistry) -> None:
        form = registry.form("btam.screening")
        answers = Answers({"immediate_danger": "no", "classification": "cannot_tell"})
        suggestion = evaluate(form, answers, registry.scale_for(form))
        assert suggestion.level == "moderate"
        assert suggestion.reasons == [
            "“classification” is Cannot tell yet (treated as substantive)"
        ]
