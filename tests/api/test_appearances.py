"""/claims/{id}/appearances: where a claim appears, with its quote checked against the source."""

import uuid
from typing import Any

import pytest
from fastapi.testclient import TestClient

from tests.factories import (
    ARTICLE_TEXT,
    assert_problem,
    brief,
    make_appearance,
    make_claim,
    make_source,
)

# The curly quotes make code-point offsets differ from UTF-8 byte offsets.
QUOTE = "“We are taking action,”"
START = ARTICLE_TEXT.index(QUOTE)
END = START + len(QUOTE)
LATER = "Netanyahu said."
LATER_START = ARTICLE_TEXT.index(LATER)
# Set by the server: compared separately, or not at all.
AUTHORED = {"id", "created_at", "updated_at", "created_by", "updated_by"}


def appearances_url(claim: dict[str, Any]) -> str:
    """The appearances collection of `claim`."""
    return f"/api/v1/claims/{claim['slug']}/appearances"


def listed(client: TestClient, claim: dict[str, Any]) -> list[dict[str, Any]]:
    """Every appearance of `claim`."""
    body = client.get(appearances_url(claim), params={"limit": 500}).json()
    items: list[dict[str, Any]] = body["items"]
    return items


class TestCreateAppearance:
    def test_accepts_a_quote_at_its_offsets(self, client: TestClient) -> None:
        source, claim = make_source(client), make_claim(client)
        body = {"source_id": source["slug"], "quote": QUOTE, "char_start": START, "char_end": END}
        response = client.post(appearances_url(claim), json=body)
        assert response.status_code == 201
        row = response.json()
        assert response.headers["location"] == (
            f"/api/v1/claims/{claim['id']}/appearances/{row['id']}"
        )
        assert {k: v for k, v in row.items() if k not in AUTHORED} == {
            "claim_id": claim["id"],
            "source_id": source["id"],
            "source": brief(source),
            "quote": QUOTE,
            "char_start": START,
            "char_end": END,
            "confidence": 1.0,
            "verification": "verified",
            "verified_sha256": source["sha256"],
            "version": 1,
        }

    def test_fills_missing_offsets(self, client: TestClient) -> None:
        source, claim = make_source(client), make_claim(client)
        row = make_appearance(client, claim["slug"], source_id=source["id"], quote=LATER)
        assert (row["char_start"], row["char_end"]) == (LATER_START, LATER_START + len(LATER))

    def test_keeps_the_quotes_whitespace(self, client: TestClient) -> None:
        source, claim = make_source(client), make_claim(client)
        quote = " Putin said"
        row = make_appearance(client, claim["slug"], source_id=source["id"], quote=quote)
        assert (row["quote"], row["char_start"]) == (quote, ARTICLE_TEXT.index(quote))

    def test_counts_offsets_in_code_points_not_bytes(self, client: TestClient) -> None:
        source, claim = make_source(client), make_claim(client)
        start = ARTICLE_TEXT.encode().index(LATER.encode())
        end = start + len(LATER)
        body = {"source_id": source["id"], "quote": LATER, "char_start": start, "char_end": end}
        response = client.post(appearances_url(claim), json=body)
        assert_problem(
            response,
            422,
            f"char_start: the text of source '{source['slug']}' holds "
            f"{ARTICLE_TEXT[start:end]!r} at {start}:{end}, not the quote; "
            f"the quote first occurs at {LATER_START}:{LATER_START + len(LATER)}",
            locs=[["body", "char_start"]],
        )

    def test_rejects_offsets_past_the_end_of_the_text(self, client: TestClient) -> None:
        source, claim = make_source(client), make_claim(client)
        start = len(ARTICLE_TEXT)
        body = {"source_id": source["id"], "quote": "2020", "char_start": start}
        response = client.post(appearances_url(claim), json=body | {"char_end": start + 4})
        assert_problem(
            response,
            422,
            f"char_start: is past the end of the text of source '{source['slug']}' "
            f"({len(ARTICLE_TEXT)} characters); the quote first occurs at "
            f"{ARTICLE_TEXT.index('2020')}:{ARTICLE_TEXT.index('2020') + 4}",
            locs=[["body", "char_start"]],
        )

    def test_rejects_wrong_offsets_and_changes_nothing(self, client: TestClient) -> None:
        source, claim = make_source(client), make_claim(client)
        make_appearance(client, claim["slug"], source_id=source["id"], quote=LATER)
        before = listed(client, claim)
        body = {"source_id": source["id"], "quote": QUOTE, "char_start": 0, "char_end": len(QUOTE)}
        response = client.post(appearances_url(claim), json=body)
        assert_problem(
            response,
            422,
            f"char_start: the text of source '{source['slug']}' holds "
            f"{ARTICLE_TEXT[: len(QUOTE)]!r} at 0:{len(QUOTE)}, not the quote; "
            f"the quote first occurs at {START}:{END}",
            locs=[["body", "char_start"]],
        )
        assert listed(client, claim) == before
        assert client.get(f"/api/v1/claims/{claim['slug']}").json()["version"] == 2

    def test_rejects_a_quote_not_in_the_text(self, client: TestClient) -> None:
        source, claim = make_source(client), make_claim(client)
        # Straight quotes: the text has curly ones.
        body = {"source_id": source["id"], "quote": '"We are taking action,"'}
        response = client.post(appearances_url(claim), json=body)
        assert_problem(
            response,
            422,
            f"quote: the quote is not in the text of source '{source['slug']}'",
            locs=[["body", "quote"]],
        )
        assert listed(client, claim) == []

    @pytest.mark.parametrize(
        ("sent", "missing"),
        [({"char_start": START}, "char_end"), ({"char_end": END}, "char_start")],
    )
    def test_rejects_only_one_offset(
        self, client: TestClient, sent: dict[str, int], missing: str
    ) -> None:
        source, claim = make_source(client), make_claim(client)
        body = {"source_id": source["id"], "quote": QUOTE} | sent
        response = client.post(appearances_url(claim), json=body)
        assert_problem(
            response,
            422,
            f"{missing}: char_start and char_end go together: send both or neither",
            locs=[["body", missing]],
        )

    def test_stores_given_offsets_on_a_source_without_text(self, client: TestClient) -> None:
        source, claim = make_source(client, text=None), make_claim(client)
        body = {"source_id": source["id"], "quote": QUOTE, "char_start": 512, "char_end": 535}
        row = make_appearance(client, claim["slug"], **body)
        assert (row["char_start"], row["char_end"]) == (512, 535)

    def test_leaves_offsets_null_on_a_source_without_text(self, client: TestClient) -> None:
        source, claim = make_source(client, text=None), make_claim(client)
        row = make_appearance(client, claim["slug"], source_id=source["id"], quote=QUOTE)
        assert (row["char_start"], row["char_end"]) == (None, None)

    def test_rejects_inconsistent_offsets_on_a_source_without_text(
        self, client: TestClient
    ) -> None:
        source, claim = make_source(client, text=None), make_claim(client)
        body = {"source_id": source["id"], "quote": QUOTE, "char_start": 512, "char_end": 600}
        response = client.post(appearances_url(claim), json=body)
        assert_problem(
            response,
            422,
            f"char_end: must be char_start + the quote's length ({512 + len(QUOTE)})",
            locs=[["body", "char_end"]],
        )

    def test_rejects_confidence_above_one(self, client: TestClient) -> None:
        source, claim = make_source(client), make_claim(client)
        body = {"source_id": source["id"], "quote": QUOTE, "confidence": 1.5}
        response = client.post(appearances_url(claim), json=body)
        assert_problem(response, 422, "invalid fields: confidence", locs=[["body", "confidence"]])

    def test_rejects_unknown_source(self, client: TestClient) -> None:
        claim = make_claim(client)
        response = client.post(appearances_url(claim), json={"source_id": "x", "quote": QUOTE})
        assert_problem(response, 422, "source_id: no source 'x'", locs=[["body", "source_id"]])

    def test_counts_as_a_write_of_the_claim(self, client: TestClient) -> None:
        source, claim = make_source(client), make_claim(client)
        row = make_appearance(client, claim["slug"], source_id=source["id"], quote=QUOTE)
        body = client.get(f"/api/v1/claims/{claim['slug']}").json()
        assert (body["version"], body["appearances"]) == (2, [row])

    def test_unknown_claim_returns_404(self, client: TestClient) -> None:
        source = make_source(client)
        response = client.post(
            "/api/v1/claims/nothing/appearances", json={"source_id": source["id"], "quote": QUOTE}
        )
        assert_problem(response, 404, "no claim 'nothing'")


class TestCreateClaimWithAppearances:
    def test_checks_and_fills_each_appearance(self, client: TestClient) -> None:
        source = make_source(client)
        claim = make_claim(
            client,
            appearances=[
                {"source_id": source["slug"], "quote": QUOTE, "char_start": START, "char_end": END},
                {"source_id": source["slug"], "quote": LATER, "confidence": 0.5},
            ],
        )
        placed = [
            (a["quote"], a["char_start"], a["char_end"], a["confidence"])
            for a in claim["appearances"]
        ]
        assert placed == [
            (QUOTE, START, END, 1.0),
            (LATER, LATER_START, LATER_START + len(LATER), 0.5),
        ]

    def test_a_bad_second_appearance_leaves_no_claim(self, client: TestClient) -> None:
        source = make_source(client)
        body = {
            "slug": "rejected",
            "text": "We are taking action.",
            "claim_type": "quote",
            "appearances": [
                {"source_id": source["slug"], "quote": QUOTE},
                {"source_id": source["slug"], "quote": "We are not taking action"},
            ],
        }
        response = client.post("/api/v1/claims", json=body)
        assert_problem(
            response,
            422,
            f"appearances.1.quote: the quote is not in the text of source '{source['slug']}'",
            locs=[["body", "appearances", 1, "quote"]],
        )
        assert_problem(client.get("/api/v1/claims/rejected"), 404, "no claim 'rejected'")
        # The source is unreferenced: the first appearance was not kept either.
        assert client.delete(f"/api/v1/sources/{source['slug']}").status_code == 204


class TestListAppearances:
    def test_walks_pages_in_creation_order(self, client: TestClient) -> None:
        source, claim = make_source(client), make_claim(client)
        quotes = ["Putin met", QUOTE, LATER]
        ids = [
            make_appearance(client, claim["slug"], source_id=source["id"], quote=q)["id"]
            for q in quotes
        ]
        make_appearance(client, make_claim(client)["slug"], source_id=source["id"], quote=QUOTE)
        first = client.get(appearances_url(claim), params={"limit": 2}).json()
        second = client.get(
            appearances_url(claim), params={"limit": 2, "cursor": first["next_cursor"]}
        ).json()
        assert [a["id"] for a in first["items"]] == ids[:2]
        assert ([a["id"] for a in second["items"]], second["next_cursor"]) == (ids[2:], None)


class TestReadAppearance:
    def test_by_claim_slug_and_id(self, client: TestClient) -> None:
        source, claim = make_source(client), make_claim(client)
        row = make_appearance(client, claim["slug"], source_id=source["id"], quote=QUOTE)
        response = client.get(f"{appearances_url(claim)}/{row['id']}")
        assert response.status_code == 200
        assert response.json() == row

    def test_appearance_of_another_claim_returns_404(self, client: TestClient) -> None:
        source, claim, other = make_source(client), make_claim(client), make_claim(client)
        row = make_appearance(client, other["slug"], source_id=source["id"], quote=QUOTE)
        assert_problem(
            client.get(f"{appearances_url(claim)}/{row['id']}"),
            404,
            f"claim '{claim['slug']}' has no appearance {row['id']}",
        )


class TestUpdateAppearance:
    def test_changes_only_the_fields_sent(self, client: TestClient) -> None:
        source, claim = make_source(client), make_claim(client)
        row = make_appearance(client, claim["slug"], source_id=source["id"], quote=QUOTE)
        response = client.patch(f"{appearances_url(claim)}/{row['id']}", json={"confidence": 0.4})
        assert response.status_code == 200
        body = response.json()
        assert (body["version"], body["confidence"]) == (2, 0.4)
        assert (body["quote"], body["char_start"], body["char_end"]) == (QUOTE, START, END)

    def test_a_new_quote_is_found_again(self, client: TestClient) -> None:
        source, claim = make_source(client), make_claim(client)
        row = make_appearance(client, claim["slug"], source_id=source["id"], quote=QUOTE)
        response = client.patch(f"{appearances_url(claim)}/{row['id']}", json={"quote": LATER})
        body = response.json()
        assert (body["quote"], body["char_start"], body["char_end"]) == (
            LATER,
            LATER_START,
            LATER_START + len(LATER),
        )

    def test_a_new_source_is_searched_for_the_quote(self, client: TestClient) -> None:
        claim = make_claim(client)
        row = make_appearance(
            client, claim["slug"], source_id=make_source(client)["id"], quote=LATER
        )
        other = make_source(client, text=f"As reported: {LATER}")
        url = f"{appearances_url(claim)}/{row['id']}"
        body = client.patch(url, json={"source_id": other["slug"]}).json()
        assert (body["source_id"], body["char_start"], body["char_end"]) == (
            other["id"],
            13,
            13 + len(LATER),
        )

    def test_rejects_a_new_quote_not_in_the_text(self, client: TestClient) -> None:
        source, claim = make_source(client), make_claim(client)
        row = make_appearance(client, claim["slug"], source_id=source["id"], quote=QUOTE)
        url = f"{appearances_url(claim)}/{row['id']}"
        response = client.patch(url, json={"quote": "We are not taking action"})
        assert_problem(
            response,
            422,
            f"quote: the quote is not in the text of source '{source['slug']}'",
            locs=[["body", "quote"]],
        )
        assert client.get(url).json() == row

    def test_rejects_offsets_that_do_not_hold_the_quote(self, client: TestClient) -> None:
        source, claim = make_source(client), make_claim(client)
        row = make_appearance(client, claim["slug"], source_id=source["id"], quote=QUOTE)
        url = f"{appearances_url(claim)}/{row['id']}"
        response = client.patch(url, json={"char_start": START + 1, "char_end": END + 1})
        assert_problem(
            response,
            422,
            f"char_start: the text of source '{source['slug']}' holds "
            f"{ARTICLE_TEXT[START + 1 : END + 1]!r} at {START + 1}:{END + 1}, not the quote; "
            f"the quote first occurs at {START}:{END}",
            locs=[["body", "char_start"]],
        )
        assert client.get(url).json() == row

    def test_rejects_null_quote(self, client: TestClient) -> None:
        source, claim = make_source(client), make_claim(client)
        row = make_appearance(client, claim["slug"], source_id=source["id"], quote=QUOTE)
        response = client.patch(f"{appearances_url(claim)}/{row['id']}", json={"quote": None})
        assert_problem(response, 422, "quote: may not be null", locs=[["body", "quote"]])

    def test_unknown_appearance_returns_404(self, client: TestClient) -> None:
        claim = make_claim(client)
        missing = uuid.uuid4()
        response = client.patch(f"{appearances_url(claim)}/{missing}", json={"confidence": 0.5})
        assert_problem(response, 404, f"claim '{claim['slug']}' has no appearance {missing}")


class TestDeleteAppearance:
    def test_returns_204_then_404(self, client: TestClient) -> None:
        source, claim = make_source(client), make_claim(client)
        row = make_appearance(client, claim["slug"], source_id=source["id"], quote=QUOTE)
        url = f"{appearances_url(claim)}/{row['id']}"
        response = client.delete(url)
        assert response.status_code == 204
        assert response.content == b""
        assert_problem(
            client.get(url), 404, f"claim '{claim['slug']}' has no appearance {row['id']}"
        )
        assert listed(client, claim) == []

    def test_appearance_of_another_claim_returns_404_and_stays(self, client: TestClient) -> None:
        source, claim, other = make_source(client), make_claim(client), make_claim(client)
        row = make_appearance(client, other["slug"], source_id=source["id"], quote=QUOTE)
        response = client.delete(f"{appearances_url(claim)}/{row['id']}")
        assert_problem(response, 404, f"claim '{claim['slug']}' has no appearance {row['id']}")
        assert listed(client, other) == [row]


class TestVerification:
    """A quote is verified only against a stored text; only a verified one has confidence 1."""

    def test_a_made_up_quote_on_a_source_without_text_is_unverified(
        self, client: TestClient
    ) -> None:
        source, claim = make_source(client, text=None, slug="no-text"), make_claim(client)
        made_up = "Putin said Israel and Russia will sign a treaty."
        row = make_appearance(client, claim["slug"], source_id=source["id"], quote=made_up)
        assert (row["verification"], row["verified_sha256"]) == ("unverified", None)
        assert row["confidence"] == 0.5

    def test_rejects_confidence_one_for_an_unverified_quote(self, client: TestClient) -> None:
        source, claim = make_source(client, text=None, slug="no-text"), make_claim(client)
        body = {"source_id": source["id"], "quote": "Anything at all.", "confidence": 1.0}
        detail = (
            "confidence: only a quote verified against its source's text can have confidence "
            "1.0; source 'no-text' has no stored text to check this one against: send a lower "
            "confidence, or store the source's text first"
        )
        response = client.post(appearances_url(claim), json=body)
        assert_problem(response, 422, detail, locs=[["body", "confidence"]])
        assert client.get(appearances_url(claim)).json()["items"] == []
        row = make_appearance(client, claim["slug"], **body | {"confidence": 0.8})
        url = f"{appearances_url(claim)}/{row['id']}"
        response = client.patch(url, json={"confidence": 1.0})
        assert_problem(response, 422, detail, locs=[["body", "confidence"]])

    def test_storing_the_text_verifies_the_quotes_it_holds(self, client: TestClient) -> None:
        source, claim = make_source(client, text=None), make_claim(client)
        row = make_appearance(client, claim["slug"], source_id=source["id"], quote=QUOTE)
        assert row["verification"] == "unverified"
        stored = client.patch(f"/api/v1/sources/{source['id']}", json={"text": ARTICLE_TEXT})
        assert stored.status_code == 200, stored.text
        again = client.get(f"{appearances_url(claim)}/{row['id']}").json()
        assert (again["verification"], again["verified_sha256"], again["version"]) == (
            "verified",
            stored.json()["sha256"],
            2,
        )
        # Its confidence stays what it was: raising it is the editor's call.
        assert again["confidence"] == 0.5
