"""Request and response models of participants and their roles."""

import uuid

from pydantic import Field

from app.models import ParticipantKind
from app.schemas.common import (
    CountryCode,
    DateValue,
    EDTFString,
    Identifiers,
    InputModel,
    PageQuery,
    RecordMeta,
    Reference,
    Slug,
)


class ParticipantCreate(InputModel):
    """Body of POST /participants."""

    slug: Slug
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


class ParticipantQuery(PageQuery):
    """Filters of GET /participants."""


class RoleCreate(InputModel):
    """Body of POST /participants/{id}/roles."""

    title: str = Field(min_length=1, max_length=200, description="e.g. Prime Minister.")
    organization_id: Reference | None = Field(
        default=None, description="The participant the role is held in (Israel, Likud): id or slug."
    )
    start: EDTFString | None = Field(default=None, description="When the role began, as EDTF.")
    end: EDTFString | None = Field(default=None, description="When it ended; null if current.")
    source_id: Reference | None = Field(default=None, description="Where this is stated.")


class RoleUpdate(InputModel):
    """Body of PATCH /participants/{id}/roles/{role_id}."""

    title: str | None = Field(default=None, min_length=1, max_length=200)
    organization_id: Reference | None = None
    start: EDTFString | None = None
    end: EDTFString | None = None
    source_id: Reference | None = None


class RolePublic(RecordMeta):
    """A role a participant held over a period."""

    participant_id: uuid.UUID = Field(description="Who held the role.")
    title: str = Field(description="The role's title.")
    organization_id: uuid.UUID | None = Field(description="Where the role was held.")
    start: DateValue | None = Field(description="When the role began.")
    end: DateValue | None = Field(description="When the role ended; null if current.")
    source_id: uuid.UUID | None = Field(description="Where this is stated.")
