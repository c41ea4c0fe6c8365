"""Application factory: routers, error handlers and the operational endpoints."""

import logging
from collections.abc import AsyncIterator, Callable
from contextlib import (
    AbstractAsyncContextManager,
    AbstractContextManager,
    asynccontextmanager,
    contextmanager,
)
from typing import Any

from fastapi import Depends, FastAPI
from sqlalchemy import literal
from sqlalchemy.exc import SQLAlchemyError
from sqlmodel import Session, select
from starlette.types import ASGIApp

from app import offload, route_layers
from app.auth import method_access, require_scope
from app.config import Settings, get_settings
from app.db import SessionDep, begin_writes, get_session
from app.docs import install_docs
from app.errors import DatabaseUnavailable, NotFound, install_error_handlers
from app.explorer import install_explorer
from app.headers import ResponseHeadersMiddleware
from app.lifecycle import check_ready
from app.middleware import install_middleware
from app.openapi import install_openapi
from app.routers import (
    claims,
    events,
    history,
    hot_reads,
    imports,
    keys,
    participants,
    sources,
)
from app.routers.common import API_PREFIX, problem_responses
from app.schemas.common import Problem
from app.schemas.keys import KeyScope
from app.services import cursors, server_secrets
from app.services import keys as key_service
from app.services.server_secrets import CURSOR_SECRET

DESCRIPTION = (
    """
Geopolitical event records with their participants, the claims made about them and the
sources those claims appear in.

* **Dates keep the precision the source gave.** Send EDTF (`2019`, `2019-08`, `2019-09-17`,
  `2020-01/2020-04`, `2015/..`); every date comes back as
  `{"edtf", "precision", "earliest", "latest"}`.
* **Records are addressed by UUID or by slug** wherever a path or a body names one.
* **Lists are keyset-paged**: pass `next_cursor` back as `cursor`.
* **Lists export** every match, streamed, as CSV, GeoJSON, iCalendar or JSON-LD: ask with
  `format=` or `Accept` (each list's 200 response names the formats it offers).
* **POSTs can be retried safely**: send `Idempotency-Key` (1-255 printable ASCII characters);
  the same key and body get the first response again, marked `Idempotent-Replayed: true`, and
  the same key with another body is a 422. Keys are scoped to the `Authorization` sent and
  expire after 24 hours (IDEMPOTENCY_TTL_SECONDS).
* **Reads can come from standbys** when the server has them (DATABASE_REPLICA_URLS): each
  successful write then answers with `X-Consistency-Token`; send it back on a read
  (`X-Consistency-Token: <token>`) to be sure to see that write. A malformed token is a 400.
* **Errors are RFC 9457 problem details** (`application/problem+json`); validation errors
  list each invalid field in `errors`.
"""
    + history.GUIDE
)

TAGS = [
    {"name": "events", "description": "Things that happened, are happening or are scheduled."},
    {"name": "event participants", "description": "Who took part in an event, and as what."},
    {"name": "participants", "description": "People, states, organisations and groups."},
    {"name": "participant roles", "description": "Roles participants held over time."},
    {"name": "claims", "description": "Statements someone made or reported."},
    {"name": "claim appearances", "description": "Where a claim appears, quoted exactly."},
    {"name": "sources", "description": "Articles, statements and reports records come from."},
    {"name": "import", "description": "Bulk import of NDJSON records (write scope)."},
    {
        "name": "changes",
        "description": "Every change of every record in commit order, to keep a mirror in step.",
    },
    {"name": "keys", "description": "API keys (admin scope): issue, list, revoke."},
    {"name": "operations", "description": "Liveness, readiness and problem types."},
]

PROBLEM_TYPES: dict[str, str] = {
    "bad-request": "The request is malformed: a cursor or a parameter cannot be used as sent.",
    "malformed-json": "The request body is not valid JSON, or is nested too deeply to read.",
    "unauthorized": "The request needs an API key (`Authorization: Bearer <key>`) and sent "
    "none, or one that is unknown or revoked.",
    "forbidden": "The API key is valid but lacks the scope (read, write, admin) needed.",
    "not-found": "No record has that id or slug, or no route has that path.",
    "method-not-allowed": "The path exists but not with this method; `Allow` lists its methods.",
    "not-acceptable": "No type in `Accept` is one the list answers in; the detail lists those "
    "it offers (or ask with `format=`).",
    "conflict": "The write would break uniqueness, or the record is still referenced.",
    "gone": "The record was deleted (when and by which key is in the detail); its id and slug "
    "are never reused and its revisions stay readable.",
    "merged": "The record was merged into another: a 308 whose `Location` names the survivor.",
    "precondition-failed": "`If-Match` names a version that is no longer current; read again.",
    "payload-too-large": "The request body is larger than the server accepts (MAX_BODY_BYTES).",
    "rate-limited": "Too many requests from this API key or address; wait `Retry-After` "
    "seconds (RATE_LIMIT_PER_MINUTE, ANONYMOUS_RATE_LIMIT_PER_MINUTE).",
    "idempotency-key-reused": "The `Idempotency-Key` was already used with another request.",
    "idempotency-key-in-progress": "A request with this `Idempotency-Key` is still running.",
    "unsupported-media-type": "The body's Content-Type is not one the operation reads "
    "(POST /import reads application/x-ndjson).",
    "validation-error": "One or more fields are invalid; `errors` lists each with its location.",
    "database-unavailable": "The database did not answer; nothing was written.",
    "write-outcome-unknown": "The connection to the database was lost during the commit, so "
    "whether the write was stored is unknown; a retry with the same `Idempotency-Key` replays "
    "it if it was and runs it if it was not.",
    "not-ready": "This replica is shutting down or its database schema is not at the code's "
    "version; retry after `Retry-After` seconds (another replica may answer at once).",
    "query-timeout": "A query ran past its time budget (QUERY_TIMEOUT_SECONDS) and was "
    "stopped: ask for less (narrower filters, a smaller limit, fewer expansions).",
    "internal-error": "The server failed; nothing was written.",
}


class GeoEvents(FastAPI):
    """FastAPI with the response headers outermost, so a 500 carries them too."""

    def build_middleware_stack(self) -> ASGIApp:
        """Wrap the whole stack, server error handler included, in the response headers."""
        return ResponseHeadersMiddleware(super().build_middleware_stack())


def create_app(settings: Settings | None = None) -> FastAPI:
    """Build the application; nothing connects until the first request."""
    settings = settings or get_settings()
    app = GeoEvents(
        title="geoevents",
        version="0.1.0",
        description=DESCRIPTION,
        openapi_tags=TAGS,
        lifespan=_lifespan(settings),
        openapi_url=None,
        docs_url=None,
        redoc_url=None,
    )
    install_error_handlers(app)
    install_middleware(app, settings)
    install_openapi(app, public_reads=not settings.require_key_for_reads)
    install_docs(app, _docs_access(settings))
    # Auth is applied here, per router, so that resource routers stay unaware of it. Each
    # route runs only the dependencies its kind needs (app.route_layers), in this order:
    # - a write opens its transaction for writing first (app.db.begin_writes): the access
    #   check's key lookup is the transaction's first statement, and on SQLite a transaction
    #   begun by a read takes the write lock only at its first write, where two writers
    #   deadlock;
    # - a read that may be slow waits for admission first: it then takes a session (the
    #   access check's) only when it can run, leaving the sessions to cheap reads;
    # - a read of one record needs neither: the access check alone.
    access = Depends(method_access(settings))
    needs = route_layers.Needs(
        write=[Depends(begin_writes), access],
        slow_read=[Depends(offload.admit, scope="function"), access],
        read=[access],
    )
    errors = problem_responses(401, 403)
    for module in (events, participants, claims, sources, history):
        for router in module.routers:
            route_layers.include(app, router, needs, prefix=API_PREFIX, responses=errors)
    admin = Depends(require_scope(KeyScope.admin))
    # Key lists are small: no admission.
    admin_needs = route_layers.Needs(
        write=[Depends(begin_writes), admin], slow_read=[admin], read=[admin]
    )
    route_layers.include(app, keys.router, admin_needs, prefix=API_PREFIX, responses=errors)
    app.include_router(
        imports.router,
        prefix=API_PREFIX,
        dependencies=[Depends(require_scope(KeyScope.write))],
        responses=errors,
    )
    if not settings.require_key_for_reads:
        hot = [*events.hot_reads, *participants.hot_reads, *claims.hot_reads, *sources.hot_reads]
        hot_reads.install(app.router.routes, app.router, hot)
    _add_operations(app)
    if settings.explorer:
        install_explorer(app)
    return app


def _docs_access(settings: Settings) -> list[Any]:
    """A read key for the documentation when reads need one and DOCS_NEED_KEY asks."""
    if settings.require_key_for_reads and settings.docs_need_key:
        return [Depends(require_scope(KeyScope.read))]
    return []


def _lifespan(settings: Settings) -> Callable[[FastAPI], AbstractAsyncContextManager[None]]:
    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        offload.share_the_gil()
        # The session the app's requests would get, so that an overridden database is honoured.
        sessions = contextmanager(app.dependency_overrides.get(get_session, get_session))
        if settings.admin_key is not None:
            with sessions() as session:
                key_service.ensure_bootstrap_key(session, settings.admin_key.get_secret_value())
        if settings.cursor_secret is not None:
            cursors.use_cursor_secret(settings.cursor_secret.get_secret_value())
        else:
            _use_stored_cursor_secret(sessions)
        try:
            yield
        finally:
            for buckets in app.state.rate_limit_buckets:
                await buckets.aclose()

    return lifespan


def _use_stored_cursor_secret(sessions: Callable[[], AbstractContextManager[Session]]) -> None:
    """Sign cursors with the secret every process shares, made on the first start."""
    try:
        with sessions() as session:
            cursors.use_cursor_secret(server_secrets.ensure_secret(session, CURSOR_SECRET))
    except SQLAlchemyError:
        # Not fatal: cursors stay signed, by a key of this process only, until a restart.
        logging.getLogger("geoevents").warning(
            "the cursor secret could not be read from the database; set CURSOR_SECRET or "
            "migrate the database, or cursors will not survive a restart or another worker"
        )


def _add_operations(app: FastAPI) -> None:
    @app.get("/health", tags=["operations"], operation_id="health", summary="Liveness")
    async def health() -> dict[str, str]:
        """The process is up; says nothing about the database."""
        # On the event loop: a thread would queue it behind slow reads holding the GIL.
        return {"status": "ok"}

    @app.get(
        "/ready",
        tags=["operations"],
        operation_id="ready",
        summary="Readiness",
        responses={
            503: {
                "model": Problem,
                "description": "The database is unreachable, the schema is not at head, or the "
                "process is shutting down.",
            }
        },
    )
    def ready(session: SessionDep) -> dict[str, str]:
        """The database answers, its schema is at the code's head and the process is not
        shutting down."""
        try:
            session.exec(select(literal(1))).one()
        except SQLAlchemyError as exc:
            raise DatabaseUnavailable("the database did not answer") from exc
        check_ready(session)
        return {"status": "ready", "database": session.get_bind().dialect.name}

    @app.get(
        "/problems/{slug}",
        tags=["operations"],
        operation_id="read_problem_type",
        summary="Describe a problem type",
        responses=problem_responses(404),
    )
    def read_problem_type(slug: str) -> dict[str, Any]:
        """What a problem `type` URI of this API means."""
        if slug not in PROBLEM_TYPES:
            raise NotFound(f"no problem type '{slug}'")
        return {"type": f"/problems/{slug}", "description": PROBLEM_TYPES[slug]}


app = create_app()
