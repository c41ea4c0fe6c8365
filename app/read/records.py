"""A kind of record read as JSON bytes: its statement, how a row becomes it, what fills it."""

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import orjson
from sqlalchemy import Dialect, Table
from sqlmodel import Session, SQLModel

from app.read import lookup
from app.read.columns import (
    OPTIONS,
    Db,
    Select,
    bind,
    cached,
    decoded,
    dialect_of,
    markers,
    rebind,
    rows_of_each,
)
from app.read.columns import select as select_columns
from app.read.layouts import Layout

Record = dict[str, Any]


@dataclass(frozen=True)
class Filler:
    """Parts of records read by statements of their own, each taking the records' ids."""

    # The statements for `count` records.
    statements: Callable[[Dialect, int], tuple[Select, ...]]
    # Sets the parts of the records (by decoded id) from the rows of each statement.
    fill: Callable[[dict[Any, Record], list[list[list[Any]]]], None]


@cached
def keyed(dialect: Dialect, table: Table, layout: Layout, column: str, count: int) -> Select:
    """The rows of `table` whose `column` is one of `count` keys, as `layout` reads them."""
    return select_columns(
        dialect,
        layout.columns(table),
        f"FROM {table.name} WHERE {column} IN ({markers(dialect, count)})",
    )


@dataclass(frozen=True)
class Kind:
    """How records of one model are read: one statement for the rows, fillers for the rest."""

    model: type[SQLModel]
    layout: Layout
    fillers: tuple[Filler, ...] = ()
    # The statement of the rows by `column` (for `count` keys); by default `keyed`.
    statement: Callable[[Dialect, str, int], Select] | None = None
    build: Callable[[list[Any]], Record] | None = field(default=None)

    def records(self, session: Db, column: str, keys: list[Any]) -> list[Record]:
        """Public records whose `column` (id or slug) is one of `keys`, in no set order."""
        if not keys:
            return []
        dialect = dialect_of(session)
        table: Table = self.model.__table__  # type: ignore[attr-defined]
        statement = (
            self.statement(dialect, column, len(keys))
            if self.statement
            else keyed(dialect, table, self.layout, column, len(keys))
        )
        build = self.build or self.layout.record
        found = [build(row) for row in statement.rows(session, [bind(dialect, k) for k in keys])]
        if found and self.fillers:
            by_id = {record["id"]: record for record in found}
            params = [rebind(dialect, i) for i in by_id]
            # Every filler's statements at once: on PostgreSQL, one round trip for them all.
            planned = [(filler, filler.statements(dialect, len(by_id))) for filler in self.fillers]
            results = iter(rows_of_each(session, [s for _, each in planned for s in each], params))
            for filler, each in planned:
                filler.fill(by_id, [next(results) for _ in each])
        return found

    def find(self, db: Db, ref: str) -> Record | None:
        """The record `ref` (id or slug) names, or None."""
        return lookup.find(db, ref, self.records)

    def read(self, session: Session, ref: str) -> Record:
        """The record `ref` (id or slug) names; 404, 410 or 308 if there is none."""
        return lookup.one(session, self.model, ref, self.records)

    def items(self, session: Session, ids: list[Any]) -> list[bytes]:
        """The JSON of the records of `ids` (a page's, in its order)."""
        found = {r["id"]: r for r in self.records(session, "id", ids)}
        dialect = dialect_of(session)
        return [encode(found[decoded(dialect, i)]) for i in ids]


def encode(record: Record) -> bytes:
    """A record's JSON, byte for byte what the API's models give."""
    return orjson.dumps(record, option=OPTIONS)
