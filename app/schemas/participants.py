"""Request and response models of participants and their roles."""

import uuid
from typing import Annotated, Literal

from pydantic import Field

from app.models import ParticipantKind
from app.schemas.common import (
    MATCH_DESCRIPTION,
    CountryCode,
    DateValue,
    EDTFString,
    IdentifierRef,
    Identifiers,
    InputModel,
    ListQuery,
    OptionalSlug,
    RecordMeta,
    Reference,
    Slug,
    Timestamp,
)
from app.schemas.provenance import ProvenanceIn, ProvenancePublic
from app.schemas.summaries import ParticipantSummary, SourceSummary


def _absent(value: object) -> bool:
    # The match is left out of the JSON unless `q` asked for it.
    return value is None


class ParticipantCreate(InputModel):
    """Body of POST /participants."""

    slug: OptionalSlug = None
    name: str = Field(min_length=1, max_length=300, description="Name as commonly written.")
    kind: ParticipantKind = Field(description="What sort of actor this is.")
    aliases: list[str] = Field(
        default_factory=list, max_length=50, description="Other names it goes by."
    )
    country: CountryCode | None = None
    description: str | None = Field(default=None, max_length=5000, description="Who or what it is.")
    identifiers: Identifiers = Field(default_factory=dict)


class ParticipantUpdate(InputModel):
    """Body of PATCH /participants/{id}: only the fields sent change."""

    slug: Slug | None = None
    name: str | None = Field(default=None, min_length=1, max_length=300)
    kind: ParticipantKind | None = None
    aliases: list[str] | None = Field(default=None, max_length=50)
    country: CountryCode | None = None
    description: str | None = Field(default=None, max_length=5000)
    identifiers: Identifiers | None = None


class ParticipantPublic(RecordMeta):
    """A participant as the API returns it."""

    slug: str = Field(description="Unique human-readable id.")
    name: str = Field(description="Name as commonly written.")
    kind: ParticipantKind = Field(description="What sort of actor this is.")
    aliases: list[str] = Field(description="Other names it goes by.")
    country: str | None = Field(description="ISO 3166-1 alpha-2 country code.")
    description: str | None = Field(description="Who or what it is.")
    identifiers: dict[str, str] = Field(description="External identifiers by scheme.")
    match: str | None = Field(
        default=None,
        exclude_if=_absent,
        description=MATCH_DESCRIPTION,
    )


ParticipantSort = Literal[
    "recorded", "-recorded", "name", "-name", "updated_at", "-updated_at", "relevance"
]


class ParticipantQuery(ListQuery):
    """Query of GET /participants: filters, order, paging and shape; repeated keys mean any."""

    updated_since: Timestamp | None = Field(
        default=None,
        description="Changed at or after this time (ISO 8601); deletions are in /changes.",
    )

    q: str | None = Field(
        default=None, min_length=1, max_length=200, description="Words in the name or aliases."
    )
    kind: list[ParticipantKind] = Field(default_factory=list, description="Any of these kinds.")
    country: list[CountryCode] = Field(
        default_factory=list, description="Of any of these countries."
    )
    identifier: list[IdentifierRef] = Field(
        default_factory=list,
        max_length=20,
        description="With any of these external identifiers, as `scheme:value`.",
    )
    role_title: str | None = Field(
        default=None,
        min_length=1,
        max_length=200,
        description="Held a role with this title or alias, whatever the case and spacing, "
        "e.g. `Prime Minister` or `defense minister`.",
    )
    role_organization: Reference | None = Field(
        default=None, description="Held a role in this participant (id or slug), e.g. `israel`."
    )
    role_on: EDTFString | None = Field(
        default=None,
        description="Held the role (any role without `role_title`) for the whole of this date: "
        "its start is known and certainly on or before it, and it is current or certainly "
        "ended after it. `role_title=Prime Minister&role_organization=israel&role_on=2019-09-12`.",
    )
    sort: ParticipantSort = Field(
        default="recorded",
        description="`recorded` (the order records were added; stable), `name`, `updated_at`, "
        "each with `-` for descending, or `relevance` with `q`. `id` breaks ties.",
    )


_ALIASES = (
    "Other titles of the same role, e.g. `Defense Minister` for `Minister of Defence`; "
    "`role_title` matches the title or any alias, whatever the case."
)
RoleAliases = list[Annotated[str, Field(min_length=1, max_length=200)]]


class RoleCreate(ProvenanceIn):
    """Body of POST /participants/{id}/roles."""

    title: str = Field(min_length=1, max_length=200, description="e.g. Prime Minister.")
    aliases: RoleAliases = Field(default_factory=list, max_length=20, description=_ALIASES)
    organization_id: Reference | None = Field(
        default=None, description="The participant the role is held in (Israel, Likud): id or slug."
    )
    start: EDTFString | None = Field(default=None, description="When the role began, as EDTF.")
    end: EDTFString | None = Field(default=None, description="When it ended; null if current.")
    source_id: Reference | None = Field(
        default=None,
        description="A source that states the role and its dates; without one the role is "
        "`background`.",
    )


class RoleUpdate(ProvenanceIn):
    """Body of PATCH /participants/{id}/roles/{role_id}."""

    title: str | None = Field(default=None, min_length=1, max_length=200)
    aliases: RoleAliases | None = Field(default=None, max_length=20, description=_ALIASES)
    organization_id: Reference | None = None
    start: EDTFString | None = None
    end: EDTFString | None = None
    source_id: Reference | None = None


class RolePublic(ProvenancePublic, RecordMeta):
    """A role a participant held over a period."""

    participant_id: uuid.UUID = Field(description="Who held the role.")
    title: str = Field(description="The role's title.")
    aliases: list[str] = Field(description=_ALIASES)
    organization_id: uuid.UUID | None = Field(description="Where the role was held.")
    organization: ParticipantSummary | None = Field(
        description="Where the role was held, in brief; null if not recorded."
    )
    start: DateValue | None = Field(description="When the role began.")
    end: DateValue | None = Field(description="When the role ended; null if current.")
    source_id: uuid.UUID | None = Field(description="Where this is stated.")
    source: SourceSummary | None = Field(
        description="Where this is stated, in brief; null if no source is cited."
    )
