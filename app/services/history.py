"""Revisions written by session hooks: every change of a record, in the write's transaction.

Services need no code of their own: a flush notes which records (or sub-records) changed,
and at commit each changed record gets one revision holding its full snapshot (columns and
sub-records) and the difference from its previous one. Sub-record changes bump the parent's
version and `updated_at`, so that its ETag changes too.
"""

import datetime as dt
import uuid
from functools import cache
from typing import Any

from sqlalchemy import bindparam, event, insert, select, update
from sqlalchemy.orm import attributes
from sqlmodel import Session, SQLModel

from app.models import (
    Appearance,
    ChangeClock,
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
    Revision,
    Role,
    RoleTitleKey,
    Sluggable,
    Source,
    Tombstone,
    utcnow,
)
from app.services import tombstones

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
    return value


def _row_json(mapping: Any) -> dict[str, Any]:
    return {k: encode(v) for k, v in mapping.items() if k not in DERIVED}


def _pk(table: Any, row: Any) -> str:
    return "|".join(str(row[c.name]) for c in table.primary_key.columns)


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
            reads.append((f"{child.name}.incoming", child, read))
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


def diff(before: Snapshot | None, after: Snapshot | None) -> dict[str, Any]:
    """What changed between two snapshots: fields as [before, after], sub-records by key."""
    old_fields = (before or {}).get("fields", {})
    new_fields = (after or {}).get("fields", {})
    fields = {
        name: [old_fields.get(name), new_fields.get(name)]
        for name in sorted(old_fields.keys() | new_fields.keys())
        if name not in _META and old_fields.get(name) != new_fields.get(name)
    }
    changes: dict[str, Any] = {"fields": fields} if fields else {}
    old_children = (before or {}).get("children", {})
    for name, rows in (after or {}).get("children", {}).items():
        old = old_children.get(name, {})
        moved = {
            key: [old.get(key), rows.get(key)]
            for key in sorted(old.keys() | rows.keys())
            if old.get(key) != rows.get(key)
        }
        if moved:
            changes[name] = moved
    return changes


def mark(session: Session, resource: str, record_id: uuid.UUID, operation: str) -> None:
    """Note an operation the hooks cannot see for themselves (restore, merge, purge)."""
    session.info.setdefault("history", {})[(resource, record_id)] = operation
    session.info.setdefault("history_bumped", set()).add((resource, record_id))


def note_merge(session: Session, resource: str, merged: uuid.UUID, survivor: uuid.UUID) -> None:
    """Record that `merged` was merged into `survivor`: both revisions say so, and the merged
    record's tombstone redirects to the survivor."""
    session.info.setdefault("history_merged", {})[(resource, merged)] = survivor
    mark(session, resource, survivor, "merge")
    notes = session.info.setdefault("history_notes", {})
    notes[(resource, survivor)] = {"merged_from": str(merged)}
    notes[(resource, merged)] = {"merged_into": str(survivor)}


def _key_of(session: Session, row: object) -> Key | None:
    if isinstance(row, Sluggable):
        return (row.__tablename__, row.id)  # type: ignore[return-value]
    if (through := GRANDCHILDREN.get(type(row))) is not None:  # type: ignore[arg-type]
        with session.no_autoflush:
            row = session.get(through[0], getattr(row, through[1]))
        if row is None:
            return None
    link = CHILDREN.get(type(row))  # type: ignore[arg-type]
    if link is None:
        return None
    parent_id = getattr(row, link[1])
    return (link[0], parent_id) if parent_id is not None else None


@event.listens_for(Session, "before_flush")
def _collect(session: Session, _context: Any, _instances: Any) -> None:
    """Note each record this flush changes, and snapshot those it deletes before they go."""
    if session.info.get("history_writing"):
        return
    touched: dict[Key, str] = session.info.setdefault("history", {})
    bumped: set[Key] = session.info.setdefault("history_bumped", set())
    for row in session.new:
        if isinstance(row, Sluggable):
            tombstones.ensure_unburied(session, row.id, row.slug)
        if (key := _key_of(session, row)) is not None:
            touched.setdefault(key, "create" if isinstance(row, Sluggable) else "update")
            if isinstance(row, Sluggable):
                bumped.add(key)
    for row in session.dirty:
        if isinstance(row, Sluggable) and attributes.get_history(row, "slug").added:
            tombstones.ensure_unburied(session, uuid.uuid4(), row.slug)
        if (key := _key_of(session, row)) is not None and session.is_modified(row):
            touched.setdefault(key, "update")
            if isinstance(row, Sluggable) and attributes.get_history(row, "version").added:
                bumped.add(key)
    for row in session.deleted:
        if (key := _key_of(session, row)) is None:
            continue
        if isinstance(row, Sluggable):
            # The database cascades the sub-records away at this flush: keep them now.
            session.info.setdefault("history_deleted", {})[key] = snapshot(session, *key)
            touched[key] = "delete"
        else:
            touched.setdefault(key, "update")


@event.listens_for(Session, "after_rollback")
def _forget(session: Session) -> None:
    for name in ("history", "history_bumped", "history_deleted", "history_merged", "history_notes"):
        session.info.pop(name, None)


@event.listens_for(Session, "before_commit")
def _write(session: Session) -> None:
    """Write the revisions of this transaction, numbered in commit order."""
    if session.info.get("history_writing"):
        return
    # Commit flushes after this hook; flush first so that this commit's changes are noted.
    session.flush()
    if not session.info.get("history"):
        return
    session.info["history_writing"] = True
    try:
        revisions = _revisions(session)
        session.flush()
        if revisions:
            _number(session, revisions)
            session.connection().execute(insert(Revision.__table__), revisions)  # type: ignore[attr-defined]
    finally:
        _forget(session)
        session.info.pop("history_writing", None)


_CLOCK = ChangeClock.__table__  # type: ignore[attr-defined]
_TAKE = (
    update(_CLOCK)
    .where(_CLOCK.c.id == 1)
    .values(last=_CLOCK.c.last + bindparam("taken"))
    .returning(_CLOCK.c.last)
)


def _number(session: Session, revisions: list[dict[str, Any]]) -> None:
    # The clock's row stays locked until this transaction ends, so a transaction that numbers
    # after this one also commits after it: a reader never sees a number before a smaller one.
    last = session.connection().execute(_TAKE, {"taken": len(revisions)}).scalar_one()
    for offset, revision in enumerate(revisions):
        revision["seq"] = last - len(revisions) + 1 + offset


def _revisions(session: Session) -> list[dict[str, Any]]:
    touched: dict[Key, str] = dict(session.info.get("history", {}))
    found: list[dict[str, Any]] = []
    queue = sorted(touched, key=str)
    while queue:
        key = queue.pop(0)
        entry = _revision(session, key, touched[key])
        if entry is None:
            continue
        found.append(entry)
        # A relation added or removed here changes the other record's incoming relations.
        for other in _pointed_at(entry["changes"]):
            if other not in touched:
                touched[other] = "update"
                queue.append(other)
    return found


def _revision(session: Session, key: Key, operation: str) -> dict[str, Any] | None:
    """The revision of one touched record, or None if nothing of it changed."""
    info = session.info
    notes: dict[str, Any] = info.get("history_notes", {}).get(key, {})
    merged: dict[Key, uuid.UUID] = info.get("history_merged", {})
    now, actor = utcnow(), info.get("actor")
    # A record created here has no revision yet (ids and slugs are never reused).
    previous = None if operation == "create" else _latest(session, key)
    if operation in ("delete", "purge"):
        before = info.get("history_deleted", {}).get(key) or (previous[1] if previous else None)
        version = max(previous[0] if previous else 0, _version(before)) + 1
        if operation == "delete":
            _bury(session, key, before, now, actor, merged.get(key))
            operation = "merge" if key in merged else operation
        return _entry(key, version, now, actor, operation, diff(before, None) | notes, before)
    current = snapshot(session, *key)
    if current is None:
        return None
    changes = diff(previous[1] if previous else None, current) | notes
    if operation == "update" and not changes:
        return None
    if key not in info.get("history_bumped", set()):
        _bump(session, key, current, now, actor)
    version = current["fields"]["version"]
    return _entry(key, version, now, actor, operation, changes, current)


def _pointed_at(changes: dict[str, Any]) -> set[Key]:
    found: set[Key] = set()
    for model, (resource, column) in INCOMING.items():
        for pair in changes.get(str(model.__tablename__), {}).values():
            found |= {(resource, uuid.UUID(row[column])) for row in pair if row}
    return found


def _version(record: Snapshot | None) -> int:
    return int(record["fields"]["version"]) if record else 0


def _entry(
    key: Key,
    version: int,
    now: dt.datetime,
    actor: uuid.UUID | None,
    operation: str,
    changes: dict[str, Any],
    record: Snapshot | None,
) -> dict[str, Any]:
    return {
        "resource": key[0],
        "record_id": key[1],
        "version": version,
        "recorded_at": now,
        "key_id": actor,
        "operation": operation,
        "changes": changes,
        "snapshot": record,
    }


_LATEST = (
    select(Revision.version, Revision.snapshot)  # type: ignore[call-overload]
    .where(Revision.resource == bindparam("resource"), Revision.record_id == bindparam("id"))
    .order_by(Revision.version.desc())  # type: ignore[attr-defined]
    .limit(1)
)


def _latest(session: Session, key: Key) -> tuple[int, Snapshot | None] | None:
    params = {"resource": key[0], "id": key[1]}
    found = session.connection().execute(_LATEST, params).first()
    return (found[0], found[1]) if found is not None else None


def _bump(
    session: Session, key: Key, current: Snapshot, now: dt.datetime, actor: uuid.UUID | None
) -> None:
    """A sub-record changed: the parent gets a new version and `updated_at` (its ETag moves)."""
    row = session.get(RESOURCES[key[0]], key[1])
    if row is None:
        return
    row.version += 1
    row.updated_at = now
    if actor is not None:
        row.updated_by = actor
    current["fields"].update(
        version=row.version, updated_at=encode(now), updated_by=encode(row.updated_by)
    )


def _bury(
    session: Session,
    key: Key,
    before: Snapshot | None,
    now: dt.datetime,
    actor: uuid.UUID | None,
    survivor: uuid.UUID | None,
) -> None:
    slug = before["fields"]["slug"] if before else str(key[1])
    session.execute(
        insert(Tombstone).values(
            record_id=key[1],
            resource=key[0],
            slug=slug,
            deleted_at=now,
            deleted_by=actor,
            purged=False,
            merged_into=survivor,
        )
    )
