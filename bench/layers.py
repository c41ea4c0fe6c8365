"""`python -m bench.layers`: what each layer of a GET by id costs, in process, through ASGI.

Each variant is the app without its hot reads (app/routers/hot_reads.py: the documented
route answers, through FastAPI), or with one middleware removed (or all of them); every
variant answers the same GET through its real ASGI entry, on one pinned core, and variants
alternate in rounds so that drift cancels. In the documented route's variant the time spent
in FastAPI's dependency solving (running the dependencies included), in the handler and in
response serialization is timed by wrapping those functions (a handler answering JSON bytes,
as a GET by id does, skips the serialization). A GET passes straight through the layers
only writes use (the body limit, idempotency keys): their rows show what passing through
costs. Writes its section of bench/RESULTS.md. Run it on a quiet machine:
DATABASE_URL=sqlite:///bench/data/sqlite-100000.db .venv/bin/python -m bench.layers
"""

import argparse
import asyncio
import gc
import os
import re
import statistics
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

import fastapi.routing
from fastapi import FastAPI
from sqlalchemy import text
from sqlalchemy.engine import make_url
from starlette.types import ASGIApp, Message

from app.config import Settings
from app.db import build_engine
from app.headers import ResponseHeadersMiddleware
from app.main import create_app
from app.routers.hot_reads import HotRoute

FULL, BARE = "full stack", "no middleware of the app's"
# The full stack without the hot reads: the documented route answers, through FastAPI.
ROUTED = "documented route (no hot read)"
# Mirrors app.main.GeoEvents.build_middleware_stack: this one wraps the whole stack.
OUTER = (ResponseHeadersMiddleware,)
# What the full app's request spends inside these FastAPI functions (wrapped and timed).
PHASES = {
    "dependency solving": "solve_dependencies",
    "handler": "run_endpoint_function",
    "response serialization": "serialize_response",
}


def markers(engine: str) -> tuple[str, str]:
    """The lines around this section of RESULTS.md for `engine`: one section per engine."""
    return f"<!-- bench:layers:{engine}:start -->", f"<!-- bench:layers:{engine}:end -->"


MakeApp = Callable[[], FastAPI]


@dataclass
class Timing:
    """Per-call nanoseconds of one variant over all rounds, and its last response."""

    calls: list[int] = field(default_factory=list)
    status: int = 0

    @property
    def median_us(self) -> float:
        """Median microseconds per call."""
        return statistics.median(self.calls) / 1000 if self.calls else float("nan")


def variant_names(app: FastAPI) -> list[str]:
    """The full app, without its hot reads, without each middleware in turn, without any."""
    inner = [m.cls.__name__ for m in app.user_middleware]  # type: ignore[attr-defined]
    outer = [cls.__name__ for cls in OUTER]
    return [FULL, ROUTED, *(f"without {name}" for name in [*outer, *inner]), BARE]


def build(make_app: MakeApp, variant: str) -> FastAPI:
    """A fresh app as `variant` names it, its middleware stack built now."""
    app = make_app()
    if variant == ROUTED:
        app.router.routes[:] = [r for r in app.router.routes if not isinstance(r, HotRoute)]
    dropped = variant.removeprefix("without ")
    if variant == BARE:
        app.user_middleware = []
    else:
        app.user_middleware = [m for m in app.user_middleware if m.cls.__name__ != dropped]  # type: ignore[attr-defined]
    stack = FastAPI.build_middleware_stack(app)
    for cls in OUTER if variant != BARE else ():
        if cls.__name__ != dropped:
            stack = cls(stack)
    app.middleware_stack = stack
    return app


def http_scope(path: str) -> dict[str, Any]:
    """The ASGI scope of a plain GET of `path` from a local client."""
    route, _, query = path.partition("?")
    return {
        "type": "http",
        "asgi": {"version": "3.0", "spec_version": "2.3"},
        "http_version": "1.1",
        "method": "GET",
        "scheme": "http",
        "path": route,
        "raw_path": route.encode(),
        "query_string": query.encode(),
        "root_path": "",
        "headers": [(b"host", b"127.0.0.1:8000"), (b"accept", b"application/json")],
        "client": ("127.0.0.1", 40000),
        "server": ("127.0.0.1", 8000),
        "state": {},
    }


async def call(app: ASGIApp, path: str) -> tuple[int, bytes]:
    """One GET through `app`'s ASGI entry: its status and body."""
    sent: list[Message] = []

    async def receive() -> Message:
        return {"type": "http.request", "body": b"", "more_body": False}

    async def send(message: Message) -> None:
        sent.append(message)

    await app(http_scope(path), receive, send)
    status = next(m["status"] for m in sent if m["type"] == "http.response.start")
    body = b"".join(m.get("body", b"") for m in sent if m["type"] == "http.response.body")
    return status, body


@contextmanager
def phase_timers(spent: dict[str, int]) -> Iterator[None]:
    """Time the calls of PHASES' functions into `spent` (nanoseconds), restoring them after."""
    originals = {name: getattr(fastapi.routing, name) for name in PHASES.values()}

    def timed(phase: str, function: Any) -> Any:
        async def wrapper(*args: Any, **kwargs: Any) -> Any:
            began = time.perf_counter_ns()
            try:
                return await function(*args, **kwargs)
            finally:
                spent[phase] += time.perf_counter_ns() - began

        return wrapper

    try:
        for phase, name in PHASES.items():
            setattr(fastapi.routing, name, timed(phase, originals[name]))
        yield
    finally:
        for name, function in originals.items():
            setattr(fastapi.routing, name, function)


async def measure(
    make_app: MakeApp, path: str, calls: int, rounds: int
) -> tuple[dict[str, Timing], dict[str, int]]:
    """Time every variant in alternating rounds; the documented route's phases (ns over its
    calls)."""
    names = variant_names(make_app())
    apps = {name: build(make_app, name) for name in names}
    timings = {name: Timing() for name in names}
    spent = dict.fromkeys(PHASES, 0)
    for app in apps.values():
        async with app.router.lifespan_context(app):
            for _ in range(max(1, calls // 10)):  # warm: first calls fill caches
                await call(app, path)
    for _ in range(rounds):
        for name, app in apps.items():
            gc.collect()
            async with app.router.lifespan_context(app):
                with phase_timers(spent) if name == ROUTED else _nothing():
                    for _ in range(calls):
                        began = time.perf_counter_ns()
                        timings[name].status, _body = await call(app, path)
                        timings[name].calls.append(time.perf_counter_ns() - began)
    return timings, spent


@contextmanager
def _nothing() -> Iterator[None]:
    yield


def section(
    timings: dict[str, Timing], spent: dict[str, int], path: str, engine: str, note: str
) -> str:
    """The Markdown section of RESULTS.md for one measurement on `engine`."""
    full = timings[FULL]
    start, end = markers(engine)
    out = [
        start,
        f"## Cost per layer of a GET by id, {engine} (`python -m bench.layers`)",
        "",
        f"`GET {path}` through each variant's ASGI entry, in process. {note}",
        "",
        "| variant | status | µs per call (median) | saved µs | saved x full |",
        "|---|---|---|---|---|",
    ]
    for name, timing in timings.items():
        saved = full.median_us - timing.median_us
        cells = "| - | - |" if name == FULL else f"| {saved:,.1f} | {saved / full.median_us:.3f} |"
        out.append(f"| {name} | {timing.status} | {timing.median_us:,.1f} {cells}")
    routed = timings.get(ROUTED, full)
    total = sum(routed.calls) or 1
    out += ["", "Inside the documented route's stack (mean over its calls):", ""]
    out += ["| phase | µs per call | x documented route |", "|---|---|---|"]
    for phase, ns in spent.items():
        per_call = ns / len(routed.calls) / 1000 if routed.calls else float("nan")
        out.append(f"| {phase} | {per_call:,.1f} | {ns / total:.3f} |")
    return "\n".join([*out, "", end]) + "\n"


def write(text_: str, engine: str, results: Any) -> None:
    """Replace `engine`'s section of `results` (a Path) or append it, keeping the others."""
    current = results.read_text(encoding="utf-8") if results.exists() else "# Benchmarks\n\n"
    start, end = markers(engine)
    pattern = re.compile(re.escape(start) + r".*?" + re.escape(end) + r"\n?", re.DOTALL)
    if pattern.search(current):
        updated = pattern.sub(lambda _: text_, current, count=1)
    else:
        updated = current.rstrip("\n") + "\n\n" + text_
    results.write_text(updated, encoding="utf-8")


def main() -> None:
    """Measure the layers on DATABASE_URL's first event and write bench/RESULTS.md."""
    from bench.report import RESULTS

    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--calls", type=int, default=20_000, help="calls per variant per round")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--core", type=int, default=0, help="the one core to run on")
    parser.add_argument("--query", default="expand=participants", help="query string sent")
    args = parser.parse_args()
    os.sched_setaffinity(0, {args.core})
    settings = Settings(
        rate_limit_per_minute=0, anonymous_rate_limit_per_minute=0, access_log=False
    )
    engine = build_engine(settings.database_url)
    with engine.connect() as conn:
        event_id = conn.execute(text("SELECT id FROM event ORDER BY id LIMIT 1")).scalar_one()
    engine.dispose()
    path = f"/api/v1/events/{_uuid(event_id)}" + (f"?{args.query}" if args.query else "")
    timings, spent = asyncio.run(
        measure(lambda: create_app(settings), path, args.calls, args.rounds)
    )
    note = (
        f"{args.calls:,} calls per variant per round, {args.rounds} rounds alternating, one core "
        f"({args.core}); "
        "rate limits off and access log off as in `make bench`."
    )
    backend = make_url(settings.database_url).get_backend_name()
    text_ = section(timings, spent, path, backend, note)
    write(text_, backend, RESULTS)
    print(text_)


def _uuid(value: Any) -> str:
    raw = str(value).replace("-", "")
    return f"{raw[:8]}-{raw[8:12]}-{raw[12:16]}-{raw[16:20]}-{raw[20:]}"


if __name__ == "__main__":
    main()
