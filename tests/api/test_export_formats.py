"""Each export format on the seed: exact content of CSV, GeoJSON, iCalendar and JSON-LD."""

import json
from typing import Any

from fastapi.testclient import TestClient
from sqlmodel import Session

from seed.loader import seed_id
from tests.api.test_export import API, EVENTS, MEETING, csv_rows
from tests.factories import make_event, make_participant, make_source

# The seed's one event dated to a month: the article gives no day for the April election.
APRIL_ELECTION = "knesset-election-2019-04-09"
EVENT_HEADER = (
    "id,slug,title,summary,event_type,cameo_code,plover_type,"
    "start,start_precision,start_earliest,start_latest,end,end_precision,end_earliest,end_latest,"
    "status,status_as_of,certainty,location_name,location_admin1,location_country,"
    "location_lat,location_lon,location_precision,parent_id,relations,incoming_relations,"
    "identifiers,goldstein,quad_class,tone,num_mentions,num_sources,num_articles,fatalities,"
    "citations,provenance,provenance_basis,created_at,updated_at,version"
)
MEETING_SUMMARY = (
    "Israeli Prime Minister Benjamin Netanyahu met Russian President Vladimir Putin in Sochi. "
    "Netanyahu spoke of security coordination against Iranian attempts to attack Israel from "
    "Syria; Putin praised the relationship and said he had accepted an invitation to visit "
    "Israel in early 2020."
)


def event_id(slug: str) -> str:
    """The id of a seeded event."""
    return str(seed_id("events", slug))


def exported(client: TestClient, path: str, format_name: str, **params: str) -> str:
    """The text of a list exported in `format_name`."""
    response = client.get(path, params={"format": format_name} | params)
    assert response.status_code == 200, response.text
    text: str = response.text
    return text


def meeting_relations() -> str:
    """The meeting's relations as its CSV cell: `relation:event_id`, in stored order."""
    # The seed no longer links the meeting to the strikes in Syria: the article does not.
    return f"related_to:{event_id('iranian-attack-attempts-upsurge-2019-08')}"


class TestCsv:
    def test_header_and_the_meeting_row(self, seeded: Session, client: TestClient) -> None:
        text = exported(client, EVENTS, "csv")
        assert text.split("\r\n")[0] == EVENT_HEADER
        rows = {row["slug"]: row for row in csv_rows(text)}
        meeting = client.get(f"{EVENTS}/{MEETING}").json()
        assert rows[MEETING] == {
            "id": event_id(MEETING),
            "slug": MEETING,
            "title": "Netanyahu\u2013Putin meeting in Sochi",
            "summary": MEETING_SUMMARY,
            "event_type": "meeting",
            "cameo_code": "043",
            "plover_type": "CONSULT",
            "start": "2019-09-12",
            "start_precision": "day",
            "start_earliest": "2019-09-12",
            "start_latest": "2019-09-12",
            "end": "2019-09-12",
            "end_precision": "day",
            "end_earliest": "2019-09-12",
            "end_latest": "2019-09-12",
            "status": "occurred",
            "status_as_of": "2019-09-12",
            "certainty": "confirmed",
            "location_name": "Sochi",
            "location_admin1": "Krasnodar Krai",
            "location_country": "RU",
            "location_lat": "43.5855",
            "location_lon": "39.7231",
            "location_precision": "city",
            "parent_id": event_id("netanyahu-visit-sochi-2019-09-12"),
            "relations": meeting_relations(),
            # Added with the fields they export: none of them recorded for the meeting.
            "incoming_relations": "",
            "identifiers": "",
            "goldstein": "",
            "quad_class": "",
            "tone": "",
            "num_mentions": "",
            "num_sources": "",
            "num_articles": "",
            "fatalities": "",
            "citations": "",
            "provenance": "stated",
            "provenance_basis": "",
            "created_at": meeting["created_at"].replace("Z", "+00:00"),
            "updated_at": meeting["updated_at"].replace("Z", "+00:00"),
            # Its participant links, added after it, each made a version (history).
            "version": str(meeting["version"]),
        }

    def test_a_month_keeps_its_bounds(self, seeded: Session, client: TestClient) -> None:
        row = next(
            r for r in csv_rows(exported(client, EVENTS, "csv")) if r["slug"] == APRIL_ELECTION
        )
        assert (
            row["start"],
            row["start_precision"],
            row["start_earliest"],
            row["start_latest"],
        ) == (
            "2019-04",
            "month",
            "2019-04-01",
            "2019-04-30",
        )

    def test_rows_end_in_crlf_and_quote_what_needs_it(
        self, seeded: Session, client: TestClient
    ) -> None:
        text = exported(client, EVENTS, "csv", country="RU")
        assert text.count("\r\n") == 4
        assert "\n" not in text.replace("\r\n", "")
        assert f",{MEETING_SUMMARY}," in text
        visit = (
            "Israeli Prime Minister Benjamin Netanyahu flew to the Black Sea resort city of Sochi, "
            "Russia, where he met President Vladimir Putin and Defence Minister Sergei Shoigu."
        )
        assert f',"{visit}",' in text

    def test_formula_cells_are_prefixed_numbers_are_not(self, client: TestClient) -> None:
        make_participant(
            client,
            slug="formula",
            name='=HYPERLINK("https://example.org","x")',
            aliases=["+1", "@SUM(A1)"],
            description="-2+3",
        )
        row = csv_rows(exported(client, f"{API}/participants", "csv"))[-1]
        assert row["name"] == '\'=HYPERLINK("https://example.org","x")'
        assert row["aliases"] == "'+1|@SUM(A1)"
        assert row["description"] == "'-2+3"
        make_event(client, location={"name": "Madrid", "lat": 40.4, "lon": -3.7})
        located = csv_rows(exported(client, EVENTS, "csv"))[-1]
        assert (located["location_lat"], located["location_lon"]) == ("40.4", "-3.7")

    def test_identifiers_measures_citations_and_incoming_relations(
        self, client: TestClient
    ) -> None:
        source = make_source(client)
        cited = make_event(
            client,
            identifiers={"wikidata": "Q42", "gdelt": "864104301"},
            sources=[{"source": source["id"], "locator": "p. 2"}],
            goldstein=-2.5,
            fatalities=3,
        )
        make_event(client, relations=[{"relation": "follows", "event_id": cited["id"]}])
        follower = csv_rows(exported(client, EVENTS, "csv"))[-1]
        row = next(r for r in csv_rows(exported(client, EVENTS, "csv")) if r["id"] == cited["id"])
        assert {k: row[k] for k in ("incoming_relations", "identifiers", "citations")} == {
            "incoming_relations": f"follows:{follower['id']}",
            "identifiers": "gdelt:864104301|wikidata:Q42",
            "citations": source["id"],
        }
        assert (row["goldstein"], row["fatalities"], row["tone"]) == ("-2.5", "3", "")

    def test_participant_claim_and_source_headers(
        self, seeded: Session, client: TestClient
    ) -> None:
        first_lines = {
            kind: exported(client, f"{API}/{kind}", "csv").split("\r\n")[0]
            for kind in ("participants", "claims", "sources")
        }
        assert first_lines == {
            "participants": "id,slug,name,kind,aliases,country,description,identifiers,"
            "created_at,updated_at,version",
            "claims": "id,slug,text,claim_type,claimant_id,claimant_role,event_id,"
            "stated,stated_precision,stated_earliest,stated_latest,status,subjects,source_ids,"
            "relations,created_at,updated_at,version",
            "sources": "id,slug,kind,title,author,publisher,url,"
            "published,published_precision,published_earliest,published_latest,language,"
            "credits,sha256,created_at,updated_at,version",
        }
        netanyahu = csv_rows(exported(client, f"{API}/participants", "csv"))[0]
        assert (netanyahu["aliases"], netanyahu["identifiers"]) == ("Netanyahu", "wikidata:Q43723")


class TestGeoJson:
    def test_a_feature_collection_of_located_events(
        self, seeded: Session, client: TestClient
    ) -> None:
        response = client.get(EVENTS, params={"format": "geojson"})
        assert response.headers["content-type"] == "application/geo+json"
        collection = json.loads(response.text)
        assert collection["type"] == "FeatureCollection"
        # The seed's rivlin-invites-putin-to-israel has no location.
        assert len(collection["features"]) == 11
        feature = next(f for f in collection["features"] if f["id"] == event_id(MEETING))
        properties = feature.pop("properties")
        assert feature == {
            "type": "Feature",
            "id": event_id(MEETING),
            "geometry": {"type": "Point", "coordinates": [39.7231, 43.5855]},
        }
        assert "location_lat" not in properties
        assert "location_lon" not in properties
        assert {k: properties[k] for k in ("slug", "start", "start_earliest", "relations")} == {
            "slug": MEETING,
            "start": "2019-09-12",
            "start_earliest": "2019-09-12",
            "relations": meeting_relations().split("|"),
        }
        assert (properties["location_name"], properties["version"], properties["cameo_code"]) == (
            "Sochi",
            3,
            "043",
        )

    def test_only_events_offer_it(self, client: TestClient) -> None:
        response = client.get(f"{API}/claims", headers={"Accept": "application/geo+json"})
        assert response.status_code == 406


def vevent(calendar: str, slug: str) -> list[str]:
    """The unfolded lines of the VEVENT of `slug`."""
    lines = calendar.replace("\r\n ", "").split("\r\n")
    begin = lines.index(f"UID:{event_id(slug)}") - 1
    return lines[begin : lines.index("END:VEVENT", begin) + 1]


class TestICalendar:
    def test_a_day_is_an_all_day_event(self, seeded: Session, client: TestClient) -> None:
        calendar = exported(client, EVENTS, "ics")
        meeting = client.get(f"{EVENTS}/{MEETING}").json()
        stamp = meeting["updated_at"][:19].replace("-", "").replace(":", "") + "Z"
        assert vevent(calendar, MEETING) == [
            "BEGIN:VEVENT",
            f"UID:{event_id(MEETING)}",
            f"DTSTAMP:{stamp}",
            "DTSTART;VALUE=DATE:20190912",
            "DTEND;VALUE=DATE:20190913",
            "SUMMARY:Netanyahu\u2013Putin meeting in Sochi",
            "DESCRIPTION:" + MEETING_SUMMARY.replace(",", "\\,").replace(";", "\\;"),
            "LOCATION:Sochi\\, Krasnodar Krai\\, RU",
            "GEO:43.5855;39.7231",
            "STATUS:CONFIRMED",
            "CATEGORIES:meeting",
            f"URL:http://testserver{API}/events/{event_id(MEETING)}",
            f"CREATED:{meeting['created_at'][:19].replace('-', '').replace(':', '')}Z",
            f"LAST-MODIFIED:{stamp}",
            "SEQUENCE:2",
            f"X-GEOEVENTS-SLUG:{MEETING}",
            "X-GEOEVENTS-START:2019-09-12",
            "X-GEOEVENTS-PRECISION:day",
            "X-GEOEVENTS-END:2019-09-12",
            "X-GEOEVENTS-END-PRECISION:day",
            "END:VEVENT",
        ]

    def test_a_month_spans_the_month_and_says_so(self, seeded: Session, client: TestClient) -> None:
        lines = vevent(exported(client, EVENTS, "ics"), APRIL_ELECTION)
        assert lines[3:5] == ["DTSTART;VALUE=DATE:20190401", "DTEND;VALUE=DATE:20190501"]
        description = next(line for line in lines if line.startswith("DESCRIPTION:"))
        assert description.endswith(
            "\\n\\nDates as recorded: start: 2019-04 (month precision)\\; "
            "end: 2019-04 (month precision). This entry covers every day they can mean."
        )
        assert "X-GEOEVENTS-PRECISION:month" in lines

    def test_intervals_and_open_starts(self, seeded: Session, client: TestClient) -> None:
        calendar = exported(client, EVENTS, "ics")
        visit = vevent(calendar, "putin-visit-israel-2020")
        assert visit[3:5] == ["DTSTART;VALUE=DATE:20200101", "DTEND;VALUE=DATE:20200501"]
        assert "STATUS:TENTATIVE" in visit
        strikes = vevent(calendar, "israeli-strikes-in-syria")
        assert strikes[3:5] == ["DTSTART;VALUE=DATE:20190912", "DTEND;VALUE=DATE:20190913"]
        assert "X-GEOEVENTS-START:../2019-09-12" in strikes

    def test_calendar_envelope_and_folding(self, seeded: Session, client: TestClient) -> None:
        response = client.get(EVENTS, headers={"Accept": "text/calendar"})
        assert response.headers["content-type"] == "text/calendar; charset=utf-8"
        text = response.text
        assert text.startswith(
            "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//geoevents//geoevents export//EN\r\n"
        )
        assert text.endswith("END:VCALENDAR\r\n")
        assert text.count("BEGIN:VEVENT") == 12
        assert max(len(line.encode()) for line in text.split("\r\n")) <= 75

    def test_undated_events_are_left_out(self, client: TestClient) -> None:
        make_event(client, slug="undated-thing", start=None)
        assert "X-GEOEVENTS-SLUG:undated-thing" not in exported(client, EVENTS, "ics")


def items(client: TestClient, path: str) -> list[dict[str, Any]]:
    """The things of a JSON-LD export, checking the ItemList around them."""
    document = json.loads(exported(client, path, "jsonld"))
    assert (document["@context"], document["@type"]) == ("https://schema.org", "ItemList")
    elements = document["itemListElement"]
    assert [e["position"] for e in elements] == list(range(1, len(elements) + 1))
    return [e["item"] for e in elements]


class TestJsonLd:
    def test_events(self, seeded: Session, client: TestClient) -> None:
        things = {t["identifier"][0]: t for t in items(client, EVENTS)}
        meeting = things[MEETING]
        assert meeting["@type"] == "Event"
        assert meeting["@id"] == f"http://testserver{API}/events/{event_id(MEETING)}"
        assert (meeting["startDate"], meeting["endDate"]) == ("2019-09-12", "2019-09-12")
        assert meeting["eventStatus"] == "https://schema.org/EventScheduled"
        assert meeting["location"] == {
            "@type": "Place",
            "name": "Sochi",
            "geo": {"@type": "GeoCoordinates", "latitude": 43.5855, "longitude": 39.7231},
            "address": {
                "@type": "PostalAddress",
                "addressRegion": "Krasnodar Krai",
                "addressCountry": "RU",
            },
        }
        assert meeting["superEvent"] == {
            "@id": f"http://testserver{API}/events/{event_id('netanyahu-visit-sochi-2019-09-12')}"
        }
        # A date ISO 8601 cannot state is given only as recorded.
        strikes = things["israeli-strikes-in-syria"]
        assert "startDate" not in strikes
        assert strikes["additionalProperty"] == [
            {
                "@type": "PropertyValue",
                "propertyID": "start",
                "value": "../2019-09-12",
                "description": "EDTF, day precision",
            }
        ]

    def test_event_identifiers_and_cited_sources(self, client: TestClient) -> None:
        source = make_source(client)
        made = make_event(
            client, identifiers={"gdelt": "864104301"}, sources=[{"source": source["id"]}]
        )
        (thing,) = items(client, EVENTS)
        assert thing["identifier"] == [
            made["slug"],
            {"@type": "PropertyValue", "propertyID": "gdelt", "value": "864104301"},
        ]
        assert thing["subjectOf"] == [{"@id": f"http://testserver{API}/sources/{source['id']}"}]

    def test_participant_types(self, seeded: Session, client: TestClient) -> None:
        things = {t["identifier"][0]: t for t in items(client, f"{API}/participants")}
        assert {slug: t["@type"] for slug, t in things.items()} == {
            "benjamin-netanyahu": "Person",
            "vladimir-putin": "Person",
            "sergei-shoigu": "Person",
            "reuven-rivlin": "Person",
            "benny-gantz": "Person",
            "bashar-al-assad": "Person",
            "israel": "Country",
            "russia": "Country",
            "iran": "Country",
            "syria": "Country",
            "israel-defense-forces": "Organization",
            "hezbollah": "Organization",
            "likud": "PoliticalParty",
            "blue-and-white": "PoliticalParty",
            "knesset": "GovernmentOrganization",
        }
        assert things["benjamin-netanyahu"]["sameAs"] == ["http://www.wikidata.org/entity/Q43723"]
        assert things["benjamin-netanyahu"]["nationality"] == {
            "@type": "Country",
            "identifier": "IL",
        }

    def test_claims_and_sources(self, seeded: Session, client: TestClient) -> None:
        claim = items(client, f"{EVENTS}/{MEETING}/claims")[0]
        assert claim["@type"] == "Claim"
        assert claim["recordedAt"] == {"@id": f"http://testserver{API}/events/{event_id(MEETING)}"}
        source_id = seed_id("sources", "breen-portnoy-netanyahu-putin-sochi-2019-09-12")
        assert claim["appearance"] == [{"@id": f"http://testserver{API}/sources/{source_id}"}]
        # The seed's article, and the reference pages its roles cite (added to the seed).
        sources = {s["identifier"]: s for s in items(client, f"{API}/sources")}
        assert len(sources) == 7
        article = sources["breen-portnoy-netanyahu-putin-sochi-2019-09-12"]
        assert (article["@type"], article["datePublished"]) == ("NewsArticle", "2019-09-12")
        reference = sources["wikipedia-benjamin-netanyahu"]
        assert (reference["@type"], reference["url"]) == (
            "CreativeWork",
            "https://en.wikipedia.org/wiki/Benjamin_Netanyahu",
        )
