"""the team server: sealed content columns as text, blind index, key slots, database rules

Revision ID: 0012
Revises: 0011

Only on PostgreSQL (a vault on SQLite is unchanged): the content columns hold sealed values,
longer than the plain text their length limits were made for; the key slots live in the
database; the whole-word blind index replaces FTS5; and the rules SQLite triggers keep (the
audit trail is append-only, completed assessments and stored forms are final) are kept by
PostgreSQL triggers.
"""

from __future__ import annotations

from alembic import op

revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None

# Content columns with a length limit on their plain text (frozen: the list as of this revision).
_LIMITED_CONTENT = [
    ("case_file", "title"),
    ("person", "full_name"),
    ("person", "affiliation"),
    ("person", "grade_or_position"),
    ("person", "contact"),
    ("attachment", "file_name"),
    ("attachment", "sha256"),
    ("disclosure", "recipient_name"),
    ("plan_intervention", "title"),
    ("case_origin", "source_team"),
    ("concern_report", "emergency_called_by"),
    ("team_contact", "name"),
    ("team_contact", "role"),
    ("team_contact", "organization"),
    ("team_contact", "reach"),
]

_LIST_ORDERS = [
    ("ix_case_list_level", "level_rank DESC NULLS LAST"),
    ("ix_case_list_review", "next_review_on DESC NULLS LAST"),
    ("ix_case_list_site", "site DESC"),
    ("ix_case_list_status", "status DESC"),
    ("ix_case_list_priority", "priority DESC"),
    ("ix_case_list_opened", "opened_at DESC"),
]

_REFUSE_FUNCTION = """
CREATE FUNCTION btam_refuse() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION '%', TG_ARGV[0];
END
$$
"""

# A completed assessment is final, except that re-encryption under a new data key (a member
# was removed) may replace its sealed values: it says so for its own transaction, and nothing
# plain may change while it does.
_ASSESSMENT_FINAL_FUNCTION = """
CREATE FUNCTION btam_assessment_final() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    sealed text[] := ARRAY['answers', 'participants', 'suggestion', 'decision_rationale',
                           'amendment_reason'];
BEGIN
    IF OLD.status = 'completed' THEN
        IF current_setting('btam.resealing', true) = 'on'
           AND (to_jsonb(NEW) - sealed) = (to_jsonb(OLD) - sealed) THEN
            RETURN NEW;
        END IF;
        RAISE EXCEPTION 'a completed assessment cannot be changed';
    END IF;
    RETURN NEW;
END
$$
"""


# Tables whose changes other computers are told about (LISTEN btam_changes): the case and
# everything recorded in it. The message holds the table name and the case id, nothing else.
_NOTIFYING = [
    "case_file",
    "person",
    "concern_report",
    "timeline_entry",
    "case_note",
    "attachment",
    "level_decision",
    "disclosure",
    "workflow_transition",
    "assessment",
    "management_plan",
    "monitoring_entry",
    "case_member",
]

_NOTIFY_FUNCTION = """
CREATE FUNCTION btam_notify_change() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    changed jsonb := to_jsonb(COALESCE(NEW, OLD));
BEGIN
    PERFORM pg_notify(
        'btam_changes',
        TG_TABLE_NAME || ':' || COALESCE(changed->>'case_id', changed->>'id', '')
    );
    RETURN NULL;
END
$$
"""


def upgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    for table, column in _LIMITED_CONTENT:
        op.execute(f"ALTER TABLE {table} ALTER COLUMN {column} TYPE text")
    op.execute(
        "CREATE TABLE server_keys ("
        "id integer PRIMARY KEY CHECK (id = 1), "
        "body text NOT NULL, "
        "generation integer NOT NULL)"
    )
    op.execute(
        "CREATE TABLE blind_index ("
        "case_id integer NOT NULL, kind smallint NOT NULL, entity_id integer NOT NULL, "
        "token bytea NOT NULL)"
    )
    op.execute("CREATE INDEX ix_blind_index_token ON blind_index (token, case_id)")
    op.execute("CREATE INDEX ix_blind_index_entity ON blind_index (kind, entity_id)")
    op.execute("CREATE INDEX ix_blind_index_case ON blind_index (case_id)")
    # The case list's sort orders: SQLite's indexes end in the row id by themselves and it
    # puts NULL first; PostgreSQL needs the id (the tie-breaker) and the NULL placement spelled
    # out. Each index serves both directions (read backwards for the other).
    for name, key in _LIST_ORDERS:
        op.execute(f"CREATE INDEX {name} ON case_file ({key}, id DESC)")
    op.execute(_REFUSE_FUNCTION)
    op.execute(_ASSESSMENT_FINAL_FUNCTION)
    op.execute(
        "CREATE TRIGGER audit_event_append_only BEFORE UPDATE OR DELETE OR TRUNCATE "
        "ON audit_event FOR EACH STATEMENT "
        "EXECUTE FUNCTION btam_refuse('the audit trail is append-only')"
    )
    op.execute(
        "CREATE TRIGGER form_snapshot_is_final BEFORE UPDATE ON form_snapshot "
        "FOR EACH STATEMENT "
        "EXECUTE FUNCTION btam_refuse('a stored form definition cannot be changed')"
    )
    op.execute(
        "CREATE TRIGGER assessment_completed_is_final BEFORE UPDATE ON assessment "
        "FOR EACH ROW EXECUTE FUNCTION btam_assessment_final()"
    )
    op.execute(_NOTIFY_FUNCTION)
    for table in _NOTIFYING:
        op.execute(
            f"CREATE TRIGGER {table}_notify AFTER INSERT OR UPDATE OR DELETE ON {table} "
            "FOR EACH ROW EXECUTE FUNCTION btam_notify_change()"
        )


def downgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    for table in _NOTIFYING:
        op.execute(f"DROP TRIGGER IF EXISTS {table}_notify ON {table}")
    op.execute("DROP FUNCTION IF EXISTS btam_notify_change()")
    op.execute("DROP TRIGGER IF EXISTS assessment_completed_is_final ON assessment")
    op.execute("DROP TRIGGER IF EXISTS form_snapshot_is_final ON form_snapshot")
    op.execute("DROP TRIGGER IF EXISTS audit_event_append_only ON audit_event")
    op.execute("DROP FUNCTION IF EXISTS btam_assessment_final()")
    op.execute("DROP FUNCTION IF EXISTS btam_refuse()")
    for name, _key in _LIST_ORDERS:
        op.execute(f"DROP INDEX IF EXISTS {name}")
    op.execute("DROP TABLE IF EXISTS blind_index")
    op.execute("DROP TABLE IF EXISTS server_keys")
