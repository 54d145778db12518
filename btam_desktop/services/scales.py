"""Level-of-concern scales, looked up in the form registry (built-in plus the vault's own)."""

from __future__ import annotations

from pathlib import Path

from btam_desktop.domain.forms import FormRegistry, LevelScale
from btam_desktop.services.context import ServiceContext
from btam_desktop.store.errors import ValidationError
from btam_desktop.store.keyfile_names import FORMS_DIR

_REGISTRIES: dict[str, FormRegistry] = {}


def registry(ctx: ServiceContext) -> FormRegistry:
    """The vault's forms, loaded once per vault folder (reload with ``reload_registry``)."""
    key = str(ctx.vault.folder)
    if key not in _REGISTRIES:
        _REGISTRIES[key] = FormRegistry.load(ctx.vault.forms_dir)
    return _REGISTRIES[key]


def preload_registry(folder: Path) -> None:
    """Read a vault folder's forms before anyone signs in (about 150 ms; the definitions are
    not encrypted and hold no case content), so the first screens after signing in do not
    wait for them. The same registry ``registry`` would load after the sign-in."""
    resolved = folder.expanduser().resolve()
    key = str(resolved)
    if key not in _REGISTRIES:
        _REGISTRIES[key] = FormRegistry.load(resolved / FORMS_DIR)


def reload_registry(ctx: ServiceContext) -> FormRegistry:
    _REGISTRIES.pop(str(ctx.vault.folder), None)
    return registry(ctx)


def scale(ctx: ServiceContext, scale_id: str) -> LevelScale:
    try:
        return registry(ctx).scale(scale_id)
    except KeyError as exc:
        raise ValidationError(
            f"The level-of-concern scale “{scale_id}” is not installed. Choose another scale "
            "in Settings, or put its definition in the vault's forms folder."
        ) from exc


def level_codes(ctx: ServiceContext, scale_id: str) -> list[str]:
    return scale(ctx, scale_id).codes()


def level_rank(ctx: ServiceContext, scale_id: str, code: str) -> int:
    return scale(ctx, scale_id).level(code).rank
