"""SQLite's writers in one process queue for the write lock in order, and always give it back."""

import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import Engine, create_engine, event, text
from sqlalchemy.exc import OperationalError

from app.db import _begin_sqlite, _enable_sqlite_pragmas, build_engine
from app.sqlite_writers import WriterQueue, queue_writers

IMMEDIATE = {"sqlite_begin": "IMMEDIATE"}


@pytest.fixture
def sqlite(tmp_path: Path) -> Iterator[Engine]:
    engine = build_engine(f"sqlite:///{tmp_path / 'writers.db'}")
    with engine.begin() as connection:
        connection.execute(text("CREATE TABLE t (writer INTEGER, n INTEGER)"))
    yield engine
    engine.dispose()


def test_the_queue_hands_the_turn_over_in_arrival_order() -> None:
    queue = WriterQueue()
    assert queue.acquire(1)
    order: list[int] = []
    threads = []

    def wait(n: int) -> None:
        if queue.acquire(5):
            order.append(n)

    for n in range(5):
        thread = threading.Thread(target=wait, args=(n,))
        thread.start()
        threads.append(thread)
        time.sleep(0.02)  # each waiter arrives after the one before
    for _ in range(5):
        queue.release()
        time.sleep(0.02)
    for thread in threads:
        thread.join()
    assert order == [0, 1, 2, 3, 4]
    queue.release()
    assert queue.acquire(0)


def test_a_waiter_past_its_timeout_leaves_the_queue() -> None:
    queue = WriterQueue()
    assert queue.acquire(1)
    assert not queue.acquire(0.01)
    queue.release()
    # The waiter that gave up is not handed the turn: the next one gets it at once.
    assert queue.acquire(0)


def test_many_writers_all_commit_without_waiting_on_sqlites_timeout(sqlite: Engine) -> None:
    errors: list[BaseException] = []

    def write(writer: int) -> None:
        try:
            for n in range(20):
                with (
                    sqlite.connect().execution_options(**IMMEDIATE) as connection,
                    connection.begin(),
                ):
                    connection.execute(text("INSERT INTO t VALUES (:w, :n)"), {"w": writer, "n": n})
        except BaseException as error:
            errors.append(error)

    threads = [threading.Thread(target=write, args=(w,)) for w in range(12)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    with sqlite.connect() as connection:
        assert connection.execute(text("SELECT count(*) FROM t")).scalar() == 12 * 20


@pytest.mark.parametrize("end", ["commit", "rollback", "close", "invalidate"])
def test_the_turn_is_given_back_however_the_transaction_ends(sqlite: Engine, end: str) -> None:
    connection = sqlite.connect().execution_options(**IMMEDIATE)
    transaction = connection.begin()
    connection.execute(text("INSERT INTO t VALUES (1, 1)"))
    if end == "commit":
        transaction.commit()
    elif end == "rollback":
        transaction.rollback()
    elif end == "invalidate":
        connection.invalidate()
    if end != "invalidate":
        connection.close()
    with sqlite.connect().execution_options(**IMMEDIATE) as other, other.begin():
        other.execute(text("INSERT INTO t VALUES (2, 1)"))
    if end == "invalidate":
        transaction.rollback()
        connection.close()


def test_a_writer_that_waits_too_long_is_told_the_database_is_locked(tmp_path: Path) -> None:
    # The app's engine waits 5 s; one of its own waits 50 ms.
    engine = create_engine(f"sqlite:///{tmp_path / 'short.db'}")
    event.listen(engine, "connect", _enable_sqlite_pragmas)
    queue_writers(engine, 0.05)
    event.listen(engine, "begin", _begin_sqlite)
    holder = engine.connect().execution_options(**IMMEDIATE)
    holder.begin()
    with (
        pytest.raises(OperationalError, match="database is locked"),
        engine.connect().execution_options(**IMMEDIATE) as waiter,
        waiter.begin(),
    ):
        pass
    holder.close()
    # Given back by the holder: the next writer goes through.
    with engine.connect().execution_options(**IMMEDIATE) as writer, writer.begin():
        pass
    engine.dispose()
