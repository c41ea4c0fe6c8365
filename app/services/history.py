"""Revisions written by session hooks: every change of a record, in the write's transaction.

Services need no code of their own: a flush notes which records (or sub-records) changed,
and at commit each changed record gets one revision holding its full snapshot (columns and
sub-records) and the difference from its previous one. Sub-record changes bump the parent's
version and `updated_at`, so that its ETag changes too.
"""

import datetime as dt
import uuid
from typing import Any

from sqlalchemy import bindparam, event, insert, select, update
from sqlalchemy.orm import attributes
from sqlmodel import Session

from app.models import ChangeClock, Revision, Sluggable, Tombstone, utcnow
from app.services import bulk_insert, tombstones
from app.services.snapshots import (
    CHILDREN,
    GRANDCHILDREN,
    INCOMING,
    RESOURCES,
    Key,
    Snapshot,
    diff,
    encode,
    snapshot,
)


def mark(session: Session, resource: str, record_id: uuid.UUID, operation: str) -> None:
    """Note an operation the hooks cannot see for themselves (restore, merge, purge)."""
    session.info.setdefault("history", {})[(resource, record_id)] = operation
    session.info.setdefault("history_bumped", set()).add((resource, record_id))
    # A snapshot built by a writer holds only until the record is written again.
    session.info.get("history_written", {}).pop((resource, record_id), None)


def mark_created(session: Session, resource: str, record_id: uuid.UUID, current: Snapshot) -> None:
    """Note a record created by Core inserts, with the snapshot its writer built from the rows
    it wrote (`snapshots.from_rows`): its revision is written without reading it back."""
    mark(session, resource, record_id, "create")
    session.info.setdefault("history_written", {})[(resource, record_id)] = current


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
    if session.info.get("history_written"):
        # The ORM may be changing a record whose snapshot a writer built: read them all back.
        session.info["history_written"].clear()
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


_STATE = (
    "history",
    "history_bumped",
    "history_deleted",
    "history_merged",
    "history_notes",
    "history_written",
)


@event.listens_for(Session, "after_rollback")
def _forget(session: Session) -> None:
    for name in _STATE:
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
            # Through the driver: a bulk import writes thousands at one commit.
            bulk_insert.insert_rows(session, Revision.__tablename__, revisions)
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
    written: dict[Key, Snapshot] = info.get("history_written", {})
    current = written.get(key) if operation == "create" else None
    current = current or snapshot(session, *key)
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
