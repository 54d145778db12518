"""field test (issue 11): confidential reporters, danger answers, threat axes, transient or
substantive cases, team contacts, monitoring periods and richer repeats

Revision ID: 0011
Revises: 0007
"""

from __future__ import annotations

import sqlalchemy as sa
import sqlmodel
import sqlmodel.sql.sqltypes
from alembic import op

import btam_desktop.domain.types

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "team_contact",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
        sa.Column("role", sqlmodel.sql.sqltypes.AutoString(length=120), nullable=False),
        sa.Column("organization", sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
        sa.Column("reach", sqlmodel.sql.sqltypes.AutoString(length=300), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("created_at", btam_desktop.domain.types.UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    # Adding columns only: rows keep their rowids, so the search index stays valid.
    with op.batch_alter_table("case_file", schema=None, recreate="never") as batch_op:
        batch_op.add_column(
            sa.Column(
                "threat_type",
                sqlmodel.sql.sqltypes.AutoString(length=16),
                nullable=False,
                server_default="",
            )
        )
        batch_op.create_index(batch_op.f("ix_case_file_threat_type"), ["threat_type"])
        batch_op.add_column(
            sa.Column("priority_rank", sa.Integer(), nullable=False, server_default="1")
        )
        batch_op.create_index(batch_op.f("ix_case_file_priority_rank"), ["priority_rank"])
    # The case list sorts priority by rank along an index (frozen copy of Priority.rank).
    op.execute(
        "UPDATE case_file SET priority_rank = CASE priority WHEN 'low' THEN 0 "
        "WHEN 'normal' THEN 1 WHEN 'high' THEN 2 WHEN 'urgent' THEN 3 ELSE 1 END"
    )
    with op.batch_alter_table("concern_report", schema=None, recreate="never") as batch_op:
        batch_op.add_column(
            sa.Column(
                "reporter_confidential", sa.Boolean(), nullable=False, server_default=sa.false()
            )
        )
        batch_op.add_column(
            sa.Column("conditional", sa.Boolean(), nullable=False, server_default=sa.false())
        )
        for name, length in (
            ("danger_answer", 8),
            ("emergency_called", 8),
            ("emergency_called_by", 200),
        ):
            batch_op.add_column(
                sa.Column(
                    name,
                    sqlmodel.sql.sqltypes.AutoString(length=length),
                    nullable=False,
                    server_default="",
                )
            )
        batch_op.add_column(
            sa.Column("emergency_called_at", btam_desktop.domain.types.UTCDateTime(), nullable=True)
        )
    # Earlier reports answered the danger question with yes or no only.
    op.execute(
        "UPDATE concern_report SET danger_answer = "
        "CASE WHEN immediate_danger THEN 'yes' ELSE 'no' END"
    )
    with op.batch_alter_table("management_plan", schema=None, recreate="never") as batch_op:
        batch_op.add_column(sa.Column("monitoring_days", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("monitoring_ends_on", sa.Date(), nullable=True))
    with op.batch_alter_table("plan_intervention", schema=None) as batch_op:
        batch_op.add_column(sa.Column("responsible_contact_id", sa.Integer(), nullable=True))
        batch_op.create_foreign_key(
            "fk_plan_intervention_responsible_contact_id_team_contact",
            "team_contact",
            ["responsible_contact_id"],
            ["id"],
        )
        batch_op.alter_column(
            "recurrence",
            existing_type=sqlmodel.sql.sqltypes.AutoString(length=12),
            type_=sqlmodel.sql.sqltypes.AutoString(length=40),
            existing_nullable=False,
        )


def downgrade() -> None:
    with op.batch_alter_table("plan_intervention", schema=None) as batch_op:
        batch_op.drop_constraint(
            "fk_plan_intervention_responsible_contact_id_team_contact", type_="foreignkey"
        )
        batch_op.drop_column("responsible_contact_id")
        batch_op.alter_column(
            "recurrence",
            existing_type=sqlmodel.sql.sqltypes.AutoString(length=40),
            type_=sqlmodel.sql.sqltypes.AutoString(length=12),
            existing_nullable=False,
        )
    with op.batch_alter_table("management_plan", schema=None, recreate="never") as batch_op:
        batch_op.drop_column("monitoring_ends_on")
        batch_op.drop_column("monitoring_days")
    with op.batch_alter_table("concern_report", schema=None, recreate="never") as batch_op:
        for name in (
            "emergency_called_at",
            "emergency_called_by",
            "emergency_called",
            "danger_answer",
            "conditional",
            "reporter_confidential",
        ):
            batch_op.drop_column(name)
    with op.batch_alter_table("case_file", schema=None, recreate="never") as batch_op:
        batch_op.drop_index(batch_op.f("ix_case_file_priority_rank"))
        batch_op.drop_column("priority_rank")
        batch_op.drop_index(batch_op.f("ix_case_file_threat_type"))
        batch_op.drop_column("threat_type")
    op.drop_table("team_contact")
