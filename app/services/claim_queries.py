"""Claims as the API lists them: all, an event's, or a participant's (read by app.query.claims)."""

from sqlalchemy import or_
from sqlmodel import Session, col, select

from app.models import Claim, ClaimSubject, Event, Participant
from app.query import claims as claim_list
from app.query.claims import ClaimPage, Shape
from app.schemas.claims import ClaimQuery
from app.services import crud

__all__ = ["ClaimPage", "Shape", "list_claims", "list_event_claims", "list_participant_claims"]


def list_claims(session: Session, query: ClaimQuery, shape: Shape = None) -> ClaimPage:
    """A page of matching claims in the order asked for, with matches under `q`; public models
    unless `shape` makes the page's records into something else."""
    return claim_list.list_claims(session, query, shape=shape)


def list_event_claims(
    session: Session, event_ref: str, query: ClaimQuery, shape: Shape = None
) -> ClaimPage:
    """A page of the matching claims made at an event or about it."""
    event = crud.get_or_404(session, Event, event_ref)
    about = select(ClaimSubject.claim_id).where(col(ClaimSubject.event_id) == event.id)
    base = or_(col(Claim.event_id) == event.id, col(Claim.id).in_(about))
    return claim_list.list_claims(session, query, (base,), f"event-claims:{event.id}", shape)


def list_participant_claims(
    session: Session, participant_ref: str, query: ClaimQuery, shape: Shape = None
) -> ClaimPage:
    """A page of the matching claims a participant made or that are about them."""
    participant = crud.get_or_404(session, Participant, participant_ref)
    about = select(ClaimSubject.claim_id).where(col(ClaimSubject.participant_id) == participant.id)
    base = or_(col(Claim.claimant_id) == participant.id, col(Claim.id).in_(about))
    name = f"participant-claims:{participant.id}"
    return claim_list.list_claims(session, query, (base,), name, shape)
