"""Database engine (built lazily from settings) and the per-request session."""

import asyncio
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager, contextmanager
from functools import lru_cache
from typing import Annotated, Any
from weakref import WeakKeyDictionary

from fastapi import Depends, Request
from sqlalchemy import Engine, create_engine, event
from sqlalchemy.dialects.sqlite.base import SQLiteCompiler
from sqlalchemy.exc import DBAPIError
from sqlmodel import Session
from starlette.concurrency import run_in_threadpool

from app.budget import limit_sqlite, postgres_connect_args
from app.config import get_settings
from app.read.columns import Db, Snapshot, SnapshotLost
from app.replicas import read_session, replica_set
from app.sqlite_writers import queue_writers

# How long a SQLite writer waits for the write lock before its request is answered 503.
BUSY_TIMEOUT_SECONDS = 5.0


def _enable_sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    # The sqlite3 module's own transaction handling defers BEGIN and breaks SAVEPOINT;
    # SQLAlchemy emits BEGIN itself instead (see _begin_sqlite).
    dbapi_connection.isolation_level = None
    # SQLite ignores foreign keys unless asked, per connection.
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute(f"PRAGMA busy_timeout={int(BUSY_TIMEOUT_SECONDS * 1000)}")
    cursor.close()


def _begin_sqlite(connection: Any) -> None:
    # A write takes SQLite's write lock when its transaction begins (IMMEDIATE), so that
    # concurrent writers queue on busy_timeout; a deferred one that read first would be
    # refused at once when another writer committed in between.
    mode = connection.get_execution_options().get("sqlite_begin")
    if mode is None:
        # A deferred BEGIN takes no lock and cannot wait: sent by the driver, it skips
        # SQLAlchemy's statement machinery, which costs more than a read's statements.
        connection.connection.dbapi_connection.execute("BEGIN")
        return
    connection.exec_driver_sql(f"BEGIN {mode}")


# Fewer sessions at once than the pool holds (10, plus 10 overflow on PostgreSQL; 5 plus 10
# on SQLite): a request past the limit waits on the event loop instead of blocking the loop
# in the pool's checkout while the requests holding connections need the loop to finish.
MAX_SESSIONS = 10
_SNAPSHOT_ENGINES: WeakKeyDictionary[Engine, Engine] = WeakKeyDictionary()


class _SQLiteCompiler(SQLiteCompiler):
    """Renders table hints (`with_hint(..., "sqlite")`), e.g. `INDEXED BY ix_...`, which the
    stock SQLite compiler drops."""

    def get_from_hint_text(self, table: Any, text: str | None) -> str | None:
        return text


def build_engine(url: str, query_timeout: float = 0) -> Engine:
    """Create an engine for `url` with the settings each backend needs.

    `query_timeout` (seconds; 0 for none) stops any statement that runs longer.
    """
    if url.startswith("sqlite"):
        engine = create_engine(url, connect_args={"check_same_thread": False})
        event.listen(engine, "connect", _enable_sqlite_pragmas)
        if query_timeout:
            event.listen(engine, "connect", lambda dbapi, _: limit_sqlite(dbapi, query_timeout))
        queue_writers(engine, BUSY_TIMEOUT_SECONDS)
        event.listen(engine, "begin", _begin_sqlite)
        engine.dialect.statement_compiler = _SQLiteCompiler
        return engine
    settings = get_settings()
    connect_args = postgres_connect_args(query_timeout) if query_timeout else {}
    engine = create_engine(
        url, pool_size=settings.database_pool_size, pool_pre_ping=True, connect_args=connect_args
    )
    # Snapshots read through connections of their own, in autocommit: no ping when taken,
    # no BEGIN, no ROLLBACK when given back (with app.read.columns.rows_of_each's pipeline,
    # a GET by id makes 2 round trips instead of 10).
    # Each statement still sees what was committed when it began, as at READ COMMITTED in a
    # transaction. A connection found gone is dropped, and its read goes to a session's
    # connection, which is pinged (app.routers.hot_reads).
    snapshots = create_engine(
        url,
        pool_size=settings.database_pool_size,
        max_overflow=MAX_SESSIONS,
        isolation_level="AUTOCOMMIT",
        pool_reset_on_return=None,
        connect_args=connect_args,
    )
    _SNAPSHOT_ENGINES[engine] = snapshots
    event.listen(engine, "engine_disposed", lambda _: snapshots.dispose())
    return engine


def snapshot_engine(engine: Engine) -> Engine:
    """The engine snapshots of `engine`'s database read through: `build_engine` gives a
    PostgreSQL engine one in autocommit; otherwise `engine` itself."""
    return _SNAPSHOT_ENGINES.get(engine, engine)


@lru_cache
def get_engine() -> Engine:
    """Return the process-wide engine for the configured database, with its time budget."""
    settings = get_settings()
    return build_engine(settings.database_url, settings.query_timeout_seconds)


# Where a request's scope state holds the session of a transaction opened around the request.
HELD_SESSION = "held_session"


def get_session() -> Iterator[Session]:
    """Yield one session; services commit, this closes. Tests override this provider."""
    # Closing rolls back whatever the session did not commit: a request that failed after
    # flushing leaves nothing behind.
    with Session(get_engine(), expire_on_commit=False) as session:
        yield session


async def request_session(request: Request) -> AsyncIterator[Session]:
    """The request's session from `get_session` (or its override), opened on the event loop.

    A sync dependency would cost two threadpool hops per request, the largest cost of a
    read (bench/RESULTS.md). Opening and closing a session does no waiting: it connects
    lazily and returns the connection to the pool.
    """
    async with _session_slots():
        with _opened(request) as session:
            yield session


@contextmanager
def _opened(request: Request) -> Iterator[Session]:
    held = request.scope.get("state", {}).get(HELD_SESSION)
    if held is not None:
        # A keyed POST: the idempotency middleware owns the transaction and commits it.
        try:
            yield held
        finally:
            held.rollback()
        return
    provider = request.app.dependency_overrides.get(get_session, get_session)
    if provider is get_session and request.method in SAFE_METHODS and replica_set() is not None:
        # Reads may go to a standby (DATABASE_REPLICA_URLS); writes always to the primary.
        with contextmanager(read_session)(request) as session:
            yield session
        return
    with contextmanager(provider)() as session:
        yield session


_SLOTS: WeakKeyDictionary[asyncio.AbstractEventLoop, asyncio.Semaphore] = WeakKeyDictionary()


def _session_slots() -> asyncio.Semaphore:
    """The MAX_SESSIONS slots of the running event loop, shared by every route."""
    loop = asyncio.get_running_loop()
    slots = _SLOTS.get(loop)
    if slots is None:
        slots = _SLOTS[loop] = asyncio.Semaphore(MAX_SESSIONS)
    return slots


@asynccontextmanager
async def read_snapshot(request: Request) -> AsyncIterator[Db]:
    """What a read of one record reads through: a snapshot of the database of its own
    (`app.read.columns.Snapshot`), or the request's session where one is set up for it (an
    overridden provider, standbys), in one of the same MAX_SESSIONS slots. A snapshot whose
    connection is found gone raises SnapshotLost, once that connection has left its pool."""
    async with _session_slots():
        provider = request.app.dependency_overrides.get(get_session, get_session)
        if provider is not get_session or replica_set() is not None:
            with _opened(request) as session:
                yield session
            return
        snapshot = Snapshot(snapshot_engine(get_engine()))
        try:
            yield snapshot
        except DBAPIError as error:
            if error.connection_invalidated:
                snapshot.invalidate()
                raise SnapshotLost from error
            raise
        finally:
            snapshot.close()


# A session closes, giving back its connection, as soon as the handler returns.
SessionDep = Annotated[Session, Depends(request_session, scope="function")]
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


async def begin_writes(request: Request, session: SessionDep) -> None:
    """Open a write request's transaction for writing from its first statement (SQLite)."""
    if request.method not in SAFE_METHODS and not session.in_transaction():
        # In a worker thread: taking SQLite's write lock may wait for another writer.
        await run_in_threadpool(session.connection, execution_options={"sqlite_begin": "IMMEDIATE"})
