"""References carry their record in brief, read in a fixed number of statements per page."""

from collections.abc import Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine, event
from sqlmodel import Session

from app.read.columns import Select
from app.services import rows
from tests.factories import (
    brief,
    make_claim,
    make_event,
    make_participant,
    make_role,
    make_source,
)

API = "/api/v1"
MEETING = "netanyahu-putin-meeting-2019-09-12"
VISIT = "netanyahu-visit-sochi-2019-09-12"
ARTICLE = "breen-portnoy-netanyahu-putin-sochi-2019-09-12"
QUOTE = "netanyahu-quote-intolerable-threat"


def read(client: TestClient, path: str) -> dict[str, Any]:
    """The JSON of a GET that must succeed."""
    response = client.get(f"{API}{path}")
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


@pytest.fixture
def statements(engine: Engine, monkeypatch: pytest.MonkeyPatch) -> Iterator[list[str]]:
    """Every statement sent while the test runs: through SQLAlchemy, the driver lookups or the
    read path."""
    seen: list[str] = []

    def record(conn: Any, cursor: Any, statement: str, *args: Any) -> None:
        seen.append(statement)

    load = rows.load

    def counted_load(session: Session, model: Any, column: str, keys: Any, *args: Any) -> Any:
        if keys:  # no keys, no statement
            seen.append(f"load {model.__name__} by {column}")
        return load(session, model, column, keys, *args)

    monkeypatch.setattr(rows, "load", counted_load)
    decode = Select.decoded

    def counted_read(select: Select, fetched: Any) -> Any:
        # The read path's statements go to the driver's cursor, alone or several at once, and
        # the rows of each are decoded once; named by the table they read.
        seen.append(f"read {select.sql.split(' FROM ', 1)[1].split()[0]}")
        return decode(select, fetched)

    monkeypatch.setattr(Select, "decoded", counted_read)
    event.listen(engine, "before_cursor_execute", record)
    yield seen
    event.remove(engine, "before_cursor_execute", record)


class TestClaimSummaries:
    def test_claimant_role_event_and_sources_in_brief(
        self, seeded: Session, client: TestClient
    ) -> None:
        claim = read(client, f"/claims/{QUOTE}")
        netanyahu = read(client, "/participants/benjamin-netanyahu")
        israel = read(client, "/participants/israel")
        assert claim["claimant_id"] == netanyahu["id"]
        assert claim["claimant"] == brief(netanyahu)
        assert claim["resolved_role"] == {
            "id": claim["claimant_role_id"],
            "title": "Prime Minister",
            "organization": brief(israel),
        }
        assert claim["event"] == brief(read(client, f"/events/{MEETING}"))
        assert [a["source"] for a in claim["appearances"]] == [
            brief(read(client, f"/sources/{ARTICLE}"))
        ]

    def test_unattributed_claim_has_null_summaries(self, client: TestClient) -> None:
        claim = make_claim(client)
        assert (claim["claimant"], claim["resolved_role"], claim["event"]) == (None, None, None)

    def test_explicit_role_is_not_a_resolved_one(self, client: TestClient) -> None:
        person = make_participant(client)
        claim = make_claim(client, claimant_id=person["slug"], claimant_role="Spokesman")
        assert claim["claimant"] == brief(person)
        assert (claim["claimant_role"], claim["resolved_role"]) == ("Spokesman", None)

    def test_lists_carry_the_same_summaries(self, seeded: Session, client: TestClient) -> None:
        listed = read(client, f"/events/{MEETING}/claims?limit=500")["items"]
        one = next(c for c in listed if c["slug"] == QUOTE)
        assert one == read(client, f"/claims/{QUOTE}")


class TestEventSummaries:
    def test_parent_and_related_events_in_brief(self, seeded: Session, client: TestClient) -> None:
        meeting = read(client, f"/events/{MEETING}")
        assert meeting["parent"] == brief(read(client, f"/events/{VISIT}"))
        assert meeting["parent_id"] == meeting["parent"]["id"]
        assert [r["event"] for r in meeting["relations"]] == [
            brief(read(client, f"/events/{r['event_id']}")) for r in meeting["relations"]
        ]
        assert len(meeting["relations"]) == 1

    def test_follows_a_renamed_parent(self, client: TestClient) -> None:
        parent = make_event(client)
        child = make_event(client, parent_id=parent["slug"])
        client.patch(f"{API}/events/{parent['id']}", json={"title": "Renamed"})
        assert read(client, f"/events/{child['id']}")["parent"]["title"] == "Renamed"


class TestRoleSummaries:
    def test_organization_and_source_in_brief(self, client: TestClient) -> None:
        person, israel, source = (
            make_participant(client),
            make_participant(client),
            make_source(client),
        )
        make_role(client, person["slug"], organization_id=israel["slug"], source_id=source["slug"])
        [role] = read(client, f"/participants/{person['slug']}/roles")["items"]
        assert (role["organization"], role["source"]) == (brief(israel), brief(source))

    def test_nulls_without_organization_or_source(self, client: TestClient) -> None:
        role = make_role(client, make_participant(client)["slug"])
        assert (role["organization"], role["source"]) == (None, None)


class TestNoQueryPerItem:
    @pytest.mark.parametrize(
        "path",
        [
            "/claims",
            "/events",
            f"/events/{MEETING}/claims",
            "/participants/benjamin-netanyahu/roles",
        ],
    )
    def test_a_page_takes_the_same_statements_whatever_its_size(
        self, seeded: Session, client: TestClient, statements: list[str], path: str
    ) -> None:
        # The rate limiter looks a key up once, then remembers it: not a cost of the page.
        client.get(f"{API}{path}", params={"limit": 1})
        counts = {}
        for limit in (1, 10, 500):
            statements.clear()
            response = client.get(f"{API}{path}", params={"limit": limit})
            assert response.status_code == 200
            counts[limit] = (len(statements), len(response.json()["items"]))
        assert len({size for _, size in counts.values()}) > 1, counts
        # A first page of one may name no other record, and so skip a lookup.
        assert counts[1][0] <= counts[10][0] == counts[500][0], counts

    def test_a_claim_page_reads_its_parts_in_five_statements(
        self, seeded: Session, client: TestClient, statements: list[str]
    ) -> None:
        statements.clear()
        assert len(client.get(f"{API}/claims", params={"limit": 10}).json()["items"]) == 10
        reads = sorted(s for s in statements if s.startswith("read "))
        # The claims with claimant, role and event joined; subjects; appearances with their
        # sources; relations each way.
        assert reads == [
            "read appearance",
            "read claim",
            "read claim_relation",
            "read claim_relation",
            "read claim_subject",
        ]


class TestAdditive:
    """The summaries are new keys beside the ids, which keep their JSON."""

    def test_claims_gain_three_keys(self, seeded: Session, client: TestClient) -> None:
        claim = read(client, f"/claims/{QUOTE}")
        before = {
            *("id", "created_at", "updated_at", "version", "created_by", "updated_by", "slug"),
            *("text", "claim_type", "claimant_id", "claimant_role", "claimant_role_id"),
            *("event_id", "stated", "status", "subjects", "appearances", "relations"),
            "incoming_relations",
        }
        assert set(claim) - before == {"claimant", "resolved_role", "event"}
        assert claim["claimant_role"] == "Prime Minister, Israel"
        assert claim["claimant_id"] == claim["claimant"]["id"]
        assert claim["claimant_role_id"] == claim["resolved_role"]["id"]
        assert claim["event_id"] == claim["event"]["id"]
        assert all(a["source_id"] == a["source"]["id"] for a in claim["appearances"])

    def test_events_gain_a_parent_and_relations_an_event(
        self, seeded: Session, client: TestClient
    ) -> None:
        meeting = read(client, f"/events/{MEETING}")
        assert meeting["parent_id"] == meeting["parent"]["id"]
        for relation in meeting["relations"]:
            assert set(relation) == {"relation", "event_id", "event"}
            assert relation["event_id"] == relation["event"]["id"]
