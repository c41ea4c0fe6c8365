"""Columns as the driver returns them, decoded only as far as orjson needs, per dialect."""

import datetime as dt
import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import Any, cast

import orjson
from sqlalchemy import JSON, Column, Date, Dialect, Engine, Table, Uuid
from sqlalchemy.exc import DBAPIError
from sqlmodel import Session

from app.models import UTCDateTime

Decoder = Callable[[Any], Any] | None

# With these options orjson writes what pydantic's JSON serialiser writes (UTC as `Z`).
OPTIONS = orjson.OPT_UTC_Z


def _dashed(hex32: str) -> str:
    # SQLite stores a UUID as its 32 hex digits; the API writes the dashed form.
    return f"{hex32[:8]}-{hex32[8:12]}-{hex32[12:16]}-{hex32[16:20]}-{hex32[20:]}"


def _utc(moment: dt.datetime) -> dt.datetime:
    return moment.replace(tzinfo=dt.UTC) if moment.tzinfo is None else moment.astimezone(dt.UTC)


def decoder(column: Column[Any], dialect: Dialect) -> Decoder:
    """How a value of `column` from the driver becomes one orjson writes as the API does."""
    kind = column.type
    sqlite = dialect.name == "sqlite"
    if isinstance(kind, Uuid):
        return _dashed if sqlite else None
    if isinstance(kind, Date):
        # SQLite stores `YYYY-MM-DD`, what the API writes; other drivers give dates orjson writes.
        return None
    if isinstance(kind, UTCDateTime):
        parse = kind.impl_instance._cached_result_processor(dialect, None)
        if parse is None:
            return _utc
        return lambda value: _utc(parse(value))  # type: ignore[arg-type]
    if isinstance(kind, JSON):
        return orjson.loads if sqlite else None
    return None


@dataclass(frozen=True)
class Select:
    """One statement over columns of tables, with each column's decoder, for one dialect."""

    sql: str
    decoders: tuple[Decoder, ...]

    def rows(self, session: "Db", params: Sequence[Any]) -> list[list[Any]]:
        """The statement's rows, each value decoded."""
        connection = dbapi(session)
        cursor = connection.cursor()
        try:
            cursor.execute(self.sql, params)
            fetched = cursor.fetchall()
        except Exception as error:
            raise translated(session, connection, error, self.sql, params) from error
        finally:
            cursor.close()
        return self.decoded(fetched)

    def decoded(self, fetched: Sequence[Sequence[Any]]) -> list[list[Any]]:
        """Rows as the driver gave them, each value decoded."""
        decoders = self.decoders
        return [
            [v if d is None or v is None else d(v) for d, v in zip(decoders, row, strict=True)]
            for row in fetched
        ]


def rows_of_each(
    db: "Db", selects: Sequence[Select], params: Sequence[Any]
) -> list[list[list[Any]]]:
    """The rows of each of `selects`, all taking `params`. On PostgreSQL they are sent in one
    pipeline: one round trip to the server instead of one each."""
    if len(selects) < 2 or dialect_of(db).driver != "psycopg":
        return [statement.rows(db, params) for statement in selects]
    connection = dbapi(db)
    cursors = [connection.cursor() for _ in selects]
    try:
        with connection.pipeline():
            for cursor, statement in zip(cursors, selects, strict=True):
                cursor.execute(statement.sql, params)
            # The first fetch sends them all and waits for their results.
            fetched = [cursor.fetchall() for cursor in cursors]
    except Exception as error:
        sql = "; ".join(statement.sql for statement in selects)
        raise translated(db, connection, error, sql, params) from error
    finally:
        for cursor in cursors:
            cursor.close()
    return [statement.decoded(rows) for statement, rows in zip(selects, fetched, strict=True)]


def translated(
    db: "Db", connection: Any, error: Exception, sql: str, params: Sequence[Any]
) -> Exception:
    """A driver's error as SQLAlchemy raises it, so that the app's handlers answer it: a
    statement past its budget or a lost connection is an OperationalError (a 503), a lost
    connection marked `connection_invalidated`. Any other exception is left as it is."""
    dialect = dialect_of(db)
    if not isinstance(error, dialect.loaded_dbapi.Error):
        return error
    lost = dialect.is_disconnect(error, connection, None)
    return DBAPIError.instance(
        sql, params, error, dialect.loaded_dbapi.Error, connection_invalidated=lost, dialect=dialect
    )


class SnapshotLost(Exception):
    """A snapshot's connection had gone (its server restarted or ended the connection)."""


class Snapshot:
    """A read of its own on a pooled DBAPI connection: what reading needs of a session (its
    dialect, its connection) at a fifth of a Session's cost (bench/RESULTS.md).

    On SQLite every statement of the transaction sees the database as of its first one. On
    PostgreSQL the connection is in autocommit (`app.db.snapshot_engine`): each statement sees
    what was committed when it began, as at READ COMMITTED in a session's transaction.
    """

    def __init__(self, engine: Engine) -> None:
        self.dialect = engine.dialect
        self._pooled = engine.raw_connection()
        # A checked-out connection always has its driver's connection.
        self.connection = cast(Any, self._pooled.driver_connection)
        if self.dialect.name == "sqlite":
            # The connection runs in autocommit (app.db): without BEGIN, each statement
            # would see the database as it is when it runs. Other drivers begin implicitly.
            self.connection.execute("BEGIN")

    def close(self) -> None:
        """Give the connection back; the pool's reset, if it has one, rolls back."""
        self._pooled.close()

    def invalidate(self) -> None:
        """Drop the connection from its pool, found gone: the pool opens a new one."""
        self._pooled.invalidate()


# What the read layer reads through: a request's session, or a snapshot of its own.
Db = Session | Snapshot
# Where a session keeps its transaction's DBAPI connection, once asked for.
_HELD = "read.dbapi_connection"


def dbapi(session: Db) -> Any:
    """The DBAPI connection of the session's transaction (flushing what it holds unwritten)."""
    if isinstance(session, Snapshot):
        return session.connection
    if session.autoflush and (session.new or session.dirty or session.deleted):
        session.flush()
    # `Session.connection()` costs more than a small statement: a record read in several
    # statements asks once per transaction (a new transaction may have another connection).
    transaction = session.get_transaction()
    held = session.info.get(_HELD)
    if held is not None and held[0] is transaction and transaction.is_active:
        return held[1]
    connection = session.connection().connection.dbapi_connection
    session.info[_HELD] = (session.get_transaction(), connection)
    return connection


def marker(dialect: Dialect) -> str:
    """The dialect's parameter placeholder."""
    return "?" if dialect.paramstyle == "qmark" else "%s"


def markers(dialect: Dialect, count: int) -> str:
    """`count` placeholders, comma-separated."""
    return ", ".join([marker(dialect)] * count)


def dialect_of(session: Db) -> Dialect:
    """The dialect of the session's database."""
    return session.dialect if isinstance(session, Snapshot) else session.get_bind().dialect


def bind(dialect: Dialect, key: Any) -> Any:
    """A lookup key as the driver takes it: a UUID as hex digits on SQLite; a slug as is."""
    if isinstance(key, uuid.UUID) and dialect.name == "sqlite":
        return key.hex
    return key


def rebind(dialect: Dialect, ident: Any) -> Any:
    """An id as decoded here (`decoded`) back as the driver takes it."""
    return ident.replace("-", "") if dialect.name == "sqlite" else ident


def decoded(dialect: Dialect, ident: uuid.UUID) -> Any:
    """A UUID as this module decodes id columns: dashed text on SQLite, itself elsewhere."""
    return str(ident) if dialect.name == "sqlite" else ident


def select(
    dialect: Dialect, columns: Sequence[Column[Any]], rest: str, *, names: Sequence[str] = ()
) -> Select:
    """`SELECT <columns> <rest>`; `names` overrides how each column is written (aliases)."""
    written = names or [f"{c.table.name}.{c.name}" for c in columns]
    return Select(
        sql=f"SELECT {', '.join(written)} {rest}",
        decoders=tuple(decoder(c, dialect) for c in columns),
    )


def of(table: Table, *names: str) -> list[Column[Any]]:
    """Columns of `table` by name."""
    return [table.c[name] for name in names]


def cached(build: Callable[..., Select]) -> Callable[..., Select]:
    """`build` with its statements kept per dialect (and per count of keys)."""
    return lru_cache(maxsize=256)(build)
