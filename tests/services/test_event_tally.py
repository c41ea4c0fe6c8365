"""The counts kept by triggers answer GET /events/stats as the scan does, after any write."""

import datetime as dt
import json
import uuid
from collections.abc import Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Connection, Engine, delete, event, insert, text
from sqlmodel import Session, col

from app.models import Event
from app.schemas.events import EventStatsQuery
from app.services import event_tally
from tests.factories import make_event, unique_slug

STATS = "/api/v1/events/stats"
GROUPS = ("month", "year", "event_type", "country", "status")
NDJSON = {"Content-Type": "application/x-ndjson"}


def answers(client: TestClient) -> dict[str, bytes]:
    """The body of GET /events/stats by each grouping, as sent."""
    found = {}
    for group_by in GROUPS:
        response = client.get(STATS, params={"group_by": group_by})
        assert response.status_code == 200, response.text
        found[group_by] = response.content
    return found


def assert_tally_is_scan(client: TestClient, monkeypatch: pytest.MonkeyPatch) -> None:
    """The tally's answers are byte for byte the scan's, for every grouping."""
    tallied = answers(client)
    with monkeypatch.context() as forced:
        forced.setattr(event_tally, "answers", lambda query: False)
        assert answers(client) == tallied


def deltas(session: Session) -> int:
    """Delta rows waiting for a fold."""
    return len(session.connection().execute(text("SELECT id FROM event_tally_delta")).all())


def event_row(**fields: Any) -> dict[str, Any]:
    """The columns of an event row written by plain SQL (no service, no revision)."""
    now = dt.datetime.now(dt.UTC)
    return {
        "id": uuid.uuid4(),
        "slug": unique_slug("raw"),
        "title": "Raw",
        "event_type": "meeting",
        "status": "occurred",
        "certainty": "confirmed",
        "created_at": now,
        "updated_at": now,
        "version": 1,
        "start_earliest": None,
        "start_latest": None,
        "location_country": None,
    } | fields


def mixed_writes(client: TestClient) -> None:
    """Creates, updates moving each counted key, a delete, a merge, an import and a restore."""
    kept = make_event(client, start="2019-09", location={"country": "SY"})
    moved = make_event(client, start="2019", status="scheduled")
    doomed = make_event(client, start="2019-09-12", event_type="strike")
    twin = make_event(client, start="2019-09-12", location={"country": "RU"})
    make_event(client, start="../2019-09-12")
    make_event(client, start=None)
    changes = [
        {"start": "2020-01-02", "status": "occurred", "event_type": "attack"},
        {"location": {"country": "TR"}},
        {"location": None},
        {"start": None},
    ]
    for change in changes:
        patched = client.patch(f"/api/v1/events/{moved['id']}", json=change)
        assert patched.status_code == 200, patched.text
    assert client.delete(f"/api/v1/events/{doomed['id']}").status_code == 204
    merged = client.post(f"/api/v1/events/{twin['id']}/merge", json={"into": kept["id"]})
    assert merged.status_code == 200, merged.text
    lines = [
        {"type": "event", "slug": unique_slug("imported"), "title": "Talks",
         "event_type": "meeting", "status": "occurred", "start": "2019-09-13"},
        {"type": "event", "slug": unique_slug("imported"), "title": "Strike",
         "event_type": "attack", "status": "occurred", "start": "2019-10",
         "location": {"country": "SY"}},
    ]  # fmt: skip
    imported = client.post(
        "/api/v1/import", content="\n".join(map(json.dumps, lines)), headers=NDJSON
    )
    assert imported.status_code == 200, imported.text
    assert '"error":0' in imported.text.replace(" ", "")
    assert client.post(f"/api/v1/events/{doomed['id']}/restore").status_code == 200


def raw_writes(connection: Connection) -> None:
    """Inserts (one and many), updates and deletes in plain SQL, past the services."""
    rows = [
        event_row(start_earliest=dt.date(2019, 9, 1), start_latest=dt.date(2019, 9, 30)),
        event_row(location_country="SY", status="cancelled"),
        event_row(location_country="SY", start_latest=dt.date(2019, 9, 12)),
    ]
    connection.execute(insert(Event), rows)
    connection.execute(insert(Event), [event_row(event_type="attack", location_country="IQ")])
    ids = [row["id"] for row in rows]
    connection.execute(
        text("UPDATE event SET location_country = 'IQ', status = 'occurred' WHERE id IN (:a, :b)"),
        {"a": _stored(connection, ids[0]), "b": _stored(connection, ids[1])},
    )
    connection.execute(text("UPDATE event SET title = 'Only the title'"))
    connection.execute(text("UPDATE event SET start_earliest = NULL WHERE start_earliest IS NULL"))
    connection.execute(delete(Event).where(col(Event.id) == ids[2]))


def _stored(connection: Connection, ident: uuid.UUID) -> Any:
    # SQLite holds a UUID as 32 hex digits.
    return ident.hex if connection.dialect.name == "sqlite" else ident


class TestTallyIsScan:
    def test_after_writes_through_the_api(
        self, seeded: Session, client: TestClient, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        assert_tally_is_scan(client, monkeypatch)
        mixed_writes(client)
        assert_tally_is_scan(client, monkeypatch)

    def test_after_plain_sql(
        self, seeded: Session, client: TestClient, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        before = answers(client)
        raw_writes(seeded.connection())
        seeded.commit()
        assert answers(client) != before
        assert_tally_is_scan(client, monkeypatch)

    def test_after_deleting_every_event(
        self, seeded: Session, client: TestClient, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        connection = seeded.connection()
        # What refers to events without cascading goes first.
        connection.execute(text("DELETE FROM claim_subject WHERE event_id IS NOT NULL"))
        connection.execute(text("UPDATE claim SET event_id = NULL"))
        connection.execute(text("DELETE FROM event_relation"))
        connection.execute(text("UPDATE event SET parent_id = NULL"))
        connection.execute(text("DELETE FROM event"))
        seeded.commit()
        assert_tally_is_scan(client, monkeypatch)
        assert json.loads(answers(client)["status"])["buckets"] == []

    def test_a_filter_scans(self, seeded: Session, client: TestClient) -> None:
        assert event_tally.answers(EventStatsQuery(group_by="month"))
        assert event_tally.answers(EventStatsQuery(group_by="month", country=[]))
        assert not event_tally.answers(EventStatsQuery(group_by="month", country=["SY"]))
        assert not event_tally.answers(EventStatsQuery(group_by="month", include_imprecise=True))


class TestFold:
    def test_fold_keeps_the_answers_and_empties_the_deltas(
        self, seeded: Session, client: TestClient, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        mixed_writes(client)
        raw_writes(seeded.connection())
        seeded.commit()
        before = answers(client)
        postgresql = seeded.connection().dialect.name == "postgresql"
        # Only PostgreSQL's triggers write deltas; SQLite's count in event_tally itself.
        assert (deltas(seeded) > 0) == postgresql
        event_tally.fold_and_commit(seeded)
        assert deltas(seeded) == 0
        assert answers(client) == before
        assert_tally_is_scan(client, monkeypatch)
        # Folded twice: the second finds nothing to move.
        assert event_tally.fold(seeded.connection()) == 0
        seeded.commit()
        assert answers(client) == before

    def test_a_read_folds_past_the_limit(
        self, seeded: Session, client: TestClient, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        if seeded.connection().dialect.name != "postgresql":
            pytest.skip("only PostgreSQL's triggers write deltas")
        monkeypatch.setattr(event_tally, "FOLD_AFTER", 5)
        event_tally.fold_and_commit(seeded)
        # Five deltas an event: its month, year, type, country and status.
        make_event(client, start="2019-09-12")
        assert deltas(seeded) == 5
        before = answers(client)
        assert deltas(seeded) == 5
        make_event(client, start="2019-09-14", location={"country": "SY"})
        assert deltas(seeded) == 10
        after = answers(client)
        assert deltas(seeded) == 0
        assert after != before
        assert_tally_is_scan(client, monkeypatch)

    def test_an_import_folds_at_its_end(self, seeded: Session, client: TestClient) -> None:
        if seeded.connection().dialect.name != "postgresql":
            pytest.skip("only PostgreSQL's triggers write deltas")
        make_event(client)
        assert deltas(seeded) > 0
        line = {"type": "event", "slug": "imported", "title": "Talks", "event_type": "meeting",
                "status": "occurred", "start": "2019-09-13"}  # fmt: skip
        imported = client.post("/api/v1/import", content=json.dumps(line), headers=NDJSON)
        assert imported.status_code == 200, imported.text
        assert deltas(seeded) == 0


@pytest.fixture
def committing(engine: Engine) -> Iterator[Engine]:
    """The PostgreSQL engine, for a test that commits; its events and deltas go afterwards."""
    if engine.dialect.name != "postgresql":
        pytest.skip("concurrent writers are PostgreSQL's")
    yield engine
    with engine.begin() as connection:
        connection.execute(delete(Event).where(col(Event.slug).startswith("concurrent-")))
        event_tally.fold(connection)


class TestConcurrentWriters:
    def test_neither_waits_and_a_rollback_leaves_no_count(self, committing: Engine) -> None:
        def tally(connection: Connection) -> dict[str, int]:
            found = connection.execute(
                text(
                    "SELECT key, sum(count) FROM (SELECT key, count FROM event_tally "
                    "WHERE group_by = 'country' UNION ALL SELECT key, count FROM "
                    "event_tally_delta WHERE group_by = 'country') AS c GROUP BY key"
                )
            )
            return {key: int(n) for key, n in found if key in ("QA", "QB")}

        with committing.connect() as reader:
            before = tally(reader)
        first, second = committing.connect(), committing.connect()
        try:
            for connection in (first, second):
                connection.execute(text("SET lock_timeout = '2s'"))
            # Opposite orders on the same keys: counter rows locked in place would deadlock
            # (or queue until the other commits); inserted deltas lock nothing shared.
            for connection, countries in ((first, "QA"), (second, "QB"), (first, "QB")):
                slug = f"concurrent-{uuid.uuid4().hex[:8]}"
                connection.execute(
                    insert(Event), [event_row(slug=slug, location_country=countries)]
                )
            second.execute(insert(Event), [event_row(slug="concurrent-x", location_country="QA")])
            first.commit()
            second.rollback()
        finally:
            first.close()
            second.close()
        with committing.connect() as reader:
            after = tally(reader)
            counted = {
                key: int(n)
                for key, n in reader.execute(
                    text(
                        "SELECT location_country, count(*) FROM event "
                        "WHERE location_country IN ('QA', 'QB') GROUP BY location_country"
                    )
                )
            }
        assert after == counted == {"QA": before.get("QA", 0) + 1, "QB": before.get("QB", 0) + 1}

    def test_one_fold_at_a_time(self, committing: Engine) -> None:
        with committing.begin() as connection:
            connection.execute(insert(Event), [event_row(slug="concurrent-fold")])
        with committing.connect() as first, committing.connect() as second:
            # As a fold under way holds it, until its transaction ends.
            first.execute(text("SELECT pg_advisory_xact_lock(:k)"), {"k": event_tally._FOLD_LOCK})
            second.execute(text("SET lock_timeout = '2s'"))
            assert event_tally.fold(second) == 0
            waiting = second.execute(text("SELECT count(*) FROM event_tally_delta")).scalar_one()
            assert waiting > 0
            second.rollback()
            first.rollback()
            assert event_tally.fold(second) > 0
            second.commit()


def test_a_large_fold_vacuums_what_it_left(
    committing: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    # A fold leaves the moved deltas dead; past FOLD_AFTER of them they are vacuumed at once.
    monkeypatch.setattr(event_tally, "FOLD_AFTER", 2)
    with committing.begin() as connection:
        connection.execute(insert(Event), [event_row(slug=f"concurrent-vacuum-{n}") for n in "ab"])
    sent: list[str] = []

    def record(conn: Any, cursor: Any, statement: str, *args: Any) -> None:
        sent.append(statement)

    event.listen(committing, "before_cursor_execute", record)
    try:
        with Session(committing) as session:
            event_tally.fold_and_commit(session)
    finally:
        event.remove(committing, "before_cursor_execute", record)
    assert "VACUUM event_tally_delta" in sent
    with committing.connect() as connection:
        assert connection.execute(text("SELECT count(*) FROM event_tally_delta")).scalar() == 0
