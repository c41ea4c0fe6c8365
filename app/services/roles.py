"""Roles participants held over time: who was what, and when."""

import re
import uuid
from collections.abc import Sequence
from typing import Any

from sqlmodel import Session, col, delete, select

from app.dates import stored_date
from app.errors import NotFound
from app.models import Participant, Role, RoleTitleKey, Source
from app.schemas.common import ShapeQuery
from app.schemas.participants import RoleCreate, RolePublic, RoleUpdate
from app.services import crud, provenance, summaries

_WHITESPACE = re.compile(r"\s+")


def title_key(title: str) -> str:
    """The form role titles are matched in: spacing collapsed, case folded."""
    return _WHITESPACE.sub(" ", title).strip().casefold()


def add_role(session: Session, participant_ref: str, data: RoleCreate) -> RolePublic:
    """Record a role a participant held."""
    participant = crud.get_or_404(session, Participant, participant_ref)
    role = Role(participant_id=participant.id, title=data.title)
    _apply(session, role, data.model_dump(exclude={"title"}))
    session.add(role)
    crud.flush(session, f"role '{data.title}' of '{participant.slug}'")
    _set_title_keys(session, role)
    crud.commit(session, f"role '{data.title}' of '{participant.slug}'")
    return to_public(session, [role])[0]


def list_roles(
    session: Session, participant_ref: str, query: ShapeQuery
) -> crud.Listed[RolePublic]:
    """A page of a participant's roles."""
    participant = crud.get_or_404(session, Participant, participant_ref)
    found, next_cursor, total = crud.paginate(
        session,
        select(Role).where(col(Role.participant_id) == participant.id),
        Role,
        query,
        crud.query_scope(f"roles:{participant.id}", {}),
    )
    return to_public(session, found), next_cursor, total


def read_role(session: Session, participant_ref: str, role_id: uuid.UUID) -> RolePublic:
    """One role of a participant."""
    return to_public(session, [_get_role(session, participant_ref, role_id)])[0]


def update_role(
    session: Session,
    participant_ref: str,
    role_id: uuid.UUID,
    data: RoleUpdate,
    *,
    if_match: str | None = None,
) -> RolePublic:
    """Change the fields sent."""
    role = _get_role(session, participant_ref, role_id)
    crud.check_if_match(role, if_match)
    changes = data.model_dump(exclude_unset=True)
    crud.reject_nulls(changes, ("title",))
    if "title" in changes:
        role.title = changes.pop("title")
    _apply(session, role, changes)
    _set_title_keys(session, role)
    crud.touch(role)
    crud.commit(session, f"role '{role.title}'")
    return to_public(session, [role])[0]


def delete_role(
    session: Session, participant_ref: str, role_id: uuid.UUID, *, if_match: str | None = None
) -> None:
    """Delete a role; claims that cited it keep their role text."""
    role = _get_role(session, participant_ref, role_id)
    crud.check_if_match(role, if_match)
    session.delete(role)
    crud.commit(session, "role")


def _get_role(session: Session, participant_ref: str, role_id: uuid.UUID) -> Role:
    participant = crud.get_or_404(session, Participant, participant_ref)
    role = session.get(Role, role_id)
    if role is None or role.participant_id != participant.id:
        raise NotFound(f"participant '{participant.slug}' has no role {role_id}")
    return role


def _apply(session: Session, role: Role, changes: dict[str, Any]) -> None:
    for name in ("start", "end"):
        if name in changes:
            crud.set_date(role, name, changes[name])
    crud.check_order(role.start_earliest, role.end_latest, ("body", "end"))
    if "organization_id" in changes:
        ref = changes["organization_id"]
        role.organization_id = (
            crud.resolve_ref(session, Participant, ref, ("body", "organization_id")).id
            if ref is not None
            else None
        )
    if "source_id" in changes:
        ref = changes["source_id"]
        role.source_id = (
            crud.resolve_ref(session, Source, ref, ("body", "source_id")).id if ref else None
        )
    if changes.get("aliases") is not None:
        role.aliases = list(dict.fromkeys(changes["aliases"]))
    provenance.apply(role, changes, cites=True)


def _set_title_keys(session: Session, role: Role) -> None:
    # Rewritten whole: a role has a handful of titles.
    session.exec(delete(RoleTitleKey).where(col(RoleTitleKey.role_id) == role.id))
    for key in dict.fromkeys(title_key(t) for t in [role.title, *role.aliases]):
        session.add(RoleTitleKey(role_id=role.id, key=key))


def to_public(session: Session, roles: Sequence[Role]) -> list[RolePublic]:
    """Public form of roles, with where they were held and their sources in brief (two
    queries)."""
    organizations = summaries.participants(session, (r.organization_id for r in roles))
    cited = summaries.sources(session, (r.source_id for r in roles))
    return [
        RolePublic(
            id=r.id,
            participant_id=r.participant_id,
            title=r.title,
            aliases=r.aliases,
            organization_id=r.organization_id,
            organization=summaries.pick(organizations, r.organization_id),
            start=stored_date(r, "start"),
            end=stored_date(r, "end"),
            source_id=r.source_id,
            source=summaries.pick(cited, r.source_id),
            provenance=r.provenance,
            provenance_basis=r.provenance_basis,
            created_at=r.created_at,
            updated_at=r.updated_at,
            version=r.version,
            created_by=r.created_by,
            updated_by=r.updated_by,
        )
        for r in roles
    ]
