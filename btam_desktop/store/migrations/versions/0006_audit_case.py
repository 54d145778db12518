"""audit events name the case they concern

Revision ID: 0006
Revises: 0005
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # Adding a column is not an UPDATE, so the append-only triggers are not involved.
    with op.batch_alter_table("audit_event", schema=None, recreate="never") as batch_op:
        batch_op.add_column(sa.Column("case_id", sa.Integer(), nullable=True))
        batch_op.create_index(batch_op.f("ix_audit_event_case_id"), ["case_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("audit_event", schema=None, recreate="never") as batch_op:
        batch_op.drop_index(batch_op.f("ix_audit_event_case_id"))
        batch_op.drop_column("case_id")
