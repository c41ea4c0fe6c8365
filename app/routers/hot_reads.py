"""GETs of one record answered without FastAPI's dependency solving: the API's hottest path.

Solving a read's dependencies (the session, the key check, the path, query and header
parameters) cost a third of a GET by id, and an ORM session about as much as the read's own
statements (bench/RESULTS.md). A hot read is routed before its documented route and answers
the plain requests itself: no key sent, no query parameter but those it lists, each with a
value the route would take, a record that exists. It reads through `app.db.read_snapshot`
(a pooled connection of its own, in one of the session slots; the request's session where a
test overrides the provider or standbys serve reads), runs the read function
the route runs, and leaves a 304 to the handlers both share: it answers byte for byte as the
route would (tests/api/test_hot_reads.py).

Everything else goes on to the documented route, which stays what /docs shows: a key sent
(checked there), HEAD, any other parameter (`as_of`), any value the route would refuse (a
422) or read off the event loop (`expand=claims`), an absent record (the 404, 410 or 308
its tombstone answers), and a read whose snapshot found its connection gone (on PostgreSQL the
snapshots' pool does not ping a connection when it hands it out; the route's pool does).
"""

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from urllib.parse import parse_qsl

from starlette._utils import get_route_path
from starlette.datastructures import URLPath
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Match, NoMatchFound, compile_path
from starlette.types import ASGIApp, Receive, Scope, Send

from app.db import read_snapshot
from app.read.columns import Db, SnapshotLost
from app.read.records import Kind
from app.routers.conditional import tagged_bytes

# Set on a request this lane has passed on, so that routing it again finds the documented route.
PASSED_ON = "geoevents.hot_read.passed_on"

QueryParams = Mapping[str, str]
# Answers for the record `ref` names as the documented route does (a Response, or an error
# from the handlers both share); None if there is none (the route says 404, 410 or 308).
Read = Callable[[Db, str, QueryParams, str | None], Response | None]


def no_query(query: QueryParams) -> bool:
    """Takes a request with no query parameter."""
    return not query


@dataclass(frozen=True)
class HotRead:
    """A documented GET of one record (its path, prefix included) and how to answer it here."""

    path: str
    read: Read
    # Whether this lane answers these query parameters (the route answers the rest).
    takes: Callable[[QueryParams], bool] = no_query


class HotRoute(BaseRoute):
    """Routes a plain GET of `hot.path` to `hot.read`; passes any other request on."""

    def __init__(self, hot: HotRead, router: ASGIApp) -> None:
        self.hot = hot
        self.router = router
        self.path_regex, self.path_format, convertors = compile_path(hot.path)
        (self.param,) = convertors

    def matches(self, scope: Scope) -> tuple[Match, Scope]:
        """FULL for a GET of this path not passed on yet; NONE otherwise (never PARTIAL, so
        that another method's 405 comes from the documented routes, with their `Allow`)."""
        if scope["type"] != "http" or scope["method"] != "GET" or PASSED_ON in scope:
            return Match.NONE, {}
        found = self.path_regex.match(get_route_path(scope))
        if found is None:
            return Match.NONE, {}
        path_params = {**scope.get("path_params", {}), **found.groupdict()}
        return Match.FULL, {"endpoint": self.hot.read, "path_params": path_params}

    def url_path_for(self, name: str, /, **path_params: object) -> URLPath:
        """Names no route: URLs are built from the documented route."""
        raise NoMatchFound(name, path_params)

    async def handle(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Answer a plain request here; route any other on, as if this route were not."""
        request = Request(scope, receive)
        ref = scope["path_params"][self.param]
        query = _query(scope["query_string"])
        if query is None or "\x00" in ref or not self.hot.takes(query) or _keyed(request):
            await self._pass_on(scope, receive, send)
            return
        try:
            async with read_snapshot(request) as db:
                response = self.hot.read(db, ref, query, request.headers.get("if-none-match"))
        except SnapshotLost:
            # Its connection had gone; the snapshots' pool pings none when it hands one out.
            # The route reads through a session, whose pool does.
            await self._pass_on(scope, receive, send)
            return
        if response is None:
            # An absent record: the route says why (404, 410, 308), from its tombstone.
            await self._pass_on(scope, receive, send)
            return
        await response(scope, receive, send)

    async def _pass_on(self, scope: Scope, receive: Receive, send: Send) -> None:
        scope[PASSED_ON] = True
        await self.router(scope, receive, send)


def _query(raw: bytes) -> dict[str, str] | None:
    """The query parameters, each given once; None if one repeats (the route decides)."""
    if not raw:
        return {}
    pairs = parse_qsl(raw.decode("latin-1"), keep_blank_values=True)
    query = dict(pairs)
    return query if len(query) == len(pairs) else None


def _keyed(request: Request) -> bool:
    # The route checks a key (and reads needing one are never routed here).
    return "authorization" in request.headers


def tagged_record(kind: Kind) -> Read:
    """Reads a record of `kind` with its validators (or a 304), as its route does."""

    def read(db: Db, ref: str, _query: QueryParams, if_none_match: str | None) -> Response | None:
        found = kind.find(db, ref)
        return None if found is None else tagged_bytes(found, if_none_match)

    return read


def install(routes: list[BaseRoute], router: ASGIApp, hot_reads: list[HotRead]) -> None:
    """Route `hot_reads` before every other route of `routes` (the app's router's)."""
    routes[:0] = [HotRoute(hot, router) for hot in hot_reads]
