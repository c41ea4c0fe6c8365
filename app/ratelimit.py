"""Per-key and per-address rate limits: in-memory token buckets as pure ASGI middleware."""

import hashlib
import math
import time
from collections import OrderedDict
from collections.abc import Callable

from starlette.requests import Request
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from app.errors import problem_response

# Probes and scrapes must never be refused, whoever sends them.
EXEMPT_PATHS = frozenset({"/health", "/ready", "/metrics"})
WINDOW_SECONDS = 60.0
# Past this many buckets the least recently used one is dropped even if not yet idle.
MAX_BUCKETS = 100_000


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
        self.rate = limit / WINDOW_SECONDS
        self.clock = clock
        self.max_buckets = max_buckets
        # Least recently used first, so that idle buckets are found at the front.
        self._buckets: OrderedDict[str, _Bucket] = OrderedDict()

    def __len__(self) -> int:
        return len(self._buckets)

    def take(self, identity: str, cost: int = 1) -> tuple[bool, float]:
        """Spend `cost` tokens of `identity` if it has them (0: only look); whether it had, and
        the tokens left."""
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
        allowed = bucket.tokens >= 1
        if allowed:
            bucket.tokens -= cost
        self._evict(now)
        return allowed, bucket.tokens

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
            (b"ratelimit-remaining", str(math.floor(tokens)).encode()),
            (b"ratelimit-reset", str(reset).encode()),
        ]

    def retry_after(self, tokens: float) -> int:
        """Whole seconds until the next token, at least one."""
        return max(1, math.ceil((1 - tokens) / self.rate))


class RateLimitMiddleware:
    """Answer 429 past the per-key or per-address limit; `RateLimit-*` headers on the rest."""

    def __init__(self, app: ASGIApp, keyed_per_minute: int, anonymous_per_minute: int) -> None:
        self.app = app
        self.keyed = TokenBuckets(keyed_per_minute) if keyed_per_minute else None
        self.anonymous = TokenBuckets(anonymous_per_minute) if anonymous_per_minute else None

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Spend a token of the caller, then pass on or refuse."""
        if scope["type"] != "http" or scope["path"] in EXEMPT_PATHS:
            await self.app(scope, receive, send)
            return
        client = scope.get("client")
        address = client[0] if client else "unknown"
        identity = key_identity(scope)
        if identity is not None:
            buckets, caller = self.keyed, "API key"
            # Keys that fail (401) are charged to the address, so that inventing a new key
            # for every request does not escape the per-address limit.
            if self.anonymous is not None:
                allowed, tokens = self.anonymous.take(address, cost=0)
                if not allowed:
                    await self._reject(scope, receive, send, self.anonymous, tokens, "address")
                    return
        else:
            identity, buckets, caller = address, self.anonymous, "address"
        if buckets is None:
            await self.app(scope, receive, send)
            return
        allowed, tokens = buckets.take(identity)
        headers = buckets.headers(tokens)
        if not allowed:
            await self._reject(scope, receive, send, buckets, tokens, caller)
            return
        charge_address = caller == "API key" and self.anonymous is not None

        async def send_with_limits(message: Message) -> None:
            if message["type"] == "http.response.start":
                if charge_address and message["status"] == 401 and self.anonymous is not None:
                    self.anonymous.take(address)
                message = {**message, "headers": [*message.get("headers", []), *headers]}
            await send(message)

        await self.app(scope, receive, send_with_limits)

    async def _reject(
        self,
        scope: Scope,
        receive: Receive,
        send: Send,
        buckets: TokenBuckets,
        tokens: float,
        caller: str,
    ) -> None:
        retry_after = buckets.retry_after(tokens)
        response = problem_response(
            Request(scope, receive),
            429,
            "Too many requests",
            f"more than {buckets.limit} requests a minute from this {caller}; "
            f"retry in {retry_after} s",
            slug="rate-limited",
            headers={"Retry-After": str(retry_after)},
        )
        response.raw_headers.extend(buckets.headers(tokens))
        await response(scope, receive, send)
