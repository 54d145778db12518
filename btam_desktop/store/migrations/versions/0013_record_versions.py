"""record versions: a revision number on every record a person edits, and who saved an
assessment draft last (issue 16: two people editing one record on a team server)

Revision ID: 0013_record_versions
Revises: 0012
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0013_record_versions"
down_revision = "0012"
branch_labels = None
depends_on = None

# Tables whose rows people edit after creating them (frozen: the list as of this revision).
_VERSIONED = [
    "person",
    "timeline_entry",
    "management_plan",
    "plan_intervention",
    "assessment",
    "team_contact",
]


def upgrade() -> None:
    # Adding columns only (no table rebuild): rows keep their rowids, so the search index stays
    # valid, and the triggers that keep completed assessments final stay in place.
    for table in _VERSIONED:
        with op.batch_alter_table(table, schema=None, recreate="never") as batch_op:
            batch_op.add_column(
                sa.Column("revision", sa.Integer(), nullable=False, server_default="1")
            )
    with op.batch_alter_table("assessment", schema=None, recreate="never") as batch_op:
        batch_op.add_column(sa.Column("updated_by_id", sa.Integer(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("assessment", schema=None, recreate="never") as batch_op:
        batch_op.drop_column("updated_by_id")
    for table in reversed(_VERSIONED):
        with op.batch_alter_table(table, schema=None, recreate="never") as batch_op:
            batch_op.drop_column("revision")
