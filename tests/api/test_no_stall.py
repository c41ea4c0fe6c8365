"""Slow reads run off the event loop: /health answers while they run; cheap reads stay on it."""

import asyncio
import gc
import sys
import threading
import time
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from fastapi.testclient import TestClient
from sqlmodel import Session
from starlette.requests import Request
from starlette.responses import Response

from app import offload
from app.db import get_session
from app.query import events as event_list
from app.read import events as read_events
from app.schemas.common import Page
from app.schemas.events import EventBucket, EventPublic, EventStats
from app.services import networks
from tests.conftest import app_on
from tests.factories import make_event

STALL = 2.0


def stalled(*_args: Any) -> Any:
    """A service that holds its thread as a slow query would."""
    time.sleep(STALL)
    raise AssertionError("the slow read should have been abandoned")


async def health_while(session: Session, slow_path: str) -> float:
    """Seconds from sending `slow_path` until /health, sent just after it, was answered."""
    transport = httpx.ASGITransport(app=app_on(session))
    async with httpx.AsyncClient(transport=transport, base_url="http://test") as client:
        # Warm: the first request of an app builds its middleware stack.
        assert (await client.get("/health")).status_code == 200
        started = time.perf_counter()
        slow = asyncio.create_task(client.get(slow_path))
        # Let the slow request reach its handler first.
        await asyncio.sleep(0.05)
        assert (await client.get("/health")).status_code == 200
        took = time.perf_counter() - started
        await asyncio.gather(slow, return_exceptions=True)
    return took


class TestNoStall:
    @pytest.mark.parametrize(
        "slow_path",
        [
            "/api/v1/events?q=summit&sort=-title&limit=500&include_total=true",
            "/api/v1/events?expand=participants",
        ],
    )
    def test_health_answers_during_a_slow_list(
        self, session: Session, monkeypatch: pytest.MonkeyPatch, slow_path: str
    ) -> None:
        monkeypatch.setattr(event_list, "list_events", stalled)
        assert asyncio.run(health_while(session, slow_path)) < STALL / 2

    def test_health_answers_during_a_network(
        self, session: Session, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        monkeypatch.setattr(networks, "participant_network", stalled)
        took = asyncio.run(health_while(session, "/api/v1/participants/someone/network"))
        assert took < STALL / 2

    @pytest.mark.parametrize("expand", ["claims", "sources", "participants,claims"])
    def test_health_answers_during_an_event_with_its_claims_or_sources(
        self, session: Session, monkeypatch: pytest.MonkeyPatch, expand: str
    ) -> None:
        # An event's claims and sources are as many as were recorded: not a cheap read.
        monkeypatch.setattr(read_events, "find_expanded", stalled)
        took = asyncio.run(health_while(session, f"/api/v1/events/some-event?expand={expand}"))
        assert took < STALL / 2


class TestWhereReadsRun:
    @pytest.mark.parametrize(
        ("method", "path", "slow"),
        [
            ("GET", "/api/v1/events", False),
            ("GET", "/api/v1/events?limit=50&country=RU&sort=recorded", False),
            ("GET", "/api/v1/events?include_total=false", False),
            ("GET", "/api/v1/events?limit=51", True),
            ("GET", "/api/v1/events?q=summit", True),
            ("GET", "/api/v1/events?sort=-title", True),
            ("GET", "/api/v1/events?expand=participants", True),
            ("GET", "/api/v1/events?include_total=true", True),
            ("GET", "/api/v1/events/stats?group_by=year", True),
            ("GET", "/api/v1/participants/putin/network", True),
            ("GET", "/api/v1/participants/putin/timeline", True),
            ("GET", "/api/v1/events/some-event", False),
            ("POST", "/api/v1/events?q=summit", False),
        ],
    )
    def test_by_the_request_as_sent(self, method: str, path: str, slow: bool) -> None:
        url = httpx.URL("http://test" + path)
        scope = {
            "type": "http",
            "method": method,
            "path": url.path,
            "query_string": url.query,
            "headers": [],
        }
        assert offload.is_slow(Request(scope)) is slow

    def test_a_waiting_slow_read_holds_no_session(
        self, session: Session, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        app = app_on(session)
        provider = app.dependency_overrides[get_session]
        opened: list[str] = []

        def counting() -> Iterator[Session]:
            opened.append("session")
            yield from provider()

        app.dependency_overrides[get_session] = counting
        # No slow read may start: the one sent waits at admission.
        monkeypatch.setattr(offload, "_gate", lambda: asyncio.Semaphore(0))

        async def run() -> int:
            transport = httpx.ASGITransport(app=app)
            async with httpx.AsyncClient(transport=transport, base_url="http://test") as client:
                waiting = asyncio.create_task(client.get("/api/v1/events?sort=-title"))
                await asyncio.sleep(0.2)
                held = len(opened)
                assert (await client.get("/api/v1/events")).status_code == 200
                waiting.cancel()
                await asyncio.gather(waiting, return_exceptions=True)
            return held

        assert asyncio.run(run()) == 0
        assert opened == ["session"]

    def test_slow_work_runs_in_another_thread(self) -> None:
        async def threads() -> tuple[int, int, int]:
            loop = threading.get_ident()
            cheap = await offload.answer(False, Response(), threading.get_ident)
            slow = await offload.answer(True, Response(), threading.get_ident)
            return loop, cheap, slow

        loop, cheap, slow = asyncio.run(threads())
        assert cheap == loop
        assert slow != loop

    def test_cheap_work_waits_on_postgresql_in_another_thread(self, session: Session) -> None:
        async def threads() -> tuple[int, int]:
            def work(_: Session) -> int:
                return threading.get_ident()

            return threading.get_ident(), await offload.answer(False, Response(), work, session)

        loop, cheap = asyncio.run(threads())
        on_postgresql = session.get_bind().dialect.name == "postgresql"
        assert (cheap != loop) is on_postgresql

    def test_a_thread_ends_the_transaction_of_what_it_rendered(self, session: Session) -> None:
        def work(session: Session) -> Page[EventPublic]:
            session.connection()  # a transaction begins
            return Page[EventPublic](items=[], next_cursor=None)

        async def rendered() -> Any:
            return await offload.answer(True, Response(), work, session)

        assert isinstance(asyncio.run(rendered()), Response)
        assert not session.in_transaction()

    def test_a_cheap_list_on_postgresql_answers_as_on_the_loop(self, client: TestClient) -> None:
        for n in range(3):
            make_event(client, location={"name": "Sochi", "country": "RU"}, title=f"Talks {n}")
        page = client.get("/api/v1/events", params={"country": "RU", "limit": 2})
        assert page.status_code == 200
        assert [e["title"] for e in page.json()["items"]] == ["Talks 0", "Talks 1"]
        assert page.headers["link"].endswith('rel="next"')

    def test_a_slow_page_keeps_its_link_header(self, client: TestClient) -> None:
        for _ in range(2):
            make_event(client)
        response = client.get("/api/v1/events", params={"sort": "-title", "limit": 1})
        cursor = response.json()["next_cursor"]
        assert cursor is not None
        assert response.headers["link"] == (
            f'<http://testserver/api/v1/events?sort=-title&limit=1&cursor={cursor}>; rel="next"'
        )
        assert response.headers["content-type"] == "application/json"


class TestRenderedInPieces:
    """A slow read's JSON is written an item at a time, byte for byte the model's own."""

    def test_a_page_of_rich_events_renders_as_one_call_would(self, client: TestClient) -> None:
        for n in range(3):
            make_event(client, title=f'Встреча {n} «talks» "q" 🙂', summary="a\nb", start="2019-XX")
        page = client.get("/api/v1/events", params={"expand": "participants"}).json()
        shaped = Page[EventPublic].model_validate(page)
        assert offload.as_json(shaped) == shaped.model_dump_json(by_alias=True)

    def test_each_item_is_its_own_call(self, monkeypatch: pytest.MonkeyPatch) -> None:
        stats = EventStats(
            group_by="month",
            buckets=[EventBucket(key=f"2019-{m:02}", count=m) for m in range(1, 13)],
            imprecise=2,
            undated=1,
        )
        calls: list[str] = []
        dump = EventBucket.model_dump_json

        def counted(self: EventBucket, **options: Any) -> str:
            calls.append(self.key)
            return dump(self, **options)

        monkeypatch.setattr(EventBucket, "model_dump_json", counted)
        assert offload.as_json(stats) == stats.model_dump_json(by_alias=True)
        assert len(calls) == 12

    def test_an_empty_or_lone_list_renders_whole(self) -> None:
        for buckets in ([], [EventBucket(key="2019", count=1)]):
            stats = EventStats(group_by="year", buckets=buckets, imprecise=0, undated=0)
            assert offload.as_json(stats) == stats.model_dump_json(by_alias=True)


def test_the_server_hands_the_gil_over_soon_and_collects_rarely(client: TestClient) -> None:
    # The app's start (its lifespan, run by the client) set them for the process.
    assert sys.getswitchinterval() == offload.SWITCH_INTERVAL
    assert gc.get_threshold()[0] == offload.YOUNG_COLLECTION_THRESHOLD
    assert gc.get_freeze_count() > 0
