"""Pair counts kept by triggers answer the all-time network as the scan does, after any write."""

import datetime as dt
import json
import threading
import uuid
from collections.abc import Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Connection, Engine, delete, insert, text
from sqlmodel import Session, col

from app.models import Event, EventParticipant, Participant
from app.schemas.timelines import NetworkQuery
from app.services import bulk_insert, networks, participant_pairs
from tests.factories import make_event, make_event_participant, make_participant, unique_slug
from tests.services.test_event_tally import event_row

URL = "/api/v1/participants"
NDJSON = {"Content-Type": "application/x-ndjson"}
# Shared events per ordered pair, and per pair of roles, counted from the links themselves.
SHARED = (
    "FROM event_participant x JOIN event_participant y "
    "ON y.event_id = x.event_id AND y.participant_id <> x.participant_id"
)
RECOUNTED = {
    "participant_pair": "SELECT x.participant_id, y.participant_id, count(DISTINCT x.event_id) "
    f"{SHARED} GROUP BY x.participant_id, y.participant_id",
    "participant_pair_role": "SELECT x.participant_id, y.participant_id, x.role, y.role, "
    f"count(*) {SHARED} GROUP BY x.participant_id, y.participant_id, x.role, y.role",
}
KEYS = {
    "participant_pair": "participant_id, other_id",
    "participant_pair_role": "participant_id, other_id, role, other_role",
}


def network_bodies(client: TestClient, refs: list[str]) -> dict[tuple[str, int], bytes]:
    """The body of each participant's all-time network, at the widest and a narrow limit."""
    found = {}
    for ref in refs:
        for limit in (100, 2):
            response = client.get(f"{URL}/{ref}/network", params={"limit": limit})
            assert response.status_code == 200, response.text
            found[ref, limit] = response.content
    return found


def assert_kept_is_scan(
    client: TestClient, monkeypatch: pytest.MonkeyPatch, refs: list[str]
) -> None:
    """The kept counts' networks are byte for byte the scan's."""
    kept = network_bodies(client, refs)
    with monkeypatch.context() as forced:
        forced.setattr(participant_pairs, "answers", lambda query: False)
        assert network_bodies(client, refs) == kept


def assert_counts_exact(connection: Connection) -> None:
    """Every kept count (base + deltas) is the count of the links, and none is zero."""
    for table, recount in RECOUNTED.items():
        kept = (
            f"SELECT {KEYS[table]}, sum(count) FROM (SELECT {KEYS[table]}, count FROM {table} "
            f"UNION ALL SELECT {KEYS[table]}, count FROM {table}_delta) AS c "
            f"GROUP BY {KEYS[table]} HAVING sum(count) <> 0"
        )
        assert _rows(connection, kept) == _rows(connection, recount)
        zeros = connection.execute(text(f"SELECT count(*) FROM {table} WHERE count <= 0"))
        assert zeros.scalar_one() == 0


def deltas(connection: Connection) -> int:
    """Delta rows waiting for a fold."""
    return sum(
        connection.execute(text(f"SELECT count(*) FROM {table}_delta")).scalar_one()
        for table in KEYS
    )


def _rows(connection: Connection, sql: str) -> set[tuple[Any, ...]]:
    # SQLite gives ids as 32 hex digits, PostgreSQL as UUIDs.
    return {
        (uuid.UUID(str(row[0])), uuid.UUID(str(row[1])), *row[2:])
        for row in connection.execute(text(sql))
    }


def _stored(connection: Connection, ident: str | uuid.UUID) -> Any:
    # SQLite holds a UUID as 32 hex digits.
    ident = uuid.UUID(str(ident))
    return ident.hex if connection.dialect.name == "sqlite" else ident


def link_row(event: str, participant: str, role: str) -> dict[str, Any]:
    """The columns of a link written past the services."""
    now = dt.datetime.now(dt.UTC)
    return {
        "id": uuid.uuid4(),
        "created_at": now,
        "updated_at": now,
        "version": 1,
        "event_id": uuid.UUID(event),
        "participant_id": uuid.UUID(participant),
        "role": role,
    }


def people(client: TestClient, count: int) -> list[str]:
    """`count` new participants' ids, some sharing a name (ties go by name, then id)."""
    return [make_participant(client, name=f"Person {n % 3}")["id"] for n in range(count)]


def mixed_writes(client: TestClient) -> list[str]:
    """Links in several roles, a role changed, links and events deleted, merges, an import."""
    a, b, c, d, e, f = people(client, 6)
    first = make_event(client, start="2019-09-12")["id"]
    same_day = make_event(client, start="2019-09-12")["id"]
    later = make_event(client, start="2020")["id"]
    undated = make_event(client, start=None)["id"]
    other = make_event(client, start="2018-01-02")["id"]
    links = {
        first: [(a, "host"), (a, "organizer"), (b, "visitor"), (b, "attendee"), (c, "attendee")],
        same_day: [(a, "host"), (b, "visitor"), (f, "host")],
        later: [(a, "host"), (b, "host"), (d, "target")],
        undated: [(a, "host"), (c, "visitor")],
        other: [(b, "host"), (c, "host"), (d, "attendee"), (e, "attendee")],
    }
    made = {
        (event, who, role): make_event_participant(client, event, who, role=role)["id"]
        for event, pairs in links.items()
        for who, role in pairs
    }
    for _ in range(3):
        dated = make_event(client, start="2017")["id"]
        for who in (a, b, e):
            make_event_participant(client, dated, who, role="attendee")
    changed = client.patch(
        f"/api/v1/events/{first}/participants/{made[first, c, 'attendee']}", json={"role": "host"}
    )
    assert changed.status_code == 200, changed.text
    for event, who, role in ((first, a, "organizer"), (later, b, "host")):
        gone = client.delete(f"/api/v1/events/{event}/participants/{made[event, who, role]}")
        assert gone.status_code == 204, gone.text
    assert client.delete(f"/api/v1/events/{undated}").status_code == 204
    # e and d both attended `other`: the merge combines the two links.
    merged = client.post(f"{URL}/{e}/merge", json={"into": d})
    assert merged.status_code == 200, merged.text
    merged = client.post(f"/api/v1/events/{same_day}/merge", json={"into": first})
    assert merged.status_code == 200, merged.text
    assert client.post(f"/api/v1/events/{undated}/restore").status_code == 200
    slugs = {who: client.get(f"{URL}/{who}").json()["slug"] for who in (a, b, c)}
    line = {
        "type": "event", "slug": unique_slug("imported"), "title": "Talks",
        "event_type": "meeting", "status": "occurred", "start": "2019-09-13",
        "participants": [
            {"participant": slugs[a], "role": "host"},
            {"participant": slugs[a], "role": "attendee"},
            {"participant": slugs[b], "role": "visitor"},
            {"participant": slugs[c], "role": "visitor"},
        ],
    }  # fmt: skip
    imported = client.post("/api/v1/import", content=json.dumps(line), headers=NDJSON)
    assert imported.status_code == 200, imported.text
    assert '"error":0' in imported.text.replace(" ", "")
    return [a, b, c, d, f]


def raw_writes(client: TestClient, connection: Connection) -> list[str]:
    """Links inserted several to a statement, moved, re-roled and deleted in plain SQL."""
    a, b, c, d, e = people(client, 5)
    first, second, third, fourth = (make_event(client, start=f"202{n}")["id"] for n in range(4))
    # One statement, several links of one event, one participant in two roles.
    rows = [
        link_row(first, a, "host"),
        link_row(first, a, "organizer"),
        link_row(first, b, "visitor"),
        link_row(first, c, "attendee"),
        link_row(second, a, "host"),
        link_row(second, b, "host"),
        link_row(third, c, "target"),
        link_row(third, d, "attacker"),
        link_row(fourth, b, "host"),
        link_row(fourth, e, "host"),
    ]
    connection.execute(insert(EventParticipant).values(rows))
    stored = {who: _stored(connection, who) for who in (a, b, c, d, e)}
    events = {event: _stored(connection, event) for event in (first, second, third, fourth)}
    # A merge as plain SQL: several links of one participant moved to another at once.
    connection.execute(
        text("UPDATE event_participant SET participant_id = :to WHERE participant_id = :of"),
        {"to": stored[e], "of": stored[d]},
    )
    connection.execute(
        text(
            "UPDATE event_participant SET role = 'attendee' WHERE event_id = :e AND role = 'host'"
        ),
        {"e": events[second]},
    )
    # Links moved to another event, and the event and participant both changed.
    connection.execute(
        text("UPDATE event_participant SET event_id = :to WHERE event_id = :of"),
        {"to": events[fourth], "of": events[third]},
    )
    connection.execute(
        text(
            "UPDATE event_participant SET event_id = :to, participant_id = :who "
            "WHERE event_id = :of AND participant_id = :was"
        ),
        {"to": events[second], "who": stored[c], "of": events[first], "was": stored[b]},
    )
    connection.execute(
        text("DELETE FROM event_participant WHERE event_id = :e AND role IN ('host', 'target')"),
        {"e": events[fourth]},
    )
    # Rows through the driver's executemany, as imports write them.
    session = Session(bind=connection)
    bulk_insert.insert_rows(
        session,
        "event_participant",
        [link_row(third, who, "attendee") for who in (a, b, c)],
    )
    connection.execute(text("DELETE FROM event WHERE id = :e"), {"e": events[first]})
    return [a, b, c, d, e]


class TestKeptIsScan:
    def test_after_writes_through_the_api(
        self, seeded: Session, client: TestClient, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        refs = mixed_writes(client)
        assert_counts_exact(seeded.connection())
        assert_kept_is_scan(client, monkeypatch, [*refs, "benjamin-netanyahu", "vladimir-putin"])

    def test_after_plain_sql(
        self, seeded: Session, client: TestClient, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        refs = raw_writes(client, seeded.connection())
        seeded.commit()
        assert_counts_exact(seeded.connection())
        assert_kept_is_scan(client, monkeypatch, refs)

    @pytest.mark.parametrize("merged", [False, True], ids=["walked", "merged"])
    @pytest.mark.parametrize("step", [1, 3, 6, 7, 256])
    def test_ties_beyond_the_limit_and_many_shared_events(
        self, client: TestClient, monkeypatch: pytest.MonkeyPatch, step: int, merged: bool
    ) -> None:
        # Short walks (or merges, on PostgreSQL) for shared events stop inside a day and go
        # on, walks from either side (steps 6 and 7 cut a day among the latest twenty shared
        # events).
        monkeypatch.setattr(networks, "_WALK_STEP", step)
        monkeypatch.setattr(networks, "_MERGE_STEP", step)
        monkeypatch.setattr(networks, "_MERGED_PAIR", 0 if merged else 10**9)
        hub, *others = people(client, 6)
        for n in range(40):
            event = make_event(client, start=f"2019-09-{n % 5 + 10}")["id"]
            for who in [hub, others[0], *others[1 + n % 2 : 2 + n % 4]]:
                make_event_participant(client, event, who, role="host" if who == hub else "target")
            if n % 3 == 0:
                make_event_participant(client, event, hub, role="organizer")
            if n % 7 == 0:
                make_event_participant(client, event, others[2], role="supporter")
        # Later events without the hub: walks from the others' side find none of its first.
        for n in range(30):
            event = make_event(client, start=f"2019-12-0{n % 3 + 1}")["id"]
            for who in others[:2]:
                make_event_participant(client, event, who, role="attendee")
        lone = make_event(client, start="2019-10-01")["id"]
        for who in (others[3], others[4]):
            make_event_participant(client, lone, who)
        assert_kept_is_scan(client, monkeypatch, [hub, *others])

    def test_merges_leave_the_planner_as_it_was(
        self, seeded: Session, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        if seeded.connection().dialect.name != "postgresql":
            pytest.skip("merges are PostgreSQL's")
        monkeypatch.setattr(networks, "_MERGED_PAIR", 0)
        merges: list[uuid.UUID] = []
        merged = networks._merged

        def counted(s: Session, pid: uuid.UUID, other: uuid.UUID, n: int) -> dict[Any, Any]:
            merges.append(other)
            return merged(s, pid, other, n)

        monkeypatch.setattr(networks, "_merged", counted)
        shown = [f"SHOW {name}" for name in networks._SETTINGS]
        before = [seeded.connection().exec_driver_sql(sql).scalar() for sql in shown]
        network = networks.participant_network(seeded, "vladimir-putin", NetworkQuery())
        assert len(merges) == len(network.connections) > 0
        assert [seeded.connection().exec_driver_sql(sql).scalar() for sql in shown] == before

    def test_a_filter_scans(self) -> None:
        assert participant_pairs.answers(NetworkQuery(limit=5))
        assert participant_pairs.answers(NetworkQuery(include_imprecise=True))
        assert not participant_pairs.answers(NetworkQuery(start_after="2019"))
        assert not participant_pairs.answers(NetworkQuery(start_before="2019"))
        assert not participant_pairs.answers(
            NetworkQuery.model_validate({"event_type": ["strike"]})
        )


class TestFold:
    def test_fold_keeps_the_answers_and_empties_the_deltas(
        self, seeded: Session, client: TestClient, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        # The import at the end of mixed_writes folds: the plain SQL after it leaves deltas.
        refs = mixed_writes(client) + raw_writes(client, seeded.connection())
        seeded.commit()
        postgresql = seeded.connection().dialect.name == "postgresql"
        # Only PostgreSQL's triggers write deltas; SQLite's count in the tables themselves.
        assert (deltas(seeded.connection()) > 0) == postgresql
        before = network_bodies(client, refs)
        participant_pairs.fold_and_commit(seeded)
        assert deltas(seeded.connection()) == 0
        assert_counts_exact(seeded.connection())
        assert network_bodies(client, refs) == before
        assert participant_pairs.fold(seeded.connection()) == 0
        # Deltas on top of folded counts, some taking them to zero.
        connection = seeded.connection()
        connection.execute(
            text(
                "DELETE FROM event WHERE id IN "
                "(SELECT event_id FROM event_participant WHERE participant_id = :a)"
            ),
            {"a": _stored(connection, refs[0])},
        )
        refs += raw_writes(client, connection)
        seeded.commit()
        assert_counts_exact(seeded.connection())
        assert_kept_is_scan(client, monkeypatch, refs)
        participant_pairs.fold_and_commit(seeded)
        assert_counts_exact(seeded.connection())
        assert_kept_is_scan(client, monkeypatch, refs)

    def test_a_read_folds_past_the_limit(
        self, seeded: Session, client: TestClient, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        if seeded.connection().dialect.name != "postgresql":
            pytest.skip("only PostgreSQL's triggers write deltas")
        participant_pairs.fold_and_commit(seeded)
        monkeypatch.setattr(participant_pairs, "FOLD_AFTER", 3)
        event = make_event(client)["id"]
        a, b, c = people(client, 3)
        make_event_participant(client, event, a)
        make_event_participant(client, event, b, role="visitor")
        # One pair counted both ways: two rows per table.
        assert deltas(seeded.connection()) == 4
        network_bodies(client, [a])
        assert deltas(seeded.connection()) == 4
        make_event_participant(client, event, c, role="visitor")
        network_bodies(client, [a])
        assert deltas(seeded.connection()) == 0
        assert_kept_is_scan(client, monkeypatch, [a, b, c])

    def test_an_import_folds_at_its_end(self, seeded: Session, client: TestClient) -> None:
        if seeded.connection().dialect.name != "postgresql":
            pytest.skip("only PostgreSQL's triggers write deltas")
        raw_writes(client, seeded.connection())
        assert deltas(seeded.connection()) > 0
        line = {"type": "event", "slug": "imported", "title": "Talks", "event_type": "meeting",
                "status": "occurred", "start": "2019-09-13"}  # fmt: skip
        imported = client.post("/api/v1/import", content=json.dumps(line), headers=NDJSON)
        assert imported.status_code == 200, imported.text
        assert deltas(seeded.connection()) == 0


@pytest.fixture
def committing(engine: Engine) -> Iterator[Engine]:
    """The PostgreSQL engine, for a test that commits; its records and deltas go afterwards."""
    if engine.dialect.name != "postgresql":
        pytest.skip("concurrent writers are PostgreSQL's")
    yield engine
    with engine.begin() as connection:
        connection.execute(delete(Event).where(col(Event.slug).startswith("concurrent-pair")))
        mine = col(Participant.slug).startswith("concurrent-pair")
        connection.execute(delete(Participant).where(mine))
        participant_pairs.fold(connection)


def test_two_writers_to_one_event_count_their_pair(committing: Engine) -> None:
    now = dt.datetime.now(dt.UTC)
    who = [uuid.uuid4() for _ in range(3)]
    event = event_row(slug=f"concurrent-pair-{uuid.uuid4().hex[:8]}")
    with committing.begin() as connection:
        connection.execute(
            insert(Participant),
            [
                {"id": ident, "slug": f"concurrent-pair-{ident.hex[:8]}", "name": "P",
                 "kind": "person", "created_at": now, "updated_at": now, "version": 1}
                for ident in who
            ],
        )  # fmt: skip
        connection.execute(insert(Event), [event])
        connection.execute(
            insert(EventParticipant), [link_row(str(event["id"]), str(who[0]), "host")]
        )
    first, second = committing.connect(), committing.connect()
    try:
        first.execute(insert(EventParticipant), [link_row(str(event["id"]), str(who[1]), "host")])
        # Neither link is visible to the other transaction while both are open: the second
        # writer's trigger waits for the first to end, then counts their pair.
        written = threading.Thread(
            target=second.execute,
            args=(insert(EventParticipant), [link_row(str(event["id"]), str(who[2]), "host")]),
        )
        written.start()
        written.join(0.5)
        assert written.is_alive()
        first.commit()
        written.join(10)
        assert not written.is_alive()
        second.commit()
    finally:
        first.close()
        second.close()
    with committing.connect() as reader:
        assert_counts_exact(reader)
