"""Sort keys of events and claims copied onto their participant links, kept by triggers

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-26 03:25:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# What a new link holds for an instant on SQLite, before its trigger copies the real value
# (ALTER TABLE ADD COLUMN there takes constant defaults only). app.models uses the same.
PLACEHOLDER_TIME = "0001-01-01 00:00:00+00"

# (link table, parent table, parent key column on the link, copied columns: link <- parent)
_COPIES = (
    (
        "event_participant",
        "event",
        "event_id",
        (("event_created_at", "created_at"), ("event_start_sort", "start_sort")),
    ),
    (
        "claim_subject",
        "claim",
        "claim_id",
        (("claim_created_at", "created_at"), ("claim_stated_sort", "stated_sort")),
    ),
)


def upgrade() -> None:
    """Apply this revision."""
    for link, parent, key, copies in _COPIES:
        (created, _), (sort, parent_sort) = copies
        with op.batch_alter_table(link, schema=None) as batch_op:
            batch_op.add_column(
                sa.Column(
                    created,
                    sa.DateTime(timezone=True),
                    server_default=PLACEHOLDER_TIME,
                    nullable=False,
                )
            )
            batch_op.add_column(
                sa.Column(sort, sa.Date(), server_default="0001-01-01", nullable=False)
            )
        assignments = ", ".join(f"{mine} = p.{theirs}" for mine, theirs in copies)
        op.execute(f"UPDATE {link} SET {assignments} FROM {parent} p WHERE p.id = {link}.{key}")
        with op.batch_alter_table(link, schema=None) as batch_op:
            batch_op.create_index(
                f"ix_{link}_participant_created", ["participant_id", created, key], unique=False
            )
            batch_op.create_index(
                f"ix_{link}_participant_{parent_sort.removesuffix('_sort')}",
                ["participant_id", sort, key],
                unique=False,
            )
    sqlite = op.get_bind().dialect.name == "sqlite"
    for link, parent, key, copies in _COPIES:
        script = _sqlite_triggers if sqlite else _postgresql_triggers
        for statement in script(link, parent, key, copies):
            op.execute(statement)


def downgrade() -> None:
    """Revert this revision."""
    sqlite = op.get_bind().dialect.name == "sqlite"
    for link, parent, _, copies in reversed(_COPIES):
        if sqlite:
            op.execute(f"DROP TRIGGER {parent}_{link}_copy")
            op.execute(f"DROP TRIGGER {link}_copy_insert")
            op.execute(f"DROP TRIGGER {link}_copy_move")
        else:
            op.execute(f"DROP TRIGGER {parent}_{link}_copy ON {parent}")
            op.execute(f"DROP FUNCTION {parent}_{link}_copy()")
            op.execute(f"DROP TRIGGER {link}_copy ON {link}")
            op.execute(f"DROP FUNCTION {link}_copy()")
        (created, _), (sort, parent_sort) = copies
        with op.batch_alter_table(link, schema=None) as batch_op:
            batch_op.drop_index(f"ix_{link}_participant_{parent_sort.removesuffix('_sort')}")
            batch_op.drop_index(f"ix_{link}_participant_created")
            batch_op.drop_column(sort)
            batch_op.drop_column(created)


# The copies are kept by the database rather than by the services so that every writer keeps
# them exact: the services, the seed loader, bulk inserts (seed.synthetic) and plain SQL.
# SQLite cannot change a row in a BEFORE trigger, so a new link is inserted with the column
# defaults and corrected at once; PostgreSQL sets the values before the row is written.
# A batch migration that recreates a link table on SQLite drops its triggers: recreate them.


def _sqlite_triggers(
    link: str, parent: str, key: str, copies: tuple[tuple[str, str], ...]
) -> list[str]:
    from_parent = ", ".join(
        f"{mine} = (SELECT {theirs} FROM {parent} WHERE id = new.{key})" for mine, theirs in copies
    )
    from_new = ", ".join(f"{mine} = new.{theirs}" for mine, theirs in copies)
    changed = " OR ".join(f"new.{theirs} IS NOT old.{theirs}" for _, theirs in copies)
    columns = ", ".join(theirs for _, theirs in copies)
    return [
        f"CREATE TRIGGER {link}_copy_insert AFTER INSERT ON {link} BEGIN "
        f"UPDATE {link} SET {from_parent} WHERE rowid = new.rowid; END",
        f"CREATE TRIGGER {link}_copy_move AFTER UPDATE OF {key} ON {link} BEGIN "
        f"UPDATE {link} SET {from_parent} WHERE rowid = new.rowid; END",
        f"CREATE TRIGGER {parent}_{link}_copy AFTER UPDATE OF {columns} ON {parent} "
        f"WHEN {changed} BEGIN UPDATE {link} SET {from_new} WHERE {key} = new.id; END",
    ]


def _postgresql_triggers(
    link: str, parent: str, key: str, copies: tuple[tuple[str, str], ...]
) -> list[str]:
    mine = ", ".join(f"NEW.{m}" for m, _ in copies)
    theirs = ", ".join(f"p.{t}" for _, t in copies)
    from_new = ", ".join(f"{m} = NEW.{t}" for m, t in copies)
    changed = " OR ".join(f"NEW.{t} IS DISTINCT FROM OLD.{t}" for _, t in copies)
    columns = ", ".join(t for _, t in copies)
    return [
        f"CREATE FUNCTION {link}_copy() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN "
        f"SELECT {theirs} INTO {mine} FROM {parent} p WHERE p.id = NEW.{key}; "
        "RETURN NEW; END $$",
        f"CREATE TRIGGER {link}_copy BEFORE INSERT OR UPDATE OF {key} ON {link} "
        f"FOR EACH ROW EXECUTE FUNCTION {link}_copy()",
        f"CREATE FUNCTION {parent}_{link}_copy() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN "
        f"UPDATE {link} SET {from_new} WHERE {key} = NEW.id; RETURN NULL; END $$",
        f"CREATE TRIGGER {parent}_{link}_copy AFTER UPDATE OF {columns} ON {parent} "
        f"FOR EACH ROW WHEN ({changed}) EXECUTE FUNCTION {parent}_{link}_copy()",
    ]
