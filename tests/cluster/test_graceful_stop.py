"""A real `python -m app.serve` process: SIGTERM drains, finishes requests in flight, exits 0."""

import os
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from app.migrate import migrate
from tests.cluster.conftest import free_port

ROOT = Path(__file__).resolve().parents[2]
DRAIN = 1.5


def wait_until_up(base: str, process: subprocess.Popen[bytes], timeout: float = 60) -> None:
    """Poll /health until it answers; fail if the process dies or time runs out."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        assert process.poll() is None, "the server exited while starting"
        try:
            if httpx.get(f"{base}/health", timeout=1).status_code == 200:
                return
        except httpx.TransportError:
            time.sleep(0.2)
    pytest.fail("the server did not start in time")


@pytest.fixture
def server(tmp_path: Path) -> Iterator[tuple[str, subprocess.Popen[bytes]]]:
    """A replica on a migrated SQLite file, with a 1.5 s drain."""
    url = f"sqlite:///{tmp_path / 'serve.db'}"
    migrate(url)
    port = free_port()
    env = {
        **os.environ,
        "DATABASE_URL": url,
        "DRAIN_SECONDS": str(DRAIN),
        "SHUTDOWN_TIMEOUT_SECONDS": "10",
    }
    command = [sys.executable, "-m", "app.serve", "--port", str(port)]
    command += ["--app", "tests.cluster.slow_app:app"]
    process = subprocess.Popen(command, cwd=ROOT, env=env)
    try:
        wait_until_up(f"http://127.0.0.1:{port}", process)
        yield f"http://127.0.0.1:{port}", process
    finally:
        if process.poll() is None:
            process.kill()
        process.wait(timeout=10)


class TestSigterm:
    def test_drains_then_finishes_in_flight_and_exits(
        self, server: tuple[str, subprocess.Popen[bytes]]
    ) -> None:
        base, process = server
        results: list[httpx.Response] = []
        in_flight = threading.Thread(
            target=lambda: results.append(httpx.get(f"{base}/slow?seconds=4", timeout=30))
        )
        in_flight.start()
        time.sleep(0.5)
        sent = time.monotonic()
        process.send_signal(signal.SIGTERM)
        time.sleep(0.3)
        # Draining: not ready, but still serving new requests.
        ready = httpx.get(f"{base}/ready", timeout=5)
        events = httpx.get(f"{base}/api/v1/events?limit=1", timeout=5)
        assert ready.status_code == 503
        assert ready.json()["type"] == "/problems/not-ready"
        assert events.status_code == 200
        # After the drain the socket is closed while the slow request is still running.
        time.sleep(DRAIN + 0.7 - (time.monotonic() - sent))
        with pytest.raises(httpx.ConnectError):
            httpx.get(f"{base}/health", timeout=2)
        in_flight.join(timeout=30)
        assert [r.status_code for r in results] == [200]
        assert results[0].json() == {"slept": 4.0}
        assert process.wait(timeout=20) == 0

    def test_a_second_sigterm_skips_the_drain(
        self, server: tuple[str, subprocess.Popen[bytes]]
    ) -> None:
        _, process = server
        process.send_signal(signal.SIGTERM)
        time.sleep(0.2)
        process.send_signal(signal.SIGTERM)
        started = time.monotonic()
        assert process.wait(timeout=20) == 0
        assert time.monotonic() - started < DRAIN + 5
