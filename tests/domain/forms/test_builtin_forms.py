"""The shipped definitions: they load, they are complete, and they follow the rules of the
project (frameworks named, judgment not replaced, workflow actions that exist)."""

from __future__ import annotations

import typing

import pytest

from btam_desktop.domain.enums import CaseSetting, ReportChannel, ThreatDirectness, ThreatExpression
from btam_desktop.domain.forms import (
    FORM_KINDS,
    FormDefinition,
    FormRegistry,
    builtin_forms_dir,
    check_path,
)
from btam_desktop.domain.forms.schema import OutcomeAction, Setting
from btam_desktop.domain.workflow import WorkflowAction

EXPECTED_FORMS = {
    "btam.report-of-concern": "intake",
    "btam.screening": "screening",
    "btam.assessment.school": "assessment",
    "btam.assessment.workplace": "assessment",
    "btam.interview.subject": "interview",
    "btam.interview.target": "interview",
    "btam.interview.witness": "interview",
    "btam.interview.parent-guardian": "interview",
    "btam.interview.teacher-supervisor": "interview",
    "btam.checklist.closure": "checklist",
    "btam.checklist.team-meeting": "checklist",
}

# Every shipped form, including ones added later, must meet the invariants below.
BUILTIN_IDS = sorted(f.id for f in FormRegistry.load().forms())


def test_every_builtin_file_loads_without_problems(registry: FormRegistry) -> None:
    assert registry.problems == []
    loaded = {f.id: f.kind for f in registry.forms()}
    assert EXPECTED_FORMS.items() <= loaded.items()
    assert all(form_id.startswith("btam.") for form_id in loaded)


def test_check_path_on_the_builtin_folder_finds_nothing() -> None:
    assert check_path(builtin_forms_dir()) == []


def test_builtin_forms_are_marked_builtin(registry: FormRegistry) -> None:
    for form in registry.forms():
        assert form.builtin and form.origin == "builtin"
        assert form.source_path is not None and form.source_path.is_relative_to(builtin_forms_dir())


@pytest.mark.parametrize("form_id", BUILTIN_IDS)
def test_builtin_form_names_its_frameworks_and_defers_to_the_team(
    registry: FormRegistry, form_id: str
) -> None:
    form = registry.form(form_id)
    assert form.follows, "every built-in form names the frameworks it follows"
    assert form.summary
    text = form.disclaimer.lower()
    if form.language == "es":
        assert "apoya" in text and "no lo reemplaza" in text
    else:
        assert "support" in text and "does not replace" in text


@pytest.mark.parametrize("form_id", BUILTIN_IDS)
def test_builtin_sections_carry_guidance_or_are_plain_records(
    registry: FormRegistry, form_id: str
) -> None:
    form = registry.form(form_id)
    guided = [s for s in form.sections if s.guidance]
    # Novice teams rely on the guidance; most sections must explain what to do.
    assert len(guided) >= len(form.sections) / 2


def test_scales_are_shipped_in_order(registry: FormRegistry) -> None:
    four = registry.scale("scale.four-level")
    assert four.codes() == ["low", "moderate", "high", "imminent"]
    assert [level.rank for level in four.levels] == [0, 1, 2, 3]
    assert not four.level("low").retire_needs_justification
    assert all(four.level(c).retire_needs_justification for c in ("moderate", "high", "imminent"))
    florida = registry.scale("scale.florida")
    assert florida.codes() == ["low", "medium", "high"]
    assert florida.level("high").rank == 2
    assert "6A-1.0019" in " ".join(florida.follows)
    assert "DCJS" in " ".join(four.follows)


def test_assessments_suggest_levels_on_a_known_scale(registry: FormRegistry) -> None:
    for form in registry.forms(kind="assessment"):
        assert form.scale == "scale.four-level"
        assert form.rules and form.default_level == "low"
        assert registry.scale_for(form) is not None


def test_school_assessment_follows_the_thirteen_themes(registry: FormRegistry) -> None:
    form = registry.form("btam.assessment.school")
    numbered = [s.title for s in form.sections if s.title.split(".")[0].isdigit()]
    assert len(numbered) == 13
    themes = [
        "motives",
        "communications",
        "interests",
        "weapons",
        "stressors",
        "emotional",
        "despair",
        "violence",
        "concerned",
        "capacity",
        "planning",
        "consistency",
        "protective",
    ]
    for title, theme in zip(numbered, themes, strict=True):
        assert theme in title.lower()
    guidance = " ".join(s.guidance for s in form.sections)
    for number in range(1, 12):
        assert f"Key question {number}" in guidance


@pytest.mark.parametrize("form_id", ["btam.assessment.school", "btam.assessment.workplace"])
def test_factual_assessment_questions_ask_for_their_source(
    registry: FormRegistry, form_id: str
) -> None:
    form = registry.form(form_id)
    flagged = [i for i in form.all_items() if i.type == "yes_no_unknown" and i.flags]
    assert flagged
    assert all(i.ask_source for i in flagged)
    kinds = {flag for i in form.all_items() for flag in i.flags}
    assert kinds == {"risk_factor", "protective_factor", "red_flag"}


def test_screening_decision_maps_to_real_workflow_actions(registry: FormRegistry) -> None:
    form = registry.form("btam.screening")
    assert form.outcome is not None
    assert {m.choice: m.action for m in form.outcome.actions} == {
        "close": "screen_out",
        "monitor": "screen_to_monitoring",
        "assess": "screen_to_assessment",
    }
    assert form.item(form.outcome.decision_item).required
    assert form.outcome.reason_item and form.item(form.outcome.reason_item).required


def test_outcome_actions_are_all_workflow_actions() -> None:
    actions = set(typing.get_args(OutcomeAction))
    assert actions <= {a.value for a in WorkflowAction}


def test_settings_are_the_case_settings_plus_any() -> None:
    assert set(typing.get_args(Setting)) == {s.value for s in CaseSetting} | {"any"}


def test_intake_choices_use_the_stored_vocabularies(registry: FormRegistry) -> None:
    form = registry.form("btam.report-of-concern")
    channel = {c.id for c in form.item("channel").options}
    assert channel == {c.value for c in ReportChannel}
    expressed = {c.id for c in form.item("expressed_as").options}
    assert expressed == {e.value for e in ThreatExpression}
    directness = {c.id for c in form.item("directness").options}
    # Conditional is its own yes/no question now, not a kind of directness.
    assert directness == {d.value for d in ThreatDirectness} - {"none", "conditional"}
    assert form.item("conditional").type == "yes_no_unknown"


def test_forms_are_sorted_by_workflow_kind_then_title(registry: FormRegistry) -> None:
    forms = registry.forms()
    keys = [(FORM_KINDS.index(f.kind), f.title.casefold()) for f in forms]
    assert keys == sorted(keys)
    assert forms[0].kind == "intake"


def test_every_builtin_definition_survives_a_stored_round_trip(registry: FormRegistry) -> None:
    for form in registry.forms():
        stored = form.to_dict()
        again = FormDefinition.from_dict(stored)
        assert again == form
        assert again.content_hash == form.content_hash
        assert again.origin == "stored"
