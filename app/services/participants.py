"""Participants: people, states, organisations and groups, with external identifiers."""

import uuid
from collections import defaultdict
from collections.abc import Sequence

from sqlmodel import Session, col, delete, select

from app.errors import Conflict
from app.models import (
    CLASSIFICATION_SCHEMES,
    Claim,
    ClaimSubject,
    EventParticipant,
    Participant,
    ParticipantIdentifier,
    Role,
)
from app.schemas.participants import (
    ParticipantCreate,
    ParticipantPublic,
    ParticipantUpdate,
)
from app.services import crud, slugs

_REQUIRED = ("slug", "name", "kind", "aliases", "identifiers")
_SCALARS = {"slug", "name", "kind", "aliases", "country", "description"}


def create_participant(
    session: Session, data: ParticipantCreate, *, record_id: uuid.UUID | None = None
) -> ParticipantPublic:
    """Store a new participant and its identifiers."""
    record_id = record_id or uuid.uuid4()
    slug = data.slug or slugs.new_slug(session, Participant, data.name, record_id)
    participant = Participant(id=record_id, **data.model_dump(include=_SCALARS) | {"slug": slug})
    session.add(participant)
    crud.flush(session, f"participant '{slug}'")
    _set_identifiers(session, participant, data.identifiers)
    crud.commit(session, f"participant '{slug}'")
    return to_public(session, [participant])[0]


def read_participant(session: Session, ref: str) -> ParticipantPublic:
    """One participant by id or slug."""
    return to_public(session, [crud.get_or_404(session, Participant, ref)])[0]


def update_participant(
    session: Session, ref: str, data: ParticipantUpdate, *, if_match: str | None = None
) -> ParticipantPublic:
    """Change the fields sent; `identifiers` replaces the whole mapping."""
    participant = crud.get_or_404(session, Participant, ref)
    crud.check_if_match(participant, if_match)
    changes = data.model_dump(exclude_unset=True)
    crud.reject_nulls(changes, _REQUIRED)
    # Nothing is flushed before the commit, so that a taken slug surfaces there as a 409.
    with session.no_autoflush:
        for name in _SCALARS & changes.keys():
            setattr(participant, name, changes[name])
        if data.identifiers is not None:
            session.exec(
                delete(ParticipantIdentifier).where(
                    col(ParticipantIdentifier.participant_id) == participant.id
                )
            )
            _set_identifiers(session, participant, data.identifiers)
    crud.touch(participant)
    crud.commit(session, f"participant '{participant.slug}'")
    return to_public(session, [participant])[0]


def delete_participant(session: Session, ref: str, *, if_match: str | None = None) -> None:
    """Delete a participant and its roles, unless events, claims or roles refer to it."""
    participant = crud.get_or_404(session, Participant, ref)
    crud.check_if_match(participant, if_match)
    count = crud.counter(session)
    pid = participant.id
    crud.ensure_unreferenced(
        [
            (
                "event participations",
                count(EventParticipant, col(EventParticipant.participant_id) == pid),
            ),
            ("claims made by it", count(Claim, col(Claim.claimant_id) == pid)),
            ("claims about it", count(ClaimSubject, col(ClaimSubject.participant_id) == pid)),
            ("roles held in it", count(Role, col(Role.organization_id) == pid)),
        ],
        f"participant '{participant.slug}'",
    )
    # Roles, their title keys and identifiers go by ON DELETE CASCADE, after the history hooks
    # have kept them for a restore.
    session.delete(participant)
    crud.commit(session, f"participant '{participant.slug}'")


def _set_identifiers(
    session: Session, participant: Participant, identifiers: dict[str, str]
) -> None:
    for scheme, value in identifiers.items():
        if scheme in CLASSIFICATION_SCHEMES:
            # A classification code, not an identity: several participants may share it.
            session.add(
                ParticipantIdentifier(participant_id=participant.id, scheme=scheme, value=value)
            )
            continue
        holder = session.exec(
            select(ParticipantIdentifier).where(
                ParticipantIdentifier.scheme == scheme,
                ParticipantIdentifier.value == value,
                col(ParticipantIdentifier.participant_id) != participant.id,
            )
        ).first()
        if holder is not None:
            raise Conflict(f"{scheme} identifier {value} already belongs to another participant")
        session.add(
            ParticipantIdentifier(participant_id=participant.id, scheme=scheme, value=value)
        )


def to_public(session: Session, participants: Sequence[Participant]) -> list[ParticipantPublic]:
    """Public form of participants, loading their identifiers in one query."""
    identifiers: dict[uuid.UUID, dict[str, str]] = defaultdict(dict)
    ids = [p.id for p in participants]
    if ids:
        rows = session.exec(
            select(ParticipantIdentifier)
            .where(col(ParticipantIdentifier.participant_id).in_(ids))
            .order_by(col(ParticipantIdentifier.scheme))
        )
        for row in rows:
            identifiers[row.participant_id][row.scheme] = row.value
    return [
        ParticipantPublic(
            id=p.id,
            slug=p.slug,
            name=p.name,
            kind=p.kind,
            aliases=list(p.aliases),
            country=p.country,
            description=p.description,
            identifiers=identifiers[p.id],
            created_at=p.created_at,
            updated_at=p.updated_at,
            version=p.version,
            created_by=p.created_by,
            updated_by=p.updated_by,
        )
        for p in participants
    ]
