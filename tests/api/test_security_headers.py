"""Security headers, no Server banner, and who may read /metrics and the documentation."""

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlmodel import Session

from app.config import Settings
from app.schemas.keys import KeyScope
from tests.conftest import ROOT, app_on
from tests.factories import bearer, stored_key

DOCUMENTATION = ["/docs", "/redoc", "/openapi.json"]
MakeClient = Callable[..., TestClient]


@pytest.fixture
def make_client(session: Session) -> Iterator[MakeClient]:
    """Start anonymous clients on apps with the given settings; all stopped after the test."""
    started: list[TestClient] = []

    def make(**settings: Any) -> TestClient:
        client = TestClient(app_on(session, Settings(**settings)), raise_server_exceptions=False)
        started.append(client.__enter__())
        return client

    yield make
    for client in started:
        client.__exit__(None, None, None)


class TestNosniff:
    @pytest.mark.parametrize("path", ["/health", "/api/v1/events", "/nowhere", "/api/v1/keys"])
    def test_on_every_answer(self, anonymous: TestClient, path: str) -> None:
        assert anonymous.get(path).headers["x-content-type-options"] == "nosniff"

    def test_on_a_500(self, session: Session) -> None:
        app = app_on(session)

        def fail() -> None:
            raise RuntimeError("boom")

        app.add_api_route("/fail", fail)
        with TestClient(app, raise_server_exceptions=False) as started:
            response = started.get("/fail")
        assert response.status_code == 500
        assert response.headers["x-content-type-options"] == "nosniff"


class TestNoStore:
    def test_on_an_authenticated_read(self, client: TestClient) -> None:
        assert client.get("/api/v1/events").headers["cache-control"] == "no-store"

    def test_on_the_key_list(self, client: TestClient) -> None:
        assert client.get("/api/v1/keys").headers["cache-control"] == "no-store"

    def test_on_an_admin_route_refused_to_anyone(self, anonymous: TestClient) -> None:
        response = anonymous.get("/api/v1/keys")
        assert response.status_code == 401
        assert response.headers["cache-control"] == "no-store"

    def test_not_on_a_public_read(self, anonymous: TestClient) -> None:
        assert "cache-control" not in anonymous.get("/api/v1/events").headers


class TestNoServerBanner:
    @pytest.mark.parametrize("path", ["Makefile", "Dockerfile", "bench/run.py"])
    def test_every_way_of_serving_turns_it_off(self, path: str) -> None:
        text = Path(ROOT / path).read_text()
        assert "uvicorn" in text
        assert "--no-server-header" in text


class TestMetricsAccess:
    def test_off_is_a_404(self, make_client: MakeClient) -> None:
        assert make_client(metrics_access="off").get("/metrics").status_code == 404

    def test_public(self, make_client: MakeClient) -> None:
        assert make_client(metrics_access="public").get("/metrics").status_code == 200

    def test_admin_needs_an_admin_key(self, make_client: MakeClient, session: Session) -> None:
        guarded = make_client(metrics_access="admin")
        writer = stored_key(session, KeyScope.write)
        admin = stored_key(session, KeyScope.admin)
        assert guarded.get("/metrics").status_code == 401
        assert guarded.get("/metrics", headers=bearer(writer)).status_code == 403
        response = guarded.get("/metrics", headers=bearer(admin))
        assert response.status_code == 200
        assert response.headers["cache-control"] == "no-store"

    def test_by_default_follows_require_key_for_reads(self, make_client: MakeClient) -> None:
        assert make_client().get("/metrics").status_code == 200
        guarded = make_client(require_key_for_reads=True)
        assert guarded.get("/metrics").status_code == 401


class TestDocumentationAccess:
    @pytest.mark.parametrize("path", DOCUMENTATION)
    def test_follows_require_key_for_reads_when_asked(
        self, make_client: MakeClient, session: Session, path: str
    ) -> None:
        guarded = make_client(require_key_for_reads=True, docs_need_key=True)
        assert guarded.get(path).status_code == 401
        reader = stored_key(session, KeyScope.read)
        assert guarded.get(path, headers=bearer(reader)).status_code == 200

    @pytest.mark.parametrize("path", DOCUMENTATION)
    def test_public_unless_asked(self, make_client: MakeClient, path: str) -> None:
        assert make_client(require_key_for_reads=True).get(path).status_code == 200
        assert make_client(docs_need_key=True).get(path).status_code == 200
