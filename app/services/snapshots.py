"""A record as stored, with every sub-record: what a revision keeps, and how two differ."""

import datetime as dt
import enum
import uuid
from collections.abc import Mapping, Sequence
from functools import cache
from typing import Any

from sqlalchemy import bindparam, select
from sqlmodel import Session, SQLModel

from app.models import (
    Appearance,
    Claim,
    ClaimRelation,
    ClaimSubject,
    Event,
    EventIdentifier,
    EventParticipant,
    EventRelation,
    EventSource,
    EventStatusChange,
    Participant,
    ParticipantIdentifier,
    Role,
    RoleTitleKey,
    Sluggable,
    Source,
)

RESOURCES: dict[str, type[Sluggable]] = {
    "event": Event,
    "participant": Participant,
    "claim": Claim,
    "source": Source,
}
# Each sub-record table: the resource it belongs to and the column naming its parent.
CHILDREN: dict[type[SQLModel], tuple[str, str]] = {
    EventParticipant: ("event", "event_id"),
    EventRelation: ("event", "event_id"),
    EventStatusChange: ("event", "event_id"),
    EventIdentifier: ("event", "event_id"),
    EventSource: ("event", "event_id"),
    Role: ("participant", "participant_id"),
    ParticipantIdentifier: ("participant", "participant_id"),
    ClaimSubject: ("claim", "claim_id"),
    Appearance: ("claim", "claim_id"),
    ClaimRelation: ("claim", "claim_id"),
}
# Sub-records of a sub-record: the sub-record table and the column naming that sub-record.
GRANDCHILDREN: dict[type[SQLModel], tuple[type[SQLModel], str]] = {
    RoleTitleKey: (Role, "role_id"),
}
# Relations, seen from the record they point at: its `incoming_relations`.
INCOMING: dict[type[SQLModel], tuple[str, str]] = {
    EventRelation: ("event", "related_event_id"),
    ClaimRelation: ("claim", "related_claim_id"),
}
# Copies of the parent's sort keys kept by triggers: derived, so not history.
DERIVED = frozenset(
    {"event_created_at", "event_start_sort", "claim_created_at", "claim_stated_sort"}
)
# Bookkeeping a write always changes; left out of `changes`.
_META = frozenset({"version", "updated_at", "updated_by"})
Key = tuple[str, uuid.UUID]
Snapshot = dict[str, Any]


def encode(value: Any) -> Any:
    """A column value as JSON: ids and times as strings."""
    if isinstance(value, uuid.UUID):
        return str(value)
    if isinstance(value, dt.datetime | dt.date):
        return value.isoformat()
    if isinstance(value, enum.Enum):
        # Enums are stored as their values: what a read of the row gives back.
        return value.value
    return value


def _row_json(mapping: Any) -> dict[str, Any]:
    return {k: encode(v) for k, v in mapping.items() if k not in DERIVED}


def _pk(table: Any, row: Any) -> str:
    return "|".join([str(row[name]) for name in _pk_columns(table)])


@cache
def _pk_columns(table: Any) -> tuple[str, ...]:
    return tuple(c.name for c in table.primary_key.columns)


def incoming_name(table: str) -> str:
    """Where a snapshot keeps the rows of `table` that point at the record (not from it)."""
    return f"{table}.incoming"


@cache
def _snapshot_reads(resource: str) -> tuple[Any, tuple[tuple[str, Any, Any], ...]]:
    """The statements reading a record's row and each table of its sub-records, built once:
    a write reads them for every record it changes."""
    table = RESOURCES[resource].__table__  # type: ignore[attr-defined]
    record_id = bindparam("record_id", type_=table.c.id.type)
    reads: list[tuple[str, Any, Any]] = []
    for model, (parent, column) in CHILDREN.items():
        if parent == resource:
            child = model.__table__  # type: ignore[attr-defined]
            reads.append((child.name, child, select(child).where(child.c[column] == record_id)))
    # After their own parents' rows: a restore inserts the tables in this order.
    for model, (middle, column) in GRANDCHILDREN.items():
        if CHILDREN[middle][0] == resource:
            child, owner = model.__table__, middle.__table__  # type: ignore[attr-defined]
            owned = select(owner.c.id).where(owner.c[CHILDREN[middle][1]] == record_id)
            reads.append((child.name, child, select(child).where(child.c[column].in_(owned))))
    for model, (parent, column) in INCOMING.items():
        if parent == resource:
            child = model.__table__  # type: ignore[attr-defined]
            read = select(child).where(child.c[column] == record_id)
            reads.append((incoming_name(child.name), child, read))
    return select(table).where(table.c.id == record_id), tuple(reads)


def snapshot(session: Session, resource: str, record_id: uuid.UUID) -> Snapshot | None:
    """A record as stored now: its columns and every sub-record, keyed by primary key."""
    record, reads = _snapshot_reads(resource)
    # Core on the session's connection: the ORM's statement handling is not needed here.
    connection, params = session.connection(), {"record_id": record_id}
    found = connection.execute(record, params).mappings().first()
    if found is None:
        return None
    children = {
        name: {_pk(child, r): _row_json(r) for r in connection.execute(read, params).mappings()}
        for name, child, read in reads
    }
    return {"fields": _row_json(found), "children": children}


_AS_IS = frozenset({str, int, float, bool, type(None), list})
_ENCODERS: dict[type, Any] = {
    uuid.UUID: str,
    dt.datetime: dt.datetime.isoformat,
    dt.date: dt.date.isoformat,
}


@cache
def _kept_columns(table: Any) -> tuple[str, ...]:
    return tuple(c.name for c in table.columns if c.name not in DERIVED)


def _written_json(table: Any, row: Mapping[str, Any]) -> dict[str, Any]:
    """A row as written, in the form (and column order) `_row_json` gives it once read back."""
    found = {}
    for name in _kept_columns(table):
        value = row[name]
        kind = type(value)
        # Most values are JSON already; ids and times by their type's method, enums by `encode`.
        found[name] = value if kind in _AS_IS else _ENCODERS.get(kind, encode)(value)
    return found


def from_rows(resource: str, rows: Mapping[str, Sequence[Mapping[str, Any]]]) -> Snapshot:
    """A new record's snapshot from the rows its writer stored, equal to what `snapshot` reads.

    `rows` holds the record's own row under `resource` and its sub-records' rows by table name
    (incoming relations under `incoming_name(table)`), every column but the derived ones set.
    """
    _, reads = _snapshot_reads(resource)
    table = RESOURCES[resource].__table__  # type: ignore[attr-defined]
    children = {}
    for name, child, _ in reads:
        written = [_written_json(child, r) for r in rows.get(name, ())]
        # Keyed by the JSON form: the same text as the row's (ids are already strings).
        children[name] = {_pk(child, w): w for w in written}
    return {"fields": _written_json(table, rows[resource][0]), "children": children}


def diff(before: Snapshot | None, after: Snapshot | None) -> dict[str, Any]:
    """What changed between two snapshots: fields as [before, after], sub-records by key."""
    old_fields = (before or {}).get("fields", {})
    new_fields = (after or {}).get("fields", {})
    if old_fields:
        fields = {
            name: [old_fields.get(name), new_fields.get(name)]
            for name in sorted(old_fields.keys() | new_fields.keys())
            if name not in _META and old_fields.get(name) != new_fields.get(name)
        }
    else:
        # A new record (every revision of a bulk import): what is set, without lookups.
        fields = {
            name: [None, value]
            for name, value in sorted(new_fields.items())
            if value is not None and name not in _META
        }
    changes: dict[str, Any] = {"fields": fields} if fields else {}
    old_children = (before or {}).get("children", {})
    for name, rows in (after or {}).get("children", {}).items():
        old = old_children.get(name, {})
        if old:
            moved = {
                key: [old.get(key), rows.get(key)]
                for key in sorted(old.keys() | rows.keys())
                if old.get(key) != rows.get(key)
            }
        else:
            moved = {key: [None, rows[key]] for key in sorted(rows)}
        if moved:
            changes[name] = moved
    return changes
