"""Request and response models of claims and their appearances in sources."""

import uuid
from typing import Literal

from pydantic import ConfigDict, Field, StrictFloat, StrictInt

from app.models import ClaimRelationType, ClaimStatus, ClaimType, Verification
from app.schemas.common import (
    MATCH_DESCRIPTION,
    DateValue,
    EDTFString,
    InputModel,
    ListQuery,
    OptionalSlug,
    PublicModel,
    RecordMeta,
    Reference,
    Slug,
    Timestamp,
)
from app.schemas.summaries import EventSummary, ParticipantSummary, RoleSummary, SourceSummary

SubjectType = Literal["participant", "event"]


def _absent(value: object) -> bool:
    # The match is left out of the JSON unless `q` asked for it.
    return value is None


_OFFSETS = "Offsets count Python code points (not bytes, not UTF-16 units), from 0."


class AppearanceCreate(InputModel):
    """Body of POST /claims/{id}/appearances, and an item of a new claim's `appearances`."""

    # A quote is compared character for character with the source text: never trim it.
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=False)

    source_id: Reference = Field(description="The source's id or slug.")
    quote: str = Field(
        min_length=1,
        max_length=20000,
        description="The exact words as the source has them, whitespace included.",
    )
    char_start: StrictInt | None = Field(
        default=None,
        ge=0,
        description="Where the quote starts in the source text. "
        + _OFFSETS
        + " Omit both offsets to have the server find the quote's first occurrence.",
    )
    char_end: StrictInt | None = Field(
        default=None,
        ge=0,
        description="Where the quote ends (exclusive): `text[char_start:char_end] == quote`. "
        + _OFFSETS,
    )
    confidence: StrictFloat | None = Field(
        default=None,
        ge=0,
        le=1,
        description="How sure the record is that this is the claim, 0-1. Only a quote verified "
        "against the source's stored text may be 1.0 (its default); an unverified one defaults "
        "to 0.5.",
    )


class AppearanceUpdate(InputModel):
    """Body of PATCH /claims/{id}/appearances/{appearance_id}; the quote is checked again.

    When the quote or source changes and no offset is sent, offsets that no longer match are
    found again in the source text.
    """

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=False)

    source_id: Reference | None = Field(default=None, description="The source's id or slug.")
    quote: str | None = Field(
        default=None, min_length=1, max_length=20000, description="The exact words quoted."
    )
    char_start: StrictInt | None = Field(
        default=None, ge=0, description="Where the quote starts. " + _OFFSETS
    )
    char_end: StrictInt | None = Field(
        default=None, ge=0, description="Where the quote ends (exclusive). " + _OFFSETS
    )
    confidence: StrictFloat | None = Field(
        default=None, ge=0, le=1, description="How sure the record is, 0-1."
    )


class AppearancePublic(RecordMeta):
    """A claim's appearance in a source."""

    claim_id: uuid.UUID = Field(description="The claim.")
    source_id: uuid.UUID = Field(description="The source it appears in.")
    source: SourceSummary = Field(description="The source, in brief.")
    quote: str = Field(description="The exact words as the source has them.")
    char_start: int | None = Field(description="Where the quote starts. " + _OFFSETS)
    char_end: int | None = Field(description="Where the quote ends (exclusive). " + _OFFSETS)
    confidence: float = Field(description="How sure the record is that this is the claim, 0-1.")
    verification: Verification = Field(
        description="`verified`: the quote was found at its offsets in the source's stored text, "
        "whose sha256 is `verified_sha256`; `unverified`: the source had no text to check it "
        "against."
    )
    verified_sha256: str | None = Field(
        description="The sha256 of the text the quote was verified against."
    )


class SubjectIn(InputModel):
    """A participant or an event the claim is about."""

    type: SubjectType = Field(description="Whether the subject is a participant or an event.")
    id: Reference = Field(description="The participant's or event's id or slug.")


class SubjectPublic(PublicModel):
    """A participant or an event the claim is about, in brief."""

    type: SubjectType = Field(description="Whether the subject is a participant or an event.")
    id: uuid.UUID = Field(description="The participant's or event's id.")
    slug: str = Field(description="Its slug.")
    label: str = Field(description="The participant's name or the event's title.")


class ClaimRelationIn(InputModel):
    """A typed link to another claim."""

    relation: ClaimRelationType = Field(description="How this claim relates to the other.")
    claim_id: Reference = Field(description="The other claim's id or slug.")


class ClaimRelationPublic(PublicModel):
    """A typed link to another claim."""

    relation: ClaimRelationType = Field(description="How this claim relates to the other.")
    claim_id: uuid.UUID = Field(description="The other claim's id.")


class ClaimFields(InputModel):
    """Fields a claim is created with; all but text and type are optional."""

    text: str = Field(min_length=1, max_length=20000, description="What was stated or reported.")
    claim_type: ClaimType = Field(description="quote, paraphrase, report, assessment, allegation.")
    claimant_id: Reference | None = Field(
        default=None,
        description="Who made the claim: a participant's id or slug; null for an unattributed "
        "report.",
    )
    claimant_role: str | None = Field(
        default=None,
        min_length=1,
        max_length=300,
        description="The claimant's role when speaking. Omit it to have it resolved from the "
        "roles the claimant held at `stated`; send it to override.",
    )
    event_id: Reference | None = Field(
        default=None, description="The event where it was said (id or slug)."
    )
    stated: EDTFString | None = Field(default=None, description="When it was said, as EDTF.")
    status: ClaimStatus = Field(
        default=ClaimStatus.unverified, description="unverified, supported, disputed, refuted."
    )
    subjects: list[SubjectIn] = Field(
        default_factory=list, max_length=100, description="Participants and events it is about."
    )
    relations: list[ClaimRelationIn] = Field(
        default_factory=list, max_length=100, description="Typed links to other claims."
    )


class ClaimCreate(ClaimFields):
    """Body of POST /claims and POST /events/{id}/claims."""

    slug: OptionalSlug = None
    appearances: list[AppearanceCreate] = Field(
        default_factory=list,
        max_length=100,
        description="The sources it appears in; later managed at /claims/{id}/appearances.",
    )


class ClaimUpdate(InputModel):
    """Body of PATCH /claims/{id}: only the fields sent change; lists replace the stored ones.

    A resolved claimant role is resolved again when `claimant_id` or `stated` changes; send
    `claimant_role: null` to drop an override and resolve it.
    """

    slug: Slug | None = Field(default=None, description="A new unique slug.")
    text: str | None = Field(
        default=None, min_length=1, max_length=20000, description="What was stated or reported."
    )
    claim_type: ClaimType | None = Field(default=None, description="The kind of claim.")
    claimant_id: Reference | None = Field(
        default=None, description="Who made the claim (id or slug); null for unattributed."
    )
    claimant_role: str | None = Field(
        default=None,
        min_length=1,
        max_length=300,
        description="An explicit role when speaking; null to resolve it from the claimant's roles.",
    )
    event_id: Reference | None = Field(
        default=None, description="The event where it was said (id or slug), or null."
    )
    stated: EDTFString | None = Field(default=None, description="When it was said, as EDTF.")
    status: ClaimStatus | None = Field(default=None, description="The verification status.")
    subjects: list[SubjectIn] | None = Field(
        default=None,
        max_length=100,
        description="Replaces the participants and events it is about.",
    )
    relations: list[ClaimRelationIn] | None = Field(
        default=None, max_length=100, description="Replaces the typed links to other claims."
    )


class ClaimPublic(RecordMeta):
    """A claim as the API returns it."""

    slug: str = Field(description="Unique human-readable id.")
    text: str = Field(description="What was stated or reported.")
    claim_type: ClaimType = Field(description="quote, paraphrase, report, assessment, allegation.")
    claimant_id: uuid.UUID | None = Field(description="Who made the claim; null if unattributed.")
    claimant: ParticipantSummary | None = Field(
        description="Who made the claim, in brief; null if unattributed."
    )
    claimant_role: str | None = Field(description="The claimant's role when speaking.")
    claimant_role_id: uuid.UUID | None = Field(
        description="The role it was resolved from; null when sent explicitly or unresolved."
    )
    # Not `claimant_role`, which has long been the role's text.
    resolved_role: RoleSummary | None = Field(
        description="The role of `claimant_role_id`, in brief, with where it was held; null "
        "when there is none."
    )
    event_id: uuid.UUID | None = Field(description="The event where it was said.")
    event: EventSummary | None = Field(
        description="The event where it was said, in brief; null if none."
    )
    stated: DateValue | None = Field(description="When it was said, with its precision.")
    status: ClaimStatus = Field(description="unverified, supported, disputed, refuted.")
    subjects: list[SubjectPublic] = Field(description="Participants and events it is about.")
    appearances: list[AppearancePublic] = Field(description="The sources it appears in.")
    relations: list[ClaimRelationPublic] = Field(description="Typed links to other claims.")
    incoming_relations: list[ClaimRelationPublic] = Field(
        default_factory=list,
        description="Typed links other claims declare to this one; `claim_id` names the claim "
        "declaring it (it `supports`, `contradicts`... this one).",
    )
    match: str | None = Field(
        default=None,
        exclude_if=_absent,
        description=MATCH_DESCRIPTION,
    )


ClaimSort = Literal[
    "recorded", "-recorded", "stated", "-stated", "updated_at", "-updated_at", "relevance"
]


class ClaimQuery(ListQuery):
    """Query of the claim lists: filters, order, paging and shape; repeated keys mean any."""

    updated_since: Timestamp | None = Field(
        default=None,
        description="Changed at or after this time (ISO 8601); deletions are in /changes.",
    )

    q: str | None = Field(
        default=None,
        min_length=1,
        max_length=200,
        description="Words in the text or in the quotes of its appearances.",
    )
    claimant: list[Reference] = Field(
        default_factory=list, max_length=20, description="Made by any of these participants."
    )
    event: list[Reference] = Field(
        default_factory=list, max_length=20, description="Made at any of these events."
    )
    subject: list[Reference] = Field(
        default_factory=list,
        max_length=20,
        description="About any of these participants or events (id or slug; a slug is looked "
        "up among participants first).",
    )
    claim_type: list[ClaimType] = Field(default_factory=list, description="Any of these types.")
    status: list[ClaimStatus] = Field(default_factory=list, description="Any of these statuses.")
    source: list[Reference] = Field(
        default_factory=list, max_length=20, description="Appearing in any of these sources."
    )
    stated_after: EDTFString | None = Field(
        default=None, description="Stated on or after the first day of this date."
    )
    stated_before: EDTFString | None = Field(
        default=None, description="Stated on or before the last day of this date."
    )
    include_imprecise: bool = Field(
        default=False,
        description="With `stated_after`/`stated_before`: also claims whose imprecise date may "
        "fall in the range (one stated `2019` for `stated_after=2019-09`). By default only "
        "claims certainly stated in it.",
    )
    sort: ClaimSort = Field(
        default="recorded",
        description="`recorded` (the order records were added; stable), `stated`, `updated_at`, "
        "each with `-` for descending, or `relevance` with `q`. `id` breaks ties.",
    )
