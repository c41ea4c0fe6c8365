"""Keyset paging over any sort: opaque cursors bound to the list and filters they came from."""

import datetime as dt
import hashlib
import json
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, TypeVar

from sqlalchemy import ColumnElement, and_, false, func, or_
from sqlmodel import Session, SQLModel, select
from sqlmodel.sql.expression import SelectOfScalar

from app.errors import BadRequest
from app.query import dialects
from app.services import rows
from app.services.cursors import MALFORMED, MAX_OFFSET, decode, encode

M = TypeVar("M", bound=SQLModel)

_DECODERS: dict[str, Any] = {
    "datetime": dt.datetime.fromisoformat,
    "date": dt.date.fromisoformat,
    "uuid": uuid.UUID,
    "str": str,
    "float": float,
    "int": int,
}


@dataclass(frozen=True)
class Key:
    """One column of a sort: the attribute read from a row, and how its cursor value decodes."""

    attr: str
    kind: str


@dataclass(frozen=True)
class Sort:
    """An ordering over keys (the last one unique, usually `id`), ascending or descending."""

    keys: tuple[Key, ...]
    descending: bool = False


# Parameters that shape a page but do not choose its rows: a cursor survives their change.
_SHAPING = frozenset({"limit", "cursor", "fields", "expand", "include_total", "format"})


def scope_of(name: str, params: dict[str, Any]) -> str:
    """A short fingerprint of a list, its filters and order; a cursor is only valid under it."""
    chosen = {key: value for key, value in params.items() if key not in _SHAPING}
    body = json.dumps([name, chosen], sort_keys=True, default=str)
    return hashlib.sha256(body.encode()).hexdigest()[:16]


def keyset_page(
    session: Session,
    stmt: SelectOfScalar[M],
    model: type[M],
    sort: Sort,
    *,
    limit: int,
    cursor: str | None,
    scope: str,
    sort_by_index: bool = True,
    columns: Sequence[Any] | None = None,
) -> tuple[list[M], str | None]:
    """One page of `stmt` in `sort` order after `cursor`, and the cursor of the next page.

    `sort_by_index=False` keeps SQLite from reading the sort's index (`ORDER BY +column`), so
    that it narrows by the filters' indexes and sorts the few matches instead. `columns`
    orders and seeks by copies of the sort's keys held elsewhere (on a link) instead.
    """
    columns = list(columns or [getattr(model, key.attr) for key in sort.keys])
    if cursor is not None:
        stmt = stmt.where(_after(columns, _decode(cursor, scope, sort), sort.descending))
    ordering = columns if sort_by_index else [dialects.of(session).unindexed(c) for c in columns]
    order = [c.desc() if sort.descending else c.asc() for c in ordering]
    found = rows.select_all(session, model, stmt.order_by(*order).limit(limit + 1))
    if len(found) <= limit:
        return found, None
    last = found[limit - 1]
    values = [_encode_value(getattr(last, key.attr)) for key in sort.keys]
    return found[:limit], encode(values, scope)


# SQLite's planner does not weigh LIMIT. With fewer matches than this, narrowing by the
# filters' indexes and sorting the matches is cheapest; with more, reading in page order and
# stopping at the end of the page is (it reads about limit x rows / matches rows). The list
# planner (app.query.planner) reads it from here at each request.
DENSE = 4000


def offset_of(cursor: str | None, scope: str) -> int:
    """The position a cursor made by `offset_page` points at; 0 without one."""
    if cursor is None:
        return 0
    values = decode(cursor, scope)
    if len(values) != 1 or not isinstance(values[0], int) or not 0 <= values[0] <= MAX_OFFSET:
        raise BadRequest(MALFORMED)
    return values[0]


def offset_page(
    session: Session, stmt: Any, *, limit: int, cursor: str | None, scope: str
) -> tuple[list[Any], str | None]:
    """One page by position: for orders computed per query (relevance), not stored in a row."""
    offset = offset_of(cursor, scope)
    rows = list(session.exec(stmt.offset(offset).limit(limit + 1)).all())
    if len(rows) <= limit:
        return rows, None
    return rows[:limit], encode([offset + limit], scope)


def count(session: Session, stmt: Any) -> int:
    """How many rows `stmt` selects, without its order."""
    counted = select(func.count()).select_from(stmt.order_by(None).subquery())
    return int(session.connection().execute(counted).scalar_one())


def _decode(cursor: str, scope: str, sort: Sort) -> list[Any]:
    values = decode(cursor, scope)
    if len(values) != len(sort.keys):
        raise BadRequest(MALFORMED)
    try:
        return [_DECODERS[key.kind](value) for key, value in zip(sort.keys, values, strict=True)]
    except (ValueError, TypeError) as exc:
        raise BadRequest(MALFORMED) from exc


def _encode_value(value: Any) -> Any:
    if isinstance(value, dt.date | uuid.UUID):
        return value.isoformat() if isinstance(value, dt.date) else str(value)
    return value


def _after(columns: list[Any], values: list[Any], descending: bool) -> ColumnElement[bool]:
    # (a, b, id) > (x, y, z) spelled out, which is portable; the leading `a >= x` is implied
    # but lets the index seek to the cursor instead of skipping every earlier row.
    first, start = columns[0], values[0]
    condition: ColumnElement[bool] = false()
    for position in reversed(range(len(columns))):
        column, value = columns[position], values[position]
        beyond = column < value if descending else column > value
        condition = (
            beyond
            if position == len(columns) - 1
            else or_(beyond, and_(column == value, condition))
        )
    return and_(first <= start if descending else first >= start, condition)
