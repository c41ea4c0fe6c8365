"""GET by id answers the pydantic path's bytes, validators, 304s and problems, on both engines."""

import uuid
from collections.abc import Callable
from typing import Any

import pytest
from fastapi.testclient import TestClient
from httpx import Response
from sqlmodel import Session

from app.errors import AppError
from app.schemas.claims import ClaimPublic
from app.schemas.events import EventPublic, EventRead
from app.schemas.participants import ParticipantPublic
from app.schemas.sources import SourcePublic
from app.services import claims, event_queries, events, participants, sources
from tests.factories import (
    make_appearance,
    make_claim,
    make_event,
    make_event_participant,
    make_participant,
    make_role,
    make_source,
)
from tests.read.reference import reference

API = "/api/v1"
Service = Callable[[Session, str], Any]


def _expanded(session: Session, ref: str) -> Any:
    return event_queries.read_event(session, ref, EventRead(expand="participants"))


def _fully_expanded(session: Session, ref: str) -> Any:
    return event_queries.read_event(session, ref, EventRead(expand="participants,claims,sources"))


# Path, query, response model and the pydantic path of each GET by id served as bytes.
ROUTES: dict[str, tuple[str, str, Any, Service]] = {
    "event": ("events", "", EventPublic, events.read_event),
    "expanded event": ("events", "?expand=participants", EventPublic, _expanded),
    "fully expanded event": (
        "events",
        "?expand=sources,participants,claims",
        EventPublic,
        _fully_expanded,
    ),
    "participant": ("participants", "", ParticipantPublic, participants.read_participant),
    "claim": ("claims", "", ClaimPublic, claims.read_claim),
    "source": ("sources", "", SourcePublic, sources.read_source),
}


def _rich(client: TestClient) -> dict[str, dict[str, Any]]:
    """One record of each kind with every optional field set, unicode and coarse dates."""
    source = make_source(
        client,
        title="Нетаньяху и Путин — «встреча» in Sochi 🇷🇺",
        author="Ж. Автор",
        publisher="Éditions ñ",
        url="https://example.org/a?b=1&c=<2>",
        citation='p. 3 "quoted" \\ back',
        published="2019-XX",
        credits="Photo: © someone",
    )
    person = make_participant(
        client,
        name="Владимир Путин",
        aliases=["V. Putin", "Путин", "Poutine"],
        country="RUS",
        description="Line one\nline two\ttabbed \u2028 separator",
        identifiers={"wikidata": "Q7747", "cameo": "RUSGOV"},
    )
    state = make_participant(client, name="Israel", kind="state", country="IL")
    make_role(client, person["slug"], organization_id=state["slug"], start="2012-05")
    other = make_event(client, title="Earlier talks", start="../2019-08")
    event = make_event(
        client,
        title="Встреча в Сочи: «talks» 会谈",
        summary='A summary with "quotes", <tags> & emoji 🙂.',
        cameo_code="042",
        plover_type="CONSULT",
        start="2019-09-12",
        end="2019-09/..",
        status="occurred",
        status_as_of="2019-XX",
        certainty="alleged",
        location={
            "name": "Сочи",
            "admin1": "Krasnodar Krai",
            "country": "RU",
            "lat": 43.5855,
            "lon": 39.7231,
            "precision": "city",
        },
        parent_id=other["slug"],
        relations=[{"relation": "follows", "event_id": other["slug"]}],
        identifiers={"gdelt": "864104301", "wikidata": "Q1"},
        sources=[{"source": source["slug"], "locator": "§ 2", "note": "ñote"}],
        goldstein=-2.5,
        quad_class=1,
        tone=-3.0000000000000004,
        num_mentions=0,
        num_sources=12,
        num_articles=2147483647,
        fatalities=3,
        provenance="assessment",
        provenance_basis="Inferred from «the» report",
    )
    caused = [{"relation": "caused_by", "event_id": event["id"]}]
    assert client.patch(f"{API}/events/{other['id']}", json={"relations": caused}).is_success
    assert client.patch(f"{API}/events/{event['id']}", json={"status": "ongoing"}).is_success
    make_event_participant(client, event["id"], person["id"], note="Hôte ✓")
    make_event_participant(client, event["id"], state["id"], role="visitor")
    claim = make_claim(
        client,
        text="«Путин» would visit — soon.",
        claimant_id=person["slug"],
        event_id=event["slug"],
        stated="2019-09-12",
        status="disputed",
        subjects=[
            {"type": "event", "id": other["slug"]},
            {"type": "participant", "id": state["slug"]},
            {"type": "participant", "id": person["slug"]},
        ],
    )
    make_claim(client, relations=[{"relation": "supports", "claim_id": claim["slug"]}])
    quote = "Netanyahu"
    make_appearance(client, claim["slug"], source_id=source["slug"], quote=quote, confidence=0.25)
    bare = make_event(client, title="Bare", start=None, status="planned")
    return {
        "event": event,
        "expanded event": event,
        "fully expanded event": event,
        "participant": person,
        "claim": claim,
        "source": source,
        "bare": bare,
    }


def _assert_rich(route: str, body: dict[str, Any]) -> None:
    # Every optional part is present, so that the comparison covers it.
    if route.endswith("event"):
        assert len(body["status_history"]) == 2
        assert len(body["incoming_relations"]) == len(body["relations"]) == 1
        assert body["parent"] is not None
        assert body["location"] is not None
        assert len(body.get("participants", [None, None])) == 2
    if route == "fully expanded event":
        assert len(body["claims"]) == 1
        assert len(body["sources"]) == 1
    if route == "claim":
        assert len(body["subjects"]) == 3
        assert len(body["appearances"]) == 1
        assert body["resolved_role"]["organization"] is not None
        assert len(body["incoming_relations"]) == 1


def _check(client: TestClient, session: Session, route: str, ref: str) -> Response:
    path, query, model, service = ROUTES[route]
    response: Response = client.get(f"{API}/{path}/{ref}{query}")
    assert response.status_code == 200, response.text
    assert response.content == reference(model, service(session, ref))
    assert response.headers["content-type"] == "application/json"
    return response


@pytest.mark.parametrize("route", sorted(ROUTES))
class TestRichRecords:
    def test_bytes_are_the_models(self, client: TestClient, session: Session, route: str) -> None:
        record = _rich(client)[route]
        for ref in (record["id"], record["slug"]):
            response = _check(client, session, route, ref)
        _assert_rich(route, response.json())
        if route.endswith("expanded event"):
            assert "etag" not in response.headers
            return
        assert response.headers["etag"] == f'"{record["id"]}.{response.json()["version"]}"'
        assert response.headers["last-modified"].endswith(" GMT")
        again = client.get(
            f"{API}/{ROUTES[route][0]}/{record['slug']}",
            headers={"If-None-Match": response.headers["etag"]},
        )
        assert (again.status_code, again.content) == (304, b"")
        assert again.headers["etag"] == response.headers["etag"]
        assert again.headers["last-modified"] == response.headers["last-modified"]

    def test_absent_records_answer_the_same_problems(
        self, client: TestClient, session: Session, route: str
    ) -> None:
        path, query, _, service = ROUTES[route]
        for ref in ("no-such-record", str(uuid.uuid4()), "0" * 31):
            _same_problem(client, session, f"{API}/{path}/{ref}{query}", service, ref)


def _same_problem(
    client: TestClient, session: Session, url: str, service: Service, ref: str
) -> Response:
    response: Response = client.get(url, follow_redirects=False)
    with pytest.raises(AppError) as raised:
        service(session, ref)
    assert response.status_code == raised.value.status
    assert response.headers["content-type"] == "application/problem+json"
    assert response.json()["detail"] == raised.value.detail
    assert response.json()["instance"] == url.split("?")[0]
    return response


class TestBareAndGone:
    def test_an_event_without_optional_fields(self, client: TestClient, session: Session) -> None:
        bare = _rich(client)["bare"]
        for route in ("event", "expanded event", "fully expanded event"):
            body = _check(client, session, route, bare["slug"]).json()
            assert (body["location"], body["start"], body["parent"]) == (None, None, None)

    @pytest.mark.parametrize("route", sorted(ROUTES))
    def test_deleted_records_answer_410(
        self, client: TestClient, session: Session, route: str
    ) -> None:
        path, query, _, service = ROUTES[route]
        record = make_source(client) if path == "sources" else _plain(client, path)
        assert client.delete(f"{API}/{path}/{record['slug']}").status_code == 204
        for ref in (record["id"], record["slug"]):
            gone = _same_problem(client, session, f"{API}/{path}/{ref}{query}", service, ref)
            assert gone.status_code == 410

    def test_a_merged_participant_answers_308(self, client: TestClient, session: Session) -> None:
        keep, dup = make_participant(client), make_participant(client)
        merged = client.post(f"{API}/participants/{dup['slug']}/merge", json={"into": keep["id"]})
        assert merged.status_code == 200, merged.text
        for ref in (dup["id"], dup["slug"]):
            url = f"{API}/participants/{ref}"
            moved = _same_problem(client, session, url, participants.read_participant, ref)
            assert moved.status_code == 308
            assert moved.headers["location"] == f"{API}/participants/{keep['id']}"


def _plain(client: TestClient, path: str) -> dict[str, Any]:
    makers = {"events": make_event, "participants": make_participant, "claims": make_claim}
    return makers[path](client)
