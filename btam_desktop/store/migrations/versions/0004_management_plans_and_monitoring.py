"""management plans and monitoring

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-27 05:50:53.871918
"""

from __future__ import annotations

import sqlalchemy as sa
import sqlmodel
import sqlmodel.sql.sqltypes
from alembic import op

import btam_desktop.domain.types

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "management_plan",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("case_id", sa.Integer(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("status", sqlmodel.sql.sqltypes.AutoString(length=12), nullable=False),
        sa.Column("goals", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("supervision", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("safety_plan", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("next_reassessment_on", sa.Date(), nullable=True),
        sa.Column("change_note", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("based_on_id", sa.Integer(), nullable=True),
        sa.Column("created_by_id", sa.Integer(), nullable=True),
        sa.Column("created_at", btam_desktop.domain.types.UTCDateTime(), nullable=False),
        sa.Column("approved_by_id", sa.Integer(), nullable=True),
        sa.Column("approved_at", btam_desktop.domain.types.UTCDateTime(), nullable=True),
        sa.ForeignKeyConstraint(
            ["approved_by_id"],
            ["account.id"],
        ),
        sa.ForeignKeyConstraint(
            ["based_on_id"],
            ["management_plan.id"],
        ),
        sa.ForeignKeyConstraint(
            ["case_id"],
            ["case_file.id"],
        ),
        sa.ForeignKeyConstraint(
            ["created_by_id"],
            ["account.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("case_id", "version", name="uq_plan_case_version"),
    )
    with op.batch_alter_table("management_plan", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_management_plan_case_id"), ["case_id"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_management_plan_next_reassessment_on"),
            ["next_reassessment_on"],
            unique=False,
        )
        batch_op.create_index(batch_op.f("ix_management_plan_status"), ["status"], unique=False)

    op.create_table(
        "monitoring_entry",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("case_id", sa.Integer(), nullable=False),
        sa.Column("intervention_key", sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
        sa.Column("observed_on", sa.Date(), nullable=False),
        sa.Column("by_id", sa.Integer(), nullable=True),
        sa.Column("observation", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("changes_concern", sa.Boolean(), nullable=False),
        sa.Column("reassessment_requested", sa.Boolean(), nullable=False),
        sa.Column("created_at", btam_desktop.domain.types.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["by_id"],
            ["account.id"],
        ),
        sa.ForeignKeyConstraint(
            ["case_id"],
            ["case_file.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("monitoring_entry", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_monitoring_entry_case_id"), ["case_id"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_monitoring_entry_intervention_key"), ["intervention_key"], unique=False
        )

    op.create_table(
        "plan_intervention",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("plan_id", sa.Integer(), nullable=False),
        sa.Column("key", sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("catalog_ref", sqlmodel.sql.sqltypes.AutoString(length=160), nullable=False),
        sa.Column("strategy", sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
        sa.Column("title", sqlmodel.sql.sqltypes.AutoString(length=300), nullable=False),
        sa.Column("responsible_id", sa.Integer(), nullable=True),
        sa.Column("start_on", sa.Date(), nullable=True),
        sa.Column("due_on", sa.Date(), nullable=True),
        sa.Column("review_on", sa.Date(), nullable=True),
        sa.Column("recurrence", sqlmodel.sql.sqltypes.AutoString(length=12), nullable=False),
        sa.Column("status", sqlmodel.sql.sqltypes.AutoString(length=12), nullable=False),
        sa.Column("dropped_reason", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("notes", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.ForeignKeyConstraint(
            ["plan_id"],
            ["management_plan.id"],
        ),
        sa.ForeignKeyConstraint(
            ["responsible_id"],
            ["account.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("plan_intervention", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_plan_intervention_due_on"), ["due_on"], unique=False)
        batch_op.create_index(batch_op.f("ix_plan_intervention_key"), ["key"], unique=False)
        batch_op.create_index(batch_op.f("ix_plan_intervention_plan_id"), ["plan_id"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_plan_intervention_responsible_id"), ["responsible_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_plan_intervention_review_on"), ["review_on"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("plan_intervention", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_plan_intervention_review_on"))
        batch_op.drop_index(batch_op.f("ix_plan_intervention_responsible_id"))
        batch_op.drop_index(batch_op.f("ix_plan_intervention_plan_id"))
        batch_op.drop_index(batch_op.f("ix_plan_intervention_key"))
        batch_op.drop_index(batch_op.f("ix_plan_intervention_due_on"))

    op.drop_table("plan_intervention")
    with op.batch_alter_table("monitoring_entry", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_monitoring_entry_intervention_key"))
        batch_op.drop_index(batch_op.f("ix_monitoring_entry_case_id"))

    op.drop_table("monitoring_entry")
    with op.batch_alter_table("management_plan", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_management_plan_status"))
        batch_op.drop_index(batch_op.f("ix_management_plan_next_reassessment_on"))
        batch_op.drop_index(batch_op.f("ix_management_plan_case_id"))

    op.drop_table("management_plan")
