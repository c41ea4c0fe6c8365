"""API keys: issue, look up by hash, list, revoke."""

import hashlib
import secrets
import uuid
from collections.abc import Iterable

from sqlmodel import Session, select

from app.models import ApiKey, utcnow
from app.schemas.common import ShapeQuery
from app.schemas.keys import KeyCreate, KeyCreated, KeyPublic, KeyScope
from app.services import crud

KEY_PREFIX = "ge_"
SHOWN_PREFIX_LENGTH = 10
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


def _row(plain: str, name: str, scopes: Iterable[str], created_by: uuid.UUID | None) -> ApiKey:
    ordered = sorted({KeyScope(s) for s in scopes}, key=list(KeyScope).index)
    return ApiKey(
        name=name,
        prefix=plain[:SHOWN_PREFIX_LENGTH],
        key_hash=hash_key(plain),
        scopes=[str(s) for s in ordered],
        created_by=created_by,
    )


def create_key(session: Session, data: KeyCreate) -> KeyCreated:
    """Issue a key; the request's own key (if any) is recorded as its creator."""
    plain = new_key()
    row = _row(plain, data.name, data.scopes, session.info.get("actor"))
    session.add(row)
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


def revoke_key(session: Session, key_id: uuid.UUID) -> KeyPublic:
    """Stop a key working from now on; revoking it again keeps the first time."""
    row = crud.get_or_404(session, ApiKey, key_id)
    if row.revoked_at is None:
        row.revoked_at = utcnow()
        crud.commit(session, f"key {key_id}")
    return to_public([row])[0]


def to_public(rows: Iterable[ApiKey]) -> list[KeyPublic]:
    """Public form of keys: never the hash."""
    return [KeyPublic.model_validate(row) for row in rows]
