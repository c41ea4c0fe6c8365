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
    # The article, and the reference pages cited for what it does not say (roles' dates). The
    # file's sha256 names the text the article's offsets refer to, which is not stored: the
    # loader records it (the API only ever keeps a hash it computed itself).
    for item in [data["source"], *data["references"]]:
        if _missing(session, Source, "sources", item["slug"]):
            body = SourceCreate(**{k: v for k, v in item.items() if k != "sha256"})
            sources.create_source(
                session,
                body,
                record_id=seed_id("sources", item["slug"]),
                recorded_sha256=item.get("sha256"),
            )
            created["sources"] += 1
    for item in data["participants"]:
        if _missing(session, Participant, "participants", item["slug"]):
            participants.create_participant(
                session, ParticipantCreate(**item), record_id=seed_id("participants", item["slug"])
            )
            created["participants"] += 1
    for item in data["roles"]:
        created["roles"] += _load_role(session, item)
    for item in data["events"]:
        created.update(_load_event(session, item))
    for item in data["claims"]:
        created["claims"] += _load_claim(session, item, source_slug, data["source"]["sha256"])
    return +created


def _missing(session: Session, model: Any, resource: str, slug: str) -> bool:
    return session.get(model, seed_id(resource, slug)) is None


def _load_role(session: Session, item: dict[str, Any]) -> int:
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
    roles.add_role(session, str(holder), role_body(item))
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
                participant_id=str(participant_id),
                role=link["role"],
                provenance=link["provenance"],
                provenance_basis=link.get("provenance_basis"),
            )
            event_participants.add_participant(session, str(event_id), body_link)
            created["event participants"] += 1
    return created


def _load_claim(session: Session, item: dict[str, Any], source_slug: str, sha256: str) -> int:
    if not _missing(session, Claim, "claims", item["slug"]):
        return 0
    body = claim_body(item, source_slug)
    # Every quote is at its offsets in the article of this sha256: the test suite checks
    # them against the article's text wherever it is at hand.
    record_id = seed_id("claims", item["slug"])
    claims.create_claim(session, body, record_id=record_id, verified_sha256=sha256)
    return 1


def role_body(item: dict[str, Any]) -> RoleCreate:
    """The API body of a seeded role: cites the source that states it, or is background."""
    return RoleCreate(
        title=item["title"],
        aliases=item["aliases"],
        organization_id=item["organization"],
        start=item["start"],
        end=item["end"],
        source_id=item["source"],
        provenance=item["provenance"],
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
