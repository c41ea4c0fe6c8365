"""Cursors are signed with the server's secret: an edited or foreign one is a 400, never read."""

import base64
import hashlib
import hmac
import json
from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient
from sqlmodel import Session

from app.config import Settings
from app.models import ServerSecret
from app.services import cursors
from app.services.server_secrets import CURSOR_SECRET
from tests.conftest import app_on
from tests.factories import assert_problem, make_event

EVENTS = "/api/v1/events"
MALFORMED = "cursor is malformed; pass next_cursor back unchanged"
OTHER_SECRET = "another-servers-cursor-secret-0123456789"


@pytest.fixture(autouse=True)
def restore_cursor_key() -> Iterator[None]:
    """Each test may install its own cursor key; the next one gets the one before."""
    before = cursors._CursorKey.value
    yield
    cursors._CursorKey.value = before


def b64(raw: bytes) -> str:
    """URL-safe base64 without padding, as cursors are written."""
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def parts(cursor: str) -> tuple[dict[str, object], str]:
    """A cursor's payload, decoded, and its signature."""
    payload, signature = cursor.split(".")
    return json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4))), signature


def relevance_cursor(client: TestClient) -> str:
    """The next cursor of the first page of a relevance-ordered search."""
    for _ in range(2):
        make_event(client, title="Harbour talks")
    params = {"q": "harbour", "sort": "relevance", "limit": 1}
    cursor = client.get(EVENTS, params=params).json()["next_cursor"]
    assert cursor is not None
    return str(cursor)


class TestTamperedCursors:
    def test_an_edited_relevance_offset_is_a_400(self, client: TestClient) -> None:
        data, signature = parts(relevance_cursor(client))
        data["k"] = [2**63 - 1]
        edited = b64(json.dumps(data, separators=(",", ":")).encode()) + "." + signature
        params = {"q": "harbour", "sort": "relevance", "limit": 1, "cursor": edited}
        assert_problem(client.get(EVENTS, params=params), 400, MALFORMED)

    def test_an_unsigned_cursor_is_a_400(self, client: TestClient) -> None:
        data, _ = parts(relevance_cursor(client))
        data["k"] = [2**63 - 1]
        unsigned = b64(json.dumps(data).encode())
        params = {"q": "harbour", "sort": "relevance", "limit": 1, "cursor": unsigned}
        assert_problem(client.get(EVENTS, params=params), 400, MALFORMED)

    def test_an_edited_signature_is_a_400(self, client: TestClient) -> None:
        cursor = relevance_cursor(client)
        payload, signature = cursor.split(".")
        flipped = signature[:-2] + ("AA" if signature[-2:] != "AA" else "BA")
        params = {"q": "harbour", "sort": "relevance", "limit": 1, "cursor": f"{payload}.{flipped}"}
        assert_problem(client.get(EVENTS, params=params), 400, MALFORMED)

    def test_a_keyset_cursor_signed_by_another_secret_is_a_400(self, client: TestClient) -> None:
        for _ in range(2):
            make_event(client)
        cursor = client.get(EVENTS, params={"limit": 1}).json()["next_cursor"]
        payload, _ = cursor.split(".")
        raw = base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4))
        forged = hmac.new(OTHER_SECRET.encode(), raw, hashlib.sha256).digest()[:16]
        response = client.get(EVENTS, params={"limit": 1, "cursor": f"{payload}.{b64(forged)}"})
        assert_problem(response, 400, MALFORMED)

    def test_an_untouched_cursor_still_pages(self, client: TestClient) -> None:
        cursor = relevance_cursor(client)
        params = {"q": "harbour", "sort": "relevance", "limit": 1, "cursor": cursor}
        response = client.get(EVENTS, params=params)
        assert response.status_code == 200
        assert len(response.json()["items"]) == 1


class TestCursorSecret:
    def test_is_made_on_the_first_start_and_kept(self, session: Session) -> None:
        with TestClient(app_on(session)):
            pass
        stored = session.get(ServerSecret, CURSOR_SECRET)
        assert stored is not None
        assert len(stored.value) >= 32
        assert cursors._CursorKey.value == stored.value.encode()
        cursors._CursorKey.value = b"changed"
        with TestClient(app_on(session)):
            pass
        assert cursors._CursorKey.value == stored.value.encode()

    def test_the_setting_wins(self, session: Session) -> None:
        with TestClient(app_on(session, Settings(cursor_secret=OTHER_SECRET))):
            pass
        assert cursors._CursorKey.value == OTHER_SECRET.encode()
        cursor = cursors.encode([1], "scope")
        payload, signature = cursor.split(".")
        raw = base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4))
        expected = hmac.new(OTHER_SECRET.encode(), raw, hashlib.sha256).digest()[:16]
        assert signature == b64(expected)

    def test_a_short_setting_is_refused(self) -> None:
        with pytest.raises(ValueError, match="CURSOR_SECRET must be at least 32 characters"):
            Settings(cursor_secret="short")
