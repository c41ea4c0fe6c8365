"""Records in brief for the references of others: one lookup per kind for a whole page."""

import uuid
from collections.abc import Iterable
from typing import TypeVar

from sqlmodel import Session

from app.dates import stored_date
from app.models import Event, Participant, Role, Source
from app.schemas.summaries import EventSummary, ParticipantSummary, RoleSummary, SourceSummary
from app.services import rows

Ids = Iterable[uuid.UUID | None]
S = TypeVar("S")


def _present(ids: Ids) -> set[uuid.UUID]:
    return {i for i in ids if i is not None}


def participants(session: Session, ids: Ids) -> dict[uuid.UUID, ParticipantSummary]:
    """The participants of `ids` (None skipped) in brief, in one lookup."""
    found = rows.by_id(session, Participant, _present(ids))
    return {k: ParticipantSummary.model_validate(v) for k, v in found.items()}


def events(session: Session, ids: Ids) -> dict[uuid.UUID, EventSummary]:
    """The events of `ids` (None skipped) in brief, in one lookup."""
    return {k: event_summary(v) for k, v in rows.by_id(session, Event, _present(ids)).items()}


def sources(session: Session, ids: Ids) -> dict[uuid.UUID, SourceSummary]:
    """The sources of `ids` (None skipped) in brief, in one lookup."""
    found = rows.by_id(session, Source, _present(ids))
    return {k: SourceSummary.model_validate(v) for k, v in found.items()}


def event_summary(event: Event) -> EventSummary:
    """An event record in brief."""
    return EventSummary(
        id=event.id,
        slug=event.slug,
        title=event.title,
        event_type=event.event_type,
        start=stored_date(event, "start"),
    )


def role_summary(role: Role, organizations: dict[uuid.UUID, ParticipantSummary]) -> RoleSummary:
    """A role record in brief, its organization taken from `organizations`."""
    organization = organizations.get(role.organization_id) if role.organization_id else None
    return RoleSummary(id=role.id, title=role.title, organization=organization)


def pick(found: dict[uuid.UUID, S], key: uuid.UUID | None) -> S | None:
    """`found[key]`, or None for no key."""
    return None if key is None else found[key]
