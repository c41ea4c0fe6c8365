"""Records read through the database driver directly, decoded as the ORM decodes them.

The hot reads (an event with its participants, a page of events) are a handful of key
lookups, and a lookup through the ORM costs several times the driver's own time on this
stack (bench/RESULTS.md). These lookups go to the driver with statements compiled once per
shape, and each value is decoded by its column's SQLAlchemy type, so that the records are
the same the ORM would give and the public shaping code is shared by both paths. The
records are detached: read them, never write them.
"""

import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import Any, TypeVar

from sqlalchemy import Connection, Dialect, inspect
from sqlalchemy.orm import configure_mappers
from sqlmodel import Session, SQLModel

from app.services import tombstones

M = TypeVar("M", bound=SQLModel)
Decoder = Callable[[Any], Any] | None


@dataclass
class _Plan:
    """One lookup's SQL for one dialect, and how to encode its keys and decode its rows."""

    sql: str
    encode: Decoder
    names: tuple[str, ...]
    types: tuple[Any, ...]
    dialect: Dialect
    decoders: tuple[Decoder, ...] | None = None

    def decoders_for(self, description: Sequence[Sequence[Any]]) -> tuple[Decoder, ...]:
        """Each column's decoder; some types pick theirs by the driver's type code."""
        if self.decoders is None:
            self.decoders = tuple(
                kind._cached_result_processor(self.dialect, column[1])
                for kind, column in zip(self.types, description, strict=True)
            )
        return self.decoders


@lru_cache(maxsize=512)
def _plan(
    model: type[SQLModel], dialect: Dialect, column: str, count: int, order_by: tuple[str, ...]
) -> _Plan:
    # Instances made before the mappers are configured would lack their attributes.
    configure_mappers()
    table = model.__table__  # type: ignore[attr-defined]
    columns = list(table.columns)
    marker = "?" if dialect.paramstyle == "qmark" else "%s"
    sql = (
        f"SELECT {', '.join(c.name for c in columns)} FROM {table.name} "
        f"WHERE {column} IN ({', '.join([marker] * count)})"
    )
    if order_by:
        sql += f" ORDER BY {', '.join(order_by)}"
    key_type = table.c[column].type
    return _Plan(
        sql=sql,
        encode=key_type._cached_bind_processor(dialect),
        names=tuple(c.key for c in columns),
        types=tuple(c.type for c in columns),
        dialect=dialect,
    )


def load(
    session: Session,
    model: type[M],
    column: str,
    keys: Sequence[Any],
    order_by: tuple[str, ...] = (),
) -> list[M]:
    """Records of `model` whose `column` is one of `keys`, in `order_by` order."""
    if not keys:
        return []
    connection = _flushed(session)
    plan = _plan(model, connection.dialect, column, len(keys), order_by)
    encode = plan.encode
    params = [encode(k) for k in keys] if encode else list(keys)
    cursor = connection.connection.dbapi_connection.cursor()  # type: ignore[union-attr]
    try:
        cursor.execute(plan.sql, params)
        fetched = cursor.fetchall()
        decoders = plan.decoders_for(cursor.description)
    finally:
        cursor.close()
    manager = inspect(model).class_manager
    records = []
    for row in fetched:
        record = manager.new_instance()
        values = record.__dict__
        for name, decode, value in zip(plan.names, decoders, row, strict=True):
            values[name] = decode(value) if decode is not None and value is not None else value
        records.append(record)
    return records


def select_all(session: Session, model: type[M], stmt: Any) -> list[M]:
    """Records of `model` chosen by `stmt` (a select of `model`), through Core, not the ORM."""
    result = _flushed(session).execute(stmt)
    names = tuple(result.keys())
    manager = inspect(model).class_manager
    records = []
    for row in result:
        record = manager.new_instance()
        record.__dict__.update(zip(names, row, strict=True))
        records.append(record)
    return records


def _flushed(session: Session) -> Connection:
    # As the ORM does before a query: what the session holds unwritten is written first.
    if session.autoflush:
        session.flush()
    return session.connection()


def by_id(session: Session, model: type[M], ids: set[uuid.UUID]) -> dict[uuid.UUID, M]:
    """Records of `model` by id, in one lookup."""
    return {r.id: r for r in load(session, model, "id", sorted(ids))}  # type: ignore[attr-defined]


def one_or_404(session: Session, model: type[M], ref: str | uuid.UUID) -> M:
    """A record by UUID or slug, or NotFound."""
    ident = ref if isinstance(ref, uuid.UUID) else as_uuid(ref)
    found = load(session, model, "id", [ident]) if ident else load(session, model, "slug", [ref])
    if not found:
        raise tombstones.absent(session, model, ref)
    return found[0]


def as_uuid(ref: str) -> uuid.UUID | None:
    """`ref` as a UUID, or None if it is not one (then it is a slug)."""
    # Every form uuid.UUID reads has 32 hex digits; a shorter slug needs no failed parse.
    if len(ref) < 32:
        return None
    try:
        return uuid.UUID(ref)
    except ValueError:
        return None


def label(model: type[SQLModel]) -> str:
    """What a record of `model` is called in messages: its table's name, in words."""
    return str(model.__table__.name).replace("_", " ")  # type: ignore[attr-defined]
