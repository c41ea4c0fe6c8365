"""Token buckets shared by every worker and replica, in Redis (RATE_LIMIT_STORE=redis://...).

Each bucket is a Redis hash updated by one Lua script, so that reading, refilling and spending
is atomic however many processes spend from it at once; the refill uses the Redis server's
clock, so replicas with skewed clocks agree. When Redis does not answer (down, or slower than
`TIMEOUT_SECONDS`) the limiter falls back to the process's own buckets for `RETRY_SECONDS`
before trying Redis again: the API stays up and each process still limits on its own (fail
open to per-process limits, never to no limit), since refusing every request because the
limiter's store is away would turn a Redis outage into an API outage.
"""

import asyncio
import logging
import time
from typing import Any

import redis.asyncio as redis
from redis.exceptions import RedisError

from app.ratelimit import TokenBuckets

# KEYS[1] the bucket; ARGV: limit, refill per second, cost, check (1: only if a token is
# left), idle seconds after which the bucket is dropped (it would be full again anyway).
SPEND = """
local now_parts = redis.call('TIME')
local now = tonumber(now_parts[1]) + tonumber(now_parts[2]) / 1000000
local limit = tonumber(ARGV[1])
local rate = tonumber(ARGV[2])
local cost = tonumber(ARGV[3])
local state = redis.call('HMGET', KEYS[1], 'tokens', 'updated')
local tokens = tonumber(state[1]) or limit
local updated = tonumber(state[2]) or now
tokens = math.min(limit, tokens + math.max(0, now - updated) * rate)
local allowed = 1
if ARGV[4] == '1' and tokens < 1 then
  allowed = 0
else
  tokens = tokens - cost
end
redis.call('HSET', KEYS[1], 'tokens', tostring(tokens), 'updated', tostring(now))
redis.call('EXPIRE', KEYS[1], tonumber(ARGV[5]))
return {allowed, tostring(tokens)}
"""
TIMEOUT_SECONDS = 0.25
RETRY_SECONDS = 5.0
KEY_PREFIX = "geoevents:ratelimit:"

log = logging.getLogger(__name__)


class RedisBuckets(TokenBuckets):
    """Buckets of `limit` tokens a minute in Redis; this process's own while Redis is away."""

    def __init__(self, url: str, limit: int, kind: str) -> None:
        super().__init__(limit)
        self.url = url
        self.prefix = f"{KEY_PREFIX}{kind}:"
        self._down_until = 0.0
        # A client per event loop: connections belong to the loop that opened them.
        self._clients: dict[int, tuple[Any, Any]] = {}

    def _script(self) -> Any:
        loop = id(asyncio.get_running_loop())
        if loop not in self._clients:
            client = redis.Redis.from_url(
                self.url,
                socket_timeout=TIMEOUT_SECONDS,
                socket_connect_timeout=TIMEOUT_SECONDS,
            )
            self._clients[loop] = (client, client.register_script(SPEND))
        return self._clients[loop][1]

    async def spend(self, identity: str, cost: float, *, check: bool) -> tuple[bool, float]:
        """Spend `cost` tokens in Redis, or in this process while Redis is away."""
        if time.monotonic() < self._down_until:
            return await super().spend(identity, cost, check=check)
        try:
            allowed, tokens = await self._script()(
                keys=[self.prefix + identity],
                args=[self.limit, self.rate, cost, int(check), int(self.window) + 1],
            )
        except (RedisError, OSError, TimeoutError) as exc:
            log.warning(
                "rate limit store %s unreachable (%s); per-process limits for %.0f s",
                self.prefix,
                type(exc).__name__,
                RETRY_SECONDS,
            )
            self._down_until = time.monotonic() + RETRY_SECONDS
            return await super().spend(identity, cost, check=check)
        return bool(allowed), float(tokens)

    async def aclose(self) -> None:
        """Close this loop's connections; forget those of loops that have ended."""
        clients, self._clients = self._clients, {}
        loop = id(asyncio.get_running_loop())
        for owner, (client, _script) in clients.items():
            if owner == loop:
                await client.aclose()


def buckets(store: str, limit: int, kind: str) -> TokenBuckets | None:
    """The buckets RATE_LIMIT_STORE names for a limit of `limit` a minute; None when 0."""
    if not limit:
        return None
    if store.startswith(("redis://", "rediss://", "unix://")):
        return RedisBuckets(store, limit, kind)
    return TokenBuckets(limit)
