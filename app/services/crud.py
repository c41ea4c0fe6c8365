"""Small typed helpers the resource services share: lookups, dates, paging, commits."""

import datetime as dt
import uuid
from collections.abc import Callable, Sequence
from typing import Any, TypeVar

from sqlalchemy.exc import DBAPIError, IntegrityError
from sqlalchemy.orm import object_session
from sqlalchemy.orm.exc import StaleDataError
from sqlmodel import Session, SQLModel, func, select
from sqlmodel.sql.expression import SelectOfScalar

from app.dates import UNDATED, parse_date, sort_key
from app.errors import Conflict, OutcomeUnknown, PreconditionFailed, invalid
from app.etags import etag, matches
from app.models import Record, utcnow
from app.schemas.common import ShapeQuery
from app.services import paging, rows, tombstones

M = TypeVar("M", bound=SQLModel)


SelectOf = SelectOfScalar
T = TypeVar("T")
# A page of public records, its next cursor, and the count of all when asked for.
Listed = tuple[list[T], str | None, int | None]


def columns_of(row: SQLModel) -> dict[str, Any]:
    """A row's column values by name, as stored (no serialisation)."""
    return {column.key: getattr(row, column.key) for column in row.__table__.columns}  # type: ignore[attr-defined]


def _lookup(session: Session, model: type[M], ref: str | uuid.UUID) -> M | None:
    ident = ref if isinstance(ref, uuid.UUID) else rows.as_uuid(ref)
    if ident is not None:
        return session.get(model, ident)
    if not hasattr(model, "slug"):
        return None
    return session.exec(select(model).where(model.slug == ref)).first()  # type: ignore[attr-defined]


def get_or_404(session: Session, model: type[M], ref: str | uuid.UUID) -> M:
    """Load a record by UUID or slug, or raise NotFound."""
    found = _lookup(session, model, ref)
    if found is None:
        raise tombstones.absent(session, model, ref)
    return found


def resolve_ref(
    session: Session, model: type[M], ref: str | uuid.UUID, loc: Sequence[str | int]
) -> M:
    """Load a record a request body refers to, or raise a 422 naming the field."""
    found = _lookup(session, model, ref)
    if found is None:
        raise invalid(loc, f"no {rows.label(model)} '{ref}'")
    return found


def resolve_ids(
    session: Session, model: type[M], refs: Sequence[str], loc: Sequence[str | int]
) -> tuple[uuid.UUID, ...]:
    """The ids of the records `refs` name (UUIDs or slugs), read through the driver in a
    lookup by id and one by slug; a 422 at `loc` and the index naming the first unknown one.

    For filters, which need only ids: `resolve_ref` builds each record through the ORM.
    """
    idents = [rows.as_uuid(ref) for ref in refs]
    known = {r.id for r in rows.load(session, model, "id", [i for i in idents if i])}  # type: ignore[attr-defined]
    slugs = [ref for ref, ident in zip(refs, idents, strict=True) if ident is None]
    named = (
        {r.slug: r.id for r in rows.load(session, model, "slug", slugs)}  # type: ignore[attr-defined]
        if slugs and hasattr(model, "slug")
        else {}
    )
    found = []
    for index, (ref, ident) in enumerate(zip(refs, idents, strict=True)):
        key = ident if ident in known else named.get(ref)
        if key is None:
            raise invalid((*loc, index), f"no {rows.label(model)} '{ref}'")
        found.append(key)
    return tuple(found)


def set_date(row: SQLModel, name: str, edtf: str | None) -> None:
    """Store an EDTF string in the four columns `<name>_edtf/_precision/_earliest/_latest`."""
    parsed = parse_date(edtf) if edtf is not None else None
    setattr(row, f"{name}_edtf", parsed.edtf if parsed else None)
    setattr(row, f"{name}_precision", parsed.precision if parsed else None)
    setattr(row, f"{name}_earliest", parsed.earliest if parsed else None)
    setattr(row, f"{name}_latest", parsed.latest if parsed else None)
    if hasattr(row, f"{name}_sort"):
        setattr(
            row, f"{name}_sort", sort_key(parsed.earliest, parsed.latest) if parsed else UNDATED
        )


def check_order(start: dt.date | None, end: dt.date | None, loc: Sequence[str | int]) -> None:
    """Raise a 422 on `loc` when a period ends before it can have started."""
    if start is not None and end is not None and end < start:
        raise invalid(loc, "ends before its start")


def reject_nulls(data: dict[str, Any], required: Sequence[str]) -> None:
    """A PATCH may not set a required field to null."""
    for name in required:
        if name in data and data[name] is None:
            raise invalid(("body", name), "may not be null")


def counter(session: Session) -> Callable[[type[SQLModel], Any], int]:
    """A function counting the rows of a table that match a condition."""

    def count(model: type[SQLModel], condition: Any) -> int:
        return int(session.exec(select(func.count()).select_from(model).where(condition)).one())

    return count


def check_if_match(row: Record, if_match: str | None) -> None:
    """Lock `row` for this write at its current version; refuse it if If-Match names another."""
    session = object_session(row)
    if session is not None:
        # Concurrent writers queue here (PostgreSQL: FOR UPDATE; SQLite: the write transaction
        # holds the database from its BEGIN) and each reads the version the previous one
        # committed, so without If-Match the last writer wins instead of failing as stale.
        session.refresh(row, with_for_update=True)
    if if_match is None:
        return
    current = etag(row.id, row.version)
    if not matches(if_match, current, weak=False):
        raise PreconditionFailed(
            f"the {rows.label(type(row))} has changed since it was read "
            f"(its ETag is now {current}); read it again and reapply the change"
        )


def touch(row: Record) -> None:
    """Mark a record as changed by this write."""
    row.updated_at = utcnow()
    row.version += 1


def commit(session: Session, what: str) -> None:
    """Commit, turning a uniqueness or reference failure into a 409 about `what`."""
    flush(session, what)
    try:
        session.commit()
    except IntegrityError as exc:
        session.rollback()
        raise _conflict(exc, what) from exc
    except StaleDataError as exc:
        session.rollback()
        raise _changed_meanwhile(what) from exc
    except DBAPIError as exc:
        if session.info.get("held"):
            # Only a savepoint: the real commit, and its outcome, belong to the caller.
            raise
        # Everything was flushed: this is the COMMIT itself, which may have landed.
        raise OutcomeUnknown(OutcomeUnknown.unkeyed_detail) from exc


def flush(session: Session, what: str) -> None:
    """Flush so that later rows can refer to new ones, with the same 409s as `commit`."""
    try:
        session.flush()
    except IntegrityError as exc:
        session.rollback()
        raise _conflict(exc, what) from exc
    except StaleDataError as exc:
        session.rollback()
        raise _changed_meanwhile(what) from exc


def _changed_meanwhile(what: str) -> PreconditionFailed:
    return PreconditionFailed(
        f"{what} was changed by another write while this one was in progress; "
        "read it again and reapply the change"
    )


def _conflict(exc: IntegrityError, what: str) -> Conflict:
    message = str(exc.orig).lower()
    if "unique" in message or "duplicate" in message:
        return Conflict(f"{what} conflicts with an existing record (a unique field is taken)")
    return Conflict(f"{what} refers to a record that does not exist or is still referenced")


def ensure_unreferenced(refs: Sequence[tuple[str, int]], what: str) -> None:
    """Raise a 409 naming what still refers to a record about to be deleted."""
    held = [f"{count} {name}" for name, count in refs if count]
    if held:
        raise Conflict(f"{what} is still referenced by " + ", ".join(held) + "; delete those first")


# Records in the order they were added: stable while others are inserted.
RECORDED = paging.Sort((paging.Key("created_at", "datetime"), paging.Key("id", "uuid")))
query_scope = paging.scope_of


def paginate(
    session: Session, stmt: SelectOfScalar[M], model: type[M], query: ShapeQuery, scope: str
) -> tuple[list[M], str | None, int | None]:
    """One keyset page in the order records were added, and how many match if asked."""
    found, next_cursor = paging.keyset_page(
        session, stmt, model, RECORDED, limit=query.limit, cursor=query.cursor, scope=scope
    )
    return found, next_cursor, paging.count(session, stmt) if query.include_total else None
