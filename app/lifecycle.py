"""Readiness beyond a database that answers: the schema at head, and draining on shutdown."""

import threading

from sqlmodel import Session

from app.errors import AppError
from app.migrate import schema_at_head


class NotReady(AppError):
    """The process is up but must not get traffic: draining, or the schema is behind."""

    status = 503
    slug = "not-ready"
    title = "Not ready"
    headers = {"Retry-After": "5"}  # noqa: RUF012


class _State:
    """What /ready reports besides the database; set from the launcher's signal handling."""

    def __init__(self) -> None:
        self.draining = threading.Event()
        # Databases found at head: a running process's schema does not go back, so each
        # is checked until it holds, then never again.
        self.at_head: set[str] = set()


STATE = _State()


def start_draining() -> None:
    """Make /ready answer 503 from now on, so that load balancers take this process out."""
    STATE.draining.set()


def check_ready(session: Session) -> None:
    """Raise NotReady while draining or while the database's schema is not at head."""
    if STATE.draining.is_set():
        raise NotReady("the server is shutting down; requests go to another replica")
    database = str(session.get_bind().engine.url)
    if database not in STATE.at_head:
        if not schema_at_head(session):
            raise NotReady("the database schema is not at the version this code needs; migrate")
        STATE.at_head.add(database)
