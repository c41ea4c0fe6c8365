"""Slow reads run in a few threads of their own, so that they never hold up the event loop."""

import asyncio
import sys
from collections.abc import Callable
from typing import Any
from weakref import WeakKeyDictionary

import anyio.to_thread
from anyio import CapacityLimiter
from pydantic import BaseModel
from starlette.responses import Response

from app.config import get_settings
from app.schemas.common import Page

# The longest page read on the event loop: a cheap, bounded read (see `is_slow`) takes about
# a millisecond per 50 rows, and the loop may be held for only a few.
LOOP_LIMIT = 50
# Sorts read along an index in page order: as cheap as the default one.
_CHEAP_SORTS = frozenset({"recorded"})
# How long a thread may hold the GIL while another waits for it, in seconds. Python's 5 ms
# default lets two busy slow-read threads delay the loop by tens of milliseconds at each of
# its turns (measured: loop lag p50 55 ms at 5 ms, 10 ms at 1 ms); with no thread waiting,
# it costs nothing.
SWITCH_INTERVAL = 0.001
# One pool per event loop (a test client runs each app on a loop of its own).
_POOLS: WeakKeyDictionary[asyncio.AbstractEventLoop, CapacityLimiter] = WeakKeyDictionary()


def is_slow(query: BaseModel) -> bool:
    """Whether a list query may be slow: searched, expanded, counted, re-sorted or long."""
    shape = query.model_dump(include={"q", "expand", "include_total", "sort", "limit"})
    return bool(
        shape.get("q")
        or shape.get("expand")
        or shape.get("include_total")
        or shape.get("sort", "recorded") not in _CHEAP_SORTS
        or shape.get("limit", 0) > LOOP_LIMIT
    )


def share_the_gil() -> None:
    """Make threads holding the GIL hand it to the event loop soon (at server start)."""
    sys.setswitchinterval(SWITCH_INTERVAL)


def _pool() -> CapacityLimiter:
    loop = asyncio.get_running_loop()
    pool = _POOLS.get(loop)
    if pool is None:
        pool = _POOLS[loop] = CapacityLimiter(get_settings().slow_read_threads)
    return pool


async def answer(slow: bool, response: Response, work: Callable[..., Any], *args: Any) -> Any:
    """`work(*args)`, a handler's body: on the loop when cheap, else in a slow-read thread."""
    # The thread renders the JSON too, so that not even the serialising holds the loop (while
    # /health and GETs by id wait on it); waiting for a free thread costs the loop nothing.
    if not slow:
        return work(*args)
    return await anyio.to_thread.run_sync(lambda: _rendered(work(*args), response), limiter=_pool())


def _rendered(result: Any, response: Response) -> Any:
    if not isinstance(result, BaseModel):
        return result
    rendered = Response(result.model_dump_json(by_alias=True), media_type="application/json")
    rendered.headers.raw.extend(response.headers.raw)
    return rendered


def page_of(service: Callable[..., tuple[list[Any], str | None]], *args: Any) -> Page[Any]:
    """The page a list service returns as (items, next cursor)."""
    items, next_cursor = service(*args)
    return Page(items=items, next_cursor=next_cursor)
