"""GET /participants: filters, the questions the seed answers, sorting, paging and shape."""

from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlmodel import Session

from tests.factories import assert_problem, make_participant, make_role

URL = "/api/v1/participants"
# The seeded participants in the order the seed records them.
SEEDED = [
    "benjamin-netanyahu",
    "vladimir-putin",
    "sergei-shoigu",
    "reuven-rivlin",
    "benny-gantz",
    "bashar-al-assad",
    "israel",
    "russia",
    "iran",
    "syria",
    "israel-defense-forces",
    "hezbollah",
    "likud",
    "blue-and-white",
    "knesset",
]


def found(client: TestClient, **params: Any) -> list[str]:
    """The slugs of every participant GET /participants returns for `params`, in order."""
    response = client.get(URL, params={"limit": 500} | params)
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["next_cursor"] is None
    return [item["slug"] for item in body["items"]]


class TestFilters:
    def test_without_filters_lists_all_in_recorded_order(
        self, seeded: Session, client: TestClient
    ) -> None:
        assert found(client) == SEEDED

    def test_repeated_kind_means_any_of(self, seeded: Session, client: TestClient) -> None:
        assert found(client, kind=["legislature", "armed_group"]) == ["hezbollah", "knesset"]

    def test_country_accepts_alpha3(self, seeded: Session, client: TestClient) -> None:
        assert found(client, country="RUS") == ["vladimir-putin", "sergei-shoigu", "russia"]

    def test_filters_combine(self, seeded: Session, client: TestClient) -> None:
        people = found(client, country="IL", kind="person")
        assert people == ["benjamin-netanyahu", "reuven-rivlin", "benny-gantz"]

    def test_identifier(self, seeded: Session, client: TestClient) -> None:
        assert found(client, identifier="wikidata:Q7747") == ["vladimir-putin"]

    def test_repeated_identifier_means_any_of(self, seeded: Session, client: TestClient) -> None:
        assert found(client, identifier=["cameo:IRN", "wikidata:Q43723"]) == [
            "benjamin-netanyahu",
            "iran",
        ]

    def test_unknown_identifier_value_finds_nobody(
        self, seeded: Session, client: TestClient
    ) -> None:
        assert found(client, identifier="wikidata:Q1") == []

    @pytest.mark.parametrize("value", ["Q7747", "wikidata:7747", "isbn:123"])
    def test_rejects_a_malformed_identifier(self, client: TestClient, value: str) -> None:
        response = client.get(URL, params={"identifier": value})
        assert_problem(
            response, 422, "invalid fields: identifier.0", locs=[["query", "identifier", 0]]
        )

    def test_q_searches_names_and_aliases(self, seeded: Session, client: TestClient) -> None:
        assert found(client, q="Netanyahu") == ["benjamin-netanyahu"]
        assert found(client, q="Hizballah") == ["hezbollah"]
        assert found(client, q="Israeli") == ["israel-defense-forces", "knesset"]

    def test_q_adds_a_marked_match(self, seeded: Session, client: TestClient) -> None:
        items = client.get(URL, params={"q": "Putin"}).json()["items"]
        assert [item["slug"] for item in items] == ["vladimir-putin"]
        assert "<mark>Putin</mark>" in items[0]["match"]

    def test_no_match_field_without_q(self, seeded: Session, client: TestClient) -> None:
        assert "match" not in client.get(URL).json()["items"][0]


class TestRoles:
    """Who held which role on a date: the role must certainly cover the whole date."""

    def test_prime_minister_of_israel_on_the_day_of_the_article(
        self, seeded: Session, client: TestClient
    ) -> None:
        params = {"role_title": "Prime Minister", "role_on": "2019-09-12"}
        assert found(client, **params) == ["benjamin-netanyahu"]

    def test_presidents_then_by_organization(self, seeded: Session, client: TestClient) -> None:
        presidents = {"role_title": "President", "role_on": "2019-09-12", "sort": "name"}
        assert found(client, **presidents) == ["bashar-al-assad", "reuven-rivlin", "vladimir-putin"]
        of_israel = presidents | {"role_organization": "israel"}
        assert found(client, **of_israel) == ["reuven-rivlin"]

    def test_a_role_not_yet_begun_does_not_match(self, seeded: Session, client: TestClient) -> None:
        # Gantz has led Blue and White since 21 February 2019.
        assert found(client, role_title="Leader", role_on="2019-01") == ["benjamin-netanyahu"]
        assert found(client, role_title="Leader", role_on="2019-03") == [
            "benjamin-netanyahu",
            "benny-gantz",
        ]

    def test_a_role_must_cover_the_whole_date(self, seeded: Session, client: TestClient) -> None:
        # Gantz was Chief of Staff until 16 February 2015: not for all of 2015.
        assert found(client, role_title="Chief of Staff", role_on="2015") == []
        assert found(client, role_title="Chief of Staff", role_on="2014") == ["benny-gantz"]

    def test_role_on_alone_means_any_role(self, seeded: Session, client: TestClient) -> None:
        assert found(client, role_on="2010") == ["benjamin-netanyahu", "bashar-al-assad"]

    def test_role_title_alone_means_ever_held(self, seeded: Session, client: TestClient) -> None:
        assert found(client, role_title="Chief of Staff") == ["benny-gantz"]

    def test_an_unknown_start_does_not_match(self, client: TestClient) -> None:
        undated = make_participant(client)
        make_role(client, undated["slug"])
        dated = make_participant(client)
        make_role(client, dated["slug"], start="2019")
        params = {"role_title": "Prime Minister", "role_on": "2020-01-01"}
        assert found(client, **params) == [dated["slug"]]

    def test_the_articles_words_find_the_defence_minister(
        self, seeded: Session, client: TestClient
    ) -> None:
        # The article says "Defense Minister"; the role is "Minister of Defence" with aliases.
        for title in ("Defense Minister", "defense minister", "MINISTER  OF DEFENCE"):
            assert found(client, role_title=title, role_on="2019-09-12") == ["sergei-shoigu"]

    def test_titles_match_whatever_the_case(self, seeded: Session, client: TestClient) -> None:
        assert found(client, role_title="prime minister") == ["benjamin-netanyahu"]

    def test_rejects_an_unknown_organization(self, client: TestClient) -> None:
        response = client.get(URL, params={"role_title": "King", "role_organization": "narnia"})
        detail = "role_organization: no participant 'narnia'"
        assert_problem(response, 422, detail, locs=[["query", "role_organization"]])

    def test_rejects_an_invalid_date(self, client: TestClient) -> None:
        response = client.get(URL, params={"role_on": "2019-13"})
        assert_problem(response, 422, "invalid fields: role_on", locs=[["query", "role_on"]])


class TestSorting:
    def test_by_name_both_ways(self, seeded: Session, client: TestClient) -> None:
        people = {"kind": "person", "country": "IL"}
        by_name = ["benjamin-netanyahu", "benny-gantz", "reuven-rivlin"]
        assert found(client, **people, sort="name") == by_name
        assert found(client, **people, sort="-name") == by_name[::-1]

    def test_recently_updated_first(self, seeded: Session, client: TestClient) -> None:
        client.patch(f"{URL}/iran", json={"description": "Changed."})
        assert found(client, sort="-updated_at")[0] == "iran"
        assert found(client, sort="updated_at")[-1] == "iran"

    def test_relevance_needs_q(self, client: TestClient) -> None:
        response = client.get(URL, params={"sort": "relevance"})
        assert_problem(response, 422, "sort: relevance needs q", locs=[["query", "sort"]])

    def test_relevance_with_q(self, seeded: Session, client: TestClient) -> None:
        assert found(client, q="Blue White", sort="relevance") == ["blue-and-white"]


class TestPagingAndShape:
    def test_pages_follow_the_link_header(self, seeded: Session, client: TestClient) -> None:
        url: str | None = f"{URL}?kind=state&sort=name&limit=3"
        pages = []
        while url is not None:
            response = client.get(url)
            pages.append([item["slug"] for item in response.json()["items"]])
            link = response.headers.get("link")
            url = link[1 : link.index(">")] if link else None
        assert pages == [["iran", "israel", "russia"], ["syria"]]

    def test_pages_by_cursor_in_every_sort(self, seeded: Session, client: TestClient) -> None:
        for sort in ("name", "-name", "recorded", "-recorded", "updated_at"):
            params: dict[str, Any] = {"sort": sort, "limit": 4}
            slugs: list[str] = []
            while True:
                body = client.get(URL, params=params).json()
                slugs += [item["slug"] for item in body["items"]]
                if body["next_cursor"] is None:
                    break
                params["cursor"] = body["next_cursor"]
            assert slugs == found(client, sort=sort), sort

    def test_a_new_record_does_not_shift_the_pages(
        self, seeded: Session, client: TestClient
    ) -> None:
        first = client.get(URL, params={"sort": "name", "limit": 2}).json()
        make_participant(client, slug="aaron", name="Aaron")
        rest = client.get(URL, params={"sort": "name", "cursor": first["next_cursor"]}).json()
        assert [item["slug"] for item in rest["items"][:2]] == ["benny-gantz", "blue-and-white"]

    def test_cursor_of_other_filters_is_400(self, seeded: Session, client: TestClient) -> None:
        cursor = client.get(URL, params={"kind": "state", "limit": 1}).json()["next_cursor"]
        response = client.get(URL, params={"kind": "person", "cursor": cursor})
        detail = "cursor belongs to another list or other filters; start again without it"
        assert_problem(response, 400, detail)

    def test_include_total(self, seeded: Session, client: TestClient) -> None:
        body = client.get(URL, params={"kind": "person", "limit": 2, "include_total": True}).json()
        assert (len(body["items"]), body["total"]) == (2, 6)
        assert "total" not in client.get(URL).json()

    def test_fields(self, seeded: Session, client: TestClient) -> None:
        body = client.get(URL, params={"identifier": "cameo:RUS", "fields": "slug,name"}).json()
        assert [set(item) for item in body["items"]] == [{"id", "slug", "name"}]
        assert body["items"][0]["name"] == "Russia"

    def test_unknown_parameter_is_422(self, client: TestClient) -> None:
        response = client.get(URL, params={"knd": "state"})
        assert_problem(response, 422, "invalid fields: knd", locs=[["query", "knd"]])
