"""Fuzzing: whatever a file holds, loading it gives a definition or problems with messages;
never another exception. Valid results always survive a stored round trip."""

from __future__ import annotations

import copy
from collections.abc import Callable
from typing import Any

import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from btam_desktop.domain.forms import (
    Answers,
    FormDefinition,
    FormDefinitionError,
    FormRegistry,
    LevelScale,
    builtin_forms_dir,
    evaluate,
    findings,
    information_gaps,
    missing_required,
    parse_text,
    validate_answers,
    visible_items,
)
from btam_desktop.domain.forms.yamlsource import read_yaml

from .conftest import BASE_FORM

FUZZ = settings(
    max_examples=200,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)

KEYS = [
    "schema", "kind", "id", "version", "title", "summary", "follows", "disclaimer", "setting",
    "scale", "sections", "items", "type", "label", "short", "help", "required", "show_if",
    "ask_source", "risk_factor", "protective_factor", "red_flag", "choices", "min", "max",
    "labels", "rules", "level", "when", "all", "any", "not", "item", "equals", "in",
    "contains", "at_least", "at_most", "risk_factors_at_least", "default_level", "outcome",
    "decision_item", "reason_item", "actions", "levels", "code", "color", "guidance", "note",
]  # fmt: skip
WORDS = [
    "yes", "no", "unknown", "screening", "scale", "intake", "single_choice", "yes_no_unknown",
    "checklist", "rating", "number", "planning", "weapons", "kind", "first", "high", "low",
    "scale.four-level", "1.0.0", "#aabbcc", "screen_out", "close", "team.check", "",
]  # fmt: skip

scalars = (
    st.none()
    | st.booleans()
    | st.integers(min_value=-(10**6), max_value=10**6)
    | st.floats(allow_nan=True, allow_infinity=True)
    | st.sampled_from(WORDS)
    | st.text(max_size=20)
)
keys = st.sampled_from(KEYS) | st.text(max_size=8) | st.integers(-3, 3)
structures = st.recursive(
    scalars,
    lambda children: st.lists(children, max_size=4) | st.dictionaries(keys, children, max_size=5),
    max_leaves=25,
)


def settles(load: Callable[[], object]) -> None:
    """``load`` gives a valid definition or FormDefinitionError with usable problems."""
    try:
        result = load()
    except FormDefinitionError as error:
        assert error.problems
        for problem in error.problems:
            assert problem.message.strip()
            assert problem.line is None or problem.line >= 1
            assert str(problem).strip()
        return
    assert isinstance(result, FormDefinition | LevelScale)
    again = type(result).from_dict(result.to_dict())
    assert again == result and again.content_hash == result.content_hash
    if isinstance(result, FormDefinition):
        evaluate(result, Answers())


def dump(data: object) -> str:
    return yaml.safe_dump(data, sort_keys=False, allow_unicode=True)


@FUZZ
@given(st.text(max_size=400))
def test_any_text(text: str) -> None:
    settles(lambda: parse_text(text, "fuzz.yaml"))


@FUZZ
@given(st.text(alphabet=st.sampled_from(list("ab1: -[]{}#'\"\n\t&*!|>?,.%@`~\\")), max_size=300))
def test_yaml_punctuation(text: str) -> None:
    settles(lambda: parse_text(text, "fuzz.yaml"))


@FUZZ
@given(st.binary(max_size=300))
def test_any_bytes(raw: bytes) -> None:
    settles(lambda: parse_text(raw, "fuzz.yaml"))


splices = st.lists(
    st.tuples(
        st.integers(0, len(BASE_FORM)),
        st.integers(0, 30),
        st.text(alphabet=st.sampled_from(list("ab1: -[]{}#'\"\n\t ,")), max_size=6),
    ),
    min_size=1,
    max_size=4,
)


@FUZZ
@given(splices)
def test_mutated_form_text(edits: list[tuple[int, int, str]]) -> None:
    text = BASE_FORM
    for start, length, insert in edits:
        start = min(start, len(text))
        text = text[:start] + insert + text[start + length :]
    settles(lambda: parse_text(text, "fuzz.yaml"))


@FUZZ
@given(structures)
def test_random_structures(data: object) -> None:
    settles(lambda: parse_text(dump(data), "fuzz.yaml"))


@FUZZ
@given(st.sampled_from(["screening", "assessment", "checklist", "scale"]), structures)
def test_random_structures_behind_a_valid_header(kind: str, body: object) -> None:
    data: dict[Any, Any] = {"schema": 1, "kind": kind, "id": "team.fuzz", "version": "1.0.0"}
    if isinstance(body, dict):
        data.update(body)
    else:
        data["sections"] = body
    settles(lambda: parse_text(dump(data), "fuzz.yaml"))
    settles(lambda: (LevelScale if kind == "scale" else FormDefinition).from_dict(data))


def _paths(data: object, prefix: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    found = [prefix]
    if isinstance(data, dict):
        for key, value in data.items():
            found.extend(_paths(value, (*prefix, key)))
    elif isinstance(data, list):
        for index, value in enumerate(data):
            found.extend(_paths(value, (*prefix, index)))
    return found


def _mutate(data: Any, path: tuple[Any, ...], action: str, value: object) -> Any:
    data = copy.deepcopy(data)
    if not path:
        return value
    parent = data
    for part in path[:-1]:
        parent = parent[part]
    last = path[-1]
    if action == "delete":
        del parent[last]
    elif action == "replace":
        parent[last] = value
    elif isinstance(parent, dict):
        parent[f"extra_{last}"] = value
    else:
        parent.insert(last, value)
    return data


BASE_DATA = read_yaml(BASE_FORM).data
SCHOOL_DATA = read_yaml(
    (builtin_forms_dir() / "assessment" / "school.yaml").read_text(encoding="utf-8")
).data


@FUZZ
@given(
    st.sampled_from([BASE_DATA, SCHOOL_DATA]),
    st.data(),
    st.sampled_from(["delete", "replace", "add"]),
    structures,
)
def test_mutated_definitions(base: Any, data: st.DataObject, action: str, value: object) -> None:
    paths = _paths(base)
    path = data.draw(st.sampled_from(paths))
    mutated = _mutate(base, path, action, value)
    settles(lambda: FormDefinition.from_dict(mutated))
    if base is BASE_DATA:
        settles(lambda: parse_text(dump(mutated), "fuzz.yaml"))


SCHOOL = FormRegistry.load().form("btam.assessment.school")
answer_values = (
    st.none()
    | st.sampled_from(["yes", "no", "unknown", "poses", "manage", "preparation", "2024-01-01"])
    | st.lists(st.sampled_from(["planning", "acquiring", "x", "bullying"]), max_size=3)
    | st.integers(-5, 30)
    | st.floats(allow_nan=True)
    | st.text(max_size=10)
)


@FUZZ
@given(
    st.dictionaries(
        st.sampled_from([i.id for i in SCHOOL.all_items()]) | st.text(max_size=5),
        answer_values,
        max_size=25,
    )
)
def test_any_answers_to_the_school_assessment(raw: dict[str, Any]) -> None:
    answers = Answers(raw)
    suggestion = evaluate(SCHOOL, answers)
    assert suggestion.level in (None, "low", "moderate", "high", "imminent")
    assert suggestion.explanation
    visible_items(SCHOOL, answers)
    information_gaps(SCHOOL, answers)
    missing_required(SCHOOL, answers)
    findings(SCHOOL, answers)
    for problem in validate_answers(SCHOOL, answers):
        assert problem.message
    assert Answers.from_dict(answers.to_dict()) == answers
