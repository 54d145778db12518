"""Read a definition file's YAML into plain data plus the line of every key and list entry.

Deliberate differences from ``yaml.safe_load``, because form files are written by people who
are not programmers and read by a program that must never crash on them:

- YAML 1.2 scalars: only ``true``/``false`` are booleans, so a choice called ``yes``, ``no``,
  ``on`` or ``off`` stays a word; ``2024-01-31`` stays text; ``1:30`` is not a number.
- Duplicate keys in one block are an error (plain YAML silently keeps the last one).
- Anchors and aliases (``&name`` / ``*name``), merge keys and custom tags are refused: they are
  not needed for forms, and aliases let a small file expand into a huge one.
- Size and nesting depth are limited.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field
from typing import Any

import yaml
from yaml.composer import ComposerError
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from btam_desktop.domain.forms.problems import DataPath

MAX_FILE_BYTES = 2 * 1024 * 1024
MAX_DEPTH = 40

_STR = "tag:yaml.org,2002:str"
_INT = "tag:yaml.org,2002:int"
_FLOAT = "tag:yaml.org,2002:float"
_BOOL = "tag:yaml.org,2002:bool"
_NULL = "tag:yaml.org,2002:null"
_MAP = "tag:yaml.org,2002:map"
_SEQ = "tag:yaml.org,2002:seq"


class YamlProblem(Exception):
    """The text cannot be read as YAML. ``line`` is 1-based, or None when it is not known."""

    def __init__(self, message: str, line: int | None) -> None:
        super().__init__(message)
        self.message = message
        self.line = line


@dataclass(frozen=True)
class YamlDocument:
    data: Any
    lines: dict[DataPath, int] = field(default_factory=dict)


class _Loader(yaml.SafeLoader):
    """SafeLoader with YAML 1.2 core-schema scalars, no aliases and a depth limit."""

    yaml_implicit_resolvers: dict[Any, Any] = {}  # noqa: RUF012  (PyYAML's class-level table)

    def __init__(self, stream: str) -> None:
        super().__init__(stream)
        self._depth = 0

    def compose_node(self, parent: Node | None, index: Any) -> Node | None:
        if self.check_event(yaml.AliasEvent):
            event = self.peek_event()  # type: ignore[no-untyped-call]
            raise ComposerError(
                None,
                None,
                "anchors and aliases (& and *) are not supported in form files; "
                "write the content out where it is needed",
                event.start_mark,
            )
        self._depth += 1
        try:
            if self._depth > MAX_DEPTH:
                raise ComposerError(
                    None,
                    None,
                    f"the content is nested more than {MAX_DEPTH} levels deep",
                    self.peek_event().start_mark,  # type: ignore[no-untyped-call]
                )
            return super().compose_node(parent, index)
        finally:
            self._depth -= 1


_Loader.add_implicit_resolver(_NULL, re.compile(r"^(?:~|null|Null|NULL|)$"), ["~", "n", "N", ""])
_Loader.add_implicit_resolver(
    _BOOL, re.compile(r"^(?:true|True|TRUE|false|False|FALSE)$"), list("tTfF")
)
_Loader.add_implicit_resolver(
    _INT, re.compile(r"^(?:[-+]?[0-9]+|0o[0-7]+|0x[0-9a-fA-F]+)$"), list("-+0123456789")
)
_Loader.add_implicit_resolver(
    _FLOAT,
    re.compile(
        r"^(?:[-+]?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)(?:[eE][-+]?[0-9]+)?"
        r"|[-+]?\.(?:inf|Inf|INF)|\.(?:nan|NaN|NAN))$"
    ),
    list("-+0123456789."),
)


def _line(node: Node) -> int:
    return int(node.start_mark.line) + 1


def _scalar(node: ScalarNode) -> object:
    value: str = node.value
    tag = node.tag
    try:
        if tag in (_STR, "!"):
            return value
        if tag == _NULL:
            return None
        if tag == _BOOL:
            return value.lower() == "true"
        if tag == _INT:
            text = value.replace("_", "")
            if text.startswith(("0o", "0x")):
                return int(text[2:], 8 if text[1] == "o" else 16)
            return int(text)
        if tag == _FLOAT:
            lowered = value.lower()
            if lowered.endswith((".inf", ".nan")):
                return (
                    math.nan if lowered.endswith("nan") else float(lowered.replace(".inf", "inf"))
                )
            return float(value)
    except ValueError:
        raise YamlProblem(
            f"{value[:40]!r} is not a number this program can read", _line(node)
        ) from None
    raise YamlProblem(f"the tag '{tag}' is not supported in form files", _line(node))


def _build(node: Node, path: DataPath, lines: dict[DataPath, int]) -> object:
    if isinstance(node, ScalarNode):
        return _scalar(node)
    if isinstance(node, SequenceNode):
        if node.tag != _SEQ:
            raise YamlProblem(f"the tag '{node.tag}' is not supported in form files", _line(node))
        result: list[object] = []
        for index, child in enumerate(node.value):
            lines[(*path, index)] = _line(child)
            result.append(_build(child, (*path, index), lines))
        return result
    if isinstance(node, MappingNode):
        if node.tag != _MAP:
            raise YamlProblem(f"the tag '{node.tag}' is not supported in form files", _line(node))
        mapping: dict[str | int, object] = {}
        for key_node, value_node in node.value:
            if not isinstance(key_node, ScalarNode):
                raise YamlProblem(
                    "a key must be a plain word, not a list or a block", _line(key_node)
                )
            key = _scalar(key_node)
            if isinstance(key, bool) or not isinstance(key, str | int):
                raise YamlProblem(f"the key {key!r} must be a word", _line(key_node))
            if key in mapping:
                raise YamlProblem(
                    f"the key '{key}' appears twice in the same block "
                    f"(first on line {lines.get((*path, key), '?')})",
                    _line(key_node),
                )
            lines[(*path, key)] = _line(key_node)
            mapping[key] = _build(value_node, (*path, key), lines)
        return mapping
    raise YamlProblem("this YAML content is not supported", _line(node))  # pragma: no cover


_PLAIN_YAML_HINTS = (
    (
        "found character '\\t' that cannot start any token",
        "a tab is used for indenting; use spaces",
    ),
    (
        "mapping values are not allowed here",
        "a ':' is in an unexpected place: put text that contains ': ' in quotes, "
        "or check the indentation",
    ),
    (
        "could not find expected ':'",
        "a line is missing its ':' after the key, or is indented wrongly",
    ),
    (
        "expected a single document in the stream",
        "the file holds more than one document (a line '---'); keep one definition per file",
    ),
    ("expected <block end>", "the indentation is not consistent here"),
    (
        "found unexpected end of stream",
        "the file ends inside a quoted text; a closing quote is missing",
    ),
)


def _yaml_message(error: yaml.MarkedYAMLError) -> str:
    problem = str(error.problem or error.context or "the YAML is not valid")
    for needle, plain in _PLAIN_YAML_HINTS:
        if needle in problem or (error.context and needle in error.context):
            return plain
    if error.context and error.context != problem and error.note is None:
        return f"the YAML is not valid: {problem} ({error.context})"
    return f"the YAML is not valid: {problem}"


def decode(raw: bytes) -> str:
    """UTF-8 text (a byte-order mark is allowed), or YamlProblem naming the line."""
    if len(raw) > MAX_FILE_BYTES:
        raise YamlProblem(
            f"the file is too large ({len(raw) // 1024} KB); a definition may be at most "
            f"{MAX_FILE_BYTES // (1024 * 1024)} MB",
            None,
        )
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        line = raw[: error.start].count(b"\n") + 1
        raise YamlProblem("the file is not UTF-8 text; save it with UTF-8 encoding", line) from None


def read_yaml(text: str) -> YamlDocument:
    """Parse one YAML document into data and line marks. Raises YamlProblem, nothing else."""
    if len(text.encode("utf-8", "surrogatepass")) > MAX_FILE_BYTES:
        limit = MAX_FILE_BYTES // (1024 * 1024)
        raise YamlProblem(f"the file is too large; a definition may be at most {limit} MB", None)
    loader: _Loader | None = None
    try:
        loader = _Loader(text)  # the reader already checks the characters here
        node = loader.get_single_node()
    except yaml.reader.ReaderError as error:
        line = text[: error.position].count("\n") + 1
        raise YamlProblem(
            f"the file holds a character that YAML does not allow (code {error.character!r})",
            line,
        ) from None
    except yaml.MarkedYAMLError as error:
        mark = error.problem_mark or error.context_mark
        raise YamlProblem(_yaml_message(error), mark.line + 1 if mark else None) from None
    except yaml.YAMLError as error:
        raise YamlProblem(f"the YAML is not valid: {error}", None) from None
    except RecursionError:
        raise YamlProblem("the content is nested too deeply", None) from None
    except Exception as error:
        # PyYAML's scanner has raised plain Python errors on some malformed input; a form file
        # must give a message, never a traceback.
        raise YamlProblem(f"the YAML could not be read ({type(error).__name__})", None) from None
    finally:
        if loader is not None:
            loader.dispose()
    lines: dict[DataPath, int] = {}
    if node is None:
        return YamlDocument(None, lines)
    lines[()] = _line(node)
    data = _build(node, (), lines)
    return YamlDocument(data, lines)
