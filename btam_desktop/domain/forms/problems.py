"""Problems with a definition file, and the translation of validation errors into plain words.

A team member who writes a form must be told *where* and *what* in words they can act on:
``screening.yaml, line 42: item 'weapons' has show_if on 'planning', which does not come
before it``. Pydantic reports an error location as a path of keys and positions inside the
data; the YAML reader records the line of every such path; this module joins the two.
"""

from __future__ import annotations

import difflib
import types
import typing
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ValidationError

#: A position inside the data of a file: mapping keys and list positions, outermost first.
DataPath = tuple[str | int, ...]

#: At most this many problems are reported per file; after that the rest is summarised.
MAX_PROBLEMS_PER_FILE = 20


@dataclass(frozen=True)
class FormProblem:
    """One thing wrong with one definition file (or with a stored definition: ``path`` None)."""

    path: Path | None
    line: int | None
    message: str

    def __str__(self) -> str:
        where = self.path.name if self.path is not None else "stored definition"
        if self.line is not None:
            where = f"{where}, line {self.line}"
        return f"{where}: {self.message}"


class FormDefinitionError(ValueError):
    """A definition that cannot be used. ``problems`` lists each problem with file and line."""

    def __init__(self, problems: Sequence[FormProblem]) -> None:
        if not problems:
            raise ValueError("FormDefinitionError needs at least one problem")
        self.problems: list[FormProblem] = list(problems)
        super().__init__("\n".join(str(p) for p in self.problems))

    def __reduce__(self) -> tuple[type[FormDefinitionError], tuple[list[FormProblem]]]:
        # Rebuilt from the problems (not the joined text), e.g. when copied or pickled.
        return (type(self), (self.problems,))


class DefinitionProblems(ValueError):
    """Raised inside model validators: problems that each know where in the data they sit.

    Pydantic keeps the raised exception in the error's context, so the loader can turn every
    entry into a problem with its own line instead of one vague message for the whole file.
    """

    def __init__(self, problems: Sequence[tuple[DataPath, str]]) -> None:
        self.problems: list[tuple[DataPath, str]] = list(problems)
        super().__init__("; ".join(message for _, message in self.problems))


# --- locating -----------------------------------------------------------------------------


def resolve_path(data: object, loc: Sequence[str | int]) -> DataPath:
    """The longest part of ``loc`` that exists in ``data``.

    Pydantic adds names that are not in the data (the tag of a tagged union, ``[key]``);
    those are skipped. A position into a mapping picks its n-th key, because a few fields
    accept a mapping and turn it into a list (rating labels, outcome actions).
    """
    found: list[str | int] = []
    current = data
    for part in loc:
        if isinstance(current, Mapping):
            if part in current:
                found.append(part)
                current = current[part]
                continue
            if isinstance(part, int) and 0 <= part < len(current):
                key = list(current)[part]
                found.append(key)
                current = current[key]
                continue
        elif isinstance(current, list) and isinstance(part, int) and 0 <= part < len(current):
            found.append(part)
            current = current[part]
            continue
    return tuple(found)


def line_of(lines: Mapping[DataPath, int], path: DataPath) -> int | None:
    """The line of ``path``, or of its nearest enclosing entry that has one."""
    for end in range(len(path), -1, -1):
        line = lines.get(path[:end])
        if line is not None:
            return line
    return None


_ENTITY_KEYS = {"sections": "section", "items": "item", "choices": "choice", "levels": "level"}


def describe_place(data: object, path: DataPath) -> str:
    """Name the section, item, choice, level or rule at ``path`` in the author's own ids."""
    names: list[str] = []
    current = data
    for index, part in enumerate(path):
        container_key = path[index - 1] if index > 0 else None
        if not isinstance(current, Mapping | list):
            break
        if isinstance(current, Mapping):
            current = current.get(part)
        elif isinstance(part, int) and 0 <= part < len(current):
            current = current[part]
        else:
            break
        if isinstance(part, int) and isinstance(container_key, str):
            if container_key == "rules":
                names.append(f"rule {part + 1}")
            elif container_key in _ENTITY_KEYS:
                what = _ENTITY_KEYS[container_key]
                ident = None
                if isinstance(current, Mapping):
                    ident = current.get("code" if what == "level" else "id")
                names.append(
                    f"{what} '{ident}'" if isinstance(ident, str) else f"{what} {part + 1}"
                )
    if not names:
        return ""
    if names[-1].startswith("choice") and len(names) >= 2:
        return f"{names[-1]} of {names[-2]}"
    return names[-1]


# --- allowed keys, for "unknown key" messages ------------------------------------------------


def _strip(annotation: Any) -> Any:
    """Remove Annotated wrappers and ``None`` from an Optional."""
    while True:
        origin = typing.get_origin(annotation)
        if origin is typing.Annotated:
            annotation = typing.get_args(annotation)[0]
            continue
        if origin in (typing.Union, types.UnionType):
            members = [a for a in typing.get_args(annotation) if a is not type(None)]
            if len(members) == 1:
                annotation = members[0]
                continue
        return annotation


def _union_member_for_tag(annotation: Any, tag: str) -> Any:
    for member in typing.get_args(annotation):
        member = _strip(member)
        if isinstance(member, type) and issubclass(member, BaseModel):
            field = member.model_fields.get("type")
            if field is not None and tag in typing.get_args(field.annotation):
                return member
    return None


def _field_annotation(model: type[BaseModel], key: str) -> Any:
    for name, field in model.model_fields.items():
        if key in (name, field.alias):
            return field.annotation
    return None


def model_at(root: type[BaseModel], loc: Sequence[str | int]) -> type[BaseModel] | None:
    """The model class that validates the mapping at ``loc`` (None when it cannot be told)."""
    current: Any = root
    for part in loc:
        current = _strip(current)
        origin = typing.get_origin(current)
        if origin in (tuple, list) and isinstance(part, int):
            current = typing.get_args(current)[0]
        elif origin in (typing.Union, types.UnionType) and isinstance(part, str):
            current = _union_member_for_tag(current, part)
        elif isinstance(current, type) and issubclass(current, BaseModel) and isinstance(part, str):
            current = _field_annotation(current, part)
        else:
            return None
        if current is None:
            return None
    current = _strip(current)
    if isinstance(current, type) and issubclass(current, BaseModel):
        return current
    return None


def allowed_keys(model: type[BaseModel]) -> list[str]:
    keys = [field.alias or name for name, field in model.model_fields.items()]
    first = [k for k in ("schema", "kind", "id", "type") if k in keys]
    return first + [k for k in keys if k not in first]


# --- messages ---------------------------------------------------------------------------------


def _shown(value: object) -> str:
    text = repr(value) if not isinstance(value, str) else f"'{value}'"
    return text if len(text) <= 60 else text[:57] + "..."


def _friendly(error: Mapping[str, Any], root: type[BaseModel]) -> str:
    kind = error["type"]
    loc: tuple[str | int, ...] = tuple(error["loc"])
    ctx: Mapping[str, Any] = error.get("ctx") or {}
    names = [p for p in loc if isinstance(p, str)]
    field = names[-1] if names else "value"
    given = error.get("input")
    # The thing the message is about: a key, or one entry of a list.
    subject = f"'{field}'"
    if loc and isinstance(loc[-1], int):
        subject = f"entry {loc[-1] + 1} of '{field}'"

    if kind == "value_error":
        return str(ctx.get("error", error["msg"]))
    if kind == "missing":
        return f"{subject} is required here but missing"
    if kind == "extra_forbidden":
        model = model_at(root, loc[:-1])
        message = f"unknown key '{field}'"
        if given is None:
            # Typical of "{id: x, label: Text, more text}": the comma split the text.
            message += (
                " (if this is part of a text inside { }: a comma separates entries there, "
                "so put text that contains a comma in quotes)"
            )
        if model is not None:
            keys = allowed_keys(model)
            close = difflib.get_close_matches(field, keys, n=1)
            if close:
                message += f" (did you mean '{close[0]}'?)"
            message += f"; allowed here: {', '.join(keys)}"
        return message
    if kind == "string_type":
        if isinstance(given, bool | int | float):
            return f"{subject} should be text; put it in quotes: '{given}'"
        return f"{subject} should be text, not {_kind_of(given)}"
    if kind == "string_too_short":
        return f"{subject} must not be empty"
    if kind == "string_too_long":
        return f"{subject} is too long (at most {ctx.get('max_length')} characters)"
    if kind in ("bool_type", "bool_parsing"):
        return f"{subject} should be true or false, not {_shown(given)}"
    if kind in ("int_type", "int_parsing", "int_from_float"):
        return f"{subject} should be a whole number, not {_shown(given)}"
    if kind in ("float_type", "float_parsing"):
        return f"{subject} should be a number, not {_shown(given)}"
    if kind == "finite_number":
        return f"{subject} should be an ordinary number (not infinite or NaN)"
    if kind in ("tuple_type", "list_type"):
        return f"{subject} should be a list (one line starting with '- ' per entry)"
    if kind in ("dict_type", "model_type", "model_attributes_type"):
        return f"{subject} should be a block of 'key: value' lines, not {_kind_of(given)}"
    if kind == "too_short":
        least = ctx.get("min_length")
        return f"{subject} needs at least {least} {'entry' if least == 1 else 'entries'}"
    if kind == "too_long":
        return f"{subject} has too many entries (at most {ctx.get('max_length')})"
    if kind == "literal_error":
        return f"{subject} is {_shown(given)}, but should be one of: {_plain(ctx.get('expected'))}"
    if kind in ("union_tag_invalid", "union_tag_not_found"):
        discriminator = str(ctx.get("discriminator", "type")).strip("'")
        if kind == "union_tag_not_found":
            return f"'{discriminator}' is required here but missing"
        return (
            f"'{ctx.get('tag')}' is not a known {discriminator}; "
            f"use one of: {_plain(ctx.get('expected_tags'))}"
        )
    if kind in ("greater_than_equal", "greater_than", "less_than_equal", "less_than"):
        words = {
            "greater_than_equal": ("at least", "ge"),
            "greater_than": ("more than", "gt"),
            "less_than_equal": ("at most", "le"),
            "less_than": ("less than", "lt"),
        }[kind]
        return f"{subject} should be {words[0]} {ctx.get(words[1])}, not {_shown(given)}"
    return f"{subject}: {error['msg']}"


def _plain(expected: object) -> str:
    return str(expected).replace("'", "")


def _kind_of(value: object) -> str:
    if value is None:
        return "empty"
    if isinstance(value, Mapping):
        return "a block of 'key: value' lines"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, bool):
        return "true/false"
    if isinstance(value, int | float):
        return "a number"
    return f"{_shown(value)}"


def problems_from_validation_error(
    error: ValidationError,
    *,
    data: object,
    lines: Mapping[DataPath, int],
    path: Path | None,
    root: type[BaseModel],
) -> list[FormProblem]:
    """Each validation error as a plain-words problem with the line it concerns."""
    found: list[tuple[DataPath, str]] = []
    entries = error.errors()
    locs = [tuple(entry["loc"]) for entry in entries]
    for entry in entries:
        loc: tuple[str | int, ...] = tuple(entry["loc"])
        if entry["type"] == "too_short" and any(
            len(other) > len(loc) and other[: len(loc)] == loc for other in locs
        ):
            # Pydantic counts only the entries that validated; the real problem is inside.
            continue
        inner = (entry.get("ctx") or {}).get("error")
        if entry["type"] == "value_error" and isinstance(inner, DefinitionProblems):
            for sub_path, message in inner.problems:
                found.append((resolve_path(data, (*loc, *sub_path)), message))
            continue
        found.append((resolve_path(data, loc), _friendly(entry, root)))
    return located_problems(found, data=data, lines=lines, path=path)


def located_problems(
    found: Sequence[tuple[DataPath, str]],
    *,
    data: object,
    lines: Mapping[DataPath, int],
    path: Path | None,
) -> list[FormProblem]:
    """Turn (data path, message) pairs into problems with lines, in file order, capped."""
    problems: list[FormProblem] = []
    seen: set[tuple[int | None, str]] = set()
    for data_path, message in found:
        # A message about a whole list entry names the entry itself; describe its container.
        about_entry = message.startswith("entry ") and data_path and isinstance(data_path[-1], int)
        place = describe_place(data, data_path[:-1] if about_entry else data_path)
        text = f"{place}: {message}" if place and not message.startswith(place) else message
        line = line_of(lines, data_path)
        if (line, text) in seen:
            continue
        seen.add((line, text))
        problems.append(FormProblem(path, line, text))
    problems.sort(key=lambda p: p.line if p.line is not None else 0)
    if len(problems) > MAX_PROBLEMS_PER_FILE:
        rest = len(problems) - MAX_PROBLEMS_PER_FILE + 1
        problems = problems[: MAX_PROBLEMS_PER_FILE - 1]
        problems.append(FormProblem(path, None, f"... and {rest} more problems"))
    return problems
