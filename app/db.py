"""Database engine (built lazily from settings) and the per-request session."""

from collections.abc import Iterator
from functools import lru_cache
from typing import Annotated, Any

from fastapi import Depends
from sqlalchemy import Engine, create_engine, event
from sqlmodel import Session

from app.config import get_settings


def _enable_sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    # The sqlite3 module's own transaction handling defers BEGIN and breaks SAVEPOINT;
    # SQLAlchemy emits BEGIN itself instead (see _begin_sqlite).
    dbapi_connection.isolation_level = None
    # SQLite ignores foreign keys unless asked, per connection.
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute("PRAGMA busy_timeout=5000")
    cursor.close()


def _begin_sqlite(connection: Any) -> None:
    connection.exec_driver_sql("BEGIN")


def build_engine(url: str) -> Engine:
    """Create an engine for `url` with the settings each backend needs."""
    if url.startswith("sqlite"):
        engine = create_engine(url, connect_args={"check_same_thread": False})
        event.listen(engine, "connect", _enable_sqlite_pragmas)
        event.listen(engine, "begin", _begin_sqlite)
        return engine
    settings = get_settings()
    return create_engine(url, pool_size=settings.database_pool_size, pool_pre_ping=True)


@lru_cache
def get_engine() -> Engine:
    """Return the process-wide engine for the configured database."""
    return build_engine(get_settings().database_url)


def get_session() -> Iterator[Session]:
    """Yield one session per request; services commit, this closes."""
    with Session(get_engine(), expire_on_commit=False) as session:
        try:
            yield session
        finally:
            # A request that failed after flushing leaves nothing behind.
            session.rollback()


SessionDep = Annotated[Session, Depends(get_session)]
