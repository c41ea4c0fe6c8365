"""Both ways of reading a filtered list (page order, or matches first) give the same pages."""

from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlmodel import Session

from app.services import linked_pages, paging
from tests.factories import make_event, make_event_participant, make_participant

EVENT_QUERIES = [
    {"country": "IL"},
    {"participant": "benjamin-netanyahu", "sort": "-start"},
    {"participant": ["vladimir-putin", "benjamin-netanyahu"], "participant_match": "all"},
    {"participant": "benjamin-netanyahu", "role": "candidate", "sort": "title"},
    {"cameo_code": "04", "sort": "start"},
    {"start_after": "2019-09", "start_before": "2019-09", "include_imprecise": "true"},
    {"active_on": "2019-09", "sort": "start"},
    {"overlaps": "2019-04/2019-09-17", "include_imprecise": "true", "sort": "-start"},
    {"status_on": "2019-09-12", "status": ["occurred", "ongoing"]},
    {"bbox": "34,29,42,37", "sort": "-updated_at"},
    {"near": "43.58,39.72,100"},
    {"q": "election", "sort": "-start"},
    {"q": "election"},
]
CLAIM_QUERIES = [
    {"claimant": "benjamin-netanyahu"},
    {"source": "breen-portnoy-netanyahu-putin-sochi-2019-09-12", "sort": "-stated"},
    {"subject": "israel", "sort": "updated_at"},
    {"claim_type": "quote", "sort": "stated"},
    {"stated_after": "2019-09", "stated_before": "2019-09"},
    {"q": "Netanyahu"},
]
CASES = [("/api/v1/events", q) for q in EVENT_QUERIES] + [
    ("/api/v1/claims", q) for q in CLAIM_QUERIES
]


def _walk(client: TestClient, path: str, params: dict[str, object]) -> list[str]:
    slugs: list[str] = []
    cursor = None
    while True:
        paging = {"limit": 2} | ({"cursor": cursor} if cursor else {})
        page = client.get(path, params={**params, **paging})
        assert page.status_code == 200, page.text
        body = page.json()
        slugs += [item["slug"] for item in body["items"]]
        if (cursor := body["next_cursor"]) is None:
            return slugs


@pytest.mark.parametrize(("path", "params"), CASES)
def test_page_order_and_matches_first_agree(
    seeded: Session,
    client: TestClient,
    path: str,
    params: dict[str, object],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(paging, "DENSE", 1)
    in_page_order = _walk(client, path, params)
    monkeypatch.setattr(paging, "DENSE", 10**9)
    matches_first = _walk(client, path, params)
    assert in_page_order == matches_first
    assert in_page_order


# Lists a participant's links can be read along (app.services.linked_pages), in each order.
WALKED_QUERIES = [
    ("/api/v1/events", {"participant": "benjamin-netanyahu", "sort": sort})
    for sort in ("recorded", "-recorded", "start", "-start")
] + [
    ("/api/v1/events", {"participant": "vladimir-putin", "role": "host", "sort": "-recorded"}),
    (
        "/api/v1/events",
        {"participant": "benjamin-netanyahu", "start_after": "2019-05", "start_before": "2019-09"},
    ),
    ("/api/v1/events", {"participant": "benjamin-netanyahu", "active_on": "2019", "sort": "start"}),
    (
        "/api/v1/events",
        {
            "participant": "benjamin-netanyahu",
            "overlaps": "2019-09/..",
            "include_imprecise": "true",
        },
    ),
    (
        "/api/v1/events",
        {"participant": ["vladimir-putin", "benjamin-netanyahu"], "participant_match": "all"},
    ),
    ("/api/v1/events", {"participant": "benjamin-netanyahu", "q": "election", "sort": "start"}),
    ("/api/v1/claims", {"subject": "benjamin-netanyahu"}),
    ("/api/v1/claims", {"subject": "vladimir-putin", "sort": "-stated"}),
    ("/api/v1/claims", {"subject": "israel", "stated_after": "2019", "sort": "-recorded"}),
]


def _unwalked(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(linked_pages, "event_walk", lambda session, query: None)
    monkeypatch.setattr(linked_pages, "claim_walk", lambda session, query: None)


@pytest.mark.parametrize(("path", "params"), WALKED_QUERIES)
@pytest.mark.parametrize("dense", [1, 10**9])
def test_walking_links_and_collecting_matches_agree(
    seeded: Session,
    client: TestClient,
    path: str,
    params: dict[str, object],
    dense: int,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(paging, "DENSE", dense)
    read, walks = linked_pages.page, []

    def page(*args: Any, **kwargs: Any) -> Any:
        walks.append(args[3])
        return read(*args, **kwargs)

    monkeypatch.setattr(linked_pages, "page", page)
    walked = _walk(client, path, params)
    assert walks
    _unwalked(monkeypatch)
    assert walked == _walk(client, path, params)
    assert walked


def test_an_event_linked_in_two_roles_is_listed_once(
    client: TestClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    person = make_participant(client)
    events = [make_event(client, start=f"2019-0{month}") for month in (3, 1, 2)]
    for event in events:
        for role in ("host", "visitor"):
            make_event_participant(client, event["id"], person["id"], role=role)
    params = {"participant": person["id"], "sort": "-start"}
    walked = _walk(client, "/api/v1/events", params)
    _unwalked(monkeypatch)
    assert walked == _walk(client, "/api/v1/events", params)
    assert walked == [events[0]["slug"], events[2]["slug"], events[1]["slug"]]


# A ranged participant list whose country or type selects fewer events than the walk's links.
NARROWED_QUERIES = [
    {
        "participant": "benjamin-netanyahu",
        "country": "RU",
        "start_after": "2019",
        "start_before": "2019",
    },
    {
        "participant": "benjamin-netanyahu",
        "event_type": "meeting",
        "start_after": "2019-09",
        "start_before": "2019-09",
        "sort": "-start",
    },
]


@pytest.mark.parametrize("params", NARROWED_QUERIES)
def test_reading_the_fewer_events_and_walking_agree(
    seeded: Session, client: TestClient, params: dict[str, object], monkeypatch: pytest.MonkeyPatch
) -> None:
    fewer, counted = linked_pages.fewer_events, []

    def spy(*args: Any) -> int | None:
        counted.append(found := fewer(*args))
        return found

    monkeypatch.setattr(linked_pages, "fewer_events", spy)
    narrowed = _walk(client, "/api/v1/events", params)
    assert counted
    assert None not in counted
    monkeypatch.setattr(linked_pages, "fewer_events", lambda *args: None)
    assert narrowed == _walk(client, "/api/v1/events", params)
    assert narrowed


@pytest.mark.parametrize("sort", ["recorded", "-start"])
def test_many_text_matches_with_few_other_matches_agree(
    client: TestClient, sort: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Six events match q and two of them the country: with DENSE at 4 the two are read first
    # and checked against the text matches; at 1 the page order is read; at 10**9 the text
    # matches are collected first.
    events = [
        make_event(
            client,
            title=f"Summit number {n}",
            start=f"2019-0{n}-01",
            location={"name": "Paris", "country": "FR"} if n in (2, 5) else None,
        )
        for n in range(1, 7)
    ]
    make_event(client, title="A meeting in France", location={"name": "Lyon", "country": "FR"})
    params: dict[str, object] = {"q": "summit", "country": "FR", "sort": sort}
    pages = []
    for dense in (4, 1, 10**9):
        monkeypatch.setattr(paging, "DENSE", dense)
        pages.append(_walk(client, "/api/v1/events", params))
    expected = [events[1]["slug"], events[4]["slug"]]
    assert pages == [expected[::-1] if sort == "-start" else expected] * 3
