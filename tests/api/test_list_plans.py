"""Both ways of reading a filtered list (page order, or matches first) give the same pages."""

import pytest
from fastapi.testclient import TestClient
from sqlmodel import Session

from app.services import paging

EVENT_QUERIES = [
    {"country": "IL"},
    {"participant": "benjamin-netanyahu", "sort": "-start"},
    {"participant": ["vladimir-putin", "benjamin-netanyahu"], "participant_match": "all"},
    {"participant": "benjamin-netanyahu", "role": "candidate", "sort": "title"},
    {"cameo_code": "04", "sort": "start"},
    {"start_after": "2019-09", "start_before": "2019-09", "include_imprecise": "true"},
    {"bbox": "34,29,42,37", "sort": "-updated_at"},
    {"near": "43.58,39.72,100"},
    {"q": "election", "sort": "-start"},
]
CLAIM_QUERIES = [
    {"claimant": "benjamin-netanyahu"},
    {"source": "breen-portnoy-netanyahu-putin-sochi-2019-09-12", "sort": "-stated"},
    {"subject": "israel", "sort": "updated_at"},
    {"claim_type": "quote", "sort": "stated"},
    {"stated_after": "2019-09", "stated_before": "2019-09"},
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
