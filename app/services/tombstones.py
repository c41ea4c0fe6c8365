"""What deleted and merged records leave behind: why an id or slug answers 410 or 308."""

import uuid

from sqlmodel import Session, SQLModel, col, select

from app.errors import AppError, Conflict, Gone, MovedPermanently, NotFound
from app.models import Tombstone


def find(session: Session, resource: str, ref: str | uuid.UUID) -> Tombstone | None:
    """The tombstone of a `resource` record by id or slug, if it was deleted or merged."""
    ident = ref if isinstance(ref, uuid.UUID) else _as_uuid(ref)
    condition = Tombstone.record_id == ident if ident else Tombstone.slug == ref
    stone = session.exec(select(Tombstone).where(condition)).first()
    return stone if stone is not None and stone.resource == resource else None


def absent(session: Session, model: type[SQLModel], ref: str | uuid.UUID) -> AppError:
    """The error for a record not found by `ref`: 308 if merged, 410 if deleted, else 404."""
    resource = str(model.__table__.name)  # type: ignore[attr-defined]
    label = resource.replace("_", " ")
    stone = find(session, resource, ref)
    if stone is None:
        return NotFound(f"no {label} '{ref}'")
    if stone.merged_into is not None:
        return MovedPermanently(
            f"{label} '{ref}' was merged into {stone.merged_into}", str(ref), stone.merged_into
        )
    by = f"the key {stone.deleted_by}" if stone.deleted_by else "a write made without a key"
    return Gone(
        f"{label} '{ref}' was deleted at {stone.deleted_at.isoformat()} by {by}"
        + ("; its content was purged" if stone.purged else "")
    )


def ensure_unburied(session: Session, record_id: uuid.UUID, slug: str) -> None:
    """Refuse a new record (or slug) that a deleted or merged record still holds."""
    taken = session.exec(
        select(Tombstone).where((Tombstone.slug == slug) | (Tombstone.record_id == record_id))
    ).first()
    if taken is not None:
        raise Conflict(
            f"the slug '{slug}' or the id belonged to a {taken.resource} that was deleted or "
            "merged; slugs and ids are never reused"
        )


def buried(
    session: Session, ids: set[uuid.UUID], slugs: set[str]
) -> tuple[set[uuid.UUID], set[str]]:
    """Which of these ids and slugs deleted or merged records still hold (one query)."""
    if not ids and not slugs:
        return set(), set()
    stones = session.exec(
        select(Tombstone).where(col(Tombstone.record_id).in_(ids) | col(Tombstone.slug).in_(slugs))
    ).all()
    return {s.record_id for s in stones}, {s.slug for s in stones}


def _as_uuid(ref: str) -> uuid.UUID | None:
    try:
        return uuid.UUID(ref)
    except ValueError:
        return None
