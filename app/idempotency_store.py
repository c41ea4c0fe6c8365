"""The transaction of a keyed POST: its idempotency record commits with the write it guards.

A keyed request runs in one database transaction that the middleware opens and commits. The
record is inserted first (uncommitted, so invisible to others), the handler's own commits become
savepoints of that transaction, and the record is completed with the response just before the
one real commit. No crash or lost connection can separate the write from its record: both are
committed or neither is. A second request with the same key waits for the first one's
transaction (SQLite: the write lock taken at BEGIN IMMEDIATE; PostgreSQL: the primary key of
the uncommitted record) and then replays what it committed, or runs if it rolled back. A
request that dies (killed process, lost connection) leaves nothing behind: the database rolls
its transaction back as soon as the connection is gone, releasing the key at once.
"""

import dataclasses
import datetime as dt
import enum
import json
import logging
from collections.abc import Callable
from contextlib import AbstractContextManager
from typing import Any

from sqlalchemy import delete, select, tuple_
from sqlalchemy.exc import IntegrityError, SQLAlchemyError
from sqlmodel import Session

from app.models import ApiKey, IdempotencyRecord, utcnow
from app.services import keys

SessionFactory = Callable[[], AbstractContextManager[Session]]
# Responses whose named fields are secrets: stored without them (replayed as null).
SECRET_FIELDS: dict[str, tuple[str, ...]] = {"/keys": ("key",)}
# Expired records removed by each reservation, so that cleanup stays a small statement.
_CLEANUP_BATCH = 100

log = logging.getLogger(__name__)


class Verdict(enum.Enum):
    """What the stored records say about a keyed request, when it is not a replay."""

    RESERVED = "reserved"
    RACED = "raced"
    REUSED = "reused"
    UNAUTHENTICATED = "unauthenticated"


@dataclasses.dataclass(frozen=True)
class Stored:
    """A completed first response, detached from its session."""

    status: int
    body: str
    headers: dict[str, str]


@dataclasses.dataclass(frozen=True)
class Keyed:
    """A POST carrying a valid Idempotency-Key: who sent it and what it asks."""

    key: str
    owner: str
    path: str
    fingerprint: str
    authorization: str | None


def commit_transaction(session: Session) -> None:
    """The one real commit of a keyed request (a seam for tests that lose the connection)."""
    session.commit()


class KeyedTransaction:
    """One keyed request's transaction: `outer` holds the record, `inner` is the handler's."""

    def __init__(self, sessions: SessionFactory, ttl: dt.timedelta) -> None:
        self._context = sessions()
        self.outer = self._context.__enter__()
        self.ttl = ttl
        self.inner: Session | None = None

    def claim(self, keyed: Keyed) -> "Verdict | Stored":
        """Begin, check the caller, then replay, refuse or reserve the key."""
        # BEGIN IMMEDIATE on SQLite: keyed writes queue for the write lock from the start.
        connection = self.outer.connection(execution_options={"sqlite_begin": "IMMEDIATE"})
        if not _authenticated(self.outer, keyed.authorization):
            return Verdict.UNAUTHENTICATED
        now = utcnow()
        record = self.outer.get(IdempotencyRecord, (keyed.key, keyed.owner), populate_existing=True)
        if record is not None and record.expires_at > now and record.status_code is not None:
            if record.request_hash != keyed.fingerprint or record.response_body is None:
                return Verdict.REUSED
            return Stored(record.status_code, record.response_body, record.response_headers)
        if record is not None:
            # Expired, or a reservation committed without its response by an older release.
            self.outer.delete(record)
        self._clean_expired(now)
        self.outer.add(_reservation(keyed, now, self.ttl))
        try:
            self.outer.flush()
        except IntegrityError:
            # Another request with this key committed first: the caller starts over.
            return Verdict.RACED
        self.inner = Session(
            bind=connection, join_transaction_mode="create_savepoint", expire_on_commit=False
        )
        self.inner.info["held"] = True
        return Verdict.RESERVED

    def _clean_expired(self, now: dt.datetime) -> None:
        table = IdempotencyRecord.__table__  # type: ignore[attr-defined]
        expired = (
            select(table.c.key, table.c.owner)
            .where(table.c.expires_at <= now)
            .limit(_CLEANUP_BATCH)
            # PostgreSQL: rows another cleanup holds are skipped, so cleanups never deadlock.
            .with_for_update(skip_locked=True)
        )
        self.outer.execute(
            delete(table)
            .where(tuple_(table.c.key, table.c.owner).in_(expired.scalar_subquery()))
            .execution_options(synchronize_session=False)
        )

    def complete(self, keyed: Keyed, stored: Stored) -> None:
        """Write the response into the reservation, in the request's transaction."""
        self.close_inner()
        record = self.outer.get(IdempotencyRecord, (keyed.key, keyed.owner))
        if record is None:
            # A handler sharing this transaction rolled it back (an import's dry run, when its
            # sessions share one connection): the reservation goes back in with its response.
            record = _reservation(keyed, utcnow(), self.ttl)
        record.status_code = stored.status
        record.response_body = _without_secrets(keyed.path, stored.body)
        record.response_headers = stored.headers
        self.outer.add(record)
        self.outer.flush()

    def commit(self) -> None:
        """The one real commit of the request: its write and its record together."""
        commit_transaction(self.outer)

    def abandon(self) -> None:
        """Roll the whole request back, its write and its reservation; a failure to roll back
        leaves the same: nothing is committed, and the connection's end rolls it back."""
        self.close_inner()
        try:
            self.outer.rollback()
        except SQLAlchemyError:
            log.warning("could not roll back a keyed request", exc_info=True)

    def close_inner(self) -> None:
        """Close the handler's session; what it did stays in the transaction."""
        if self.inner is not None:
            self.inner.close()
            self.inner = None

    def close(self) -> None:
        """Give the connection back (rolling back whatever was not committed)."""
        self.close_inner()
        self._context.__exit__(None, None, None)


def _authenticated(session: Session, authorization: str | None) -> bool:
    # Replays and reservations only for a caller whose key works now: a revoked key gets the
    # app's own 401, not the stored answer to what it sent before.
    if authorization is None:
        return True
    scheme, _, token = authorization.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        return False
    found: ApiKey | None = keys.find_key(session, token.strip())
    return found is not None and found.revoked_at is None


def _reservation(keyed: Keyed, now: dt.datetime, ttl: dt.timedelta) -> IdempotencyRecord:
    return IdempotencyRecord(
        key=keyed.key,
        owner=keyed.owner,
        method="POST",
        path=keyed.path,
        request_hash=keyed.fingerprint,
        created_at=now,
        expires_at=now + ttl,
    )


def _without_secrets(path: str, body: str) -> str:
    names = next((v for k, v in SECRET_FIELDS.items() if path.endswith(k)), ())
    if not names:
        return body
    try:
        document: Any = json.loads(body)
    except ValueError:
        return body
    if isinstance(document, dict):
        document.update({name: None for name in names if name in document})
    return json.dumps(document)
