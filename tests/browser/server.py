"""A live geoevents server for browser tests: uvicorn on a free loopback port."""

import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx
from alembic import command
from sqlmodel import Session

from app.db import build_engine
from app.models import EventStatus, EventType, SourceKind
from app.schemas.claims import AppearanceCreate, ClaimCreate
from app.schemas.events import EventCreate, LocationIn
from app.schemas.sources import SourceCreate
from app.services import claims, events, sources
from seed.loader import load_article
from tests.conftest import ROOT, alembic_config

# Older than the seed's Sochi events, so that a search for Sochi lists the seed's first.
EXTRA_SOCHI_EVENTS = 45
HOSTILE_TITLE = 'Sochi <img src=x onerror="window.__xss=1"> & <script>window.__xss=2</script>'
CONTEXT_TEXT = (
    "Delegates arrived by train on Monday morning. "
    "“We came to Sochi to talk about ports, not politics,” the delegation's head said. "
    "The talks ended without a statement."
)
CONTEXT_QUOTE = "We came to Sochi to talk about ports, not politics,"
STARTUP_SECONDS = 30
UVICORN = [
    sys.executable,
    "-m",
    "uvicorn",
    "app.main:app",
    "--host",
    "127.0.0.1",
    "--no-access-log",
]


def free_port() -> int:
    """A loopback port nothing listens on now."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


def extra_event(n: int) -> EventCreate:
    """One of the extra events in Sochi, day `n` of 2018, that make the search need pages."""
    day = f"2018-{1 + n // 28:02d}-{1 + n % 28:02d}"
    return EventCreate(
        slug=f"sochi-trade-forum-session-{n:02d}",
        title=f"Sochi trade forum, session {n}",
        summary="A session of the regional trade forum held in Sochi.",
        event_type=EventType.meeting,
        status=EventStatus.occurred,
        start=day,
        location=LocationIn(name="Sochi", country="RU", lat=43.5855, lon=39.7231, precision="city"),
    )


def load_test_data(url: str) -> None:
    """Migrate, seed the article, and add the events and texts the browser tests need."""
    command.upgrade(alembic_config(url), "head")
    engine = build_engine(url)
    with Session(engine, expire_on_commit=False) as session:
        load_article(session)
        for n in range(EXTRA_SOCHI_EVENTS):
            events.create_event(session, extra_event(n))
        events.create_event(
            session,
            EventCreate(
                slug="hostile-title",
                title=HOSTILE_TITLE,
                summary="<b>not bold</b>",
                event_type=EventType.other,
                status=EventStatus.occurred,
                start="2017-01-01",
            ),
        )
        sources.create_source(
            session,
            SourceCreate(
                slug="delegation-report",
                kind=SourceKind.report,
                title="Delegation report",
                text=CONTEXT_TEXT,
            ),
        )
        claims.create_event_claim(
            session,
            "sochi-trade-forum-session-00",
            ClaimCreate(
                slug="delegation-ports-not-politics",
                text=CONTEXT_QUOTE,
                claim_type="quote",
                appearances=[AppearanceCreate(source_id="delegation-report", quote=CONTEXT_QUOTE)],
            ),
        )
    engine.dispose()


@contextmanager
def live_server(database_url: str, port: int, **settings: str) -> Iterator[str]:
    """Serve the app on `database_url` at http://127.0.0.1:`port` until the block ends."""
    env = {
        **os.environ,
        "DATABASE_URL": database_url,
        "ACCESS_LOG": "false",
        **{key.upper(): value for key, value in settings.items()},
    }
    process = subprocess.Popen(
        [*UVICORN, "--port", str(port)],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        wait_until_up(base, process)
        yield base
    finally:
        process.terminate()
        _, errors = process.communicate(timeout=10)
        if process.returncode not in (0, -15):
            sys.stderr.write(errors.decode(errors="replace"))


def wait_until_up(base: str, process: subprocess.Popen[bytes]) -> None:
    """Poll /health until it answers, or fail with the server's output."""
    deadline = time.monotonic() + STARTUP_SECONDS
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError("the server exited at start")
        try:
            if httpx.get(f"{base}/health", timeout=1).status_code == 200:
                return
        except httpx.TransportError:
            time.sleep(0.2)
    raise RuntimeError(f"the server did not answer within {STARTUP_SECONDS} s")


def database_file(folder: Path) -> str:
    """A SQLite URL for a new file in `folder`."""
    return f"sqlite:///{folder / 'explorer.db'}"
