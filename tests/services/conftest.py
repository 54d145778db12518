from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest

from btam_desktop.domain.enums import CaseSetting, PersonRole, ReportChannel, Role
from btam_desktop.domain.types import utcnow
from btam_desktop.services.app import Btam, NewTeam, create_team_vault, unlock
from btam_desktop.services.cases import IntakeInput, PersonInput
from btam_desktop.store.crypto import KdfParams

CHEAP = KdfParams(time_cost=1, memory_kib=8, parallelism=1)
PASSWORD = "coordinator pass 1"
MEMBER_PASSWORD = "member password 1"
VIEWER_PASSWORD = "viewer password 1"


@pytest.fixture
def vault_dir(tmp_path: Path) -> Path:
    return tmp_path / "vault"


@pytest.fixture
def coordinator(vault_dir: Path):
    app, _recovery = create_team_vault(
        vault_dir,
        NewTeam(
            team_name="Test Team",
            setting=CaseSetting.SCHOOL,
            scale_id="scale.four-level",
            username="coord",
            display_name="Cory Coordinator",
            password=PASSWORD,
        ),
        kdf_params=CHEAP,
    )
    app.team.add_member("member", "Mel Member", Role.MEMBER, MEMBER_PASSWORD, kdf_params=CHEAP)
    app.team.add_member("viewer", "Vic Viewer", Role.VIEWER, VIEWER_PASSWORD, kdf_params=CHEAP)
    yield app
    if app.vault.is_open:
        app.vault.lock()


@pytest.fixture
def as_role(coordinator: Btam, vault_dir: Path):
    """Switch the signed-in person: lock the coordinator's session and unlock as another."""
    opened: list[Btam] = []

    def switch(role: str) -> Btam:
        for app in [coordinator, *opened]:
            if app.vault.is_open:
                app.vault.lock()
        username, password = {
            "coordinator": ("coord", PASSWORD),
            "member": ("member", MEMBER_PASSWORD),
            "viewer": ("viewer", VIEWER_PASSWORD),
        }[role]
        app = unlock(vault_dir, username, password)
        opened.append(app)
        return app

    yield switch
    for app in opened:
        if app.vault.is_open:
            app.vault.lock()


def intake(**overrides: object) -> IntakeInput:
    values: dict[str, object] = {
        "received_at": utcnow() - timedelta(hours=1),
        "channel": ReportChannel.PHONE,
        "narrative": "A student said he would bring something to school on Friday.",
        "setting": CaseSetting.SCHOOL,
        "site": "North High",
        "subjects": [PersonInput(PersonRole.SUBJECT, full_name="Jamie Subject")],
    }
    values.update(overrides)
    return IntakeInput(**values)  # type: ignore[arg-type]


def complete_closure_checklist(app: Btam, case_id: int) -> None:
    """Fill in and complete the case closure checklist, as closing a case requires."""
    from btam_desktop.services.cases import CLOSURE_CHECKLIST_ID
    from tests.services.forms_helpers import fill_required

    draft = app.assessments.start(case_id, CLOSURE_CHECKLIST_ID)
    definition = app.assessments.definition(draft)
    from btam_desktop.domain.forms import Answers

    answers = fill_required(definition, Answers())
    app.assessments.complete(
        draft.id, answers, decided_level=None, rationale="", participants=[app.actor.username]
    )
