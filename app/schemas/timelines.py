"""Response and query models of a participant's timeline and network."""

import uuid
from typing import Literal

from pydantic import Field

from app.models import ClaimType, EventType, ParticipantRole
from app.schemas.common import DateValue, EDTFString, InputModel, PublicModel, ShapeQuery
from app.schemas.summaries import EventSummary, ParticipantSummary


class DateRange(InputModel):
    """A date range with honest precision."""

    start_after: EDTFString | None = Field(
        default=None, description="Dated (events: started) on or after the first day of this date."
    )
    start_before: EDTFString | None = Field(
        default=None, description="Dated (events: started) on or before the last day of this date."
    )
    include_imprecise: bool = Field(
        default=False,
        description="With `start_after`/`start_before`: also items whose imprecise date may fall "
        "in the range. By default only those certainly in it; undated items never are.",
    )


class TimelineQuery(DateRange, ShapeQuery):
    """Query of GET /participants/{id}/timeline."""


class TimelineEvent(EventSummary):
    """An event of a timeline, with the participant's part in it."""

    role: ParticipantRole = Field(description="The participant's part in the event.")


class TimelineClaim(PublicModel):
    """A claim of a timeline, in brief."""

    id: uuid.UUID
    slug: str
    text: str = Field(description="What was stated.")
    claim_type: ClaimType = Field(description="quote, paraphrase, report, assessment, allegation.")
    stated: DateValue | None = Field(description="When it was said.")


class TimelineItem(PublicModel):
    """One entry of a timeline: an event taken part in, or a claim made."""

    kind: Literal["event", "claim"] = Field(description="Which of `event` and `claim` is set.")
    date: DateValue | None = Field(description="The event's start or the claim's date.")
    event: TimelineEvent | None = Field(description="The event, when `kind` is `event`.")
    claim: TimelineClaim | None = Field(description="The claim, when `kind` is `claim`.")


NETWORK_LIMIT = 100


class NetworkQuery(DateRange):
    """Query of GET /participants/{id}/network: which shared events count, and how many others."""

    event_type: list[EventType] = Field(
        default_factory=list, description="Count only events of these types."
    )
    # 100 others of 20 shared events each: an answer of at most about 400 KB.
    limit: int = Field(
        default=50, ge=1, le=NETWORK_LIMIT, description="At most this many others, 1 to 100."
    )


class SharedEvent(PublicModel):
    """An event both took part in, in brief."""

    id: uuid.UUID
    slug: str
    title: str
    start: DateValue | None


class RolePair(PublicModel):
    """How often the two met in one pair of parts (`host` and `visitor`)."""

    role: ParticipantRole = Field(description="The participant's part.")
    other_role: ParticipantRole = Field(description="The other participant's part.")
    count: int = Field(description="Shared events with this pair of parts.")


class Connection(PublicModel):
    """Another participant sharing events with this one."""

    participant: ParticipantSummary = Field(description="The other participant.")
    count: int = Field(description="How many events they share.")
    events: list[SharedEvent] = Field(description="Up to 20 shared events, most recent first.")
    roles: list[RolePair] = Field(description="The pairs of parts they had, by role.")


class Network(PublicModel):
    """Who a participant met or faced, most often first."""

    participant: ParticipantSummary = Field(description="Whose network this is.")
    connections: list[Connection] = Field(
        description="Others sharing events with it: most shared events first, then by name."
    )
