"""Per-key and per-address rate limits: 429 problems and RateLimit-* headers."""

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlmodel import Session

from app.config import Settings
from app.ratelimit import TokenBuckets
from app.schemas.keys import KeyScope
from tests.conftest import app_on
from tests.factories import stored_key

LIMIT = 3
OPEN_PATH = "/problems/not-found"
LIMIT_HEADERS = ("ratelimit-limit", "ratelimit-remaining", "ratelimit-reset")


def app_with(session: Session, keyed: int, anonymous: int) -> FastAPI:
    """An app on the test's session with the given limits a minute."""
    settings = Settings(
        rate_limit_per_minute=keyed, anonymous_rate_limit_per_minute=anonymous, rate_limit_cost_ms=0
    )
    return app_on(session, settings)


@pytest.fixture
def limited(session: Session) -> FastAPI:
    """An app allowing 3 requests a minute per key and per address."""
    return app_with(session, LIMIT, LIMIT)


def open_client(app: FastAPI, address: str = "testclient") -> TestClient:
    """A client from `address` that sends no Authorization header."""
    return TestClient(app, raise_server_exceptions=False, client=(address, 50000))


def remaining(client: TestClient, path: str, **headers: str) -> list[str]:
    """RateLimit-Remaining of four requests; a 429 shows as `429`."""
    values = []
    for _ in range(4):
        response = client.get(path, headers=headers)
        values.append("429" if response.status_code == 429 else response.headers[LIMIT_HEADERS[1]])
    return values


class TestLimit:
    def test_fourth_request_is_a_429_problem(self, limited: FastAPI) -> None:
        with open_client(limited) as client:
            for _ in range(LIMIT):
                assert client.get("/api/v1/events").status_code == 200
            response = client.get("/api/v1/events", headers={"X-Request-ID": "abc"})
        assert response.status_code == 429
        assert response.headers["content-type"] == "application/problem+json"
        retry_after = response.headers["retry-after"]
        assert retry_after.isdigit()
        assert 1 <= int(retry_after) <= 20
        assert response.headers["ratelimit-limit"] == "3"
        assert response.headers["ratelimit-remaining"] == "0"
        assert response.headers["ratelimit-reset"] == "60"
        assert response.headers["x-request-id"] == "abc"
        assert response.json() == {
            "type": "/problems/rate-limited",
            "title": "Too many requests",
            "status": 429,
            "detail": f"more than 3 requests a minute from this address; retry in {retry_after} s",
            "instance": "/api/v1/events",
        }

    def test_headers_on_successful_responses(self, limited: FastAPI) -> None:
        with open_client(limited) as client:
            responses = [client.get("/api/v1/events") for _ in range(LIMIT)]
        assert [r.status_code for r in responses] == [200, 200, 200]
        assert [r.headers["ratelimit-limit"] for r in responses] == ["3", "3", "3"]
        assert [r.headers["ratelimit-remaining"] for r in responses] == ["2", "1", "0"]
        assert [r.headers["ratelimit-reset"] for r in responses] == ["20", "40", "60"]

    def test_keys_are_counted_separately(self, limited: FastAPI, session: Session) -> None:
        one, two = stored_key(session, KeyScope.read), stored_key(session, KeyScope.read)
        with open_client(limited) as client:
            first = remaining(client, OPEN_PATH, Authorization=f"Bearer {one}")
            second = remaining(client, OPEN_PATH, Authorization=f"Bearer {two}")
            anonymous = remaining(client, OPEN_PATH)
        assert first == ["2", "1", "0", "429"]
        assert second == ["2", "1", "0", "429"]
        assert anonymous == ["2", "1", "0", "429"]

    def test_keyed_429_names_the_key(self, limited: FastAPI, session: Session) -> None:
        key = {"Authorization": f"Bearer {stored_key(session, KeyScope.read)}"}
        with open_client(limited) as client:
            for _ in range(LIMIT):
                client.get(OPEN_PATH, headers=key)
            response = client.get(OPEN_PATH, headers=key)
        assert response.status_code == 429
        assert response.json()["detail"].startswith(
            "more than 3 requests a minute from this API key; retry in "
        )

    def test_invented_keys_are_charged_to_the_address(self, limited: FastAPI) -> None:
        with open_client(limited) as client:
            statuses = [
                client.get("/api/v1/events", headers={"Authorization": f"Bearer made-up-{n}"})
                for n in range(LIMIT + 1)
            ]
        assert [r.status_code for r in statuses] == [401, 401, 401, 429]
        assert (
            statuses[-1]
            .json()["detail"]
            .startswith("more than 3 requests a minute from this address; retry in ")
        )

    def test_addresses_are_counted_separately(self, limited: FastAPI) -> None:
        with open_client(limited, "192.0.2.1") as one, open_client(limited, "192.0.2.2") as two:
            assert remaining(one, OPEN_PATH) == ["2", "1", "0", "429"]
            assert remaining(two, OPEN_PATH) == ["2", "1", "0", "429"]

    def test_limits_are_separate_settings(self, session: Session) -> None:
        app = app_with(session, 5, 2)
        key = {"Authorization": f"Bearer {stored_key(session, KeyScope.read)}"}
        with open_client(app) as client:
            keyed = client.get(OPEN_PATH, headers=key)
            anonymous = client.get(OPEN_PATH)
        assert keyed.headers["ratelimit-limit"] == "5"
        assert anonymous.headers["ratelimit-limit"] == "2"

    @pytest.mark.parametrize("path", ["/health", "/ready", "/metrics"])
    def test_operations_are_exempt(self, limited: FastAPI, path: str) -> None:
        with open_client(limited) as client:
            responses = [client.get(path) for _ in range(LIMIT + 2)]
        assert [r.status_code for r in responses] == [200] * (LIMIT + 2)
        assert not any(h in responses[-1].headers for h in LIMIT_HEADERS)

    def test_zero_disables(self, session: Session) -> None:
        app = app_with(session, 0, 0)
        key = {"Authorization": f"Bearer {stored_key(session, KeyScope.read)}"}
        with open_client(app) as client:
            anonymous = [client.get(OPEN_PATH) for _ in range(10)]
            keyed = [client.get(OPEN_PATH, headers=key) for _ in range(10)]
        assert [r.status_code for r in anonymous + keyed] == [200] * 20
        assert not any(h in anonymous[-1].headers for h in LIMIT_HEADERS)
        assert not any(h in keyed[-1].headers for h in LIMIT_HEADERS)

    def test_zero_disables_only_its_own_limit(self, session: Session) -> None:
        app = app_with(session, 0, 1)
        key = {"Authorization": f"Bearer {stored_key(session, KeyScope.read)}"}
        with open_client(app) as client:
            keyed = [client.get(OPEN_PATH, headers=key) for _ in range(3)]
            anonymous = [client.get(OPEN_PATH) for _ in range(2)]
        assert [r.status_code for r in keyed + anonymous] == [200, 200, 200, 200, 429]

    def test_defaults(self) -> None:
        assert Settings.model_fields["rate_limit_per_minute"].default == 600
        assert Settings.model_fields["anonymous_rate_limit_per_minute"].default == 120

    def test_problem_type_is_documented(self, client: TestClient) -> None:
        response = client.get("/problems/rate-limited")
        assert response.status_code == 200
        assert response.json()["type"] == "/problems/rate-limited"


class FakeClock:
    """A clock the test moves by hand."""

    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


class TestTokenBuckets:
    def test_refills_over_the_minute(self) -> None:
        clock = FakeClock()
        buckets = TokenBuckets(3, clock=clock)
        assert [buckets.take("a")[0] for _ in range(4)] == [True, True, True, False]
        assert buckets.retry_after(buckets.take("a")[1]) == 20
        clock.now += 20
        assert buckets.take("a") == (True, 0.0)
        assert buckets.take("a")[0] is False

    def test_idle_buckets_are_evicted(self) -> None:
        clock = FakeClock()
        buckets = TokenBuckets(3, clock=clock)
        buckets.take("a")
        clock.now += 30
        buckets.take("b")
        assert len(buckets) == 2
        clock.now += 30
        buckets.take("c")
        assert len(buckets) == 2
        clock.now += 60
        buckets.take("d")
        assert len(buckets) == 1

    def test_least_recently_used_go_past_the_cap(self) -> None:
        clock = FakeClock()
        buckets = TokenBuckets(3, clock=clock, max_buckets=2)
        buckets.take("a")
        buckets.take("b")
        buckets.take("a")
        buckets.take("c")
        assert len(buckets) == 2
        # "b" was dropped, so it starts full again; "a" kept its spent tokens.
        assert buckets.take("b") == (True, 2.0)
        assert buckets.take("c") == (True, 1.0)
