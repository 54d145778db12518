"""The licence notices of everything BTAM Desktop ships, for Help ▸ About and the installers.

Two sources, merged into one list of :class:`Component`:

- the Python packages the program depends on (read from ``pyproject.toml``'s dependencies and
  followed through their own requirements), with the licence files their installed metadata
  carries (``*.dist-info/licenses/``, ``LICENSE*``) and the licence they declare;
- ``resources/licences/curated.json``: the parts that are not Python packages or whose wheels
  carry no licence text (Qt, SQLCipher, SQLite, OpenSSL, ICU, Python itself, the report fonts),
  with their texts in the same folder; and every licence file next to a font under
  ``resources/fonts/``.

The frozen program has no package metadata left, so the build writes the merged list into the
bundle (``<bundle>/licences/components.json`` plus a readable ``LICENCES.txt``) with
:func:`write_bundle`, and :func:`components` reads that file when it exists. Plain Python, no Qt.
"""

from __future__ import annotations

import json
import os
import re
import sys
import tomllib
from dataclasses import asdict, dataclass
from functools import cache
from importlib import metadata
from pathlib import Path
from typing import Any

BUNDLE_FOLDER = "licences"
BUNDLE_INDEX = "components.json"
BUNDLE_TEXT = "LICENCES.txt"
CURATED_FOLDER = "licences"
CURATED_INDEX = "curated.json"
PROJECT = "btam-desktop"
_LICENCE_FILE = re.compile(r"^(licen[cs]e|copying|notice|authors)", re.IGNORECASE)
_FONT_LICENCE = re.compile(r"^(ofl|licen[cs]e|copying)", re.IGNORECASE)


@dataclass(frozen=True)
class Component:
    """One shipped part: its name, version, licence and the full licence text."""

    name: str
    version: str
    licence: str
    text: str
    note: str = ""
    kind: str = "python"  # "python" package, "native" library, "font", "runtime"


def _resources_dir() -> Path:
    # Imported here so this module stays importable from the PyInstaller spec.
    from btam_desktop.ui.resources import resources_dir

    return resources_dir()


def bundled_index() -> Path | None:
    """The frozen program's components.json, or None when running from source."""
    bundle = getattr(sys, "_MEIPASS", None)
    if bundle:
        index = Path(bundle) / BUNDLE_FOLDER / BUNDLE_INDEX
        if index.is_file():
            return index
    return None


@cache
def components() -> list[Component]:
    """Everything shipped, sorted by name: from the bundle when frozen, else gathered now."""
    index = bundled_index()
    if index is not None:
        raw = json.loads(index.read_text(encoding="utf-8"))
        return [Component(**entry) for entry in raw["components"]]
    return gather()


def gather(
    roots: list[str] | None = None,
    resources: Path | None = None,
    excluded: set[str] | None = None,
) -> list[Component]:
    """The Python packages reachable from ``roots`` plus the curated and font entries."""
    resources = resources or _resources_dir()
    covered = set(excluded or set())
    for entry in _curated_index(resources)["components"]:
        covered.update(entry.get("covers", []))
    found = [
        *python_components(roots or project_requirements(), covered),
        *curated_components(resources),
        *font_components(resources),
    ]
    return sorted(found, key=lambda c: c.name.casefold())


# -- Python packages -------------------------------------------------------------------------


def _requirement_name(requirement: str) -> str | None:
    """The distribution name of a requirement, or None if its marker excludes it here."""
    text, _, marker = requirement.partition(";")
    if marker.strip():
        try:
            from packaging.markers import Marker
        except ImportError:  # without packaging, keep only unconditional requirements
            return None
        if not Marker(marker.strip()).evaluate({"extra": ""}):
            return None
    match = re.match(r"\s*([A-Za-z0-9][A-Za-z0-9._-]*)", text)
    return match.group(1) if match else None


def _normal(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def project_requirements() -> list[str]:
    """The program's own dependency names (pyproject.toml, or the installed metadata)."""
    pyproject = Path(__file__).resolve().parents[1] / "pyproject.toml"
    if pyproject.is_file():
        with pyproject.open("rb") as handle:
            requirements = tomllib.load(handle)["project"]["dependencies"]
    else:
        requirements = metadata.requires(PROJECT) or []
    return [name for name in map(_requirement_name, requirements) if name]


def _licence_texts(dist: metadata.Distribution) -> str:
    texts: list[str] = []
    for file in dist.files or []:
        parts = file.parts
        in_dist_info = parts[0].endswith(".dist-info")
        in_licences = in_dist_info and len(parts) > 2 and parts[1] in ("licenses", "licences")
        top_level_licence = in_dist_info and len(parts) == 2 and _LICENCE_FILE.match(parts[1])
        if not (in_licences or top_level_licence):
            continue
        path = Path(str(dist.locate_file(file)))
        try:
            body = path.read_text(encoding="utf-8", errors="replace").strip()
        except OSError:
            continue
        if body:
            label = "/".join(parts[1:]) if in_licences else parts[-1]
            texts.append(f"--- {label} ---\n\n{body}")
    return "\n\n".join(texts)


def _field(meta: metadata.PackageMetadata, name: str) -> str:
    """A metadata field or "" (missing fields raise in some importlib_metadata versions)."""
    values = meta.get_all(name) or []
    return str(values[0]) if values else ""


def _declared_licence(dist: metadata.Distribution) -> str:
    meta = dist.metadata
    expression = _field(meta, "License-Expression")
    if expression:
        return str(expression)
    classifiers = [
        c.split("::")[-1].strip()
        for c in meta.get_all("Classifier") or []
        if c.startswith("License ::") and "OSI Approved ::" in c
    ]
    if classifiers:
        return " / ".join(classifiers)
    declared = _field(meta, "License").strip()
    if declared:
        return declared.splitlines()[0][:80]
    return _licence_from_text(_licence_texts(dist))


# Phrases that identify a licence text, for packages that declare none in their metadata.
_TEXT_MARKERS = (
    ("provided 'as-is', without any express or implied warranty", "Zlib"),
    ("Permission is hereby granted, free of charge", "MIT"),
    ("Redistribution and use in source and binary forms", "BSD"),
    ("Apache License", "Apache-2.0"),
)


def _licence_from_text(text: str) -> str:
    flat = " ".join(text.split())
    return next((name for marker, name in _TEXT_MARKERS if marker in flat), "see the text")


def python_components(roots: list[str], excluded: set[str]) -> list[Component]:
    """Each installed distribution reachable from ``roots`` (their requirements followed)."""
    seen: dict[str, metadata.Distribution] = {}
    queue = [_normal(name) for name in roots]
    skip = {_normal(name) for name in excluded}
    while queue:
        name = queue.pop()
        if name in seen or name in skip:
            continue
        try:
            dist = metadata.distribution(name)
        except metadata.PackageNotFoundError:
            continue
        seen[name] = dist
        for requirement in dist.requires or []:
            required = _requirement_name(requirement)
            if required:
                queue.append(_normal(required))
    found = []
    for dist in seen.values():
        found.append(
            Component(
                name=_field(dist.metadata, "Name") or dist.name,
                version=dist.version,
                licence=_declared_licence(dist),
                text=_licence_texts(dist),
            )
        )
    return found


# -- curated parts and fonts -----------------------------------------------------------------


def _version_of(source: str) -> str:
    if source == "python":
        return ".".join(map(str, sys.version_info[:3]))
    if source in ("sqlcipher", "sqlite"):
        try:
            import sqlcipher3.dbapi2 as sqlcipher
        except ImportError:
            return ""
        if source == "sqlite":
            return str(sqlcipher.sqlite_version)
        connection = sqlcipher.connect(":memory:")
        try:
            row = connection.execute("PRAGMA cipher_version").fetchone()
        finally:
            connection.close()
        return str(row[0]).split()[0] if row else ""
    try:
        return metadata.version(source)
    except metadata.PackageNotFoundError:
        return ""


def _python_licence_text() -> str:
    stdlib = Path(os.__file__).resolve().parent
    for candidate in (stdlib / "LICENSE.txt", Path(sys.base_prefix) / "LICENSE.txt"):
        if candidate.is_file():
            return candidate.read_text(encoding="utf-8", errors="replace").strip()
    return ""


def _curated_text(folder: Path, name: str) -> str:
    if name == "@python":
        return _python_licence_text()
    if name.startswith("@reportlab/"):
        import reportlab

        path = Path(reportlab.__file__).resolve().parent / name.removeprefix("@reportlab/")
    else:
        path = folder / name
    return path.read_text(encoding="utf-8", errors="replace").strip()


def _curated_index(resources: Path) -> dict[str, list[dict[str, Any]]]:
    path = resources / CURATED_FOLDER / CURATED_INDEX
    raw: dict[str, list[dict[str, Any]]] = json.loads(path.read_text(encoding="utf-8"))
    return raw


def curated_components(resources: Path) -> list[Component]:
    folder = resources / CURATED_FOLDER
    raw = _curated_index(resources)
    found = []
    for entry in raw["components"]:
        texts = [_curated_text(folder, name) for name in entry["files"]]
        version = entry.get("version") or _version_of(entry.get("version_from", ""))
        found.append(
            Component(
                name=entry["name"],
                version=version,
                licence=entry["licence"],
                text="\n\n".join(t for t in texts if t),
                note=entry.get("note", ""),
                kind="runtime" if entry["files"] == ["@python"] else "native",
            )
        )
    return found


def font_components(resources: Path) -> list[Component]:
    """One entry per folder under resources/fonts that holds a licence file."""
    fonts = resources / "fonts"
    if not fonts.is_dir():
        return []
    found = []
    for folder in sorted({p.parent for p in fonts.rglob("*") if p.is_file()}):
        licences = sorted(p for p in folder.iterdir() if _FONT_LICENCE.match(p.name))
        faces = sorted(
            p.name for p in folder.iterdir() if p.suffix.lower() in (".ttf", ".otf", ".ttc")
        )
        if not licences:
            continue
        text = "\n\n".join(p.read_text(encoding="utf-8", errors="replace") for p in licences)
        licence = "OFL-1.1" if "SIL OPEN FONT LICENSE" in text.upper() else "see the text"
        found.append(
            Component(
                name=f"{folder.name} fonts" if folder != fonts else "Report fonts",
                version="",
                licence=licence,
                text=text.strip(),
                note=", ".join(faces),
                kind="font",
            )
        )
    return found


# -- the build's copy ------------------------------------------------------------------------


def write_bundle(target: Path, listed: list[Component]) -> Path:
    """Write components.json and a readable LICENCES.txt into ``target``; returns the folder."""
    target.mkdir(parents=True, exist_ok=True)
    index = {"components": [asdict(c) for c in listed]}
    _write(target / BUNDLE_INDEX, json.dumps(index, ensure_ascii=False, indent=1))
    sections = []
    for c in listed:
        heading = f"{c.name} {c.version}".strip()
        body = f"{c.note}\n\n{c.text}" if c.note else c.text
        sections.append(f"{'=' * 78}\n{heading}\nLicence: {c.licence}\n{'=' * 78}\n\n{body}\n")
    _write(target / BUNDLE_TEXT, "\n\n".join(sections))
    return target


def _write(path: Path, text: str) -> None:
    temporary = path.with_name(f".{path.name}.tmp")
    with temporary.open("w", encoding="utf-8") as handle:
        handle.write(text)
        handle.flush()
        os.fsync(handle.fileno())
    os.replace(temporary, path)


def main(argv: list[str] | None = None) -> int:
    """``python -m btam_desktop.licences OUT``: write the licence bundle into OUT."""
    args = sys.argv[1:] if argv is None else argv
    if len(args) != 1:
        print("usage: python -m btam_desktop.licences OUTPUT_FOLDER", file=sys.stderr)
        return 2
    listed = gather()
    missing = [c.name for c in listed if not c.text]
    folder = write_bundle(Path(args[0]), listed)
    print(f"{len(listed)} components written to {folder}")
    for name in missing:
        print(f"warning: no licence text found for {name}", file=sys.stderr)
    return 1 if missing else 0


if __name__ == "__main__":
    raise SystemExit(main())
