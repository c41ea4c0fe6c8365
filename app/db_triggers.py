"""The triggers that copy event and claim sort keys onto their participant links, per engine.

The copies are kept by the database rather than by the services so that every writer keeps
them exact: the services, the seed loader, bulk inserts (seed.synthetic) and plain SQL.
SQLite cannot change a row in a BEFORE trigger, so a new link is inserted with the column
defaults and corrected at once; PostgreSQL sets the values before the row is written.

Revision 0004 created these triggers from a frozen copy of this DDL (a revision must keep its
meaning when the app changes); this module is the current definition, and `recreate` puts the
triggers back after a SQLite batch migration that rebuilt a link table or its parent (a rebuilt
table loses its triggers). `tests/test_db_triggers.py` checks that head holds exactly these.
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


def triggers(dialect: str) -> list[Trigger]:
    """Every copying trigger for `dialect` ("sqlite" or "postgresql")."""
    build = _sqlite if dialect == "sqlite" else _postgresql
    return [trigger for copy in LINK_COPIES for trigger in build(copy)]


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
