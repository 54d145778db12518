"""All form definitions and level scales the program knows: the built-in ones shipped in the
top-level ``forms/`` folder, and a team's own ones from its vault's forms folder.

A bad custom file never stops the rest from loading: it is listed in ``problems``.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

from btam_desktop.domain.forms.loader import (
    ParsedFile,
    definition_files,
    read_file,
    scale_problems,
)
from btam_desktop.domain.forms.problems import FormDefinitionError, FormProblem
from btam_desktop.domain.forms.schema import (
    FORM_KINDS,
    FormDefinition,
    LevelScale,
    Origin,
    version_key,
)

#: Ids starting with this belong to the built-in forms; a team's forms use their own prefix.
RESERVED_PREFIX = "btam."
_RESERVED_MESSAGE = (
    f"ids starting with '{RESERVED_PREFIX}' belong to the built-in forms; give your form "
    "your team's own prefix, for example 'myteam.screening'"
)


def builtin_forms_dir() -> Path:
    """The shipped ``forms/`` folder. The only place that knows where it is."""
    # btam_desktop/domain/forms/registry.py -> parents[3] is the folder holding btam_desktop.
    return Path(__file__).resolve().parents[3] / "forms"


class UnknownDefinitionError(KeyError):
    """Asked for a form, version or scale that is not loaded. ``str()`` is the plain message."""

    def __str__(self) -> str:
        return str(self.args[0]) if self.args else "unknown definition"


class _Folder:
    """What one folder gave: its valid files, and problems with the others."""

    def __init__(self) -> None:
        self.forms: list[ParsedFile] = []
        self.scales: list[ParsedFile] = []
        self.problems: list[FormProblem] = []


# The shipped files do not change while the program runs, and parsing YAML in pure Python
# is the slow part of loading; definitions are immutable, so parsed files can be shared.
_builtin_cache: dict[tuple[Path, int, int], ParsedFile] = {}


def _read_cached(path: Path) -> ParsedFile:
    try:
        stat = path.stat()
    except OSError:
        return read_file(path, origin="builtin")  # reports the problem
    key = (path, stat.st_mtime_ns, stat.st_size)
    parsed = _builtin_cache.get(key)
    if parsed is None:
        parsed = read_file(path, origin="builtin")
        _builtin_cache[key] = parsed
    return parsed


def _read_folder(folder: Path, origin: Origin) -> _Folder:
    result = _Folder()
    if not folder.exists():
        return result
    if not folder.is_dir():
        result.problems.append(FormProblem(folder, None, "this is not a folder"))
        return result
    try:
        files = definition_files(folder)
    except OSError as error:
        result.problems.append(
            FormProblem(folder, None, f"the folder cannot be read ({error.strerror or error})")
        )
        return result
    for path in files:
        try:
            parsed = _read_cached(path) if origin == "builtin" else read_file(path, origin=origin)
        except FormDefinitionError as error:
            result.problems.extend(error.problems)
            continue
        target = result.scales if isinstance(parsed.definition, LevelScale) else result.forms
        target.append(parsed)
    return result


def _key(parsed: ParsedFile) -> tuple[str, str]:
    return parsed.definition.id, parsed.definition.version


def _id_problem(parsed: ParsedFile, message: str) -> FormProblem:
    return FormProblem(parsed.path, parsed.lines.get(("id",)), message)


class FormRegistry:
    """Loaded definitions by id and version, plus the problems met while loading."""

    def __init__(
        self,
        forms: Iterable[FormDefinition] = (),
        scales: Iterable[LevelScale] = (),
        problems: Iterable[FormProblem] = (),
    ) -> None:
        self._forms: dict[tuple[str, str], FormDefinition] = {(f.id, f.version): f for f in forms}
        self._scales: dict[str, LevelScale] = {s.id: s for s in scales}
        self.problems: list[FormProblem] = list(problems)

    @classmethod
    def load(cls, custom_dir: Path | None = None) -> FormRegistry:
        """The built-in definitions, plus the valid ones in ``custom_dir`` (a vault's forms
        folder; missing is fine). Problems with any file are kept in ``problems``."""
        builtin = _read_folder(builtin_forms_dir(), "builtin")
        custom = _read_folder(custom_dir, "custom") if custom_dir is not None else _Folder()
        problems = [*builtin.problems, *custom.problems]

        scales: dict[str, ParsedFile] = {}
        for parsed in [*builtin.scales, *custom.scales]:
            scale_id = parsed.definition.id
            if scale_id in scales:
                other = scales[scale_id]
                problems.append(
                    _id_problem(
                        parsed,
                        f"the scale id '{scale_id}' is already used by "
                        f"{'a built-in scale' if other.definition.builtin else other.path.name}; "
                        "give this scale its own id",
                    )
                )
                continue
            scales[scale_id] = parsed
        known = {
            scale_id: p.definition
            for scale_id, p in scales.items()
            if isinstance(p.definition, LevelScale)
        }

        forms: dict[tuple[str, str], ParsedFile] = {}
        for parsed in [*builtin.forms, *custom.forms]:
            form = parsed.definition
            if not form.builtin and form.id.startswith(RESERVED_PREFIX):
                problems.append(_id_problem(parsed, _RESERVED_MESSAGE))
                continue
            if _key(parsed) in forms:
                problems.append(
                    _id_problem(
                        parsed,
                        f"'{form.id}' version {form.version} is already defined in "
                        f"{forms[_key(parsed)].path.name}; change the id or raise the version",
                    )
                )
                continue
            found = scale_problems(parsed, known)
            if found:
                problems.extend(found)
                continue
            forms[_key(parsed)] = parsed

        return cls(
            (p.definition for p in forms.values() if isinstance(p.definition, FormDefinition)),
            known.values(),
            problems,
        )

    # -- forms --

    def forms(self, kind: str | None = None, *, all_versions: bool = False) -> list[FormDefinition]:
        """The forms, sorted by kind (in workflow order: intake first) and then by title.

        Only the newest version of each form unless ``all_versions``; ``kind`` filters.
        """
        chosen = list(self._forms.values())
        if not all_versions:
            newest: dict[str, FormDefinition] = {}
            for form in chosen:
                best = newest.get(form.id)
                if best is None or version_key(form.version) > version_key(best.version):
                    newest[form.id] = form
            chosen = list(newest.values())
        if kind is not None:
            chosen = [f for f in chosen if f.kind == kind]
        return sorted(
            chosen,
            key=lambda f: (
                FORM_KINDS.index(f.kind),
                f.title.casefold(),
                f.id,
                tuple(-n if isinstance(n, int) else n for n in version_key(f.version)[:3]),
            ),
        )

    def form(self, form_id: str, version: str | None = None) -> FormDefinition:
        """One form: the newest version, or exactly ``version``. Raises KeyError if unknown."""
        versions = [f for (i, _), f in self._forms.items() if i == form_id]
        if not versions:
            raise UnknownDefinitionError(
                f"No form with the id '{form_id}' is loaded. "
                "If it was a team's own form, check that its file is still in the vault's "
                "forms folder and has no problems."
            )
        if version is None:
            return max(versions, key=lambda f: version_key(f.version))
        for form in versions:
            if form.version == version:
                return form
        loaded = ", ".join(sorted((f.version for f in versions), key=version_key))
        raise UnknownDefinitionError(
            f"The form '{form_id}' is loaded in version {loaded}, not {version}. "
            "A completed assessment keeps its own copy of the definition it was made with."
        )

    # -- scales --

    def scales(self) -> list[LevelScale]:
        return sorted(self._scales.values(), key=lambda s: (s.title.casefold(), s.id))

    def scale(self, scale_id: str) -> LevelScale:
        scale = self._scales.get(scale_id)
        if scale is None:
            known = ", ".join(sorted(self._scales)) or "none"
            raise UnknownDefinitionError(
                f"No level scale with the id '{scale_id}' is loaded (loaded: {known})."
            )
        return scale

    def scale_for(self, form: FormDefinition) -> LevelScale | None:
        """The scale a form suggests levels on, if it names one."""
        return self.scale(form.scale) if form.scale is not None else None


def check_path(path: Path) -> list[FormProblem]:
    """Check one definition file or every file in a folder; an empty list means all is well.

    Scale references are checked against the built-in scales plus the scales in the same
    folder (for a single file: its folder). A team's files are also checked for ids that
    clash with the built-in ones. Meant for ``btam forms check PATH``, which reports the
    problems and exits with status 1 when there are any.
    """
    path = Path(path)
    if not path.exists():
        return [FormProblem(path, None, "there is no such file or folder")]
    folder = path if path.is_dir() else path.parent
    builtin_dir = builtin_forms_dir()
    # A file anywhere under the built-in folder is a built-in form (it may use 'btam.' ids).
    inside = folder.resolve()
    is_builtin = inside == builtin_dir.resolve() or builtin_dir.resolve() in inside.parents
    origin: Origin = "builtin" if is_builtin else "custom"
    builtin_scales: dict[str, LevelScale] = {}
    if inside != builtin_dir.resolve():
        for parsed in _read_folder(builtin_dir, "builtin").scales:
            if isinstance(parsed.definition, LevelScale):
                builtin_scales[parsed.definition.id] = parsed.definition
    local = _read_folder(folder, origin)
    scales = dict(builtin_scales)
    for parsed in local.scales:
        if isinstance(parsed.definition, LevelScale):
            scales.setdefault(parsed.definition.id, parsed.definition)

    if path.is_dir():
        problems = list(local.problems)
        candidates = [*local.scales, *local.forms]
    else:
        try:
            candidates = [read_file(path, origin=origin)]
        except FormDefinitionError as error:
            return list(error.problems)
        problems = []
    seen: dict[tuple[str, str], Path] = {}
    for parsed in candidates:
        definition = parsed.definition
        key = _key(parsed)
        if key in seen:
            problems.append(
                _id_problem(
                    parsed, f"'{key[0]}' version {key[1]} is also defined in {seen[key].name}"
                )
            )
        seen.setdefault(key, parsed.path)
        if (
            not is_builtin
            and isinstance(definition, LevelScale)
            and definition.id in builtin_scales
        ):
            problems.append(
                _id_problem(
                    parsed,
                    f"the scale id '{definition.id}' is already used by a built-in scale; "
                    "give this scale its own id",
                )
            )
        if (
            isinstance(definition, FormDefinition)
            and not is_builtin
            and definition.id.startswith(RESERVED_PREFIX)
        ):
            problems.append(_id_problem(parsed, _RESERVED_MESSAGE))
        problems.extend(scale_problems(parsed, scales))
    return sorted(problems, key=lambda p: (str(p.path), p.line or 0))
