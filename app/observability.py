"""Access logs and Prometheus metrics (one pure ASGI middleware), and GET /metrics."""

import logging
import re
import time
from collections.abc import Iterator
from typing import Any

from fastapi import Depends, FastAPI
from fastapi.responses import PlainTextResponse
from fastapi.routing import iter_route_contexts
from prometheus_client import CollectorRegistry, Counter, Histogram, generate_latest
from prometheus_client.exposition import CONTENT_TYPE_PLAIN_0_0_4
from prometheus_client.metrics_core import GaugeMetricFamily, Metric
from prometheus_client.registry import Collector
from starlette.responses import Response
from starlette.routing import compile_path
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from app.auth import require_scope
from app.config import Settings
from app.db import get_engine
from app.logging import configure_json_logger
from app.ratelimit import key_identity
from app.schemas.keys import KeyScope

ACCESS_LOGGER = "geoevents.access"
METRICS_MEDIA_TYPE = CONTENT_TYPE_PLAIN_0_0_4
UNMATCHED = "unmatched"
LABELS = ("method", "route", "status")
# A client can send any method; only these become label values, so series stay bounded.
METHODS = frozenset({"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"})
LATENCY_BUCKETS = (0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0)
# (metric suffix, pool method, help); a pool class without the method has no such gauge.
POOL_GAUGES = (
    ("size", "size", "Connections the pool keeps open."),
    ("checked_out", "checkedout", "Connections in use by requests."),
    ("checked_in", "checkedin", "Idle connections in the pool."),
    ("overflow", "overflow", "Connections open beyond the pool size (negative: unused room)."),
)


class PoolCollector(Collector):
    """Database pool gauges, read from the engine's pool at scrape time."""

    def collect(self) -> Iterator[Metric]:
        """One gauge per pool statistic the pool class offers."""
        pool = get_engine().pool
        for suffix, method, documentation in POOL_GAUGES:
            read = getattr(pool, method, None)
            if callable(read):
                yield GaugeMetricFamily(f"geoevents_db_pool_{suffix}", documentation, read())


class Metrics:
    """The request counter, the latency histogram and the pool gauges of one app."""

    def __init__(self) -> None:
        self.registry = CollectorRegistry()
        self.requests = Counter(
            "geoevents_http_requests", "HTTP requests answered.", LABELS, registry=self.registry
        )
        self.latency = Histogram(
            "geoevents_http_request_duration_seconds",
            "Time from the request's arrival to the end of its response.",
            LABELS,
            buckets=LATENCY_BUCKETS,
            registry=self.registry,
        )
        self.registry.register(PoolCollector())
        # labels() takes a lock and builds a key each call; the children are reused instead.
        self._series: dict[tuple[str, str, str], tuple[Any, Any]] = {}

    def observe(self, method: str, route: str, status: str, seconds: float) -> None:
        """Count one request and its duration."""
        key = (method, route, status)
        series = self._series.get(key)
        if series is None:
            series = self._series[key] = (self.requests.labels(*key), self.latency.labels(*key))
        series[0].inc()
        series[1].observe(seconds)


class RouteTemplates:
    """The path template a request matched, e.g. `/api/v1/events/{event_id}`."""

    def __init__(self, app: FastAPI) -> None:
        self.app = app
        self._patterns: list[tuple[re.Pattern[str], str]] | None = None

    def of(self, scope: Scope) -> str:
        """The template after routing, else the first one the path fits, else `unmatched`."""
        # FastAPI keeps the included router's route (with its prefix) here; scope["route"]
        # is that route without the prefix, or a route added to the app itself.
        context = scope.get("fastapi", {}).get("effective_route_context")
        template = getattr(context, "path_format", None)
        if template is None:
            template = getattr(scope.get("route"), "path_format", None)
        if isinstance(template, str):
            return template
        # Refused before routing (a 429, a 413): match here, as the router would have.
        return self._match(scope["path"])

    def _match(self, path: str) -> str:
        if self._patterns is None:
            self._patterns = []
            for context in iter_route_contexts(self.app.routes):
                raw, template = getattr(context, "path", None), context.path_format
                if isinstance(raw, str) and isinstance(template, str):
                    self._patterns.append((compile_path(raw)[0], template))
        return next((t for regex, t in self._patterns if regex.match(path)), UNMATCHED)


class ObservabilityMiddleware:
    """Count, time and (when enabled) log every HTTP request as one JSON line."""

    def __init__(
        self, app: ASGIApp, metrics: Metrics, routes: RouteTemplates, access_log: bool
    ) -> None:
        self.app = app
        self.metrics = metrics
        self.routes = routes
        self.logger = configure_json_logger(ACCESS_LOGGER) if access_log else None

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Record the status the response started with; 500 if it never started."""
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()
        status = 500

        async def send_recording(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
            await send(message)

        try:
            await self.app(scope, receive, send_recording)
        finally:
            self._record(scope, status, time.perf_counter() - started)

    def _record(self, scope: Scope, status: int, seconds: float) -> None:
        method = scope["method"]
        route = self.routes.of(scope)
        self.metrics.observe(method if method in METHODS else "OTHER", route, str(status), seconds)
        if self.logger is None or not self.logger.isEnabledFor(logging.INFO):
            return
        identity = key_identity(scope)
        client = scope.get("client")
        fields = {
            "request_id": scope.get("state", {}).get("request_id"),
            "method": method,
            "path": scope["path"],
            "route": route,
            "status": status,
            "duration_ms": round(seconds * 1000, 3),
            "client": client[0] if client else None,
            "key": identity[:12] if identity else None,
        }
        self.logger.info("%s %s %d", method, scope["path"], status, extra={"fields": fields})


def install_observability(app: FastAPI, settings: Settings) -> None:
    """Add the middleware and (unless METRICS_ACCESS=off) GET /metrics; call it last."""
    metrics = Metrics()
    app.add_middleware(
        ObservabilityMiddleware,
        metrics=metrics,
        routes=RouteTemplates(app),
        access_log=settings.access_log,
    )
    access = settings.metrics()
    if access == "off":
        return
    admin_only = access == "admin"

    @app.get(
        "/metrics",
        tags=["operations"],
        operation_id="metrics",
        summary="Prometheus metrics",
        response_class=PlainTextResponse,
        dependencies=[Depends(require_scope(KeyScope.admin))] if admin_only else [],
    )
    async def read_metrics() -> Response:
        """Request counts and latencies by route template and status, and pool gauges."""
        return Response(generate_latest(metrics.registry), media_type=METRICS_MEDIA_TYPE)
