"""Rows inserted through the driver's executemany, each value encoded by its column's type."""

from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache
from operator import itemgetter
from typing import Any

from sqlalchemy import Dialect
from sqlmodel import Session

from app.models import metadata


@dataclass(frozen=True)
class _Insert:
    sql: str
    columns: tuple[str, ...]
    # (position, encoder) of the columns whose type encodes values; the others go as they are.
    encoders: tuple[tuple[int, Callable[[Any], Any]], ...]


@lru_cache(maxsize=64)
def _insert(name: str, dialect: Dialect, columns: tuple[str, ...]) -> _Insert:
    table = metadata.tables[name]
    marker = "?" if dialect.paramstyle == "qmark" else "%s"
    sql = (
        f"INSERT INTO {table.name} ({', '.join(columns)}) "
        f"VALUES ({', '.join([marker] * len(columns))})"
    )
    found = (table.c[c].type._cached_bind_processor(dialect) for c in columns)
    return _Insert(sql, columns, tuple((i, e) for i, e in enumerate(found) if e is not None))


def insert_rows(session: Session, name: str, found: list[dict[str, Any]]) -> None:
    """Insert rows (all with the same keys) through the driver's executemany.

    Each value is encoded by its column's type as SQLAlchemy would; building the parameters
    through its compiled statement instead cost about a third of an import's time.
    """
    connection = session.connection()
    plan = _insert(name, connection.dialect, tuple(found[0]))
    if len(plan.columns) > 1:
        values = itemgetter(*plan.columns)
        params = [list(values(row)) for row in found]
    else:
        params = [[row[plan.columns[0]]] for row in found]
    for position, encode in plan.encoders:
        for param in params:
            param[position] = encode(param[position])
    connection.exec_driver_sql(plan.sql, list(map(tuple, params)))
