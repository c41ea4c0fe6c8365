"""A read pays only for the layers it needs; writes still run through all of theirs."""

import asyncio
from collections.abc import AsyncIterator, Iterator
from typing import Any

import pytest
from fastapi.routing import APIRoute, iter_route_contexts
from fastapi.testclient import TestClient
from sqlmodel import Session
from starlette.middleware.errors import ServerErrorMiddleware
from starlette.requests import Request
from starlette.types import Message, Receive, Scope, Send

from app import main, offload
from app.config import Settings
from app.db import SessionDep, begin_writes
from app.headers import ResponseHeadersMiddleware
from app.idempotency import IdempotencyMiddleware
from app.middleware import BodySizeLimitMiddleware
from app.replicas import ConsistencyTokenMiddleware
from app.route_layers import _asks
from tests.conftest import app_on
from tests.factories import bearer, make_event

READS = ["GET", "HEAD", "OPTIONS"]
WRITES = ["POST", "PATCH", "DELETE"]


class Inner:
    """An app that answers 200 and keeps the `receive` and `send` it was given."""

    def __init__(self, headers: list[tuple[bytes, bytes]] | None = None) -> None:
        self.given: list[tuple[Receive, Send]] = []
        self.headers = headers or []

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Note what it was given, then answer."""
        self.given.append((receive, send))
        await send({"type": "http.response.start", "status": 200, "headers": self.headers})
        await send({"type": "http.response.body", "body": b""})


async def _receive() -> Message:
    return {"type": "http.request", "body": b"", "more_body": False}


def http(method: str, headers: list[tuple[bytes, bytes]] | None = None) -> Scope:
    """A request to the events collection."""
    return {
        "type": "http",
        "method": method,
        "path": "/api/v1/events",
        "query_string": b"",
        "headers": headers or [],
    }


def through(layer: Any, inner: Inner, scope: Scope) -> tuple[bool, bool, list[Message]]:
    """Run `scope` through `layer`: whether the inner app got the client's own `receive` and
    `send`, and what the client was sent."""
    sent: list[Message] = []

    async def send(message: Message) -> None:
        sent.append(message)

    asyncio.run(layer(scope, _receive, send))
    [(receive, inner_send)] = inner.given
    return receive is _receive, inner_send is send, sent


class TestReadsPassStraightThrough:
    @pytest.mark.parametrize("method", READS)
    def test_the_body_limit(self, method: str) -> None:
        inner = Inner()
        layer = BodySizeLimitMiddleware(inner, max_body_bytes=1, import_max_body_bytes=1)
        # A read's body is never read: nothing is wrapped (a declared one over the limit is
        # refused on its header alone, see test_http_middleware's TestBodyLimit).
        own_receive, own_send, sent = through(
            layer, inner, http(method, [(b"content-length", b"1")])
        )
        assert (own_receive, own_send) == (True, True)
        assert sent[0]["status"] == 200

    @pytest.mark.parametrize("method", READS)
    def test_idempotency_keys(self, method: str) -> None:
        inner = Inner()
        layer = IdempotencyMiddleware(inner, _no_sessions, ttl_seconds=60, prefix="/api/v1")
        scope = http(method, [(b"idempotency-key", b"k")])
        assert through(layer, inner, scope)[:2] == (True, True)

    @pytest.mark.parametrize("method", READS)
    def test_consistency_tokens(self, method: str) -> None:
        inner = Inner()
        assert through(ConsistencyTokenMiddleware(inner), inner, http(method))[:2] == (True, True)


class TestWritesStillGoThrough:
    @pytest.mark.parametrize("method", WRITES)
    def test_the_body_limit_counts_a_write_body(self, method: str) -> None:
        inner = Inner()
        layer = BodySizeLimitMiddleware(inner, max_body_bytes=1, import_max_body_bytes=1)
        assert through(layer, inner, http(method))[:2] == (False, False)

    @pytest.mark.parametrize("method", WRITES)
    def test_the_body_limit_refuses_a_declared_write_body(self, method: str) -> None:
        inner = Inner()
        layer = BodySizeLimitMiddleware(inner, max_body_bytes=1, import_max_body_bytes=1)
        sent: list[Message] = []

        async def send(message: Message) -> None:
            sent.append(message)

        asyncio.run(layer(http(method, [(b"content-length", b"9")]), _receive, send))
        assert inner.given == []
        assert sent[0]["status"] == 413

    @pytest.mark.parametrize("method", WRITES)
    def test_consistency_tokens_watch_a_write(self, method: str) -> None:
        inner = Inner()
        assert through(ConsistencyTokenMiddleware(inner), inner, http(method))[:2] == (True, False)

    def test_a_keyed_post_is_replayed_and_a_keyed_get_is_not(self, client: TestClient) -> None:
        body = {"slug": "layers-keyed", "title": "t", "event_type": "meeting", "status": "occurred"}
        keyed = {"Idempotency-Key": "layers-1"}
        first = client.post("/api/v1/events", json=body | {"start": "2019"}, headers=keyed)
        again = client.post("/api/v1/events", json=body | {"start": "2019"}, headers=keyed)
        assert (first.status_code, again.status_code) == (201, 201)
        assert again.headers["idempotent-replayed"] == "true"
        read = client.get(f"/api/v1/events/{first.json()['id']}", headers=keyed)
        assert read.status_code == 200
        assert "idempotent-replayed" not in read.headers


def _no_sessions() -> Any:
    raise AssertionError("a read opened an idempotency transaction")


class TestResponseHeaders:
    def test_are_one_layer_around_the_whole_stack(self, session: Session) -> None:
        stack = app_on(session).build_middleware_stack()
        assert isinstance(stack, ResponseHeadersMiddleware)
        assert isinstance(stack.app, ServerErrorMiddleware)

    @pytest.mark.parametrize(
        ("headers", "added"),
        [
            ([], [(b"x-content-type-options", b"nosniff")]),
            (
                [(b"authorization", b"Bearer x")],
                [(b"x-content-type-options", b"nosniff"), (b"cache-control", b"no-store")],
            ),
        ],
    )
    def test_replace_the_apps_own_in_order(
        self, headers: list[tuple[bytes, bytes]], added: list[tuple[bytes, bytes]]
    ) -> None:
        inner = Inner(
            [
                (b"x-request-id", b"from-the-app"),
                (b"content-type", b"text/plain"),
                (b"cache-control", b"max-age=60"),
                (b"X-Content-Type-Options", b"sniff"),
                (b"etag", b'"1"'),
            ]
        )
        scope = http("GET", [*headers, (b"x-request-id", b"sent-1")])
        sent = through(ResponseHeadersMiddleware(inner), inner, scope)[2]
        kept = [(b"content-type", b"text/plain")]
        if not headers:
            kept.append((b"cache-control", b"max-age=60"))
        assert sent[0]["headers"] == [
            *kept,
            (b"etag", b'"1"'),
            *added,
            (b"x-request-id", b"sent-1"),
        ]
        assert scope["state"] == {"request_id": "sent-1"}


def _names(dependencies: list[Any]) -> list[str]:
    known = {begin_writes: "begin_writes", offload.admit: "admit"}
    return [known.get(d.dependency, "access") for d in dependencies]


def _api_routes(session: Session) -> Iterator[Any]:
    # The documented routes (the hot reads in front of some have no dependencies to solve).
    for context in iter_route_contexts(app_on(session).routes):
        path = context.path_format or ""
        documented = isinstance(context.original_route, APIRoute)
        if documented and path.startswith("/api/v1/") and path != "/api/v1/import":
            yield context


class TestDependencies:
    @pytest.mark.parametrize(
        ("method", "path", "expected"),
        [
            ("GET", "/api/v1/events/{event_id}", ["access"]),
            ("GET", "/api/v1/sources/{source_id}", ["access"]),
            ("GET", "/api/v1/events", ["admit", "access"]),
            ("GET", "/api/v1/events/stats", ["admit", "access"]),
            ("GET", "/api/v1/participants/{participant_id}/network", ["admit", "access"]),
            ("GET", "/api/v1/participants/{participant_id}/timeline", ["admit", "access"]),
            ("GET", "/api/v1/changes", ["admit", "access"]),
            ("POST", "/api/v1/events", ["begin_writes", "access"]),
            ("PATCH", "/api/v1/events/{event_id}", ["begin_writes", "access"]),
            ("DELETE", "/api/v1/claims/{claim_id}", ["begin_writes", "access"]),
            ("GET", "/api/v1/keys", ["access"]),
            ("DELETE", "/api/v1/keys/{key_id}", ["begin_writes", "access"]),
        ],
    )
    def test_each_route_runs_what_it_needs(
        self, session: Session, method: str, path: str, expected: list[str]
    ) -> None:
        [route] = [c for c in _api_routes(session) if c.path_format == path and method in c.methods]
        assert _names(route.dependencies) == expected

    def test_no_read_of_one_record_waits_or_begins_writes(self, session: Session) -> None:
        reads = [
            c for c in _api_routes(session) if "GET" in c.methods and c.path_format.endswith("}")
        ]
        assert len(reads) == 12
        assert {tuple(_names(c.dependencies)) for c in reads} == {("access",)}

    def test_every_write_begins_its_writes_first(self, session: Session) -> None:
        writes = [c for c in _api_routes(session) if "GET" not in c.methods]
        assert len(writes) == 30
        assert {tuple(_names(c.dependencies)) for c in writes} == {("begin_writes", "access")}

    def test_a_handler_that_asks_if_it_is_slow_waits_before_any_session(
        self, session: Session
    ) -> None:
        asking = [
            c for c in _api_routes(session) if _asks(c.original_route.dependant, offload.admit)
        ]
        assert len(asking) == 10
        assert all(_names(c.dependencies)[0] == "admit" for c in asking)


class TestDependenciesRun:
    def test_only_for_the_routes_that_need_them(
        self, session: Session, admin_key: str, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        ran: list[tuple[str, str]] = []
        admit = offload.admit

        async def recording_begin(request: Request, session: SessionDep) -> None:
            ran.append(("begin_writes", request.method))
            await begin_writes(request, session)

        async def recording_admit(request: Request) -> AsyncIterator[bool]:
            ran.append(("admit", request.method))
            async for slow in admit(request):
                yield slow

        monkeypatch.setattr(main, "begin_writes", recording_begin)
        monkeypatch.setattr(offload, "admit", recording_admit)
        app = app_on(session, Settings())
        with TestClient(app, headers=bearer(admin_key)) as client:
            event = make_event(client)
            assert ran == [("begin_writes", "POST")]
            ran.clear()
            assert client.get(f"/api/v1/events/{event['id']}").status_code == 200
            assert ran == []
            assert client.get("/api/v1/events").status_code == 200
            assert ran == [("admit", "GET")]
            ran.clear()
            patched = client.patch(f"/api/v1/events/{event['id']}", json={"title": "Renamed"})
            assert patched.status_code == 200
            assert ran == [("begin_writes", "PATCH")]
