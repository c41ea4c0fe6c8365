"""Enums, shared data models and every table of the schema."""

import datetime as dt
import enum
import uuid
from typing import Any

from sqlalchemy import (
    JSON,
    DateTime,
    Dialect,
    Index,
    MetaData,
    String,
    Text,
    UniqueConstraint,
    text,
)
from sqlalchemy.orm import declared_attr
from sqlalchemy.types import TypeDecorator
from sqlmodel import Field, SQLModel

from app.dates import UNDATED

# Set before any table exists so that every constraint has a stable, reviewable name.
SQLModel.metadata.naming_convention = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}
metadata: MetaData = SQLModel.metadata

# Index names that the services' SQLite hints (`INDEXED BY`) name too: the Index definitions
# below and the hints share these constants.
IX_EVENT_START_SORT_ID = "ix_event_start_sort_id"
IX_EVENT_CREATED_AT_ID = "ix_event_created_at_id"
IX_EVENT_UPDATED_AT_ID = "ix_event_updated_at_id"
IX_EVENT_TITLE_ID = "ix_event_title_id"
IX_EVENT_PARTICIPANT_PARTICIPANT_CREATED = "ix_event_participant_participant_created"
IX_EVENT_PARTICIPANT_PARTICIPANT_START = "ix_event_participant_participant_start"
IX_CLAIM_STATED_SORT_ID = "ix_claim_stated_sort_id"
IX_CLAIM_CREATED_AT_ID = "ix_claim_created_at_id"
IX_CLAIM_UPDATED_AT_ID = "ix_claim_updated_at_id"
IX_CLAIM_SUBJECT_PARTICIPANT_CREATED = "ix_claim_subject_participant_created"
IX_CLAIM_SUBJECT_PARTICIPANT_STATED = "ix_claim_subject_participant_stated"
IX_PARTICIPANT_PAIR_COUNT = "ix_participant_pair_count"


class ParticipantKind(enum.StrEnum):
    person = "person"
    state = "state"
    government = "government"
    organization = "organization"
    political_party = "political_party"
    military = "military"
    armed_group = "armed_group"
    legislature = "legislature"
    media_outlet = "media_outlet"
    other = "other"


class EventType(enum.StrEnum):
    meeting = "meeting"
    visit = "visit"
    election = "election"
    legislative_action = "legislative_action"
    military_operation = "military_operation"
    strike = "strike"
    attack = "attack"
    intervention = "intervention"
    agreement = "agreement"
    invitation = "invitation"
    statement = "statement"
    other = "other"


class EventStatus(enum.StrEnum):
    planned = "planned"
    scheduled = "scheduled"
    ongoing = "ongoing"
    occurred = "occurred"
    postponed = "postponed"
    cancelled = "cancelled"


class Certainty(enum.StrEnum):
    confirmed = "confirmed"
    reported = "reported"
    alleged = "alleged"
    disputed = "disputed"


class LocationPrecision(enum.StrEnum):
    exact = "exact"
    city = "city"
    region = "region"
    country = "country"


class EventRelationType(enum.StrEnum):
    follows = "follows"
    caused_by = "caused_by"
    reschedules = "reschedules"
    related_to = "related_to"


class ParticipantRole(enum.StrEnum):
    host = "host"
    visitor = "visitor"
    attendee = "attendee"
    candidate = "candidate"
    organizer = "organizer"
    attacker = "attacker"
    target = "target"
    supporter = "supporter"
    subject = "subject"
    mentioned = "mentioned"
    # CAMEO's source and target actors.
    initiator = "initiator"
    recipient = "recipient"


class SourceKind(enum.StrEnum):
    news_article = "news_article"
    press_release = "press_release"
    transcript = "transcript"
    official_statement = "official_statement"
    report = "report"
    social_post = "social_post"
    # An encyclopedia or official page cited for background facts a news source lacks.
    reference = "reference"
    other = "other"


class Provenance(enum.StrEnum):
    """Where a stored fact comes from."""

    stated = "stated"
    background = "background"
    assessment = "assessment"


class Verification(enum.StrEnum):
    """Whether an appearance's quote was checked against the source's text."""

    verified = "verified"
    unverified = "unverified"


class ClaimType(enum.StrEnum):
    quote = "quote"
    paraphrase = "paraphrase"
    report = "report"
    assessment = "assessment"
    allegation = "allegation"


class ClaimStatus(enum.StrEnum):
    unverified = "unverified"
    supported = "supported"
    disputed = "disputed"
    refuted = "refuted"


class ClaimRelationType(enum.StrEnum):
    supports = "supports"
    contradicts = "contradicts"
    responds_to = "responds_to"
    repeats = "repeats"


class UTCDateTime(TypeDecorator[dt.datetime]):
    """A timestamp stored in UTC and always read back timezone-aware (SQLite drops the zone)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: dt.datetime | None, dialect: Dialect) -> dt.datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=dt.UTC)
        return value.astimezone(dt.UTC)

    def process_result_value(
        self, value: dt.datetime | None, dialect: Dialect
    ) -> dt.datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=dt.UTC)
        return value.astimezone(dt.UTC)


def utcnow() -> dt.datetime:
    """The current time in UTC, timezone-aware."""
    return dt.datetime.now(dt.UTC)


class Record(SQLModel):
    """Columns every stored row has: id, timestamps and a version bumped on each write."""

    id: uuid.UUID = Field(default_factory=uuid.uuid4, primary_key=True)
    created_at: dt.datetime = Field(
        default_factory=utcnow,
        sa_type=UTCDateTime,
        nullable=False,
    )
    updated_at: dt.datetime = Field(
        default_factory=utcnow,
        sa_type=UTCDateTime,
        nullable=False,
        index=True,
    )
    version: int = Field(default=1, nullable=False)
    created_by: uuid.UUID | None = Field(default=None)
    updated_by: uuid.UUID | None = Field(default=None)

    # The UPDATE itself checks the version the write read (WHERE version = <read>), so two
    # concurrent writers cannot both succeed; services bump the version themselves.
    @declared_attr.directive
    def __mapper_args__(cls) -> dict[str, Any]:  # noqa: N805
        return {"version_id_col": cls.__table__.c.version, "version_id_generator": False}  # type: ignore[attr-defined]


class Sluggable(Record):
    """A top-level record: addressable by id or by its unique slug."""

    slug: str = Field(max_length=120, unique=True, index=True)


class Cited(SQLModel):
    """Columns saying where a fact comes from: stated by its source, background or assessed."""

    provenance: Provenance = Field(
        default=Provenance.stated,
        sa_type=String(16),
        sa_column_kwargs={"server_default": "stated"},
    )
    provenance_basis: str | None = Field(default=None, max_length=1000)


# A stored date is four columns: <name>_edtf, <name>_precision, <name>_earliest, <name>_latest.
# The bounds are indexed so that range filters are interval-overlap queries.


class Source(Sluggable, table=True):
    """Where a record comes from: an article, a statement, a transcript."""

    kind: SourceKind = Field(sa_type=String(32), index=True)
    title: str = Field(max_length=500)
    author: str | None = Field(default=None, max_length=300)
    publisher: str | None = Field(default=None, max_length=300)
    url: str | None = Field(default=None, max_length=2000)
    citation: str | None = Field(default=None, max_length=1000)
    published_edtf: str | None = Field(default=None, max_length=64)
    published_precision: str | None = Field(default=None, max_length=16)
    published_earliest: dt.date | None = Field(default=None, index=True)
    published_latest: dt.date | None = Field(default=None, index=True)
    language: str | None = Field(default=None, max_length=35)
    credits: str | None = Field(default=None, max_length=1000)
    text: str | None = Field(default=None, sa_type=Text)
    sha256: str | None = Field(default=None, max_length=64)


class Participant(Sluggable, table=True):
    """A person, state, organisation or group that acts or is acted upon."""

    __table_args__ = (
        Index("ix_participant_created_at_id", "created_at", "id"),
        Index("ix_participant_updated_at_id", "updated_at", "id"),
        Index("ix_participant_name_id", "name", "id"),
    )

    name: str = Field(max_length=300, index=True)
    kind: ParticipantKind = Field(sa_type=String(32), index=True)
    aliases: list[str] = Field(default_factory=list, sa_type=JSON, nullable=False)
    country: str | None = Field(default=None, max_length=2, index=True)
    description: str | None = Field(default=None, sa_type=Text)


# Schemes that classify rather than identify: several participants may share a value (the
# CAMEO actor code USA covers the United States, Washington, Los Angeles, ...).
CLASSIFICATION_SCHEMES = ("cameo",)
_IDENTITY_ONLY = "scheme NOT IN (" + ", ".join(f"'{s}'" for s in CLASSIFICATION_SCHEMES) + ")"


class ParticipantIdentifier(SQLModel, table=True):
    """An external identifier (scheme, value) of a participant; an identity is unique."""

    __tablename__ = "participant_identifier"
    __table_args__ = (
        Index("ix_participant_identifier_scheme_value", "scheme", "value"),
        Index(
            "uq_participant_identifier_identity",
            "scheme",
            "value",
            unique=True,
            sqlite_where=text(_IDENTITY_ONLY),
            postgresql_where=text(_IDENTITY_ONLY),
        ),
    )

    participant_id: uuid.UUID = Field(
        foreign_key="participant.id", ondelete="CASCADE", primary_key=True
    )
    scheme: str = Field(max_length=32, primary_key=True)
    value: str = Field(max_length=200)


class Role(Cited, Record, table=True):
    """A role a participant held over a period, e.g. Prime Minister of Israel."""

    __tablename__ = "participant_role"
    __table_args__ = (Index("ix_participant_role_title_bounds", "title", "start_earliest"),)

    participant_id: uuid.UUID = Field(foreign_key="participant.id", ondelete="CASCADE", index=True)
    title: str = Field(max_length=200)
    organization_id: uuid.UUID | None = Field(
        default=None, foreign_key="participant.id", ondelete="RESTRICT", index=True
    )
    start_edtf: str | None = Field(default=None, max_length=64)
    start_precision: str | None = Field(default=None, max_length=16)
    start_earliest: dt.date | None = Field(default=None, index=True)
    start_latest: dt.date | None = Field(default=None)
    end_edtf: str | None = Field(default=None, max_length=64)
    end_precision: str | None = Field(default=None, max_length=16)
    end_earliest: dt.date | None = Field(default=None)
    end_latest: dt.date | None = Field(default=None, index=True)
    source_id: uuid.UUID | None = Field(
        default=None, foreign_key="source.id", ondelete="RESTRICT", index=True
    )
    aliases: list[str] = Field(
        default_factory=list,
        sa_type=JSON,
        nullable=False,
        sa_column_kwargs={"server_default": "[]"},
    )


class RoleTitleKey(SQLModel, table=True):
    """A role's title or alias, case-folded, so that titles match whatever their case."""

    __tablename__ = "role_title_key"

    role_id: uuid.UUID = Field(
        foreign_key="participant_role.id", ondelete="CASCADE", primary_key=True
    )
    key: str = Field(max_length=200, primary_key=True, index=True)


class Event(Cited, Sluggable, table=True):
    """Something that happened, is happening or is scheduled."""

    __table_args__ = (
        Index(IX_EVENT_START_SORT_ID, "start_sort", "id"),
        Index(IX_EVENT_CREATED_AT_ID, "created_at", "id"),
        Index(IX_EVENT_UPDATED_AT_ID, "updated_at", "id"),
        Index(IX_EVENT_TITLE_ID, "title", "id"),
        Index("ix_event_country_start", "location_country", "start_sort", "id"),
        Index("ix_event_start_bounds", "start_earliest", "start_latest"),
        Index("ix_event_country_bounds", "location_country", "start_earliest", "start_latest"),
        Index("ix_event_type_start", "event_type", "start_sort", "id"),
        Index("ix_event_lat_lon", "location_lat", "location_lon"),
        Index("ix_event_goldstein", "goldstein", "id"),
        Index("ix_event_quad_class", "quad_class", "id"),
        # Tone and the source and article counts are filtered with others, not alone: an
        # index each would cost every import more than it saves (see EVENT_MEASURES).
        Index("ix_event_num_mentions", "num_mentions", "id"),
        Index("ix_event_fatalities", "fatalities", "id"),
    )

    title: str = Field(max_length=500)
    summary: str | None = Field(default=None, sa_type=Text)
    event_type: EventType = Field(sa_type=String(32), index=True)
    cameo_code: str | None = Field(default=None, max_length=4, index=True)
    plover_type: str | None = Field(default=None, max_length=32)
    start_edtf: str | None = Field(default=None, max_length=64)
    start_precision: str | None = Field(default=None, max_length=16)
    start_earliest: dt.date | None = Field(default=None)
    start_latest: dt.date | None = Field(default=None, index=True)
    start_sort: dt.date = Field(default=UNDATED, sa_column_kwargs={"server_default": "0001-01-01"})
    end_edtf: str | None = Field(default=None, max_length=64)
    end_precision: str | None = Field(default=None, max_length=16)
    end_earliest: dt.date | None = Field(default=None)
    end_latest: dt.date | None = Field(default=None, index=True)
    status: EventStatus = Field(sa_type=String(32), index=True)
    status_as_of_edtf: str | None = Field(default=None, max_length=64)
    status_as_of_precision: str | None = Field(default=None, max_length=16)
    status_as_of_earliest: dt.date | None = Field(default=None)
    status_as_of_latest: dt.date | None = Field(default=None)
    certainty: Certainty = Field(sa_type=String(32), index=True)
    location_name: str | None = Field(default=None, max_length=300)
    location_admin1: str | None = Field(default=None, max_length=300)
    location_country: str | None = Field(default=None, max_length=2, index=True)
    location_lat: float | None = Field(default=None, index=True)
    location_lon: float | None = Field(default=None)
    location_precision: LocationPrecision | None = Field(sa_type=String(32), default=None)
    parent_id: uuid.UUID | None = Field(
        default=None, foreign_key="event.id", ondelete="RESTRICT", index=True
    )
    # Typed measures, as GDELT and ACLED give them (see EVENT_MEASURES).
    goldstein: float | None = Field(default=None)
    quad_class: int | None = Field(default=None)
    tone: float | None = Field(default=None)
    num_mentions: int | None = Field(default=None)
    num_sources: int | None = Field(default=None)
    num_articles: int | None = Field(default=None)
    fatalities: int | None = Field(default=None)


# The count measures are INTEGER columns: 32-bit on PostgreSQL, so inputs stop at its largest.
MAX_COUNT = 2**31 - 1

EVENT_MEASURES = (
    "goldstein",
    "quad_class",
    "tone",
    "num_mentions",
    "num_sources",
    "num_articles",
    "fatalities",
)


class EventIdentifier(SQLModel, table=True):
    """An external identifier (scheme, value) of an event: one per scheme, unique per value."""

    __tablename__ = "event_identifier"
    __table_args__ = (UniqueConstraint("scheme", "value"),)

    event_id: uuid.UUID = Field(foreign_key="event.id", ondelete="CASCADE", primary_key=True)
    scheme: str = Field(max_length=32, primary_key=True)
    value: str = Field(max_length=200)


class EventSource(SQLModel, table=True):
    """A source an event cites directly, with where in it (locator) and a note."""

    __tablename__ = "event_source"

    event_id: uuid.UUID = Field(foreign_key="event.id", ondelete="CASCADE", primary_key=True)
    source_id: uuid.UUID = Field(
        foreign_key="source.id", ondelete="RESTRICT", primary_key=True, index=True
    )
    locator: str | None = Field(default=None, max_length=500)
    note: str | None = Field(default=None, max_length=1000)


class EventStatusChange(SQLModel, table=True):
    """One entry of an event's status history, appended whenever the status changes."""

    __tablename__ = "event_status_change"
    __table_args__ = (Index("ix_event_status_change_event_as_of", "event_id", "as_of_latest"),)

    id: uuid.UUID = Field(default_factory=uuid.uuid4, primary_key=True)
    event_id: uuid.UUID = Field(foreign_key="event.id", ondelete="CASCADE", index=True)
    status: EventStatus = Field(sa_type=String(32))
    as_of_edtf: str | None = Field(default=None, max_length=64)
    as_of_precision: str | None = Field(default=None, max_length=16)
    as_of_earliest: dt.date | None = Field(default=None)
    as_of_latest: dt.date | None = Field(default=None)
    recorded_at: dt.datetime = Field(
        default_factory=utcnow,
        sa_type=UTCDateTime,
        nullable=False,
    )


class EventRelation(SQLModel, table=True):
    """A typed link from one event to another (follows, caused_by, ...)."""

    __tablename__ = "event_relation"

    event_id: uuid.UUID = Field(foreign_key="event.id", ondelete="CASCADE", primary_key=True)
    relation: EventRelationType = Field(sa_type=String(32), primary_key=True)
    related_event_id: uuid.UUID = Field(
        foreign_key="event.id", ondelete="RESTRICT", primary_key=True, index=True
    )


class EventParticipant(Cited, Record, table=True):
    """A participant's part in an event, with a role."""

    __tablename__ = "event_participant"
    __table_args__ = (
        UniqueConstraint("event_id", "participant_id", "role"),
        Index("ix_event_participant_participant_event", "participant_id", "event_id"),
        Index(
            IX_EVENT_PARTICIPANT_PARTICIPANT_CREATED,
            "participant_id",
            "event_created_at",
            "event_id",
            "role",
        ),
        Index(
            IX_EVENT_PARTICIPANT_PARTICIPANT_START,
            "participant_id",
            "event_start_sort",
            "event_id",
            "role",
        ),
    )

    event_id: uuid.UUID = Field(foreign_key="event.id", ondelete="CASCADE", index=True)
    participant_id: uuid.UUID = Field(foreign_key="participant.id", ondelete="RESTRICT", index=True)
    role: ParticipantRole = Field(sa_type=String(32), index=True)
    note: str | None = Field(default=None, max_length=1000)
    # The event's sort keys, copied by database triggers (revision 0004) whoever writes the
    # link or the event, so that a participant's events can be read in page order from its
    # links. None on a new object until it is read back; the defaults are never left stored.
    event_created_at: dt.datetime | None = Field(
        default=None,
        sa_type=UTCDateTime,
        nullable=False,
        sa_column_kwargs={"server_default": "0001-01-01 00:00:00+00"},
    )
    event_start_sort: dt.date | None = Field(
        default=None, nullable=False, sa_column_kwargs={"server_default": "0001-01-01"}
    )


class Claim(Sluggable, table=True):
    """A statement someone made or reported."""

    __table_args__ = (
        Index(IX_CLAIM_STATED_SORT_ID, "stated_sort", "id"),
        Index(IX_CLAIM_CREATED_AT_ID, "created_at", "id"),
        Index(IX_CLAIM_UPDATED_AT_ID, "updated_at", "id"),
        Index("ix_claim_claimant_stated", "claimant_id", "stated_sort", "id"),
    )

    text: str = Field(sa_type=Text)
    claim_type: ClaimType = Field(sa_type=String(32), index=True)
    claimant_id: uuid.UUID | None = Field(
        default=None, foreign_key="participant.id", ondelete="RESTRICT"
    )
    claimant_role_id: uuid.UUID | None = Field(
        default=None, foreign_key="participant_role.id", ondelete="SET NULL", index=True
    )
    claimant_role: str | None = Field(default=None, max_length=300)
    event_id: uuid.UUID | None = Field(
        default=None, foreign_key="event.id", ondelete="RESTRICT", index=True
    )
    stated_edtf: str | None = Field(default=None, max_length=64)
    stated_precision: str | None = Field(default=None, max_length=16)
    stated_earliest: dt.date | None = Field(default=None, index=True)
    stated_latest: dt.date | None = Field(default=None, index=True)
    stated_sort: dt.date = Field(default=UNDATED, sa_column_kwargs={"server_default": "0001-01-01"})
    status: ClaimStatus = Field(sa_type=String(32), index=True)


class ClaimSubject(SQLModel, table=True):
    """A participant or an event a claim is about (exactly one of the two)."""

    __tablename__ = "claim_subject"
    __table_args__ = (
        UniqueConstraint("claim_id", "participant_id", "event_id"),
        Index(
            IX_CLAIM_SUBJECT_PARTICIPANT_CREATED, "participant_id", "claim_created_at", "claim_id"
        ),
        Index(
            IX_CLAIM_SUBJECT_PARTICIPANT_STATED, "participant_id", "claim_stated_sort", "claim_id"
        ),
    )

    id: uuid.UUID = Field(default_factory=uuid.uuid4, primary_key=True)
    claim_id: uuid.UUID = Field(foreign_key="claim.id", ondelete="CASCADE", index=True)
    participant_id: uuid.UUID | None = Field(
        default=None, foreign_key="participant.id", ondelete="RESTRICT", index=True
    )
    event_id: uuid.UUID | None = Field(
        default=None, foreign_key="event.id", ondelete="RESTRICT", index=True
    )
    # The claim's sort keys, copied by database triggers as on EventParticipant.
    claim_created_at: dt.datetime | None = Field(
        default=None,
        sa_type=UTCDateTime,
        nullable=False,
        sa_column_kwargs={"server_default": "0001-01-01 00:00:00+00"},
    )
    claim_stated_sort: dt.date | None = Field(
        default=None, nullable=False, sa_column_kwargs={"server_default": "0001-01-01"}
    )


class Appearance(Record, table=True):
    """Where a claim appears: a source, the exact quote and its character offsets."""

    claim_id: uuid.UUID = Field(foreign_key="claim.id", ondelete="CASCADE", index=True)
    source_id: uuid.UUID = Field(foreign_key="source.id", ondelete="RESTRICT", index=True)
    quote: str = Field(sa_type=Text)
    char_start: int | None = Field(default=None)
    char_end: int | None = Field(default=None)
    confidence: float = Field(default=1.0)
    verification: Verification = Field(
        default=Verification.unverified,
        sa_type=String(16),
        sa_column_kwargs={"server_default": "unverified"},
    )
    # The sha256 of the source text the quote was found in, when it was verified.
    verified_sha256: str | None = Field(default=None, max_length=64)


class ClaimRelation(SQLModel, table=True):
    """A typed link from one claim to another (supports, contradicts, ...)."""

    __tablename__ = "claim_relation"

    claim_id: uuid.UUID = Field(foreign_key="claim.id", ondelete="CASCADE", primary_key=True)
    relation: ClaimRelationType = Field(sa_type=String(32), primary_key=True)
    related_claim_id: uuid.UUID = Field(
        foreign_key="claim.id", ondelete="RESTRICT", primary_key=True, index=True
    )


class ApiKey(SQLModel, table=True):
    """A bearer key: only its SHA-256 is stored; the key itself is shown once, at creation."""

    __tablename__ = "api_key"

    id: uuid.UUID = Field(default_factory=uuid.uuid4, primary_key=True)
    name: str = Field(max_length=100)
    prefix: str = Field(max_length=16, index=True)
    key_hash: str = Field(max_length=64, unique=True)
    scopes: list[str] = Field(default_factory=list, sa_type=JSON, nullable=False)
    created_at: dt.datetime = Field(default_factory=utcnow, sa_type=UTCDateTime, nullable=False)
    created_by: uuid.UUID | None = Field(default=None)
    revoked_at: dt.datetime | None = Field(default=None, sa_type=UTCDateTime)
    # Made from GEOEVENTS_ADMIN_KEY: revoked when the variable names another key.
    bootstrap: bool = Field(default=False, nullable=False)


class IdempotencyRecord(SQLModel, table=True):
    """The first response to a POST sent with an Idempotency-Key, replayed for retries."""

    __tablename__ = "idempotency_key"

    key: str = Field(max_length=255, primary_key=True)
    owner: str = Field(max_length=64, primary_key=True)
    method: str = Field(max_length=8)
    path: str = Field(max_length=2000)
    request_hash: str = Field(max_length=64)
    status_code: int | None = Field(default=None)
    response_body: str | None = Field(default=None, sa_type=Text)
    response_headers: dict[str, str] = Field(default_factory=dict, sa_type=JSON, nullable=False)
    created_at: dt.datetime = Field(default_factory=utcnow, sa_type=UTCDateTime, nullable=False)
    expires_at: dt.datetime = Field(sa_type=UTCDateTime, nullable=False, index=True)


class KeyEvent(SQLModel, table=True):
    """One audited change to an API key: who created or revoked which key, when, and how."""

    __tablename__ = "key_event"

    id: uuid.UUID = Field(default_factory=uuid.uuid4, primary_key=True)
    key_id: uuid.UUID = Field(foreign_key="api_key.id", index=True)
    action: str = Field(max_length=16)
    actor_id: uuid.UUID | None = Field(default=None)
    via: str = Field(max_length=16)
    created_at: dt.datetime = Field(
        default_factory=utcnow, sa_type=UTCDateTime, nullable=False, index=True
    )


class ServerSecret(SQLModel, table=True):
    """A secret the server made for itself once (e.g. the cursor key), shared by every process."""

    __tablename__ = "server_secret"

    name: str = Field(max_length=64, primary_key=True)
    value: str = Field(max_length=128)
    created_at: dt.datetime = Field(default_factory=utcnow, sa_type=UTCDateTime, nullable=False)


class Revision(SQLModel, table=True):
    """One committed change of a record: who, when, what changed and the record as it became."""

    __tablename__ = "revision"
    __table_args__ = (
        UniqueConstraint("resource", "record_id", "version"),
        Index("ix_revision_resource_seq", "resource", "seq"),
    )

    id: int | None = Field(default=None, primary_key=True)
    # Commit order: taken from change_clock while its row is locked, at commit.
    seq: int = Field(unique=True, index=True)
    resource: str = Field(max_length=16)
    record_id: uuid.UUID = Field(index=True)
    version: int
    recorded_at: dt.datetime = Field(sa_type=UTCDateTime, nullable=False)
    key_id: uuid.UUID | None = Field(default=None)
    operation: str = Field(max_length=16)
    changes: dict[str, Any] | None = Field(default=None, sa_type=JSON)
    snapshot: dict[str, Any] | None = Field(default=None, sa_type=JSON)


class ChangeClock(SQLModel, table=True):
    """A single row: the last change sequence number handed out."""

    __tablename__ = "change_clock"

    id: int = Field(primary_key=True)
    last: int = Field(default=0, nullable=False)


class Tombstone(SQLModel, table=True):
    """What is left of a deleted or merged record: its id and slug answer 410 or 308."""

    __tablename__ = "tombstone"

    record_id: uuid.UUID = Field(primary_key=True)
    resource: str = Field(max_length=16)
    slug: str = Field(max_length=120, unique=True, index=True)
    deleted_at: dt.datetime = Field(sa_type=UTCDateTime, nullable=False)
    deleted_by: uuid.UUID | None = Field(default=None)
    purged: bool = Field(default=False, nullable=False)
    merged_into: uuid.UUID | None = Field(default=None)


class TallyRow(SQLModel):
    """Events counted under one key of one grouping (app.services.event_tally)."""

    id: int | None = Field(default=None, primary_key=True)
    group_by: str = Field(max_length=16)
    # A month, year, `imprecise` or `undated`; a type, country or status (NULL: no country).
    key: str | None = Field(default=None, max_length=32)
    count: int = Field(nullable=False)


class EventTally(TallyRow, table=True):
    """Events counted per key, kept by triggers on event; one row per key."""

    __tablename__ = "event_tally"
    __table_args__ = (
        # The events without a country are a key too: one row for them.
        Index(
            "uq_event_tally_key", "group_by", "key", unique=True, postgresql_nulls_not_distinct=True
        ),
    )


class EventTallyDelta(TallyRow, table=True):
    """Changes to event_tally not yet folded into it; only PostgreSQL's triggers write them."""

    __tablename__ = "event_tally_delta"


class PairCount(SQLModel):
    """Events one participant shared with another (app.services.participant_pairs)."""

    participant_id: uuid.UUID = Field(primary_key=True)
    other_id: uuid.UUID = Field(primary_key=True)
    # Distinct events both took part in, whatever their roles.
    count: int = Field(nullable=False)


class ParticipantPair(PairCount, table=True):
    """Shared events per ordered pair of participants, kept by triggers on event_participant."""

    __tablename__ = "participant_pair"
    # A participant's others, most shared first: the network's ranking reads this index.
    __table_args__ = (Index(IX_PARTICIPANT_PAIR_COUNT, "participant_id", "count", "other_id"),)


class ParticipantPairRole(PairCount, table=True):
    """Shared events per ordered pair and pair of roles (one event may count in several)."""

    __tablename__ = "participant_pair_role"

    role: str = Field(primary_key=True, max_length=32)
    other_role: str = Field(primary_key=True, max_length=32)


class PairDelta(SQLModel):
    """A change to a pair count not yet folded in; only PostgreSQL's triggers write them."""

    id: int | None = Field(default=None, primary_key=True)
    participant_id: uuid.UUID
    other_id: uuid.UUID
    count: int = Field(nullable=False)


class ParticipantPairDelta(PairDelta, table=True):
    """Changes to participant_pair not yet folded into it."""

    __tablename__ = "participant_pair_delta"
    __table_args__ = (Index("ix_participant_pair_delta_pair", "participant_id", "other_id"),)


class ParticipantPairRoleDelta(PairDelta, table=True):
    """Changes to participant_pair_role not yet folded into it."""

    __tablename__ = "participant_pair_role_delta"
    __table_args__ = (Index("ix_participant_pair_role_delta_pair", "participant_id", "other_id"),)

    role: str = Field(max_length=32)
    other_role: str = Field(max_length=32)
