"""Events shared per pair of participants, and per pair of roles, kept by triggers.

The triggers (app.db_triggers) keep participant_pair and participant_pair_role exact on
SQLite, one writer at a time; on PostgreSQL they only insert into the delta tables, which no
two writers lock, and `fold` moves those rows in now and then, as event_tally's. A count is
the sum of both tables. They answer the all-time network (app.services.networks).
"""

import uuid
from collections import defaultdict

import sqlalchemy as sa
from sqlalchemy import Connection, Engine, func, text, union_all
from sqlmodel import Session, col, select

from app.models import (
    ParticipantPair,
    ParticipantPairDelta,
    ParticipantPairRole,
    ParticipantPairRoleDelta,
    metadata,
)
from app.schemas.timelines import NetworkQuery

# Delta rows a read tolerates before it folds them (as event_tally.FOLD_AFTER).
FOLD_AFTER = 1000
# Ids looked up per statement: well under either engine's limit of parameters.
_BATCH = 500
# Held for the fold's transaction: one folder at a time, the others read base + deltas.
_FOLD_LOCK = 0x70616972  # "pair" in ASCII


# Only folds write the base tables on PostgreSQL, one at a time (the lock above), so a MERGE
# meets no concurrent insert of its keys; it removes the counts that fell to zero, which an
# upsert would leave behind for a scan to find.
def _fold_statement(table: str, keys: tuple[str, ...]) -> sa.TextClause:
    listed = ", ".join(keys)
    matched = " AND ".join(f"t.{k} = d.{k}" for k in keys)
    return text(
        f"WITH moved AS (DELETE FROM {table}_delta RETURNING {listed}, count) "
        f"MERGE INTO {table} AS t USING (SELECT {listed}, sum(count) AS count FROM moved "
        f"GROUP BY {listed} HAVING sum(count) <> 0) AS d ON {matched} "
        "WHEN MATCHED AND t.count + d.count = 0 THEN DELETE "
        "WHEN MATCHED THEN UPDATE SET count = t.count + d.count "
        f"WHEN NOT MATCHED THEN INSERT ({listed}, count) "
        f"VALUES ({', '.join(f'd.{k}' for k in keys)}, d.count)"
    )


_FOLDS = (
    _fold_statement("participant_pair", ("participant_id", "other_id")),
    _fold_statement("participant_pair_role", ("participant_id", "other_id", "role", "other_role")),
)

Counts = dict[uuid.UUID, int]
RoleCounts = dict[uuid.UUID, list[tuple[str, str, int]]]


def answers(query: NetworkQuery) -> bool:
    """Whether the kept counts answer `query`: all time, every event type."""
    return not (query.start_after or query.start_before or query.event_type)


def ranked(session: Session, participant_id: uuid.UUID, limit: int) -> Counts:
    """Shared events per other, for every other that may be among the `limit` most shared.

    All those sharing as many events as the last of them are included: ties go by name.
    """
    _fold_if_long(session)
    connection = session.connection()
    pending = _pending(connection, participant_id)
    pair = metadata.tables[ParticipantPair.__tablename__]
    mine = pair.c.participant_id == participant_id
    # The `limit` + len(pending) most shared in participant_pair hold at least `limit` whose
    # counts no delta changes: none outside them, and no other delta, can reach past them.
    least = connection.execute(
        sa.select(pair.c.count)
        .where(mine)
        .order_by(pair.c.count.desc())
        .limit(1)
        .offset(limit - 1 + len(pending))
    ).scalar()
    found = {
        _uuid(other): count
        for other, count in connection.execute(
            sa.select(pair.c.other_id, pair.c.count).where(mine, pair.c.count >= (least or 1))
        )
    }
    if pending:
        for batch in _batches(list(pending)):
            rows = sa.select(pair.c.other_id, pair.c.count).where(mine, pair.c.other_id.in_(batch))
            found.update((_uuid(other), count) for other, count in connection.execute(rows))
        for other, change in pending.items():
            found[other] = found.get(other, 0) + change
    return {other: count for other, count in found.items() if count > 0}


def role_counts(session: Session, participant_id: uuid.UUID, others: list[uuid.UUID]) -> RoleCounts:
    """(role, other role, shared events) per other of `others`, in role order."""
    found: RoleCounts = defaultdict(list)
    for batch in _batches(others):
        counted = union_all(
            *(
                select(col(t.other_id), col(t.role), col(t.other_role), col(t.count)).where(
                    col(t.participant_id) == participant_id, col(t.other_id).in_(batch)
                )
                for t in (ParticipantPairRole, ParticipantPairRoleDelta)
            )
        ).subquery("counted")
        total = func.sum(counted.c.count)
        summed = (
            sa.select(counted.c.other_id, counted.c.role, counted.c.other_role, total)
            .group_by(counted.c.other_id, counted.c.role, counted.c.other_role)
            .having(total != 0)
        )
        for other, role, other_role, count in session.connection().execute(summed):
            found[_uuid(other)].append((role, other_role, int(count)))
    # In Python's order of the roles, as the scan sorts them (a collation might not).
    return {other: sorted(pairs) for other, pairs in found.items()}


def fold(connection: Connection) -> int:
    """Move the delta rows into the pair counts in the caller's transaction (PostgreSQL).

    Does nothing while another transaction folds. Returns the number of counts changed.
    """
    if connection.dialect.name != "postgresql":
        return 0
    locked = connection.execute(text("SELECT pg_try_advisory_xact_lock(:k)"), {"k": _FOLD_LOCK})
    if not locked.scalar_one():
        return 0
    return sum(connection.execute(statement).rowcount for statement in _FOLDS)


def fold_and_commit(session: Session) -> None:
    """Fold the deltas (PostgreSQL) and commit; after a large fold, vacuum the delta tables."""
    moved = fold(session.connection())
    session.commit()
    bind = session.get_bind()
    # A session bound to a connection (a test's) is inside a transaction: no VACUUM there.
    if moved > FOLD_AFTER and isinstance(bind, Engine):
        with bind.connect() as connection:
            vacuum(connection)


def vacuum(connection: Connection) -> None:
    """Reclaim the delta rows a fold left dead (PostgreSQL), as event_tally.vacuum."""
    if connection.dialect.name == "postgresql":
        autocommit = connection.execution_options(isolation_level="AUTOCOMMIT")
        autocommit.exec_driver_sql("VACUUM participant_pair_delta, participant_pair_role_delta")


def _pending(connection: Connection, participant_id: uuid.UUID) -> Counts:
    """The changes to a participant's pair counts not yet folded (PostgreSQL), per other."""
    if connection.dialect.name != "postgresql":
        return {}
    delta = metadata.tables[ParticipantPairDelta.__tablename__]
    total = func.sum(delta.c.count)
    rows = (
        sa.select(delta.c.other_id, total)
        .where(delta.c.participant_id == participant_id)
        .group_by(delta.c.other_id)
        .having(total != 0)
    )
    return {_uuid(other): int(change) for other, change in connection.execute(rows)}


def _fold_if_long(session: Session) -> None:
    # On a primary only: a standby cannot write.
    connection = session.connection()
    if connection.dialect.name != "postgresql":
        return
    waiting, standby = connection.execute(
        text(
            "SELECT count(*), pg_is_in_recovery() FROM "
            "(SELECT 1 FROM participant_pair_delta LIMIT :over) AS waiting"
        ),
        {"over": FOLD_AFTER + 1},
    ).one()
    if waiting > FOLD_AFTER and not standby:
        fold_and_commit(session)


def _batches(ids: list[uuid.UUID]) -> list[list[uuid.UUID]]:
    return [ids[at : at + _BATCH] for at in range(0, len(ids), _BATCH)]


def _uuid(value: object) -> uuid.UUID:
    return value if isinstance(value, uuid.UUID) else uuid.UUID(str(value))
