"""Reusable widgets shared by the windows and dialogs."""

from btam_desktop.ui.widgets.banner import Banner, BannerKind
from btam_desktop.ui.widgets.charts import Bar, HorizontalBarChart, StatTile
from btam_desktop.ui.widgets.level import (
    LEVEL_COLOR_ROLE,
    LevelBadge,
    LevelDelegate,
    paint_level_chip,
)
from btam_desktop.ui.widgets.overlay import BusyOverlay, Spinner
from btam_desktop.ui.widgets.password_strength import (
    STRENGTH_LABELS,
    PasswordStrengthMeter,
    estimate_password_strength,
)

__all__ = [
    "LEVEL_COLOR_ROLE",
    "STRENGTH_LABELS",
    "Banner",
    "BannerKind",
    "Bar",
    "BusyOverlay",
    "HorizontalBarChart",
    "LevelBadge",
    "LevelDelegate",
    "PasswordStrengthMeter",
    "Spinner",
    "StatTile",
    "estimate_password_strength",
    "paint_level_chip",
]
