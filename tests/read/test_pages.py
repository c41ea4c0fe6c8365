"""List pages of events, participants, claims and sources read as bytes are the pydantic
path's."""

from collections.abc import Callable
from typing import Any

import pytest
from fastapi.responses import JSONResponse
from fastapi.testclient import TestClient
from pydantic import BaseModel
from sqlmodel import Session

from app.query import events as event_list
from app.schemas.claims import ClaimPublic, ClaimQuery
from app.schemas.common import Page
from app.schemas.events import EventPublic, EventQuery
from app.schemas.participants import ParticipantPublic, ParticipantQuery
from app.schemas.sources import SourcePublic, SourceQuery
from app.services import claim_queries, participant_queries, sources
from tests.factories import assert_problem
from tests.read.reference import reference

API = "/api/v1"
Lister = Callable[[Session, Any], tuple[list[Any], str | None, int | None]]

# Path, item model, query model and the pydantic path of each list served as bytes.
LISTS: dict[str, tuple[str, type[BaseModel], type[BaseModel], Lister]] = {
    "participants": (
        "participants",
        ParticipantPublic,
        ParticipantQuery,
        participant_queries.list_participants,
    ),
    "claims": ("claims", ClaimPublic, ClaimQuery, claim_queries.list_claims),
    "event claims": (
        "events/netanyahu-putin-meeting-2019-09-12/claims",
        ClaimPublic,
        ClaimQuery,
        lambda s, q: claim_queries.list_event_claims(s, "netanyahu-putin-meeting-2019-09-12", q),
    ),
    "participant claims": (
        "participants/vladimir-putin/claims",
        ClaimPublic,
        ClaimQuery,
        lambda s, q: claim_queries.list_participant_claims(s, "vladimir-putin", q),
    ),
    "sources": ("sources", SourcePublic, SourceQuery, sources.list_sources),
    "events": ("events", EventPublic, EventQuery, event_list.list_events),
}
QUERIES: dict[str, list[dict[str, Any]]] = {
    "participants": [
        {},
        {"limit": 3, "include_total": True},
        {"q": "putin"},
        {"sort": "-name", "limit": 4},
        {"fields": "slug,name,identifiers", "limit": 3},
        {"kind": ["state"], "fields": "kind"},
    ],
    "claims": [
        {},
        {"limit": 2, "include_total": True},
        {"q": "visit"},
        {"sort": "-stated", "limit": 5},
        {"fields": "slug,stated,appearances", "limit": 4},
    ],
    "sources": [{}, {"limit": 1, "include_total": True}, {"fields": "slug,published"}],
    "events": [
        {},
        {"limit": 3, "include_total": True},
        {"q": "election"},
        {"q": "Sochi", "sort": "relevance"},
        {"sort": "-start", "limit": 4},
        {"expand": "participants", "limit": 5},
        {"status_on": "2019-09-12", "status": ["planned"]},
        {"participant": ["vladimir-putin"], "expand": "participants"},
        {"country": ["IL"], "start_after": "2019-04", "include_imprecise": True},
        {"fields": "slug,start,status_history,participants", "expand": "participants"},
        {"fields": "slug,match", "q": "Putin"},
        {"expand": "claims"},
        {"expand": "sources", "limit": 4},
        {"expand": "participants,claims,sources", "include_total": True},
        {"q": "Putin", "expand": "claims,sources"},
        {"fields": "slug,claims,sources", "expand": "sources,claims"},
    ],
}


def _expected(session: Session, name: str, params: dict[str, Any]) -> tuple[bytes, str | None]:
    """The body the pydantic path answers with, and the next cursor."""
    _, item, query_model, lister = LISTS[name]
    query = query_model.model_validate(params)
    items, next_cursor, total = lister(session, query)
    page = Page[item](items=items, next_cursor=next_cursor, total=total)  # type: ignore[valid-type]
    fields = query.field_set()  # type: ignore[attr-defined]
    if fields is None:
        return reference(Page[item], page), next_cursor  # type: ignore[valid-type]
    body = page.model_dump(mode="json")
    body["items"] = [{k: v for k, v in i.items() if k in fields} for i in body["items"]]
    return bytes(JSONResponse(body).body), next_cursor


def _cases() -> list[tuple[str, dict[str, Any]]]:
    kinds = {"event claims": "claims", "participant claims": "claims"}
    return [(name, q) for name in LISTS for q in QUERIES[kinds.get(name, name)]]


@pytest.mark.parametrize(("name", "params"), _cases())
def test_pages_are_the_models(
    client: TestClient, seeded: Session, name: str, params: dict[str, Any]
) -> None:
    response = client.get(f"{API}/{LISTS[name][0]}", params=params)
    assert response.status_code == 200, response.text
    expected, next_cursor = _expected(seeded, name, params)
    assert response.content == expected
    assert response.headers["content-type"] == "application/json"
    assert len(response.json()["items"]) > 0
    if next_cursor is None:
        assert "link" not in response.headers
    else:
        assert response.headers["link"].endswith('>; rel="next"')
        following = client.get(response.headers["link"][1:].split(">")[0])
        assert following.status_code == 200


@pytest.mark.parametrize("name", sorted(LISTS))
def test_unknown_fields_are_refused(client: TestClient, seeded: Session, name: str) -> None:
    response = client.get(f"{API}/{LISTS[name][0]}", params={"fields": "slug,nonsense"})
    assert_problem(response, 422, "fields: unknown fields: nonsense", locs=[["query", "fields"]])
