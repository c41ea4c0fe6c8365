"""Plain factory functions: create records through the API and return their JSON."""

import itertools
from typing import Any

from fastapi.testclient import TestClient
from httpx import Response
from sqlmodel import Session

from app.schemas.keys import KeyScope
from app.services import keys

_serial = itertools.count(1)

ARTICLE_TEXT = (
    "Putin met Netanyahu in Sochi. “We are taking action,” Netanyahu said. "
    "Putin said he would visit Israel in early 2020."
)


def _post(client: TestClient, path: str, body: dict[str, Any]) -> dict[str, Any]:
    response = client.post(f"/api/v1{path}", json=body)
    assert response.status_code == 201, response.text
    data: dict[str, Any] = response.json()
    return data


def unique_slug(prefix: str) -> str:
    """A slug no other factory call returns."""
    return f"{prefix}-{next(_serial)}"


def make_source(client: TestClient, **fields: Any) -> dict[str, Any]:
    """A news article with a short text that quotes can be checked against."""
    body = {
        "slug": unique_slug("source"),
        "kind": "news_article",
        "title": "Netanyahu meets Putin",
        "published": "2019-09-12",
        "language": "en",
        "text": ARTICLE_TEXT,
    } | fields
    return _post(client, "/sources", body)


def make_participant(client: TestClient, **fields: Any) -> dict[str, Any]:
    """A person unless `kind` says otherwise."""
    body = {"slug": unique_slug("participant"), "name": "Someone", "kind": "person"} | fields
    return _post(client, "/participants", body)


def make_event(client: TestClient, **fields: Any) -> dict[str, Any]:
    """A meeting that occurred on 12 September 2019 unless fields say otherwise."""
    body = {
        "slug": unique_slug("event"),
        "title": "A meeting",
        "event_type": "meeting",
        "status": "occurred",
        "start": "2019-09-12",
    } | fields
    return _post(client, "/events", body)


def make_role(client: TestClient, participant: str, **fields: Any) -> dict[str, Any]:
    """A role of `participant` (id or slug)."""
    body = {"title": "Prime Minister"} | fields
    return _post(client, f"/participants/{participant}/roles", body)


def make_claim(client: TestClient, **fields: Any) -> dict[str, Any]:
    """An unattributed report unless fields say otherwise."""
    body = {
        "slug": unique_slug("claim"),
        "text": "Putin would visit Israel in early 2020.",
        "claim_type": "report",
        "stated": "2019-09-12",
    } | fields
    return _post(client, "/claims", body)


PROBLEM_TYPES = {
    400: ("/problems/bad-request", "Bad request"),
    401: ("/problems/unauthorized", "Unauthorized"),
    403: ("/problems/forbidden", "Forbidden"),
    404: ("/problems/not-found", "Not found"),
    406: ("/problems/not-acceptable", "Not acceptable"),
    409: ("/problems/conflict", "Conflict"),
    410: ("/problems/gone", "Gone"),
    412: ("/problems/precondition-failed", "Precondition failed"),
    422: ("/problems/validation-error", "Validation failed"),
}


def assert_problem(
    response: Response, status: int, detail: str, *, locs: list[list[str | int]] | None = None
) -> None:
    """`response` is the problem+json of `status` with `detail`; `locs` are its errors' locs."""
    assert response.status_code == status, response.text
    assert response.headers["content-type"] == "application/problem+json"
    body = response.json()
    errors = body.pop("errors", None)
    kind, title = PROBLEM_TYPES[status]
    assert body == {
        "type": kind,
        "title": title,
        "status": status,
        "detail": detail,
        "instance": response.request.url.path,
    }
    assert ([e["loc"] for e in errors] if errors is not None else None) == locs


def bearer(key: str) -> dict[str, str]:
    """The Authorization header sending `key`."""
    return {"Authorization": f"Bearer {key}"}


def stored_key(session: Session, *scopes: KeyScope, name: str = "test key") -> str:
    """The plain value of a new key with `scopes`, stored directly in the test's session."""
    plain = keys.new_key()
    keys.ensure_key(session, plain, name, scopes)
    return plain


def make_appearance(client: TestClient, claim: str, **fields: Any) -> dict[str, Any]:
    """An appearance of `claim` (id or slug); pass at least `source_id` and `quote`."""
    return _post(client, f"/claims/{claim}/appearances", fields)


def make_event_participant(
    client: TestClient, event: str, participant: str, **fields: Any
) -> dict[str, Any]:
    """A link of `participant` to `event` (ids or slugs), as host unless `role` says otherwise."""
    body = {"participant_id": participant, "role": "host"} | fields
    return _post(client, f"/events/{event}/participants", body)


def brief(record: dict[str, Any]) -> dict[str, Any]:
    """The summary a reference carries of `record` (an event, participant or source as read)."""
    if "event_type" in record:
        keys: tuple[str, ...] = ("id", "slug", "title", "event_type", "start")
    elif "kind" in record and "name" in record:
        keys = ("id", "slug", "name", "kind")
    else:
        keys = ("id", "slug", "title")
    return {k: record[k] for k in keys}
