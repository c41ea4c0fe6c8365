"""A geoevents server for fault tests: its own database, started, killed and restarted."""

import os
import secrets
import signal
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import httpx
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

ROOT = Path(__file__).resolve().parent.parent
HOST = "127.0.0.1"
PG_URL = os.environ.get(
    "FAULTS_DATABASE_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/geoevents_faults"
)
START_TIMEOUT = 30.0


def free_port() -> int:
    """A TCP port on the loopback nobody listens on now."""
    with socket.socket() as probe:
        probe.bind((HOST, 0))
        port: int = probe.getsockname()[1]
        return port


def fresh_database(engine: str, workdir: Path) -> str:
    """A new, migrated database for `engine` (sqlite or postgresql); its URL."""
    if engine == "sqlite":
        url = f"sqlite:///{workdir / 'faults.db'}"
    else:
        url = PG_URL
        target = make_url(url)
        admin = create_engine(target.set(database="postgres"), isolation_level="AUTOCOMMIT")
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{target.database}" WITH (FORCE)'))
            conn.execute(text(f'CREATE DATABASE "{target.database}"'))
        admin.dispose()
    env = os.environ | {"DATABASE_URL": url}
    subprocess.run(
        [sys.executable, "-m", "alembic", "upgrade", "head"],
        cwd=ROOT,
        env=env,
        check=True,
        capture_output=True,
        timeout=120,
    )
    return url


class Server:
    """One uvicorn process of the app on the loopback, limits off, a known admin key."""

    def __init__(self, url: str, workdir: Path) -> None:
        self.url = url
        self.port = free_port()
        self.base = f"http://{HOST}:{self.port}"
        self.key = "ge_" + secrets.token_urlsafe(32)
        self.log = workdir / "server.log"
        self.process: subprocess.Popen[bytes] | None = None

    def env(self) -> dict[str, str]:
        """The server's environment: this database, no rate limits, the admin key."""
        return os.environ | {
            "DATABASE_URL": self.url,
            "RATE_LIMIT_PER_MINUTE": "0",
            "ANONYMOUS_RATE_LIMIT_PER_MINUTE": "0",
            "ACCESS_LOG": "false",
            "GEOEVENTS_ADMIN_KEY": self.key,
        }

    def start(self) -> None:
        """Start uvicorn and wait until /ready answers."""
        command = [sys.executable, "-m", "uvicorn", "app.main:app", "--host", HOST]
        command += ["--port", str(self.port), "--no-access-log"]
        with self.log.open("ab") as log:
            self.process = subprocess.Popen(
                command, cwd=ROOT, env=self.env(), stdout=log, stderr=subprocess.STDOUT
            )
        deadline = time.monotonic() + START_TIMEOUT
        while time.monotonic() < deadline:
            try:
                if httpx.get(self.base + "/ready", timeout=1).status_code == 200:
                    return
            except httpx.HTTPError:
                pass
            time.sleep(0.05)
        raise RuntimeError(f"the server did not start; see {self.log}")

    def kill(self) -> None:
        """kill -9: no shutdown, no cleanup, as a crash or an OOM kill would."""
        if self.process is not None:
            self.process.send_signal(signal.SIGKILL)
            self.process.wait(timeout=10)
            self.process = None

    def stop(self) -> None:
        """End the server politely."""
        if self.process is not None:
            self.process.terminate()
            self.process.wait(timeout=10)
            self.process = None

    def headers(self, key: str | None = None) -> dict[str, str]:
        """Authorization, and Idempotency-Key when given."""
        sent = {"Authorization": f"Bearer {self.key}"}
        return sent | ({"Idempotency-Key": key} if key else {})


def event_body(name: str) -> dict[str, Any]:
    """A small valid event named `name`."""
    return {
        "slug": name,
        "title": f"Fault test {name}",
        "event_type": "meeting",
        "status": "occurred",
    }


def workdir() -> Path:
    """A scratch directory for the databases and server logs."""
    return Path(tempfile.mkdtemp(prefix="geoevents-faults-"))
