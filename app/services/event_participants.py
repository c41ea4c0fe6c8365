"""Links between events and participants, each with a role."""

import uuid
from collections.abc import Sequence

from sqlmodel import Session, col, select

from app.errors import NotFound
from app.models import Event, EventParticipant, Participant
from app.schemas.common import ShapeQuery
from app.schemas.events import (
    EventParticipantCreate,
    EventParticipantPublic,
    EventParticipantUpdate,
)
from app.schemas.summaries import ParticipantSummary
from app.services import crud, provenance, rows, summaries


def add_participant(
    session: Session, event_ref: str, data: EventParticipantCreate
) -> EventParticipantPublic:
    """Attach a participant to an event with a role."""
    event = crud.get_or_404(session, Event, event_ref)
    participant = crud.resolve_ref(
        session, Participant, data.participant_id, ("body", "participant_id")
    )
    link = EventParticipant(
        event_id=event.id, participant_id=participant.id, role=data.role, note=data.note
    )
    provenance.apply(link, data.model_dump(exclude_unset=True), cites=False)
    session.add(link)
    crud.commit(session, f"participant '{participant.slug}' as {data.role} of '{event.slug}'")
    return to_public(session, [link])[0]


def list_event_participants(
    session: Session, event_ref: str, query: ShapeQuery
) -> crud.Listed[EventParticipantPublic]:
    """A page of an event's participants."""
    event = crud.get_or_404(session, Event, event_ref)
    stmt = select(EventParticipant).where(col(EventParticipant.event_id) == event.id)
    return _page(session, stmt, query, f"event-participants:{event.id}")


def list_participant_events(
    session: Session, participant_ref: str, query: ShapeQuery
) -> crud.Listed[EventParticipantPublic]:
    """A page of the events a participant took part in, with their role."""
    participant = crud.get_or_404(session, Participant, participant_ref)
    stmt = select(EventParticipant).where(col(EventParticipant.participant_id) == participant.id)
    return _page(session, stmt, query, f"participant-events:{participant.id}")


def read_event_participant(
    session: Session, event_ref: str, link_id: uuid.UUID
) -> EventParticipantPublic:
    """One participant link of an event."""
    return to_public(session, [_get_link(session, event_ref, link_id)])[0]


def update_event_participant(
    session: Session,
    event_ref: str,
    link_id: uuid.UUID,
    data: EventParticipantUpdate,
    *,
    if_match: str | None = None,
) -> EventParticipantPublic:
    """Change a link's role or note."""
    link = _get_link(session, event_ref, link_id)
    crud.check_if_match(link, if_match)
    changes = data.model_dump(exclude_unset=True)
    crud.reject_nulls(changes, ("role",))
    for name in {"role", "note"} & changes.keys():
        setattr(link, name, changes[name])
    provenance.apply(link, changes, cites=False)
    crud.touch(link)
    crud.commit(session, "participant link")
    return to_public(session, [link])[0]


def remove_participant(
    session: Session, event_ref: str, link_id: uuid.UUID, *, if_match: str | None = None
) -> None:
    """Detach a participant from an event."""
    link = _get_link(session, event_ref, link_id)
    crud.check_if_match(link, if_match)
    session.delete(link)
    crud.commit(session, "participant link")


def _get_link(session: Session, event_ref: str, link_id: uuid.UUID) -> EventParticipant:
    event = crud.get_or_404(session, Event, event_ref)
    link = session.get(EventParticipant, link_id)
    if link is None or link.event_id != event.id:
        raise NotFound(f"event '{event.slug}' has no participant link {link_id}")
    return link


def _page(
    session: Session, stmt: crud.SelectOf[EventParticipant], query: ShapeQuery, name: str
) -> crud.Listed[EventParticipantPublic]:
    found, next_cursor, total = crud.paginate(
        session, stmt, EventParticipant, query, crud.query_scope(name, {})
    )
    return to_public(session, found), next_cursor, total


def to_public(
    session: Session,
    links: Sequence[EventParticipant],
    events: dict[uuid.UUID, Event] | None = None,
) -> list[EventParticipantPublic]:
    """Public form of links with their event and participant in brief (two queries, one if
    the caller has the `events` already)."""
    if events is None:
        events = rows.by_id(session, Event, {link.event_id for link in links})
    participants = rows.by_id(session, Participant, {link.participant_id for link in links})
    return [
        EventParticipantPublic(
            id=link.id,
            event_id=link.event_id,
            participant_id=link.participant_id,
            role=link.role,
            note=link.note,
            provenance=link.provenance,
            provenance_basis=link.provenance_basis,
            participant=ParticipantSummary.model_validate(participants[link.participant_id]),
            event=summaries.event_summary(events[link.event_id]),
            created_at=link.created_at,
            updated_at=link.updated_at,
            version=link.version,
            created_by=link.created_by,
            updated_by=link.updated_by,
        )
        for link in links
    ]
