"""Bearer API keys: who is calling, what they may do, and who wrote each record."""

from collections.abc import Callable, Coroutine
from typing import Annotated, Any

from fastapi import Depends, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from sqlalchemy import event
from sqlmodel import Session

from app.config import Settings
from app.db import SessionDep
from app.errors import Forbidden, Unauthorized
from app.models import ApiKey, Record
from app.schemas.keys import KeyScope
from app.services import keys

READ_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})

bearer = HTTPBearer(
    auto_error=False,
    scheme_name="apiKey",
    description=(
        "An API key (`ge_...`) as `Authorization: Bearer <key>`. Writes need the write scope, "
        "/keys the admin scope; reads are public unless the server requires a key for them."
    ),
)
Credentials = Annotated[HTTPAuthorizationCredentials | None, Depends(bearer)]


async def authenticate(session: SessionDep, credentials: Credentials) -> ApiKey | None:
    """The key the request sent, or None; an unknown or revoked key is a 401."""
    if credentials is None:
        session.info.pop("actor", None)
        return None
    key = keys.find_key(session, credentials.credentials)
    if key is None or key.revoked_at is not None:
        raise Unauthorized("the API key is unknown or has been revoked")
    # The handler gets this same session (dependencies are cached per request), so the
    # before_flush listener below stamps its writes with this key.
    session.info["actor"] = key.id
    return key


CallerKey = Annotated[ApiKey | None, Depends(authenticate)]


def check_scope(key: ApiKey | None, scope: KeyScope) -> ApiKey:
    """`key` if it holds `scope`; 401 without a key, 403 with one lacking the scope."""
    if key is None:
        raise Unauthorized(
            f"this request needs an API key with the {scope} scope: "
            "send Authorization: Bearer <key>"
        )
    if scope not in keys.granted(key.scopes):
        raise Forbidden(f"the API key {key.prefix}... lacks the {scope} scope this request needs")
    return key


def require_scope(scope: KeyScope) -> Callable[..., Coroutine[Any, Any, ApiKey]]:
    """A dependency admitting only keys that hold `scope`."""

    async def dependency(key: CallerKey) -> ApiKey:
        return check_scope(key, scope)

    return dependency


def method_access(settings: Settings) -> Callable[..., Coroutine[Any, Any, ApiKey | None]]:
    """A dependency for resource routers: write scope to write; read scope if settings say so."""

    async def dependency(request: Request, key: CallerKey) -> ApiKey | None:
        if request.method not in READ_METHODS:
            return check_scope(key, KeyScope.write)
        if settings.require_key_for_reads:
            return check_scope(key, KeyScope.read)
        return key

    return dependency


@event.listens_for(Session, "before_flush")
def _stamp_authors(session: Session, _context: Any, _instances: Any) -> None:
    """Record the request's key as author of every record inserted or changed."""
    actor = session.info.get("actor")
    if actor is None:
        return
    for row in session.new:
        if isinstance(row, Record):
            row.created_by = actor
            row.updated_by = actor
    for row in session.dirty:
        if isinstance(row, Record) and session.is_modified(row):
            row.updated_by = actor
