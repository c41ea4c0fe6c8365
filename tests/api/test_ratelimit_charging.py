"""Which bucket pays for a request, what it costs, and buckets shared through Redis."""

import os
import time
import uuid

import pytest
import redis
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlmodel import Session

from app.config import Settings
from app.ratelimit import request_cost
from app.schemas.keys import KeyScope
from tests.conftest import app_on
from tests.factories import stored_key

LIMIT = 3
OPEN_PATH = "/problems/not-found"
REDIS_URL = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/0")


def limited_app(session: Session, **settings: object) -> FastAPI:
    """An app allowing 3 tokens a minute per key and per address, every request costing one."""
    values = {
        "rate_limit_per_minute": LIMIT,
        "anonymous_rate_limit_per_minute": LIMIT,
        "rate_limit_cost_ms": 0,
    } | settings
    return app_on(session, Settings(**values))  # type: ignore[arg-type]


def client_from(app: FastAPI, address: str = "testclient") -> TestClient:
    """A client from `address` sending no Authorization of its own."""
    return TestClient(app, raise_server_exceptions=False, client=(address, 50000))


class TestOneBucket:
    @pytest.mark.parametrize(
        "authorization", ["Basic dXNlcjpwYXNz", "Bearer", "Bearer two words", "Token abc", "x"]
    )
    def test_an_authorization_that_is_not_bearer_is_a_401(
        self, session: Session, authorization: str
    ) -> None:
        with client_from(limited_app(session)) as client:
            response = client.get("/api/v1/events", headers={"Authorization": authorization})
        assert response.status_code == 401
        assert response.headers["www-authenticate"] == "Bearer"
        assert response.json() == {
            "type": "/problems/unauthorized",
            "title": "Unauthorized",
            "status": 401,
            "detail": "the Authorization header must be `Bearer <key>`",
            "instance": "/api/v1/events",
        }

    def test_non_bearer_requests_are_charged_to_the_address(self, session: Session) -> None:
        with client_from(limited_app(session)) as client:
            basic = [
                client.get(OPEN_PATH, headers={"Authorization": f"Basic {n}"}).status_code
                for n in range(LIMIT + 1)
            ]
            anonymous = client.get(OPEN_PATH).status_code
        assert basic == [401, 401, 401, 429]
        assert anonymous == 429

    def test_a_valid_key_is_not_limited_by_its_address(self, session: Session) -> None:
        key = {"Authorization": f"Bearer {stored_key(session, KeyScope.read)}"}
        with client_from(limited_app(session)) as client:
            anonymous = [client.get("/api/v1/events").status_code for _ in range(LIMIT + 1)]
            keyed = [client.get("/api/v1/events", headers=key).status_code for _ in range(LIMIT)]
        assert anonymous == [200, 200, 200, 429]
        assert keyed == [200, 200, 200]

    def test_invented_keys_on_public_paths_pay_from_the_address(self, session: Session) -> None:
        with client_from(limited_app(session)) as client:
            statuses = [
                client.get(OPEN_PATH, headers={"Authorization": f"Bearer made-up-{n}"})
                for n in range(LIMIT + 1)
            ]
        assert [r.status_code for r in statuses] == [200, 200, 200, 429]
        assert (
            statuses[-1]
            .json()["detail"]
            .startswith("more than 3 requests a minute from this address")
        )

    def test_a_revoked_key_pays_from_the_address(
        self, session: Session, client: TestClient
    ) -> None:
        created = client.post("/api/v1/keys", json={"name": "gone", "scopes": ["read"]}).json()
        client.delete(f"/api/v1/keys/{created['id']}")
        revoked = {"Authorization": f"Bearer {created['key']}"}
        with client_from(limited_app(session)) as other:
            statuses = [other.get(OPEN_PATH, headers=revoked).status_code for _ in range(LIMIT)]
            assert statuses == [200, 200, 200]
            assert other.get(OPEN_PATH).status_code == 429


class TestCost:
    def test_cost_rule(self) -> None:
        assert [request_cost(s) for s in (0.0, 0.005, 0.1, 0.101, 0.35, 1.0, 60.0)] == [
            1,
            1,
            1,
            2,
            4,
            10,
            60,
        ]
        assert request_cost(5.0, 0) == 1

    def test_a_slow_request_spends_more(self, session: Session) -> None:
        app = limited_app(session, anonymous_rate_limit_per_minute=100, rate_limit_cost_ms=100)

        def slow() -> dict[str, str]:
            time.sleep(0.25)
            return {"status": "slow"}

        app.add_api_route("/slow", slow)
        with client_from(app) as client:
            response = client.get("/slow")
            after = client.get(OPEN_PATH)
        assert response.status_code == 200
        # At least 0.25 s costs at least 3 tokens (more on a busy machine); the next one less.
        left = int(response.headers["ratelimit-remaining"])
        assert left <= 100 - 3
        assert int(after.headers["ratelimit-remaining"]) < left


@pytest.fixture
def redis_url() -> str:
    """The test Redis; required under CI, skipped elsewhere when unreachable."""
    try:
        with redis.Redis.from_url(REDIS_URL, socket_connect_timeout=1) as client:
            client.ping()
    except redis.exceptions.RedisError:
        if os.environ.get("CI"):
            pytest.fail(f"Redis is unreachable at {REDIS_URL}; CI requires it")
        pytest.skip(f"Redis is unreachable at {REDIS_URL} (set TEST_REDIS_URL)")
    return REDIS_URL


class TestRedisStore:
    def test_buckets_hold_across_processes(self, session: Session, redis_url: str) -> None:
        # Two apps stand for two workers; a fresh address keeps runs apart.
        address = f"test-{uuid.uuid4().hex}"
        first = limited_app(session, rate_limit_store=redis_url)
        second = limited_app(session, rate_limit_store=redis_url)
        with client_from(first, address) as one, client_from(second, address) as two:
            statuses = [
                one.get(OPEN_PATH).status_code,
                two.get(OPEN_PATH).status_code,
                one.get(OPEN_PATH).status_code,
                two.get(OPEN_PATH).status_code,
                one.get(OPEN_PATH).status_code,
            ]
            remaining = two.get(OPEN_PATH).headers["ratelimit-remaining"]
        assert statuses == [200, 200, 200, 429, 429]
        assert remaining == "0"
        with redis.Redis.from_url(redis_url) as client:
            stored = client.hkeys(f"geoevents:ratelimit:ip:{address}")
        assert sorted(stored) == [b"tokens", b"updated"]

    def test_keys_share_their_bucket_too(self, session: Session, redis_url: str) -> None:
        key = {"Authorization": f"Bearer {stored_key(session, KeyScope.read)}"}
        first = limited_app(session, rate_limit_store=redis_url)
        second = limited_app(session, rate_limit_store=redis_url)
        with client_from(first) as one, client_from(second) as two:
            statuses = [c.get(OPEN_PATH, headers=key).status_code for c in (one, two, one, two)]
        assert statuses == [200, 200, 200, 429]

    def test_the_apps_lifespan_closes_its_redis_connections(
        self, session: Session, redis_url: str
    ) -> None:
        # Left open, they would be collected after their event loop had closed.
        app = limited_app(session, rate_limit_store=redis_url)
        with client_from(app, f"test-{uuid.uuid4().hex}") as client:
            client.get(OPEN_PATH)
            connections = [
                connection
                for buckets in app.state.rate_limit_buckets
                for redis_client, _ in buckets._clients.values()
                for connection in redis_client.connection_pool._available_connections
            ]
            assert connections
            assert all(connection.is_connected for connection in connections)
        assert not any(buckets._clients for buckets in app.state.rate_limit_buckets)
        assert not any(connection.is_connected for connection in connections)

    def test_an_unreachable_store_falls_back_to_process_limits(self, session: Session) -> None:
        app = limited_app(session, rate_limit_store="redis://127.0.0.1:1/0")
        with client_from(app) as client:
            statuses = [client.get(OPEN_PATH).status_code for _ in range(LIMIT + 1)]
        assert statuses == [200, 200, 200, 429]
