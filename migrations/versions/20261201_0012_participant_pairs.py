"""Shared events per pair of participants, and per pair of roles, kept by triggers

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-01 08:30:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0012"
down_revision: str | None = "0011"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_TRIGGERS = ("participant_pair_insert", "participant_pair_delete", "participant_pair_update")
# Every ordered pair of links of one event held by two participants.
_SHARED = (
    "FROM event_participant x JOIN event_participant y "
    "ON y.event_id = x.event_id AND y.participant_id <> x.participant_id"
)


def upgrade() -> None:
    """Apply this revision."""
    op.create_table(
        "participant_pair",
        *_pair_columns(),
        sa.PrimaryKeyConstraint("participant_id", "other_id", name=op.f("pk_participant_pair")),
    )
    op.create_index(
        "ix_participant_pair_count", "participant_pair", ["participant_id", "count", "other_id"]
    )
    op.create_table(
        "participant_pair_role",
        *_pair_columns(),
        *_role_columns(),
        sa.PrimaryKeyConstraint(
            "participant_id",
            "other_id",
            "role",
            "other_role",
            name=op.f("pk_participant_pair_role"),
        ),
    )
    for name, roles in (("participant_pair_delta", False), ("participant_pair_role_delta", True)):
        op.create_table(
            name,
            sa.Column("id", sa.Integer(), nullable=False),
            *_pair_columns(),
            *(_role_columns() if roles else ()),
            sa.PrimaryKeyConstraint("id", name=op.f(f"pk_{name}")),
        )
        op.create_index(f"ix_{name}_pair", name, ["participant_id", "other_id"])
    # Triggers before the counts, as revision 0011's: on PostgreSQL the counts below then see
    # every link written before, and every link written after is counted by the triggers.
    sqlite = op.get_bind().dialect.name == "sqlite"
    for _, statements in _sqlite_pairs() if sqlite else _postgresql_pairs():
        for statement in statements:
            op.execute(statement)
    op.execute(
        "INSERT INTO participant_pair (participant_id, other_id, count) "
        f"SELECT x.participant_id, y.participant_id, count(DISTINCT x.event_id) {_SHARED} "
        "GROUP BY x.participant_id, y.participant_id"
    )
    op.execute(
        "INSERT INTO participant_pair_role (participant_id, other_id, role, other_role, count) "
        f"SELECT x.participant_id, y.participant_id, x.role, y.role, count(*) {_SHARED} "
        "GROUP BY x.participant_id, y.participant_id, x.role, y.role"
    )


def downgrade() -> None:
    """Revert this revision."""
    sqlite = op.get_bind().dialect.name == "sqlite"
    for name in _TRIGGERS:
        if sqlite:
            op.execute(f"DROP TRIGGER {name}")
        else:
            op.execute(f"DROP TRIGGER {name} ON event_participant")
            op.execute(f"DROP FUNCTION {name}()")
    for name in ("participant_pair_delta", "participant_pair_role_delta"):
        op.drop_index(f"ix_{name}_pair", table_name=name)
        op.drop_table(name)
    op.drop_table("participant_pair_role")
    op.drop_index("ix_participant_pair_count", table_name="participant_pair")
    op.drop_table("participant_pair")


def _pair_columns() -> list[sa.Column[object]]:
    return [
        sa.Column("participant_id", sa.Uuid(), nullable=False),
        sa.Column("other_id", sa.Uuid(), nullable=False),
        sa.Column("count", sa.Integer(), nullable=False),
    ]


def _role_columns() -> list[sa.Column[object]]:
    return [
        sa.Column("role", sa.String(length=32), nullable=False),
        sa.Column("other_role", sa.String(length=32), nullable=False),
    ]


# A frozen copy of app.db_triggers' pair triggers as revision 0012 made them.
# The link columns a pair count depends on: which participant, in which event, in which role.
_PAIRED = ("event_id", "participant_id", "role")


def _sqlite_pairs() -> list[tuple[str, tuple[str, ...]]]:
    # One writer at a time, row by row: a link's change goes straight into the counts. An
    # update is the old link taken out and the new one put in, both against the event's other
    # links (all but the updated row, whichever version of it the table holds).
    insert = _sqlite_pair_counts("new", "+", "new")
    delete = _sqlite_pair_counts("old", "-", "old") + _sqlite_pair_zeros()
    update = (
        _sqlite_pair_counts("old", "-", "new")
        + _sqlite_pair_counts("new", "+", "new")
        + _sqlite_pair_zeros()
    )
    changed = " OR ".join(f"new.{c} IS NOT old.{c}" for c in _PAIRED)
    return [
        (
            "participant_pair_insert",
            (
                "CREATE TRIGGER participant_pair_insert AFTER INSERT ON event_participant "
                f"BEGIN {' '.join(insert)} END",
            ),
        ),
        (
            "participant_pair_delete",
            (
                "CREATE TRIGGER participant_pair_delete AFTER DELETE ON event_participant "
                f"BEGIN {' '.join(delete)} END",
            ),
        ),
        (
            "participant_pair_update",
            (
                "CREATE TRIGGER participant_pair_update AFTER UPDATE OF "
                f"{', '.join(_PAIRED)} ON event_participant WHEN {changed} "
                f"BEGIN {' '.join(update)} END",
            ),
        ),
    ]


def _sqlite_pair_counts(row: str, sign: str, this: str) -> list[str]:
    """Statements adding (`+`) or removing (`-`) the link `row` from its pairs' counts.

    `this` is the trigger's row (`new` or `old`) whose rowid marks the link itself.
    """
    others = (
        f"FROM event_participant x WHERE x.event_id = {row}.event_id "
        f"AND x.participant_id <> {row}.participant_id AND x.rowid <> {this}.rowid"
    )
    # A participant holding another part in the event already shares it with everyone there.
    alone = (
        "NOT EXISTS (SELECT 1 FROM event_participant y WHERE y.event_id = "
        f"{row}.event_id AND y.participant_id = {row}.participant_id AND y.rowid <> {this}.rowid)"
    )
    step = f"{sign}1"
    return [
        "INSERT INTO participant_pair_role (participant_id, other_id, role, other_role, count) "
        f"SELECT {row}.participant_id, x.participant_id, {row}.role, x.role, {step} {others} "
        f"UNION ALL SELECT x.participant_id, {row}.participant_id, x.role, {row}.role, {step} "
        f"{others} ON CONFLICT (participant_id, other_id, role, other_role) "
        "DO UPDATE SET count = count + excluded.count;",
        "INSERT INTO participant_pair (participant_id, other_id, count) "
        f"SELECT DISTINCT {row}.participant_id, x.participant_id, {step} {others} AND {alone} "
        f"UNION ALL SELECT DISTINCT x.participant_id, {row}.participant_id, {step} {others} "
        f"AND {alone} ON CONFLICT (participant_id, other_id) "
        "DO UPDATE SET count = count + excluded.count;",
    ]


def _sqlite_pair_zeros() -> list[str]:
    """Statements removing the counts the old link's removal took to zero."""
    there = "(SELECT x.participant_id FROM event_participant x WHERE x.event_id = old.event_id)"
    return [
        f"DELETE FROM {table} WHERE count = 0 AND "
        f"(participant_id = old.participant_id AND other_id IN {there} "
        f"OR other_id = old.participant_id AND participant_id IN {there});"
        for table in ("participant_pair", "participant_pair_role")
    ]


def _postgresql_pairs() -> list[tuple[str, tuple[str, ...]]]:
    # As the tally's: per statement, into delta tables no two writers lock. A statement may
    # change several links of one event, so each event it touched is counted before and after
    # (`was` and `now`), only the pairs of a changed link: the others' counts stay as they were.
    return [
        _postgresql_pair_trigger("insert", "NEW TABLE AS added", ("added",)),
        _postgresql_pair_trigger("delete", "OLD TABLE AS removed", ("removed",)),
        _postgresql_pair_trigger(
            "update", "OLD TABLE AS removed NEW TABLE AS added", ("removed", "added")
        ),
    ]


def _postgresql_pair_trigger(
    event: str, referencing: str, rows: tuple[str, ...]
) -> tuple[str, tuple[str, ...]]:
    name = f"participant_pair_{event}"
    keys = ", ".join(_PAIRED)
    none = f"SELECT {keys} FROM event_participant WHERE false"
    # A link's identity is its unique (event, participant, role): an update that rewrote a
    # link without changing those changes no count.
    put = f"SELECT {keys} FROM added" if "added" in rows else none
    taken = f"SELECT {keys} FROM removed" if "removed" in rows else none
    if len(rows) == 2:
        put, taken = f"({put} EXCEPT {taken})", f"({taken} EXCEPT {put})"
    roles = " UNION ALL ".join(
        f"SELECT x.participant_id, y.participant_id AS other_id, x.role, y.role AS other_role, "
        f"{step} AS step FROM {links} x JOIN {links} y ON y.event_id = x.event_id "
        f"AND y.participant_id <> x.participant_id WHERE ({_row('x')}) IN (SELECT * FROM "
        f"{changed}) OR ({_row('y')}) IN (SELECT * FROM {changed})"
        for links, changed, step in (("now", "put", 1), ("was", "taken", -1))
    )
    pairs = " UNION ALL ".join(
        f"SELECT x.participant_id, y.participant_id AS other_id, {step} AS step "
        f"FROM {present} x JOIN {present} y ON y.event_id = x.event_id "
        "AND y.participant_id <> x.participant_id WHERE (x.event_id, x.participant_id) IN "
        "(SELECT * FROM moved) OR (y.event_id, y.participant_id) IN (SELECT * FROM moved)"
        for present, step in (("now_present", 1), ("was_present", -1))
    )
    # Two transactions adding links to one event would each miss the other's uncommitted
    # link, and so their pair: the second waits here for the first to end, then (a new
    # statement, a new snapshot under READ COMMITTED) sees its links. In order of id, so that
    # two statements locking the same events cannot deadlock.
    events = " UNION ".join(f"SELECT event_id FROM {r}" for r in rows)
    lock = f"PERFORM 1 FROM event WHERE id IN ({events}) ORDER BY id FOR NO KEY UPDATE"
    counted = (
        f"WITH put AS ({put}), taken AS ({taken}), "
        "touched AS (SELECT event_id FROM put UNION SELECT event_id FROM taken), "
        # Per touched event through the index on event_id (OFFSET 0 keeps the lateral from
        # being flattened into a join, which the planner, blind to the size of a transition
        # table, would make a scan of every link).
        f"now AS (SELECT {_row('l')} FROM touched t CROSS JOIN LATERAL (SELECT {keys} "
        "FROM event_participant WHERE event_id = t.event_id OFFSET 0) AS l), "
        "was AS ((SELECT * FROM now EXCEPT SELECT * FROM put) UNION ALL SELECT * FROM taken), "
        "now_present AS (SELECT DISTINCT event_id, participant_id FROM now), "
        "was_present AS (SELECT DISTINCT event_id, participant_id FROM was), "
        "moved AS (SELECT event_id, participant_id FROM put "
        "UNION SELECT event_id, participant_id FROM taken), "
        f"roles AS ({roles}), pairs AS ({pairs}), "
        "role_deltas AS (INSERT INTO participant_pair_role_delta "
        "(participant_id, other_id, role, other_role, count) "
        "SELECT participant_id, other_id, role, other_role, sum(step) FROM roles "
        "GROUP BY 1, 2, 3, 4 HAVING sum(step) <> 0) "
        "INSERT INTO participant_pair_delta (participant_id, other_id, count) "
        "SELECT participant_id, other_id, sum(step) FROM pairs GROUP BY 1, 2 "
        "HAVING sum(step) <> 0"
    )
    return (
        name,
        (
            f"CREATE FUNCTION {name}() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN "
            f"{lock}; {counted}; RETURN NULL; END $$",
            f"CREATE TRIGGER {name} AFTER {event.upper()} ON event_participant "
            f"REFERENCING {referencing} FOR EACH STATEMENT EXECUTE FUNCTION {name}()",
        ),
    )


def _row(alias: str) -> str:
    return ", ".join(f"{alias}.{c}" for c in _PAIRED)
