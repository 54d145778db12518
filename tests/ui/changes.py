"""Waiting for a change to be announced on the vault events hub (issue 13)."""

from __future__ import annotations

from pytestqt.qtbot import QtBot, SignalBlocker

from btam_desktop.ui.vault_events import VaultChange, vault_events


def announced(qtbot: QtBot, case_id: int | None, *, timeout: int = 5000) -> SignalBlocker:
    """``with announced(qtbot, case_id):`` waits for a change to that case to be announced;
    the blocker's ``args[0]`` is the ``VaultChange``."""

    def about_the_case(change: object) -> bool:
        return isinstance(change, VaultChange) and change.case_id == case_id

    return qtbot.waitSignal(vault_events().changed, timeout=timeout, check_params_cb=about_the_case)
