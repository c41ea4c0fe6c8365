"""JSON-LD (schema.org): one `ItemList` whose elements are the records, written one by one.

Events are `Event`s, participants `Person`, `Country` or an `Organization` type, claims
`Claim`s and sources `NewsArticle`s or other `CreativeWork`s. Each has an `@id` (its URL in
this API) and its slug as `identifier`. A date goes in `startDate`/`endDate`/`datePublished`
only as ISO 8601 allows it (`2019`, `2019-08`, `2019-08-12`); every date is also given as
recorded (EDTF, with its precision) in `additionalProperty`.
"""

import re
from collections.abc import Callable, Iterable, Iterator
from typing import Any

from app.dates import DateValue
from app.formats.json_text import json_sequence
from app.formats.registry import ExportContext, Kind, Writer, register

SCHEMA = "https://schema.org/"
_ISO_DATE = re.compile(r"^[0-9]{4}(-[0-9]{2}(-[0-9]{2})?)?$")
EVENT_STATUS = {"postponed": "EventPostponed", "cancelled": "EventCancelled"}
PARTICIPANT_TYPE = {
    "person": "Person",
    "state": "Country",
    "government": "GovernmentOrganization",
    "legislature": "GovernmentOrganization",
    "political_party": "PoliticalParty",
    "media_outlet": "NewsMediaOrganization",
    "other": "Thing",
}
SOURCE_TYPE = {
    "news_article": "NewsArticle",
    "report": "Report",
    "social_post": "SocialMediaPosting",
}
# Wikidata's concept URIs are http, as Wikidata itself states them.
_SAME_AS = {"wikidata": "http://www.wikidata.org/entity/{}", "viaf": "https://viaf.org/viaf/{}"}


def compact(data: dict[str, Any]) -> dict[str, Any]:
    """`data` without its empty values (None, empty lists and dicts)."""
    return {k: v for k, v in data.items() if v is not None and v != [] and v != {}}


def iso(value: DateValue | None) -> str | None:
    """A date as ISO 8601 text if it is a plain year, month or day; else None."""
    return value.edtf if value is not None and _ISO_DATE.match(value.edtf) else None


def recorded(name: str, value: DateValue | None) -> dict[str, Any] | None:
    """A date as recorded (EDTF) with its precision, as a PropertyValue."""
    if value is None:
        return None
    return {
        "@type": "PropertyValue",
        "propertyID": name,
        "value": value.edtf,
        "description": f"EDTF, {value.precision} precision",
    }


def node(kind: str, record_id: Any, context: ExportContext) -> dict[str, str]:
    """A reference to another record of this API by its `@id`."""
    return {"@id": f"{context.api_url}/{kind}/{record_id}"}


def place(location: Any) -> dict[str, Any] | None:
    """An event's location as a Place."""
    if location is None:
        return None
    geo = None
    if location.lat is not None and location.lon is not None:
        geo = {"@type": "GeoCoordinates", "latitude": location.lat, "longitude": location.lon}
    address = compact(
        {
            "@type": "PostalAddress",
            "addressRegion": location.admin1,
            "addressCountry": location.country,
        }
    )
    return compact({"@type": "Place", "name": location.name, "geo": geo, "address": address})


def event(record: Any, context: ExportContext) -> dict[str, Any]:
    """An event as a schema.org Event."""
    dates = [recorded("start", record.start), recorded("end", record.end)]
    return compact(
        {
            **node("events", record.id, context),
            "@type": "Event",
            "identifier": [
                record.slug,
                *(_identifier(s, v) for s, v in sorted(record.identifiers.items())),
            ],
            "name": record.title,
            "description": record.summary,
            "startDate": iso(record.start),
            "endDate": iso(record.end),
            "eventStatus": SCHEMA + EVENT_STATUS.get(record.status, "EventScheduled"),
            "location": place(record.location),
            "superEvent": node("events", record.parent_id, context) if record.parent_id else None,
            "keywords": [
                k
                for k in (str(record.event_type.value), record.plover_type, record.cameo_code)
                if k
            ],
            "additionalProperty": [d for d in dates if d is not None],
            "subjectOf": [node("sources", c.source_id, context) for c in record.citations],
        }
    )


def participant(record: Any, context: ExportContext) -> dict[str, Any]:
    """A participant as a Person, Country or Organization."""
    kind = PARTICIPANT_TYPE.get(record.kind, "Organization")
    schemes = sorted(record.identifiers.items())
    identifiers: list[Any] = [record.slug, *(_identifier(s, v) for s, v in schemes)]
    country = None
    if record.country and kind == "Country":
        identifiers.append(_identifier("iso3166-1", record.country))
    elif record.country and kind != "Thing":
        # A person's nationality; where an organisation is.
        country = {"nationality" if kind == "Person" else "location": _country(record.country)}
    return compact(
        {
            **node("participants", record.id, context),
            "@type": kind,
            "identifier": identifiers,
            "name": record.name,
            "alternateName": record.aliases,
            "description": record.description,
            "sameAs": [_SAME_AS[s].format(v) for s, v in schemes if s in _SAME_AS],
            **(country or {}),
        }
    )


def _identifier(scheme: str, value: str) -> dict[str, str]:
    return {"@type": "PropertyValue", "propertyID": scheme, "value": value}


def _country(code: str) -> dict[str, str]:
    return {"@type": "Country", "identifier": code}


def claim(record: Any, context: ExportContext) -> dict[str, Any]:
    """A claim as a schema.org Claim."""
    sources = [node("sources", a.source_id, context) for a in record.appearances]
    subjects = [node(f"{s.type}s", s.id, context) for s in record.subjects]
    return compact(
        {
            **node("claims", record.id, context),
            "@type": "Claim",
            "identifier": record.slug,
            "text": record.text,
            "genre": str(record.claim_type.value),
            "author": node("participants", record.claimant_id, context)
            if record.claimant_id
            else None,
            "dateCreated": iso(record.stated),
            "creativeWorkStatus": str(record.status.value),
            "about": subjects,
            "appearance": sources,
            "firstAppearance": sources[0] if sources else None,
            "recordedAt": node("events", record.event_id, context) if record.event_id else None,
            "additionalProperty": [p for p in [recorded("stated", record.stated)] if p],
        }
    )


def source(record: Any, context: ExportContext) -> dict[str, Any]:
    """A source as a NewsArticle or another CreativeWork."""
    return compact(
        {
            **node("sources", record.id, context),
            "@type": SOURCE_TYPE.get(record.kind, "CreativeWork"),
            "identifier": record.slug,
            "headline": record.title,
            "name": record.title,
            "author": record.author,
            "publisher": {"@type": "Organization", "name": record.publisher}
            if record.publisher
            else None,
            "url": record.url,
            "datePublished": iso(record.published),
            "inLanguage": record.language,
            "creditText": record.credits,
            "additionalProperty": [p for p in [recorded("published", record.published)] if p],
        }
    )


THINGS: dict[Kind, Callable[[Any, ExportContext], dict[str, Any]]] = {
    "event": event,
    "participant": participant,
    "claim": claim,
    "source": source,
}
_HEAD = '{"@context":"https://schema.org","@type":"ItemList","itemListElement":[\n'


def _render(records: Iterable[Any], context: ExportContext) -> Iterator[str]:
    thing = THINGS[context.kind]
    items = (
        {"@type": "ListItem", "position": n, "item": thing(record, context)}
        for n, record in enumerate(records, start=1)
    )
    return json_sequence(_HEAD, items, "\n]}\n")


JSONLD = register(
    Writer(
        name="jsonld",
        media_type="application/ld+json",
        extension="jsonld",
        renders=dict.fromkeys(THINGS, _render),
        description="A schema.org ItemList of Event, Person/Organization/Country, Claim or "
        "CreativeWork/NewsArticle items, in the list's order.",
    )
)
