"""Idempotency-Key on POST: a retry with the same key and body gets the first response again."""

import datetime as dt
import hashlib
import logging
import re
from contextlib import AbstractContextManager, contextmanager
from typing import Any

import anyio
from fastapi import FastAPI
from sqlalchemy.exc import SQLAlchemyError
from sqlmodel import Session
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from app.db import HELD_SESSION, get_session
from app.errors import DatabaseUnavailable, OutcomeUnknown, log_unavailable, problem_response
from app.idempotency_store import (
    Keyed,
    KeyedTransaction,
    SessionFactory,
    Stored,
    Verdict,
)

HEADER = "Idempotency-Key"
REPLAYED_HEADER = "Idempotent-Replayed"
# Headers a replay needs to say the same thing as the first response.
STORED_HEADERS = frozenset({b"content-type", b"location", b"etag", b"last-modified"})
_VALID_KEY = re.compile(rb"[\x20-\x7e]{1,255}")
_PATH_LENGTH = 2000
_NOT_STORED = frozenset({401, 403, 429})
# A request with this key committed between our read and our insert this many times running:
# something is wrong, so the caller is told to retry rather than looping here.
_ATTEMPTS = 3

log = logging.getLogger(__name__)

IDEMPOTENCY_KEY_PARAMETER: dict[str, Any] = {
    "name": HEADER,
    "in": "header",
    "required": False,
    "description": (
        "Any 1-255 printable ASCII characters, new for each distinct request. A retry with the "
        "same key and body gets the first response again (with `Idempotent-Replayed: true`); "
        "the same key with another body is a 422. A retry sent while the first is running waits "
        "for it. Keys expire after IDEMPOTENCY_TTL_SECONDS. A replay of `POST /api/v1/keys` "
        "shows the key as null: the key itself is never stored."
    ),
    "schema": {"type": "string", "minLength": 1, "maxLength": 255},
}


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


def _problem(scope: Scope, unknown: type[OutcomeUnknown] | None) -> Response:
    """503: nothing was written, or (`unknown`) the commit's outcome is unknown."""
    error = unknown or DatabaseUnavailable
    detail = unknown.keyed_detail if unknown else DatabaseUnavailable.detail_default
    return problem_response(
        Request(scope),
        error.status,
        error.title,
        detail,
        slug=error.slug,
        headers={"Retry-After": "1"},
    )


def _answer(verdict: "Verdict | Stored", scope: Scope) -> Response:
    """The response to a keyed request that is not run: a replay, a reuse or a busy key."""
    if isinstance(verdict, Stored):
        return Response(
            verdict.body,
            status_code=verdict.status,
            headers=verdict.headers | {REPLAYED_HEADER: "true"},
        )
    if verdict is Verdict.RACED:
        return problem_response(
            Request(scope),
            409,
            "Idempotency key in progress",
            f"a request with this {HEADER} is still in progress; retry shortly",
            slug="idempotency-key-in-progress",
            headers={"Retry-After": "1"},
        )
    return problem_response(
        Request(scope),
        422,
        "Idempotency key reused",
        f"this {HEADER} was already used with a different request; send a new key",
        slug="idempotency-key-reused",
    )


class _Captured:
    """A response held back until its transaction has committed."""

    def __init__(self) -> None:
        self.messages: list[Message] = []
        self.status: int | None = None
        self.headers: dict[str, str] = {}

    async def send(self, message: Message) -> None:
        """Keep `message`, noting the status and the headers a replay needs."""
        if message["type"] == "http.response.start":
            self.status = message["status"]
            for name, value in message.get("headers", []):
                if name.lower() in STORED_HEADERS:
                    self.headers[name.decode("latin-1").lower()] = value.decode("latin-1")
        self.messages.append(message)

    def stored(self) -> Stored | None:
        """The response as a record keeps it; None when it must not be kept."""
        body = b"".join(m.get("body", b"") for m in self.messages[1:])
        if self.status is None or self.status >= 500 or self.status in _NOT_STORED:
            return None
        try:
            return Stored(self.status, body.decode(), self.headers)
        except UnicodeDecodeError:
            return None


class IdempotencyMiddleware:
    """Run a keyed POST under `prefix` in one transaction with its record; replay retries."""

    def __init__(
        self, app: ASGIApp, sessions: SessionFactory, ttl_seconds: int, prefix: str
    ) -> None:
        self.app = app
        self.sessions = sessions
        self.ttl = dt.timedelta(seconds=ttl_seconds)
        self.prefix = prefix

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Pass through unless this is a keyed POST under the prefix."""
        # The method first: every other request (a read above all) goes on untouched, without
        # even a look at its headers.
        if scope["type"] != "http" or scope["method"] != "POST":
            await self.app(scope, receive, send)
            return
        key = _header(scope, HEADER.lower().encode())
        path = scope["path"]
        if key is None or not (path == self.prefix or path.startswith(self.prefix + "/")):
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
        authorization = _header(scope, b"authorization")
        keyed = Keyed(
            key.decode(),
            _owner(scope),
            path[:_PATH_LENGTH],
            fingerprint(scope, body),
            authorization.decode("latin-1") if authorization is not None else None,
        )
        await self._keyed(keyed, body, scope, receive, send)

    async def _keyed(
        self, keyed: Keyed, body: bytes, scope: Scope, receive: Receive, send: Send
    ) -> None:
        body_sent = False

        async def replay_receive() -> Message:
            # The body once, as it was read; then the client's own messages (a disconnect).
            nonlocal body_sent
            if body_sent:
                return await receive()
            body_sent = True
            return {"type": "http.request", "body": body, "more_body": False}

        verdict: Verdict | Stored | None = None
        for _ in range(_ATTEMPTS):
            transaction = await run_in_threadpool(KeyedTransaction, self.sessions, self.ttl)
            try:
                verdict = await self._claim(transaction, keyed, scope)
                if verdict is Verdict.RESERVED:
                    await self._run(transaction, keyed, scope, replay_receive, send)
                    return
            finally:
                with anyio.CancelScope(shield=True):
                    await run_in_threadpool(transaction.close)
            if verdict is not Verdict.RACED:
                break
        if verdict is Verdict.UNAUTHENTICATED:
            # The app answers the 401 itself; nothing is reserved or replayed.
            await self.app(scope, replay_receive, send)
            return
        response = _answer(verdict, scope) if verdict is not None else _problem(scope, None)
        await response(scope, receive, send)

    async def _claim(
        self, transaction: KeyedTransaction, keyed: Keyed, scope: Scope
    ) -> "Verdict | Stored | None":
        try:
            return await run_in_threadpool(transaction.claim, keyed)
        except SQLAlchemyError as exc:
            log_unavailable(Request(scope), exc)
            return None

    async def _run(
        self,
        transaction: KeyedTransaction,
        keyed: Keyed,
        scope: Scope,
        receive: Receive,
        send: Send,
    ) -> None:
        """Run the request on the held transaction; commit, then send what it answered."""
        captured = _Captured()
        scope.setdefault("state", {})[HELD_SESSION] = transaction.inner
        try:
            await self.app(scope, receive, captured.send)
        finally:
            scope["state"].pop(HELD_SESSION, None)
        stored = captured.stored()
        if stored is None:
            await run_in_threadpool(transaction.abandon)
        else:
            try:
                await run_in_threadpool(transaction.complete, keyed, stored)
            except SQLAlchemyError as exc:
                log_unavailable(Request(scope), exc)
                await _problem(scope, None)(scope, receive, send)
                return
            try:
                await run_in_threadpool(transaction.commit)
            except SQLAlchemyError as exc:
                # The COMMIT was sent; whether it landed is unknown. A retry with this key
                # finds out: it replays the record if it committed, or runs again.
                log_unavailable(Request(scope), exc)
                await _problem(scope, OutcomeUnknown)(scope, receive, send)
                return
        for message in captured.messages:
            await send(message)
