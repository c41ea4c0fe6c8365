"""Reading history: a record's revisions, one revision, and the changes feed."""

import datetime as dt
import uuid

from sqlmodel import Session, col, select

from app.errors import BadRequest, Gone, NotFound
from app.models import Revision
from app.schemas.history import (
    Change,
    ChangesPage,
    ChangesQuery,
    RevisionDetail,
    RevisionPage,
    RevisionPublic,
    RevisionQuery,
)
from app.services import rows, snapshots, tombstones


def record_id(session: Session, resource: str, ref: str) -> uuid.UUID:
    """The id of a live, deleted or merged record by id or slug, or NotFound."""
    ident = rows.as_uuid(ref)
    found = rows.load(
        session, snapshots.RESOURCES[resource], "id" if ident else "slug", [ident or ref]
    )
    if found:
        live: uuid.UUID = found[0].id
        return live
    stone = tombstones.find(session, resource, ref)
    if stone is None:
        raise NotFound(f"no {resource} '{ref}'")
    return stone.record_id


def list_revisions(session: Session, resource: str, ref: str, query: RevisionQuery) -> RevisionPage:
    """A record's revisions in version order, one keyset page (the cursor is a version)."""
    ident = record_id(session, resource, ref)
    after = _number(query.cursor, "cursor")
    found = session.exec(
        select(Revision)
        .where(Revision.resource == resource, Revision.record_id == ident)
        .where(col(Revision.version) > after)
        .order_by(col(Revision.version))
        .limit(query.limit + 1)
    ).all()
    page = found[: query.limit]
    more = len(found) > query.limit
    return RevisionPage(
        items=[RevisionPublic(**_fields(r)) for r in page],
        next_cursor=str(page[-1].version) if more else None,
    )


def read_revision(session: Session, resource: str, ref: str, version: int) -> RevisionDetail:
    """One revision of a record, with the record as it stood after it."""
    ident = record_id(session, resource, ref)
    found = session.exec(
        select(Revision).where(
            Revision.resource == resource, Revision.record_id == ident, Revision.version == version
        )
    ).first()
    if found is None:
        raise NotFound(f"{resource} '{ref}' has no revision {version}")
    return RevisionDetail(**_fields(found), record=found.snapshot)


def read_changes(session: Session, query: ChangesQuery) -> ChangesPage:
    """Changes after `since` in commit order (seq), optionally of some resources only."""
    since = _number(query.since, "since")
    stmt = select(Revision).where(col(Revision.seq) > since)
    if query.type:
        stmt = stmt.where(col(Revision.resource).in_([t.value for t in query.type]))
    found = session.exec(stmt.order_by(col(Revision.seq)).limit(query.limit + 1)).all()
    page = found[: query.limit]
    return ChangesPage(
        items=[Change(**_fields(r), record=r.snapshot, seq=r.seq) for r in page],
        next_cursor=str(page[-1].seq if page else since),
        more=len(found) > query.limit,
    )


def _fields(revision: Revision) -> dict[str, object]:
    return {
        "resource": revision.resource,
        "id": revision.record_id,
        "version": revision.version,
        "operation": revision.operation,
        "recorded_at": revision.recorded_at,
        "key_id": revision.key_id,
        "changes": revision.changes,
    }


def _number(cursor: str | None, name: str) -> int:
    if cursor is None:
        return 0
    if not cursor.isdigit() or len(cursor) > 18:
        raise BadRequest(f"`{name}` must be a `next_cursor` from an earlier page")
    return int(cursor)


def is_live(session: Session, resource: str, ref: str) -> bool:
    """Whether a record with this id or slug exists (not deleted)."""
    ident = rows.as_uuid(ref)
    model = snapshots.RESOURCES[resource]
    return bool(rows.load(session, model, "id" if ident else "slug", [ident or ref]))


def latest(session: Session, resource: str, ident: uuid.UUID) -> RevisionDetail:
    """A record's newest revision."""
    found = session.exec(
        select(Revision)
        .where(Revision.resource == resource, Revision.record_id == ident)
        .order_by(col(Revision.version).desc())
    ).first()
    if found is None:
        raise NotFound(f"{resource} {ident} has no revisions")
    return RevisionDetail(**_fields(found), record=found.snapshot)


def as_of(session: Session, resource: str, ref: str, when: dt.datetime) -> RevisionDetail:
    """The revision in force at `when`: 404 if the record did not exist yet, 410 if deleted."""
    ident = record_id(session, resource, ref)
    found = session.exec(
        select(Revision)
        .where(Revision.resource == resource, Revision.record_id == ident)
        .where(col(Revision.recorded_at) <= when)
        .order_by(col(Revision.version).desc())
    ).first()
    if found is None:
        raise NotFound(f"{resource} '{ref}' has no revision at or before {when.isoformat()}")
    if found.operation in ("delete", "purge"):
        by = f"the key {found.key_id}" if found.key_id else "a write made without a key"
        raise Gone(f"{resource} '{ref}' was deleted at {found.recorded_at.isoformat()} by {by}")
    return RevisionDetail(**_fields(found), record=found.snapshot)
