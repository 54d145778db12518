"""Content hashes, immutability, and stored copies of definitions."""

from __future__ import annotations

import hashlib
import json

import pydantic
import pytest

from btam_desktop.domain.forms import (
    DEFAULT_DISCLAIMER,
    FormDefinition,
    FormDefinitionError,
    FormRegistry,
    LevelScale,
    parse_text,
    version_key,
)
from btam_desktop.domain.forms.schema import canonical_bytes

from .conftest import BASE_FORM

# The same content as BASE_FORM: comments, key order, flow versus block style, quoting and
# indentation differ; nothing a reader of the form would notice.
REFORMATTED = """\
# A comment the hash must ignore.
kind: "screening"
schema: 1
title: 'Check'
id: team.check
version: '1.0.0'
scale: scale.four-level
default_level: low
rules:
- when: {all: [{item: weapons, equals: "yes"}, {equals: "yes", item: planning}]}
  level: high
sections:
- title: First
  id: first
  guidance: |
    Look carefully.
  items:
  - {id: planning, type: yes_no_unknown, label: "Is there planning?", short: planning,
     risk_factor: true}
  - id: weapons
    label: Is there access to weapons?
    type: yes_no_unknown
    short: weapons access
    risk_factor: yes
    show_if:
      item: planning
      equals: "yes"
  - id: kind
    type: single_choice
    label: Kind of threat
    required: false
    choices:
    - id: transient
      label: Transient
    - id: substantive
      label: Substantive
"""


def form_from(text: str) -> FormDefinition:
    parsed = parse_text(text, "form.yaml")
    assert isinstance(parsed, FormDefinition)
    return parsed


def test_hash_ignores_layout_comments_order_and_explicit_defaults() -> None:
    original = form_from(BASE_FORM)
    reformatted = form_from(REFORMATTED)
    assert reformatted.content_hash == original.content_hash
    assert reformatted == original


@pytest.mark.parametrize(
    ("old", "new"),
    [
        ("title: Check", "title: Check again"),
        ("label: Is there planning?", "label: Is there any planning?"),
        ("default_level: low", "default_level: moderate"),
        ("  - level: high", "  - level: imminent"),
        ('version: "1.0.0"', 'version: "1.0.1"'),
        ("        risk_factor: true\n        show_if", "        show_if"),
        ("guidance: Look carefully.", "guidance: Look very carefully."),
    ],
)
def test_any_real_change_changes_the_hash(old: str, new: str) -> None:
    assert old in BASE_FORM
    changed = form_from(BASE_FORM.replace(old, new))
    assert changed.content_hash != form_from(BASE_FORM).content_hash


def test_hash_is_sha256_of_the_canonical_content() -> None:
    form = form_from(BASE_FORM)
    canonical = form.canonical_dict()
    assert form.content_hash == hashlib.sha256(canonical_bytes(canonical)).hexdigest()
    # Canonical bytes: sorted keys, no whitespace, so they are independent of dict order.
    assert canonical_bytes({"b": 1, "a": [1, "é"]}) == '{"a":[1,"é"],"b":1}'.encode()
    # The default disclaimer is written into the content, so a new default text would show.
    assert canonical["disclaimer"] == DEFAULT_DISCLAIMER
    assert "required" not in json.dumps(canonical)


def test_to_dict_is_json_and_from_dict_gives_the_same_definition() -> None:
    form = form_from(BASE_FORM)
    stored = json.loads(json.dumps(form.to_dict()))
    assert stored["content_hash"] == form.content_hash
    assert stored["id"] == "team.check" and stored["version"] == "1.0.0"
    again = FormDefinition.from_dict(stored)
    assert again == form
    assert again.to_dict() == stored
    assert again.item("weapons").show_if == form.item("weapons").show_if
    assert again.origin == "stored" and again.source_path is None


def test_a_stored_copy_that_was_altered_is_refused() -> None:
    stored = form_from(BASE_FORM).to_dict()
    stored["title"] = "Something else"
    with pytest.raises(FormDefinitionError, match="does not match its recorded content hash"):
        FormDefinition.from_dict(stored)
    # Asked explicitly, the altered copy can still be read (for example to show the damage).
    assert FormDefinition.from_dict(stored, verify=False).title == "Something else"


def test_an_invalid_stored_copy_is_a_plain_problem() -> None:
    stored = form_from(BASE_FORM).to_dict()
    stored["sections"][0]["items"][1]["show_if"]["item"] = "kind"
    with pytest.raises(FormDefinitionError) as caught:
        FormDefinition.from_dict(stored)
    assert str(caught.value) == (
        "stored definition: item 'weapons' has show_if on 'kind', which does not come before it"
    )
    with pytest.raises(FormDefinitionError, match="must be a mapping"):
        FormDefinition.from_dict(["not", "a", "dict"])  # type: ignore[arg-type]


def test_scales_round_trip_with_their_ranks(registry: FormRegistry) -> None:
    scale = registry.scale("scale.four-level")
    again = LevelScale.from_dict(json.loads(json.dumps(scale.to_dict())))
    assert again == scale
    assert [level.rank for level in again.levels] == [0, 1, 2, 3]
    assert "rank" not in json.dumps(scale.to_dict())


def test_definitions_are_immutable() -> None:
    form = form_from(BASE_FORM)
    with pytest.raises(pydantic.ValidationError):
        form.title = "changed"  # type: ignore[misc]
    with pytest.raises(pydantic.ValidationError):
        form.sections[0].items[0].label = "changed"  # type: ignore[misc]
    assert isinstance(form.sections, tuple) and isinstance(form.sections[0].items, tuple)
    with pytest.raises(AttributeError):
        form.sections[0].items[0].options.append(None)  # type: ignore[attr-defined]
    # Hashable, so definitions can key caches and sets.
    assert len({form, form_from(REFORMATTED)}) == 1


def test_origin_is_not_content() -> None:
    form = form_from(BASE_FORM)
    builtin = form.with_origin("builtin")
    assert builtin.builtin and not form.builtin
    assert builtin == form and builtin.content_hash == form.content_hash


@pytest.mark.parametrize(
    "ordered",
    [["0.9.0", "1.0.0-alpha", "1.0.0-alpha.1", "1.0.0-beta", "1.0.0", "1.2.0", "1.10.0", "2.0.0"]],
)
def test_version_order_is_semantic(ordered: list[str]) -> None:
    assert sorted(reversed(ordered), key=version_key) == ordered
