"""search index entries keyed by case, kind and record in their rowid

Revision ID: 0007
Revises: 0006
"""

from __future__ import annotations

from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None

# Frozen copy of the indexing rules of this revision (a migration must not change later).
_KINDS = {
    "case_file": (1, "id", "number || char(10) || title || char(10) || site"),
    "person": (
        2,
        "case_id",
        "full_name || char(10) || affiliation || char(10) || grade_or_position || char(10) || "
        "contact || char(10) || notes",
    ),
    "concern_report": (3, "case_id", "narrative || char(10) || threat_quote"),
    "timeline_entry": (4, "case_id", "description || char(10) || obtained_how"),
    "case_note": (5, "case_id", "body"),
    "disclosure": (
        6,
        "case_id",
        "recipient_name || char(10) || information_disclosed || char(10) || purpose",
    ),
}


def upgrade() -> None:
    if op.get_bind().dialect.name != "sqlite":
        return
    op.execute("DELETE FROM search_index")
    for kind, (code, case_column, body) in _KINDS.items():
        op.execute(
            "INSERT INTO search_index (rowid, entity_id, case_id, body, kind) "  # noqa: S608
            f"SELECT ({case_column} << 32) | ({code} << 28) | id, id, {case_column}, {body}, "
            f"'{kind}' FROM {kind}"
        )


def downgrade() -> None:
    pass  # the old layout reads these rows as well; nothing to undo
