"""Secrets the server makes for itself once and keeps in the database, shared by every process."""

import secrets

from sqlalchemy.exc import IntegrityError
from sqlmodel import Session

from app.models import ServerSecret

CURSOR_SECRET = "cursor"


def ensure_secret(session: Session, name: str) -> str:
    """The secret stored as `name`, made (random, 256 bits) and stored if there is none."""
    found = session.get(ServerSecret, name)
    if found is not None:
        return found.value
    made = ServerSecret(name=name, value=secrets.token_urlsafe(32))
    session.add(made)
    try:
        session.commit()
    except IntegrityError:
        # Another process made it first: every process must use that one.
        session.rollback()
        stored = session.get(ServerSecret, name)
        assert stored is not None
        return stored.value
    return made.value
