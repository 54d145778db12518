"""Units that follow their number: '1 minute', '10 minutes'."""

from __future__ import annotations

from PySide6.QtWidgets import QSpinBox


def plural_suffix(spin: QSpinBox, singular: str, plural_form: str | None = None) -> None:
    """Keep a spin box's unit in step with its value."""

    def update(value: int) -> None:
        spin.setSuffix(" " + (singular if value == 1 else (plural_form or singular + "s")))

    spin.valueChanged.connect(update)
    update(spin.value())


__all__ = ["plural_suffix"]
