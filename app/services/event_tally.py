"""Counts of all events per start month and year, type, country and status, kept by triggers.

The triggers (app.db_triggers) keep event_tally exact on SQLite, one writer at a time; on
PostgreSQL they only insert into event_tally_delta, which no two writers lock, and `fold`
moves those rows into event_tally now and then. The counts are the sum of both tables.
"""

from sqlalchemy import Connection, Engine, func, text, union_all
from sqlmodel import Session, col, select

from app.models import EventTally, EventTallyDelta
from app.schemas.events import EventStatsQuery

# Delta rows a read tolerates before it folds them: beyond this, summing them costs the
# readers more than a fold costs once.
FOLD_AFTER = 1000
# Held for the fold's transaction: one folder at a time, the others read base + deltas.
_FOLD_LOCK = 0x74616C6C  # "tall" in ASCII
# Counts the delta rows it moved (a data-modifying WITH runs whether or not it is read).
_FOLD = text(
    "WITH moved AS (DELETE FROM event_tally_delta RETURNING group_by, key, count), "
    "summed AS (INSERT INTO event_tally AS t (group_by, key, count) "
    "SELECT group_by, key, sum(count) FROM moved GROUP BY group_by, key "
    "ON CONFLICT (group_by, key) DO UPDATE SET count = t.count + excluded.count) "
    "SELECT count(*) FROM moved"
)


def answers(query: EventStatsQuery) -> bool:
    """Whether the tally answers `query`: no filter, every field but group_by at its default."""
    return not query.model_dump(exclude={"group_by"}, exclude_defaults=True)


def counts(session: Session, group_by: str) -> list[tuple[str | None, int]]:
    """(key, events) of every key of `group_by` with events, in key order (NULL last).

    A month or year's keys include `imprecise` and `undated` (app.db_triggers.Tally.key).
    """
    _fold_if_long(session)
    rows = union_all(
        *(
            select(col(t.key), col(t.count)).where(col(t.group_by) == group_by)
            for t in (EventTally, EventTallyDelta)
        )
    ).subquery("counted")
    total = func.sum(rows.c.count)
    # NULLS LAST on both engines (SQLite puts NULL first), as the scan orders its keys.
    summed = (
        select(rows.c.key, total)
        .group_by(rows.c.key)
        .having(total != 0)
        .order_by(rows.c.key.nulls_last())
    )
    return [(key, int(n)) for key, n in session.exec(summed)]


def fold(connection: Connection) -> int:
    """Move the delta rows into event_tally in the caller's transaction (PostgreSQL).

    Does nothing while another transaction folds. Returns the number of delta rows moved.
    """
    if connection.dialect.name != "postgresql":
        return 0
    locked = connection.execute(text("SELECT pg_try_advisory_xact_lock(:k)"), {"k": _FOLD_LOCK})
    if not locked.scalar_one():
        return 0
    folded = int(connection.execute(_FOLD).scalar_one())
    # Keys no event has any more (a country whose events went) would otherwise stay as zeros.
    connection.execute(text("DELETE FROM event_tally WHERE count = 0"))
    return folded


def fold_and_commit(session: Session) -> None:
    """Fold the deltas (PostgreSQL) and commit; after a large fold, vacuum the delta table."""
    moved = fold(session.connection())
    session.commit()
    bind = session.get_bind()
    # A session bound to a connection (a test's) is inside a transaction: no VACUUM there.
    if moved > FOLD_AFTER and isinstance(bind, Engine):
        with bind.connect() as connection:
            vacuum(connection)


def vacuum(connection: Connection) -> None:
    """Reclaim the delta rows a fold left dead (PostgreSQL), which every read would otherwise
    scan until autovacuum's turn: a load writes one per counted key of each event."""
    if connection.dialect.name == "postgresql":
        # VACUUM runs outside a transaction.
        connection.execution_options(isolation_level="AUTOCOMMIT").exec_driver_sql(
            "VACUUM event_tally_delta"
        )


def _fold_if_long(session: Session) -> None:
    # On a primary only: a standby cannot write.
    connection = session.connection()
    if connection.dialect.name != "postgresql":
        return
    waiting, standby = connection.execute(
        text(
            "SELECT count(*), pg_is_in_recovery() FROM "
            "(SELECT 1 FROM event_tally_delta LIMIT :over) AS waiting"
        ),
        {"over": FOLD_AFTER + 1},
    ).one()
    if waiting > FOLD_AFTER and not standby:
        fold_and_commit(session)
