"""dev.py, the README's two commands: which system packages `test` still has to install."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


def load_dev_script():  # type: ignore[no-untyped-def]
    spec = importlib.util.spec_from_file_location("btam_dev_script", ROOT / "dev.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_missing_system_packages_lists_only_what_dpkg_lacks(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    dev = load_dev_script()
    listed = tmp_path / "apt-packages.txt"
    listed.write_text("# a comment\n\ncoreutils\nbtam-no-such-package-here\n")
    monkeypatch.setattr(dev, "SYSTEM_PACKAGES", listed)
    expected = ["btam-no-such-package-here"] if Path("/usr/bin/dpkg").exists() else []
    assert dev.missing_system_packages() == expected


def test_the_listed_packages_are_the_ones_ci_installs() -> None:
    dev = load_dev_script()
    assert dev.SYSTEM_PACKAGES == ROOT / ".ci" / "apt-packages.txt"
    assert "apt-packages.txt" in (ROOT / ".ci" / "run").read_text()
