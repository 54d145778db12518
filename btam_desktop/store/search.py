"""Full-text search over case content with SQLite FTS5, inside the encrypted database.

This is the one SQLite-only module. The index is kept in step by a flush hook on the vault's
session class, so every write that changes searchable text re-indexes it in the same
transaction and no service can forget to.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from contextvars import ContextVar
from typing import Any

from sqlalchemy import column, event, select, table, text
from sqlalchemy.engine import Connection
from sqlmodel import Session, SQLModel

from btam_desktop.domain.models import (
    Case,
    CaseNote,
    ConcernReport,
    Disclosure,
    Person,
    TimelineEntry,
)

CREATE_INDEX_SQL = (
    "CREATE VIRTUAL TABLE IF NOT EXISTS search_index USING fts5("
    "body, case_id UNINDEXED, kind UNINDEXED, entity_id UNINDEXED, "
    "tokenize = 'unicode61 remove_diacritics 2')"
)
DROP_INDEX_SQL = "DROP TABLE IF EXISTS search_index"


def _join(*parts: str | None) -> str:
    return "\n".join(p for p in parts if p)


def _case_id_of(obj: Any) -> int | None:
    return obj.id if isinstance(obj, Case) else obj.case_id


INDEXERS: dict[type[SQLModel], Callable[[Any], str]] = {
    Case: lambda c: _join(c.number, c.title, c.site),
    Person: lambda p: _join(p.full_name, p.affiliation, p.grade_or_position, p.contact, p.notes),
    ConcernReport: lambda r: _join(r.narrative, r.threat_quote),
    TimelineEntry: lambda t: _join(t.description, t.obtained_how),
    CaseNote: lambda n: n.body,
    Disclosure: lambda d: _join(d.recipient_name, d.information_disclosed, d.purpose),
}
KIND_NAMES: dict[type[SQLModel], str] = {cls: str(cls.__tablename__) for cls in INDEXERS}


# Each entry's rowid encodes its case, kind and entity: (case << 32) | (kind << 28) | entity.
# Finding the cases of a common word then reads only the index's rowids, never the stored
# text, and updating or removing one entry is a rowid lookup instead of a scan.
KIND_CODES: dict[str, int] = {
    "case_file": 1,
    "person": 2,
    "concern_report": 3,
    "timeline_entry": 4,
    "case_note": 5,
    "disclosure": 6,
}
_ENTITY_LIMIT = 1 << 28


def entry_rowid(case_id: int, kind: str, entity_id: int) -> int:
    if not 0 < entity_id < _ENTITY_LIMIT:
        raise ValueError("record id out of the search index's range")
    return (case_id << 32) | (KIND_CODES[kind] << 28) | entity_id


class IndexedSession(Session):
    """The vault's session class: writes keep the search index in step."""


def _remove(conn: Connection, obj: Any) -> None:
    rowid = entry_rowid(_case_id_of(obj) or 0, KIND_NAMES[type(obj)], obj.id)
    conn.execute(text("DELETE FROM search_index WHERE rowid = :r"), {"r": rowid})


def _index(conn: Connection, obj: Any) -> None:
    kind = KIND_NAMES[type(obj)]
    case_id = _case_id_of(obj) or 0
    _remove(conn, obj)
    body = INDEXERS[type(obj)](obj)
    if body:
        conn.execute(
            text(
                "INSERT INTO search_index (rowid, body, case_id, kind, entity_id) "
                "VALUES (:rowid, :body, :case_id, :kind, :entity)"
            ),
            {
                "rowid": entry_rowid(case_id, kind, obj.id),
                "body": body,
                "case_id": case_id,
                "kind": kind,
                "entity": obj.id,
            },
        )


# ---- the team server (issue 16): no FTS5 there; its store sets a whole-word blind index -----
ALTERNATIVE_INDEX: ContextVar[Any] = ContextVar("btam_alternative_index", default=None)


def words_of_match(match_query: str) -> list[str]:
    """The words of a query made by ``to_match_query``."""
    return re.findall(r'"([^"]*)"', match_query)


# ----------------------------------------------------------------------------------------------


@event.listens_for(IndexedSession, "after_flush")
def _after_flush(session: Session, _context: Any) -> None:
    if session.get_bind().dialect.name != "sqlite":
        return  # the team server keeps its own index (store/server/blind_index.py)
    conn = session.connection()
    for obj in list(session.new) + list(session.dirty):
        if type(obj) in INDEXERS and obj.id is not None:
            _index(conn, obj)
    for obj in session.deleted:
        if type(obj) in INDEXERS and obj.id is not None:
            _remove(conn, obj)


def remove_case(conn: Connection, case_id: int) -> None:
    alternative = ALTERNATIVE_INDEX.get()
    if alternative is not None:
        alternative.remove_case(conn, case_id)
        return
    conn.execute(
        text("DELETE FROM search_index WHERE rowid >= :low AND rowid < :high"),
        {"low": case_id << 32, "high": (case_id + 1) << 32},
    )


_TOKEN = re.compile(r"\w+", re.UNICODE)


def to_match_query(user_text: str) -> str | None:
    """Turn what a person typed into a safe FTS5 query: every word must match, as a prefix."""
    words = _TOKEN.findall(user_text)
    if not words:
        return None
    return " AND ".join(f'"{w}"*' for w in words[:12])


def matching_case_ids(conn: Connection, user_text: str, limit: int = 10_000) -> list[int]:
    query = to_match_query(user_text)
    if query is None:
        return []
    rows = conn.execute(
        text(
            "SELECT rowid >> 32 AS case_id FROM search_index WHERE search_index MATCH :q "
            "GROUP BY case_id ORDER BY min(rank) LIMIT :limit"
        ),
        {"q": query, "limit": limit},
    )
    return [int(r[0]) for r in rows]


def case_ids_subquery(match_query: str) -> Any:
    """A SELECT of case ids matching an FTS5 query, to use inside ``Case.id IN (...)``."""
    alternative = ALTERNATIVE_INDEX.get()
    if alternative is not None:
        return alternative.case_ids_subquery(match_query)
    index = table("search_index", column("rowid"))
    return select(index.c.rowid.op(">>")(32)).where(
        text("search_index MATCH :fts_q").bindparams(fts_q=match_query)
    )


_BULK_SOURCES = {
    "case_file": ("id", "number || char(10) || title || char(10) || site"),
    "person": (
        "case_id",
        "full_name || char(10) || affiliation || char(10) || grade_or_position || char(10) || "
        "contact || char(10) || notes",
    ),
    "concern_report": ("case_id", "narrative || char(10) || threat_quote"),
    "timeline_entry": ("case_id", "description || char(10) || obtained_how"),
    "case_note": ("case_id", "body"),
    "disclosure": (
        "case_id",
        "recipient_name || char(10) || information_disclosed || char(10) || purpose",
    ),
}


def rebuild_from_tables(conn: Connection) -> None:
    """Re-index everything in SQL, for bulk loads (the demo generator, repairs)."""
    conn.execute(text("DELETE FROM search_index"))
    for kind, (case_column, body) in _BULK_SOURCES.items():
        conn.execute(
            text(
                "INSERT INTO search_index (rowid, entity_id, case_id, body, kind) "  # noqa: S608
                f"SELECT ({case_column} << 32) | ({KIND_CODES[kind]} << 28) | id, id, "
                f"{case_column}, {body}, '{kind}' FROM {kind}"
            )
        )
