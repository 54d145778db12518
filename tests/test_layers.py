"""The import contract in .importlinter runs with the tests, and it does catch a violation."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
CONTRACT = ROOT / ".importlinter"

LINT = (
    "import sys\n"
    "from importlinter.cli import lint_imports\n"
    "sys.exit(lint_imports(config_filename=sys.argv[1], no_cache=True, no_logo=True))\n"
)


def _lint(config: Path, cwd: Path, pythonpath: Path) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONPATH": str(pythonpath)}
    return subprocess.run(
        [sys.executable, "-c", LINT, str(config)],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        timeout=240,
        check=False,
    )


def test_the_package_keeps_its_import_contract() -> None:
    done = _lint(CONTRACT, ROOT, ROOT)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "3 kept, 0 broken" in done.stdout, done.stdout


def _fake_package(root: Path, extra: dict[str, str]) -> Path:
    """A stand-in for btam_desktop with the same layer packages; ``extra`` adds modules."""
    package = root / "fakebtam"
    files = {
        "__init__.py": "",
        "cli.py": "import fakebtam.ui.window\n",
        "logs.py": "",
        "licences.py": "",
        "selftest.py": "",
        "cli_backup.py": "",
        "cli_records.py": "",
        "cli_server.py": "",
        "__main__.py": "",
        "ui/__init__.py": "",
        "ui/window.py": "import fakebtam.services.cases\nimport fakebtam.domain.errors\n",
        "reports/__init__.py": "",
        "services/__init__.py": "",
        "services/cases.py": "import fakebtam.store.engine\n",
        "store/__init__.py": "",
        "store/engine.py": "import fakebtam.domain.errors\n",
        "domain/__init__.py": "",
        "domain/errors.py": "",
        **extra,
    }
    for name, text in files.items():
        path = package / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    config = root / ".importlinter"
    config.write_text(CONTRACT.read_text(encoding="utf-8").replace("btam_desktop", "fakebtam"))
    return config


def test_the_contract_passes_a_package_that_imports_downward(tmp_path: Path) -> None:
    config = _fake_package(tmp_path, {})
    done = _lint(config, tmp_path, tmp_path)
    assert done.returncode == 0, done.stdout + done.stderr


def test_the_contract_fails_when_the_window_imports_the_store(tmp_path: Path) -> None:
    config = _fake_package(tmp_path, {"ui/unlock.py": "from fakebtam.store import engine\n"})
    done = _lint(config, tmp_path, tmp_path)
    assert done.returncode != 0
    assert "fakebtam.ui.unlock -> fakebtam.store.engine" in done.stdout, done.stdout


def test_the_contract_fails_when_a_lower_layer_imports_upward(tmp_path: Path) -> None:
    config = _fake_package(tmp_path, {"domain/rules.py": "import fakebtam.services.cases\n"})
    done = _lint(config, tmp_path, tmp_path)
    assert done.returncode != 0
    assert "fakebtam.domain.rules -> fakebtam.services.cases" in done.stdout, done.stdout


def test_the_contract_fails_when_a_service_imports_qt(tmp_path: Path) -> None:
    config = _fake_package(tmp_path, {"services/dialogs.py": "import PySide6.QtWidgets\n"})
    done = _lint(config, tmp_path, tmp_path)
    assert done.returncode != 0
    assert "fakebtam.services.dialogs -> PySide6" in done.stdout, done.stdout
