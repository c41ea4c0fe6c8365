"""bench.layers on a few calls: every variant answers the GET, the section reports each."""

import asyncio
import json
from pathlib import Path

from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlmodel import Session

from app.config import Settings
from bench import layers
from tests.conftest import app_on
from tests.factories import make_event

SETTINGS = Settings(rate_limit_per_minute=0, anonymous_rate_limit_per_minute=0, access_log=False)
MIDDLEWARE = [
    "ResponseHeadersMiddleware",
    "ProxyHeadersMiddleware",
    "ObservabilityMiddleware",
    "RateLimitMiddleware",
    "BodySizeLimitMiddleware",
    "IdempotencyMiddleware",
]


def test_every_variant_answers_and_is_reported(
    session: Session, client: TestClient, tmp_path: Path
) -> None:
    event = make_event(client)
    path = f"/api/v1/events/{event['id']}"

    def make_app() -> FastAPI:
        return app_on(session, SETTINGS)

    assert layers.variant_names(make_app()) == [
        layers.FULL,
        layers.ROUTED,
        *(f"without {name}" for name in MIDDLEWARE),
        layers.BARE,
    ]
    timings, spent = asyncio.run(layers.measure(make_app, path, calls=3, rounds=2))
    assert {name: (t.status, len(t.calls)) for name, t in timings.items()} == dict.fromkeys(
        layers.variant_names(make_app()), (200, 6)
    )
    assert spent["dependency solving"] > 0
    assert spent["handler"] > 0
    # A GET by id answers JSON bytes (app.read): FastAPI has no model to serialize.
    assert spent["response serialization"] == 0
    assert sum(spent.values()) < sum(timings[layers.ROUTED].calls)
    results = tmp_path / "RESULTS.md"
    results.write_text("# Benchmarks\n\n## Other\n\nkept\n")
    layers.write(layers.section(timings, spent, path, "sqlite", "tiny run."), "sqlite", results)
    layers.write(layers.section(timings, spent, path, "sqlite", "again."), "sqlite", results)
    layers.write(layers.section(timings, spent, path, "postgresql", "pg."), "postgresql", results)
    written = results.read_text()
    assert written.count(layers.markers("sqlite")[0]) == 1
    assert written.count(layers.markers("postgresql")[0]) == 1
    assert "tiny run." not in written
    assert "kept" in written
    assert "again." in written
    assert "| without IdempotencyMiddleware | 200 |" in written
    assert "| dependency solving |" in written


def test_a_variant_really_drops_its_layer(session: Session, client: TestClient) -> None:
    event = make_event(client)
    path = f"/api/v1/events/{event['id']}"

    def make_app() -> FastAPI:
        return app_on(session, SETTINGS)

    async def headers(variant: str) -> tuple[int, dict[str, object]]:
        app = layers.build(make_app, variant)
        sent: list[dict[str, object]] = []

        async def receive() -> dict[str, object]:
            return {"type": "http.request", "body": b"", "more_body": False}

        async def send(message: dict[str, object]) -> None:
            sent.append(message)

        async with app.router.lifespan_context(app):
            await app(layers.http_scope(path), receive, send)  # type: ignore[arg-type]
        start = sent[0]
        found = {k.decode(): v for k, v in start["headers"]}  # type: ignore[attr-defined]
        body = json.loads(b"".join(m.get("body", b"") for m in sent[1:]))  # type: ignore[misc]
        assert body["id"] == event["id"]
        return int(start["status"]), found  # type: ignore[call-overload]

    full = asyncio.run(headers(layers.FULL))
    assert full[0] == 200
    assert "x-request-id" in full[1]
    assert "x-content-type-options" in full[1]
    dropped = asyncio.run(headers("without ResponseHeadersMiddleware"))[1]
    assert "x-request-id" not in dropped
    assert "x-content-type-options" not in dropped
    bare = asyncio.run(headers(layers.BARE))[1]
    assert "x-request-id" not in bare
    assert "x-content-type-options" not in bare
