"""Statements read through the driver: several at once (a pipeline on PostgreSQL) give what
each gives alone, and a driver's error is raised as SQLAlchemy raises it."""

import pytest
from sqlalchemy.exc import DBAPIError
from sqlmodel import Session, col, select

from app.models import Event
from app.read import events
from app.read.columns import Select, dialect_of, markers, rebind, rows_of_each


def _filler_statements(session: Session) -> tuple[list[Select], list[object]]:
    """Every statement filling the seeded events, with their ids as the statements take them."""
    dialect = dialect_of(session)
    ids = [rebind(dialect, str(i)) for i in session.exec(select(col(Event.id))).all()]
    fillers = events.EVENTS_WITH_PARTICIPANTS.fillers
    statements = [s for filler in fillers for s in filler.statements(dialect, len(ids))]
    return statements, ids


def test_statements_at_once_read_what_each_reads_alone(seeded: Session) -> None:
    statements, ids = _filler_statements(seeded)
    assert len(statements) == 6
    together = rows_of_each(seeded, statements, ids)
    alone = [statement.rows(seeded, ids) for statement in statements]
    assert together == alone
    # The seed has something in each: identifiers, citations, history, participants...
    assert sum(1 for rows in together if rows) >= 4


def test_a_failing_statement_among_others_is_a_database_error(seeded: Session) -> None:
    statements, ids = _filler_statements(seeded)
    # Refused by the server, not the driver: the statement takes the others' parameters.
    where = f"WHERE id IN ({markers(dialect_of(seeded), len(ids))})"
    failing = Select(sql=f"SELECT no_such_column FROM event {where}", decoders=(None,))
    with pytest.raises(DBAPIError) as raised:
        rows_of_each(seeded, [statements[0], failing, statements[1]], ids)
    assert "no_such_column" in str(raised.value.orig)
    assert not raised.value.connection_invalidated


def test_a_driver_error_of_one_statement_is_raised_as_sqlalchemy_does(seeded: Session) -> None:
    with pytest.raises(DBAPIError) as raised:
        Select(sql="SELECT no_such_column FROM event", decoders=(None,)).rows(seeded, [])
    assert raised.value.orig is not None
    assert "no_such_column" in str(raised.value.orig)
