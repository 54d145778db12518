"""The examples in forms/README.md work as the README says."""

from __future__ import annotations

import re

import pytest

from btam_desktop.domain.forms import (
    Answers,
    FormDefinition,
    FormDefinitionError,
    FormRegistry,
    LevelScale,
    builtin_forms_dir,
    evaluate,
    parse_text,
)

README = (builtin_forms_dir() / "README.md").read_text(encoding="utf-8")
BLOCKS = re.findall(r"```yaml\n(.*?)```", README, flags=re.DOTALL)


def test_the_small_example_loads_and_explains_as_documented(registry: FormRegistry) -> None:
    example = parse_text(
        BLOCKS[0],
        "myteam-screening.yaml",
        scales={"scale.four-level": registry.scale("scale.four-level")},
    )
    assert isinstance(example, FormDefinition)
    suggestion = evaluate(
        example, Answers({"weapons_access": "yes", "planning": "yes"}), registry.scale_for(example)
    )
    sentence = "Suggested: High, because “weapons access” is Yes and “planning” is Yes."
    assert suggestion.explanation == sentence
    assert f'*"{sentence}"*' in README


def test_the_scale_example_loads() -> None:
    scale_block = next(block for block in BLOCKS if "kind: scale" in block)
    scale = parse_text(scale_block, "scale.yaml")
    assert isinstance(scale, LevelScale)
    assert scale.codes() == ["none", "low"]


def test_the_documented_error_message_is_the_real_one() -> None:
    documented = (
        "screening.yaml, line 42: item 'weapons' has show_if on 'planning', "
        "which does not come before it"
    )
    assert documented in README
    # Build a file where the show_if of 'weapons' on a later 'planning' sits on line 42.
    head = "schema: 1\nkind: screening\nid: team.s\nversion: '1.0.0'\ntitle: S\n"
    head += "sections:\n  - id: s\n    title: S\n    guidance: |\n"
    items = (
        "    items:\n"
        "      - id: weapons\n        type: yes_no_unknown\n        label: Weapons?\n"
        "        show_if: {item: planning, equals: 'yes'}\n"
        "      - id: planning\n        type: yes_no_unknown\n        label: Planning?\n"
    )
    padding = 42 - head.count("\n") - 5
    text = head + "      guidance line\n" * padding + items
    assert text.splitlines()[41].strip().startswith("show_if:")
    with pytest.raises(FormDefinitionError) as caught:
        parse_text(text, "screening.yaml")
    assert [str(p) for p in caught.value.problems] == [documented]


def test_every_builtin_file_is_listed_in_the_readme() -> None:
    for path in builtin_forms_dir().rglob("*.yaml"):
        relative = path.relative_to(builtin_forms_dir()).as_posix()
        folder = relative.split("/")[0]
        assert relative in README or f"`{folder}/*.yaml`" in README, relative
