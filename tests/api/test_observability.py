"""JSON access logs and Prometheus metrics at GET /metrics."""

import hashlib
import json
import logging
import re
from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient
from sqlmodel import Session

from app.config import Settings
from app.logging import JsonFormatter
from app.main import create_app
from app.observability import ACCESS_LOGGER
from tests.conftest import app_on

METRICS_TYPE = "text/plain; version=0.0.4; charset=utf-8"


@pytest.fixture
def open_client(session: Session) -> Iterator[TestClient]:
    """A client sending no Authorization header, whatever the `client` fixture sends."""
    with TestClient(app_on(session), raise_server_exceptions=False) as test_client:
        yield test_client


@pytest.fixture
def access_log(caplog: pytest.LogCaptureFixture) -> Iterator[pytest.LogCaptureFixture]:
    """caplog, attached to the access logger itself since that logger does not propagate."""
    logger = logging.getLogger(ACCESS_LOGGER)
    logger.addHandler(caplog.handler)
    try:
        yield caplog
    finally:
        logger.removeHandler(caplog.handler)


def access_lines(records: list[logging.LogRecord]) -> list[dict[str, object]]:
    """The access records as the JSON objects the formatter writes."""
    formatter = JsonFormatter()
    lines = [formatter.format(r) for r in records if r.name == ACCESS_LOGGER]
    assert all("\n" not in line for line in lines)
    return [json.loads(line) for line in lines]


class TestAccessLog:
    def test_one_json_line_per_request(
        self, open_client: TestClient, access_log: pytest.LogCaptureFixture
    ) -> None:
        response = open_client.get("/api/v1/events/no-such-event")
        assert response.status_code == 404
        [line] = access_lines(access_log.records)
        duration = line.pop("duration_ms")
        assert isinstance(duration, float)
        assert duration >= 0
        assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}\+00:00", str(line.pop("time")))
        assert line == {
            "level": "INFO",
            "logger": "geoevents.access",
            "message": "GET /api/v1/events/no-such-event 404",
            "request_id": response.headers["x-request-id"],
            "method": "GET",
            "path": "/api/v1/events/no-such-event",
            "route": "/api/v1/events/{event_id}",
            "status": 404,
            "client": "testclient",
            "key": None,
        }

    def test_key_identity_is_a_hash_prefix(
        self, open_client: TestClient, access_log: pytest.LogCaptureFixture
    ) -> None:
        open_client.get("/health", headers={"Authorization": "Bearer secret", "X-Request-ID": "r1"})
        [line] = access_lines(access_log.records)
        assert line["key"] == hashlib.sha256(b"Bearer secret").hexdigest()[:12]
        assert line["request_id"] == "r1"
        assert line["route"] == "/health"
        assert "secret" not in json.dumps(line)

    def test_unknown_route_is_unmatched(
        self, open_client: TestClient, access_log: pytest.LogCaptureFixture
    ) -> None:
        open_client.get("/nowhere/at/all")
        [line] = access_lines(access_log.records)
        assert (line["route"], line["status"]) == ("unmatched", 404)

    def test_a_500_is_logged(self, access_log: pytest.LogCaptureFixture) -> None:
        app = create_app()

        def fail() -> None:
            raise RuntimeError("boom")

        app.add_api_route("/fail", fail)
        with TestClient(app, raise_server_exceptions=False) as test_client:
            response = test_client.get("/fail")
        assert response.status_code == 500
        [line] = access_lines(access_log.records)
        assert (line["route"], line["status"]) == ("/fail", 500)
        assert line["request_id"] == response.headers["x-request-id"]

    def test_off_by_setting(self, session: Session, access_log: pytest.LogCaptureFixture) -> None:
        app = app_on(session, Settings(access_log=False))
        with TestClient(app, raise_server_exceptions=False) as test_client:
            assert test_client.get("/health").status_code == 200
        assert access_lines(access_log.records) == []


def sample(text: str, name: str, **labels: str) -> float | None:
    """The value of the sample `name{labels}` in an exposition, None if absent."""
    wanted = ",".join(f'{k}="{v}"' for k, v in sorted(labels.items()))
    for line in text.splitlines():
        series, _, value = line.rpartition(" ")
        if series == (f"{name}{{{wanted}}}" if labels else name):
            return float(value)
    return None


class TestMetrics:
    def test_requests_are_counted_by_route_template(self, open_client: TestClient) -> None:
        assert open_client.get("/api/v1/events").status_code == 200
        assert open_client.get("/api/v1/events?limit=5").status_code == 200
        assert open_client.get("/api/v1/events/nothing").status_code == 404
        assert open_client.get("/nowhere").status_code == 404
        response = open_client.get("/metrics")
        assert response.status_code == 200
        assert response.headers["content-type"] == METRICS_TYPE
        text = response.text
        requests = "geoevents_http_requests_total"
        events = {"method": "GET", "route": "/api/v1/events", "status": "200"}
        assert sample(text, requests, **events) == 2.0
        one = {"method": "GET", "route": "/api/v1/events/{event_id}", "status": "404"}
        assert sample(text, requests, **one) == 1.0
        assert sample(text, requests, method="GET", route="unmatched", status="404") == 1.0
        assert "/api/v1/events/nothing" not in text
        assert "/nowhere" not in text

    def test_latency_histogram(self, open_client: TestClient) -> None:
        open_client.get("/api/v1/events")
        text = open_client.get("/metrics").text
        histogram = "geoevents_http_request_duration_seconds"
        events = {"method": "GET", "route": "/api/v1/events", "status": "200"}
        assert "# TYPE geoevents_http_request_duration_seconds histogram" in text
        assert sample(text, f"{histogram}_count", **events) == 1.0
        assert sample(text, f"{histogram}_bucket", le="+Inf", **events) == 1.0
        assert (sample(text, f"{histogram}_sum", **events) or 0.0) > 0.0

    def test_pool_gauges(self, open_client: TestClient) -> None:
        text = open_client.get("/metrics").text
        for gauge in ("size", "checked_out", "checked_in", "overflow"):
            assert f"# TYPE geoevents_db_pool_{gauge} gauge" in text
            assert sample(text, f"geoevents_db_pool_{gauge}") is not None

    def test_unknown_methods_share_one_label(self, open_client: TestClient) -> None:
        open_client.request("BREW", "/health")
        text = open_client.get("/metrics").text
        assert (
            sample(
                text, "geoevents_http_requests_total", method="OTHER", route="/health", status="405"
            )
            == 1.0
        )
        assert "BREW" not in text

    def test_each_app_has_its_own_registry(self, session: Session) -> None:
        with TestClient(app_on(session)) as first, TestClient(app_on(session)) as second:
            first.get("/health")
            text = second.get("/metrics").text
        assert (
            sample(
                text, "geoevents_http_requests_total", method="GET", route="/health", status="200"
            )
            is None
        )

    def test_documented_as_an_operation(self, open_client: TestClient) -> None:
        operation = open_client.get("/openapi.json").json()["paths"]["/metrics"]["get"]
        assert operation["tags"] == ["operations"]
        assert operation["operationId"] == "metrics"
        assert operation["summary"] == "Prometheus metrics"
