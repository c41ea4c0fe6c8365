"""Every trigger of the schema, per engine: sort-key copies on links and the event tally.

Link tables hold copies of their event's or claim's sort keys; event_tally holds counts of
events per month-able start, type, country and status (app.services.event_tally). Both are
kept by the database rather than by the services so that every writer keeps them exact: the
services, the seed loader, bulk inserts (seed.synthetic), imports and plain SQL.
SQLite cannot change a row in a BEFORE trigger, so a new link is inserted with the column
defaults and corrected at once; PostgreSQL sets the values before the row is written.

Revisions 0004 and 0011 created these triggers from frozen copies of this DDL (a revision must
keep its meaning when the app changes); this module is the current definition, and `recreate`
puts the triggers back after a SQLite batch migration that rebuilt a table (a rebuilt table
loses its triggers). `tests/test_db_triggers.py` checks that head holds exactly these.
"""

from dataclasses import dataclass

from sqlalchemy import Connection, text


@dataclass(frozen=True)
class LinkCopy:
    """A link table holding copies of its parent's sort keys: (link column, parent column)."""

    link: str
    parent: str
    key: str
    copies: tuple[tuple[str, str], ...]


@dataclass(frozen=True)
class Trigger:
    """One trigger: its name, the table it is on, and the statements that create it."""

    name: str
    table: str
    create: tuple[str, ...]


LINK_COPIES = (
    LinkCopy(
        "event_participant",
        "event",
        "event_id",
        (("event_created_at", "created_at"), ("event_start_sort", "start_sort")),
    ),
    LinkCopy(
        "claim_subject",
        "claim",
        "claim_id",
        (("claim_created_at", "created_at"), ("claim_stated_sort", "stated_sort")),
    ),
)


@dataclass(frozen=True)
class Tally:
    """One grouping counted in event_tally: by an event column's value, or by start period."""

    group_by: str
    columns: tuple[str, ...]
    # For month and year, the length of the period in an ISO date and its to_char format.
    period: tuple[int, str] | None = None

    def key(self, dialect: str, row: str = "") -> str:
        """The SQL of an event `row`'s key (`row` is `new.`, `old.` or empty)."""
        if self.period is None:
            return f"{row}{self.columns[0]}"
        earliest, latest = (f"{row}{c}" for c in self.columns)
        length, style = self.period
        # The scan's buckets (app.services.event_stats): a period only where both bounds of
        # the start fall in it, put as app.query.dialects.period puts a date into one.
        if dialect == "sqlite":
            first, last = (f"substr({d}, 1, {length})" for d in (earliest, latest))
        else:
            first, last = (f"to_char({d}, '{style}')" for d in (earliest, latest))
        return (
            f"CASE WHEN {earliest} IS NULL AND {latest} IS NULL THEN 'undated' "
            f"WHEN {first} = {last} THEN {first} ELSE 'imprecise' END"
        )


# A count per month and year rather than per stored (earliest, latest) pair: the pairs grow
# with the events (9,335 at 20,000 synthetic ones), and reading them cost as much as a scan.
_START = ("start_earliest", "start_latest")
TALLIES = (
    Tally("month", _START, (7, "YYYY-MM")),
    Tally("year", _START, (4, "YYYY")),
    Tally("event_type", ("event_type",)),
    Tally("country", ("location_country",)),
    Tally("status", ("status",)),
)
# Every event column a count depends on.
TALLIED = tuple(dict.fromkeys(c for t in TALLIES for c in t.columns))


def triggers(dialect: str) -> list[Trigger]:
    """Every trigger for `dialect` ("sqlite" or "postgresql")."""
    if dialect == "sqlite":
        return [t for copy in LINK_COPIES for t in _sqlite(copy)] + _sqlite_tally()
    return [t for copy in LINK_COPIES for t in _postgresql(copy)] + _postgresql_tally()


def drop_statements(trigger: Trigger, dialect: str) -> list[str]:
    """The statements removing `trigger` (and, on PostgreSQL, its function) if present."""
    if dialect == "sqlite":
        return [f"DROP TRIGGER IF EXISTS {trigger.name}"]
    return [
        f"DROP TRIGGER IF EXISTS {trigger.name} ON {trigger.table}",
        f"DROP FUNCTION IF EXISTS {trigger.name}()",
    ]


def recreate(connection: Connection, tables: tuple[str, ...] | None = None) -> None:
    """Drop and create the triggers on `tables` (all when None), e.g. after a batch migration.

    In a revision: `db_triggers.recreate(op.get_bind(), ("event_participant",))`.
    """
    dialect = connection.dialect.name
    for trigger in triggers(dialect):
        if tables is not None and trigger.table not in tables:
            continue
        for statement in [*drop_statements(trigger, dialect), *trigger.create]:
            connection.execute(text(statement))


def _sqlite(copy: LinkCopy) -> list[Trigger]:
    link, parent, key = copy.link, copy.parent, copy.key
    from_parent = ", ".join(
        f"{mine} = (SELECT {theirs} FROM {parent} WHERE id = new.{key})"
        for mine, theirs in copy.copies
    )
    from_new = ", ".join(f"{mine} = new.{theirs}" for mine, theirs in copy.copies)
    changed = " OR ".join(f"new.{theirs} IS NOT old.{theirs}" for _, theirs in copy.copies)
    columns = ", ".join(theirs for _, theirs in copy.copies)
    return [
        Trigger(
            f"{link}_copy_insert",
            link,
            (
                f"CREATE TRIGGER {link}_copy_insert AFTER INSERT ON {link} BEGIN "
                f"UPDATE {link} SET {from_parent} WHERE rowid = new.rowid; END",
            ),
        ),
        Trigger(
            f"{link}_copy_move",
            link,
            (
                f"CREATE TRIGGER {link}_copy_move AFTER UPDATE OF {key} ON {link} BEGIN "
                f"UPDATE {link} SET {from_parent} WHERE rowid = new.rowid; END",
            ),
        ),
        Trigger(
            f"{parent}_{link}_copy",
            parent,
            (
                f"CREATE TRIGGER {parent}_{link}_copy AFTER UPDATE OF {columns} ON {parent} "
                f"WHEN {changed} BEGIN UPDATE {link} SET {from_new} WHERE {key} = new.id; END",
            ),
        ),
    ]


def _postgresql(copy: LinkCopy) -> list[Trigger]:
    link, parent, key = copy.link, copy.parent, copy.key
    mine = ", ".join(f"NEW.{m}" for m, _ in copy.copies)
    theirs = ", ".join(f"p.{t}" for _, t in copy.copies)
    from_new = ", ".join(f"{m} = NEW.{t}" for m, t in copy.copies)
    changed = " OR ".join(f"NEW.{t} IS DISTINCT FROM OLD.{t}" for _, t in copy.copies)
    columns = ", ".join(t for _, t in copy.copies)
    return [
        Trigger(
            f"{link}_copy",
            link,
            (
                f"CREATE FUNCTION {link}_copy() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN "
                f"SELECT {theirs} INTO {mine} FROM {parent} p WHERE p.id = NEW.{key}; "
                "RETURN NEW; END $$",
                f"CREATE TRIGGER {link}_copy BEFORE INSERT OR UPDATE OF {key} ON {link} "
                f"FOR EACH ROW EXECUTE FUNCTION {link}_copy()",
            ),
        ),
        Trigger(
            f"{parent}_{link}_copy",
            parent,
            (
                f"CREATE FUNCTION {parent}_{link}_copy() RETURNS trigger LANGUAGE plpgsql AS $$ "
                f"BEGIN UPDATE {link} SET {from_new} WHERE {key} = NEW.id; RETURN NULL; END $$",
                f"CREATE TRIGGER {parent}_{link}_copy AFTER UPDATE OF {columns} ON {parent} "
                f"FOR EACH ROW WHEN ({changed}) EXECUTE FUNCTION {parent}_{link}_copy()",
            ),
        ),
    ]


def _sqlite_tally() -> list[Trigger]:
    # One writer at a time (app.sqlite_writers): each event's change goes straight into
    # event_tally. A NULL key (no country) never conflicts in a unique index, so a missing
    # row is added first and then counted, instead of an upsert.
    insert = " ".join(s for t in TALLIES for s in _sqlite_count(t, "new", "+"))
    delete = " ".join(s for t in TALLIES for s in _sqlite_count(t, "old", "-"))
    update = " ".join(
        s
        for t in TALLIES
        for s in [*_sqlite_count(t, "old", "-", moved=True), *_sqlite_count(t, "new", "+", True)]
    )
    return [
        Trigger(
            "event_tally_insert",
            "event",
            (f"CREATE TRIGGER event_tally_insert AFTER INSERT ON event BEGIN {insert} END",),
        ),
        Trigger(
            "event_tally_delete",
            "event",
            (f"CREATE TRIGGER event_tally_delete AFTER DELETE ON event BEGIN {delete} END",),
        ),
        Trigger(
            "event_tally_update",
            "event",
            (
                f"CREATE TRIGGER event_tally_update AFTER UPDATE OF {', '.join(TALLIED)} ON event "
                f"BEGIN {update} END",
            ),
        ),
    ]


def _sqlite_count(tally: Tally, row: str, sign: str, moved: bool = False) -> list[str]:
    """Statements adding (`+`) or removing (`-`) one event `row` from its key's count."""
    match = f"group_by = '{tally.group_by}' AND key IS {tally.key('sqlite', f'{row}.')}"
    # On an update, only the groupings whose columns changed.
    changed = " OR ".join(f"new.{c} IS NOT old.{c}" for c in tally.columns)
    when = f" AND ({changed})" if moved else ""
    count = f"UPDATE event_tally SET count = count {sign} 1 WHERE {match}{when};"
    if sign == "-":
        return [count]
    add = (
        "INSERT INTO event_tally (group_by, key, count) "
        f"SELECT '{tally.group_by}', {tally.key('sqlite', f'{row}.')}, 0 "
        f"WHERE NOT EXISTS (SELECT 1 FROM event_tally WHERE {match}){when};"
    )
    return [add, count]


def _postgresql_tally() -> list[Trigger]:
    # Concurrent writers must not queue on one hot counter row (every new confirmed event
    # would lock the same one until commit), nor deadlock locking several in different orders:
    # the triggers only insert into event_tally_delta, which a fold moves into event_tally.
    # Per statement, from the transition tables: a multi-row INSERT writes one delta per key,
    # and an update that moves no key writes none.
    return [
        _postgresql_tally_trigger("insert", "NEW TABLE AS added", ("added",)),
        _postgresql_tally_trigger("delete", "OLD TABLE AS removed", ("removed",)),
        _postgresql_tally_trigger(
            "update", "OLD TABLE AS removed NEW TABLE AS added", ("removed", "added")
        ),
    ]


def _postgresql_tally_trigger(event: str, referencing: str, rows: tuple[str, ...]) -> Trigger:
    name = f"event_tally_{event}"
    steps = {"removed": -1, "added": 1}
    columns = ", ".join(TALLIED)
    changed = " UNION ALL ".join(f"SELECT {columns}, {steps[r]} AS step FROM {r}" for r in rows)
    sums = " UNION ALL ".join(
        f"SELECT '{t.group_by}', {t.key('postgresql')}, sum(step) "
        "FROM changed GROUP BY 2 HAVING sum(step) <> 0"
        for t in TALLIES
    )
    return Trigger(
        name,
        "event",
        (
            f"CREATE FUNCTION {name}() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN "
            f"WITH changed AS ({changed}) "
            f"INSERT INTO event_tally_delta (group_by, key, count) {sums}; "
            "RETURN NULL; END $$",
            f"CREATE TRIGGER {name} AFTER {event.upper()} ON event REFERENCING {referencing} "
            f"FOR EACH STATEMENT EXECUTE FUNCTION {name}()",
        ),
    )
