"""Each route's per-request dependencies by its kind: a write, a read that may be slow, a read."""

import itertools
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from fastapi import FastAPI
from fastapi.dependencies.models import Dependant
from fastapi.params import Depends
from fastapi.routing import APIRoute, APIRouter

from app.db import SAFE_METHODS
from app.offload import admit


@dataclass(frozen=True)
class Needs:
    """The dependencies, in order, that each kind of route runs before its handler."""

    write: list[Depends]
    slow_read: list[Depends]
    read: list[Depends]


def kind_of(route: APIRoute) -> str:
    """`write`, `slow_read` (a list, stats, a timeline, a network) or `read` (one record)."""
    if (route.methods or set()) - SAFE_METHODS:
        return "write"
    # A path ending in a parameter names one record; any other read returns many, or
    # aggregates them. A handler that asks whether it is slow is one too, whatever its path.
    if not route.path.endswith("}") or _asks(route.dependant, admit):
        return "slow_read"
    return "read"


def _asks(dependant: Dependant, call: Any) -> bool:
    """Whether `call` is among `dependant`'s dependencies, at any depth."""
    return any(d.call is call or _asks(d, call) for d in dependant.dependencies)


def include(app: FastAPI, router: APIRouter, needs: Needs, **options: Any) -> None:
    """Include `router` in `app`, each route with the dependencies its kind needs."""
    # `include_router` gives one list to every route it includes: consecutive routes of one
    # kind share an inclusion, so that the routes keep their order, which decides both which
    # route a path matches and the order of the OpenAPI document.
    for kind, routes in itertools.groupby(_api_routes(router), kind_of):
        app.include_router(
            _router_like(router, list(routes)), dependencies=getattr(needs, kind), **options
        )


def _api_routes(router: APIRouter) -> Iterator[APIRoute]:
    for route in router.routes:
        # Other routes (mounts, websockets, nested routers) have no kind: refuse them here
        # rather than include them without their dependencies.
        if not isinstance(route, APIRoute):
            raise TypeError(f"{route!r} is not a path operation")
        yield route


def _router_like(router: APIRouter, routes: list[APIRoute]) -> APIRouter:
    """A router of `routes` with `router`'s defaults (its prefix, tags and dependencies are
    in each route already)."""
    return APIRouter(
        routes=list(routes),
        default_response_class=router.default_response_class,
        generate_unique_id_function=router.generate_unique_id_function,
        strict_content_type=router.strict_content_type,
        max_body_size=router.max_body_size,
        form_limits=router.form_limits,
    )
