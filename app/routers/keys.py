"""Routes of /keys: API key management (admin scope, given at include time)."""

import uuid
from typing import Annotated

from fastapi import APIRouter, Path, Query, Request, Response, status

from app.db import SessionDep
from app.routers.common import created, listed, problem_responses
from app.schemas.common import Page, ShapeQuery
from app.schemas.keys import KeyCreate, KeyCreated, KeyEventPublic, KeyEventQuery, KeyPublic
from app.services import keys

router = APIRouter(prefix="/keys", tags=["keys"])

KeyId = Annotated[uuid.UUID, Path(description="The key's UUID.")]


@router.post(
    "",
    status_code=status.HTTP_201_CREATED,
    responses=problem_responses(400, 422),
    operation_id="create_key",
    summary="Create an API key",
)
def create_key(data: KeyCreate, session: SessionDep, response: Response) -> KeyCreated:
    """Issue a key; the response is the only place the key itself is ever shown."""
    key = keys.create_key(session, data)
    created(response, f"/keys/{key.id}")
    return key


@router.get(
    "", responses=problem_responses(400, 422), operation_id="list_keys", summary="List API keys"
)
def list_keys(
    request: Request,
    response: Response,
    session: SessionDep,
    query: Annotated[ShapeQuery, Query()],
) -> Page[KeyPublic]:
    """Keys in the order they were created, revoked ones included."""
    return listed(request, response, Page[KeyPublic], keys.list_keys(session, query), query)


@router.get(
    "/events",
    responses=problem_responses(400, 422),
    operation_id="list_key_events",
    summary="Audit trail of API keys",
)
def list_key_events(
    request: Request,
    response: Response,
    session: SessionDep,
    query: Annotated[KeyEventQuery, Query()],
) -> Page[KeyEventPublic]:
    """Who created or revoked which key, when and how, oldest first."""
    found = keys.list_key_events(session, query)
    return listed(request, response, Page[KeyEventPublic], found, query)


@router.get(
    "/{key_id}",
    responses=problem_responses(404, 422),
    operation_id="read_key",
    summary="Read an API key",
)
def read_key(key_id: KeyId, session: SessionDep) -> KeyPublic:
    """One key's name, prefix, scopes and state; never the key."""
    return keys.read_key(session, key_id)


@router.delete(
    "/{key_id}",
    status_code=status.HTTP_204_NO_CONTENT,
    responses=problem_responses(404, 422),
    operation_id="revoke_key",
    summary="Revoke an API key",
)
def revoke_key(key_id: KeyId, session: SessionDep) -> None:
    """The key stops working at once; it stays listed with its `revoked_at`."""
    keys.revoke_key(session, key_id)


routers = [router]
