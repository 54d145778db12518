"""The groups the audit trail is filtered by (kept apart so ``btam --help`` loads no database
code to list them)."""

from __future__ import annotations

from enum import StrEnum


class AuditKind(StrEnum):
    """The groups the audit page filters by."""

    SIGN_IN = "sign_in"
    FAILED_SIGN_IN = "failed_sign_in"
    TEAM = "team"
    SETTINGS = "settings"
    REFUSAL = "refusal"
    VIEW = "view"
    EXPORT = "export"
    DISCLOSURE = "disclosure"
    BACKUP = "backup"
    CASE_CHANGE = "case_change"
    AUDIT = "audit"

    @property
    def label(self) -> str:
        return KIND_LABELS[self]


KIND_LABELS: dict[AuditKind, str] = {
    AuditKind.SIGN_IN: "Sign-ins and locks",
    AuditKind.FAILED_SIGN_IN: "Failed sign-ins and wrong recovery keys",
    AuditKind.TEAM: "Team changes and passwords",
    AuditKind.SETTINGS: "Settings",
    AuditKind.REFUSAL: "Refusals",
    AuditKind.VIEW: "Views",
    AuditKind.EXPORT: "Exports, imports, transfers and printouts",
    AuditKind.DISCLOSURE: "Disclosures",
    AuditKind.BACKUP: "Backups",
    AuditKind.CASE_CHANGE: "Case work",
    AuditKind.AUDIT: "Audit trail",
}
