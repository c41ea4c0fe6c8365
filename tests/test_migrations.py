"""The one migration history upgrades, downgrades and matches the models on both backends."""

import datetime as dt
import uuid
from collections.abc import Iterator

import pytest
from alembic import command
from sqlalchemy import Uuid, column, insert, inspect, table
from sqlalchemy.engine import make_url
from sqlmodel import Session, select

from app.db import build_engine
from app.models import ApiKey, Event, KeyEvent, UTCDateTime, metadata
from app.schemas.events import EventStatsQuery
from app.services.event_stats import event_stats
from tests.conftest import alembic_config, drop_database, fresh_schema, postgres_url
from tests.test_db_triggers import stored_triggers


@pytest.fixture(params=["sqlite", "postgresql"])
def empty_database_url(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[str]:
    """The URL of an empty database of each backend, apart from the suite's own."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path_factory.mktemp('migrations') / 'm.db'}"
        return
    base = postgres_url()
    if base is None:
        pytest.skip("PostgreSQL is unreachable")
    url = make_url(base).set(database=f"{make_url(base).database}_migrations")
    rendered = url.render_as_string(hide_password=False)
    found = postgres_url(rendered)
    assert found is not None
    engine = build_engine(found)
    fresh_schema(engine)
    engine.dispose()
    yield found
    drop_database(found)


def test_upgrade_downgrade_upgrade_then_check(empty_database_url: str) -> None:
    config = alembic_config(empty_database_url)
    command.upgrade(config, "head")
    command.downgrade(config, "base")
    engine = build_engine(empty_database_url)
    assert set(inspect(engine).get_table_names()) == {"alembic_version"}
    command.upgrade(config, "head")
    tables = {name for name in inspect(engine).get_table_names() if "_fts" not in name}
    assert tables == set(metadata.tables) | {"alembic_version"}
    engine.dispose()
    command.check(config)


def test_security_revision_marks_the_bootstrap_key_and_audits_existing_keys(
    empty_database_url: str,
) -> None:
    config = alembic_config(empty_database_url)
    command.upgrade(config, "0005")
    engine = build_engine(empty_database_url)
    made, revoked = dt.datetime(2026, 1, 1, tzinfo=dt.UTC), dt.datetime(2026, 2, 1, tzinfo=dt.UTC)
    keys = [
        (uuid.uuid4(), "bootstrap admin", "short-key!", None),
        (uuid.uuid4(), "importer", "ge_abcdefg", revoked),
    ]
    # The table as revision 0005 left it.
    before = table(
        "api_key",
        *(column(name) for name in ("name", "prefix", "key_hash", "scopes")),
        column("id", Uuid()),
        column("created_at", UTCDateTime()),
        column("revoked_at", UTCDateTime()),
    )
    rows = [
        {"id": ident, "name": name, "prefix": prefix, "key_hash": name, "scopes": "[]",
         "created_at": made, "revoked_at": revoked_at}
        for ident, name, prefix, revoked_at in keys
    ]  # fmt: skip
    with engine.begin() as conn:
        conn.execute(before.insert(), rows)
    command.upgrade(config, "head")
    with Session(engine) as session:
        stored = {row.name: row for row in session.exec(select(ApiKey))}
        events = [(e.key_id, e.action, e.via) for e in session.exec(select(KeyEvent))]
    engine.dispose()
    assert (stored["bootstrap admin"].bootstrap, stored["bootstrap admin"].prefix) == (True, "shor")
    assert (stored["importer"].bootstrap, stored["importer"].prefix) == (False, "ge_abcd")
    assert sorted(events, key=str) == sorted(
        [
            (keys[0][0], "created", "startup"),
            (keys[1][0], "created", "unknown"),
            (keys[1][0], "revoked", "unknown"),
        ],
        key=str,
    )


def test_tally_revision_counts_existing_events_and_downgrades(empty_database_url: str) -> None:
    config = alembic_config(empty_database_url)
    command.upgrade(config, "0010")
    engine = build_engine(empty_database_url)
    made = dt.datetime(2026, 1, 1, tzinfo=dt.UTC)
    keys = [
        (dt.date(2019, 9, 12), dt.date(2019, 9, 12), "meeting", "SY", "occurred"),
        (dt.date(2019, 9, 12), dt.date(2019, 9, 12), "attack", None, "occurred"),
        (None, None, "meeting", "SY", "planned"),
    ]
    rows = [
        {"id": uuid.uuid4(), "slug": f"e{n}", "title": "E", "event_type": kind, "status": status,
         "certainty": "confirmed", "created_at": made, "updated_at": made, "version": 1,
         "start_earliest": earliest, "start_latest": latest, "location_country": country}
        for n, (earliest, latest, kind, country, status) in enumerate(keys)
    ]  # fmt: skip
    with engine.begin() as conn:
        conn.execute(insert(Event), rows)
    command.upgrade(config, "head")
    tally = table("event_tally", column("group_by"), column("key"), column("count"))
    with engine.begin() as conn:
        found = {
            tuple(r) for r in conn.execute(select(tally.c.group_by, tally.c.key, tally.c.count))
        }
        # A new event counts at once, through the trigger.
        conn.execute(insert(Event), [rows[0] | {"id": uuid.uuid4(), "slug": "e9"}])
    assert found == {
        ("month", "2019-09", 2), ("month", "undated", 1),
        ("year", "2019", 2), ("year", "undated", 1),
        ("event_type", "meeting", 2), ("event_type", "attack", 1),
        ("country", "SY", 2), ("country", None, 1),
        ("status", "occurred", 2), ("status", "planned", 1),
    }  # fmt: skip
    with Session(engine) as session:
        query = EventStatsQuery(group_by="status")
        assert [(b.key, b.count) for b in event_stats(session, query).buckets] == [
            ("occurred", 3),
            ("planned", 1),
        ]
    command.downgrade(config, "0010")
    left = inspect(engine).get_table_names()
    with engine.connect() as conn:
        triggers = stored_triggers(conn)
    engine.dispose()
    assert not {"event_tally", "event_tally_delta"} & set(left)
    assert not [name for name in triggers if name.startswith("event_tally")]


def test_pair_revision_counts_existing_links_and_downgrades(empty_database_url: str) -> None:
    config = alembic_config(empty_database_url)
    command.upgrade(config, "0011")
    engine = build_engine(empty_database_url)
    made = dt.datetime(2026, 1, 1, tzinfo=dt.UTC)
    ids = {name: uuid.uuid4() for name in ("a", "b", "c", "e1", "e2")}
    participants = [
        {"id": ids[n], "slug": n, "name": n, "kind": "person", "created_at": made,
         "updated_at": made, "version": 1, "aliases": []}
        for n in "abc"
    ]  # fmt: skip
    events = [
        {"id": ids[n], "slug": n, "title": n, "event_type": "meeting", "status": "occurred",
         "certainty": "confirmed", "created_at": made, "updated_at": made, "version": 1}
        for n in ("e1", "e2")
    ]  # fmt: skip
    links = [
        (ids[event], ids[who], role)
        for event, who, role in (
            ("e1", "a", "host"), ("e1", "a", "organizer"), ("e1", "b", "visitor"),
            ("e2", "a", "host"), ("e2", "b", "host"), ("e2", "c", "target"),
        )
    ]  # fmt: skip
    link = table(
        "event_participant",
        column("id", Uuid()), column("event_id", Uuid()), column("participant_id", Uuid()),
        column("role"), column("created_at", UTCDateTime()), column("updated_at", UTCDateTime()),
        column("version"),
    )  # fmt: skip
    with engine.begin() as conn:
        conn.execute(insert(metadata.tables["participant"]), participants)
        conn.execute(insert(Event), events)
        conn.execute(
            insert(link),
            [
                {"id": uuid.uuid4(), "event_id": e, "participant_id": p, "role": r,
                 "created_at": made, "updated_at": made, "version": 1}
                for e, p, r in links
            ],
        )  # fmt: skip
    command.upgrade(config, "head")
    pair = table("participant_pair", column("participant_id", Uuid()), column("other_id", Uuid()),
                 column("count"))  # fmt: skip
    roles = table(
        "participant_pair_role", column("participant_id", Uuid()), column("other_id", Uuid()),
        column("role"), column("other_role"), column("count"),
    )  # fmt: skip
    name = {ident: key for key, ident in ids.items()}
    with engine.begin() as conn:
        pairs = {(name[p], name[o], n) for p, o, n in conn.execute(select(*pair.c))}
        by_role = {(name[p], name[o], r, s, n) for p, o, r, s, n in conn.execute(select(*roles.c))}
    assert pairs == {
        ("a", "b", 2), ("b", "a", 2), ("a", "c", 1), ("c", "a", 1), ("b", "c", 1), ("c", "b", 1),
    }  # fmt: skip
    assert by_role == {
        ("a", "b", "host", "visitor", 1), ("b", "a", "visitor", "host", 1),
        ("a", "b", "organizer", "visitor", 1), ("b", "a", "visitor", "organizer", 1),
        ("a", "b", "host", "host", 1), ("b", "a", "host", "host", 1),
        ("a", "c", "host", "target", 1), ("c", "a", "target", "host", 1),
        ("b", "c", "host", "target", 1), ("c", "b", "target", "host", 1),
    }  # fmt: skip
    command.downgrade(config, "0011")
    left = inspect(engine).get_table_names()
    with engine.connect() as conn:
        triggers = stored_triggers(conn)
    engine.dispose()
    assert not {t for t in left if t.startswith("participant_pair")}
    assert not [t for t in triggers if t.startswith("participant_pair")]
