"""Exports of every list: negotiation, streaming over pages, filters, and JSON unchanged."""

import csv
import io

import pytest
from fastapi.testclient import TestClient
from sqlmodel import Session

from app.formats import stream
from tests.factories import assert_problem

API = "/api/v1"
EVENTS = f"{API}/events"
MEETING = "netanyahu-putin-meeting-2019-09-12"


def csv_rows(text: str) -> list[dict[str, str]]:
    """The records of a CSV export."""
    return list(csv.DictReader(io.StringIO(text, newline="")))


def json_slugs(client: TestClient, path: str, filters: dict[str, str] | None = None) -> list[str]:
    """Every slug a JSON list returns under `filters`, in order, walking its pages."""
    slugs: list[str] = []
    cursor: str | None = None
    while True:
        params = (filters or {}) | {"limit": "2"} | ({"cursor": cursor} if cursor else {})
        page = client.get(path, params=params).json()
        slugs += [item["slug"] for item in page["items"]]
        if (cursor := page["next_cursor"]) is None:
            return slugs


@pytest.fixture
def small_pages(monkeypatch: pytest.MonkeyPatch) -> None:
    """Exports read two records per query, so that the seed spans many pages."""
    monkeypatch.setattr(stream, "PAGE_SIZE", 2)


class TestNegotiation:
    def test_format_and_accept_answer_the_same(self, seeded: Session, client: TestClient) -> None:
        by_format = client.get(EVENTS, params={"format": "csv"})
        by_accept = client.get(EVENTS, headers={"Accept": "text/csv"})
        assert by_format.status_code == by_accept.status_code == 200
        assert by_format.headers["content-type"] == "text/csv; charset=utf-8; header=present"
        assert by_format.headers["content-disposition"] == 'attachment; filename="events.csv"'
        assert by_format.headers["vary"] == "Accept"
        assert by_format.content == by_accept.content

    def test_format_wins_over_accept(self, seeded: Session, client: TestClient) -> None:
        response = client.get(EVENTS, params={"format": "json"}, headers={"Accept": "text/csv"})
        assert response.headers["content-type"] == "application/json"

    @pytest.mark.parametrize(
        ("accept", "media_type"),
        [
            ("*/*", "application/json"),
            ("application/*", "application/json"),
            ("text/csv;q=0.5, application/json", "application/json"),
            ("text/csv, application/json;q=0.5", "text/csv"),
            ("text/*", "text/csv"),
            ("text/html, */*;q=0.1", "application/json"),
            ("application/json;q=0, text/csv;q=0.2", "text/csv"),
        ],
    )
    def test_accept_chooses_by_quality_then_json_first(
        self, seeded: Session, client: TestClient, accept: str, media_type: str
    ) -> None:
        response = client.get(EVENTS, headers={"Accept": accept})
        assert response.status_code == 200
        assert response.headers["content-type"].split(";")[0] == media_type

    def test_unacceptable_accept_is_406_listing_the_offer(self, client: TestClient) -> None:
        response = client.get(f"{API}/sources", headers={"Accept": "text/html, image/*"})
        assert_problem(
            response,
            406,
            "none of the types in Accept is offered here; offered: "
            + (", ".join(["application/json", *(m for m in stream_types("source"))])),
        )

    def test_unknown_format_is_422_listing_the_offer(self, client: TestClient) -> None:
        response = client.get(f"{API}/claims", params={"format": "xml"})
        names = ", ".join(["json", *stream_names("claim")])
        detail = f"format: unknown format 'xml'; offered: {names}"
        assert_problem(response, 422, detail, locs=[["query", "format"]])

    def test_fields_are_refused_in_an_export(self, client: TestClient) -> None:
        response = client.get(EVENTS, params={"format": "csv", "fields": "slug"})
        detail = "fields: selects fields of JSON pages; exports write whole records"
        assert_problem(response, 422, detail, locs=[["query", "fields"]])

    def test_relevance_is_refused_in_an_export(self, client: TestClient) -> None:
        params = {"format": "csv", "q": "Sochi", "sort": "relevance"}
        response = client.get(EVENTS, params=params)
        detail = "sort: relevance cannot be exported; choose another order"
        assert_problem(response, 422, detail, locs=[["query", "sort"]])

    def test_a_bad_cursor_is_a_problem_not_a_broken_stream(self, client: TestClient) -> None:
        response = client.get(EVENTS, params={"format": "csv", "cursor": "nonsense"})
        assert_problem(response, 400, "cursor is malformed; pass next_cursor back unchanged")

    def test_an_unknown_filter_reference_is_a_problem(self, client: TestClient) -> None:
        response = client.get(f"{EVENTS}/no-such-event/claims", params={"format": "csv"})
        assert_problem(response, 404, "no event 'no-such-event'")


def stream_types(kind: str) -> list[str]:
    """The export media types a list of `kind` offers."""
    from app.formats.registry import offered

    return [w.media_type for w in offered(kind)]  # type: ignore[arg-type]


def stream_names(kind: str) -> list[str]:
    """The export format names a list of `kind` offers."""
    from app.formats.registry import offered

    return [w.name for w in offered(kind)]  # type: ignore[arg-type]


class TestJsonUnchanged:
    @pytest.mark.parametrize(
        "path", [EVENTS, f"{API}/participants", f"{API}/claims", f"{API}/sources"]
    )
    def test_every_way_of_asking_for_json_gets_the_same_bytes(
        self, seeded: Session, client: TestClient, path: str
    ) -> None:
        plain = client.get(path, params={"limit": "3"})
        assert plain.headers["content-type"] == "application/json"
        assert "vary" not in plain.headers
        for params, headers in [
            ({"format": "json"}, {}),
            ({}, {"Accept": "application/json"}),
            ({}, {"Accept": "*/*"}),
            ({"format": "json"}, {"Accept": "text/csv"}),
        ]:
            again = client.get(path, params={"limit": "3"} | params, headers=headers)
            assert again.content == plain.content
            # The next page's link keeps the query as sent, `format` included.
            link = again.headers.get("link")
            assert (link and link.replace("&format=json", "")) == plain.headers.get("link")

    def test_a_cursor_survives_switching_format(self, seeded: Session, client: TestClient) -> None:
        first = client.get(EVENTS, params={"limit": "5"}).json()
        rest = client.get(EVENTS, params={"format": "csv", "cursor": first["next_cursor"]})
        everything = json_slugs(client, EVENTS)
        assert [row["slug"] for row in csv_rows(rest.text)] == everything[5:]


class TestStreaming:
    @pytest.mark.parametrize(
        ("path", "kind"),
        [
            (EVENTS, "events"),
            (f"{API}/participants", "participants"),
            (f"{API}/claims", "claims"),
            (f"{API}/sources", "sources"),
        ],
    )
    def test_every_record_over_many_pages(
        self, seeded: Session, client: TestClient, small_pages: None, path: str, kind: str
    ) -> None:
        exported = csv_rows(client.get(path, params={"format": "csv"}).text)
        assert [row["slug"] for row in exported] == json_slugs(client, path)

    def test_all_twelve_seeded_events_in_seven_pages(
        self, seeded: Session, client: TestClient, small_pages: None
    ) -> None:
        assert len(csv_rows(client.get(EVENTS, params={"format": "csv"}).text)) == 12

    @pytest.mark.parametrize(
        "params",
        [
            {"country": "IL"},
            {"start_after": "2019-09", "sort": "-start"},
            {"participant": "vladimir-putin", "role": "host"},
            {"q": "Knesset", "sort": "title"},
            {"bbox": "30,28,45,50", "event_type": "meeting"},
        ],
    )
    def test_filters_and_order_are_honoured(
        self, seeded: Session, client: TestClient, small_pages: None, params: dict[str, str]
    ) -> None:
        exported = csv_rows(client.get(EVENTS, params=params | {"format": "csv"}).text)
        expected = json_slugs(client, EVENTS, params)
        assert expected
        assert [row["slug"] for row in exported] == expected

    @pytest.mark.parametrize(
        ("path", "params"),
        [
            ("participants", {"kind": "state", "sort": "-name"}),
            ("participants", {"role_title": "Prime Minister", "role_organization": "israel"}),
            ("claims", {"claimant": "benjamin-netanyahu", "claim_type": "quote"}),
            ("claims", {"q": "Iran", "stated_after": "2019-09"}),
        ],
    )
    def test_filters_of_other_lists_are_honoured(
        self,
        seeded: Session,
        client: TestClient,
        small_pages: None,
        path: str,
        params: dict[str, str],
    ) -> None:
        exported = csv_rows(client.get(f"{API}/{path}", params=params | {"format": "csv"}).text)
        expected = json_slugs(client, f"{API}/{path}", params)
        assert expected
        assert [row["slug"] for row in exported] == expected

    def test_claims_of_an_event(
        self, seeded: Session, client: TestClient, small_pages: None
    ) -> None:
        path = f"{EVENTS}/{MEETING}/claims"
        exported = csv_rows(client.get(path, params={"format": "csv"}).text)
        assert len(exported) == 7
        assert [row["slug"] for row in exported] == json_slugs(client, path)

    def test_claims_of_a_participant(
        self, seeded: Session, client: TestClient, small_pages: None
    ) -> None:
        path = f"{API}/participants/benjamin-netanyahu/claims"
        exported = csv_rows(client.get(path, params={"format": "csv"}).text)
        assert [row["slug"] for row in exported] == json_slugs(client, path)
        assert exported

    def test_nothing_matching_is_a_header_alone(self, seeded: Session, client: TestClient) -> None:
        response = client.get(EVENTS, params={"format": "csv", "country": "FR"})
        assert response.text.count("\r\n") == 1
        assert response.text.startswith("id,slug,title,")
