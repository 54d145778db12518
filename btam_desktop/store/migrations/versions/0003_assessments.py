"""assessments and the form definitions they were made with

Revision ID: 0003
Revises: 0002
"""

from __future__ import annotations

import sqlalchemy as sa
import sqlmodel
import sqlmodel.sql.sqltypes
from alembic import op

import btam_desktop.domain.types

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    text = sqlmodel.sql.sqltypes.AutoString
    op.create_table(
        "form_snapshot",
        sa.Column("content_hash", text(length=64), nullable=False),
        sa.Column("form_id", text(length=120), nullable=False),
        sa.Column("version", text(length=40), nullable=False),
        sa.Column("definition", sa.JSON(), nullable=False),
        sa.Column("stored_at", btam_desktop.domain.types.UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("content_hash"),
    )
    op.create_table(
        "assessment",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("case_id", sa.Integer(), nullable=False),
        sa.Column("form_id", text(length=120), nullable=False),
        sa.Column("form_version", text(length=40), nullable=False),
        sa.Column("form_hash", text(length=64), nullable=False),
        sa.Column("form_title", text(length=200), nullable=False),
        sa.Column("form_kind", text(length=24), nullable=False),
        sa.Column("status", text(length=12), nullable=False),
        sa.Column("answers", sa.JSON(), nullable=False),
        sa.Column("participants", sa.JSON(), nullable=False),
        sa.Column("suggested_level", text(length=32), nullable=True),
        sa.Column("suggestion", text(), nullable=False),
        sa.Column("decided_level", text(length=32), nullable=True),
        sa.Column("decision_scale", text(length=64), nullable=True),
        sa.Column("decision_rationale", text(), nullable=False),
        sa.Column("workflow_action", text(length=32), nullable=True),
        sa.Column("amends_id", sa.Integer(), nullable=True),
        sa.Column("amendment_reason", text(), nullable=False),
        sa.Column("created_by_id", sa.Integer(), nullable=True),
        sa.Column("created_at", btam_desktop.domain.types.UTCDateTime(), nullable=False),
        sa.Column("updated_at", btam_desktop.domain.types.UTCDateTime(), nullable=False),
        sa.Column("completed_by_id", sa.Integer(), nullable=True),
        sa.Column("completed_at", btam_desktop.domain.types.UTCDateTime(), nullable=True),
        sa.ForeignKeyConstraint(["amends_id"], ["assessment.id"]),
        sa.ForeignKeyConstraint(["case_id"], ["case_file.id"]),
        sa.ForeignKeyConstraint(["completed_by_id"], ["account.id"]),
        sa.ForeignKeyConstraint(["created_by_id"], ["account.id"]),
        sa.ForeignKeyConstraint(["form_hash"], ["form_snapshot.content_hash"]),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("assessment", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_assessment_case_id"), ["case_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_assessment_status"), ["status"], unique=False)
    if op.get_bind().dialect.name == "sqlite":
        # A completed assessment is a record: refuse changes at the database level too.
        op.execute(
            "CREATE TRIGGER assessment_completed_is_final BEFORE UPDATE ON assessment "
            "WHEN OLD.status = 'completed' "
            "BEGIN SELECT RAISE(ABORT, 'a completed assessment cannot be changed'); END"
        )
        op.execute(
            "CREATE TRIGGER form_snapshot_is_final BEFORE UPDATE ON form_snapshot "
            "BEGIN SELECT RAISE(ABORT, 'a stored form definition cannot be changed'); END"
        )


def downgrade() -> None:
    op.execute("DROP TRIGGER IF EXISTS assessment_completed_is_final")
    op.execute("DROP TRIGGER IF EXISTS form_snapshot_is_final")
    with op.batch_alter_table("assessment", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_assessment_status"))
        batch_op.drop_index(batch_op.f("ix_assessment_case_id"))
    op.drop_table("assessment")
    op.drop_table("form_snapshot")
