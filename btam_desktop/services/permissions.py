"""Who may do what. The UI hides what a role may not do; the services refuse it anyway."""

from __future__ import annotations

from enum import StrEnum

from btam_desktop.domain.enums import Role


class Permission(StrEnum):
    VIEW_CASES = "view cases"
    WORK_CASES = "create or change cases"
    CLOSE_CASES = "close cases"
    PURGE_CASES = "purge cases"
    SET_LEGAL_HOLD = "set or lift a legal hold"
    MANAGE_TEAM = "manage team members"
    CHANGE_SETTINGS = "change team settings"
    VIEW_AUDIT = "view the audit trail"
    EXPORT = "print or export case records"
    EXPORT_BULK = "export or transfer cases out of the vault"
    IMPORT_CASES = "import or receive cases"
    STATISTICS = "produce annual statistics"
    BACK_UP = "back up the vault into the team's backup folder"
    MANAGE_BACKUPS = "back up to another folder or restore a backup"
    APPROVE_PLANS = "approve management plans"
    SET_RETENTION = "change a case's retention date"


_ALL = frozenset(Role)
_WORKERS = frozenset({Role.COORDINATOR, Role.MEMBER})
_COORDINATOR = frozenset({Role.COORDINATOR})

GRANTS: dict[Permission, frozenset[Role]] = {
    Permission.VIEW_CASES: _ALL,
    Permission.WORK_CASES: _WORKERS,
    Permission.CLOSE_CASES: _COORDINATOR,
    Permission.PURGE_CASES: _COORDINATOR,
    Permission.SET_LEGAL_HOLD: _COORDINATOR,
    Permission.MANAGE_TEAM: _COORDINATOR,
    Permission.CHANGE_SETTINGS: _COORDINATOR,
    Permission.VIEW_AUDIT: _COORDINATOR,
    Permission.EXPORT: _ALL,
    Permission.EXPORT_BULK: _COORDINATOR,
    Permission.IMPORT_CASES: _COORDINATOR,
    Permission.STATISTICS: _WORKERS,
    Permission.BACK_UP: _ALL,
    Permission.MANAGE_BACKUPS: _COORDINATOR,
    Permission.APPROVE_PLANS: _COORDINATOR,
    Permission.SET_RETENTION: _COORDINATOR,
}

# Events the window records about what it observed (viewing, printing, saving, exporting),
# by the permission the person needs. ``Btam.record_event`` refuses any other action, so a
# caller cannot plant an event such as a forged "case destroyed".
OBSERVED_EVENTS: dict[Permission, frozenset[str]] = {
    Permission.EXPORT: frozenset(
        {"report.export", "report.print", "report.save", "report.preview"}
    ),
    Permission.VIEW_CASES: frozenset({"assessment.view"}),
}


def allowed(role: Role, permission: Permission) -> bool:
    return role in GRANTS[permission]
