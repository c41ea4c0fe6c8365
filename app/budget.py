"""Time budgets: no statement runs past QUERY_TIMEOUT_SECONDS, on either engine."""

import sqlite3
import time
from typing import Any

# Virtual-machine instructions SQLite runs between two looks at the clock (well under a
# millisecond of work): the budget is kept to within that much.
SQLITE_CHECK_EVERY = 10_000
# PostgreSQL's SQLSTATE for a statement cancelled, here by statement_timeout.
QUERY_CANCELED = "57014"


def limit_sqlite(dbapi_connection: sqlite3.Connection, seconds: float) -> None:
    """Interrupt any statement of this connection still running `seconds` after it began."""
    deadline = [float("inf")]

    def began(_statement: str) -> None:
        deadline[0] = time.monotonic() + seconds

    def overdue() -> bool:
        # A true answer makes SQLite stop the statement: OperationalError("interrupted").
        return time.monotonic() > deadline[0]

    # SQLite calls the trace callback as each statement starts, the driver's own included.
    dbapi_connection.set_trace_callback(began)
    dbapi_connection.set_progress_handler(overdue, SQLITE_CHECK_EVERY)


def postgres_connect_args(seconds: float) -> dict[str, Any]:
    """Connection arguments that give every statement `seconds` (PostgreSQL statement_timeout)."""
    return {"options": f"-c statement_timeout={max(1, round(seconds * 1000))}"}


def is_timeout(error: BaseException | None) -> bool:
    """Whether a driver error is a statement stopped for running past its budget."""
    if getattr(error, "sqlstate", None) == QUERY_CANCELED:
        return True
    return isinstance(error, sqlite3.OperationalError) and str(error) == "interrupted"
