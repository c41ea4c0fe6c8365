"""Idempotency-Key on POST: replays, reuse with another body, expiry and key spaces."""

import datetime as dt
import hashlib
import json
from collections.abc import Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient
from httpx import Response
from sqlmodel import Session, select

from app.config import Settings
from app.db import get_session
from app.idempotency import IDEMPOTENCY_KEY_PARAMETER, fingerprint
from app.main import create_app
from app.models import IdempotencyRecord, utcnow
from tests.factories import assert_problem, make_participant

PROBLEM = "application/problem+json"
ROLE = {"title": "Prime Minister"}
# Used only when the client fixture sends no Authorization of its own (no auth enforced).
FALLBACK_AUTHORIZATION = "Bearer idempotency-tests"


def authorization(client: TestClient) -> str:
    """The Authorization the client sends by default, or a stand-in when it sends none."""
    return client.headers.get("authorization") or FALLBACK_AUTHORIZATION


def owner_of(value: str) -> str:
    """The key space of an Authorization header value."""
    return hashlib.sha256(value.encode()).hexdigest()


def roles_path(client: TestClient) -> str:
    """The roles collection of a new participant: POSTing to it twice makes two roles."""
    return f"/api/v1/participants/{make_participant(client)['id']}/roles"


def post(client: TestClient, path: str, body: Any, key: str | bytes | None) -> Response:
    """POST `body` as JSON with the client's Authorization and, unless None, `key`."""
    headers: dict[str, str | bytes] = {"Authorization": authorization(client)}
    if key is not None:
        headers["Idempotency-Key"] = key
    response: Response = client.post(path, json=body, headers=headers)
    return response


def role_count(client: TestClient, path: str) -> int:
    """How many roles the list at `path` holds."""
    response = client.get(path, headers={"Authorization": authorization(client)})
    assert response.status_code == 200, response.text
    return len(response.json()["items"])


def records(session: Session, key: str) -> list[IdempotencyRecord]:
    """The stored records of `key`, in every key space."""
    session.expire_all()
    found = session.exec(select(IdempotencyRecord).where(IdempotencyRecord.key == key)).all()
    return sorted(found, key=lambda r: r.owner)


class TestReplay:
    def test_same_key_and_body_replays_the_first_response(self, client: TestClient) -> None:
        path = roles_path(client)
        first = post(client, path, ROLE, "key-1")
        second = post(client, path, ROLE, "key-1")
        assert first.status_code == 201, first.text
        assert second.status_code == 201
        assert second.json() == first.json()
        assert second.headers["location"] == first.headers["location"]
        assert second.headers["etag"] == first.headers["etag"]
        assert second.headers["content-type"] == "application/json"
        assert second.headers["idempotent-replayed"] == "true"
        assert "idempotent-replayed" not in first.headers
        assert role_count(client, path) == 1

    def test_record_holds_the_first_response(self, client: TestClient, session: Session) -> None:
        path = roles_path(client)
        first = post(client, path, ROLE, "key-1")
        [record] = records(session, "key-1")
        assert record.owner == owner_of(authorization(client))
        assert record.method == "POST"
        assert record.path == path
        assert record.status_code == 201
        assert json.loads(record.response_body or "") == first.json()
        assert record.response_headers == {
            "content-type": "application/json",
            "location": first.headers["location"],
            "etag": first.headers["etag"],
            "last-modified": first.headers["last-modified"],
        }
        assert record.expires_at - record.created_at == dt.timedelta(seconds=86_400)

    def test_a_422_is_replayed(self, client: TestClient) -> None:
        path = roles_path(client)
        first = post(client, path, {}, "key-1")
        second = post(client, path, {}, "key-1")
        assert first.status_code == 422
        assert second.status_code == 422
        assert second.headers["content-type"] == PROBLEM
        assert second.json() == first.json()
        assert second.headers["idempotent-replayed"] == "true"

    def test_different_keys_are_different_requests(self, client: TestClient) -> None:
        path = roles_path(client)
        assert post(client, path, ROLE, "key-1").status_code == 201
        second = post(client, path, ROLE, "key-2")
        assert second.status_code == 201
        assert "idempotent-replayed" not in second.headers
        assert role_count(client, path) == 2

    def test_without_the_header_nothing_is_replayed(
        self, client: TestClient, session: Session
    ) -> None:
        path = roles_path(client)
        first = post(client, path, ROLE, None)
        second = post(client, path, ROLE, None)
        assert (first.status_code, second.status_code) == (201, 201)
        assert first.json()["id"] != second.json()["id"]
        assert "idempotent-replayed" not in second.headers
        assert role_count(client, path) == 2
        assert session.exec(select(IdempotencyRecord)).all() == []


class TestReuse:
    def test_same_key_with_another_body_is_422(self, client: TestClient) -> None:
        path = roles_path(client)
        assert post(client, path, ROLE, "key-1").status_code == 201
        response = post(client, path, {"title": "President"}, "key-1")
        assert response.status_code == 422
        assert response.headers["content-type"] == PROBLEM
        assert response.json() == {
            "type": "/problems/idempotency-key-reused",
            "title": "Idempotency key reused",
            "status": 422,
            "detail": (
                "this Idempotency-Key was already used with a different request; send a new key"
            ),
            "instance": path,
        }
        assert role_count(client, path) == 1

    def test_same_key_on_another_path_is_422(self, client: TestClient) -> None:
        first, other = roles_path(client), roles_path(client)
        assert post(client, first, ROLE, "key-1").status_code == 201
        assert post(client, other, ROLE, "key-1").status_code == 422
        assert role_count(client, other) == 0

    def test_a_reservation_left_without_its_response_is_taken_over(
        self, client: TestClient, session: Session
    ) -> None:
        # What a server killed mid-request left behind before records were written with
        # their write: a committed reservation with no response. It must not block the key.
        path = roles_path(client)
        content = json.dumps(ROLE).encode()
        scope = {"method": "POST", "path": path, "query_string": b""}
        now = utcnow()
        session.add(
            IdempotencyRecord(
                key="key-1",
                owner=owner_of(authorization(client)),
                method="POST",
                path=path,
                request_hash=fingerprint(scope, content),
                expires_at=now + dt.timedelta(hours=1),
            )
        )
        session.commit()
        headers = {
            "Authorization": authorization(client),
            "Content-Type": "application/json",
            "Idempotency-Key": "key-1",
        }
        first = client.post(path, content=content, headers=headers)
        again = client.post(path, content=content, headers=headers)
        assert first.status_code == 201, first.text
        assert "idempotent-replayed" not in first.headers
        assert again.headers["idempotent-replayed"] == "true"
        assert again.json() == first.json()
        assert role_count(client, path) == 1


class TestExpiry:
    def test_expired_key_is_processed_anew(self, client: TestClient, session: Session) -> None:
        path = roles_path(client)
        first = post(client, path, ROLE, "key-1")
        [record] = records(session, "key-1")
        record.expires_at = utcnow() - dt.timedelta(seconds=1)
        session.add(record)
        session.commit()
        second = post(client, path, ROLE, "key-1")
        assert second.status_code == 201
        assert "idempotent-replayed" not in second.headers
        assert second.json()["id"] != first.json()["id"]
        assert role_count(client, path) == 2
        [renewed] = records(session, "key-1")
        assert renewed.expires_at > utcnow()

    def test_expired_keys_are_cleaned_when_reserving(
        self, client: TestClient, session: Session
    ) -> None:
        path = roles_path(client)
        post(client, path, ROLE, "old")
        [old] = records(session, "old")
        old.expires_at = utcnow() - dt.timedelta(seconds=1)
        session.add(old)
        session.commit()
        post(client, path, ROLE, "new")
        assert records(session, "old") == []
        assert len(records(session, "new")) == 1

    def test_default_is_a_day(self) -> None:
        assert Settings.model_fields["idempotency_ttl_seconds"].default == 86_400


class TestKeySpaces:
    def test_anonymous_and_authorized_requests_do_not_share_keys(
        self, client: TestClient, session: Session
    ) -> None:
        calls: list[int] = []

        def echo() -> dict[str, int]:
            calls.append(1)
            return {"call": len(calls)}

        # Added outside the routers, so no auth dependency: both requests reach the handler.
        client.app.add_api_route("/api/v1/echo", echo, methods=["POST"])  # type: ignore[attr-defined]
        authorized = post(client, "/api/v1/echo", {}, "key-1")
        request = client.build_request(
            "POST", "/api/v1/echo", json={}, headers={"Idempotency-Key": "key-1"}
        )
        request.headers.pop("authorization", None)
        anonymous = client.send(request)
        again = client.send(request)
        assert authorized.json() == {"call": 1}
        assert anonymous.json() == {"call": 2}
        assert "idempotent-replayed" not in anonymous.headers
        assert again.json() == {"call": 2}
        assert again.headers["idempotent-replayed"] == "true"
        owners = [r.owner for r in records(session, "key-1")]
        assert owners == sorted(["anonymous", owner_of(authorization(client))])


class TestMalformedKey:
    @pytest.mark.parametrize("key", [b"", b"x" * 256, "caf\u00e9".encode(), b"a\x7fb"])
    def test_is_400(self, client: TestClient, session: Session, key: bytes) -> None:
        path = roles_path(client)
        response = post(client, path, ROLE, key)
        assert_problem(response, 400, "Idempotency-Key must be 1 to 255 printable ASCII characters")
        assert role_count(client, path) == 0

    def test_longest_is_accepted(self, client: TestClient) -> None:
        path = roles_path(client)
        key = "~" * 255
        assert post(client, path, ROLE, key).status_code == 201
        assert post(client, path, ROLE, key).headers["idempotent-replayed"] == "true"


class TestServerErrors:
    def test_a_500_is_not_stored(self, client: TestClient, session: Session) -> None:
        calls: list[int] = []

        def fail() -> None:
            calls.append(1)
            raise RuntimeError("boom")

        client.app.add_api_route("/api/v1/fail", fail, methods=["POST"])  # type: ignore[attr-defined]
        first = post(client, "/api/v1/fail", {}, "key-1")
        second = post(client, "/api/v1/fail", {}, "key-1")
        assert (first.status_code, second.status_code) == (500, 500)
        assert "idempotent-replayed" not in second.headers
        assert len(calls) == 2
        assert records(session, "key-1") == []

    def test_a_401_is_not_stored(self, client: TestClient, session: Session) -> None:
        path = roles_path(client)
        headers = {"Authorization": "Bearer not-a-key", "Idempotency-Key": "key-1"}
        response = client.post(path, json=ROLE, headers=headers)
        assert response.status_code == 401
        assert records(session, "key-1") == []


@pytest.fixture
def small_body_client(session: Session) -> Iterator[TestClient]:
    """A client on an app that accepts bodies of at most 64 bytes."""
    app = create_app(Settings(max_body_bytes=64))

    def request_session() -> Iterator[Session]:
        try:
            yield session
        finally:
            session.rollback()

    app.dependency_overrides[get_session] = request_session
    with TestClient(app, raise_server_exceptions=False) as test_client:
        yield test_client


class TestOversizedBody:
    def test_is_413_and_stores_nothing(
        self, small_body_client: TestClient, session: Session
    ) -> None:
        response = post(small_body_client, "/api/v1/sources", {"title": "x" * 100}, "key-1")
        assert response.status_code == 413
        assert records(session, "key-1") == []


class TestDocumented:
    def test_every_post_declares_the_header(self, client: TestClient) -> None:
        paths = client.get("/openapi.json").json()["paths"]
        # Other helpers add POST operations; every one of them must declare the header.
        posts = [
            ops["post"] for p, ops in paths.items() if "post" in ops and p.startswith("/api/v1/")
        ]
        assert {op["operationId"] for op in posts} >= {"create_event", "create_source"}
        for operation in posts:
            assert IDEMPOTENCY_KEY_PARAMETER in operation["parameters"]
        patch = paths["/api/v1/events/{event_id}"]["patch"]
        assert IDEMPOTENCY_KEY_PARAMETER not in patch.get("parameters", [])

    @pytest.mark.parametrize("slug", ["idempotency-key-reused", "idempotency-key-in-progress"])
    def test_problem_types(self, client: TestClient, slug: str) -> None:
        response = client.get(f"/problems/{slug}")
        assert response.status_code == 200
        assert response.json()["type"] == f"/problems/{slug}"


class TestSecretsAndAuthentication:
    def test_key_creation_stores_no_plaintext_key(
        self, client: TestClient, session: Session
    ) -> None:
        first = post(client, "/api/v1/keys", {"name": "loader", "scopes": ["write"]}, "key-1")
        again = post(client, "/api/v1/keys", {"name": "loader", "scopes": ["write"]}, "key-1")
        assert first.status_code == 201, first.text
        plain = first.json()["key"]
        assert plain.startswith("ge_")
        [record] = records(session, "key-1")
        assert plain not in (record.response_body or "")
        assert json.loads(record.response_body or "")["key"] is None
        assert again.status_code == 201
        assert again.headers["idempotent-replayed"] == "true"
        assert again.json() == first.json() | {"key": None}

    def test_a_revoked_key_gets_401_not_the_replay(
        self, client: TestClient, session: Session
    ) -> None:
        created = client.post("/api/v1/keys", json={"name": "writer", "scopes": ["write"]})
        writer = {"Authorization": f"Bearer {created.json()['key']}", "Idempotency-Key": "k"}
        path = roles_path(client)
        first = client.post(path, json=ROLE, headers=writer)
        assert first.status_code == 201, first.text
        assert client.delete(f"/api/v1/keys/{created.json()['id']}").status_code == 204
        retry = client.post(path, json=ROLE, headers=writer)
        assert retry.status_code == 401
        assert "idempotent-replayed" not in retry.headers
        assert retry.json()["type"] == "/problems/unauthorized"
