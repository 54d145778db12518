"""first schema

Revision ID: 0001
Revises:
Create Date: 2026-11-27 05:33:34.765510
"""

from __future__ import annotations

import sqlalchemy as sa
import sqlmodel
import sqlmodel.sql.sqltypes
from alembic import op

import btam_desktop.domain.types

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "account",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("username", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column("display_name", sqlmodel.sql.sqltypes.AutoString(length=120), nullable=False),
        sa.Column("role", sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
        sa.Column("email", sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
        sa.Column("phone", sqlmodel.sql.sqltypes.AutoString(length=60), nullable=False),
        sa.Column("team_role", sqlmodel.sql.sqltypes.AutoString(length=120), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("created_at", btam_desktop.domain.types.UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("account", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_account_username"), ["username"], unique=True)

    op.create_table(
        "audit_event",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("at", btam_desktop.domain.types.UTCDateTime(), nullable=False),
        sa.Column("username", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column("action", sqlmodel.sql.sqltypes.AutoString(length=48), nullable=False),
        sa.Column("entity_kind", sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
        sa.Column("entity_id", sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
        sa.Column("summary", sqlmodel.sql.sqltypes.AutoString(length=300), nullable=False),
        sa.Column("prev_hash", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column("hash", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("audit_event", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_audit_event_action"), ["action"], unique=False)
        batch_op.create_index(batch_op.f("ix_audit_event_entity_id"), ["entity_id"], unique=False)

    op.create_table(
        "vault_info",
        sa.Column("key", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column("value", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.PrimaryKeyConstraint("key"),
    )
    op.create_table(
        "case_file",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("number", sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("sequence", sa.Integer(), nullable=False),
        sa.Column("title", sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
        sa.Column("setting", sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
        sa.Column("site", sqlmodel.sql.sqltypes.AutoString(length=120), nullable=False),
        sa.Column("status", sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
        sa.Column("priority", sqlmodel.sql.sqltypes.AutoString(length=10), nullable=False),
        sa.Column("level_scale", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column("level", sqlmodel.sql.sqltypes.AutoString(length=32), nullable=True),
        sa.Column("level_rank", sa.Integer(), nullable=True),
        sa.Column("owner_id", sa.Integer(), nullable=True),
        sa.Column("opened_at", btam_desktop.domain.types.UTCDateTime(), nullable=False),
        sa.Column("closed_at", btam_desktop.domain.types.UTCDateTime(), nullable=True),
        sa.Column("closure_reason", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("next_review_on", sa.Date(), nullable=True),
        sa.Column("legal_hold", sa.Boolean(), nullable=False),
        sa.Column("retention_until", sa.Date(), nullable=True),
        sa.Column("created_by_id", sa.Integer(), nullable=True),
        sa.Column("updated_at", btam_desktop.domain.types.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["created_by_id"],
            ["account.id"],
        ),
        sa.ForeignKeyConstraint(
            ["owner_id"],
            ["account.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("year", "sequence", name="uq_case_year_sequence"),
    )
    with op.batch_alter_table("case_file", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_case_file_level"), ["level"], unique=False)
        batch_op.create_index(batch_op.f("ix_case_file_level_rank"), ["level_rank"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_case_file_next_review_on"), ["next_review_on"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_case_file_number"), ["number"], unique=True)
        batch_op.create_index(batch_op.f("ix_case_file_opened_at"), ["opened_at"], unique=False)
        batch_op.create_index(batch_op.f("ix_case_file_owner_id"), ["owner_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_case_file_priority"), ["priority"], unique=False)
        batch_op.create_index(batch_op.f("ix_case_file_setting"), ["setting"], unique=False)
        batch_op.create_index(batch_op.f("ix_case_file_site"), ["site"], unique=False)
        batch_op.create_index(batch_op.f("ix_case_file_status"), ["status"], unique=False)
        batch_op.create_index("ix_case_status_opened", ["status", "opened_at"], unique=False)

    op.create_table(
        "training_record",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("account_id", sa.Integer(), nullable=False),
        sa.Column("course", sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
        sa.Column("provider", sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
        sa.Column("completed_on", sa.Date(), nullable=False),
        sa.Column("expires_on", sa.Date(), nullable=True),
        sa.ForeignKeyConstraint(
            ["account_id"],
            ["account.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("training_record", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_training_record_account_id"), ["account_id"], unique=False
        )

    op.create_table(
        "attachment",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("case_id", sa.Integer(), nullable=False),
        sa.Column("file_name", sqlmodel.sql.sqltypes.AutoString(length=255), nullable=False),
        sa.Column("media_type", sqlmodel.sql.sqltypes.AutoString(length=100), nullable=False),
        sa.Column("size", sa.Integer(), nullable=False),
        sa.Column("sha256", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column("description", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("data", sa.LargeBinary(), nullable=False),
        sa.Column("added_by_id", sa.Integer(), nullable=True),
        sa.Column("added_at", btam_desktop.domain.types.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["added_by_id"],
            ["account.id"],
        ),
        sa.ForeignKeyConstraint(
            ["case_id"],
            ["case_file.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("attachment", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_attachment_case_id"), ["case_id"], unique=False)

    op.create_table(
        "case_member",
        sa.Column("case_id", sa.Integer(), nullable=False),
        sa.Column("account_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["account_id"],
            ["account.id"],
        ),
        sa.ForeignKeyConstraint(
            ["case_id"],
            ["case_file.id"],
        ),
        sa.PrimaryKeyConstraint("case_id", "account_id"),
    )
    with op.batch_alter_table("case_member", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_case_member_account_id"), ["account_id"], unique=False)

    op.create_table(
        "case_note",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("case_id", sa.Integer(), nullable=False),
        sa.Column("category", sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
        sa.Column("body", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("author_id", sa.Integer(), nullable=True),
        sa.Column("created_at", btam_desktop.domain.types.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["author_id"],
            ["account.id"],
        ),
        sa.ForeignKeyConstraint(
            ["case_id"],
            ["case_file.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("case_note", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_case_note_case_id"), ["case_id"], unique=False)

    op.create_table(
        "disclosure",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("case_id", sa.Integer(), nullable=False),
        sa.Column("disclosed_at", btam_desktop.domain.types.UTCDateTime(), nullable=False),
        sa.Column("recipient_kind", sqlmodel.sql.sqltypes.AutoString(length=24), nullable=False),
        sa.Column("recipient_name", sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
        sa.Column("information_disclosed", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("purpose", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("legal_basis", sqlmodel.sql.sqltypes.AutoString(length=40), nullable=False),
        sa.Column("articulable_threat", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("disclosed_by_id", sa.Integer(), nullable=True),
        sa.Column("created_at", btam_desktop.domain.types.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["case_id"],
            ["case_file.id"],
        ),
        sa.ForeignKeyConstraint(
            ["disclosed_by_id"],
            ["account.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("disclosure", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_disclosure_case_id"), ["case_id"], unique=False)

    op.create_table(
        "level_decision",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("case_id", sa.Integer(), nullable=False),
        sa.Column("scale", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column("level", sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
        sa.Column("decided_at", btam_desktop.domain.types.UTCDateTime(), nullable=False),
        sa.Column("decided_by_id", sa.Integer(), nullable=True),
        sa.Column("rationale", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("source", sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
        sa.ForeignKeyConstraint(
            ["case_id"],
            ["case_file.id"],
        ),
        sa.ForeignKeyConstraint(
            ["decided_by_id"],
            ["account.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("level_decision", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_level_decision_case_id"), ["case_id"], unique=False)

    op.create_table(
        "person",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("case_id", sa.Integer(), nullable=False),
        sa.Column("role", sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
        sa.Column("full_name", sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
        sa.Column("anonymous", sa.Boolean(), nullable=False),
        sa.Column("affiliation", sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
        sa.Column(
            "grade_or_position", sqlmodel.sql.sqltypes.AutoString(length=120), nullable=False
        ),
        sa.Column("contact", sqlmodel.sql.sqltypes.AutoString(length=300), nullable=False),
        sa.Column("notes", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("created_at", btam_desktop.domain.types.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["case_id"],
            ["case_file.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("person", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_person_case_id"), ["case_id"], unique=False)

    op.create_table(
        "timeline_entry",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("case_id", sa.Integer(), nullable=False),
        sa.Column("occurred_at", btam_desktop.domain.types.UTCDateTime(), nullable=False),
        sa.Column("category", sqlmodel.sql.sqltypes.AutoString(length=24), nullable=False),
        sa.Column("description", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("pathway_stage", sqlmodel.sql.sqltypes.AutoString(length=24), nullable=True),
        sa.Column("source", sqlmodel.sql.sqltypes.AutoString(length=24), nullable=False),
        sa.Column("obtained_how", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("reliability", sqlmodel.sql.sqltypes.AutoString(length=12), nullable=False),
        sa.Column("entered_by_id", sa.Integer(), nullable=True),
        sa.Column("created_at", btam_desktop.domain.types.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["case_id"],
            ["case_file.id"],
        ),
        sa.ForeignKeyConstraint(
            ["entered_by_id"],
            ["account.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("timeline_entry", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_timeline_entry_case_id"), ["case_id"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_timeline_entry_occurred_at"), ["occurred_at"], unique=False
        )

    op.create_table(
        "workflow_transition",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("case_id", sa.Integer(), nullable=False),
        sa.Column("action", sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
        sa.Column("from_status", sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
        sa.Column("to_status", sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
        sa.Column("reason", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("details", sa.JSON(), nullable=False),
        sa.Column("by_id", sa.Integer(), nullable=True),
        sa.Column("at", btam_desktop.domain.types.UTCDateTime(), nullable=False),
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
    with op.batch_alter_table("workflow_transition", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_workflow_transition_case_id"), ["case_id"], unique=False
        )

    op.create_table(
        "concern_report",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("case_id", sa.Integer(), nullable=False),
        sa.Column("received_at", btam_desktop.domain.types.UTCDateTime(), nullable=False),
        sa.Column("channel", sqlmodel.sql.sqltypes.AutoString(length=24), nullable=False),
        sa.Column("reporter_id", sa.Integer(), nullable=True),
        sa.Column("reporter_anonymous", sa.Boolean(), nullable=False),
        sa.Column("narrative", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("threat_quote", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("expressed_as", sa.JSON(), nullable=False),
        sa.Column("directness", sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
        sa.Column("known_to_target", sqlmodel.sql.sqltypes.AutoString(length=8), nullable=False),
        sa.Column("immediate_danger", sa.Boolean(), nullable=False),
        sa.Column(
            "emergency_notice_shown_at", btam_desktop.domain.types.UTCDateTime(), nullable=True
        ),
        sa.Column("entered_by_id", sa.Integer(), nullable=True),
        sa.Column("created_at", btam_desktop.domain.types.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["case_id"],
            ["case_file.id"],
        ),
        sa.ForeignKeyConstraint(
            ["entered_by_id"],
            ["account.id"],
        ),
        sa.ForeignKeyConstraint(
            ["reporter_id"],
            ["person.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("concern_report", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_concern_report_case_id"), ["case_id"], unique=False)

    if op.get_bind().dialect.name == "sqlite":
        # Full-text index (SQLite FTS5), kept in step by btam_desktop.store.search.
        op.execute(
            "CREATE VIRTUAL TABLE search_index USING fts5("
            "body, case_id UNINDEXED, kind UNINDEXED, entity_id UNINDEXED, "
            "tokenize = 'unicode61 remove_diacritics 2')"
        )
        # The audit trail is append-only; refuse changes at the database level too.
        op.execute(
            "CREATE TRIGGER audit_event_no_update BEFORE UPDATE ON audit_event "
            "BEGIN SELECT RAISE(ABORT, 'the audit trail is append-only'); END"
        )
        op.execute(
            "CREATE TRIGGER audit_event_no_delete BEFORE DELETE ON audit_event "
            "BEGIN SELECT RAISE(ABORT, 'the audit trail is append-only'); END"
        )


def downgrade() -> None:
    op.execute("DROP TRIGGER IF EXISTS audit_event_no_update")
    op.execute("DROP TRIGGER IF EXISTS audit_event_no_delete")
    op.execute("DROP TABLE IF EXISTS search_index")
    with op.batch_alter_table("concern_report", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_concern_report_case_id"))

    op.drop_table("concern_report")
    with op.batch_alter_table("workflow_transition", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_workflow_transition_case_id"))

    op.drop_table("workflow_transition")
    with op.batch_alter_table("timeline_entry", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_timeline_entry_occurred_at"))
        batch_op.drop_index(batch_op.f("ix_timeline_entry_case_id"))

    op.drop_table("timeline_entry")
    with op.batch_alter_table("person", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_person_case_id"))

    op.drop_table("person")
    with op.batch_alter_table("level_decision", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_level_decision_case_id"))

    op.drop_table("level_decision")
    with op.batch_alter_table("disclosure", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_disclosure_case_id"))

    op.drop_table("disclosure")
    with op.batch_alter_table("case_note", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_case_note_case_id"))

    op.drop_table("case_note")
    with op.batch_alter_table("case_member", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_case_member_account_id"))

    op.drop_table("case_member")
    with op.batch_alter_table("attachment", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_attachment_case_id"))

    op.drop_table("attachment")
    with op.batch_alter_table("training_record", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_training_record_account_id"))

    op.drop_table("training_record")
    with op.batch_alter_table("case_file", schema=None) as batch_op:
        batch_op.drop_index("ix_case_status_opened")
        batch_op.drop_index(batch_op.f("ix_case_file_status"))
        batch_op.drop_index(batch_op.f("ix_case_file_site"))
        batch_op.drop_index(batch_op.f("ix_case_file_setting"))
        batch_op.drop_index(batch_op.f("ix_case_file_priority"))
        batch_op.drop_index(batch_op.f("ix_case_file_owner_id"))
        batch_op.drop_index(batch_op.f("ix_case_file_opened_at"))
        batch_op.drop_index(batch_op.f("ix_case_file_number"))
        batch_op.drop_index(batch_op.f("ix_case_file_next_review_on"))
        batch_op.drop_index(batch_op.f("ix_case_file_level_rank"))
        batch_op.drop_index(batch_op.f("ix_case_file_level"))

    op.drop_table("case_file")
    op.drop_table("vault_info")
    with op.batch_alter_table("audit_event", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_audit_event_entity_id"))
        batch_op.drop_index(batch_op.f("ix_audit_event_action"))

    op.drop_table("audit_event")
    with op.batch_alter_table("account", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_account_username"))

    op.drop_table("account")
