"""Load seed/article.json through the services; existing records are left as they are."""

import json
import uuid
from collections import Counter
from pathlib import Path
from typing import Any

from sqlmodel import Session, col, select

from app.models import Claim, Event, EventParticipant, Participant, Role, Source
from app.schemas.claims import AppearanceCreate, ClaimCreate
from app.schemas.events import EventCreate, EventParticipantCreate
from app.schemas.participants import ParticipantCreate, RoleCreate
from app.schemas.sources import SourceCreate
from app.services import claims, event_participants, events, participants, roles, sources

ARTICLE = Path(__file__).with_name("article.json")
# Ids derive from slugs so that every database seeded from this file agrees on them.
NAMESPACE = uuid.UUID("5b0e1f7c-3d8a-4f5e-9c2b-6a1d0e4f8b37")


def seed_id(resource: str, slug: str) -> uuid.UUID:
    """The deterministic id of a seeded record."""
    return uuid.uuid5(NAMESPACE, f"{resource}/{slug}")


def read_article() -> dict[str, Any]:
    """The seed data file, parsed."""
    data: dict[str, Any] = json.loads(ARTICLE.read_text(encoding="utf-8"))
    return data


def load_article(session: Session) -> Counter[str]:
    """Create every seeded record that is missing; return how many of each were created."""
    data = read_article()
    created: Counter[str] = Counter()
    source_slug = data["source"]["slug"]
    if _missing(session, Source, "sources", source_slug):
        # The file's sha256 names the text its offsets refer to; without that text stored,
        # the API keeps no hash (it only keeps one it computed itself).
        body = SourceCreate(**{k: v for k, v in data["source"].items() if k != "sha256"})
        sources.create_source(session, body, record_id=seed_id("sources", source_slug))
        created["sources"] += 1
    for item in data["participants"]:
        if _missing(session, Participant, "participants", item["slug"]):
            participants.create_participant(
                session, ParticipantCreate(**item), record_id=seed_id("participants", item["slug"])
            )
            created["participants"] += 1
    for item in data["roles"]:
        created["roles"] += _load_role(session, item, source_slug)
    for item in data["events"]:
        created.update(_load_event(session, item))
    for item in data["claims"]:
        created["claims"] += _load_claim(session, item, source_slug)
    return +created


def _missing(session: Session, model: Any, resource: str, slug: str) -> bool:
    return session.get(model, seed_id(resource, slug)) is None


def _load_role(session: Session, item: dict[str, Any], source_slug: str) -> int:
    holder = seed_id("participants", item["participant"])
    organization = seed_id("participants", item["organization"]) if item["organization"] else None
    existing = session.exec(
        select(Role).where(
            Role.participant_id == holder,
            Role.title == item["title"],
            Role.organization_id == organization,
        )
    ).first()
    if existing is not None:
        return 0
    roles.add_role(session, str(holder), role_body(item, source_slug))
    return 1


def _load_event(session: Session, item: dict[str, Any]) -> Counter[str]:
    created: Counter[str] = Counter()
    event_id = seed_id("events", item["slug"])
    if _missing(session, Event, "events", item["slug"]):
        fields = {k: v for k, v in item.items() if k not in {"parent", "relations", "participants"}}
        body = EventCreate(
            **fields,
            parent_id=item["parent"],
            relations=[
                {"relation": r["relation"], "event_id": r["event"]} for r in item["relations"]
            ],
        )
        events.create_event(session, body, record_id=event_id)
        created["events"] += 1
    for link in item["participants"]:
        participant_id = seed_id("participants", link["participant"])
        existing = session.exec(
            select(EventParticipant).where(
                EventParticipant.event_id == event_id,
                EventParticipant.participant_id == participant_id,
                col(EventParticipant.role) == link["role"],
            )
        ).first()
        if existing is None:
            body_link = EventParticipantCreate(
                participant_id=str(participant_id), role=link["role"]
            )
            event_participants.add_participant(session, str(event_id), body_link)
            created["event participants"] += 1
    return created


def _load_claim(session: Session, item: dict[str, Any], source_slug: str) -> int:
    if not _missing(session, Claim, "claims", item["slug"]):
        return 0
    body = claim_body(item, source_slug)
    claims.create_claim(session, body, record_id=seed_id("claims", item["slug"]))
    return 1


def role_body(item: dict[str, Any], source_slug: str) -> RoleCreate:
    """The API body of a seeded role."""
    return RoleCreate(
        title=item["title"],
        organization_id=item["organization"],
        start=item["start"],
        end=item["end"],
        source_id=source_slug,
    )


def event_body(item: dict[str, Any]) -> EventCreate:
    """The API body of a seeded event."""
    fields = {k: v for k, v in item.items() if k not in {"parent", "relations", "participants"}}
    return EventCreate(
        **fields,
        parent_id=item["parent"],
        relations=[{"relation": r["relation"], "event_id": r["event"]} for r in item["relations"]],
    )


def claim_body(item: dict[str, Any], source_slug: str) -> ClaimCreate:
    """The API body of a seeded claim."""
    return ClaimCreate(
        slug=item["slug"],
        text=item["text"],
        claim_type=item["claim_type"],
        claimant_id=item["claimant"],
        claimant_role=item["claimant_role"],
        event_id=item["event"],
        stated=item["stated"],
        status=item["status"],
        subjects=[{"type": s["type"], "id": s["slug"]} for s in item["subjects"]],
        relations=[{"relation": r["relation"], "claim_id": r["claim"]} for r in item["relations"]],
        appearances=[AppearanceCreate(source_id=source_slug, **a) for a in item["appearances"]],
    )
