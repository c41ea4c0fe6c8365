"""Request ids, the request body limit and CORS."""

import json
import re
from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient
from sqlmodel import Session

from app.config import Settings
from app.db import get_session
from app.main import create_app
from tests.factories import bearer, unique_slug

ALLOWED_ORIGIN = "https://app.example.org"
BODY_LIMIT = 256
PROBLEM = "application/problem+json"


@pytest.fixture
def configured_client(session: Session, admin_key: str) -> Iterator[TestClient]:
    """A client on an app with a small body limit and one allowed CORS origin."""
    app = create_app(Settings(max_body_bytes=BODY_LIMIT, cors_origins=[ALLOWED_ORIGIN]))

    def request_session() -> Iterator[Session]:
        try:
            yield session
        finally:
            session.rollback()

    app.dependency_overrides[get_session] = request_session
    with TestClient(app, raise_server_exceptions=False, headers=bearer(admin_key)) as test_client:
        yield test_client


def event_body(slug: str, title: str = "A meeting") -> dict[str, str]:
    """A valid event to create."""
    return {
        "slug": slug,
        "title": title,
        "event_type": "meeting",
        "status": "occurred",
        "start": "2019-09-12",
    }


def assert_too_large(response_status: int, body: dict[str, object], path: str) -> None:
    """The 413 problem document for `path`."""
    assert response_status == 413
    assert body == {
        "type": "/problems/payload-too-large",
        "title": "Payload too large",
        "status": 413,
        "detail": f"the request body is larger than the limit of {BODY_LIMIT} bytes",
        "instance": path,
    }


class TestRequestId:
    def test_generated_when_absent(self, client: TestClient) -> None:
        response = client.get("/health")
        assert response.status_code == 200
        assert re.fullmatch(r"[0-9a-f]{32}", response.headers["x-request-id"])

    def test_each_request_gets_its_own(self, client: TestClient) -> None:
        first = client.get("/health").headers["x-request-id"]
        second = client.get("/health").headers["x-request-id"]
        assert first != second

    def test_echoed_when_sent(self, client: TestClient) -> None:
        response = client.get("/health", headers={"X-Request-ID": "trace-1.a:b_c-2"})
        assert response.headers["x-request-id"] == "trace-1.a:b_c-2"

    def test_on_a_404_problem(self, client: TestClient) -> None:
        response = client.get("/api/v1/nowhere", headers={"X-Request-ID": "abc"})
        assert response.status_code == 404
        assert response.headers["content-type"] == PROBLEM
        assert response.headers["x-request-id"] == "abc"

    def test_on_a_422_problem(self, client: TestClient) -> None:
        response = client.post("/api/v1/events", json={}, headers={"X-Request-ID": "abc"})
        assert response.status_code == 422
        assert response.headers["x-request-id"] == "abc"

    def test_on_a_500_problem(self) -> None:
        app = create_app()

        def fail() -> None:
            raise RuntimeError("boom")

        app.add_api_route("/fail", fail)
        with TestClient(app, raise_server_exceptions=False) as test_client:
            response = test_client.get("/fail", headers={"X-Request-ID": "abc"})
        assert response.status_code == 500
        assert response.headers["content-type"] == PROBLEM
        assert response.headers["x-request-id"] == "abc"

    @pytest.mark.parametrize("sent", [b"x" * 129, b"x" * 300, b"a b", "a\u00e9".encode(), b"a/b"])
    def test_invalid_one_is_replaced(self, client: TestClient, sent: bytes) -> None:
        response = client.get("/health", headers={"X-Request-ID": sent})
        assert re.fullmatch(r"[0-9a-f]{32}", response.headers["x-request-id"])

    def test_longest_sane_one_is_kept(self, client: TestClient) -> None:
        response = client.get("/health", headers={"X-Request-ID": "x" * 128})
        assert response.headers["x-request-id"] == "x" * 128


class TestBodyLimit:
    def test_default_is_one_mebibyte(self) -> None:
        assert Settings.model_fields["max_body_bytes"].default == 1_048_576

    def test_body_at_the_limit_is_accepted(self, configured_client: TestClient) -> None:
        slug = unique_slug("event")
        body = event_body(slug)
        padding = BODY_LIMIT - len(json.dumps(body).encode())
        body["title"] += "x" * padding
        content = json.dumps(body).encode()
        assert len(content) == BODY_LIMIT
        response = configured_client.post(
            "/api/v1/events", content=content, headers={"content-type": "application/json"}
        )
        assert response.status_code == 201, response.text

    def test_declared_body_over_the_limit_is_413(self, configured_client: TestClient) -> None:
        slug = unique_slug("event")
        body = event_body(slug, title="x" * BODY_LIMIT)
        response = configured_client.post(
            "/api/v1/events", json=body, headers={"X-Request-ID": "abc"}
        )
        assert response.headers["content-type"] == PROBLEM
        assert response.headers["x-request-id"] == "abc"
        assert_too_large(response.status_code, response.json(), "/api/v1/events")
        assert configured_client.get(f"/api/v1/events/{slug}").status_code == 404

    @pytest.mark.parametrize("path", ["/api/v1/events", "/api/v1/events/some-event", "/health"])
    def test_a_read_declaring_a_body_over_the_limit_is_413(
        self, configured_client: TestClient, path: str
    ) -> None:
        # Its body would never be read, but the connection would still have to carry it.
        response = configured_client.request("GET", path, content=b"x" * (BODY_LIMIT + 1))
        assert_too_large(response.status_code, response.json(), path)

    def test_chunked_body_over_the_limit_is_413(self, configured_client: TestClient) -> None:
        slug = unique_slug("event")
        content = json.dumps(event_body(slug, title="x" * BODY_LIMIT)).encode()

        def chunks() -> Iterator[bytes]:
            for start in range(0, len(content), 64):
                yield content[start : start + 64]

        response = configured_client.post(
            "/api/v1/events", content=chunks(), headers={"content-type": "application/json"}
        )
        assert "content-length" not in response.request.headers
        assert response.headers["content-type"] == PROBLEM
        assert_too_large(response.status_code, response.json(), "/api/v1/events")
        assert configured_client.get(f"/api/v1/events/{slug}").status_code == 404

    def test_chunked_body_under_the_limit_is_accepted(self, configured_client: TestClient) -> None:
        content = json.dumps(event_body(unique_slug("event"))).encode()

        def chunks() -> Iterator[bytes]:
            yield content[:10]
            yield content[10:]

        response = configured_client.post(
            "/api/v1/events", content=chunks(), headers={"content-type": "application/json"}
        )
        assert response.status_code == 201, response.text

    def test_problem_type_is_documented(self, client: TestClient) -> None:
        response = client.get("/problems/payload-too-large")
        assert response.status_code == 200
        assert response.json()["type"] == "/problems/payload-too-large"


class TestCors:
    def test_preflight_from_an_allowed_origin(self, configured_client: TestClient) -> None:
        response = configured_client.options(
            "/api/v1/events/some-event",
            headers={
                "Origin": ALLOWED_ORIGIN,
                "Access-Control-Request-Method": "PATCH",
                "Access-Control-Request-Headers": "if-match,content-type",
            },
        )
        assert response.status_code == 200
        assert response.headers["access-control-allow-origin"] == ALLOWED_ORIGIN
        assert response.headers["access-control-allow-methods"] == (
            "GET, POST, PATCH, DELETE, OPTIONS"
        )
        assert response.headers["access-control-allow-headers"] == (
            "Accept, Accept-Language, Authorization, Content-Language, Content-Type, "
            "Idempotency-Key, If-Match, If-None-Match, X-Consistency-Token, X-Request-ID"
        )

    def test_preflight_lets_a_read_send_its_consistency_token(
        self, configured_client: TestClient
    ) -> None:
        response = configured_client.options(
            "/api/v1/events/some-event",
            headers={
                "Origin": ALLOWED_ORIGIN,
                "Access-Control-Request-Method": "GET",
                "Access-Control-Request-Headers": "x-consistency-token",
            },
        )
        assert response.status_code == 200
        assert response.headers["access-control-allow-origin"] == ALLOWED_ORIGIN

    def test_preflight_from_another_origin(self, configured_client: TestClient) -> None:
        response = configured_client.options(
            "/api/v1/events/some-event",
            headers={
                "Origin": "https://evil.example.com",
                "Access-Control-Request-Method": "PATCH",
            },
        )
        assert response.status_code == 400
        assert "access-control-allow-origin" not in response.headers

    def test_simple_get_from_an_allowed_origin(self, configured_client: TestClient) -> None:
        response = configured_client.get("/api/v1/events", headers={"Origin": ALLOWED_ORIGIN})
        assert response.status_code == 200
        assert response.headers["access-control-allow-origin"] == ALLOWED_ORIGIN
        assert response.headers["access-control-expose-headers"] == (
            "ETag, Last-Modified, Location, X-Request-ID, Link, Retry-After, RateLimit-Limit, "
            "RateLimit-Remaining, RateLimit-Reset, Idempotent-Replayed, X-Consistency-Token"
        )
        assert re.fullmatch(r"[0-9a-f]{32}", response.headers["x-request-id"])

    def test_off_by_default(self, client: TestClient) -> None:
        response = client.get("/api/v1/events", headers={"Origin": ALLOWED_ORIGIN})
        assert response.status_code == 200
        assert "access-control-allow-origin" not in response.headers


class TestCorsOriginsSetting:
    def test_json_list(self, monkeypatch: pytest.MonkeyPatch) -> None:
        monkeypatch.setenv("CORS_ORIGINS", '["https://a.example", "https://b.example"]')
        assert Settings().cors_origins == ["https://a.example", "https://b.example"]

    def test_comma_separated(self, monkeypatch: pytest.MonkeyPatch) -> None:
        monkeypatch.setenv("CORS_ORIGINS", "https://a.example, https://b.example")
        assert Settings().cors_origins == ["https://a.example", "https://b.example"]

    def test_default_is_empty(self, monkeypatch: pytest.MonkeyPatch) -> None:
        monkeypatch.delenv("CORS_ORIGINS", raising=False)
        assert Settings().cors_origins == []
