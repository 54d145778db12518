"""The registry: built-in definitions plus a team's own folder, where a bad file never stops
the good ones from loading."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from btam_desktop.domain.forms import (
    FormRegistry,
    UnknownDefinitionError,
    builtin_forms_dir,
    check_path,
)

from .conftest import BASE_FORM, line_containing

WriteFile = Callable[[str, str | bytes], Path]

TEAM_SCALE = """\
schema: 1
kind: scale
id: team.scale
version: "1.0.0"
title: Team scale
levels:
  - {code: calm, label: Calm, color: "#00aa00"}
  - {code: alarm, label: Alarm, color: "#aa0000", retire_needs_justification: true}
"""


def test_builtin_folder_is_found_next_to_the_package() -> None:
    folder = builtin_forms_dir()
    assert folder.is_dir()
    assert (folder / "README.md").is_file()
    assert (folder.parent / "btam_desktop" / "domain" / "forms").is_dir()


def test_custom_folder_with_a_bad_file_still_loads_the_good_ones(write_file: WriteFile) -> None:
    good = write_file("forms/good.yaml", BASE_FORM)
    bad_text = BASE_FORM.replace("id: team.check", "id: team.other").replace(
        "title: First", "title: First\n    colour: red"
    )
    bad = write_file("forms/sub/bad.yaml", bad_text)
    write_file("forms/notes.txt", "not a definition")
    write_file("forms/.hidden/ignored.yaml", "not: [valid")

    registry = FormRegistry.load(good.parent)

    custom = registry.form("team.check")
    assert not custom.builtin and custom.origin == "custom" and custom.source_path == good
    assert registry.form("btam.screening").builtin
    assert len(registry.problems) == 1
    problem = registry.problems[0]
    assert problem.path == bad
    assert problem.line == line_containing(bad_text, "colour: red")
    assert str(problem).startswith(f"bad.yaml, line {problem.line}: section 'first': unknown key")
    with pytest.raises(KeyError):
        registry.form("team.other")


def test_custom_forms_sit_beside_builtins_in_kind_order(write_file: WriteFile) -> None:
    folder = write_file(
        "forms/a.yaml", BASE_FORM.replace("title: Check", "title: AAA screening")
    ).parent
    forms = FormRegistry.load(folder).forms(kind="screening")
    assert [f.id for f in forms] == ["team.check", "btam.screening"]
    assert [f.builtin for f in forms] == [False, True]


def test_missing_custom_folder_is_not_a_problem(tmp_path: Path) -> None:
    registry = FormRegistry.load(tmp_path / "no-such-folder")
    assert registry.problems == []
    assert registry.form("btam.screening")


def test_custom_folder_that_is_a_file_is_a_problem(write_file: WriteFile) -> None:
    path = write_file("forms", "x")
    registry = FormRegistry.load(path)
    assert [p.message for p in registry.problems] == ["this is not a folder"]


def test_reserved_prefix_and_duplicates_are_refused(write_file: WriteFile) -> None:
    folder = write_file("forms/one.yaml", BASE_FORM).parent
    write_file("forms/two.yaml", BASE_FORM)
    write_file("forms/mine.yaml", BASE_FORM.replace("id: team.check", "id: btam.screening"))
    registry = FormRegistry.load(folder)
    messages = sorted(str(p) for p in registry.problems)
    assert len(messages) == 2
    assert messages[0].startswith("mine.yaml, line 3: ids starting with 'btam.' belong to")
    assert messages[1] == (
        "two.yaml, line 3: 'team.check' version 1.0.0 is already defined in one.yaml; "
        "change the id or raise the version"
    )
    assert registry.form("btam.screening").builtin


def test_versions_newest_first_and_exact_lookup(write_file: WriteFile) -> None:
    folder = write_file("forms/v1.yaml", BASE_FORM).parent
    write_file("forms/v2.yaml", BASE_FORM.replace('"1.0.0"', '"1.10.0"'))
    write_file("forms/v3.yaml", BASE_FORM.replace('"1.0.0"', '"1.9.0"'))
    registry = FormRegistry.load(folder)
    assert registry.form("team.check").version == "1.10.0"
    assert registry.form("team.check", "1.9.0").version == "1.9.0"
    assert [f.version for f in registry.forms() if f.id == "team.check"] == ["1.10.0"]
    every = [f.version for f in registry.forms(all_versions=True) if f.id == "team.check"]
    assert every == ["1.10.0", "1.9.0", "1.0.0"]
    with pytest.raises(UnknownDefinitionError) as caught:
        registry.form("team.check", "2.0.0")
    assert str(caught.value) == (
        "The form 'team.check' is loaded in version 1.0.0, 1.9.0, 1.10.0, not 2.0.0. "
        "A completed assessment keeps its own copy of the definition it was made with."
    )


def test_unknown_form_and_scale_give_clear_key_errors(registry: FormRegistry) -> None:
    with pytest.raises(KeyError) as caught:
        registry.form("team.nothing")
    assert str(caught.value).startswith("No form with the id 'team.nothing' is loaded.")
    with pytest.raises(KeyError) as scale_error:
        registry.scale("scale.none")
    assert str(scale_error.value) == (
        "No level scale with the id 'scale.none' is loaded "
        "(loaded: scale.florida, scale.four-level)."
    )


def test_a_team_scale_is_usable_by_forms_in_the_same_folder(write_file: WriteFile) -> None:
    folder = write_file("forms/scales/team.yaml", TEAM_SCALE).parent.parent
    form_text = (
        BASE_FORM.replace("scale.four-level", "team.scale")
        .replace("level: high", "level: alarm")
        .replace("default_level: low", "default_level: calm")
    )
    write_file("forms/form.yaml", form_text)
    registry = FormRegistry.load(folder)
    assert registry.problems == []
    form = registry.form("team.check")
    assert registry.scale_for(form) == registry.scale("team.scale")
    assert [s.id for s in registry.scales()] == ["scale.florida", "scale.four-level", "team.scale"]
    assert check_path(folder) == []
    assert check_path(folder / "form.yaml") == []


def test_a_team_form_on_an_unknown_level_is_listed_not_loaded(write_file: WriteFile) -> None:
    text = BASE_FORM.replace("level: high", "level: severe")
    folder = write_file("forms/form.yaml", text).parent
    registry = FormRegistry.load(folder)
    assert [str(p) for p in registry.problems] == [
        f"form.yaml, line {line_containing(text, 'level: severe')}: rule 1: the level 'severe' "
        "is not on the scale 'scale.four-level' (its levels are low, moderate, high, imminent)"
    ]
    with pytest.raises(KeyError):
        registry.form("team.check")


def test_a_team_scale_may_not_take_a_builtin_id(write_file: WriteFile) -> None:
    folder = write_file("forms/s.yaml", TEAM_SCALE.replace("team.scale", "scale.florida")).parent
    registry = FormRegistry.load(folder)
    assert [p.message for p in registry.problems] == [
        "the scale id 'scale.florida' is already used by a built-in scale; "
        "give this scale its own id"
    ]
    assert registry.scale("scale.florida").codes() == ["low", "medium", "high"]
    assert [p.message for p in check_path(folder)] == [
        "the scale id 'scale.florida' is already used by a built-in scale; "
        "give this scale its own id"
    ]


def test_check_path_reports_every_bad_file_in_a_folder(write_file: WriteFile) -> None:
    folder = write_file("forms/good.yaml", BASE_FORM).parent
    write_file("forms/broken.yaml", "schema: 1\nkind: intake\ntitle: [\n")
    write_file("forms/mine.yaml", BASE_FORM.replace("team.check", "btam.mine"))
    problems = check_path(folder)
    assert [p.path.name for p in problems if p.path] == ["broken.yaml", "mine.yaml"]
    assert all(p.line is not None for p in problems)


def test_check_path_on_single_files(write_file: WriteFile, tmp_path: Path) -> None:
    good = write_file("good.yaml", BASE_FORM)
    assert check_path(good) == []
    bad = write_file("bad.yaml", BASE_FORM.replace("scale.four-level", "scale.missing"))
    [problem] = check_path(bad)
    assert problem.path == bad and "the scale 'scale.missing' is not known" in problem.message
    [missing] = check_path(tmp_path / "nothing.yaml")
    assert missing.message == "there is no such file or folder"


def test_registry_forms_are_definitions_not_copies(registry: FormRegistry) -> None:
    assert registry.form("btam.screening") is registry.form("btam.screening")


def test_every_builtin_file_checks_on_its_own() -> None:
    """`btam forms check forms/screening/screening.yaml` must pass, not only the folder."""
    from btam_desktop.domain.forms import builtin_forms_dir, check_path

    files = sorted(builtin_forms_dir().rglob("*.yaml"))
    assert len(files) >= 15
    for path in files:
        assert check_path(path) == [], path
