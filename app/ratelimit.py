"""Per-key and per-address rate limits: token buckets as pure ASGI middleware.

Every request is charged to exactly one bucket: its key's when it sends a working key, else its
client address's (an unknown or revoked key included). An `Authorization` that is not
`Bearer <key>` is a 401 charged to the address. A request costs one token to start and, when
its response begins, one more per further started 100 ms it took (`request_cost`), so slow
queries spend the budget faster than cheap ones; a flat-cost path (the import) always costs one.
"""

import hashlib
import math
import re
import time
from collections import OrderedDict
from collections.abc import Callable
from contextlib import AbstractContextManager

from sqlalchemy.exc import SQLAlchemyError
from sqlmodel import Session
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from app.errors import Unauthorized, problem_response
from app.services import keys

# Probes and scrapes must never be refused, whoever sends them.
EXEMPT_PATHS = frozenset({"/health", "/ready", "/metrics"})
WINDOW_SECONDS = 60.0
# Past this many buckets the least recently used one is dropped even if not yet idle.
MAX_BUCKETS = 100_000
# A request costs a token per started COST_UNIT_SECONDS of its answer, up to MAX_COST.
COST_UNIT_SECONDS = 0.1
MAX_COST = 60
# How long the limiter trusts that a key works (or does not) before asking the database again;
# authentication itself always asks.
KEY_CACHE_SECONDS = 10.0
MALFORMED_AUTHORIZATION = "the Authorization header must be `Bearer <key>`"
_BEARER = re.compile(rb"[Bb][Ee][Aa][Rr][Ee][Rr] +([A-Za-z0-9._~+/-]+=*) *")

SessionFactory = Callable[[], AbstractContextManager[Session]]


def key_identity(scope: Scope) -> str | None:
    """The SHA-256 hex of the `Authorization` header, once per request; None if absent."""
    state = scope.setdefault("state", {})
    if "key_identity" not in state:
        sent = next((v for k, v in scope["headers"] if k == b"authorization"), None)
        state["key_identity"] = hashlib.sha256(sent).hexdigest() if sent is not None else None
    identity: str | None = state["key_identity"]
    return identity


class _Bucket:
    __slots__ = ("tokens", "updated")

    def __init__(self, tokens: float, updated: float) -> None:
        self.tokens = tokens
        self.updated = updated


class TokenBuckets:
    """One bucket of `limit` tokens per identity, refilled continuously over a minute."""

    def __init__(
        self,
        limit: int,
        *,
        clock: Callable[[], float] = time.monotonic,
        max_buckets: int = MAX_BUCKETS,
    ) -> None:
        self.limit = limit
        self.window = WINDOW_SECONDS
        self.rate = limit / WINDOW_SECONDS
        self.clock = clock
        self.max_buckets = max_buckets
        # Least recently used first, so that idle buckets are found at the front.
        self._buckets: OrderedDict[str, _Bucket] = OrderedDict()

    def __len__(self) -> int:
        return len(self._buckets)

    def take(self, identity: str, cost: float = 1, *, check: bool = True) -> tuple[bool, float]:
        """Spend `cost` tokens of `identity` if it has one left (any time, without `check`);
        whether it had, and the tokens left."""
        # No await in here: on the event loop this runs without interleaving, so no lock.
        now = self.clock()
        bucket = self._buckets.get(identity)
        if bucket is None:
            bucket = self._buckets[identity] = _Bucket(float(self.limit), now)
        else:
            elapsed = now - bucket.updated
            bucket.tokens = min(float(self.limit), bucket.tokens + elapsed * self.rate)
            bucket.updated = now
            self._buckets.move_to_end(identity)
        allowed = bucket.tokens >= 1 or not check
        if allowed:
            bucket.tokens -= cost
        self._evict(now)
        return allowed, bucket.tokens

    async def spend(self, identity: str, cost: float, *, check: bool) -> tuple[bool, float]:
        """`take`, as the shared stores do it (they wait on the network)."""
        return self.take(identity, cost, check=check)

    async def aclose(self) -> None:
        """Release what the buckets hold open (nothing, in this process's memory)."""

    def _evict(self, now: float) -> None:
        # A bucket untouched for a whole window is full again: forgetting it changes nothing.
        while self._buckets:
            oldest = next(iter(self._buckets.values()))
            if len(self._buckets) <= self.max_buckets and now - oldest.updated < WINDOW_SECONDS:
                return
            self._buckets.popitem(last=False)

    def headers(self, tokens: float) -> list[tuple[bytes, bytes]]:
        """`RateLimit-*` headers; the reset is the seconds until the bucket is full again."""
        reset = math.ceil((self.limit - tokens) / self.rate)
        return [
            (b"ratelimit-limit", str(self.limit).encode()),
            (b"ratelimit-remaining", str(max(0, math.floor(tokens))).encode()),
            (b"ratelimit-reset", str(reset).encode()),
        ]

    def retry_after(self, tokens: float) -> int:
        """Whole seconds until the next token, at least one."""
        return max(1, math.ceil((1 - tokens) / self.rate))


def request_cost(seconds: float, unit: float = COST_UNIT_SECONDS) -> int:
    """Tokens a request costs: one, plus one per further started `unit` seconds it took to
    answer, at most `MAX_COST`: a 0.35 s list costs 4, a 5 ms read 1; 1 when `unit` is 0."""
    if unit <= 0:
        return 1
    return min(MAX_COST, max(1, math.ceil(seconds / unit)))


def bearer_token(authorization: bytes) -> str | None:
    """The key of `Bearer <key>` (scheme in any case); None for any other form."""
    found = _BEARER.fullmatch(authorization)
    return found.group(1).decode() if found else None


class KeyVerifier:
    """Whether a bearer key is a working key, remembered briefly so that limits cost no query."""

    def __init__(self, sessions: SessionFactory, ttl_seconds: float = KEY_CACHE_SECONDS) -> None:
        self.sessions = sessions
        self.ttl = ttl_seconds
        self._known: OrderedDict[str, tuple[bool, float]] = OrderedDict()

    async def valid(self, token: str) -> bool:
        """True for a known, unrevoked key (as of at most `ttl` seconds ago)."""
        digest = keys.hash_key(token)
        now = time.monotonic()
        known = self._known.get(digest)
        if known is not None and known[1] > now:
            return known[0]
        try:
            found = await run_in_threadpool(self._lookup, token)
        except SQLAlchemyError:
            # The request itself will meet the database's trouble; charge it to the address.
            return False
        self._known[digest] = (found, now + self.ttl)
        self._known.move_to_end(digest)
        while len(self._known) > MAX_BUCKETS:
            self._known.popitem(last=False)
        return found

    def _lookup(self, token: str) -> bool:
        with self.sessions() as session:
            key = keys.find_key(session, token)
            return key is not None and key.revoked_at is None


class RateLimitMiddleware:
    """Charge every request to one bucket, its valid key's or else its address's; 429 past it."""

    def __init__(
        self,
        app: ASGIApp,
        keyed: TokenBuckets | None,
        anonymous: TokenBuckets | None,
        verifier: KeyVerifier,
        cost_unit_seconds: float = COST_UNIT_SECONDS,
        flat_cost_paths: frozenset[str] = frozenset(),
    ) -> None:
        self.app = app
        self.cost_unit = cost_unit_seconds
        self.flat_cost_paths = flat_cost_paths
        self.keyed = keyed
        self.anonymous = anonymous
        self.verifier = verifier

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Choose the bucket, spend a token, run, then charge what the request cost."""
        if scope["type"] != "http" or scope["path"] in EXEMPT_PATHS:
            await self.app(scope, receive, send)
            return
        client = scope.get("client")
        address = client[0] if client else "unknown"
        buckets, identity, caller = self.anonymous, address, "address"
        authorization = next((v for k, v in scope["headers"] if k == b"authorization"), None)
        token = bearer_token(authorization) if authorization is not None else None
        if authorization is not None and token is None:
            await self._malformed(scope, receive, send, address)
            return
        limited = self.keyed is not None or self.anonymous is not None
        if token is not None and limited and await self.verifier.valid(token):
            # With the per-key limit off (None) a working key is not limited at all.
            buckets, identity, caller = self.keyed, str(key_identity(scope)), "API key"
        if buckets is None:
            await self.app(scope, receive, send)
            return
        allowed, tokens = await buckets.spend(identity, 1, check=True)
        if not allowed:
            await _reject(scope, receive, send, buckets, tokens, caller)
            return
        started = time.monotonic()
        # A batch costs one token however many lines it holds, so that batching pays.
        unit = 0.0 if scope["path"] in self.flat_cost_paths else self.cost_unit

        async def send_charged(message: Message) -> None:
            nonlocal tokens
            if message["type"] == "http.response.start":
                extra = request_cost(time.monotonic() - started, unit) - 1
                if extra:
                    tokens = (await buckets.spend(identity, extra, check=False))[1]
                message = {
                    **message,
                    "headers": [*message.get("headers", []), *buckets.headers(tokens)],
                }
            await send(message)

        await self.app(scope, receive, send_charged)

    async def _malformed(self, scope: Scope, receive: Receive, send: Send, address: str) -> None:
        """A 401 for an Authorization that is not `Bearer <key>`, charged to the address."""
        tokens = float("inf")
        if self.anonymous is not None:
            allowed, tokens = await self.anonymous.spend(address, 1, check=True)
            if not allowed:
                await _reject(scope, receive, send, self.anonymous, tokens, "address")
                return
        error = Unauthorized(MALFORMED_AUTHORIZATION)
        response = problem_response(
            Request(scope),
            error.status,
            error.title,
            error.detail,
            slug=error.slug,
            headers=error.headers,
        )
        if self.anonymous is not None:
            response.raw_headers.extend(self.anonymous.headers(tokens))
        await response(scope, receive, send)


async def _reject(
    scope: Scope, receive: Receive, send: Send, buckets: TokenBuckets, tokens: float, caller: str
) -> None:
    retry_after = buckets.retry_after(tokens)
    response = problem_response(
        Request(scope, receive),
        429,
        "Too many requests",
        f"more than {buckets.limit} requests a minute from this {caller}; retry in {retry_after} s",
        slug="rate-limited",
        headers={"Retry-After": str(retry_after)},
    )
    response.raw_headers.extend(buckets.headers(tokens))
    await response(scope, receive, send)
