"""Bringing deleted records back, and purging what a deleted record held."""

import datetime as dt
import uuid
from typing import Any

from sqlalchemy import insert, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.types import TypeDecorator
from sqlmodel import Session, col, select

from app.errors import Conflict
from app.models import Revision, metadata, utcnow
from app.services import crud, history, snapshots, tombstones


def restore(session: Session, resource: str, ref: str) -> uuid.UUID:
    """Put a deleted record back as it was deleted, sub-records included; a new version."""
    stone = _stone(session, resource, ref)
    if stone.purged or stone.merged_into is not None:
        why = "its content was purged" if stone.purged else "it was merged into another"
        raise Conflict(f"{resource} '{ref}' cannot be restored: {why}")
    deleted = session.exec(
        select(Revision)
        .where(Revision.resource == resource, Revision.record_id == stone.record_id)
        .order_by(col(Revision.version).desc())
    ).first()
    if deleted is None or deleted.snapshot is None:
        raise Conflict(f"{resource} '{ref}' has no stored content to restore")
    fields = dict(deleted.snapshot["fields"])
    fields.update(
        version=deleted.version + 1,
        updated_at=utcnow().isoformat(),
        updated_by=snapshots.encode(session.info.get("actor")),
    )
    session.delete(stone)
    crud.flush(session, f"{resource} '{ref}'")
    try:
        _put_back(session, resource, fields, deleted.snapshot["children"])
    except IntegrityError as exc:
        session.rollback()
        raise Conflict(
            f"{resource} '{ref}' cannot be restored: a record it refers to (a source it "
            "cites, a participant, an event) was deleted or its identifiers were taken since"
        ) from exc
    history.mark(session, resource, stone.record_id, "restore")
    crud.commit(session, f"{resource} '{ref}'")
    ident: uuid.UUID = stone.record_id
    return ident


def _put_back(
    session: Session, resource: str, fields: dict[str, Any], children: dict[str, Any]
) -> None:
    session.execute(insert(metadata.tables[resource]).values(_decode(resource, fields)))
    # Parents before their own sub-records (a role before its title keys).
    for table in metadata.sorted_tables:
        # Incoming relations (`<table>.incoming`) were none: they forbid the delete.
        if rows := children.get(table.name):
            session.execute(insert(table), [_decode(table.name, r) for r in rows.values()])


def purge(session: Session, resource: str, ref: str) -> None:
    """Erase a deleted record's content from its revisions; its tombstone keeps id and slug."""
    stone = _stone(session, resource, ref)
    if stone.purged:
        return
    stone.purged = True
    session.add(stone)
    session.execute(
        update(Revision)
        .where(col(Revision.record_id) == stone.record_id)
        .values(changes=None, snapshot=None)
    )
    history.mark(session, resource, stone.record_id, "purge")
    crud.commit(session, f"{resource} '{ref}'")


def _stone(session: Session, resource: str, ref: str) -> Any:
    stone = tombstones.find(session, resource, ref)
    if stone is not None:
        return stone
    crud.get_or_404(session, snapshots.RESOURCES[resource], ref)
    raise Conflict(f"{resource} '{ref}' is not deleted")


def _decode(table_name: str, values: dict[str, Any]) -> dict[str, Any]:
    """JSON values back to column values, by each column's Python type."""
    table = metadata.tables[table_name]
    decoded: dict[str, Any] = {}
    for column in table.columns:
        if column.name not in values:
            continue
        value = values[column.name]
        # A decorated type (UTCDateTime) names its Python type through the type it wraps.
        stored = (
            column.type.impl_instance if isinstance(column.type, TypeDecorator) else column.type
        )
        try:
            kind = stored.python_type
        except NotImplementedError:
            kind = object
        if value is not None and kind is uuid.UUID:
            value = uuid.UUID(value)
        elif value is not None and kind is dt.datetime:
            value = dt.datetime.fromisoformat(value)
        elif value is not None and kind is dt.date:
            value = dt.date.fromisoformat(value)
        decoded[column.name] = value
    return decoded
