"""Small helpers for sentences the program writes (they live in ``domain.formatting``)."""

from __future__ import annotations

from btam_desktop.domain.formatting import plural

__all__ = ["plural"]
