"""API keys: who may read and write, who wrote each record, /keys, bootstrap and command line."""

import datetime as dt
import hashlib
import uuid
from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient
from sqlmodel import Session, col, func, select

from app.config import Settings
from app.models import ApiKey
from app.schemas.keys import KeyScope
from app.services import keys
from tests.conftest import app_on
from tests.factories import assert_problem, bearer, make_event, stored_key, unique_slug

EVENTS = "/api/v1/events"
KEYS = "/api/v1/keys"
NEEDS_WRITE = "this request needs an API key with the write scope: send Authorization: Bearer <key>"
UNKNOWN_KEY = "the API key is unknown or has been revoked"


def event_body() -> dict[str, str]:
    """A valid POST /events body."""
    return {
        "slug": unique_slug("event"),
        "title": "A meeting",
        "event_type": "meeting",
        "status": "occurred",
    }


def key_id(session: Session, plain: str) -> str:
    """The id of the stored key whose value is `plain`."""
    found = keys.find_key(session, plain)
    assert found is not None
    return str(found.id)


def lacks(plain: str, scope: str) -> str:
    """The 403 detail for a key without `scope`."""
    return f"the API key {plain[:7]}... lacks the {scope} scope this request needs"


def assert_unauthorized(response: object, detail: str) -> None:
    """A 401 problem that names the Bearer scheme."""
    assert_problem(response, 401, detail)  # type: ignore[arg-type]
    assert response.headers["www-authenticate"] == "Bearer"  # type: ignore[attr-defined]


def count_keys(session: Session, plain: str) -> int:
    """How many stored keys have the value `plain`."""
    query = select(func.count()).where(col(ApiKey.key_hash) == keys.hash_key(plain))
    return int(session.exec(query).one())


class TestAnonymous:
    def test_reads_are_public(self, anonymous: TestClient, client: TestClient) -> None:
        event = make_event(client)
        assert anonymous.get(f"{EVENTS}/{event['id']}").status_code == 200
        assert anonymous.get(EVENTS).status_code == 200

    def test_a_write_is_a_401_naming_the_scheme(self, anonymous: TestClient) -> None:
        assert_unauthorized(anonymous.post(EVENTS, json=event_body()), NEEDS_WRITE)

    def test_a_delete_is_a_401(self, anonymous: TestClient, client: TestClient) -> None:
        event = make_event(client)
        response = anonymous.delete(f"{EVENTS}/{event['id']}")
        assert_unauthorized(response, NEEDS_WRITE)
        assert client.get(f"{EVENTS}/{event['id']}").status_code == 200

    def test_an_unknown_key_is_a_401_even_on_a_read(self, anonymous: TestClient) -> None:
        response = anonymous.get(EVENTS, headers=bearer("ge_not-a-key"))
        assert_unauthorized(response, UNKNOWN_KEY)


class TestScopes:
    def test_a_read_key_cannot_write(self, anonymous: TestClient, session: Session) -> None:
        plain = stored_key(session, KeyScope.read)
        response = anonymous.post(EVENTS, json=event_body(), headers=bearer(plain))
        assert_problem(response, 403, lacks(plain, "write"))

    def test_a_write_key_writes_and_is_recorded_as_author(
        self, anonymous: TestClient, session: Session
    ) -> None:
        plain = stored_key(session, KeyScope.write)
        response = anonymous.post(EVENTS, json=event_body(), headers=bearer(plain))
        assert response.status_code == 201
        event = response.json()
        assert (event["created_by"], event["updated_by"]) == (key_id(session, plain),) * 2
        stored = anonymous.get(f"{EVENTS}/{event['id']}").json()
        assert (stored["created_by"], stored["updated_by"]) == (key_id(session, plain),) * 2

    def test_an_update_by_another_key_changes_only_updated_by(
        self, anonymous: TestClient, session: Session
    ) -> None:
        first, second = stored_key(session, KeyScope.write), stored_key(session, KeyScope.admin)
        event = anonymous.post(EVENTS, json=event_body(), headers=bearer(first)).json()
        response = anonymous.patch(
            f"{EVENTS}/{event['id']}", json={"title": "Talks"}, headers=bearer(second)
        )
        assert response.status_code == 200
        body = response.json()
        assert (body["created_by"], body["updated_by"]) == (
            key_id(session, first),
            key_id(session, second),
        )

    def test_a_revoked_key_is_a_401(
        self, anonymous: TestClient, client: TestClient, session: Session
    ) -> None:
        plain = stored_key(session, KeyScope.write)
        assert client.delete(f"{KEYS}/{key_id(session, plain)}").status_code == 204
        response = anonymous.post(EVENTS, json=event_body(), headers=bearer(plain))
        assert_unauthorized(response, UNKNOWN_KEY)

    def test_keys_need_admin(self, anonymous: TestClient, session: Session) -> None:
        plain = stored_key(session, KeyScope.write)
        assert_problem(anonymous.get(KEYS, headers=bearer(plain)), 403, lacks(plain, "admin"))
        body = {"name": "x", "scopes": ["read"]}
        response = anonymous.post(KEYS, json=body, headers=bearer(plain))
        assert_problem(response, 403, lacks(plain, "admin"))

    def test_keys_are_not_public(self, anonymous: TestClient) -> None:
        detail = (
            "this request needs an API key with the admin scope: send Authorization: Bearer <key>"
        )
        assert_unauthorized(anonymous.get(KEYS), detail)


class TestRequireKeyForReads:
    @pytest.fixture
    def guarded(self, session: Session) -> Iterator[TestClient]:
        """A client, without a key, on an app that requires keys for reads."""
        app = app_on(session, Settings(require_key_for_reads=True))
        with TestClient(app, raise_server_exceptions=False) as test_client:
            yield test_client

    def test_an_anonymous_read_is_a_401(self, guarded: TestClient) -> None:
        detail = (
            "this request needs an API key with the read scope: send Authorization: Bearer <key>"
        )
        assert_unauthorized(guarded.get(EVENTS), detail)

    def test_a_read_key_reads(self, guarded: TestClient, session: Session) -> None:
        assert (
            guarded.get(EVENTS, headers=bearer(stored_key(session, KeyScope.read))).status_code
            == 200
        )

    def test_health_stays_public(self, guarded: TestClient) -> None:
        assert guarded.get("/health").status_code == 200


class TestCreateKey:
    def test_shows_the_key_once_and_stores_only_its_hash(
        self, client: TestClient, session: Session, admin_key: str
    ) -> None:
        response = client.post(KEYS, json={"name": "importer", "scopes": ["write", "read"]})
        assert response.status_code == 201
        created = response.json()
        plain = created.pop("key")
        assert response.headers["location"] == f"{KEYS}/{created['id']}"
        assert plain.startswith("ge_")
        assert len(plain) == 46
        assert dt.datetime.fromisoformat(created.pop("created_at")).utcoffset() == dt.timedelta(0)
        assert created == {
            "id": created["id"],
            "name": "importer",
            "prefix": plain[:7],
            "scopes": ["read", "write"],
            "created_by": key_id(session, admin_key),
            "revoked_at": None,
            "bootstrap": False,
        }
        row = session.get(ApiKey, uuid.UUID(created["id"]))
        assert row is not None
        assert row.key_hash == hashlib.sha256(plain.encode()).hexdigest()
        assert plain not in {str(value) for value in row.model_dump().values()}
        read = client.get(f"{KEYS}/{created['id']}").json()
        assert "key" not in read
        assert "key_hash" not in read

    def test_the_new_key_works(self, client: TestClient, anonymous: TestClient) -> None:
        plain = client.post(KEYS, json={"name": "importer", "scopes": ["write"]}).json()["key"]
        assert anonymous.post(EVENTS, json=event_body(), headers=bearer(plain)).status_code == 201

    @pytest.mark.parametrize("scopes", [[], ["root"]])
    def test_rejects_bad_scopes(self, client: TestClient, scopes: list[str]) -> None:
        response = client.post(KEYS, json={"name": "importer", "scopes": scopes})
        assert response.status_code == 422
        assert response.json()["errors"][0]["loc"][:2] == ["body", "scopes"]


class TestListKeys:
    def test_lists_keys_in_creation_order_without_secrets(
        self, client: TestClient, session: Session, admin_key: str
    ) -> None:
        created = client.post(KEYS, json={"name": "importer", "scopes": ["read"]}).json()
        first = client.get(KEYS, params={"limit": 1}).json()
        assert [item["id"] for item in first["items"]] == [key_id(session, admin_key)]
        second = client.get(KEYS, params={"limit": 1, "cursor": first["next_cursor"]}).json()
        assert second["items"] == [{k: v for k, v in created.items() if k != "key"}]
        assert second["next_cursor"] is None


class TestReadKey:
    def test_unknown_id_is_404(self, client: TestClient) -> None:
        missing = uuid.uuid4()
        assert_problem(client.get(f"{KEYS}/{missing}"), 404, f"no api key '{missing}'")


class TestRevokeKey:
    def test_sets_revoked_at_and_keeps_it(self, client: TestClient, session: Session) -> None:
        ident = key_id(session, stored_key(session, KeyScope.read))
        assert client.delete(f"{KEYS}/{ident}").status_code == 204
        revoked_at = client.get(f"{KEYS}/{ident}").json()["revoked_at"]
        assert revoked_at is not None
        assert client.delete(f"{KEYS}/{ident}").status_code == 204
        assert client.get(f"{KEYS}/{ident}").json()["revoked_at"] == revoked_at

    def test_unknown_id_is_404(self, client: TestClient) -> None:
        missing = uuid.uuid4()
        assert_problem(client.delete(f"{KEYS}/{missing}"), 404, f"no api key '{missing}'")


class TestBootstrap:
    def test_creates_the_admin_key_once_across_starts(
        self, session: Session, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        plain = keys.new_key()
        monkeypatch.setenv("GEOEVENTS_ADMIN_KEY", plain)
        for _ in range(2):
            with TestClient(app_on(session, Settings()), raise_server_exceptions=False) as started:
                assert started.get(KEYS, headers=bearer(plain)).status_code == 200
        assert count_keys(session, plain) == 1
        row = keys.find_key(session, plain)
        assert row is not None
        assert (row.name, row.scopes) == ("bootstrap admin", ["admin"])

    def test_unset_creates_nothing(self, session: Session, monkeypatch: pytest.MonkeyPatch) -> None:
        monkeypatch.delenv("GEOEVENTS_ADMIN_KEY", raising=False)
        before = session.exec(select(func.count()).select_from(ApiKey)).one()
        with TestClient(app_on(session, Settings())) as started:
            assert started.get("/health").status_code == 200
        assert session.exec(select(func.count()).select_from(ApiKey)).one() == before


class TestOpenAPI:
    def test_declares_the_bearer_scheme_and_the_auth_responses(self, anonymous: TestClient) -> None:
        spec = anonymous.get("/openapi.json").json()
        scheme = spec["components"]["securitySchemes"]["apiKey"]
        assert (scheme["type"], scheme["scheme"]) == ("http", "bearer")
        create_event = spec["paths"]["/api/v1/events"]["post"]
        assert create_event["security"] == [{"apiKey": []}]
        assert {"401", "403"} <= set(create_event["responses"])
        assert spec["paths"]["/api/v1/keys"]["post"]["security"] == [{"apiKey": []}]
