"""case list indexes

Indexes for the Cases page on a large vault (measured with bench/bench_case_list.py on 100,000
cases): a filter on level, site, setting or owner walks its own index in "newest first" order
and counts from the index alone (status is in the index); the overdue count and the "open
cases" count read (next review, status) only; sorting by title walks (title, status).

Note for full sorts: with (owner_id, ..., status) SQLite may walk the owner index and read every
row out of order for a sort it cannot take from an index (``find`` sorting by the computed case
number: ten times slower). ``CaseService.list_page`` sorts the case number on (year, sequence),
so the case list never does that.

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-27 06:05:00
"""

from __future__ import annotations

from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None

INDEXES: dict[str, list[str]] = {
    "ix_case_level_opened": ["level", "opened_at", "status"],
    "ix_case_site_opened": ["site", "opened_at", "status"],
    "ix_case_setting_opened": ["setting", "opened_at", "status"],
    "ix_case_owner_opened": ["owner_id", "opened_at", "status"],
    "ix_case_review_status": ["next_review_on", "status"],
    "ix_case_title_status": ["title", "status"],
}


def upgrade() -> None:
    for name, columns in INDEXES.items():
        op.create_index(name, "case_file", columns, unique=False)


def downgrade() -> None:
    for name in INDEXES:
        op.drop_index(name, table_name="case_file")
