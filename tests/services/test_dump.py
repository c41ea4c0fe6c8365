"""The dump in import format: importing it into an empty database and dumping again is the same."""

import json
import uuid
from collections.abc import Iterator
from contextlib import AbstractContextManager, contextmanager, nullcontext

from sqlalchemy import Engine
from sqlmodel import Session

from app.services.dump import dump_records
from app.services.imports import ImportOptions, import_records, parse_ndjson
from seed.loader import load_article


@contextmanager
def rolled_back(engine: Engine) -> Iterator[Session]:
    """A session on the (empty) test database whose work is undone afterwards."""
    connection = engine.connect()
    transaction = connection.begin()
    session = Session(bind=connection, join_transaction_mode="create_savepoint")
    try:
        yield session
    finally:
        session.close()
        transaction.rollback()
        connection.close()


def real_data_lines() -> list[str]:
    """Records with what the seed lacks: identifiers, measures, citations, shared codes."""
    parent = str(uuid.uuid4())
    records = [
        {"type": "source", "slug": "wire", "kind": "report", "title": "W", "citation": "AFP wire"},
        {"type": "participant", "slug": "usa", "name": "USA", "kind": "state"}
        | {"identifiers": {"cameo": "USA"}},
        {"type": "participant", "slug": "dc", "name": "WASHINGTON", "kind": "other"}
        | {"identifiers": {"cameo": "USA"}},
        {"type": "event", "id": parent, "slug": "zz-summit", "title": "Summit"}
        | {"event_type": "meeting", "status": "occurred", "start": "2019-09"},
        {"type": "event", "slug": "aa-part", "title": "Part", "event_type": "meeting"}
        | {"status": "occurred", "parent_id": parent, "goldstein": 1.5, "quad_class": 1}
        | {"identifiers": {"gdelt": "864104301"}, "tone": -0.1234567, "location": {"country": "XK"}}
        | {"sources": [{"source": "wire", "locator": "p. 2"}]}
        | {"participants": [{"participant": "usa", "role": "initiator"}]},
        # Relates to an event after it by slug: the dump puts it after that event.
        {
            "type": "event",
            "slug": "mm-a",
            "title": "A",
            "event_type": "other",
            "status": "occurred",
        },
        {"type": "event", "slug": "mm-b", "title": "B", "event_type": "other", "status": "occurred"}
        | {"relations": [{"relation": "related_to", "event_id": "mm-a"}]},
    ]
    return [json.dumps(r) for r in records]


def dump(session: Session) -> bytes:
    """The whole database as NDJSON."""
    return b"".join(dump_records(session))


def load(session: Session, text: bytes) -> list[str]:
    """Import `text`; the statuses of its lines."""

    def factory() -> AbstractContextManager[Session]:
        return nullcontext(session)

    records = parse_ndjson(text.splitlines())
    return [r.status for r in import_records(factory, records, ImportOptions())]


def test_dump_imports_into_an_empty_database_and_dumps_the_same(engine: Engine) -> None:
    with rolled_back(engine) as session:
        load_article(session)
        assert set(load(session, "\n".join(real_data_lines()).encode())) == {"created"}
        first = dump(session)
        assert set(load(session, first)) == {"unchanged"}
    with rolled_back(engine) as session:
        statuses = load(session, first)
        assert set(statuses) == {"created"}
        second = dump(session)
    assert second == first
    kinds = [json.loads(line)["type"] for line in first.splitlines()]
    assert kinds == sorted(kinds, key=["source", "participant", "event", "claim"].index)
    assert (kinds.count("source"), kinds.count("participant")) == (2, 17)
    assert (kinds.count("event"), kinds.count("claim")) == (16, 11)
