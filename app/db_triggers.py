"""Every trigger of the schema, per engine: sort-key copies on links, event and pair counts.

Link tables hold copies of their event's or claim's sort keys; event_tally holds counts of
events per month-able start, type, country and status (app.services.event_tally);
participant_pair and participant_pair_role hold the events each pair of participants shared
(app.services.participant_pairs). All are kept by the database rather than by the services
so that every writer keeps them exact: the services, the seed loader, bulk inserts
(seed.synthetic), imports and plain SQL.
SQLite cannot change a row in a BEFORE trigger, so a new link is inserted with the column
defaults and corrected at once; PostgreSQL sets the values before the row is written.

Revisions 0004, 0011 and 0012 created these triggers from frozen copies of this DDL (a revision must
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
        return (
            [t for copy in LINK_COPIES for t in _sqlite(copy)] + _sqlite_tally() + _sqlite_pairs()
        )
    return [
        *(t for copy in LINK_COPIES for t in _postgresql(copy)),
        *_postgresql_tally(),
        *_postgresql_pairs(),
    ]


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


# The link columns a pair count depends on: which participant, in which event, in which role.
PAIRED = ("event_id", "participant_id", "role")


def _sqlite_pairs() -> list[Trigger]:
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
    changed = " OR ".join(f"new.{c} IS NOT old.{c}" for c in PAIRED)
    return [
        Trigger(
            "participant_pair_insert",
            "event_participant",
            (
                "CREATE TRIGGER participant_pair_insert AFTER INSERT ON event_participant "
                f"BEGIN {' '.join(insert)} END",
            ),
        ),
        Trigger(
            "participant_pair_delete",
            "event_participant",
            (
                "CREATE TRIGGER participant_pair_delete AFTER DELETE ON event_participant "
                f"BEGIN {' '.join(delete)} END",
            ),
        ),
        Trigger(
            "participant_pair_update",
            "event_participant",
            (
                "CREATE TRIGGER participant_pair_update AFTER UPDATE OF "
                f"{', '.join(PAIRED)} ON event_participant WHEN {changed} "
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


def _postgresql_pairs() -> list[Trigger]:
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


def _postgresql_pair_trigger(event: str, referencing: str, rows: tuple[str, ...]) -> Trigger:
    name = f"participant_pair_{event}"
    keys = ", ".join(PAIRED)
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
    return Trigger(
        name,
        "event_participant",
        (
            f"CREATE FUNCTION {name}() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN "
            f"{lock}; {counted}; RETURN NULL; END $$",
            f"CREATE TRIGGER {name} AFTER {event.upper()} ON event_participant "
            f"REFERENCING {referencing} FOR EACH STATEMENT EXECUTE FUNCTION {name}()",
        ),
    )


def _row(alias: str) -> str:
    return ", ".join(f"{alias}.{c}" for c in PAIRED)
