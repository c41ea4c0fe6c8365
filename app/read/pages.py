"""List pages as JSON bytes: a page's records, in its order, with their matches under `q`."""

import uuid
from collections.abc import Callable
from typing import Any

import orjson
from sqlmodel import Session

from app.query import dialects
from app.read.columns import decoded, dialect_of
from app.read.records import Kind, Record, encode
from app.services import search

# Shapes a page of records (as the list services read them) into its public records.
Shaper = Callable[[Session, Any, list[Any]], list[Record]]


def records(
    session: Session, kind: Kind, ids: list[uuid.UUID], marked: dict[uuid.UUID, str]
) -> list[Record]:
    """The public records of `ids` in their order, each with its match if `marked` has one."""
    found = {r["id"]: r for r in kind.records(session, "id", ids)}
    dialect = dialect_of(session)
    page = [found[decoded(dialect, i)] for i in ids]
    for ident, record in zip(ids, page, strict=True):
        # Last, where the models put it; absent without one, as they leave it out.
        match = marked.get(ident)
        if match is not None:
            record["match"] = match
    return page


def shaper(kind: Kind, index: search.Index | None = None) -> Shaper:
    """A list service's shape of its page: records of `kind`, matched in `index` under `q`."""

    def shape(session: Session, query: Any, rows: list[Any]) -> list[Record]:
        ids = [row.id for row in rows]
        q = getattr(query, "q", None)
        marked = dialects.of(session).snippets(session, index, q, ids) if index and q else {}
        return records(session, kind, ids, marked)

    return shape


def body(items: list[Record], next_cursor: str | None, total: int | None) -> bytes:
    """A page's JSON, as the `Page` model gives it (`total` only when counted)."""
    counted = b"" if total is None else b',"total":' + str(total).encode()
    encoded = b",".join(encode(item) for item in items)
    return (
        b'{"items":[' + encoded + b'],"next_cursor":' + orjson.dumps(next_cursor) + counted + b"}"
    )
