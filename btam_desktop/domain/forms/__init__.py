"""Protocols as data: form definitions and level scales, their rules, and answers to them.

- ``schema``: the versioned definition schema (pydantic models) and the content hash.
- ``yamlsource``: reading YAML with the line of every key, refusing what forms do not need.
- ``loader``: one file to a validated definition, or problems naming file, line and problem.
- ``registry``: the built-in forms folder plus a team's own folder; ``check_path``.
- ``answers``: holding answers and checking one answer against its item.
- ``rules``: what is shown, missing, found and unknown; the suggested level and why.

The file format is documented for teams in ``forms/README.md``.
"""

from btam_desktop.domain.forms.answers import (
    Answer,
    AnswerProblem,
    Answers,
    AnswerValue,
    covered_check,
    display_value,
    is_empty,
    not_applicable,
    not_applicable_entry,
    validate_answers,
    validate_value,
)
from btam_desktop.domain.forms.loader import load_file, parse_text
from btam_desktop.domain.forms.problems import FormDefinitionError, FormProblem
from btam_desktop.domain.forms.registry import (
    FormRegistry,
    UnknownDefinitionError,
    builtin_forms_dir,
    check_path,
)
from btam_desktop.domain.forms.rules import (
    Check,
    Finding,
    Findings,
    InformationGap,
    MissingAnswer,
    Suggestion,
    check_condition,
    evaluate,
    findings,
    information_gaps,
    is_visible,
    missing_required,
    protective_factors,
    red_flags,
    risk_factors,
    visible_items,
    visible_sections,
)
from btam_desktop.domain.forms.schema import (
    DEFAULT_DISCLAIMER,
    FORM_KINDS,
    ITEM_TYPES,
    LANGUAGE_NAMES,
    SCHEMA_VERSION,
    AnyItem,
    Choice,
    Condition,
    FormDefinition,
    Level,
    LevelScale,
    Outcome,
    Rule,
    Section,
    version_key,
)

__all__ = [
    "DEFAULT_DISCLAIMER",
    "FORM_KINDS",
    "ITEM_TYPES",
    "LANGUAGE_NAMES",
    "SCHEMA_VERSION",
    "Answer",
    "AnswerProblem",
    "AnswerValue",
    "Answers",
    "AnyItem",
    "Check",
    "Choice",
    "Condition",
    "Finding",
    "Findings",
    "FormDefinition",
    "FormDefinitionError",
    "FormProblem",
    "FormRegistry",
    "InformationGap",
    "Level",
    "LevelScale",
    "MissingAnswer",
    "Outcome",
    "Rule",
    "Section",
    "Suggestion",
    "UnknownDefinitionError",
    "builtin_forms_dir",
    "check_condition",
    "check_path",
    "covered_check",
    "display_value",
    "evaluate",
    "findings",
    "information_gaps",
    "is_empty",
    "is_visible",
    "load_file",
    "missing_required",
    "not_applicable",
    "not_applicable_entry",
    "parse_text",
    "protective_factors",
    "red_flags",
    "risk_factors",
    "validate_answers",
    "validate_value",
    "version_key",
    "visible_items",
    "visible_sections",
]
