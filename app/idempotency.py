"""Idempotency-Key on POST: a retry with the same key and body gets the first response again."""

import dataclasses
import datetime as dt
import enum
import hashlib
import logging
import re
from collections.abc import Callable
from contextlib import AbstractContextManager, contextmanager
from typing import Any

import anyio
from fastapi import FastAPI
from sqlalchemy import delete
from sqlalchemy.exc import IntegrityError, OperationalError, SQLAlchemyError
from sqlmodel import Session
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from app.db import get_session
from app.errors import DatabaseUnavailable, problem_response
from app.models import IdempotencyRecord, utcnow

HEADER = "Idempotency-Key"
REPLAYED_HEADER = "Idempotent-Replayed"
# Headers a replay needs to say the same thing as the first response.
STORED_HEADERS = frozenset({b"content-type", b"location", b"etag", b"last-modified"})
_VALID_KEY = re.compile(rb"[\x20-\x7e]{1,255}")
_PATH_LENGTH = 2000
_NOT_STORED = frozenset({401, 403, 429})

SessionFactory = Callable[[], AbstractContextManager[Session]]

log = logging.getLogger(__name__)

IDEMPOTENCY_KEY_PARAMETER: dict[str, Any] = {
    "name": HEADER,
    "in": "header",
    "required": False,
    "description": (
        "Any 1-255 printable ASCII characters, new for each distinct request. A retry with the "
        "same key and body gets the first response again (with `Idempotent-Replayed: true`); "
        "the same key with another body is a 422. Keys expire after IDEMPOTENCY_TTL_SECONDS."
    ),
    "schema": {"type": "string", "minLength": 1, "maxLength": 255},
}


class Verdict(enum.Enum):
    """What the stored record says about a keyed request, when it is not a replay."""

    RESERVED = "reserved"
    IN_PROGRESS = "in progress"
    REUSED = "reused"


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


def dependency_sessions(app: FastAPI) -> SessionFactory:
    """Sessions from the same provider the handlers use, overrides (tests) included."""

    def open_session() -> AbstractContextManager[Session]:
        provider = app.dependency_overrides.get(get_session, get_session)
        return contextmanager(provider)()

    return open_session


def declare_header(schema: dict[str, Any], prefix: str) -> None:
    """Add the optional `Idempotency-Key` header to every POST operation under `prefix`."""
    for path, operations in schema.get("paths", {}).items():
        if path.startswith(prefix) and "post" in operations:
            operations["post"].setdefault("parameters", []).append(IDEMPOTENCY_KEY_PARAMETER)


def _header(scope: Scope, name: bytes) -> bytes | None:
    for key, value in scope["headers"]:
        if key == name:
            return bytes(value)
    return None


def _owner(scope: Scope) -> str:
    # Scoped per credential without a database lookup: two API keys never share key space.
    authorization = _header(scope, b"authorization")
    return "anonymous" if authorization is None else hashlib.sha256(authorization).hexdigest()


def fingerprint(scope: Scope, body: bytes) -> str:
    """SHA-256 over method, path, query string and body, each length-prefixed."""
    digest = hashlib.sha256()
    for part in (scope["method"].encode(), scope["path"].encode(), scope["query_string"], body):
        digest.update(len(part).to_bytes(8, "big"))
        digest.update(part)
    return digest.hexdigest()


async def _read_body(receive: Receive) -> bytes | None:
    """The whole request body, or None if the client went away first."""
    chunks: list[bytes] = []
    while True:
        message = await receive()
        if message["type"] == "http.disconnect":
            return None
        chunks.append(message.get("body", b""))
        if not message.get("more_body", False):
            return b"".join(chunks)


async def _unavailable(scope: Scope, receive: Receive, send: Send) -> None:
    response = problem_response(
        Request(scope),
        DatabaseUnavailable.status,
        DatabaseUnavailable.title,
        "the database is busy or unreachable; nothing was written, retry shortly",
        slug=DatabaseUnavailable.slug,
        headers={"Retry-After": "1"},
    )
    await response(scope, receive, send)


class IdempotencyMiddleware:
    """Record the first response to a keyed POST under `prefix` and replay it for retries."""

    def __init__(
        self, app: ASGIApp, sessions: SessionFactory, ttl_seconds: int, prefix: str
    ) -> None:
        self.app = app
        self.sessions = sessions
        self.ttl = dt.timedelta(seconds=ttl_seconds)
        self.prefix = prefix

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Pass through unless this is a keyed POST under the prefix."""
        key = _header(scope, HEADER.lower().encode()) if scope["type"] == "http" else None
        path = scope.get("path", "")
        if (
            key is None
            or scope["method"] != "POST"
            or not (path == self.prefix or path.startswith(self.prefix + "/"))
        ):
            await self.app(scope, receive, send)
            return
        if not _VALID_KEY.fullmatch(key):
            detail = f"{HEADER} must be 1 to 255 printable ASCII characters"
            response = problem_response(
                Request(scope), 400, "Bad request", detail, slug="bad-request"
            )
            await response(scope, receive, send)
            return
        # Read before reserving: an oversized body raises here, so nothing is stored.
        body = await _read_body(receive)
        if body is None:
            return
        keyed = Keyed(key.decode(), _owner(scope), path[:_PATH_LENGTH], fingerprint(scope, body))
        try:
            verdict = await run_in_threadpool(self._claim, keyed)
        except OperationalError:
            await _unavailable(scope, receive, send)
            return
        if verdict is Verdict.RESERVED:
            await self._run(keyed, body, scope, receive, send)
        else:
            await self._answer(verdict, scope, receive, send)

    async def _run(
        self, keyed: Keyed, body: bytes, scope: Scope, receive: Receive, send: Send
    ) -> None:
        status: int | None = None
        headers: dict[str, str] = {}
        chunks: list[bytes] = []
        body_sent = False

        async def replay_receive() -> Message:
            nonlocal body_sent
            if body_sent:
                return await receive()
            body_sent = True
            return {"type": "http.request", "body": body, "more_body": False}

        async def capture_send(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
                for name, value in message.get("headers", []):
                    if name.lower() in STORED_HEADERS:
                        headers[name.decode("latin-1").lower()] = value.decode("latin-1")
            elif message["type"] == "http.response.body":
                chunks.append(message.get("body", b""))
            await send(message)

        try:
            await self.app(scope, replay_receive, capture_send)
        except BaseException:
            with anyio.CancelScope(shield=True):
                await run_in_threadpool(self._release, keyed)
            raise
        await self._finish(keyed, status, headers, b"".join(chunks))

    async def _finish(
        self, keyed: Keyed, status: int | None, headers: dict[str, str], body: bytes
    ) -> None:
        """Store a final answer; release the key after a transient one so a retry can run."""
        try:
            text = body.decode()
        except UnicodeDecodeError:
            text = None
        # The request never ran (401, 403, 429) or failed transiently (5xx): let a retry run.
        if status is None or status >= 500 or status in _NOT_STORED or text is None:
            await run_in_threadpool(self._release, keyed)
            return
        try:
            await run_in_threadpool(self._store, keyed, Stored(status, text, headers))
        except SQLAlchemyError:
            # The response is already sent; without a record the key simply cannot replay.
            log.exception("could not store the response for an idempotency key")
            await run_in_threadpool(self._release, keyed)

    async def _answer(
        self, verdict: "Verdict | Stored", scope: Scope, receive: Receive, send: Send
    ) -> None:
        request = Request(scope)
        response: Response
        if isinstance(verdict, Stored):
            response = Response(
                verdict.body,
                status_code=verdict.status,
                headers=verdict.headers | {REPLAYED_HEADER: "true"},
            )
        elif verdict is Verdict.IN_PROGRESS:
            response = problem_response(
                request,
                409,
                "Idempotency key in progress",
                f"a request with this {HEADER} is still in progress; retry shortly",
                slug="idempotency-key-in-progress",
                headers={"Retry-After": "1"},
            )
        else:
            response = problem_response(
                request,
                422,
                "Idempotency key reused",
                f"this {HEADER} was already used with a different request; send a new key",
                slug="idempotency-key-reused",
            )
        await response(scope, receive, send)

    def _claim(self, keyed: Keyed) -> "Verdict | Stored":
        """Replay, refuse, or reserve the key in a short transaction of its own."""
        now = utcnow()
        with self.sessions() as session:
            record = session.get(
                IdempotencyRecord, (keyed.key, keyed.owner), populate_existing=True
            )
            if record is not None and record.expires_at > now:
                if record.request_hash != keyed.fingerprint:
                    return Verdict.REUSED
                if record.status_code is None or record.response_body is None:
                    return Verdict.IN_PROGRESS
                return Stored(record.status_code, record.response_body, record.response_headers)
            if record is not None:
                session.delete(record)
                session.flush()
            # Opportunistic cleanup, so expired keys do not pile up.
            session.execute(
                delete(IdempotencyRecord)
                .where(IdempotencyRecord.expires_at <= now)  # type: ignore[arg-type]
                .execution_options(synchronize_session=False)
            )
            session.add(
                IdempotencyRecord(
                    key=keyed.key,
                    owner=keyed.owner,
                    method="POST",
                    path=keyed.path,
                    request_hash=keyed.fingerprint,
                    created_at=now,
                    expires_at=now + self.ttl,
                )
            )
            try:
                session.commit()
            except IntegrityError:
                # Another request reserved the same key between our read and our insert.
                session.rollback()
                return Verdict.IN_PROGRESS
        return Verdict.RESERVED

    def _store(self, keyed: Keyed, stored: Stored) -> None:
        with self.sessions() as session:
            record = session.get(
                IdempotencyRecord, (keyed.key, keyed.owner), populate_existing=True
            )
            if record is None:
                return
            record.status_code = stored.status
            record.response_body = stored.body
            record.response_headers = stored.headers
            session.add(record)
            session.commit()

    def _release(self, keyed: Keyed) -> None:
        """Delete the reservation; failing that, it expires like any other key."""
        try:
            with self.sessions() as session:
                record = session.get(
                    IdempotencyRecord, (keyed.key, keyed.owner), populate_existing=True
                )
                if record is not None and record.status_code is None:
                    session.delete(record)
                    session.commit()
        except SQLAlchemyError:
            log.exception("could not release an idempotency key")
