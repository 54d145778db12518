"""Fixtures for the store tests: cheap key derivation and fresh vaults that are always locked."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from btam_desktop.store.crypto import KdfParams
from btam_desktop.store.vault import Vault
from tests.store._support import ALICE, ALICE_PW, CHEAP


@dataclass
class MadeVault:
    vault: Vault
    folder: Path
    recovery: str


@pytest.fixture
def cheap_kdf() -> KdfParams:
    return CHEAP


@pytest.fixture
def vault_factory(tmp_path: Path) -> Iterator[Callable[..., MadeVault]]:
    """Make vaults under tmp_path; every vault a test opened through ``track`` is locked after."""
    made: list[Vault] = []

    def make(
        name: str = "vault",
        username: str = ALICE,
        password: str = ALICE_PW,
        members: dict[str, str] | None = None,
    ) -> MadeVault:
        folder = tmp_path / name
        vault, recovery = Vault.create(
            folder, username=username, password=password, kdf_params=CHEAP
        )
        made.append(vault)
        for member, member_pw in (members or {}).items():
            vault.add_user_slot(member, member_pw, CHEAP)
        return MadeVault(vault, vault.folder, recovery)

    yield make
    for vault in made:
        vault.lock()


@pytest.fixture
def new_vault(vault_factory: Callable[..., MadeVault]) -> MadeVault:
    return vault_factory()


@pytest.fixture
def track() -> Iterator[Callable[[Vault], Vault]]:
    """Register a vault opened inside a test so it is locked even when the test fails."""
    opened: list[Vault] = []

    def keep(vault: Vault) -> Vault:
        opened.append(vault)
        return vault

    yield keep
    for vault in opened:
        vault.lock()
