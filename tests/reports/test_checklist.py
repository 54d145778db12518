"""Blank checklists: every built-in form, a team's own form, paper sizes, fonts, metadata."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

from btam_desktop.domain.forms import FormDefinition, FormRegistry
from btam_desktop.reports import build_blank_checklist, suggested_file_name, write_blank_checklists
from btam_desktop.reports.checklist import describe_condition, numbering, words_for
from tests.reports.conftest import (
    A4,
    LETTER,
    assert_fonts_embedded,
    pdf_metadata,
    pdf_page_sizes,
    pdf_pages_text,
    pdf_text,
    same_size,
    words,
)

TEAM = "Maple Grove Unified (fictional demo)"
BUILTIN = FormRegistry.load(None)
FORMS = BUILTIN.forms()


def test_there_are_builtin_forms_to_print() -> None:
    assert len(FORMS) >= 10
    assert {"btam.screening", "btam.assessment.school"} <= {f.id for f in FORMS}


@pytest.mark.parametrize("form", FORMS, ids=lambda f: f.id)
def test_every_builtin_form_prints_with_all_its_items(form: FormDefinition) -> None:
    pdf = build_blank_checklist(form, TEAM, scale=BUILTIN.scale_for(form))
    text = pdf_text(pdf)
    spanish = form.language == "es"
    assert words(form.title) in text
    assert f"{'versión' if spanish else 'version'} {form.version}" in text
    assert form.id in text
    assert TEAM in text
    assert words(form.disclaimer) in text
    for follows in form.follows:
        assert words(follows) in text
    for section in form.sections:
        assert words(section.title) in text
        for item in section.items:
            assert words(item.label) in text, item.id
            for choice in item.options:
                assert words(choice.label) in text, f"{item.id}.{choice.id}"
            if item.ask_source:
                assert words_for(form.language, "Source and reliability:") in text
    pages = pdf_pages_text(pdf)
    for number, page in enumerate(pages, start=1):
        if spanish:
            assert f"Página {number} de {len(pages)}" in page
            assert "Confidencial: registro de evaluación de amenazas." in page
        else:
            assert f"Page {number} of {len(pages)}" in page
            assert "Confidential: threat assessment record." in page
    assert_fonts_embedded(pdf)


def test_a_form_with_a_scale_gets_a_decision_block_with_its_levels() -> None:
    form = BUILTIN.form("btam.screening")
    scale = BUILTIN.scale_for(form)
    assert scale is not None
    text = pdf_text(build_blank_checklist(form, TEAM))  # the scale is found on its own
    assert "Level of concern: the team's decision" in text
    for level in scale.levels:
        assert level.label in text
        assert words(level.description) in text
    assert "How this form suggests a level." in text
    assert "Imminent if “immediate danger” is Yes." in text
    assert "Rationale." in text
    assert "Team members present" in text and "Signature" in text


def test_a_form_without_a_scale_has_no_decision_block_but_a_signature_block() -> None:
    form = BUILTIN.form("btam.checklist.team-meeting")
    text = pdf_text(build_blank_checklist(form, TEAM))
    assert "the team's decision" not in text
    assert "Team members present" in text
    # a checklist without yes/no questions does not explain yes/no boxes
    assert "Tick Yes, No or Unknown" not in text


def test_guidance_can_be_left_out() -> None:
    form = BUILTIN.form("btam.screening")
    guidance = words(form.sections[0].guidance.split("\n\n")[0])
    with_guidance = pdf_text(build_blank_checklist(form, TEAM))
    without = pdf_text(build_blank_checklist(form, TEAM, include_guidance=False))
    assert guidance in with_guidance
    assert guidance not in without
    assert words(form.sections[0].items[0].label) in without
    assert len(without) < len(with_guidance)


def test_paper_sizes() -> None:
    form = BUILTIN.form("btam.screening")
    letter = pdf_page_sizes(build_blank_checklist(form, TEAM, paper="letter"))
    a4 = pdf_page_sizes(build_blank_checklist(form, TEAM, paper="a4"))
    assert all(same_size(size, LETTER) for size in letter)
    assert all(same_size(size, A4) for size in a4)
    with pytest.raises(ValueError, match="letter"):
        build_blank_checklist(form, TEAM, paper="legal")


def test_metadata_names_the_team_and_the_form() -> None:
    form = BUILTIN.form("btam.screening")
    meta = pdf_metadata(build_blank_checklist(form, TEAM))
    assert meta["Title"] == "Screening a report of concern (blank form)"
    assert meta["Author"] == TEAM
    assert "btam.screening" in meta["Subject"]


CUSTOM_SCALE = """\
schema: 1
kind: scale
id: myteam.scale
version: "1.0.0"
title: Our three levels
levels:
  - {code: green, label: Green, color: "#2e7d32", description: Nothing to do.}
  - {code: amber, label: Amber, color: "#f9a825"}
  - {code: red, label: Red, color: "#c62828"}
"""

CUSTOM_FORM = """\
schema: 1
kind: assessment
id: myteam.check
version: "2.1.0"
title: Our licensed instrument (entered by the team)
follows: [Our own training manual]
license: Used under the team's license; do not copy outside the team.
scale: myteam.scale
sections:
  - id: first
    title: Ratings and numbers
    guidance: |
      Rate each thing:
      - low means calm
      - high means worried
    items:
      - id: worry
        type: rating
        label: How worried are the people around the person?
        min: 0
        max: 10
        labels: {0: Not at all, 5: Somewhat, 10: Very worried}
      - id: days
        type: number
        label: Days since the last incident
        min: 0
        max: 365
        integer: true
        unit: days
      - id: seen
        type: yes_no_unknown
        label: Was the person seen near the target's home?
        risk_factor: true
        ask_source: true
      - id: where
        type: short_text
        label: Where exactly?
        show_if: {item: seen, equals: "yes"}
      - id: helpers
        type: multiple_choice
        label: Who helps the person?
        choices:
          - {id: family, label: Family, protective_factor: true}
          - {id: coach, label: A coach or mentor, protective_factor: true}
      - id: when
        type: date
        label: Date of the last contact
rules:
  - level: red
    when: {all: [{item: seen, equals: "yes"}, {item: worry, at_least: 8}]}
  - level: amber
    when: {item: worry, at_least: 5}
default_level: green
"""


def _custom_registry(tmp_path: Path) -> FormRegistry:
    folder = tmp_path / "forms"
    folder.mkdir()
    (folder / "scale.yaml").write_text(CUSTOM_SCALE, encoding="utf-8")
    (folder / "check.yaml").write_text(CUSTOM_FORM, encoding="utf-8")
    registry = FormRegistry.load(folder)
    assert registry.problems == []
    return registry


def test_a_teams_own_form_with_its_own_scale_prints(tmp_path: Path) -> None:
    registry = _custom_registry(tmp_path)
    form = registry.form("myteam.check")
    pdf = build_blank_checklist(form, "Acme HR", scale=registry.scale_for(form), paper="a4")
    text = pdf_text(pdf)
    for expected in (
        "Our licensed instrument (entered by the team)",
        "version 2.1.0",
        "the team's own form",
        "Used under the team's license",
        "Not at all",
        "Very worried",
        "days",
        "(whole number, 0 to 365)",
        "Answer only if “Was the person seen near the target's home?” is Yes.",
        "low means calm",
        "Green",
        "Amber",
        "Red if “Was the person seen near the target's home?” is Yes and “How worried are "
        "the people around the person?” is at least 8.",
        "Otherwise Green.",
        "day / month / year",
    ):
        assert expected in text, expected
    assert all(same_size(size, A4) for size in pdf_page_sizes(pdf))


def test_conditions_read_as_plain_words(tmp_path: Path) -> None:
    form = _custom_registry(tmp_path).form("myteam.check")
    assert describe_condition(form, form.rules[1].when) == (
        "“How worried are the people around the person?” is at least 5"
    )


def test_numbering_follows_numbered_section_titles() -> None:
    school = BUILTIN.form("btam.assessment.school")
    numbers = numbering(school)
    # its section titles carry their own numbers ("2. Communications"): count items straight
    assert all(section_number == "" for section_number, _ in numbers)
    flat = [n for _, items in numbers for n in items]
    assert flat == [str(n) for n in range(1, len(flat) + 1)]
    screening = numbering(BUILTIN.form("btam.screening"))
    assert screening[1][0] == "2" and screening[1][1][0] == "2.1"


def test_suggested_file_names_carry_no_names() -> None:
    assert suggested_file_name("case_summary", "2026-0042") == "2026-0042 case summary.pdf"
    assert (
        suggested_file_name("blank checklist", form_id="btam.screening", version="1.0.0")
        == "blank checklist - btam.screening v1.0.0.pdf"
    )
    assert suggested_file_name("handout", audience="parents").endswith("- parents.pdf")
    assert "/" not in suggested_file_name("case_summary", "2026/0042")


def test_write_blank_checklists_writes_every_form_to_the_chosen_folder(tmp_path: Path) -> None:
    registry = _custom_registry(tmp_path)
    out = tmp_path / "printouts"
    written = write_blank_checklists(out, registry, "Acme HR", "a4")
    assert len(written) == len(registry.forms())
    assert {p.parent for p in written} == {out}
    assert out / "blank checklist - myteam.check v2.1.0.pdf" in written
    for path in written:
        data = path.read_bytes()
        assert data.startswith(b"%PDF-")
        assert same_size(pdf_page_sizes(data)[0], A4)
    with pytest.raises(ValueError):
        write_blank_checklists(tmp_path / "other", registry, "Acme HR", "tabloid")
    assert not (tmp_path / "other").exists()


def test_text_keeps_every_script_and_marks_what_no_font_has() -> None:
    from btam_desktop.reports.base import safe_text
    from btam_desktop.reports.fonts import MISSING_MARK, unprintable

    assert safe_text("Dvořák → Zoë") == "Dvořák → Zoë"
    assert safe_text("日本 김 Ольга") == "日本 김 Ольга"
    assert safe_text("plain") == "plain"
    # a private-use character has no glyph anywhere: marked, listed, never a silent "?"
    assert safe_text("a\ue000b") == f"a{MISSING_MARK}b"
    assert unprintable("a\ue000b\ue000") == ["\ue000"]
    assert unprintable("Zoë 日本 😀") == []


def test_long_guidance_and_many_choices_break_across_pages(tmp_path: Path) -> None:
    folder = tmp_path / "forms"
    folder.mkdir()
    long_text = " ".join(["Long guidance sentence for the team to read."] * 400)
    choices = "\n".join(f"          - {{id: c{n}, label: Choice number {n}}}" for n in range(60))
    (folder / "big.yaml").write_text(
        textwrap.dedent(
            f"""\
            schema: 1
            kind: checklist
            id: myteam.big
            version: "1.0.0"
            title: A very long checklist
            sections:
              - id: one
                title: One
                guidance: {long_text}
                items:
                  - id: many
                    type: checklist
                    label: Many things to tick
                    choices:
            """
        )
        + choices
        + "\n",
        encoding="utf-8",
    )
    registry = FormRegistry.load(folder)
    assert registry.problems == []
    pdf = build_blank_checklist(registry.form("myteam.big"), "Acme HR")
    text = pdf_text(pdf)
    assert "Choice number 59" in text
    assert len(pdf_pages_text(pdf)) >= 3
