"""Load one definition file (a form or a level scale) into a validated, immutable object.

Every failure ends as :class:`FormDefinitionError` whose problems name the file, the line and
the problem in plain words; a bad file never produces a traceback.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from btam_desktop.domain.forms.problems import (
    DataPath,
    FormDefinitionError,
    FormProblem,
    line_of,
    located_problems,
    problems_from_validation_error,
)
from btam_desktop.domain.forms.schema import (
    FORM_KINDS,
    SCALE_KIND,
    SCHEMA_VERSION,
    FormDefinition,
    LevelScale,
    Origin,
)
from btam_desktop.domain.forms.yamlsource import MAX_FILE_BYTES, YamlProblem, decode, read_yaml

Definition = FormDefinition | LevelScale

#: File name endings read as definitions.
DEFINITION_SUFFIXES = (".yaml", ".yml")


@dataclass(frozen=True)
class ParsedFile:
    """A file that passed its own validation, with what is needed to place later problems."""

    path: Path
    definition: Definition
    data: Any
    lines: dict[DataPath, int] = field(default_factory=dict)

    def problems_at(self, found: list[tuple[DataPath, str]]) -> list[FormProblem]:
        return located_problems(found, data=self.data, lines=self.lines, path=self.path)


def _fail(path: Path, line: int | None, message: str) -> FormDefinitionError:
    return FormDefinitionError([FormProblem(path, line, message)])


def parse_file_text(text: str | bytes, path: Path, *, origin: Origin = "custom") -> ParsedFile:
    """Validate one definition's text on its own (scale references are checked later)."""
    try:
        source = decode(text) if isinstance(text, bytes) else text
        document = read_yaml(source)
    except YamlProblem as problem:
        raise _fail(path, problem.line, problem.message) from None
    data, lines = document.data, document.lines
    if data is None:
        raise _fail(path, None, "the file is empty; a definition starts with 'schema: 1'")
    if not isinstance(data, dict):
        raise _fail(
            path,
            lines.get(()),
            "a definition must be a block of 'key: value' lines starting with 'schema: 1', "
            "not a list or a single value",
        )
    schema = data.get("schema")
    if schema is None:
        raise _fail(path, lines.get(()), "'schema: 1' is missing at the top of the file")
    if schema != SCHEMA_VERSION or isinstance(schema, bool):
        if isinstance(schema, int) and not isinstance(schema, bool) and schema > SCHEMA_VERSION:
            message = (
                f"this file is written for schema {schema}, but this version of BTAM Desktop "
                f"reads schema {SCHEMA_VERSION}; update the program to use it"
            )
        else:
            message = f"'schema' should be {SCHEMA_VERSION}, not {schema!r}"
        raise _fail(path, lines.get(("schema",)), message)
    kind = data.get("kind")
    kinds = ", ".join((*FORM_KINDS, SCALE_KIND))
    if kind is None:
        raise _fail(path, lines.get(()), f"'kind' is missing; it is one of: {kinds}")
    if kind != SCALE_KIND and kind not in FORM_KINDS:
        raise _fail(
            path, lines.get(("kind",)), f"'kind' is {kind!r}, but should be one of: {kinds}"
        )
    model: type[FormDefinition] | type[LevelScale] = (
        LevelScale if kind == SCALE_KIND else FormDefinition
    )
    try:
        definition = model.model_validate(data)
    except ValidationError as error:
        raise FormDefinitionError(
            problems_from_validation_error(error, data=data, lines=lines, path=path, root=model)
        ) from None
    return ParsedFile(path, definition.with_origin(origin, path), data, lines)


def read_file(path: Path, *, origin: Origin = "custom") -> ParsedFile:
    """Read and validate one file on its own. Raises FormDefinitionError."""
    try:
        size = path.stat().st_size
        if size > MAX_FILE_BYTES:
            raise _fail(
                path,
                None,
                f"the file is too large ({size // 1024} KB); a definition may be at most "
                f"{MAX_FILE_BYTES // (1024 * 1024)} MB",
            )
        raw = path.read_bytes()
    except OSError as error:
        raise _fail(path, None, f"the file cannot be read ({error.strerror or error})") from None
    return parse_file_text(raw, path, origin=origin)


def scale_problems(parsed: ParsedFile, scales: Mapping[str, LevelScale]) -> list[FormProblem]:
    """A form's scale must be known, and its rule levels must be on that scale."""
    form = parsed.definition
    if not isinstance(form, FormDefinition) or form.scale is None:
        return []
    scale = scales.get(form.scale)
    if scale is None:
        known = ", ".join(sorted(scales)) or "none"
        return [
            FormProblem(
                parsed.path,
                line_of(parsed.lines, ("scale",)),
                f"the scale '{form.scale}' is not known (known scales: {known}); "
                "a team's own scale goes in the same forms folder as the forms that use it",
            )
        ]
    return parsed.problems_at(form.problems_with_scale(scale))


def parse_text(
    text: str | bytes,
    path: Path | str = "definition.yaml",
    *,
    origin: Origin = "custom",
    scales: Mapping[str, LevelScale] | None = None,
) -> Definition:
    """Validate a definition given as text. With ``scales``, check its scale reference too."""
    parsed = parse_file_text(text, Path(path), origin=origin)
    if scales is not None:
        problems = scale_problems(parsed, scales)
        if problems:
            raise FormDefinitionError(problems)
    return parsed.definition


def load_file(
    path: Path, *, origin: Origin = "custom", scales: Mapping[str, LevelScale] | None = None
) -> Definition:
    """Load one file. With ``scales``, check its scale reference too. Raises FormDefinitionError."""
    parsed = read_file(path, origin=origin)
    if scales is not None:
        problems = scale_problems(parsed, scales)
        if problems:
            raise FormDefinitionError(problems)
    return parsed.definition


def definition_files(folder: Path) -> list[Path]:
    """The definition files under ``folder`` (sub-folders included, hidden ones skipped)."""
    found: list[Path] = []
    for path in sorted(folder.rglob("*")):
        relative = path.relative_to(folder)
        if any(part.startswith(".") for part in relative.parts):
            continue
        if path.suffix.lower() in DEFINITION_SUFFIXES and path.is_file():
            found.append(path)
    return found
