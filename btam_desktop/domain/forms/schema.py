"""The schema of form definitions and level scales (schema version 1), as pydantic models.

Everything here is immutable: lists are tuples and models are frozen, so a definition that a
completed assessment was made with cannot change under it. A definition validates its own
internal references (ids, show_if, rules, outcome); whether its rule levels exist on its scale
is checked with :meth:`FormDefinition.problems_with_scale`, because the scale is another file.

The content hash is SHA-256 over a canonical JSON serialization of the *parsed* definition
(see :func:`canonical_bytes`), not over the file's bytes, so that:

- comments, indentation, key order, quoting style and ``|`` versus ``|-`` do not change it;
- a definition stored as a dict (``to_dict``) can be re-validated and its hash recomputed, so
  a stored copy proves it is the exact content an assessment was made with;
- values equal to the schema's defaults are left out, so a later program that adds an optional
  field with a default does not change the hash of existing definitions. Defaults that carry
  meaning (the disclaimer) are written into the definition, so they are hashed.
"""

from __future__ import annotations

import difflib
import hashlib
import json
import re
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Annotated, Any, Literal, Self

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    PrivateAttr,
    StrictFloat,
    StrictInt,
    StringConstraints,
    ValidationError,
    model_validator,
)

from btam_desktop.domain.forms.problems import (
    DataPath,
    DefinitionProblems,
    FormDefinitionError,
    FormProblem,
    problems_from_validation_error,
)

SCHEMA_VERSION = 1

FORM_KINDS: tuple[str, ...] = (
    "intake",
    "screening",
    "assessment",
    "interview",
    "checklist",
    "catalog",
)
SCALE_KIND = "scale"

FormKind = Literal["intake", "screening", "assessment", "interview", "checklist", "catalog"]
Setting = Literal["any", "school", "workplace", "campus", "community"]
#: Languages a form may be written in (ISO 639-1). English unless the file says otherwise.
Language = Literal["en", "es"]
LANGUAGE_NAMES: dict[str, str] = {"en": "English", "es": "Spanish (Español)"}
#: The case workflow actions a form's outcome may point to (see domain/workflow.py).
OutcomeAction = Literal[
    "screen_out", "screen_to_assessment", "screen_to_monitoring", "start_management", "close"
]
ItemType = Literal[
    "yes_no_unknown",
    "single_choice",
    "multiple_choice",
    "short_text",
    "long_text",
    "date",
    "number",
    "rating",
    "checklist",
]
ITEM_TYPES: tuple[str, ...] = (
    "yes_no_unknown",
    "single_choice",
    "multiple_choice",
    "short_text",
    "long_text",
    "date",
    "number",
    "rating",
    "checklist",
)
CHOICE_TYPES = frozenset({"single_choice", "multiple_choice", "checklist"})
MULTI_TYPES = frozenset({"multiple_choice", "checklist"})
NUMERIC_TYPES = frozenset({"number", "rating"})
YES_NO_UNKNOWN: tuple[str, ...] = ("yes", "no", "unknown")
FLAG_NAMES: tuple[str, ...] = ("risk_factor", "protective_factor", "red_flag")

DEFAULT_DISCLAIMER = (
    "This form supports the team's professional judgment; it does not replace it. "
    "Any level it suggests is a starting point for the team's discussion: the team decides, "
    "on all the information it has, and records why."
)

MAX_RATING_POINTS = 21

# --- small value types -----------------------------------------------------------------------

_LOCAL_ID = re.compile(r"^[a-z][a-z0-9_]{0,63}$")
_DOTTED_ID = re.compile(r"^[a-z][a-z0-9_-]*(?:\.[a-z0-9][a-z0-9_-]*)*$")
_COLOR = re.compile(r"^#[0-9a-fA-F]{6}$")
_SEMVER = re.compile(
    r"^(0|[1-9]\d*)\.(0|[1-9]\d*)\.(0|[1-9]\d*)"
    r"(?:-((?:0|[1-9]\d*|\d*[a-zA-Z-][0-9a-zA-Z-]*)(?:\.(?:0|[1-9]\d*|\d*[a-zA-Z-][0-9a-zA-Z-]*))*))?"
    r"(?:\+([0-9a-zA-Z-]+(?:\.[0-9a-zA-Z-]+)*))?$"
)


def _local_id(value: str) -> str:
    if not _LOCAL_ID.match(value):
        raise ValueError(
            f"'{value}' is not a valid id: use lower-case letters, digits and _, "
            "starting with a letter (for example weapons_access)"
        )
    return value


def _dotted_id(value: str) -> str:
    if len(value) > 100 or not _DOTTED_ID.match(value):
        raise ValueError(
            f"'{value}' is not a valid id: use lower-case words of letters, digits, - and _, "
            "joined by dots (for example myteam.screening)"
        )
    return value


def _version(value: object) -> object:
    if not isinstance(value, str) or not _SEMVER.match(value):
        raise ValueError(
            f"version {value!r} is not a semantic version: write three numbers in quotes, "
            "major.minor.patch, for example '1.0.0'"
        )
    return value


def _color(value: object) -> object:
    if value is None:
        raise ValueError(
            "color is empty: put it in quotes, for example '#2e7d32' "
            "(without quotes, YAML reads everything after # as a comment)"
        )
    if not isinstance(value, str) or not _COLOR.match(value):
        raise ValueError(
            f"color {value!r} is not a color: write '#' and six hex digits, like '#2e7d32'"
        )
    return value.lower()


def _scalar(value: object) -> object:
    if isinstance(value, bool) or not isinstance(value, str | int | float):
        raise ValueError(f"a condition value should be a word or a number, not {value!r}")
    return value


def _mapping_to_pairs(key_name: str, value_name: str) -> Any:
    """Accept ``{k: v, ...}`` in a file for a list of ``{key_name: k, value_name: v}``."""

    def convert(value: object) -> object:
        if isinstance(value, Mapping):
            return [{key_name: k, value_name: v} for k, v in value.items()]
        return value

    return BeforeValidator(convert)


def version_key(version: str) -> tuple[Any, ...]:
    """Sort key for semantic versions: 1.2.0-beta < 1.2.0 < 1.10.0."""
    match = _SEMVER.match(version)
    if not match:
        return (-1,)
    major, minor, patch, pre = int(match[1]), int(match[2]), int(match[3]), match[4]
    if pre is None:
        return (major, minor, patch, 1, ())
    parts = tuple((0, int(p), "") if p.isdigit() else (1, 0, p) for p in pre.split("."))
    return (major, minor, patch, 0, parts)


LocalId = Annotated[str, AfterValidator(_local_id)]
DottedId = Annotated[str, AfterValidator(_dotted_id)]
Version = Annotated[str, BeforeValidator(_version)]
Color = Annotated[str, BeforeValidator(_color)]
Title = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200)]
Label = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=1000)]
ShortText = Annotated[str, StringConstraints(strip_whitespace=True, max_length=200)]
LongText = Annotated[str, StringConstraints(strip_whitespace=True, max_length=20000)]
Number = StrictInt | StrictFloat
Scalar = Annotated[str | StrictInt | StrictFloat, BeforeValidator(_scalar)]
Count = Annotated[StrictInt, Field(ge=1, le=1000)]


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid", allow_inf_nan=False)


# --- conditions -------------------------------------------------------------------------------

_ITEM_TESTS = ("equals", "in", "contains", "at_least", "at_most")
_COUNT_TESTS = ("risk_factors_at_least", "protective_factors_at_least", "red_flags_at_least")
_COUNT_FLAG = {
    "risk_factors_at_least": "risk_factor",
    "protective_factors_at_least": "protective_factor",
    "red_flags_at_least": "red_flag",
}
_SHAPE_HELP = (
    "a condition needs exactly one test: 'item' with one of 'equals', 'in', 'contains', "
    "'at_least'/'at_most'; or 'all', 'any' or 'not'; or one of "
    "'risk_factors_at_least', 'protective_factors_at_least', 'red_flags_at_least'"
)


class Condition(_Frozen):
    """A test on the answers. Written in a file with the keys shown as aliases."""

    item: LocalId | None = None
    equals: Scalar | None = None
    in_: tuple[Scalar, ...] | None = Field(default=None, alias="in", min_length=1)
    contains: LocalId | None = None
    at_least: Number | None = None
    at_most: Number | None = None
    all_of: tuple[Condition, ...] | None = Field(default=None, alias="all", min_length=1)
    any_of: tuple[Condition, ...] | None = Field(default=None, alias="any", min_length=1)
    not_: Condition | None = Field(default=None, alias="not")
    risk_factors_at_least: Count | None = None
    protective_factors_at_least: Count | None = None
    red_flags_at_least: Count | None = None

    @model_validator(mode="after")
    def _one_shape(self) -> Self:
        item_tests = [
            t for t, v in zip(_ITEM_TESTS, self._item_test_values(), strict=True) if v is not None
        ]
        others = [
            name
            for name, value in (
                ("all", self.all_of),
                ("any", self.any_of),
                ("not", self.not_),
                *((t, getattr(self, t)) for t in _COUNT_TESTS),
            )
            if value is not None
        ]
        if self.item is not None:
            range_only = set(item_tests) <= {"at_least", "at_most"}
            if others or not item_tests or (len(item_tests) > 1 and not range_only):
                raise ValueError(_SHAPE_HELP)
        elif item_tests or len(others) != 1:
            raise ValueError(_SHAPE_HELP)
        return self

    def _item_test_values(self) -> tuple[object, ...]:
        return (self.equals, self.in_, self.contains, self.at_least, self.at_most)

    @property
    def count_test(self) -> tuple[str, int] | None:
        """``(flag name, at least)`` for a count condition."""
        for name in _COUNT_TESTS:
            value = getattr(self, name)
            if value is not None:
                return _COUNT_FLAG[name], value
        return None

    def _children(self) -> tuple[Condition, ...]:
        return (*(self.all_of or ()), *(self.any_of or ()), *((self.not_,) if self.not_ else ()))

    def counted_flags(self) -> Iterator[str]:
        """The flags this condition counts (risk_factor, ...), here or in its parts."""
        if self.count_test is not None:
            yield self.count_test[0]
        for child in self._children():
            yield from child.counted_flags()

    def referenced_items(self) -> Iterator[str]:
        if self.item is not None:
            yield self.item
        for child in self._children():
            yield from child.referenced_items()


# --- items ------------------------------------------------------------------------------------


class Choice(_Frozen):
    id: LocalId
    label: Label
    help: LongText = ""
    risk_factor: bool = False
    protective_factor: bool = False
    red_flag: bool = False


class RatingLabel(_Frozen):
    value: StrictInt
    label: Label


class _ItemBase(_Frozen):
    id: LocalId
    label: Label
    short: ShortText = ""
    help: LongText = ""
    required: bool = False
    show_if: Condition | None = None
    ask_source: bool = False
    risk_factor: bool = False
    protective_factor: bool = False
    red_flag: bool = False

    @property
    def name(self) -> str:
        """The short name used in explanations and reports (``short``, else the label)."""
        return self.short or self.label

    @property
    def flags(self) -> tuple[str, ...]:
        return tuple(f for f in FLAG_NAMES if getattr(self, f))

    @property
    def options(self) -> tuple[Choice, ...]:
        """The choices of a choice or checklist item; empty for other types."""
        return ()

    def choice(self, choice_id: str) -> Choice | None:
        return next((c for c in self.options if c.id == choice_id), None)

    @model_validator(mode="after")
    def _check_flags(self) -> Self:
        item_type = getattr(self, "type", "")
        problems: list[tuple[DataPath, str]] = []
        if self.risk_factor and self.protective_factor:
            problems.append(((), "an item cannot be both a risk factor and a protective factor"))
        if self.flags and item_type == "single_choice":
            problems.append(
                (
                    (self.flags[0],),
                    f"{self.flags[0]} cannot be set on a single_choice item as a whole: "
                    "set it on the choices that mean the factor is present",
                )
            )
        elif self.flags and item_type not in ("yes_no_unknown", *MULTI_TYPES):
            problems.append(
                (
                    (self.flags[0],),
                    f"{self.flags[0]} can only be set on yes_no_unknown, multiple_choice and "
                    f"checklist items (or on choices), not on a {item_type} item",
                )
            )
        seen: set[str] = set()
        for index, choice in enumerate(self.options):
            if choice.id in seen:
                problems.append(
                    (("choices", index, "id"), f"the choice id '{choice.id}' is used twice")
                )
            seen.add(choice.id)
            if choice.risk_factor and choice.protective_factor:
                problems.append(
                    (("choices", index), "a choice cannot be both a risk and a protective factor")
                )
        problems.extend(self._check_type())
        if problems:
            raise DefinitionProblems(problems)
        return self

    def _check_type(self) -> list[tuple[DataPath, str]]:
        return []


class YesNoUnknownItem(_ItemBase):
    type: Literal["yes_no_unknown"]


class SingleChoiceItem(_ItemBase):
    type: Literal["single_choice"]
    choices: tuple[Choice, ...] = Field(min_length=2)

    @property
    def options(self) -> tuple[Choice, ...]:
        return self.choices


class MultipleChoiceItem(_ItemBase):
    type: Literal["multiple_choice"]
    choices: tuple[Choice, ...] = Field(min_length=1)

    @property
    def options(self) -> tuple[Choice, ...]:
        return self.choices


class ChecklistItem(_ItemBase):
    """Things to tick off. When required, every check must be ticked."""

    type: Literal["checklist"]
    choices: tuple[Choice, ...] = Field(min_length=1)

    @property
    def options(self) -> tuple[Choice, ...]:
        return self.choices


class ShortTextItem(_ItemBase):
    type: Literal["short_text"]


class LongTextItem(_ItemBase):
    type: Literal["long_text"]


class DateItem(_ItemBase):
    type: Literal["date"]


class NumberItem(_ItemBase):
    type: Literal["number"]
    min: Number | None = None
    max: Number | None = None
    integer: bool = False
    unit: ShortText = ""

    def _check_type(self) -> list[tuple[DataPath, str]]:
        if self.min is not None and self.max is not None and self.min > self.max:
            return [(("min",), f"min ({self.min}) is larger than max ({self.max})")]
        return []


class RatingItem(_ItemBase):
    type: Literal["rating"]
    min: StrictInt = 1
    max: StrictInt = 5
    labels: Annotated[tuple[RatingLabel, ...], _mapping_to_pairs("value", "label")] = ()

    def _check_type(self) -> list[tuple[DataPath, str]]:
        if self.min >= self.max:
            return [(("min",), f"min ({self.min}) must be smaller than max ({self.max})")]
        if self.max - self.min + 1 > MAX_RATING_POINTS:
            return [
                (
                    ("max",),
                    f"a rating has at most {MAX_RATING_POINTS} points; "
                    "use a number item for a wider range",
                )
            ]
        problems: list[tuple[DataPath, str]] = []
        seen: set[int] = set()
        for index, entry in enumerate(self.labels):
            if not self.min <= entry.value <= self.max:
                problems.append(
                    (
                        ("labels", index),
                        f"label for {entry.value} is outside the rating ({self.min} to {self.max})",
                    )
                )
            if entry.value in seen:
                problems.append((("labels", index), f"{entry.value} has two labels"))
            seen.add(entry.value)
        return problems

    def label_for(self, value: int) -> str | None:
        return next((e.label for e in self.labels if e.value == value), None)


Item = Annotated[
    YesNoUnknownItem
    | SingleChoiceItem
    | MultipleChoiceItem
    | ChecklistItem
    | ShortTextItem
    | LongTextItem
    | DateItem
    | NumberItem
    | RatingItem,
    Field(discriminator="type"),
]
AnyItem = (
    YesNoUnknownItem
    | SingleChoiceItem
    | MultipleChoiceItem
    | ChecklistItem
    | ShortTextItem
    | LongTextItem
    | DateItem
    | NumberItem
    | RatingItem
)


class Section(_Frozen):
    id: LocalId
    title: Title
    guidance: LongText = ""
    show_if: Condition | None = None
    items: tuple[Item, ...] = ()


class Rule(_Frozen):
    """When ``when`` holds, suggest ``level``. The first rule that holds wins."""

    level: LocalId
    when: Condition
    note: LongText = ""


class OutcomeMapping(_Frozen):
    choice: LocalId
    action: OutcomeAction


class Outcome(_Frozen):
    """Which answer of the decision item leads to which case workflow action."""

    decision_item: LocalId
    reason_item: LocalId | None = None
    actions: Annotated[tuple[OutcomeMapping, ...], _mapping_to_pairs("choice", "action")] = Field(
        min_length=1
    )

    def action_for(self, choice_id: str) -> str | None:
        return next((m.action for m in self.actions if m.choice == choice_id), None)


# --- documents --------------------------------------------------------------------------------


def canonical_bytes(data: object) -> bytes:
    """Sorted keys, no spaces, UTF-8, no NaN: the same content always gives the same bytes."""
    text = json.dumps(
        data, sort_keys=True, separators=(",", ":"), ensure_ascii=False, allow_nan=False
    )
    return text.encode("utf-8")


Origin = Literal["builtin", "custom", "stored"]


class _Document(_Frozen):
    """What form definitions and scales share: schema version, id, version, hash, storage."""

    schema_version: Literal[1] = Field(alias="schema")
    id: DottedId
    version: Version
    title: Title
    summary: LongText = ""
    follows: tuple[Label, ...] = ()

    _content_hash: str = PrivateAttr(default="")
    _origin: Origin = PrivateAttr(default="stored")
    _source_path: Path | None = PrivateAttr(default=None)

    def model_post_init(self, context: Any, /) -> None:
        self._content_hash = hashlib.sha256(canonical_bytes(self.canonical_dict())).hexdigest()

    def canonical_dict(self) -> dict[str, Any]:
        """The content as JSON-able data, in file keys, without values equal to defaults."""
        return self.model_dump(mode="json", by_alias=True, exclude_defaults=True)

    @property
    def content_hash(self) -> str:
        """Hex SHA-256 of :func:`canonical_bytes` of :meth:`canonical_dict`."""
        return self._content_hash

    @property
    def origin(self) -> Origin:
        """'builtin' (shipped forms folder), 'custom' (a team's folder) or 'stored' (a copy)."""
        return self._origin

    @property
    def builtin(self) -> bool:
        return self._origin == "builtin"

    @property
    def source_path(self) -> Path | None:
        return self._source_path

    def with_origin(self, origin: Origin, source_path: Path | None = None) -> Self:
        copy = self.model_copy()
        copy._origin = origin
        copy._source_path = source_path
        return copy

    def to_dict(self) -> dict[str, Any]:
        """A JSON-able copy to store beside a completed assessment, with its content hash."""
        data = self.canonical_dict()
        data["content_hash"] = self.content_hash
        return data

    @classmethod
    def from_dict(cls, data: Mapping[str, Any], *, verify: bool = True) -> Self:
        """Rebuild a stored copy. With ``verify``, refuse one whose content no longer matches
        its recorded hash. Raises :class:`FormDefinitionError`."""
        if not isinstance(data, Mapping):
            raise FormDefinitionError(
                [FormProblem(None, None, "a stored definition must be a mapping")]
            )
        content = dict(data)
        recorded = content.pop("content_hash", None)
        try:
            made = cls.model_validate(content)
        except ValidationError as error:
            raise FormDefinitionError(
                problems_from_validation_error(error, data=content, lines={}, path=None, root=cls)
            ) from None
        if verify and recorded is not None and recorded != made.content_hash:
            raise FormDefinitionError(
                [
                    FormProblem(
                        None,
                        None,
                        f"'{made.id}' {made.version} does not match its recorded content hash: "
                        "it was changed after it was stored",
                    )
                ]
            )
        return made

    def __eq__(self, other: object) -> bool:
        if type(other) is not type(self):
            return NotImplemented
        assert isinstance(other, _Document)
        return self.content_hash == other.content_hash

    def __hash__(self) -> int:
        return hash((type(self).__name__, self.content_hash))


class Level(_Frozen):
    code: LocalId
    label: Title
    color: Color
    description: LongText = ""
    retire_needs_justification: bool = False

    _rank: int = PrivateAttr(default=0)

    @property
    def rank(self) -> int:
        """0 for the lowest level of its scale, counting up in the order of the file."""
        return self._rank


class LevelScale(_Document):
    kind: Literal["scale"]
    levels: tuple[Level, ...] = Field(min_length=2, max_length=12)

    def model_post_init(self, context: Any, /) -> None:
        super().model_post_init(context)
        for rank, level in enumerate(self.levels):
            level._rank = rank

    @model_validator(mode="after")
    def _unique_codes(self) -> Self:
        seen: set[str] = set()
        problems: list[tuple[DataPath, str]] = []
        for index, level in enumerate(self.levels):
            if level.code in seen:
                problems.append(
                    (("levels", index, "code"), f"the level code '{level.code}' is used twice")
                )
            seen.add(level.code)
        if problems:
            raise DefinitionProblems(problems)
        return self

    def codes(self) -> list[str]:
        return [level.code for level in self.levels]

    def level(self, code: str) -> Level:
        for level in self.levels:
            if level.code == code:
                return level
        raise KeyError(
            f"'{code}' is not a level of {self.id}; its levels are {', '.join(self.codes())}"
        )

    def has_level(self, code: str) -> bool:
        return any(level.code == code for level in self.levels)


class FormDefinition(_Document):
    kind: FormKind
    disclaimer: LongText
    setting: Setting = "any"
    # The language of its wording. A translation has its own id; "en" (the default) is left
    # out of the stored definition, so the hash of every existing form is unchanged.
    language: Language = "en"
    scale: DottedId | None = None
    license: LongText = ""
    sections: tuple[Section, ...] = Field(min_length=1)
    rules: tuple[Rule, ...] = ()
    default_level: LocalId | None = None
    outcome: Outcome | None = None

    _items: dict[str, tuple[int, int]] = PrivateAttr(default_factory=dict)

    @model_validator(mode="before")
    @classmethod
    def _default_disclaimer(cls, data: Any) -> Any:
        # Written into the definition (not a field default) so that the hash covers its text.
        if isinstance(data, Mapping) and data.get("disclaimer") is None:
            return {**data, "disclaimer": DEFAULT_DISCLAIMER}
        return data

    def model_post_init(self, context: Any, /) -> None:
        super().model_post_init(context)
        self._items = {
            item.id: (s, i)
            for s, section in enumerate(self.sections)
            for i, item in enumerate(section.items)
        }

    # -- lookups --

    def all_items(self) -> list[AnyItem]:
        """Every item, in the order of the form."""
        return [item for section in self.sections for item in section.items]

    def item(self, item_id: str) -> AnyItem:
        where = self._items.get(item_id)
        if where is None:
            raise KeyError(f"the form '{self.id}' has no item '{item_id}'")
        return self.sections[where[0]].items[where[1]]

    def section_of(self, item_id: str) -> Section:
        self.item(item_id)
        return self.sections[self._items[item_id][0]]

    @property
    def suggests_level(self) -> bool:
        return bool(self.rules) or self.default_level is not None

    # -- validation of internal references --

    @model_validator(mode="after")
    def _check_references(self) -> Self:
        problems = _reference_problems(self)
        if problems:
            raise DefinitionProblems(problems)
        return self

    def problems_with_scale(self, scale: LevelScale) -> list[tuple[DataPath, str]]:
        """Rule levels and the default level that are not on ``scale``."""
        problems: list[tuple[DataPath, str]] = []
        codes = ", ".join(scale.codes())
        for index, rule in enumerate(self.rules):
            if not scale.has_level(rule.level):
                problems.append(
                    (
                        ("rules", index, "level"),
                        f"the level '{rule.level}' is not on the scale '{scale.id}' "
                        f"(its levels are {codes})",
                    )
                )
        if self.default_level is not None and not scale.has_level(self.default_level):
            problems.append(
                (
                    ("default_level",),
                    f"the default level '{self.default_level}' is not on the scale '{scale.id}' "
                    f"(its levels are {codes})",
                )
            )
        return problems


def _reference_problems(form: FormDefinition) -> list[tuple[DataPath, str]]:
    problems: list[tuple[DataPath, str]] = []
    items: dict[str, AnyItem] = {}
    for item in form.all_items():
        items.setdefault(item.id, item)
    earlier: set[str] = set()
    section_ids: set[str] = set()
    for s, section in enumerate(form.sections):
        if section.id in section_ids:
            problems.append((("sections", s, "id"), f"the section id '{section.id}' is used twice"))
        section_ids.add(section.id)
        if section.show_if is not None:
            problems.extend(
                _condition_problems(
                    section.show_if,
                    ("sections", s, "show_if"),
                    items,
                    owner=f"section '{section.id}'",
                    earlier=frozenset(earlier),
                    flags=frozenset(),
                )
            )
        for i, item in enumerate(section.items):
            here: DataPath = ("sections", s, "items", i)
            if item.id in earlier:
                problems.append(
                    (
                        (*here, "id"),
                        f"the item id '{item.id}' is used twice; ids must be unique in a form",
                    )
                )
            if item.show_if is not None:
                problems.extend(
                    _condition_problems(
                        item.show_if,
                        (*here, "show_if"),
                        items,
                        owner=f"item '{item.id}'",
                        earlier=frozenset(earlier),
                        flags=frozenset(),
                    )
                )
            earlier.add(item.id)
    if not items:
        problems.append((("sections",), "the form has no items; add at least one"))

    flags_present = frozenset(
        flag
        for item in items.values()
        for flag in FLAG_NAMES
        if getattr(item, flag) or any(getattr(c, flag) for c in item.options)
    )
    for r, rule in enumerate(form.rules):
        problems.extend(
            _condition_problems(
                rule.when,
                ("rules", r, "when"),
                items,
                owner=f"rule {r + 1}",
                earlier=None,
                flags=flags_present,
            )
        )
    if form.suggests_level and form.scale is None:
        problems.append(
            (
                ("rules",) if form.rules else ("default_level",),
                "this form suggests a level, so it must name its level 'scale' "
                "(for example scale: scale.four-level)",
            )
        )
    if form.outcome is not None:
        problems.extend(_outcome_problems(form.outcome, items))
    return problems


def _unknown_item(item_id: str, items: Mapping[str, AnyItem]) -> str:
    close = difflib.get_close_matches(item_id, list(items), n=1)
    hint = f" (did you mean '{close[0]}'?)" if close else ""
    return f"refers to item '{item_id}', which does not exist{hint}"


def _condition_problems(
    condition: Condition,
    path: DataPath,
    items: Mapping[str, AnyItem],
    *,
    owner: str,
    earlier: frozenset[str] | None,
    flags: frozenset[str],
) -> list[tuple[DataPath, str]]:
    """Problems with one condition. ``earlier`` is set for show_if: the items before it."""
    problems: list[tuple[DataPath, str]] = []
    if condition.item is not None:
        target = items.get(condition.item)
        if target is None:
            problems.append(((*path, "item"), f"{owner}: {_unknown_item(condition.item, items)}"))
        elif earlier is not None and condition.item not in earlier:
            problems.append(
                (
                    (*path, "item"),
                    f"{owner} has show_if on '{condition.item}', which does not come before it",
                )
            )
        else:
            problems.extend(_test_problems(condition, target, path, owner))
    count = condition.count_test
    if count is not None:
        key = next(t for t in _COUNT_TESTS if getattr(condition, t) is not None)
        if earlier is not None:
            problems.append(((*path, key), f"{owner}: show_if cannot count flags; test one item"))
        elif count[0] not in flags:
            problems.append(
                (
                    (*path, key),
                    f"{owner}: no item or choice is marked {count[0]}, so '{key}' can never hold",
                )
            )
    for key, children in (("all", condition.all_of), ("any", condition.any_of)):
        for index, child in enumerate(children or ()):
            problems.extend(
                _condition_problems(
                    child, (*path, key, index), items, owner=owner, earlier=earlier, flags=flags
                )
            )
    if condition.not_ is not None:
        problems.extend(
            _condition_problems(
                condition.not_, (*path, "not"), items, owner=owner, earlier=earlier, flags=flags
            )
        )
    return problems


def _test_problems(
    condition: Condition, target: AnyItem, path: DataPath, owner: str
) -> list[tuple[DataPath, str]]:
    problems: list[tuple[DataPath, str]] = []
    kind = target.type
    name = f"'{target.id}' ({kind})"
    values: list[tuple[DataPath, object]] = []
    if condition.equals is not None:
        values.append(((*path, "equals"), condition.equals))
    for index, option in enumerate(condition.in_ or ()):
        values.append(((*path, "in", index), option))
    if values and kind not in ("yes_no_unknown", "single_choice", *NUMERIC_TYPES):
        if kind in MULTI_TYPES:
            message = f"{owner}: {name} holds several choices; test it with 'contains'"
        else:
            message = f"{owner}: conditions cannot test {kind} items such as {name}"
        return [(values[0][0], message)]
    for where, value in values:
        problem = _allowed_value_problem(target, value)
        if problem:
            problems.append((where, f"{owner}: {problem}"))
    if condition.contains is not None:
        if kind not in MULTI_TYPES:
            problems.append(
                (
                    (*path, "contains"),
                    f"{owner}: 'contains' is for multiple_choice and checklist items, "
                    f"not {name}; use 'equals' or 'in'",
                )
            )
        elif target.choice(condition.contains) is None:
            problems.append(
                (
                    (*path, "contains"),
                    f"{owner}: {name} has no choice '{condition.contains}' "
                    f"(its choices are {', '.join(c.id for c in target.options)})",
                )
            )
    for key in ("at_least", "at_most"):
        if getattr(condition, key) is not None and kind not in NUMERIC_TYPES:
            problems.append(
                ((*path, key), f"{owner}: '{key}' is for number and rating items, not {name}")
            )
    return problems


def _allowed_value_problem(target: AnyItem, value: object) -> str | None:
    if target.type == "yes_no_unknown":
        if value not in YES_NO_UNKNOWN:
            return f"'{target.id}' is answered yes, no or unknown, not {value!r}"
    elif target.type == "single_choice":
        if target.choice(str(value)) is None or not isinstance(value, str):
            choices = ", ".join(c.id for c in target.options)
            return f"'{target.id}' has no choice {value!r} (its choices are {choices})"
    elif isinstance(value, str):
        return f"'{target.id}' is answered with a number, not {value!r}"
    return None


def _outcome_problems(outcome: Outcome, items: Mapping[str, AnyItem]) -> list[tuple[DataPath, str]]:
    problems: list[tuple[DataPath, str]] = []
    decision = items.get(outcome.decision_item)
    if decision is None:
        return [
            (
                ("outcome", "decision_item"),
                f"outcome: decision_item {_unknown_item(outcome.decision_item, items)}",
            )
        ]
    if decision.type != "single_choice":
        problems.append(
            (
                ("outcome", "decision_item"),
                f"outcome: the decision item '{decision.id}' must be a single_choice item",
            )
        )
    else:
        mapped: set[str] = set()
        for index, mapping in enumerate(outcome.actions):
            if decision.choice(mapping.choice) is None:
                problems.append(
                    (
                        ("outcome", "actions", index),
                        f"outcome: '{decision.id}' has no choice '{mapping.choice}'",
                    )
                )
            mapped.add(mapping.choice)
        for choice in decision.options:
            if choice.id not in mapped:
                problems.append(
                    (
                        ("outcome", "actions"),
                        f"outcome: the decision '{choice.id}' has no workflow action",
                    )
                )
    if outcome.reason_item is not None:
        reason = items.get(outcome.reason_item)
        if reason is None:
            problems.append(
                (
                    ("outcome", "reason_item"),
                    f"outcome: reason_item {_unknown_item(outcome.reason_item, items)}",
                )
            )
        elif reason.type not in ("short_text", "long_text"):
            problems.append(
                (
                    ("outcome", "reason_item"),
                    f"outcome: the reason item '{reason.id}' must be a text item",
                )
            )
    return problems
