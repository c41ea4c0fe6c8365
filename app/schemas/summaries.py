"""Records in brief: what a reference carries beside its id, so that a client can label it."""

import uuid

from pydantic import Field

from app.models import EventType, ParticipantKind
from app.schemas.common import DateValue, PublicModel


class ParticipantSummary(PublicModel):
    """A participant in brief."""

    id: uuid.UUID = Field(description="The participant's id.")
    slug: str = Field(description="Its slug.")
    name: str = Field(description="Its name.")
    kind: ParticipantKind = Field(description="What sort of actor it is.")


class EventSummary(PublicModel):
    """An event in brief."""

    id: uuid.UUID = Field(description="The event's id.")
    slug: str = Field(description="Its slug.")
    title: str = Field(description="Its title.")
    event_type: EventType = Field(description="Kind of event.")
    start: DateValue | None = Field(description="When it began, with its precision.")


class SourceSummary(PublicModel):
    """A source in brief."""

    id: uuid.UUID = Field(description="The source's id.")
    slug: str = Field(description="Its slug.")
    title: str = Field(description="Its headline or title.")


class RoleSummary(PublicModel):
    """A role in brief: its title and where it was held."""

    id: uuid.UUID = Field(description="The role's id.")
    title: str = Field(description="The role's title, e.g. Prime Minister.")
    organization: ParticipantSummary | None = Field(
        description="Where the role was held, e.g. Israel; null if not recorded."
    )
