"""A bad definition file gives problems that name the file, the line and the problem in plain
words; never a traceback."""

from __future__ import annotations

import copy
import functools
from collections.abc import Callable
from pathlib import Path

import pytest
import yaml

from btam_desktop.domain.forms import (
    FormDefinition,
    FormDefinitionError,
    FormProblem,
    LevelScale,
    builtin_forms_dir,
    load_file,
    parse_text,
)
from btam_desktop.domain.forms.registry import FormRegistry
from btam_desktop.domain.forms.yamlsource import MAX_DEPTH, MAX_FILE_BYTES

from .conftest import BASE_FORM, line_containing

WriteFile = Callable[[str, str | bytes], Path]


@functools.cache
def builtin_scales() -> dict[str, LevelScale]:
    return {s.id: s for s in FormRegistry.load().scales()}


def problems_of(text: str | bytes, name: str = "screening.yaml") -> list[FormProblem]:
    scales = builtin_scales()
    with pytest.raises(FormDefinitionError) as caught:
        parse_text(text, name, scales=scales)
    problems = caught.value.problems
    assert problems and all(p.message for p in problems)
    return problems


def only_problem(text: str | bytes, name: str = "screening.yaml") -> FormProblem:
    problems = problems_of(text, name)
    assert len(problems) == 1, [str(p) for p in problems]
    return problems[0]


def test_the_base_form_is_valid() -> None:
    form = parse_text(BASE_FORM, "screening.yaml")
    assert isinstance(form, FormDefinition)
    assert [i.id for i in form.all_items()] == ["planning", "weapons", "kind"]


def test_yaml_syntax_error_names_file_and_line() -> None:
    text = BASE_FORM.replace("title: Check\n", "title: Check: the form\n")
    problem = only_problem(text)
    assert problem.line == line_containing(text, "title: Check: the form")
    assert str(problem).startswith(f"screening.yaml, line {problem.line}: ")
    assert "':'" in problem.message and "quotes" in problem.message


def test_tab_indentation_is_explained() -> None:
    text = BASE_FORM.replace("    guidance: Look carefully.", "\tguidance: Look carefully.")
    problem = only_problem(text)
    assert problem.line == line_containing(text, "\tguidance")
    assert "tab" in problem.message


def test_unknown_key_names_the_key_and_what_is_allowed() -> None:
    text = BASE_FORM.replace(
        "        short: planning\n", "        short: planning\n        colour: red\n"
    )
    problem = only_problem(text)
    assert problem.line == line_containing(text, "colour: red")
    assert "item 'planning'" in problem.message
    assert "unknown key 'colour'" in problem.message
    assert "allowed here: id, type, label" in problem.message


def test_unknown_key_suggests_the_likely_one() -> None:
    text = BASE_FORM.replace("        short: planning\n", "        requird: true\n")
    problem = only_problem(text)
    assert "did you mean 'required'?" in problem.message


def test_duplicate_item_id_points_at_the_second_one() -> None:
    text = BASE_FORM.replace("      - id: kind\n", "      - id: planning\n")
    problem = only_problem(text)
    assert problem.line == line_containing(text, "- id: planning", occurrence=2)
    assert "the item id 'planning' is used twice" in problem.message


def test_duplicate_key_in_a_block_is_refused() -> None:
    text = BASE_FORM.replace("title: Check\n", "title: Check\ntitle: Again\n")
    problem = only_problem(text)
    assert problem.line == line_containing(text, "title: Again")
    assert "the key 'title' appears twice" in problem.message
    assert f"first on line {line_containing(text, 'title: Check')}" in problem.message


def test_show_if_on_a_later_item_is_refused_with_the_documented_message() -> None:
    text = BASE_FORM.replace(
        '        show_if: {item: planning, equals: "yes"}',
        "        show_if: {item: kind, equals: transient}",
    )
    problem = only_problem(text)
    assert problem.line == line_containing(text, "show_if: {item: kind")
    assert problem.message == "item 'weapons' has show_if on 'kind', which does not come before it"
    assert str(problem) == (
        f"screening.yaml, line {problem.line}: "
        "item 'weapons' has show_if on 'kind', which does not come before it"
    )


def test_show_if_on_a_missing_item_suggests_the_close_one() -> None:
    text = BASE_FORM.replace("show_if: {item: planning,", "show_if: {item: planing,")
    problem = only_problem(text)
    assert "refers to item 'planing', which does not exist (did you mean 'planning'?)" in (
        problem.message
    )


def test_show_if_with_a_value_the_item_cannot_have() -> None:
    text = BASE_FORM.replace(
        'show_if: {item: planning, equals: "yes"}', "show_if: {item: planning, equals: maybe}"
    )
    problem = only_problem(text)
    assert problem.line == line_containing(text, "equals: maybe")
    assert "'planning' is answered yes, no or unknown, not 'maybe'" in problem.message


def test_rule_level_that_is_not_on_the_scale() -> None:
    text = BASE_FORM.replace("  - level: high\n", "  - level: severe\n")
    problem = only_problem(text)
    assert problem.line == line_containing(text, "level: severe")
    assert "the level 'severe' is not on the scale 'scale.four-level'" in problem.message
    assert "low, moderate, high, imminent" in problem.message


def test_default_level_that_is_not_on_the_scale() -> None:
    text = BASE_FORM.replace("default_level: low", "default_level: none")
    problem = only_problem(text)
    assert problem.line == line_containing(text, "default_level: none")
    assert "the default level 'none'" in problem.message


def test_unknown_scale_is_named() -> None:
    text = BASE_FORM.replace("scale: scale.four-level", "scale: scale.nine-level")
    problem = only_problem(text)
    assert problem.line == line_containing(text, "scale: scale.nine-level")
    assert "the scale 'scale.nine-level' is not known" in problem.message
    assert "scale.florida" in problem.message


def test_rule_on_a_missing_item() -> None:
    text = BASE_FORM.replace("- {item: weapons, equals", "- {item: knife, equals")
    problem = only_problem(text)
    assert problem.line == line_containing(text, "{item: knife")
    assert problem.message.startswith("rule 1: refers to item 'knife'")


def test_rules_need_a_scale() -> None:
    text = BASE_FORM.replace("scale: scale.four-level\n", "")
    problem = only_problem(text)
    assert "must name its level 'scale'" in problem.message


def test_bad_color_in_a_scale() -> None:
    text = SCALE.replace('color: "#f9a825"', 'color: "yellow"')
    problem = only_problem(text, "levels.yaml")
    assert problem.line == line_containing(text, 'color: "yellow"')
    assert "'yellow' is not a color" in problem.message
    assert "level 'medium'" in problem.message


def test_unquoted_color_explains_the_comment_trap() -> None:
    text = SCALE.replace('color: "#f9a825"', "color: #f9a825")
    problem = only_problem(text, "levels.yaml")
    assert problem.line == line_containing(text, "color: #f9a825")
    assert "in quotes" in problem.message and "comment" in problem.message


@pytest.mark.parametrize(
    ("written", "shown"),
    [('"1.0"', "'1.0'"), ("1.0", "1.0"), ('"v1.0.0"', "'v1.0.0'"), ('"1.0.0.0"', "'1.0.0.0'")],
)
def test_bad_version(written: str, shown: str) -> None:
    text = BASE_FORM.replace('version: "1.0.0"', f"version: {written}")
    problem = only_problem(text)
    assert problem.line == line_containing(text, "version:")
    assert f"version {shown} is not a semantic version" in problem.message


def test_missing_label_and_wrong_type_are_both_reported_on_their_lines() -> None:
    text = BASE_FORM.replace("        label: Is there planning?\n", "").replace(
        "        risk_factor: true\n        show_if", "        risk_factor: [1]\n        show_if"
    )
    problems = problems_of(text)
    messages = {p.line: p.message for p in problems}
    assert messages[line_containing(text, "- id: planning")] == (
        "item 'planning': 'label' is required here but missing"
    )
    assert "'risk_factor' should be true or false" in messages[line_containing(text, "[1]")]


def test_an_entry_that_is_not_a_block_is_named_by_its_position() -> None:
    text = BASE_FORM.replace("- {id: transient, label: Transient}", "- transient")
    problem = only_problem(text)
    assert problem.line == line_containing(text, "- transient")
    assert problem.message == (
        "item 'kind': entry 1 of 'choices' should be a block of 'key: value' lines, not 'transient'"
    )


def test_unknown_item_type_lists_the_types() -> None:
    text = BASE_FORM.replace("type: single_choice", "type: dropdown")
    problem = only_problem(text)
    assert problem.line == line_containing(text, "- id: kind")
    assert "'dropdown' is not a known type" in problem.message
    assert "yes_no_unknown" in problem.message and "checklist" in problem.message


def test_comma_inside_braces_is_explained() -> None:
    text = BASE_FORM.replace("label: Transient}", "label: Transient, passing}")
    problem = only_problem(text)
    assert problem.line == line_containing(text, "Transient, passing")
    assert "put text that contains a comma in quotes" in problem.message


def test_number_written_where_text_belongs() -> None:
    text = BASE_FORM.replace("title: First", "title: 2024")
    problem = only_problem(text)
    assert problem.line == line_containing(text, "title: 2024")
    assert "'title' should be text; put it in quotes" in problem.message


def test_yes_and_no_are_words_not_booleans() -> None:
    text = BASE_FORM.replace('equals: "yes"', "equals: yes")
    form = parse_text(text, "screening.yaml")
    assert isinstance(form, FormDefinition)
    show_if = form.item("weapons").show_if
    assert show_if is not None and show_if.equals == "yes"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("", "the file is empty"),
        ("# only a comment\n", "the file is empty"),
        ("- a\n- b\n", "must be a block of 'key: value' lines"),
        ("just words\n", "must be a block of 'key: value' lines"),
        ("kind: screening\n", "'schema: 1' is missing"),
        ("schema: 2\nkind: screening\n", "written for schema 2"),
        ("schema: one\nkind: screening\n", "'schema' should be 1"),
        ("schema: 1\n", "'kind' is missing"),
        ("schema: 1\nkind: survey\n", "'kind' is 'survey', but should be one of: intake"),
        ("schema: 1\nkind: intake\n---\nschema: 1\n", "more than one document"),
        ("schema: 1\nkind: intake\nid: &a x\ntitle: *a\n", "anchors and aliases"),
        ("schema: 1\nkind: !custom intake\n", "the tag '!custom' is not supported"),
        ("schema: 1\nkind: intake\nversion: !!int abc\n", "is not a number"),
        ("schema: 1\nkind: intake\n? [a, b]\n: c\n", "a key must be a plain word"),
        ("schema: 1\nkind: intake\ntitle: 'open\n", "a closing quote is missing"),
        ("schema: 1\nkind: intake\ntitle: [open\n", "the YAML is not valid"),
        ("schema: 1\nkind: intake\nx: \x07\n", "a character that YAML does not allow"),
    ],
)
def test_unusable_files_get_a_plain_message(text: str, expected: str) -> None:
    problems = problems_of(text)
    assert expected in problems[0].message, str(problems[0])


def test_too_deep_nesting_is_refused() -> None:
    text = "schema: 1\nkind: intake\nsections: " + "[" * (MAX_DEPTH + 5) + "]" * (MAX_DEPTH + 5)
    problem = only_problem(text)
    assert f"nested more than {MAX_DEPTH} levels" in problem.message


def test_huge_file_is_refused_without_parsing(write_file: WriteFile) -> None:
    path = write_file("huge.yaml", b"# " + b"x" * MAX_FILE_BYTES)
    with pytest.raises(FormDefinitionError) as caught:
        load_file(path)
    assert "too large" in caught.value.problems[0].message
    assert "2 MB" in caught.value.problems[0].message


def test_file_that_is_not_utf8_names_the_line(write_file: WriteFile) -> None:
    path = write_file("latin.yaml", BASE_FORM.replace("Check", "Caf\xe9").encode("latin-1"))
    with pytest.raises(FormDefinitionError) as caught:
        load_file(path)
    problem = caught.value.problems[0]
    assert problem.path == path
    assert problem.line == line_containing(BASE_FORM, "title: Check")
    assert "not UTF-8" in problem.message


def test_utf8_with_byte_order_mark_is_accepted(write_file: WriteFile) -> None:
    path = write_file("bom.yaml", b"\xef\xbb\xbf" + BASE_FORM.encode("utf-8"))
    assert isinstance(load_file(path), FormDefinition)


def test_missing_file_is_a_problem_not_a_crash(tmp_path: Path) -> None:
    with pytest.raises(FormDefinitionError) as caught:
        load_file(tmp_path / "gone.yaml")
    assert "cannot be read" in str(caught.value)


def test_error_text_lists_every_problem_with_its_file() -> None:
    text = BASE_FORM.replace("title: First", "title: 2024").replace("- id: kind", "- id: Kind")
    with pytest.raises(FormDefinitionError) as caught:
        parse_text(text, "screening.yaml")
    lines = str(caught.value).splitlines()
    assert len(lines) == 2
    assert all(line.startswith("screening.yaml, line ") for line in lines)
    assert "'Kind' is not a valid id" in lines[1]


def test_the_error_survives_copying_with_its_problems() -> None:
    error = FormDefinitionError(
        [FormProblem(Path("a.yaml"), 3, "bad"), FormProblem(None, None, "x")]
    )
    again = copy.deepcopy(error)
    assert again.problems == error.problems
    assert str(again) == "a.yaml, line 3: bad\nstored definition: x"


def test_plain_yaml_loading_elsewhere_is_not_changed() -> None:
    # The forms reader reads 'yes' as a word; the rest of the program keeps PyYAML's default.
    assert parse_text(BASE_FORM, "f.yaml")
    assert yaml.safe_load("answer: yes") == {"answer": True}


def test_outcome_must_map_every_decision_to_a_workflow_action() -> None:
    text = BASE_FORM + (
        "outcome:\n"
        "  decision_item: kind\n"
        "  actions:\n"
        "    transient: screen_out\n"
        "    substantive: escalate\n"
    )
    problem = only_problem(text)
    assert problem.line == line_containing(text, "substantive: escalate")
    assert "'action' is 'escalate', but should be one of: screen_out" in problem.message


def test_outcome_with_an_unmapped_choice() -> None:
    text = BASE_FORM + "outcome:\n  decision_item: kind\n  actions:\n    transient: screen_out\n"
    problem = only_problem(text)
    assert "the decision 'substantive' has no workflow action" in problem.message


def test_outcome_decision_must_be_a_single_choice() -> None:
    text = BASE_FORM + "outcome:\n  decision_item: planning\n  actions:\n    'yes': close\n"
    problem = only_problem(text)
    assert problem.line == line_containing(text, "decision_item: planning")
    assert "must be a single_choice item" in problem.message


def test_count_rule_without_any_flagged_item() -> None:
    text = BASE_FORM.replace(
        "  - level: high\n",
        "  - level: moderate\n    when: {red_flags_at_least: 1}\n  - level: high\n",
    )
    problem = only_problem(text)
    assert problem.line == line_containing(text, "red_flags_at_least")
    assert "no item or choice is marked red_flag" in problem.message


def test_condition_with_two_tests_is_refused() -> None:
    text = BASE_FORM.replace(
        '- {item: planning, equals: "yes"}', '- {item: planning, equals: "yes", in: ["no"]}'
    )
    problem = only_problem(text)
    assert problem.line == line_containing(text, 'in: ["no"]')
    assert "a condition needs exactly one test" in problem.message


def test_contains_on_a_yes_no_item_is_refused() -> None:
    text = BASE_FORM.replace('- {item: planning, equals: "yes"}', "- {item: planning, contains: x}")
    problem = only_problem(text)
    assert "'contains' is for multiple_choice and checklist items" in problem.message


def test_flag_on_a_text_item_is_refused() -> None:
    text = BASE_FORM.replace(
        "      - id: kind\n        type: single_choice\n        label: Kind of threat\n",
        "      - id: notes\n        type: long_text\n        label: Notes\n        red_flag: true\n"
        "      - id: kind\n        type: single_choice\n        label: Kind of threat\n",
    )
    problem = only_problem(text)
    assert problem.line == line_containing(text, "red_flag: true")
    assert "red_flag can only be set on yes_no_unknown" in problem.message


def test_rating_range_and_labels_are_checked() -> None:
    text = BASE_FORM.replace(
        "      - id: kind\n",
        "      - id: worry\n        type: rating\n        label: Worry\n"
        "        min: 1\n        max: 5\n        labels: {1: None, 9: Extreme}\n"
        "      - id: kind\n",
    )
    problem = only_problem(text)
    assert problem.line == line_containing(text, "labels:")
    assert "label for 9 is outside the rating (1 to 5)" in problem.message


SCALE = """\
schema: 1
kind: scale
id: team.levels
version: "1.0.0"
title: Team levels
levels:
  - code: low
    label: Low
    color: "#2e7d32"
  - code: medium
    label: Medium
    color: "#f9a825"
    retire_needs_justification: true
"""


def test_a_valid_scale_loads_with_ranks() -> None:
    scale = parse_text(SCALE, "levels.yaml")
    assert isinstance(scale, LevelScale)
    assert scale.codes() == ["low", "medium"]
    assert scale.level("medium").rank == 1
    assert scale.level("medium").retire_needs_justification
    with pytest.raises(KeyError, match=r"'high' is not a level of team\.levels"):
        scale.level("high")


def test_duplicate_level_code() -> None:
    text = SCALE.replace("code: medium", "code: low")
    problem = only_problem(text, "levels.yaml")
    assert problem.line == line_containing(text, "- code: low", occurrence=2)
    assert "the level code 'low' is used twice" in problem.message


def test_every_builtin_file_passes_through_the_text_api() -> None:
    for path in sorted(builtin_forms_dir().rglob("*.yaml")):
        assert parse_text(path.read_text(encoding="utf-8"), path.name).id
