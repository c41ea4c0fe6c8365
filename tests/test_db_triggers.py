"""Triggers at head are exactly app.db_triggers' (copies, tally, pairs); recreate restores them."""

import uuid

from fastapi.testclient import TestClient
from sqlalchemy import Connection, text
from sqlmodel import Session

from app import db_triggers
from tests.factories import make_event, make_event_participant, make_participant


def stored_triggers(connection: Connection) -> dict[str, tuple[str, str]]:
    """Trigger name -> (table, definition) as the database holds them."""
    if connection.dialect.name == "sqlite":
        rows = connection.execute(
            text("SELECT name, tbl_name, sql FROM sqlite_master WHERE type = 'trigger'")
        )
    else:
        rows = connection.execute(
            text(
                "SELECT t.tgname, c.relname, p.prosrc FROM pg_trigger t "
                "JOIN pg_class c ON c.oid = t.tgrelid JOIN pg_proc p ON p.oid = t.tgfoid "
                "WHERE NOT t.tgisinternal"
            )
        )
    return {name: (table, definition) for name, table, definition in rows}


def expected(connection: Connection) -> dict[str, tuple[str, str]]:
    """Trigger name -> (table, definition) as app.db_triggers writes them."""
    found = {}
    for trigger in db_triggers.triggers(connection.dialect.name):
        if connection.dialect.name == "sqlite":
            definition = trigger.create[0]
        else:
            # The function's body, between the dollar quotes of its CREATE FUNCTION.
            definition = trigger.create[0].split("$$")[1]
        found[trigger.name] = (trigger.table, definition)
    return found


class TestTriggersAtHead:
    def test_every_trigger_exists_as_defined(self, session: Session) -> None:
        connection = session.connection()
        stored = stored_triggers(connection)
        wanted = expected(connection)
        assert len(wanted) == (12 if connection.dialect.name == "sqlite" else 10)
        assert {name: stored.get(name) for name in wanted} == wanted

    def test_recreate_restores_dropped_triggers(self, session: Session, client: TestClient) -> None:
        connection = session.connection()
        dialect = connection.dialect.name
        for trigger in db_triggers.triggers(dialect):
            for statement in db_triggers.drop_statements(trigger, dialect):
                connection.execute(text(statement))
        assert not set(stored_triggers(connection)) & set(expected(connection))
        db_triggers.recreate(connection)
        stored = stored_triggers(connection)
        assert {name: stored.get(name) for name in expected(connection)} == expected(connection)
        # Working, not only present: a new link copies its event's sort keys.
        event = make_event(client, start="2021-03-04")
        link = make_event_participant(client, event["id"], make_participant(client)["id"])
        copied = connection.execute(
            text("SELECT event_start_sort FROM event_participant WHERE id = :id"),
            {"id": uuid.UUID(link["id"]).hex if dialect == "sqlite" else link["id"]},
        ).scalar_one()
        assert str(copied) == "2021-03-04"

    def test_recreate_limited_to_tables_leaves_the_others(self, session: Session) -> None:
        connection = session.connection()
        dialect = connection.dialect.name
        claim_side = [t for t in db_triggers.triggers(dialect) if t.table == "claim_subject"]
        for trigger in claim_side:
            for statement in db_triggers.drop_statements(trigger, dialect):
                connection.execute(text(statement))
        db_triggers.recreate(connection, ("event_participant",))
        missing = set(expected(connection)) - set(stored_triggers(connection))
        assert missing == {t.name for t in claim_side}
        db_triggers.recreate(connection, ("claim_subject",))
        assert set(expected(connection)) <= set(stored_triggers(connection))
