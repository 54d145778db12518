"""audit events carry their author's signature and the changed record's state hash

Revision ID: 0010
Revises: 0007
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # Adding columns is not an UPDATE, so the append-only triggers are not involved.
    with op.batch_alter_table("audit_event", schema=None, recreate="never") as batch_op:
        batch_op.add_column(
            sa.Column("state_hash", sa.String(length=64), nullable=False, server_default="")
        )
        batch_op.add_column(
            sa.Column("signer_key", sa.String(length=16), nullable=False, server_default="")
        )
        batch_op.add_column(
            sa.Column("signature", sa.String(length=88), nullable=False, server_default="")
        )


def downgrade() -> None:
    with op.batch_alter_table("audit_event", schema=None, recreate="never") as batch_op:
        batch_op.drop_column("signature")
        batch_op.drop_column("signer_key")
        batch_op.drop_column("state_hash")
