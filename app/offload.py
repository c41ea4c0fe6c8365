"""Slow reads run in a few threads of their own, so that they never hold up the event loop;
on PostgreSQL, cheap reads run in threads too, so that their waits on the server overlap."""

import asyncio
import gc
import sys
from collections.abc import AsyncIterator, Callable
from typing import Annotated, Any, get_args
from weakref import WeakKeyDictionary

import anyio.to_thread
from anyio import CapacityLimiter
from fastapi import Depends, Request
from pydantic import BaseModel
from sqlmodel import Session
from starlette.responses import Response

from app.config import get_settings
from app.db import MAX_SESSIONS

# The longest page read on the event loop: a cheap, bounded read (see `is_slow`) takes about
# a millisecond per 50 rows, and the loop may be held for only a few.
LOOP_LIMIT = 50
# Sorts read along an index in page order: as cheap as the default one.
_CHEAP_SORTS = frozenset({"recorded"})
_FALSE = frozenset({"false", "0", "no", "off", "f", "n"})
# Reads that aggregate many rows whatever their parameters.
_SLOW_PATHS = ("/stats", "/timeline", "/network")
READS = frozenset({"GET", "HEAD"})
# How long a thread may hold the GIL while another waits for it, in seconds. Python's 5 ms
# default lets two busy slow-read threads delay the loop by tens of milliseconds at each of
# its turns (measured: loop lag p50 55 ms at 5 ms, 10 ms at 1 ms); with no thread waiting,
# it costs nothing.
SWITCH_INTERVAL = 0.001
# Allocations between young collections (Python's default: 700). A collection holds the GIL,
# and each tenth of the tenth scans every object not frozen: with pages of 500 expanded events
# being built, 23 full collections of up to 56 ms in 84 slow reads. At 10,000, one, and half the
# time spent collecting overall; the young collections, less frequent, take up to about 13 ms.
YOUNG_COLLECTION_THRESHOLD = 10_000
# One pool per event loop (a test client runs each app on a loop of its own).
_POOLS: WeakKeyDictionary[asyncio.AbstractEventLoop, CapacityLimiter] = WeakKeyDictionary()
# Cheap reads on PostgreSQL, one thread per session a request may hold (see `answer`).
_WAITING: WeakKeyDictionary[asyncio.AbstractEventLoop, CapacityLimiter] = WeakKeyDictionary()
_GATES: WeakKeyDictionary[asyncio.AbstractEventLoop, asyncio.Semaphore] = WeakKeyDictionary()


def is_slow(request: Request) -> bool:
    """Whether a read may be slow: stats, timeline, network, or a list that is not cheap."""
    # A list is cheap unsearched, unexpanded, uncounted, in the default order and at most
    # LOOP_LIMIT long; decided from the request as sent, before anything is parsed.
    if request.method not in READS:
        return False
    if request.url.path.endswith(_SLOW_PATHS):
        return True
    params = request.query_params
    return bool(
        params.get("q")
        or params.get("expand")
        or params.get("include_total", "false").lower() not in _FALSE
        or params.get("sort", "recorded") not in _CHEAP_SORTS
        or _number(params.get("limit")) > LOOP_LIMIT
    )


def _number(value: str | None) -> int:
    # Anything but a number is refused later, by the query's own validation.
    return int(value) if value is not None and value.isdigit() else 0


async def admit(request: Request) -> AsyncIterator[bool]:
    """Whether the request is a slow read; one waits here, before it takes a session."""
    # A slow read holds the request's session while it runs: waiting before taking one leaves
    # the sessions (MAX_SESSIONS) to cheap reads however many slow ones queue.
    if not is_slow(request):
        yield False
        return
    async with _gate():
        yield True


def share_the_gil() -> None:
    """Make threads holding the GIL hand it to the event loop soon (at server start)."""
    sys.setswitchinterval(SWITCH_INTERVAL)
    gc.set_threshold(YOUNG_COLLECTION_THRESHOLD, *gc.get_threshold()[1:])
    # A full garbage collection holds the GIL for as long as it scans; the objects made at
    # start (modules, models, routes) live as long as the process, so they are left out of
    # every later scan. Once: objects frozen are never freed (a test process starts many apps).
    if not gc.get_freeze_count():
        gc.collect()
        gc.freeze()


def _pool() -> CapacityLimiter:
    loop = asyncio.get_running_loop()
    pool = _POOLS.get(loop)
    if pool is None:
        pool = _POOLS[loop] = CapacityLimiter(get_settings().slow_read_threads)
    return pool


def _waiting_pool() -> CapacityLimiter:
    loop = asyncio.get_running_loop()
    pool = _WAITING.get(loop)
    if pool is None:
        pool = _WAITING[loop] = CapacityLimiter(MAX_SESSIONS)
    return pool


def _gate() -> asyncio.Semaphore:
    loop = asyncio.get_running_loop()
    gate = _GATES.get(loop)
    if gate is None:
        # As many slow reads in progress as threads to run them, and as many about to start.
        gate = _GATES[loop] = asyncio.Semaphore(2 * get_settings().slow_read_threads)
    return gate


async def answer(slow: bool, response: Response, work: Callable[..., Any], *args: Any) -> Any:
    """`work(*args)`, a handler's body: in a slow-read thread when slow; when cheap, on the
    loop, or on PostgreSQL in a thread that waits on the server (`args` holds the session)."""
    # The thread renders the JSON too, so that not even the serialising holds the loop (while
    # /health and GETs by id wait on it); waiting for a free thread costs the loop nothing.
    session = next((arg for arg in args if isinstance(arg, Session)), None)
    if slow:
        pool = _pool()
    elif session is not None and session.get_bind().dialect.name == "postgresql":
        # A cheap list on PostgreSQL spends most of its time waiting for the server's answers
        # (it sends 8 to 10 statements); on the loop, the process would sit idle through each
        # wait. In threads, which wait without the GIL, one list's waits overlap another's
        # work (bench/RESULTS.md: PostgreSQL lists in threads). SQLite waits for nothing but
        # the CPU; there a thread would only cost its hop.
        pool = _waiting_pool()
    else:
        return work(*args)
    return await anyio.to_thread.run_sync(
        lambda: _done(work(*args), response, session), limiter=pool
    )


def _done(result: Any, response: Response, session: Session | None) -> Any:
    """`result` rendered, and the session's transaction ended, both in the thread."""
    rendered = _rendered(result, response)
    if session is not None and isinstance(rendered, Response):
        # On PostgreSQL a ROLLBACK waits on the server: here rather than on the loop, where
        # the session would end it when it closes. Nothing is left to read from it.
        session.rollback()
    return rendered


async def answer_in_turn(response: Response, work: Callable[..., Any], *args: Any) -> Any:
    """`work(*args)` in a slow-read thread, once its turn comes as an admitted read's does: for
    a read that turns out to be slow only once its handler has parsed the request."""
    async with _gate():
        return await answer(True, response, work, *args)


def _rendered(result: Any, response: Response) -> Any:
    if not isinstance(result, BaseModel):
        return result
    rendered = Response(as_json(result), media_type="application/json")
    rendered.headers.raw.extend(response.headers.raw)
    return rendered


def as_json(result: BaseModel) -> str:
    """`result.model_dump_json(by_alias=True)`, its top-level lists of models written an item
    at a time.

    One call renders with the GIL held from its first byte to its last (43 ms for a page of 500
    events with their participants, claims and sources), and the event loop waits that long;
    between items, the loop gets its turn.
    """
    lists = {
        name: items
        for name, items in result
        if isinstance(items, list) and len(items) > 1 and _all_of_declared_type(result, name, items)
    }
    if not lists:
        return result.model_dump_json(by_alias=True)
    shell = result.model_copy(update={name: [] for name in lists}).model_dump_json(by_alias=True)
    cuts: list[tuple[int, list[BaseModel]]] = []
    for name, items in lists.items():
        empty = f'"{type(result).model_fields[name].alias or name}":[]'
        if shell.count(empty) != 1:
            return result.model_dump_json(by_alias=True)
        cuts.append((shell.index(empty) + len(empty) - 1, items))
    parts: list[str] = []
    start = 0
    for at, items in sorted(cuts, key=lambda cut: cut[0]):
        parts.append(shell[start:at])
        parts.append(",".join(item.model_dump_json(by_alias=True) for item in items))
        start = at
    parts.append(shell[start:])
    return "".join(parts)


def _all_of_declared_type(result: BaseModel, name: str, items: list[Any]) -> bool:
    # An item of a subclass would render its own fields alone, not the declared type's.
    declared = get_args(type(result).model_fields[name].annotation)
    return len(declared) == 1 and all(type(item) is declared[0] for item in items)


# A handler's parameter: whether its request is a slow read, admitted (see `admit`).
SlowRead = Annotated[bool, Depends(admit, scope="function")]
