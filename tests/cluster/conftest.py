"""A real streaming standby of the local PostgreSQL server, made once per test run."""

import os
import random
import socket
from collections.abc import Iterator

import pytest
from sqlalchemy.engine import make_url

from app.migrate import migrate
from cluster.standby import Standby, StandbyUnavailable
from tests.conftest import drop_database, postgres_url


def free_port() -> int:
    """A port nothing listens on now, below the ephemeral range (see cluster.run): a server
    stopped and started again on it does not find it taken by an outgoing connection."""
    while True:
        port = random.randrange(20000, 32000)
        with socket.socket() as sock:
            try:
                sock.bind(("127.0.0.1", port))
            except OSError:
                continue
            return port


@pytest.fixture(scope="session")
def primary_url() -> Iterator[str]:
    """A migrated database of this run's own on the local server (committed for real)."""
    url = postgres_url(
        f"postgresql+psycopg://postgres@127.0.0.1:5432/geoevents_replicas_{os.getpid()}"
    )
    if url is None:
        pytest.skip("PostgreSQL is unreachable")
    migrate(url)
    yield url
    drop_database(url)


@pytest.fixture(scope="session")
def standby(primary_url: str) -> Iterator[Standby]:
    """A hot standby of the local server on a port of its own, removed after the run."""
    node = Standby(free_port())
    try:
        node.create()
        node.start()
    except (StandbyUnavailable, OSError) as exc:
        node.remove()
        if os.environ.get("CI"):
            pytest.fail(f"cannot make a standby: {exc}")
        pytest.skip(f"cannot make a standby here: {exc}")
    try:
        node.wait_caught_up()
        yield node
    finally:
        node.remove()


def standby_url(node: Standby, primary: str) -> str:
    """The URL of the primary's database on `node`."""
    return node.url(str(make_url(primary).database))
