"""Pure ASGI middleware: body limit, idempotency keys, rate limits and CORS, in their order."""

from fastapi import FastAPI
from starlette.middleware.cors import CORSMiddleware
from starlette.requests import Request
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from app import ratelimit_store
from app.config import Settings
from app.errors import problem_response
from app.idempotency import IdempotencyMiddleware, dependency_sessions
from app.observability import install_observability
from app.proxy import ProxyHeadersMiddleware
from app.ratelimit import KeyVerifier, RateLimitMiddleware
from app.replicas import ConsistencyTokenMiddleware
from app.routers.common import API_PREFIX

IMPORT_PATH = f"{API_PREFIX}/import"
# Methods whose body no handler reads: the body limit lets them through unwrapped.
BODILESS_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})

CORS_METHODS = ["GET", "POST", "PATCH", "DELETE", "OPTIONS"]
CORS_ALLOW_HEADERS = [
    "Authorization",
    "Content-Type",
    "If-Match",
    "If-None-Match",
    "Idempotency-Key",
    "X-Request-ID",
    # A browser behind standbys sends a write's token back on its next read.
    "X-Consistency-Token",
]
CORS_EXPOSE_HEADERS = [
    "ETag",
    "Last-Modified",
    "Location",
    "X-Request-ID",
    "Link",
    "Retry-After",
    "RateLimit-Limit",
    "RateLimit-Remaining",
    "RateLimit-Reset",
    "Idempotent-Replayed",
    "X-Consistency-Token",
]


def _header(scope: Scope, name: bytes) -> bytes | None:
    for key, value in scope["headers"]:
        if key == name:
            return bytes(value)
    return None


class _BodyTooLarge(Exception):
    """Raised from `receive` so that nothing downstream sees a truncated body."""


class BodySizeLimitMiddleware:
    """Answer 413 to a body over `max_body_bytes` (bulk imports: their own), declared or
    streamed."""

    def __init__(self, app: ASGIApp, max_body_bytes: int, import_max_body_bytes: int) -> None:
        self.app = app
        self.max_body_bytes = max_body_bytes
        self.import_max_body_bytes = import_max_body_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Reject on Content-Length, else count the chunks as they arrive."""
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        limit = self.import_max_body_bytes if scope["path"] == IMPORT_PATH else self.max_body_bytes
        declared = _header(scope, b"content-length")
        if declared is not None and declared.isdigit() and int(declared) > limit:
            await self._reject(scope, receive, send, limit)
            return
        # A read's body is never read: a declared one is checked above, and nothing is wrapped.
        if scope["method"] in BODILESS_METHODS:
            await self.app(scope, receive, send)
            return
        received = 0
        exceeded = started = False

        async def limited_receive() -> Message:
            nonlocal received, exceeded
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > limit:
                    exceeded = True
                    raise _BodyTooLarge
            return message

        async def guarded_send(message: Message) -> None:
            nonlocal started
            # Whatever the app made of the aborted read (a 400, a 500) gives way to the 413.
            if exceeded and not started:
                return
            started = started or message["type"] == "http.response.start"
            await send(message)

        try:
            await self.app(scope, limited_receive, guarded_send)
        except Exception:
            if not exceeded or started:
                raise
        if exceeded and not started:
            await self._reject(scope, receive, send, limit)

    async def _reject(self, scope: Scope, receive: Receive, send: Send, limit: int) -> None:
        request = Request(scope, receive)
        response = problem_response(
            request,
            413,
            "Payload too large",
            f"the request body is larger than the limit of {limit} bytes",
            slug="payload-too-large",
        )
        await response(scope, receive, send)


def install_middleware(app: FastAPI, settings: Settings) -> None:
    """Add, inside out: idempotency keys, consistency tokens (with standbys), body limit, rate
    limits, CORS, observability, forwarded client addresses."""
    # Inside the body limit, so that an oversized body is refused before any key is stored.
    app.add_middleware(
        IdempotencyMiddleware,
        sessions=dependency_sessions(app),
        ttl_seconds=settings.idempotency_ttl_seconds,
        prefix=API_PREFIX,
    )
    if settings.database_replica_urls:
        # Outside the idempotency keys, which hold a keyed write's response until its commit:
        # the token is read once the write has committed, whoever commits it.
        app.add_middleware(ConsistencyTokenMiddleware)
    app.add_middleware(
        BodySizeLimitMiddleware,
        max_body_bytes=settings.max_body_bytes,
        import_max_body_bytes=settings.import_max_body_bytes,
    )
    # Around the body limit: a flood is refused before any body is read.
    store = settings.rate_limit_store
    keyed = ratelimit_store.buckets(store, settings.rate_limit_per_minute, "key")
    anonymous = ratelimit_store.buckets(store, settings.anonymous_rate_limit_per_minute, "ip")
    # The app's lifespan closes them: a shared store's connections outlive no server.
    app.state.rate_limit_buckets = [b for b in (keyed, anonymous) if b is not None]
    app.add_middleware(
        RateLimitMiddleware,
        keyed=keyed,
        anonymous=anonymous,
        verifier=KeyVerifier(dependency_sessions(app)),
        cost_unit_seconds=settings.rate_limit_cost_ms / 1000,
        flat_cost_paths=frozenset({IMPORT_PATH}),
    )
    if settings.cors_origins:
        # Outside the others: a 413 or a 429 still carries the CORS headers.
        app.add_middleware(
            CORSMiddleware,
            allow_origins=settings.cors_origins,
            allow_methods=CORS_METHODS,
            allow_headers=CORS_ALLOW_HEADERS,
            expose_headers=CORS_EXPOSE_HEADERS,
        )
    # Added last, so outermost: every response is counted and logged, a 429 included.
    install_observability(app, settings)
    # Outside even that: the access log and the rate limits see the client, not the proxy.
    app.add_middleware(ProxyHeadersMiddleware, trusted=settings.forwarded_allow_ips)
