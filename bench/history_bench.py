"""Write overhead of history and the changes feed's read throughput, in process.

Usage: `python -m bench.history_bench --url sqlite:////tmp/history.db --writes 2000` (or a
PostgreSQL URL; the database is emptied and migrated first). Times `--writes` creates and as
many updates of events, each one transaction through the services, first with the history
hooks removed and then with them on, and reads the whole feed in pages of 1,000. Prints the
per-write times and changes/s; run it on a quiet machine.
"""

import argparse
import time
from collections.abc import Callable

from sqlalchemy import event
from sqlmodel import Session

from app.db import build_engine
from app.schemas.events import EventCreate, EventUpdate
from app.schemas.history import ChangesQuery
from app.services import events, history, revisions
from tests.conftest import alembic_config, fresh_schema

HOOKS: list[tuple[str, Callable[..., None]]] = [
    ("before_flush", history._collect),
    ("before_commit", history._write),
]


def _writes(url: str, count: int, tag: str) -> float:
    """Seconds per write over `count` creates and `count` updates."""
    engine = build_engine(url)
    began = time.perf_counter()
    for n in range(count):
        with Session(engine, expire_on_commit=False) as session:
            body = EventCreate(
                slug=f"bench-{tag}-{n}", title="Bench", event_type="meeting", status="occurred"
            )
            events.create_event(session, body)
        with Session(engine, expire_on_commit=False) as session:
            events.update_event(session, f"bench-{tag}-{n}", EventUpdate(title="Bench again"))
    engine.dispose()
    return (time.perf_counter() - began) / (2 * count)


def _feed(url: str) -> tuple[int, float]:
    """Changes read and changes/s, reading the whole feed in pages of 1,000."""
    engine = build_engine(url)
    read, since, began = 0, None, time.perf_counter()
    with Session(engine) as session:
        while True:
            page = revisions.read_changes(session, ChangesQuery(since=since, limit=1000))
            read += len(page.items)
            since = page.next_cursor
            if not page.more:
                break
    engine.dispose()
    return read, read / (time.perf_counter() - began)


def main() -> None:
    """Migrate, time writes without and with history, then read the feed."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--url", required=True)
    parser.add_argument("--writes", type=int, default=2000)
    args = parser.parse_args()
    from alembic import command

    engine = build_engine(args.url)
    fresh_schema(engine)
    engine.dispose()
    command.upgrade(alembic_config(args.url), "head")
    for name, hook in HOOKS:
        event.remove(Session, name, hook)
    without = _writes(args.url, args.writes, "off")
    for name, hook in HOOKS:
        event.listen(Session, name, hook)
    with_history = _writes(args.url, args.writes, "on")
    changes, rate = _feed(args.url)
    print(f"write without history: {without * 1000:.2f} ms")
    print(f"write with history:    {with_history * 1000:.2f} ms ({with_history / without:.2f}x)")
    print(f"feed: {changes} changes read at {rate:,.0f} changes/s")


if __name__ == "__main__":
    main()
