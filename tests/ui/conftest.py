"""Shared fixtures for the window tests: a demo vault made with cheap key derivation, an unlocked
demo session, QSettings kept inside the test's folder, and no background task outliving a test.

Import what you need in a UI test module::

    from tests.ui.conftest import CHEAP, DEMO_PASSWORD

and ask for the fixtures by name: ``demo_vault`` (the folder of a closed demo vault) and
``demo_app`` (that vault unlocked as the demo coordinator, locked again at teardown).
"""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import QSettings
from PySide6.QtWidgets import QApplication

from btam_desktop.services.app import Btam, unlock
from btam_desktop.services.demo import (
    DEMO_COORDINATOR,
    DEMO_MEMBER,
    DEMO_PASSWORD,
    DEMO_VIEWER,
    create_demo_vault,
)
from btam_desktop.store.crypto import KdfParams
from btam_desktop.ui import tasks

CHEAP = KdfParams(time_cost=1, memory_kib=8, parallelism=1)

__all__ = [
    "CHEAP",
    "DEMO_COORDINATOR",
    "DEMO_MEMBER",
    "DEMO_PASSWORD",
    "DEMO_VIEWER",
]


@pytest.fixture(scope="session")
def _demo_vault_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One demo vault per test run (about 1.5 s to build); tests get their own copies."""
    folder = tmp_path_factory.mktemp("demo-template") / "demo-vault"
    app = create_demo_vault(folder, kdf_params=CHEAP)
    app.lock()
    return folder


@pytest.fixture
def demo_vault(_demo_vault_template: Path, tmp_path: Path) -> Path:
    """The folder of a closed demo vault (password "demo" for demo, morgan and casey)."""
    folder = tmp_path / "demo-vault"
    shutil.copytree(_demo_vault_template, folder)
    return folder


@pytest.fixture
def demo_app(demo_vault: Path) -> Iterator[Btam]:
    """The demo vault unlocked as the coordinator 'demo'; locked again at teardown."""
    app = unlock(demo_vault, DEMO_COORDINATOR, DEMO_PASSWORD)
    yield app
    if app.vault.is_open:
        app.vault.lock()


@pytest.fixture(autouse=True)
def _isolated_qsettings(tmp_path_factory: pytest.TempPathFactory) -> Iterator[None]:
    """QSettings (window layout, recent vaults) written under the test's own folder.

    Qt caches its settings path once per process, so HOME isolation alone is not enough.
    """
    folder = str(tmp_path_factory.mktemp("qsettings"))
    for fmt in (QSettings.Format.NativeFormat, QSettings.Format.IniFormat):
        QSettings.setPath(fmt, QSettings.Scope.UserScope, folder)
    yield


@pytest.fixture(autouse=True)
def _no_leftover_tasks(qapp: QApplication) -> Iterator[None]:
    """Background work started by a test ends with it (cancelled, callbacks not called)."""
    yield
    tasks.cancel_all()
    tasks.wait_for_idle(10_000)


@pytest.fixture
def heard() -> Iterator[list[object]]:
    """Every change announced on the vault events hub while the test runs."""
    from btam_desktop.ui.vault_events import vault_events

    changes: list[object] = []
    hub = vault_events()
    hub.changed.connect(changes.append)
    yield changes
    hub.changed.disconnect(changes.append)


def make_closed_cases_due(app: Btam) -> None:
    """Retention rules under which every closed case is due for destruction today."""
    from btam_desktop.services.retention import rules_to_text

    settings = app.settings()
    settings.retention_rules = rules_to_text(
        {
            (setting, closure): 0
            for setting in ("school", "workplace", "campus", "community")
            for closure in ("closed", "closed_no_threat")
        }
    )
    app.save_settings(settings)
