"""Event counts per start month and year, type, country and status, kept by triggers

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-01 03:30:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0011"
down_revision: str | None = "0010"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# A frozen copy of app.db_triggers.TALLIES: (group_by, counted columns, period length, format).
_START = ("start_earliest", "start_latest")
_TALLIES: tuple[tuple[str, tuple[str, ...], tuple[int, str] | None], ...] = (
    ("month", _START, (7, "YYYY-MM")),
    ("year", _START, (4, "YYYY")),
    ("event_type", ("event_type",), None),
    ("country", ("location_country",), None),
    ("status", ("status",), None),
)
_COUNTED = "start_earliest, start_latest, event_type, location_country, status"
_TRIGGERS = ("event_tally_insert", "event_tally_delete", "event_tally_update")


def upgrade() -> None:
    """Apply this revision."""
    for name in ("event_tally", "event_tally_delta"):
        op.create_table(
            name,
            sa.Column("id", sa.Integer(), nullable=False),
            sa.Column("group_by", sa.String(length=16), nullable=False),
            sa.Column("key", sa.String(length=32), nullable=True),
            sa.Column("count", sa.Integer(), nullable=False),
            sa.PrimaryKeyConstraint("id", name=op.f(f"pk_{name}")),
        )
    op.create_index(
        "uq_event_tally_key",
        "event_tally",
        ["group_by", "key"],
        unique=True,
        postgresql_nulls_not_distinct=True,
    )
    # Triggers before the counts: on PostgreSQL creating them waits for writers under way and
    # holds off new ones until commit, so the counts below see every event written before.
    dialect = op.get_bind().dialect.name
    for statement in _sqlite_triggers() if dialect == "sqlite" else _postgresql_triggers():
        op.execute(statement)
    counts = " UNION ALL ".join(
        f"SELECT '{group_by}', {_key(columns, period, dialect)}, count(*) FROM event GROUP BY 2"
        for group_by, columns, period in _TALLIES
    )
    op.execute(f"INSERT INTO event_tally (group_by, key, count) {counts}")


def downgrade() -> None:
    """Revert this revision."""
    sqlite = op.get_bind().dialect.name == "sqlite"
    for name in _TRIGGERS:
        if sqlite:
            op.execute(f"DROP TRIGGER {name}")
        else:
            op.execute(f"DROP TRIGGER {name} ON event")
            op.execute(f"DROP FUNCTION {name}()")
    op.drop_index("uq_event_tally_key", table_name="event_tally")
    op.drop_table("event_tally_delta")
    op.drop_table("event_tally")


def _key(
    columns: tuple[str, ...], period: tuple[int, str] | None, dialect: str, row: str = ""
) -> str:
    if period is None:
        return f"{row}{columns[0]}"
    earliest, latest = (f"{row}{c}" for c in columns)
    length, style = period
    if dialect == "sqlite":
        first, last = (f"substr({d}, 1, {length})" for d in (earliest, latest))
    else:
        first, last = (f"to_char({d}, '{style}')" for d in (earliest, latest))
    return (
        f"CASE WHEN {earliest} IS NULL AND {latest} IS NULL THEN 'undated' "
        f"WHEN {first} = {last} THEN {first} ELSE 'imprecise' END"
    )


def _sqlite_count(
    group_by: str,
    columns: tuple[str, ...],
    period: tuple[int, str] | None,
    row: str,
    sign: str,
    moved: bool = False,
) -> list[str]:
    key = _key(columns, period, "sqlite", f"{row}.")
    match = f"group_by = '{group_by}' AND key IS {key}"
    changed = " OR ".join(f"new.{c} IS NOT old.{c}" for c in columns)
    when = f" AND ({changed})" if moved else ""
    count = f"UPDATE event_tally SET count = count {sign} 1 WHERE {match}{when};"
    if sign == "-":
        return [count]
    add = (
        f"INSERT INTO event_tally (group_by, key, count) SELECT '{group_by}', {key}, 0 "
        f"WHERE NOT EXISTS (SELECT 1 FROM event_tally WHERE {match}){when};"
    )
    return [add, count]


def _sqlite_triggers() -> list[str]:
    insert = " ".join(s for t in _TALLIES for s in _sqlite_count(*t, "new", "+"))
    delete = " ".join(s for t in _TALLIES for s in _sqlite_count(*t, "old", "-"))
    update = " ".join(
        s
        for t in _TALLIES
        for s in [*_sqlite_count(*t, "old", "-", True), *_sqlite_count(*t, "new", "+", True)]
    )
    return [
        f"CREATE TRIGGER event_tally_insert AFTER INSERT ON event BEGIN {insert} END",
        f"CREATE TRIGGER event_tally_delete AFTER DELETE ON event BEGIN {delete} END",
        f"CREATE TRIGGER event_tally_update AFTER UPDATE OF {_COUNTED} ON event BEGIN {update} END",
    ]


def _postgresql_triggers() -> list[str]:
    sums = " UNION ALL ".join(
        f"SELECT '{group_by}', {_key(columns, period, 'postgresql')}, sum(step) "
        "FROM changed GROUP BY 2 HAVING sum(step) <> 0"
        for group_by, columns, period in _TALLIES
    )
    made = []
    for event, referencing, rows in (
        ("insert", "NEW TABLE AS added", (("added", 1),)),
        ("delete", "OLD TABLE AS removed", (("removed", -1),)),
        ("update", "OLD TABLE AS removed NEW TABLE AS added", (("removed", -1), ("added", 1))),
    ):
        name = f"event_tally_{event}"
        changed = " UNION ALL ".join(f"SELECT {_COUNTED}, {s} AS step FROM {r}" for r, s in rows)
        made += [
            f"CREATE FUNCTION {name}() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN "
            f"WITH changed AS ({changed}) "
            f"INSERT INTO event_tally_delta (group_by, key, count) {sums}; "
            "RETURN NULL; END $$",
            f"CREATE TRIGGER {name} AFTER {event.upper()} ON event REFERENCING {referencing} "
            f"FOR EACH STATEMENT EXECUTE FUNCTION {name}()",
        ]
    return made
