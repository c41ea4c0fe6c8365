"""GETs of one record through the hot lane: the answers of their documented routes, byte for
byte, and everything the lane does not answer passed on to those routes."""

import os
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from alembic import command
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import Engine, text
from sqlmodel import Session

import app.db
from app.config import Settings
from app.db import build_engine, snapshot_engine
from app.main import create_app
from app.read.columns import Snapshot
from app.routers.hot_reads import HotRoute
from seed.loader import load_article
from tests.api.test_observability import sample
from tests.conftest import (
    BACKENDS,
    alembic_config,
    app_on,
    drop_database,
    fresh_schema,
    postgres_url,
)
from tests.factories import bearer, make_event

API = "/api/v1"
KINDS = ("events", "participants", "claims", "sources")
# Headers that differ between any two responses, whoever answers.
VOLATILE = {"date", "x-request-id"}
# Without rate limits: the two apps would count their requests apart.
UNLIMITED = Settings(rate_limit_per_minute=0, anonymous_rate_limit_per_minute=0)


def without_hot_reads(app: FastAPI) -> FastAPI:
    """`app` with every request going to the documented routes."""
    app.router.routes[:] = [r for r in app.router.routes if not isinstance(r, HotRoute)]
    return app


def assert_same(hot: httpx.Response, documented: httpx.Response) -> None:
    """The same status, headers (but the volatile ones) and body bytes."""
    assert hot.status_code == documented.status_code
    assert hot.content == documented.content

    def kept(response: httpx.Response) -> list[tuple[str, str]]:
        return [(k, v) for k, v in response.headers.multi_items() if k not in VOLATILE]

    assert kept(hot) == kept(documented)


@pytest.fixture
def passed_on(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The paths of the requests the hot lane passed on to the documented routes."""
    passed: list[str] = []
    original = HotRoute._pass_on

    async def spy(self: HotRoute, scope: Any, receive: Any, send: Any) -> None:
        passed.append(scope["path"])
        await original(self, scope, receive, send)

    monkeypatch.setattr(HotRoute, "_pass_on", spy)
    return passed


class Pair:
    """Two anonymous clients on the same data: one app with the hot lane, one without."""

    def __init__(self, hot: TestClient, documented: TestClient) -> None:
        self.hot, self.documented = hot, documented

    def get(self, url: str, **headers: str) -> httpx.Response:
        """GET `url` from both; assert the same answer; return it."""
        answer: httpx.Response = self.hot.get(url, headers=headers)
        assert_same(answer, self.documented.get(url, headers=headers))
        return answer

    def refs(self, kind: str) -> list[str]:
        """The id and the slug of every record of `kind`."""
        items = self.documented.get(f"{API}/{kind}?limit=200").json()["items"]
        assert items
        return [ref for item in items for ref in (item["id"], item["slug"])]


@pytest.fixture
def pair(seeded: Session) -> Iterator[Pair]:
    """Clients on the test's session (the lane reads through it, as the routes do)."""
    with (
        TestClient(app_on(seeded, UNLIMITED), raise_server_exceptions=False) as hot,
        TestClient(
            without_hot_reads(app_on(seeded, UNLIMITED)), raise_server_exceptions=False
        ) as plain,
    ):
        yield Pair(hot, plain)


def read_everything(pair: Pair) -> int:
    """GET every record by id and by slug, events expanded too; how many GETs were made."""
    made = 0
    for kind in KINDS:
        for ref in pair.refs(kind):
            assert pair.get(f"{API}/{kind}/{ref}").status_code == 200
            made += 1
    for ref in pair.refs("events"):
        for query in ("?expand=participants", "?expand=participants,participants"):
            assert pair.get(f"{API}/events/{ref}{query}").status_code == 200
            made += 1
    return made


class TestSameAnswers:
    def test_every_seeded_record(self, pair: Pair, passed_on: list[str]) -> None:
        assert read_everything(pair) > 40
        assert passed_on == []

    def test_an_expanded_event_embeds_its_participants(self, pair: Pair) -> None:
        meeting = pair.get(f"{API}/events/netanyahu-putin-meeting-2019-09-12?expand=participants")
        assert "etag" not in meeting.headers
        assert len(meeting.json()["participants"]) == 2

    @pytest.mark.parametrize("kind", KINDS)
    def test_if_none_match(self, pair: Pair, kind: str, passed_on: list[str]) -> None:
        ref = pair.refs(kind)[0]
        tag = pair.get(f"{API}/{kind}/{ref}").headers["etag"]
        assert pair.get(f"{API}/{kind}/{ref}", **{"If-None-Match": tag}).status_code == 304
        stale = '"0-0"'
        assert pair.get(f"{API}/{kind}/{ref}", **{"If-None-Match": stale}).status_code == 200
        assert passed_on == []

    @pytest.mark.parametrize("kind", KINDS)
    def test_absent_records_are_the_routes(
        self, pair: Pair, kind: str, passed_on: list[str]
    ) -> None:
        unknown = f"{API}/{kind}/00000000-0000-4000-8000-000000000000"
        assert pair.get(unknown).status_code == 404
        assert pair.get(f"{API}/{kind}/no-such-slug").status_code == 404
        assert len(passed_on) == 2

    def test_a_deleted_event_is_gone(
        self, pair: Pair, seeded: Session, admin_key: str, passed_on: list[str]
    ) -> None:
        with TestClient(app_on(seeded), headers=bearer(admin_key)) as admin:
            created = make_event(admin)
            assert admin.delete(f"{API}/events/{created['id']}").status_code == 204
        by_id, by_slug = f"{API}/events/{created['id']}", f"{API}/events/{created['slug']}"
        assert pair.get(by_id).status_code == 410
        assert pair.get(by_slug).status_code == 410
        assert passed_on == [by_id, by_slug]


class TestPassedOn:
    @pytest.mark.parametrize(
        ("query", "status"),
        [
            ("?as_of=2030-01-01T00:00:00Z", 200),
            ("?expand=claims", 200),
            ("?expand=participants,sources", 200),
            ("?expand=bogus", 422),
            ("?expand=", 422),
            ("?expand=%20participants", 200),
            ("?expand=participants&expand=participants", 200),
            ("?limit=5", 422),
        ],
    )
    def test_event_queries_the_lane_leaves(
        self, pair: Pair, passed_on: list[str], query: str, status: int
    ) -> None:
        url = f"{API}/events/netanyahu-putin-meeting-2019-09-12{query}"
        assert pair.get(url).status_code == status
        assert len(passed_on) == 1

    @pytest.mark.parametrize("kind", ["participants", "claims", "sources"])
    def test_any_query_of_other_records(self, pair: Pair, passed_on: list[str], kind: str) -> None:
        ref = pair.refs(kind)[0]
        assert pair.get(f"{API}/{kind}/{ref}?as_of=2030-01-01T00:00:00Z").status_code == 200
        pair.get(f"{API}/{kind}/{ref}?expand=participants")
        assert len(passed_on) == 2

    def test_a_key_is_checked_by_the_route(self, pair: Pair, passed_on: list[str]) -> None:
        url = f"{API}/events/netanyahu-putin-meeting-2019-09-12"
        assert pair.get(url, Authorization="Bearer ge_unknown").status_code == 401
        assert passed_on == [url]

    def test_a_nul_in_the_path(self, pair: Pair, passed_on: list[str]) -> None:
        assert pair.get(f"{API}/events/a%00b").status_code == 422
        assert len(passed_on) == 1


class TestOtherMethods:
    def test_head_is_the_routes(self, pair: Pair, passed_on: list[str]) -> None:
        url = f"{API}/events/netanyahu-putin-meeting-2019-09-12"
        hot, documented = pair.hot.head(url), pair.documented.head(url)
        assert hot.status_code == documented.status_code
        assert passed_on == []

    @pytest.mark.parametrize("method", ["PUT", "PATCH", "DELETE", "POST"])
    def test_other_methods_reach_their_routes(
        self, pair: Pair, passed_on: list[str], method: str
    ) -> None:
        url = f"{API}/events/netanyahu-putin-meeting-2019-09-12"
        hot = pair.hot.request(method, url, json={})
        assert_same(hot, pair.documented.request(method, url, json={}))
        assert hot.status_code in {401, 405}
        assert passed_on == []


def test_the_lane_is_in_front_of_the_four_reads_of_one_record(session: Session) -> None:
    routes = app_on(session).router.routes
    hot = [route.path_format for route in routes[:4] if isinstance(route, HotRoute)]
    assert hot == [f"{API}/{kind}/{{{kind[:-1]}_id}}" for kind in KINDS]
    keyed = app_on(session, Settings(require_key_for_reads=True)).router.routes
    assert not any(isinstance(route, HotRoute) for route in keyed)


def test_metrics_count_the_route_template(pair: Pair) -> None:
    pair.hot.get(f"{API}/events/netanyahu-putin-meeting-2019-09-12")
    text = pair.hot.get("/metrics").text
    labels = {"method": "GET", "route": "/api/v1/events/{event_id}", "status": "200"}
    assert sample(text, "geoevents_http_requests_total", **labels) == 1.0


@pytest.fixture(scope="module", params=BACKENDS)
def committed(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Engine]:
    """A database of its own per backend with the seed committed, as a server reads it."""
    if request.param == "sqlite":
        url: str | None = f"sqlite:///{tmp_path_factory.mktemp('hot') / 'hot.db'}"
    else:
        url = postgres_url(f"postgresql+psycopg://postgres@127.0.0.1:5432/hot_{os.getpid()}")
        if url is None:
            if os.environ.get("CI"):
                pytest.fail("PostgreSQL is unreachable; CI requires the PostgreSQL half")
            pytest.skip("PostgreSQL is unreachable")
    assert url is not None
    engine = build_engine(url)
    fresh_schema(engine)
    command.upgrade(alembic_config(url), "head")
    with Session(engine) as session:
        load_article(session)
        session.commit()
    yield engine
    engine.dispose()
    if request.param == "postgresql":
        drop_database(url)


@pytest.fixture
def served(committed: Engine, monkeypatch: pytest.MonkeyPatch) -> Iterator[Pair]:
    """Clients on apps as a server builds them (no provider overridden) on `committed`."""
    monkeypatch.setattr(app.db, "get_engine", lambda: committed)
    with (
        TestClient(create_app(UNLIMITED), raise_server_exceptions=False) as hot,
        TestClient(
            without_hot_reads(create_app(UNLIMITED)), raise_server_exceptions=False
        ) as plain,
    ):
        yield Pair(hot, plain)


class TestOnASnapshot:
    def test_every_seeded_record(
        self, served: Pair, committed: Engine, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        taken: list[Snapshot] = []

        class Counted(Snapshot):
            def __init__(self, engine: Engine) -> None:
                super().__init__(engine)
                taken.append(self)

        monkeypatch.setattr(app.db, "Snapshot", Counted)
        made = read_everything(served)
        assert len(taken) == made
        assert committed.pool.checkedout() == 0  # type: ignore[attr-defined]
        assert snapshot_engine(committed).pool.checkedout() == 0  # type: ignore[attr-defined]

    def test_absent_and_conditional(self, served: Pair, passed_on: list[str]) -> None:
        assert served.get(f"{API}/events/no-such-slug").status_code == 404
        tag = served.get(f"{API}/sources/{served.refs('sources')[0]}").headers["etag"]
        ref = served.refs("sources")[0]
        assert served.get(f"{API}/sources/{ref}", **{"If-None-Match": tag}).status_code == 304
        assert passed_on == [f"{API}/events/no-such-slug"]


class TestSnapshotPool:
    def test_postgresql_snapshots_read_in_autocommit_unpinged(self, committed: Engine) -> None:
        snapshots = snapshot_engine(committed)
        if committed.dialect.name == "sqlite":
            # One file, one pool: the snapshot begins its own transaction.
            assert snapshots is committed
            return
        assert snapshots is not committed
        assert snapshots.url == committed.url
        pool: Any = snapshots.pool
        assert not pool._pre_ping
        snapshot = Snapshot(snapshots)
        try:
            assert snapshot.connection.autocommit
        finally:
            snapshot.close()

    def test_a_lost_connection_is_read_by_the_route(
        self, served: Pair, committed: Engine, passed_on: list[str]
    ) -> None:
        if committed.dialect.name == "sqlite":
            pytest.skip("a SQLite connection is a file; it cannot be lost")
        url = f"{API}/events/netanyahu-putin-meeting-2019-09-12"
        first = served.hot.get(url)
        assert first.status_code == 200
        # Ends every connection of the database but this one: the snapshots' idle one too.
        with committed.connect() as connection:
            connection.execute(
                text(
                    "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                    "WHERE datname = current_database() AND pid <> pg_backend_pid()"
                )
            )
        again = served.hot.get(url)
        assert (again.status_code, again.content) == (200, first.content)
        assert passed_on == [url]
        # The lost connection left the pool: the next read is the lane's, on a new one.
        assert served.hot.get(url).content == first.content
        assert passed_on == [url]
