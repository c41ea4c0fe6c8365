"""GET /claims and the claim sub-lists: filters, seed questions, sorting, paging and shape."""

from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlmodel import Session

from tests.factories import assert_problem, make_claim

URL = "/api/v1/claims"
ARTICLE = "breen-portnoy-netanyahu-putin-sochi-2019-09-12"
MEETING = "netanyahu-putin-meeting-2019-09-12"
NETANYAHU_QUOTES = [
    "netanyahu-quote-security-coordination-iran-upsurge",
    "netanyahu-quote-intolerable-threat",
    "netanyahu-quote-coordination-prevents-friction",
    "netanyahu-quote-will-continue-coordination",
]
PUTIN_QUOTES = ["putin-quote-relations-new-quality", "putin-quote-international-terrorism-threat"]
REPORT = "report-israeli-strikes-in-syria"
ACCEPTED = "putin-accepted-rivlin-invitation"
ASSESSMENTS = [
    "assessment-netanyahu-putin-meetings-frequent",
    "assessment-gantz-stiff-challenge",
    "assessment-campaign-focused-on-corruption",
]
# The seeded claims in the order the seed records them.
SEEDED = [*NETANYAHU_QUOTES, *PUTIN_QUOTES, REPORT, ACCEPTED, *ASSESSMENTS]


def found(client: TestClient, url: str = URL, **params: Any) -> list[str]:
    """The slugs of every claim `url` returns for `params`, in order."""
    response = client.get(url, params={"limit": 500} | params)
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["next_cursor"] is None
    return [item["slug"] for item in body["items"]]


class TestFilters:
    def test_without_filters_lists_all_in_recorded_order(
        self, seeded: Session, client: TestClient
    ) -> None:
        assert found(client) == SEEDED

    def test_claimant(self, seeded: Session, client: TestClient) -> None:
        assert found(client, claimant="vladimir-putin") == [*PUTIN_QUOTES, ACCEPTED]

    def test_repeated_claimant_means_any_of(self, seeded: Session, client: TestClient) -> None:
        both = found(client, claimant=["vladimir-putin", "benjamin-netanyahu"])
        assert both == [*NETANYAHU_QUOTES, *PUTIN_QUOTES, ACCEPTED]

    def test_event(self, seeded: Session, client: TestClient) -> None:
        assert found(client, event=MEETING) == [*NETANYAHU_QUOTES, *PUTIN_QUOTES, ACCEPTED]

    def test_subject_participant(self, seeded: Session, client: TestClient) -> None:
        about = found(client, subject="benjamin-netanyahu")
        assert about == [PUTIN_QUOTES[0], *ASSESSMENTS]

    def test_subject_event(self, seeded: Session, client: TestClient) -> None:
        about = found(client, subject="knesset-election-2019-09-17")
        assert about == ASSESSMENTS[1:]

    def test_subjects_of_both_kinds(self, seeded: Session, client: TestClient) -> None:
        about = found(client, subject=["iran", "israeli-strikes-in-syria"])
        assert about == [*NETANYAHU_QUOTES[:2], REPORT]

    def test_claim_type_and_status(self, seeded: Session, client: TestClient) -> None:
        assert found(client, claim_type=["report", "paraphrase"]) == [REPORT, ACCEPTED]
        assert found(client, status="supported") == []
        client.patch(f"{URL}/{REPORT}", json={"status": "supported"})
        assert found(client, status=["supported", "refuted"]) == [REPORT]

    def test_source(self, seeded: Session, client: TestClient) -> None:
        assert found(client, source=ARTICLE) == SEEDED
        make_claim(client)
        assert len(found(client)) == 12
        assert found(client, source=ARTICLE) == SEEDED

    def test_stated_in_the_seed(self, seeded: Session, client: TestClient) -> None:
        assert found(client, stated_after="2019-09") == SEEDED
        assert found(client, stated_before="2019-08") == []

    def test_stated_is_precise_by_default(self, client: TestClient) -> None:
        day = make_claim(client, stated="2019-09-12")
        year = make_claim(client, stated="2019")
        make_claim(client, stated=None)
        make_claim(client, stated="2019-08-31")
        assert found(client, stated_after="2019-09") == [day["slug"]]
        imprecise = found(client, stated_after="2019-09", include_imprecise=True)
        assert imprecise == [day["slug"], year["slug"]]
        assert found(client, stated_after="2019", stated_before="2019") == [
            day["slug"],
            year["slug"],
            found(client, stated_before="2019-08")[0],
        ]

    def test_filters_combine(self, seeded: Session, client: TestClient) -> None:
        params = {
            "claimant": "vladimir-putin",
            "claim_type": "quote",
            "subject": "benjamin-netanyahu",
        }
        assert found(client, **params) == PUTIN_QUOTES[:1]

    @pytest.mark.parametrize(
        ("name", "detail"),
        [
            ("claimant", "claimant.0: no participant 'nobody'"),
            ("event", "event.0: no event 'nobody'"),
            ("source", "source.0: no source 'nobody'"),
            ("subject", "subject.0: no participant or event 'nobody'"),
        ],
    )
    def test_rejects_unknown_references(self, client: TestClient, name: str, detail: str) -> None:
        response = client.get(URL, params={name: "nobody"})
        assert_problem(response, 422, detail, locs=[["query", name, 0]])


class TestSearch:
    def test_q_over_text(self, seeded: Session, client: TestClient) -> None:
        assert found(client, q="Netanyahu") == ASSESSMENTS

    def test_q_over_quotes(self, seeded: Session, client: TestClient) -> None:
        # "Tehran regime" is only in the article's words, not in the claim's text.
        assert found(client, q="Tehran") == [REPORT]

    def test_q_stems_words(self, seeded: Session, client: TestClient) -> None:
        assert found(client, q="entrenchments") == [REPORT]

    def test_match_marks_the_words(self, seeded: Session, client: TestClient) -> None:
        items = client.get(URL, params={"q": "Netanyahu"}).json()["items"]
        assert all("<mark>Netanyahu</mark>" in item["match"] for item in items)
        assert "match" not in client.get(URL).json()["items"][0]

    def test_relevance(self, seeded: Session, client: TestClient) -> None:
        assert sorted(found(client, q="Netanyahu", sort="relevance")) == sorted(ASSESSMENTS)

    def test_relevance_needs_q(self, client: TestClient) -> None:
        response = client.get(URL, params={"sort": "relevance"})
        assert_problem(response, 422, "sort: relevance needs q", locs=[["query", "sort"]])


class TestSorting:
    def test_by_stated_both_ways(self, client: TestClient) -> None:
        late, early, undated = (
            make_claim(client, stated="2020-01")["slug"],
            make_claim(client, stated="2018")["slug"],
            make_claim(client, stated=None)["slug"],
        )
        assert found(client, sort="stated") == [undated, early, late]
        assert found(client, sort="-stated") == [late, early, undated]

    def test_recently_updated_first(self, seeded: Session, client: TestClient) -> None:
        client.patch(f"{URL}/{REPORT}", json={"status": "disputed"})
        assert found(client, sort="-updated_at")[0] == REPORT
        assert found(client, sort="-recorded") == SEEDED[::-1]


class TestSubLists:
    def test_event_claims_accept_the_filters(self, seeded: Session, client: TestClient) -> None:
        url = f"/api/v1/events/{MEETING}/claims"
        assert found(client, url, claimant="benjamin-netanyahu") == NETANYAHU_QUOTES
        assert found(client, url, subject="netanyahu-putin-meeting-2019-09-12") == [
            NETANYAHU_QUOTES[3]
        ]

    def test_participant_claims_accept_the_filters(
        self, seeded: Session, client: TestClient
    ) -> None:
        url = "/api/v1/participants/vladimir-putin/claims"
        assert found(client, url) == [*PUTIN_QUOTES, ACCEPTED, ASSESSMENTS[0]]
        assert found(client, url, claim_type="quote") == PUTIN_QUOTES

    def test_sub_list_cursors_are_their_own(self, seeded: Session, client: TestClient) -> None:
        url = "/api/v1/participants/vladimir-putin/claims"
        first = client.get(url, params={"limit": 1, "include_total": True}).json()
        assert first["total"] == 4
        cursor = first["next_cursor"]
        response = client.get(URL, params={"cursor": cursor, "include_total": True})
        assert response.status_code == 400
        body = client.get(url, params={"limit": 1, "cursor": cursor, "include_total": True}).json()
        assert [item["slug"] for item in body["items"]] == [PUTIN_QUOTES[1]]


class TestPagingAndShape:
    def test_pages_follow_the_link_header(self, seeded: Session, client: TestClient) -> None:
        url: str | None = f"{URL}?claimant=vladimir-putin&sort=-stated&limit=2"
        pages = []
        while url is not None:
            response = client.get(url)
            pages.append(len(response.json()["items"]))
            link = response.headers.get("link")
            url = link[1 : link.index(">")] if link else None
        assert pages == [2, 1]

    def test_cursor_of_other_filters_is_400(self, seeded: Session, client: TestClient) -> None:
        cursor = client.get(URL, params={"claim_type": "quote", "limit": 1}).json()["next_cursor"]
        response = client.get(URL, params={"claim_type": "report", "cursor": cursor})
        detail = "cursor belongs to another list or other filters; start again without it"
        assert_problem(response, 400, detail)

    def test_include_total_and_fields(self, seeded: Session, client: TestClient) -> None:
        params = {"event": MEETING, "limit": 2, "include_total": True, "fields": "slug,stated"}
        body = client.get(URL, params=params).json()
        assert body["total"] == 7
        assert body["items"] == [
            {
                "id": item["id"],
                "slug": slug,
                "stated": {
                    "edtf": "2019-09-12",
                    "precision": "day",
                    "earliest": "2019-09-12",
                    "latest": "2019-09-12",
                },
            }
            for item, slug in zip(body["items"], NETANYAHU_QUOTES[:2], strict=True)
        ]

    def test_unknown_parameter_is_422(self, client: TestClient) -> None:
        response = client.get(URL, params={"stated_since": "2019"})
        assert_problem(
            response, 422, "invalid fields: stated_since", locs=[["query", "stated_since"]]
        )
