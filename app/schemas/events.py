"""Request and response models of events and their participants."""

import datetime as dt
import uuid
from typing import Literal

from pydantic import AwareDatetime, Field, StrictFloat, model_validator

from app.models import (
    MAX_COUNT,
    Certainty,
    EventRelationType,
    EventStatus,
    EventType,
    LocationPrecision,
    ParticipantRole,
)
from app.schemas.claims import ClaimPublic
from app.schemas.common import (
    MATCH_DESCRIPTION,
    CountryCode,
    DateValue,
    EDTFString,
    EventIdentifierRef,
    EventIdentifiers,
    InputModel,
    ListQuery,
    OptionalSlug,
    PublicModel,
    RecordMeta,
    Reference,
    Slug,
    Timestamp,
)
from app.schemas.provenance import ProvenanceIn, ProvenancePublic
from app.schemas.sources import SourcePublic
from app.schemas.summaries import EventSummary, ParticipantSummary

_CAMEO = r"^[0-9]{2,4}$"


def _absent(value: object) -> bool:
    # Optional parts (matches, expansions) are left out of the JSON unless asked for.
    return value is None


class LocationIn(InputModel):
    """Where an event took place."""

    name: str | None = Field(default=None, max_length=300, description="Place name, e.g. Sochi.")
    admin1: str | None = Field(
        default=None, max_length=300, description="First-level subdivision, e.g. Krasnodar Krai."
    )
    country: CountryCode | None = None
    lat: StrictFloat | None = Field(default=None, ge=-90, le=90, description="Latitude (WGS 84).")
    lon: StrictFloat | None = Field(
        default=None, ge=-180, le=180, description="Longitude (WGS 84)."
    )
    precision: LocationPrecision | None = Field(
        default=None, description="How precise the coordinates are: exact, city, region, country."
    )

    @model_validator(mode="after")
    def _both_coordinates(self) -> "LocationIn":
        """A point needs both coordinates: `lat` alone would be stored as no point at all."""
        if (self.lat is None) != (self.lon is None):
            raise ValueError("lat and lon must be given together")
        return self


class LocationPublic(PublicModel):
    """Where an event took place."""

    name: str | None = Field(description="Place name.")
    admin1: str | None = Field(description="First-level subdivision.")
    country: str | None = Field(description="ISO 3166-1 alpha-2 country code.")
    lat: float | None = Field(description="Latitude (WGS 84).")
    lon: float | None = Field(description="Longitude (WGS 84).")
    precision: LocationPrecision | None = Field(description="Precision of the coordinates.")


class RelationIn(InputModel):
    """A typed link to another event."""

    relation: EventRelationType = Field(description="How this event relates to the other.")
    event_id: Reference = Field(description="The other event's id or slug.")


class RelationPublic(PublicModel):
    """A typed link to another event."""

    relation: EventRelationType = Field(description="How this event relates to the other.")
    event_id: uuid.UUID = Field(description="The other event's id.")
    event: EventSummary = Field(description="The other event, in brief.")


class CitationIn(InputModel):
    """A source the event cites directly: no quote needed."""

    source: Reference = Field(description="The cited source's id or slug.")
    locator: str | None = Field(
        default=None,
        max_length=500,
        description="Where in the source: a page, paragraph or timestamp.",
    )
    note: str | None = Field(default=None, max_length=1000, description="Free-text remark.")


class CitationPublic(PublicModel):
    """A source the event cites directly."""

    source_id: uuid.UUID = Field(description="The cited source.")
    locator: str | None = Field(description="Where in the source: a page, paragraph, timestamp.")
    note: str | None = Field(description="Free-text remark.")


_MEASURE_TEXT = {
    "goldstein": "Goldstein scale of the event's likely impact on stability, -10 to 10.",
    "quad_class": "CAMEO quad class: 1 verbal cooperation, 2 material cooperation, "
    "3 verbal conflict, 4 material conflict.",
    "tone": "Average tone of the reports, -100 (negative) to 100 (positive).",
    "num_mentions": "How many times the event was mentioned in reports.",
    "num_sources": "How many information sources reported it.",
    "num_articles": "How many articles reported it.",
    "fatalities": "Reported deaths.",
}


class MeasuresIn(InputModel):
    """The typed measures of an event, as GDELT and ACLED give them."""

    goldstein: float | None = Field(
        default=None, ge=-10, le=10, description=_MEASURE_TEXT["goldstein"]
    )
    quad_class: int | None = Field(
        default=None, ge=1, le=4, description=_MEASURE_TEXT["quad_class"]
    )
    tone: float | None = Field(default=None, ge=-100, le=100, description=_MEASURE_TEXT["tone"])
    num_mentions: int | None = Field(
        default=None, ge=0, le=MAX_COUNT, description=_MEASURE_TEXT["num_mentions"]
    )
    num_sources: int | None = Field(
        default=None, ge=0, le=MAX_COUNT, description=_MEASURE_TEXT["num_sources"]
    )
    num_articles: int | None = Field(
        default=None, ge=0, le=MAX_COUNT, description=_MEASURE_TEXT["num_articles"]
    )
    fatalities: int | None = Field(
        default=None, ge=0, le=MAX_COUNT, description=_MEASURE_TEXT["fatalities"]
    )


class StatusChangePublic(PublicModel):
    """One entry of an event's status history."""

    status: EventStatus = Field(description="The status the event had from then on.")
    as_of: DateValue | None = Field(description="The date the status was reported for.")
    recorded_at: dt.datetime = Field(description="When the change was recorded here (UTC).")


class StatusOnPublic(PublicModel):
    """The status an event had on the date `status_on` asked about."""

    date: str = Field(description="The date asked about, as sent.")
    status: EventStatus | None = Field(description="The status in force then; null if unknown.")
    as_of: DateValue | None = Field(description="The date that status was reported for.")


class EventFields(MeasuresIn, ProvenanceIn):
    """Fields an event is created with; all but title, type and status are optional."""

    title: str = Field(min_length=1, max_length=500, description="Short headline of the event.")
    summary: str | None = Field(default=None, max_length=20000, description="What happened.")
    event_type: EventType = Field(description="Kind of event.")
    cameo_code: str | None = Field(
        default=None, pattern=_CAMEO, description="CAMEO event code, e.g. `042`.", examples=["036"]
    )
    plover_type: str | None = Field(
        default=None,
        max_length=32,
        pattern=r"^[A-Z_]+$",
        description="PLOVER event type, e.g. `CONSULT`.",
    )
    start: EDTFString | None = Field(default=None, description="When it began, as EDTF.")
    end: EDTFString | None = Field(default=None, description="When it ended, as EDTF.")
    status: EventStatus = Field(description="Where the event stands.")
    status_as_of: EDTFString | None = Field(
        default=None, description="The date the status was reported for, as EDTF."
    )
    certainty: Certainty = Field(
        default=Certainty.confirmed, description="How sure the record is that it happened."
    )
    location: LocationIn | None = Field(default=None, description="Where it happened.")
    parent_id: Reference | None = Field(
        default=None, description="The larger event this is part of (id or slug)."
    )
    relations: list[RelationIn] = Field(
        default_factory=list, max_length=100, description="Typed links to other events."
    )
    identifiers: EventIdentifiers = Field(default_factory=dict)
    sources: list[CitationIn] = Field(
        default_factory=list, max_length=100, description="Sources the event cites directly."
    )


class EventCreate(EventFields):
    """Body of POST /events."""

    slug: OptionalSlug = None


class EventUpdate(MeasuresIn, ProvenanceIn):
    """Body of PATCH /events/{id}: only the fields sent change; `location` and `relations` are
    replaced whole."""

    slug: Slug | None = None
    title: str | None = Field(default=None, min_length=1, max_length=500)
    summary: str | None = Field(default=None, max_length=20000)
    event_type: EventType | None = None
    cameo_code: str | None = Field(default=None, pattern=_CAMEO)
    plover_type: str | None = Field(default=None, max_length=32, pattern=r"^[A-Z_]+$")
    start: EDTFString | None = None
    end: EDTFString | None = None
    status: EventStatus | None = None
    status_as_of: EDTFString | None = None
    certainty: Certainty | None = None
    location: LocationIn | None = None
    parent_id: Reference | None = None
    relations: list[RelationIn] | None = Field(default=None, max_length=100)
    identifiers: EventIdentifiers | None = None
    sources: list[CitationIn] | None = Field(default=None, max_length=100)


class EventPublic(ProvenancePublic, RecordMeta):
    """An event as the API returns it."""

    slug: str = Field(description="Unique human-readable id.")
    title: str = Field(description="Short headline of the event.")
    summary: str | None = Field(description="What happened.")
    event_type: EventType = Field(description="Kind of event.")
    cameo_code: str | None = Field(description="CAMEO event code.")
    plover_type: str | None = Field(description="PLOVER event type.")
    start: DateValue | None = Field(description="When it began, with its precision.")
    end: DateValue | None = Field(description="When it ended, with its precision.")
    status: EventStatus = Field(description="Where the event stands.")
    status_as_of: DateValue | None = Field(description="The date the status was reported for.")
    status_history: list[StatusChangePublic] = Field(description="Every status, oldest first.")
    certainty: Certainty = Field(description="How sure the record is that it happened.")
    location: LocationPublic | None = Field(description="Where it happened.")
    parent_id: uuid.UUID | None = Field(description="The larger event this is part of.")
    parent: EventSummary | None = Field(description="The larger event, in brief; null if none.")
    relations: list[RelationPublic] = Field(description="Typed links to other events.")
    incoming_relations: list[RelationPublic] = Field(
        default_factory=list,
        description="Typed links other events declare to this one; `event_id` names the event "
        "declaring it (it `follows`, is `caused_by`... this one).",
    )
    identifiers: dict[str, str] = Field(description="External identifiers by scheme.")
    goldstein: float | None = Field(description=_MEASURE_TEXT["goldstein"])
    quad_class: int | None = Field(description=_MEASURE_TEXT["quad_class"])
    tone: float | None = Field(description=_MEASURE_TEXT["tone"])
    num_mentions: int | None = Field(description=_MEASURE_TEXT["num_mentions"])
    num_sources: int | None = Field(description=_MEASURE_TEXT["num_sources"])
    num_articles: int | None = Field(description=_MEASURE_TEXT["num_articles"])
    fatalities: int | None = Field(description=_MEASURE_TEXT["fatalities"])
    citations: list[CitationPublic] = Field(
        description="Sources the event cites directly (sent as `sources`)."
    )
    match: str | None = Field(
        default=None,
        exclude_if=_absent,
        description=MATCH_DESCRIPTION,
    )
    status_on: StatusOnPublic | None = Field(
        default=None,
        exclude_if=_absent,
        description="With `status_on`: the status the event had on that date.",
    )
    participants: list["EventParticipantPublic"] | None = Field(
        default=None,
        exclude_if=_absent,
        description="With `expand=participants`: its participants and roles.",
    )
    claims: list[ClaimPublic] | None = Field(
        default=None,
        exclude_if=_absent,
        description="With `expand=claims`: claims made at it or about it.",
    )
    sources: list[SourcePublic] | None = Field(
        default=None,
        exclude_if=_absent,
        description="With `expand=sources`: the sources it cites and those its claims appear in.",
    )


EventSort = Literal[
    "recorded",
    "-recorded",
    "start",
    "-start",
    "title",
    "-title",
    "updated_at",
    "-updated_at",
    "relevance",
]
EventGroup = Literal["month", "year", "event_type", "country", "status"]
EventExpansion = Literal["participants", "claims", "sources"]


class MeasureFilters(InputModel):
    """Ranges of the typed measures; bounds are inclusive, an event without the measure fails."""

    goldstein_min: float | None = Field(default=None, ge=-10, le=10, description="Goldstein >=.")
    goldstein_max: float | None = Field(default=None, ge=-10, le=10, description="Goldstein <=.")
    quad_class_min: int | None = Field(default=None, ge=1, le=4, description="Quad class >=.")
    quad_class_max: int | None = Field(default=None, ge=1, le=4, description="Quad class <=.")
    tone_min: float | None = Field(default=None, ge=-100, le=100, description="Average tone >=.")
    tone_max: float | None = Field(default=None, ge=-100, le=100, description="Average tone <=.")
    num_mentions_min: int | None = Field(
        default=None, ge=0, le=MAX_COUNT, description="Mentions >=."
    )
    num_mentions_max: int | None = Field(
        default=None, ge=0, le=MAX_COUNT, description="Mentions <=."
    )
    num_sources_min: int | None = Field(default=None, ge=0, le=MAX_COUNT, description="Sources >=.")
    num_sources_max: int | None = Field(default=None, ge=0, le=MAX_COUNT, description="Sources <=.")
    num_articles_min: int | None = Field(
        default=None, ge=0, le=MAX_COUNT, description="Articles >=."
    )
    num_articles_max: int | None = Field(
        default=None, ge=0, le=MAX_COUNT, description="Articles <=."
    )
    fatalities_min: int | None = Field(
        default=None, ge=0, le=MAX_COUNT, description="Fatalities >=."
    )
    fatalities_max: int | None = Field(
        default=None, ge=0, le=MAX_COUNT, description="Fatalities <=."
    )


class EventFilters(MeasureFilters):
    """What GET /events and GET /events/stats filter on; repeated keys mean any of them."""

    q: str | None = Field(
        default=None, min_length=1, max_length=200, description="Words in the title or summary."
    )
    event_type: list[EventType] = Field(default_factory=list, description="Any of these types.")
    status: list[EventStatus] = Field(default_factory=list, description="Any of these statuses.")
    certainty: list[Certainty] = Field(default_factory=list, description="Any of these.")
    country: list[CountryCode] = Field(
        default_factory=list, description="Located in any of these countries."
    )
    participant: list[Reference] = Field(
        default_factory=list, max_length=20, description="With any (or all) of these participants."
    )
    participant_match: Literal["any", "all"] = Field(
        default="any", description="`all`: only events with every `participant` given."
    )
    role: list[ParticipantRole] = Field(
        default_factory=list, description="With `participant`: only in these roles."
    )
    cameo_code: str | None = Field(
        default=None, pattern=r"^[0-9]{1,4}$", description="CAMEO code prefix, e.g. `04`."
    )
    parent: Reference | None = Field(default=None, description="Parts of this event.")
    identifier: list[EventIdentifierRef] = Field(
        default_factory=list,
        max_length=20,
        description="With any of these identifiers, as `scheme:value` (`gdelt:864104301`).",
    )
    source: list[Reference] = Field(
        default_factory=list,
        max_length=20,
        description="Citing any of these sources directly (id or slug).",
    )
    start_after: EDTFString | None = Field(
        default=None, description="Started on or after the first day of this date."
    )
    start_before: EDTFString | None = Field(
        default=None, description="Started on or before the last day of this date."
    )
    active_on: EDTFString | None = Field(
        default=None,
        description="Under way at some time in this date: its span (start to end; the start "
        "alone without an end; to the present while `ongoing`) meets the date. "
        "`active_on=2019-09` finds the Russian intervention in Syria (`2015`, ongoing).",
        examples=["2019-09"],
    )
    overlaps: EDTFString | None = Field(
        default=None,
        description="Under way at some time in this EDTF interval `A/B` (either end may be "
        "`..`): `overlaps=2019-04/2019-09` finds the April election, the September one and "
        "everything under way between them.",
        examples=["2019-04/2019-09"],
    )
    status_on: EDTFString | None = Field(
        default=None,
        description="Only events whose status on this date is known (reported for a day on "
        "or before it); `status` then filters on that status, and each event says it in "
        "`status_on`. `status_on=2019-09-12&status=scheduled` finds the September election.",
        examples=["2019-09-12"],
    )
    include_imprecise: bool = Field(
        default=False,
        description="With `start_after`/`start_before`: also events whose imprecise start may "
        "fall in the range (an event dated `2019` for `start_after=2019-09`); with "
        "`active_on`/`overlaps`: also events that possibly meet it (the Israeli strikes, dated "
        "`../2019-09-12`, for `active_on=2018`). By default only events that certainly do.",
    )
    updated_since: Timestamp | None = Field(
        default=None, description="Changed at or after this time (ISO 8601)."
    )
    bbox: str | None = Field(
        default=None,
        pattern=r"^-?[0-9.]+,-?[0-9.]+,-?[0-9.]+,-?[0-9.]+$",
        description="Located in `min_lon,min_lat,max_lon,max_lat` (WGS 84).",
        examples=["34,29,42,37"],
    )
    near: str | None = Field(
        default=None,
        pattern=r"^-?[0-9.]+,-?[0-9.]+,[0-9.]+$",
        description="Located within `lat,lon,radius_km`.",
        examples=["43.58,39.72,50"],
    )


class EventExpand(InputModel):
    """Which related records to embed in each event."""

    expand: str | None = Field(
        default=None,
        pattern=r"^(participants|claims|sources)(,(participants|claims|sources))*$",
        description="Embed related records, comma-separated: `participants,claims,sources`.",
    )

    def expansions(self) -> set[EventExpansion]:
        """The relations to embed."""
        return set(self.expand.split(",")) if self.expand else set()  # type: ignore[arg-type]


class EventRead(EventExpand):
    """Query of GET /events/{id}: what to embed, or the time to read the event as of."""

    as_of: AwareDatetime | None = Field(
        default=None,
        description="An RFC 3339 time with offset: answer with the event as it stood then, as "
        "its revision in force (`record` holds its stored fields and sub-records); 404 if it "
        "did not exist yet, 410 if it was deleted by then.",
    )


class EventQuery(EventFilters, EventExpand, ListQuery):
    """Query of GET /events: filters, order, paging and shape."""

    sort: EventSort = Field(
        default="recorded",
        description="`recorded` (the order records were added; stable), `start`, `title`, "
        "`updated_at`, each with `-` for descending, or `relevance` with `q`. "
        "`id` breaks ties.",
    )


class EventStatsQuery(EventFilters):
    """Query of GET /events/stats."""

    group_by: EventGroup = Field(description="What to count by.")


class EventBucket(PublicModel):
    """One bar of a chart."""

    key: str = Field(description="The month (`2019-09`), year, type, country or status.")
    count: int = Field(description="Matching events in it.")


class EventStats(PublicModel):
    """Counts of matching events, grouped."""

    group_by: EventGroup = Field(description="What the buckets are.")
    buckets: list[EventBucket] = Field(description="Counts per bucket, in key order.")
    imprecise: int = Field(
        description="Events whose start is too coarse for the grouping (an event dated `2019` "
        "when grouping by month); counted nowhere else."
    )
    undated: int = Field(description="Events without a start, for month and year grouping.")


class EventParticipantCreate(ProvenanceIn):
    """Body of POST /events/{id}/participants."""

    participant_id: Reference = Field(description="The participant's id or slug.")
    role: ParticipantRole = Field(description="The participant's part in the event.")
    note: str | None = Field(default=None, max_length=1000, description="Free-text remark.")


class EventParticipantUpdate(ProvenanceIn):
    """Body of PATCH /events/{id}/participants/{link_id}."""

    role: ParticipantRole | None = None
    note: str | None = Field(default=None, max_length=1000)


class EventParticipantPublic(ProvenancePublic, RecordMeta):
    """A participant's part in an event."""

    event_id: uuid.UUID = Field(description="The event.")
    participant_id: uuid.UUID = Field(description="The participant.")
    role: ParticipantRole = Field(description="The participant's part in the event.")
    note: str | None = Field(description="Free-text remark.")
    participant: ParticipantSummary = Field(description="The participant, in brief.")
    event: EventSummary = Field(description="The event, in brief.")


EventPublic.model_rebuild()
