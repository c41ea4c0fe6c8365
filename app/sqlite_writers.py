"""SQLite's writers in one process take the write lock in turn, first come, first served.

SQLite lets one transaction write at a time. A writer that finds the lock taken sleeps and
tries again (`busy_timeout`), up to 100 ms between tries, so under contention a writer can lose
every try to newer ones and be refused after the timeout while the others went through many
times; and a won race still costs the sleep. The writers of one process queue here instead, in
the order they came, each woken as the one before it commits or rolls back. Writers in other
processes still meet on SQLite's own lock, with its timeout.
"""

import sqlite3
import threading
from collections import deque
from typing import Any

from sqlalchemy import Engine, event
from sqlalchemy.exc import OperationalError

# Where a connection records that its transaction holds the queue's turn.
_HOLDS_TURN = "holds_write_turn"


class WriterQueue:
    """A lock handed to its waiters in the order they asked for it."""

    def __init__(self) -> None:
        self._mutex = threading.Lock()
        self._waiting: deque[threading.Event] = deque()
        self._held = False

    def acquire(self, timeout: float) -> bool:
        """Wait up to `timeout` seconds for the turn; whether it was had."""
        with self._mutex:
            if not self._held:
                self._held = True
                return True
            turn = threading.Event()
            self._waiting.append(turn)
        if turn.wait(timeout):
            return True
        with self._mutex:
            if turn.is_set():
                # Handed over just as the wait ended.
                return True
            self._waiting.remove(turn)
            return False

    def release(self) -> None:
        """Hand the turn to the writer that has waited longest, if any."""
        with self._mutex:
            if self._waiting:
                self._waiting.popleft().set()
            else:
                self._held = False


def queue_writers(engine: Engine, timeout: float) -> None:
    """Make `engine`'s write transactions (BEGIN IMMEDIATE) wait their turn in one queue.

    A writer that waits longer than `timeout` seconds fails as SQLite's own busy timeout
    does (`database is locked`), which the API answers 503 with Retry-After.
    """
    queue = WriterQueue()

    def take_turn(connection: Any) -> None:
        if connection.get_execution_options().get("sqlite_begin") != "IMMEDIATE":
            return
        if not queue.acquire(timeout):
            raise OperationalError(
                "BEGIN IMMEDIATE", None, sqlite3.OperationalError("database is locked")
            )
        connection.info[_HOLDS_TURN] = True

    def end(connection: Any) -> None:
        # An invalidated connection gave its turn back as the pool dropped it (`given_back`).
        if not connection.invalidated and connection.info.pop(_HOLDS_TURN, False):
            queue.release()

    def given_back(_dbapi: Any, record: Any) -> None:
        # A connection given back or dropped without its transaction's end being seen.
        if record.info.pop(_HOLDS_TURN, False):
            queue.release()

    # Before the listener that sends BEGIN (`app.db`), which is registered after this one.
    event.listen(engine, "begin", take_turn)
    event.listen(engine, "commit", end)
    event.listen(engine, "rollback", end)
    event.listen(engine.pool, "checkin", given_back)
    event.listen(engine.pool, "invalidate", lambda dbapi, record, _error: given_back(dbapi, record))
