"""Whole-word search on the team server without the server seeing a word: a keyed blind index.

Each searchable record's text is split into words, normalized (case folded, accents removed),
and each distinct word is stored as HMAC-SHA256 under a key derived from the team's data key,
cut to 16 bytes, with the record's case id, kind and id. A search sends the same HMACs of the
words typed and the server returns the cases holding all of them.

What it leaks: the server sees which records share a word (equal tokens) and how many distinct
words a record has, never the word. What it cannot do: prefix or substring search; only whole
words match.
"""

from __future__ import annotations

import hashlib
import hmac
import re
import unicodedata
from typing import Any

from sqlalchemy import (
    Column,
    Integer,
    LargeBinary,
    MetaData,
    SmallInteger,
    Table,
    delete,
    event,
    insert,
    intersect,
    select,
)
from sqlalchemy.engine import Connection
from sqlalchemy.orm import Session

from btam_desktop.store import search
from btam_desktop.store.server.sealing import SealedSession, Sealer, sealer_of

TOKEN_BYTES = 16
MAX_QUERY_WORDS = 12
_WORD = re.compile(r"\w+", re.UNICODE)

_metadata = MetaData()
blind_index = Table(
    "blind_index",
    _metadata,
    Column("case_id", Integer, nullable=False),
    Column("kind", SmallInteger, nullable=False),
    Column("entity_id", Integer, nullable=False),
    Column("token", LargeBinary, nullable=False),
)


def normalized_words(body: str) -> list[str]:
    """Words as the index keeps them: case folded, accents removed (like the vault's FTS5)."""
    decomposed = unicodedata.normalize("NFKD", body.casefold())
    plain = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return _WORD.findall(plain)


def token(key: bytes, word: str) -> bytes:
    return hmac.new(key, word.encode("utf-8"), hashlib.sha256).digest()[:TOKEN_BYTES]


def tokens_of(key: bytes, body: str) -> set[bytes]:
    return {token(key, w) for w in normalized_words(body)}


def index_record(conn: Connection, sealer: Sealer, obj: Any) -> None:
    remove_record(conn, search.KIND_CODES[search.KIND_NAMES[type(obj)]], obj.id)
    rows = _rows_of(sealer, obj)
    if rows:
        conn.execute(insert(blind_index), rows)


def remove_record(conn: Connection, kind: int, entity_id: int) -> None:
    conn.execute(
        delete(blind_index).where(blind_index.c.kind == kind, blind_index.c.entity_id == entity_id)
    )


def remove_case(conn: Connection, case_id: int) -> None:
    conn.execute(delete(blind_index).where(blind_index.c.case_id == case_id))


@event.listens_for(SealedSession, "after_flush")
def _after_flush(session: Session, _context: Any) -> None:
    sealer = sealer_of(session)
    if sealer is None:
        return
    conn = session.connection()
    rows: list[dict[str, Any]] = []
    for obj in list(session.new) + list(session.dirty):
        if type(obj) in search.INDEXERS and obj.id is not None:
            if obj not in session.new:
                remove_record(conn, search.KIND_CODES[search.KIND_NAMES[type(obj)]], obj.id)
            rows.extend(_rows_of(sealer, obj))
    for obj in session.deleted:
        if type(obj) in search.INDEXERS and obj.id is not None:
            remove_record(conn, search.KIND_CODES[search.KIND_NAMES[type(obj)]], obj.id)
    if rows:
        conn.execute(insert(blind_index), rows)


def _rows_of(sealer: Sealer, obj: Any) -> list[dict[str, Any]]:
    kind_name = search.KIND_NAMES[type(obj)]
    case_id = obj.id if kind_name == "case_file" else obj.case_id
    kind = search.KIND_CODES[kind_name]
    found = tokens_of(sealer.blind_key, search.INDEXERS[type(obj)](obj))
    return [
        {"case_id": case_id, "kind": kind, "entity_id": obj.id, "token": t} for t in sorted(found)
    ]


class BlindSearch:
    """What ``store.search`` uses in place of FTS5 while a team server session is open."""

    def __init__(self, sealer: Sealer) -> None:
        self.sealer = sealer

    def case_ids_subquery(self, match_query: str) -> Any:
        words = [w for part in search.words_of_match(match_query) for w in normalized_words(part)]
        wanted = sorted({token(self.sealer.blind_key, w) for w in words[:MAX_QUERY_WORDS]})
        if not wanted:
            return select(blind_index.c.case_id).where(blind_index.c.case_id < 0)
        if len(wanted) == 1:  # one word: the index entries themselves (IN ignores repeats)
            return select(blind_index.c.case_id).where(blind_index.c.token == wanted[0])
        # every word: the cases in all of the words' sets
        per_word = [
            select(blind_index.c.case_id).where(blind_index.c.token == token) for token in wanted
        ]
        return intersect(*per_word)

    def remove_case(self, conn: Connection, case_id: int) -> None:
        remove_case(conn, case_id)
