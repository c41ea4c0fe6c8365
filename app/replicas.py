"""Reads from PostgreSQL streaming standbys (DATABASE_REPLICA_URLS), with read-your-writes.

A write's response carries `X-Consistency-Token`: the primary's WAL position after the commit.
A read that sends it back is served by a standby only if that standby has replayed that far,
otherwise by the primary. Standbys are checked in the background every
REPLICA_CHECK_SECONDS (never on a request's path); one that is down, not in recovery or behind
by more than REPLICA_MAX_LAG_SECONDS gets no reads until a later check finds it well.
"""

import itertools
import logging
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from functools import lru_cache

from sqlalchemy import Engine, create_engine, text
from sqlalchemy.exc import OperationalError, SQLAlchemyError
from sqlmodel import Session
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from app.config import get_settings
from app.errors import BadRequest
from app.routers.common import API_PREFIX

TOKEN_HEADER = "x-consistency-token"
logger = logging.getLogger("geoevents.replicas")

# On the standby: whether it is one, what it has replayed, and when the last replayed
# transaction committed on the primary.
_STANDBY_STATE = text(
    "SELECT pg_is_in_recovery(), pg_last_wal_replay_lsn()::text, "
    "EXTRACT(EPOCH FROM clock_timestamp() - pg_last_xact_replay_timestamp())"
)
PRIMARY_LSN = text("SELECT pg_current_wal_lsn()::text")


def parse_lsn(value: str) -> int:
    """`16/B374D848` -> its 64-bit position; ValueError if it is not one."""
    high, sep, low = value.strip().partition("/")
    try:
        if sep and 0 < len(high) <= 8 and 0 < len(low) <= 8:
            return int(high, 16) << 32 | int(low, 16)
    except ValueError:
        pass
    raise ValueError(f"not a WAL position: {value!r}")


def token_of(request_headers: list[tuple[bytes, bytes]]) -> int | None:
    """The consistency token a read sent, as a WAL position; a malformed one is a 400."""
    for key, value in request_headers:
        if key == TOKEN_HEADER.encode():
            try:
                return parse_lsn(value.decode("latin-1"))
            except ValueError:
                raise BadRequest(
                    "X-Consistency-Token must be a token returned by a write, e.g. 0/16B3748"
                ) from None
    return None


@dataclass
class Standby:
    """One standby and what its last check found."""

    name: str
    engine: Engine
    healthy: bool = False
    replayed: int = 0
    lag_seconds: float = float("inf")
    checked_at: float = field(default=0.0)


def _lag(standby_lag: float | None, replayed: int, primary_at_start: int | None) -> float:
    """Seconds behind: 0 when it had replayed all the primary had written when the check
    began; else the age of the last transaction it replayed (unknown: infinitely behind)."""
    if primary_at_start is not None and replayed >= primary_at_start:
        return 0.0
    return float("inf") if standby_lag is None else max(standby_lag, 0.0)


class ReplicaSet:
    """The standbys reads may go to, checked by a background thread at most every `interval`."""

    def __init__(self, urls: list[str], primary_url: str, max_lag: float, interval: float) -> None:
        pool_size = get_settings().database_pool_size
        self.standbys = [
            Standby(
                f"standby-{n}",
                create_engine(
                    url,
                    pool_size=pool_size,
                    pool_pre_ping=True,
                    # A standby that does not answer must not hold a check for long.
                    connect_args={"connect_timeout": 2},
                ),
            )
            for n, url in enumerate(urls)
        ]
        # The primary's WAL position is read on connections of its own: a write's response
        # may start while its request still holds a connection of the main pool, and taking a
        # second one there could wait on a pool full of writes doing the same.
        self.positions = create_engine(
            primary_url,
            pool_size=2,
            max_overflow=0,
            pool_timeout=5,
            pool_pre_ping=True,
            connect_args={"connect_timeout": 2},
        )
        self.max_lag = max_lag
        self.interval = interval
        self._next = itertools.count()
        self._checking = threading.Lock()
        self._last_check = 0.0

    def pick(self, min_lsn: int | None) -> Standby | None:
        """A standby fit to serve a read needing `min_lsn` (None: any fresh one), or None."""
        self._check_soon()
        fit = [
            s
            for s in self.standbys
            if s.healthy
            and s.lag_seconds <= self.max_lag
            and (min_lsn is None or s.replayed >= min_lsn)
        ]
        if not fit:
            return None
        return fit[next(self._next) % len(fit)]

    def mark_down(self, standby: Standby) -> None:
        """A request could not use `standby`: no reads go to it until a check says otherwise."""
        standby.healthy = False

    def _check_soon(self) -> None:
        # A request only starts the check; it never waits for one.
        if time.monotonic() - self._last_check < self.interval:
            return
        if self._checking.acquire(blocking=False):
            self._last_check = time.monotonic()
            threading.Thread(target=self._check_all, name="standby-check", daemon=True).start()

    def _check_all(self) -> None:
        try:
            self.check()
        finally:
            self._checking.release()

    def check(self) -> None:
        """Ask the primary how far it has written, then each standby how far it has replayed."""
        primary_at: int | None
        try:
            primary_at = parse_lsn(self.primary_lsn())
        except SQLAlchemyError:
            primary_at = None
        for standby in self.standbys:
            self._check_one(standby, primary_at)
        self._last_check = time.monotonic()

    def _check_one(self, standby: Standby, primary_at: int | None) -> None:
        try:
            with standby.engine.connect() as conn:
                recovering, replayed, lag = conn.execute(_STANDBY_STATE).one()
        except SQLAlchemyError as exc:
            if standby.healthy:
                logger.warning("%s is unreachable: %s", standby.name, exc.__class__.__name__)
            standby.healthy = False
            return
        # A promoted standby is a primary of its own: its data may have diverged.
        standby.healthy = bool(recovering) and replayed is not None
        standby.replayed = parse_lsn(replayed) if replayed else 0
        standby.lag_seconds = _lag(lag, standby.replayed, primary_at)
        standby.checked_at = time.monotonic()

    def primary_lsn(self) -> str:
        """The primary's WAL position now: after a commit, a token covering that commit."""
        with self.positions.connect() as conn:
            return str(conn.execute(PRIMARY_LSN).scalar_one())

    def dispose(self) -> None:
        """Close every connection this set opened."""
        self.positions.dispose()
        for standby in self.standbys:
            standby.engine.dispose()


@lru_cache
def replica_set() -> ReplicaSet | None:
    """The process-wide standbys from settings; None without DATABASE_REPLICA_URLS."""
    settings = get_settings()
    if not settings.database_replica_urls:
        return None
    return ReplicaSet(
        settings.database_replica_urls,
        settings.database_url,
        settings.replica_max_lag_seconds,
        settings.replica_check_seconds,
    )


def read_session(request: Request) -> Iterator[Session]:
    """A session on a standby fit for this read, else on the primary; closed after it."""
    # Imported here: app.db routes reads through this module.
    from app.db import get_engine

    replicas = replica_set()
    standby = None
    if replicas is not None and request.scope["path"].startswith(API_PREFIX):
        standby = replicas.pick(token_of(request.scope["headers"]))
    session = Session(standby.engine if standby else get_engine(), expire_on_commit=False)
    if standby is not None and replicas is not None:
        try:
            # Connect now, so that a standby gone since its last check costs a fallback,
            # not a failed request.
            session.connection()
        except OperationalError:
            replicas.mark_down(standby)
            session.close()
            session = Session(get_engine(), expire_on_commit=False)
    with session:
        try:
            yield session
        finally:
            session.rollback()


class ConsistencyTokenMiddleware:
    """Give each successful write's response the primary's WAL position after its commit."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Add `X-Consistency-Token` to 2xx answers of POST, PATCH, PUT and DELETE."""
        # A read commits nothing to wait for: it goes on with the client's own `send`.
        if scope["type"] != "http" or scope["method"] in ("GET", "HEAD", "OPTIONS"):
            await self.app(scope, receive, send)
            return

        async def send_with_token(message: Message) -> None:
            if message["type"] == "http.response.start" and 200 <= message["status"] < 300:
                # The handler has committed by the time its response starts.
                replicas = replica_set()
                try:
                    lsn = await run_in_threadpool(replicas.primary_lsn) if replicas else None
                except SQLAlchemyError:
                    # No token: the client's next read may come from a standby behind it.
                    lsn = None
                if lsn is not None:
                    headers = [*message.get("headers", []), (TOKEN_HEADER.encode(), lsn.encode())]
                    message = {**message, "headers": headers}
            await send(message)

        await self.app(scope, receive, send_with_token)
