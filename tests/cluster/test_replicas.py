"""DATABASE_REPLICA_URLS against a real standby: reads there, writes on the primary,
read-your-writes with X-Consistency-Token, a stopped or lagging standby skipped."""

import time
import uuid
from collections.abc import Callable, Iterator

import httpx
import pytest
from fastapi.testclient import TestClient
from sqlmodel import Session

from app.config import get_settings
from app.db import get_engine
from app.main import create_app
from app.replicas import ReplicaSet, parse_lsn, replica_set
from app.schemas.keys import KeyScope
from cluster.standby import Standby
from tests.cluster.conftest import standby_url
from tests.factories import bearer, stored_key

pytestmark = pytest.mark.postgresql
TOKEN = "x-consistency-token"


def clear_caches() -> None:
    """Forget the engines and standbys built from earlier settings."""
    for cached in (replica_set, get_engine):
        if cached.cache_info().currsize:
            built = cached()
            if built is not None:
                built.dispose()
        cached.cache_clear()
    get_settings.cache_clear()


def wait_for(condition: Callable[[], bool], timeout: float = 30) -> None:
    """Poll `condition` until it holds."""
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.05)


def healthy_after_check(replicas: ReplicaSet) -> bool:
    """Check the standbys now; whether the first is fit."""
    replicas.check()
    return replicas.standbys[0].healthy


@pytest.fixture(scope="module")
def replicas(standby: Standby, primary_url: str) -> Iterator[ReplicaSet]:
    """The app's standbys, configured from the environment as in production."""
    patch = pytest.MonkeyPatch()
    patch.setenv("DATABASE_URL", primary_url)
    patch.setenv("DATABASE_REPLICA_URLS", standby_url(standby, primary_url))
    patch.setenv("REPLICA_CHECK_SECONDS", "0.2")
    patch.setenv("REPLICA_MAX_LAG_SECONDS", "300")
    clear_caches()
    found = replica_set()
    assert found is not None
    found.check()
    yield found
    patch.undo()
    clear_caches()


@pytest.fixture(scope="module")
def api(replicas: ReplicaSet) -> Iterator[TestClient]:
    """A client on the app with a write key stored on the primary."""
    with Session(get_engine()) as session:
        key = stored_key(session, KeyScope.read, KeyScope.write)
    with TestClient(create_app(), raise_server_exceptions=False, headers=bearer(key)) as client:
        yield client


@pytest.fixture
def paused(standby: Standby, replicas: ReplicaSet) -> Iterator[None]:
    """Replay stopped on the standby for the test: it keeps answering, but falls behind."""
    standby.wait_caught_up()
    replicas.check()
    standby.query("SELECT pg_wal_replay_pause()")
    try:
        yield
    finally:
        standby.query("SELECT pg_wal_replay_resume()")
        standby.wait_caught_up()
        replicas.max_lag = 300
        replicas.check()


def create_participant(api: TestClient, keyed: bool = False) -> httpx.Response:
    """POST a new person, with an Idempotency-Key if `keyed`."""
    body = {"slug": f"p-{uuid.uuid4().hex[:12]}", "name": "Someone", "kind": "person"}
    headers = {"Idempotency-Key": uuid.uuid4().hex} if keyed else {}
    response: httpx.Response = api.post("/api/v1/participants", json=body, headers=headers)
    assert response.status_code == 201
    return response


class TestRouting:
    @pytest.mark.parametrize("keyed", [False, True], ids=["plain", "keyed"])
    def test_reads_hit_the_standby_and_writes_the_primary(
        self, api: TestClient, paused: None, keyed: bool
    ) -> None:
        created = create_participant(api, keyed)
        path = f"/api/v1/participants/{created.json()['id']}"
        # The standby has not replayed the write: a plain read there does not find it.
        assert api.get(path).status_code == 404
        # With the write's token the read goes to the primary.
        again = api.get(path, headers={TOKEN: created.headers[TOKEN]})
        assert again.status_code == 200
        assert again.json()["id"] == created.json()["id"]

    def test_token_read_uses_the_standby_once_it_has_replayed(
        self, api: TestClient, standby: Standby, replicas: ReplicaSet
    ) -> None:
        created = create_participant(api)
        standby.wait_caught_up()
        replicas.check()
        token = created.headers[TOKEN]
        assert replicas.pick(parse_lsn(token)) is replicas.standbys[0]
        response = api.get(f"/api/v1/participants/{created.json()['id']}", headers={TOKEN: token})
        assert response.status_code == 200

    def test_a_malformed_token_is_a_400(self, api: TestClient) -> None:
        response = api.get("/api/v1/participants", headers={TOKEN: "yesterday"})
        assert response.status_code == 400
        assert response.json()["type"] == "/problems/bad-request"

    def test_a_lagging_standby_is_skipped(
        self, api: TestClient, replicas: ReplicaSet, paused: None
    ) -> None:
        replicas.max_lag = 0.5
        created = create_participant(api)
        time.sleep(1.0)
        replicas.check()
        assert replicas.standbys[0].lag_seconds > 0.5
        # Without a token, yet found: the primary answered, not the standby behind it.
        assert api.get(f"/api/v1/participants/{created.json()['id']}").status_code == 200

    def test_a_stopped_standby_is_skipped(
        self, api: TestClient, standby: Standby, replicas: ReplicaSet
    ) -> None:
        standby.stop()
        try:
            # Before any check has noticed: the request falls back by itself.
            assert api.get("/api/v1/participants?limit=1").status_code == 200
            replicas.check()
            assert replicas.standbys[0].healthy is False
            assert api.get("/api/v1/participants?limit=1").status_code == 200
        finally:
            standby.start()
        standby.wait_caught_up()
        wait_for(lambda: healthy_after_check(replicas))
