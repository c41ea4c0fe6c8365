"""The one lookup path of a record by id or slug, with the 404, 410 and 308 of absent ones."""

import uuid
from collections.abc import Callable
from typing import Any

from sqlmodel import Session, SQLModel

from app.read.columns import Db
from app.services import rows, tombstones

# Reads the records whose `column` ("id" or "slug") is one of the keys.
Reader = Callable[[Db, str, list[Any]], list[dict[str, Any]]]


def by_ref(ref: str | uuid.UUID) -> tuple[str, Any]:
    """The column a reference names a record by, and its key: a UUID is an id, else a slug."""
    ident = ref if isinstance(ref, uuid.UUID) else rows.as_uuid(ref)
    return ("id", ident) if ident is not None else ("slug", ref)


def find(db: Db, ref: str, read: Reader) -> dict[str, Any] | None:
    """The record `ref` names, read by `read`, or None."""
    column, key = by_ref(ref)
    found = read(db, column, [key])
    return found[0] if found else None


def one(session: Session, model: type[SQLModel], ref: str, read: Reader) -> dict[str, Any]:
    """The record `ref` names, read by `read`; else the error an absent record answers."""
    found = find(session, ref, read)
    if found is None:
        raise tombstones.absent(session, model, ref)
    return found
