"""API keys: issue, look up by hash, list, revoke."""

import hashlib
import secrets
import uuid
from collections.abc import Iterable

from sqlmodel import Session, col, select

from app.errors import Conflict
from app.models import ApiKey, KeyEvent, utcnow
from app.schemas.common import ShapeQuery
from app.schemas.keys import (
    KeyAction,
    KeyCreate,
    KeyCreated,
    KeyEventPublic,
    KeyEventQuery,
    KeyPublic,
    KeyScope,
    KeyVia,
)
from app.services import crud

KEY_PREFIX = "ge_"
# How many characters of a key its listed prefix shows beyond `ge_`: enough to tell keys
# apart, too few to help guess one.
SHOWN_CHARACTERS = 4
BOOTSTRAP_NAME = "bootstrap admin"
# Each scope with the ones it implies.
_IMPLIED = {
    KeyScope.read: {KeyScope.read},
    KeyScope.write: {KeyScope.read, KeyScope.write},
    KeyScope.admin: {KeyScope.read, KeyScope.write, KeyScope.admin},
}


def granted(scopes: Iterable[str]) -> set[KeyScope]:
    """Every scope a key holding `scopes` has, implied ones included."""
    return {implied for scope in scopes for implied in _IMPLIED[KeyScope(scope)]}


def hash_key(plain: str) -> str:
    """The stored form of a key: its SHA-256 in hex."""
    return hashlib.sha256(plain.encode()).hexdigest()


def new_key() -> str:
    """A fresh random key, `ge_` and 43 URL-safe characters."""
    return KEY_PREFIX + secrets.token_urlsafe(32)


def shown_prefix(plain: str) -> str:
    """The few characters of a key that lists show: `ge_` and 4 more, or any other key's first 4."""
    known = KEY_PREFIX if plain.startswith(KEY_PREFIX) else ""
    return plain[: len(known) + SHOWN_CHARACTERS]


def _row(plain: str, name: str, scopes: Iterable[str], created_by: uuid.UUID | None) -> ApiKey:
    ordered = sorted({KeyScope(s) for s in scopes}, key=list(KeyScope).index)
    return ApiKey(
        name=name,
        prefix=shown_prefix(plain),
        key_hash=hash_key(plain),
        scopes=[str(s) for s in ordered],
        created_by=created_by,
    )


def _audit(session: Session, row: ApiKey, action: KeyAction, via: KeyVia) -> None:
    # Dated as the key itself records the change, so that the two agree exactly.
    at = (row.created_at if action is KeyAction.created else row.revoked_at) or utcnow()
    actor = session.info.get("actor")
    session.add(KeyEvent(key_id=row.id, action=action, actor_id=actor, via=via, created_at=at))


def create_key(session: Session, data: KeyCreate, via: KeyVia = KeyVia.api) -> KeyCreated:
    """Issue a key; the request's own key (if any) is recorded as its creator, and audited."""
    plain = new_key()
    row = _row(plain, data.name, data.scopes, session.info.get("actor"))
    session.add(row)
    crud.flush(session, f"key '{data.name}'")
    _audit(session, row, KeyAction.created, via)
    crud.commit(session, f"key '{data.name}'")
    return KeyCreated(**to_public([row])[0].model_dump(), key=plain)


def ensure_key(session: Session, plain: str, name: str, scopes: Iterable[str]) -> ApiKey:
    """The key whose value is `plain`, created with `name` and `scopes` if there is none."""
    found = find_key(session, plain)
    if found is not None:
        return found
    row = _row(plain, name, scopes, None)
    session.add(row)
    crud.commit(session, f"key '{name}'")
    return row


def ensure_bootstrap_key(session: Session, plain: str) -> ApiKey:
    """The admin key `plain`, created if missing; bootstrap keys of earlier values are revoked.

    Replicas started together with the same key each find it missing, and all but the first to
    commit then break the key's uniqueness: those look again, and find it.
    """
    try:
        return _ensure_bootstrap_key(session, plain)
    except Conflict:
        return _ensure_bootstrap_key(session, plain)


def _ensure_bootstrap_key(session: Session, plain: str) -> ApiKey:
    found = find_key(session, plain)
    replaced = session.exec(
        select(ApiKey).where(col(ApiKey.bootstrap), col(ApiKey.revoked_at).is_(None))
    ).all()
    for old in replaced:
        if found is None or old.id != found.id:
            old.revoked_at = utcnow()
            _audit(session, old, KeyAction.revoked, KeyVia.startup)
    if found is None:
        found = _row(plain, BOOTSTRAP_NAME, [KeyScope.admin], None)
        found.bootstrap = True
        session.add(found)
        crud.flush(session, f"key '{BOOTSTRAP_NAME}'")
        _audit(session, found, KeyAction.created, KeyVia.startup)
    crud.commit(session, f"key '{BOOTSTRAP_NAME}'")
    return found


def find_key(session: Session, plain: str) -> ApiKey | None:
    """The key whose value is `plain`, revoked or not, by its indexed hash."""
    return session.exec(select(ApiKey).where(ApiKey.key_hash == hash_key(plain))).first()


def list_keys(session: Session, query: ShapeQuery) -> crud.Listed[KeyPublic]:
    """Keys in the order they were created, one keyset page at a time."""
    found, next_cursor, total = crud.paginate(
        session, select(ApiKey), ApiKey, query, crud.query_scope("keys", {})
    )
    return to_public(found), next_cursor, total


def read_key(session: Session, key_id: uuid.UUID) -> KeyPublic:
    """One key by id."""
    return to_public([crud.get_or_404(session, ApiKey, key_id)])[0]


def revoke_key(session: Session, key_id: uuid.UUID, via: KeyVia = KeyVia.api) -> KeyPublic:
    """Stop a key working from now on, audited; revoking it again keeps the first time."""
    row = crud.get_or_404(session, ApiKey, key_id)
    if row.revoked_at is None:
        row.revoked_at = utcnow()
        _audit(session, row, KeyAction.revoked, via)
        crud.commit(session, f"key {key_id}")
    return to_public([row])[0]


def to_public(rows: Iterable[ApiKey]) -> list[KeyPublic]:
    """Public form of keys: never the hash."""
    return [KeyPublic.model_validate(row) for row in rows]


def list_key_events(session: Session, query: KeyEventQuery) -> crud.Listed[KeyEventPublic]:
    """The audit trail of key management, oldest first, optionally of one key."""
    stmt = select(KeyEvent)
    if query.key_id is not None:
        stmt = stmt.where(col(KeyEvent.key_id) == query.key_id)
    scope = crud.query_scope("key events", {"key_id": query.key_id})
    rows, next_cursor, total = crud.paginate(session, stmt, KeyEvent, query, scope)
    return [KeyEventPublic.model_validate(row) for row in rows], next_cursor, total
