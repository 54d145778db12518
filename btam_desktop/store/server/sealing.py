"""Client-side encryption of case content for the team server.

Every content column (names, contacts, narratives, quotes, notes, timeline text, answers, plan
text, attachments) is sealed with AES-256-GCM under a key derived from the team's data key
before it is sent, and opened after it is read. The associated data binds the team, the table,
the column and the row's id, so a sealed value moved to another row, column or team no longer
opens. Columns the server sorts and filters on (ids, status, dates, level, priority, owner,
site, setting) stay plain; ``SEALED_COLUMNS`` is the whole list of what is sealed.

It works underneath the services, on the ORM's flush and load events, so every service runs
unchanged: a row is sealed just before its INSERT or UPDATE and the object keeps its plain
values; a loaded row is opened as it arrives; column queries (``select(Case.title, ...)``) are
opened as their rows are read.
"""

from __future__ import annotations

import base64
import json
import os
import weakref
from dataclasses import dataclass, field
from typing import Any

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from sqlalchemy import event, inspect, text
from sqlalchemy.engine import Connection
from sqlalchemy.orm import Mapper, ORMExecuteState, Session, attributes
from sqlmodel import SQLModel

from btam_desktop.domain.models import (
    Assessment,
    Attachment,
    Case,
    CaseNote,
    CaseOrigin,
    ConcernReport,
    Disclosure,
    Draft,
    LevelDecision,
    ManagementPlan,
    MonitoringEntry,
    Person,
    PlanIntervention,
    TeamContact,
    TimelineEntry,
    WorkflowTransition,
)
from btam_desktop.store.errors import VaultDamagedError
from btam_desktop.store.search import IndexedSession

# table class -> its sealed columns. Everything else in the schema is plain on the server.
SEALED_COLUMNS: dict[type[SQLModel], tuple[str, ...]] = {
    Case: ("title", "closure_reason", "legal_hold_reason"),
    Person: ("full_name", "affiliation", "grade_or_position", "contact", "notes"),
    ConcernReport: ("narrative", "threat_quote", "emergency_called_by"),
    TimelineEntry: ("description", "obtained_how"),
    CaseNote: ("body",),
    Attachment: ("file_name", "description", "sha256", "data"),
    LevelDecision: ("rationale",),
    Disclosure: ("recipient_name", "information_disclosed", "purpose", "articulable_threat"),
    WorkflowTransition: ("reason", "details"),
    Assessment: (
        "answers",
        "participants",
        "suggestion",
        "decision_rationale",
        "amendment_reason",
    ),
    ManagementPlan: ("goals", "supervision", "safety_plan", "change_note"),
    PlanIntervention: ("title", "dropped_reason", "notes"),
    MonitoringEntry: ("observation",),
    Draft: ("payload",),
    CaseOrigin: ("source_team", "details"),
    # People outside the team a plan names (a coach, a parent): their names and how to reach
    # them can point at the subject.
    TeamContact: ("name", "role", "organization", "reach"),
}
# Columns holding JSON (dicts and lists): sealed as their JSON text.
JSON_COLUMNS: set[tuple[type[SQLModel], str]] = {
    (WorkflowTransition, "details"),
    (Assessment, "answers"),
    (Assessment, "participants"),
    (Draft, "payload"),
    (CaseOrigin, "details"),
}
BYTES_COLUMNS: set[tuple[type[SQLModel], str]] = {(Attachment, "data")}

TEXT_PREFIX = "btam1:"
BYTES_PREFIX = b"btam1\x00"
_NONCE = 12


def _table(cls: type[SQLModel]) -> str:
    return str(cls.__tablename__)


_SEALED_BY_TABLE: dict[str, frozenset[str]] = {
    _table(cls): frozenset(cols) for cls, cols in SEALED_COLUMNS.items()
}


def _subkey(data_key: bytes, purpose: str, team_id: str) -> bytes:
    info = f"btam-server|{purpose}|{team_id}".encode()
    return HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=info).derive(data_key)


@dataclass
class Sealer:
    """Seals and opens content values for one team with its current data key."""

    team_id: str
    content_key: bytes = field(repr=False)
    blind_key: bytes = field(repr=False)
    local_key: bytes = field(repr=False, default=b"")

    @classmethod
    def from_data_key(cls, data_key: bytes, team_id: str) -> Sealer:
        return cls(
            team_id=team_id,
            content_key=_subkey(data_key, "content", team_id),
            blind_key=_subkey(data_key, "blind-index", team_id),
            local_key=_subkey(data_key, "local-drafts", team_id),
        )

    def _aad(self, table: str, column: str, row: str) -> bytes:
        return f"btam-sealed|{self.team_id}|{table}|{column}|{row}".encode()

    def seal_bytes(self, table: str, column: str, row: str, plain: bytes) -> bytes:
        nonce = os.urandom(_NONCE)
        return nonce + AESGCM(self.content_key).encrypt(nonce, plain, self._aad(table, column, row))

    def open_bytes(self, table: str, column: str, row: str, sealed: bytes) -> bytes:
        try:
            return AESGCM(self.content_key).decrypt(
                sealed[:_NONCE], sealed[_NONCE:], self._aad(table, column, row)
            )
        except (InvalidTag, ValueError) as exc:
            raise VaultDamagedError(
                "a record on the team server does not open with the team's key (it was changed "
                "on the server, or moved between records)"
            ) from exc

    # ---- a column value <-> what the server stores ------------------------------------------
    def seal_value(self, cls: type[SQLModel], column: str, row: str, value: Any) -> Any:
        table = _table(cls)
        if (cls, column) in BYTES_COLUMNS:
            body = self.seal_bytes(table, column, row, bytes(value))
            return BYTES_PREFIX + row.encode() + b"\x00" + body
        if (cls, column) in JSON_COLUMNS:
            plain = json.dumps(value, sort_keys=True, ensure_ascii=False).encode()
        else:
            plain = ("" if value is None else str(value)).encode()
        sealed = self.seal_bytes(table, column, row, plain)
        return f"{TEXT_PREFIX}{row}:{base64.b64encode(sealed).decode('ascii')}"

    def open_value(
        self, table: str, column: str, stored: Any, expected_row: str | None = None
    ) -> Any:
        """The plain value of a stored sealed value. ``expected_row`` is checked when known."""
        if stored is None:
            return None
        if isinstance(stored, bytes | memoryview):
            raw = bytes(stored)
            if not raw.startswith(BYTES_PREFIX):
                raise _not_sealed()
            row_raw, _, body = raw[len(BYTES_PREFIX) :].partition(b"\x00")
            row = row_raw.decode("ascii", "replace")
            _check_row(row, expected_row)
            return self.open_bytes(table, column, row, body)
        if not isinstance(stored, str) or not stored.startswith(TEXT_PREFIX):
            raise _not_sealed()
        row, _, b64 = stored[len(TEXT_PREFIX) :].partition(":")
        _check_row(row, expected_row)
        plain = self.open_bytes(table, column, row, base64.b64decode(b64)).decode("utf-8")
        if (table, column) in _JSON_BY_TABLE:
            return json.loads(plain)
        return plain


_JSON_BY_TABLE = {(_table(cls), column) for cls, column in JSON_COLUMNS}


def _check_row(found: str, expected: str | None) -> None:
    if expected is not None and found != expected:
        raise VaultDamagedError(
            "a record on the team server holds content written for another record"
        )


def _not_sealed() -> VaultDamagedError:
    return VaultDamagedError("a record on the team server holds content that is not sealed")


class SealedSession(IndexedSession):
    """The team server's session: content is sealed on flush and opened on load."""


_SEALERS: weakref.WeakKeyDictionary[Session, Sealer] = weakref.WeakKeyDictionary()


def attach(session: Session, sealer: Sealer) -> None:
    _SEALERS[session] = sealer


def sealer_of(session: Session | None) -> Sealer | None:
    return _SEALERS.get(session) if session is not None else None


def _row_key(target: Any) -> str:
    identity = inspect(target).mapper.primary_key_from_instance(target)
    return "/".join(str(part) for part in identity)


def _assign_id(connection: Connection, target: Any) -> None:
    """Take the row's id from its sequence before the INSERT: the id is sealed into its
    content, so it must be known first."""
    mapper = inspect(target).mapper
    if len(mapper.primary_key) != 1 or mapper.primary_key[0].name != "id":
        return
    if getattr(target, "id", None) is not None:
        return
    table = mapper.local_table.name
    next_id = connection.execute(
        text("SELECT nextval(pg_get_serial_sequence(:table, 'id'))"), {"table": table}
    ).scalar_one()
    target.id = int(next_id)


def _seal_before_write(connection: Connection, target: Any, *, inserting: bool) -> None:
    sealer = sealer_of(attributes.instance_state(target).session)
    if sealer is None:
        return
    if inserting:
        _assign_id(connection, target)
    cls = type(target)
    row = _row_key(target)
    state = attributes.instance_state(target)
    plain: dict[str, Any] = {}
    for column in SEALED_COLUMNS[cls]:
        if column not in state.dict:
            continue
        if not inserting and not attributes.get_history(target, column).has_changes():
            continue
        value = state.dict[column]
        plain[column] = value
        attributes.set_attribute(target, column, sealer.seal_value(cls, column, row, value))
    state.info["btam_plain"] = plain


def _restore_after_write(target: Any) -> None:
    state = attributes.instance_state(target)
    plain = state.info.pop("btam_plain", None)
    for column, value in (plain or {}).items():
        attributes.set_committed_value(target, column, value)


def _open_loaded(target: Any, session: Session | None) -> None:
    sealer = sealer_of(session)
    if sealer is None:
        return
    state = attributes.instance_state(target)
    cls = type(target)
    table = _table(cls)
    row = _row_key(target)
    for column in SEALED_COLUMNS[cls]:
        if column in state.dict:
            value = sealer.open_value(table, column, state.dict[column], row)
            attributes.set_committed_value(target, column, value)


@event.listens_for(SealedSession, "before_flush")
def _assign_ids_in_bulk(session: Session, _context: Any, _instances: Any) -> None:
    """Take the ids of all new sealed rows of a flush from their sequences in one query per
    table (instead of one per row in ``_assign_id``)."""
    if sealer_of(session) is None:
        return
    waiting: dict[str, list[Any]] = {}
    for obj in session.new:
        mapper = inspect(obj).mapper
        if type(obj) not in SEALED_COLUMNS or len(mapper.primary_key) != 1:
            continue
        if mapper.primary_key[0].name == "id" and getattr(obj, "id", None) is None:
            waiting.setdefault(mapper.local_table.name, []).append(obj)
    conn = session.connection()
    for table, objects in waiting.items():
        ids = conn.execute(
            text(
                "SELECT nextval(pg_get_serial_sequence(:table, 'id')) FROM generate_series(1, :n)"
            ),
            {"table": table, "n": len(objects)},
        ).scalars()
        for obj, new_id in zip(objects, sorted(ids), strict=True):
            obj.id = int(new_id)


def _install_model_events(cls: type[SQLModel]) -> None:
    def before_insert(_mapper: Mapper[Any], connection: Connection, target: Any) -> None:
        _seal_before_write(connection, target, inserting=True)

    def before_update(_mapper: Mapper[Any], connection: Connection, target: Any) -> None:
        _seal_before_write(connection, target, inserting=False)

    def after_write(_mapper: Mapper[Any], _connection: Connection, target: Any) -> None:
        _restore_after_write(target)

    def on_load(target: Any, context: Any) -> None:
        _open_loaded(target, context.session)

    def on_refresh(target: Any, context: Any, _attrs: Any) -> None:
        _open_loaded(target, context.session)

    event.listen(cls, "before_insert", before_insert)
    event.listen(cls, "before_update", before_update)
    event.listen(cls, "after_insert", after_write)
    event.listen(cls, "after_update", after_write)
    event.listen(cls, "load", on_load)
    event.listen(cls, "refresh", on_refresh)


for _cls in SEALED_COLUMNS:
    _install_model_events(_cls)


def _sealed_column_of(description: dict[str, Any]) -> tuple[str, str] | None:
    expr = description.get("expr")
    if expr is None or isinstance(expr, type):
        return None
    element = getattr(expr, "expression", expr)
    element = getattr(element, "element", element)  # a label around a column
    table = getattr(getattr(element, "table", None), "name", None)
    name = getattr(element, "name", None)
    if isinstance(table, str) and isinstance(name, str) and name in _SEALED_BY_TABLE.get(table, ()):
        return table, name
    return None


@event.listens_for(SealedSession, "do_orm_execute")
def _open_column_rows(state: ORMExecuteState) -> Any:
    """Open sealed values that a query selects as columns rather than as whole records."""
    if not state.is_select:
        return None
    sealer = sealer_of(state.session)
    if sealer is None:
        return None
    try:
        descriptions = state.statement.column_descriptions  # type: ignore[attr-defined]
    except AttributeError:
        return None
    positions = [
        (index, found)
        for index, description in enumerate(descriptions)
        if (found := _sealed_column_of(description)) is not None
    ]
    if not positions:
        return None
    frozen = state.invoke_statement().freeze()
    rows = [list(row) for row in frozen._rewrite_rows()]
    for row in rows:
        for index, (table, column) in positions:
            row[index] = sealer.open_value(table, column, row[index])
    return frozen.with_new_rows(rows)()  # type: ignore[arg-type]


# ---- the tripwire: nothing unsealed reaches a sealed column, whatever path wrote it ------------


def _is_sealed(value: Any) -> bool:
    if value is None:
        return True
    if isinstance(value, bytes | memoryview):
        return bytes(value).startswith(BYTES_PREFIX)
    return isinstance(value, str) and value.startswith(TEXT_PREFIX)


class UnsealedWriteError(RuntimeError):
    """A write would have sent content to the team server unsealed: a bug, refused."""


def check_sealed_writes(engine: Any) -> None:
    """Refuse any INSERT or UPDATE of a sealed column with a value that is not sealed, however
    it was issued (the ORM, a bulk insert, a core statement on a connection)."""

    @event.listens_for(engine, "before_execute", retval=False)
    def _before_execute(
        _conn: Any, clause: Any, multiparams: Any, params: Any, _options: Any
    ) -> None:
        table = getattr(getattr(clause, "table", None), "name", None)
        if not isinstance(table, str) or table not in _SEALED_BY_TABLE:
            return
        if not (getattr(clause, "is_insert", False) or getattr(clause, "is_update", False)):
            return
        sealed = _SEALED_BY_TABLE[table]
        rows: list[Any] = []
        for group in (multiparams, params):
            if isinstance(group, dict):
                rows.append(group)
            elif isinstance(group, list | tuple):
                for item in group:
                    rows.extend(item if isinstance(item, list | tuple) else [item])
        inline = getattr(clause, "_values", None) or {}
        rows.append({getattr(k, "key", k): getattr(v, "value", v) for k, v in inline.items()})
        for row in rows:
            if not isinstance(row, dict):
                continue
            for column in sealed & set(row):
                if not _is_sealed(row[column]):
                    raise UnsealedWriteError(
                        f"refused to write {table}.{column} to the team server unsealed"
                    )
