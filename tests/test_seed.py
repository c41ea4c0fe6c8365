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
            "sources": 1,
            "participants": 15,
            "roles": 8,
            "events": 12,
            "event participants": 30,
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
