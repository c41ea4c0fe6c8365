"""The seed: what the article says, loaded through the services, idempotently."""

import hashlib
import os
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlmodel import Session

from seed.loader import load_article, read_article, seed_id

ARTICLE_PATH = Path(
    os.environ.get(
        "GEOEVENTS_ARTICLE",
        Path(__file__).resolve().parents[2] / "shared" / "source-article.txt",
    )
)
MEETING = "netanyahu-putin-meeting-2019-09-12"


class TestLoad:
    def test_creates_every_record_once(self, session: Session) -> None:
        created = load_article(session)
        assert dict(created) == {
            "sources": 7,
            "participants": 15,
            "roles": 8,
            "events": 12,
            "event participants": 28,
            "claims": 11,
        }

    def test_second_run_changes_nothing(self, seeded: Session, client: TestClient) -> None:
        before = client.get("/api/v1/claims", params={"limit": 500}).json()
        assert dict(load_article(seeded)) == {}
        assert client.get("/api/v1/claims", params={"limit": 500}).json() == before

    def test_ids_derive_from_slugs(self, seeded: Session, client: TestClient) -> None:
        body = client.get(f"/api/v1/events/{MEETING}").json()
        assert body["id"] == str(seed_id("events", MEETING))


class TestMeetingIsReachable:
    def test_participants(self, seeded: Session, client: TestClient) -> None:
        links = client.get(f"/api/v1/events/{MEETING}/participants").json()["items"]
        assert sorted((link["participant"]["slug"], link["role"]) for link in links) == [
            ("benjamin-netanyahu", "visitor"),
            ("vladimir-putin", "host"),
        ]

    def test_claims_and_their_source(self, seeded: Session, client: TestClient) -> None:
        claims = client.get(f"/api/v1/events/{MEETING}/claims").json()["items"]
        by_claimant: dict[str, int] = {}
        for claim in claims:
            by_claimant[claim["claimant_role"]] = by_claimant.get(claim["claimant_role"], 0) + 1
        assert by_claimant == {"Prime Minister, Israel": 4, "President, Russia": 3}
        source_ids = {a["source_id"] for claim in claims for a in claim["appearances"]}
        assert len(source_ids) == 1
        source = client.get(f"/api/v1/sources/{source_ids.pop()}").json()
        assert source["author"] == "Barney Breen-Portnoy"
        assert source["published"]["edtf"] == "2019-09-12"
        assert source["credits"] == "Photo: Amos Ben-Gershom / GPO"

    def test_location_and_parent(self, seeded: Session, client: TestClient) -> None:
        body = client.get(f"/api/v1/events/{MEETING}").json()
        assert body["location"]["name"] == "Sochi"
        assert body["location"]["country"] == "RU"
        parent = client.get(f"/api/v1/events/{body['parent_id']}").json()
        assert parent["slug"] == "netanyahu-visit-sochi-2019-09-12"

    def test_september_election_is_scheduled(self, seeded: Session, client: TestClient) -> None:
        body = client.get("/api/v1/events/knesset-election-2019-09-17").json()
        assert body["status"] == "scheduled"
        assert body["status_as_of"]["edtf"] == "2019-09-12"
        assert body["start"] == {
            "edtf": "2019-09-17",
            "precision": "day",
            "earliest": "2019-09-17",
            "latest": "2019-09-17",
        }


ARTICLE = "breen-portnoy-netanyahu-putin-sochi-2019-09-12"


class TestFidelity:
    """The seed says only what its sources say (see the README's "Provenance")."""

    def test_no_role_cites_the_article(self, seeded: Session, client: TestClient) -> None:
        # The article gives no role's start or end date, nor Assad's title.
        article_id = str(seed_id("sources", ARTICLE))
        for person in ("benjamin-netanyahu", "vladimir-putin", "sergei-shoigu", "reuven-rivlin"):
            for role in client.get(f"/api/v1/participants/{person}/roles").json()["items"]:
                assert role["source_id"] != article_id, role
                if role["source_id"] is None:
                    assert role["provenance"] == "background"
                else:
                    assert role["provenance"] == "stated"
                    source = client.get(f"/api/v1/sources/{role['source_id']}").json()
                    assert source["kind"] == "reference"
                    assert source["url"].startswith("https://en.wikipedia.org/wiki/")

    def test_every_role_cites_a_reference_or_is_background(self, seeded: Session) -> None:
        for role in read_article()["roles"]:
            assert role["source"] != ARTICLE
            assert (role["source"] is None) == (role["provenance"] == "background"), role

    def test_the_april_election_is_month_precise(self, seeded: Session, client: TestClient) -> None:
        body = client.get("/api/v1/events/knesset-election-2019-04-09").json()
        # "April's elections": no day.
        assert body["start"] == {
            "edtf": "2019-04",
            "precision": "month",
            "earliest": "2019-04-01",
            "latest": "2019-04-30",
        }

    def test_the_undated_steps_keep_only_what_the_article_bounds(
        self, seeded: Session, client: TestClient
    ) -> None:
        for slug in ("netanyahu-coalition-failure-2019-05", "knesset-dispersal-2019-05"):
            body = client.get(f"/api/v1/events/{slug}").json()
            assert (body["start"]["edtf"], body["end"]) == ("2019-04/2019-09-12", None)

    def test_the_report_keeps_its_hedge(self, seeded: Session, client: TestClient) -> None:
        claim = client.get("/api/v1/claims/report-israeli-strikes-in-syria").json()
        assert "reportedly" in claim["text"]
        assert "the Tehran regime" in claim["text"]
        assert claim["relations"] == []

    def test_inferred_roles_are_assessments_or_gone(
        self, seeded: Session, client: TestClient
    ) -> None:
        def links(event: str) -> dict[tuple[str, str], str]:
            items = client.get(f"/api/v1/events/{event}/participants").json()["items"]
            return {(i["participant"]["slug"], i["role"]): i["provenance"] for i in items}

        assert links("netanyahu-shoigu-meeting-2019-09-12") == {
            ("sergei-shoigu", "attendee"): "stated",
            ("benjamin-netanyahu", "visitor"): "stated",
        }
        assert links("putin-visit-israel-2020") == {("vladimir-putin", "visitor"): "stated"}
        assert links(MEETING)[("vladimir-putin", "host")] == "assessment"

    def test_seeded_quotes_are_verified_against_the_article(
        self, seeded: Session, client: TestClient
    ) -> None:
        sha256 = read_article()["source"]["sha256"]
        claims = client.get("/api/v1/claims", params={"limit": 100}).json()["items"]
        found = {
            (a["verification"], a["verified_sha256"]) for c in claims for a in c["appearances"]
        }
        assert found == {("verified", sha256)}

    def test_a_made_up_quote_is_unverified(self, seeded: Session, client: TestClient) -> None:
        body = {"source_id": ARTICLE, "quote": "Putin said Russia will leave Syria."}
        url = "/api/v1/claims/putin-quote-relations-new-quality/appearances"
        response = client.post(url, json=body)
        assert response.status_code == 201, response.text
        made_up = response.json()
        assert (made_up["verification"], made_up["confidence"]) == ("unverified", 0.5)
        response = client.post(url, json=body | {"confidence": 1.0})
        assert response.status_code == 422

    def test_a_wrong_text_does_not_replace_the_articles_sha256(
        self, seeded: Session, client: TestClient
    ) -> None:
        response = client.patch(f"/api/v1/sources/{ARTICLE}", json={"text": "Not the article."})
        assert response.status_code == 409
        source = client.get(f"/api/v1/sources/{ARTICLE}").json()
        assert (source["sha256"], source["text"]) == (read_article()["source"]["sha256"], None)

    def test_the_intervention_is_under_way_in_september_2019(
        self, seeded: Session, client: TestClient
    ) -> None:
        items = client.get("/api/v1/events", params={"active_on": "2019-09"}).json()["items"]
        assert "russian-military-intervention-syria-2015" in {i["slug"] for i in items}


class TestArticleFile:
    """Checks of seed/article.json against the article itself, where the file is present."""

    @pytest.fixture
    def article(self) -> str:
        if not ARTICLE_PATH.exists():
            pytest.skip(f"article text not present at {ARTICLE_PATH}")
        return ARTICLE_PATH.read_text(encoding="utf-8")

    def test_sha256_matches(self, article: str) -> None:
        digest = hashlib.sha256(ARTICLE_PATH.read_bytes()).hexdigest()
        assert read_article()["source"]["sha256"] == digest

    def test_every_quote_is_at_its_offsets(self, article: str) -> None:
        for claim in read_article()["claims"]:
            for appearance in claim["appearances"]:
                start, end = appearance["char_start"], appearance["char_end"]
                assert article[start:end] == appearance["quote"], claim["slug"]

    def test_full_text_is_not_committed(self) -> None:
        data = read_article()
        assert "text" not in data["source"]
        longest = max(len(a["quote"]) for c in data["claims"] for a in c["appearances"])
        assert longest < 400
