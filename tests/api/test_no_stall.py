"""Slow reads run off the event loop: /health answers while they run; cheap reads stay on it."""

import asyncio
import threading
import time
from typing import Any

import httpx
import pytest
from fastapi.testclient import TestClient
from sqlmodel import Session
from starlette.responses import Response

from app import offload
from app.schemas.events import EventQuery
from app.services import event_queries, networks
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
        monkeypatch.setattr(event_queries, "list_events", stalled)
        assert asyncio.run(health_while(session, slow_path)) < STALL / 2

    def test_health_answers_during_a_network(
        self, session: Session, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        monkeypatch.setattr(networks, "participant_network", stalled)
        took = asyncio.run(health_while(session, "/api/v1/participants/someone/network"))
        assert took < STALL / 2


class TestWhereReadsRun:
    @pytest.mark.parametrize(
        ("params", "slow"),
        [
            ({}, False),
            ({"limit": 50, "country": ["RU"]}, False),
            ({"limit": 51}, True),
            ({"q": "summit"}, True),
            ({"sort": "-title"}, True),
            ({"expand": "participants"}, True),
            ({"include_total": True}, True),
        ],
    )
    def test_by_the_shape_of_the_query(self, params: dict[str, Any], slow: bool) -> None:
        assert offload.is_slow(EventQuery(**params)) is slow

    def test_slow_work_runs_in_another_thread(self) -> None:
        async def threads() -> tuple[int, int, int]:
            loop = threading.get_ident()
            cheap = await offload.answer(False, Response(), threading.get_ident)
            slow = await offload.answer(True, Response(), threading.get_ident)
            return loop, cheap, slow

        loop, cheap, slow = asyncio.run(threads())
        assert cheap == loop
        assert slow != loop

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
