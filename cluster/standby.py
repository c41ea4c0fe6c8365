"""A PostgreSQL streaming standby of the local server, made with pg_basebackup, for tests and
`make cluster`: its own data directory and port under a temporary directory, removed after.

The local server must accept replication connections from 127.0.0.1 and run with
`wal_level = replica` (Debian's default). `ensure_replication_access` adds the pg_hba.conf line
when it is missing (idempotent, then reloads; no restart); a server with `wal_level = minimal`
needs `ALTER SYSTEM SET wal_level = replica` and a restart, which is left to its operator.
"""

import glob
import os
import shutil
import subprocess
import tempfile
import time
from pathlib import Path

import psycopg

PRIMARY_DSN = "host=127.0.0.1 port=5432 user=postgres dbname=postgres"
SLOT_PREFIX = "geoevents_standby_"
HBA_LINE = "host replication all 127.0.0.1/32 trust"
# A hot standby needs these at least as high as on its primary.
COPIED_SETTINGS = (
    "max_connections",
    "max_worker_processes",
    "max_wal_senders",
    "max_prepared_transactions",
    "max_locks_per_transaction",
)


class StandbyUnavailable(Exception):
    """This machine cannot make a standby (no server, no binaries, no replication access)."""


def pg_bin(name: str) -> str:
    """The newest installed PostgreSQL's `name` binary."""
    found = sorted(glob.glob(f"/usr/lib/postgresql/*/bin/{name}"), key=_version)
    if not found:
        raise StandbyUnavailable(f"no {name} under /usr/lib/postgresql/*/bin")
    return found[-1]


def _version(path: str) -> float:
    return float(Path(path).parts[-3])


def _as_postgres(command: list[str]) -> list[str]:
    # The server refuses to run as root.
    return ["runuser", "-u", "postgres", "--", *command] if os.geteuid() == 0 else command


def _own(path: Path) -> None:
    if os.geteuid() == 0:
        shutil.chown(path, "postgres", "postgres")


def primary_query(sql: str, *params: object) -> list[tuple[object, ...]]:
    """Rows of `sql` on the local server's postgres database (autocommit)."""
    try:
        with psycopg.connect(PRIMARY_DSN, autocommit=True, connect_timeout=3) as conn:
            cursor = conn.execute(sql, params)
            return cursor.fetchall() if cursor.description else []
    except psycopg.OperationalError as exc:
        raise StandbyUnavailable(f"the local PostgreSQL server is unreachable: {exc}") from exc


def ensure_replication_access() -> None:
    """Let 127.0.0.1 replicate from the local server; raise StandbyUnavailable if it cannot."""
    (wal_level,) = primary_query("SHOW wal_level")[0]
    if wal_level == "minimal":
        raise StandbyUnavailable("the server runs with wal_level=minimal; set it to replica")
    rules = primary_query(
        "SELECT count(*) FROM pg_hba_file_rules WHERE 'replication' = ANY(database) "
        "AND type = 'host' AND auth_method = 'trust'"
    )
    if rules[0][0]:
        return
    (hba_file,) = primary_query("SHOW hba_file")[0]
    try:
        with open(str(hba_file), "a") as hba:
            hba.write(f"\n# Added for local streaming standbys (geoevents cluster).\n{HBA_LINE}\n")
    except OSError as exc:
        raise StandbyUnavailable(f"cannot add '{HBA_LINE}' to {hba_file}: {exc}") from exc
    primary_query("SELECT pg_reload_conf()")


def drop_stale_slots() -> None:
    """Drop inactive slots of standbys whose process is gone (a run killed midway)."""
    for (name,) in primary_query(
        "SELECT slot_name FROM pg_replication_slots WHERE NOT active AND slot_name LIKE %s",
        f"{SLOT_PREFIX}%",
    ):
        owner = str(name).removeprefix(SLOT_PREFIX).split("_")[0]
        if owner.isdigit() and not Path(f"/proc/{owner}").exists():
            primary_query("SELECT pg_drop_replication_slot(%s)", name)


class Standby:
    """One standby cluster on `port`, in a directory of its own."""

    def __init__(self, port: int, root: Path | None = None, slot: str | None = None) -> None:
        self.port = port
        self.root = root or Path(tempfile.mkdtemp(prefix="geoevents-standby-"))
        self.data = self.root / "data"
        # The primary keeps WAL for the slot while the standby is stopped; a test run's slot
        # is named after its process, so that a run killed midway has its slot dropped later.
        self.slot = slot or f"{SLOT_PREFIX}{os.getpid()}_{port}"

    def url(self, database: str) -> str:
        """A SQLAlchemy URL for `database` on this standby."""
        return f"postgresql+psycopg://postgres@127.0.0.1:{self.port}/{database}"

    def create(self) -> None:
        """Copy the primary with pg_basebackup and configure it as a hot standby."""
        ensure_replication_access()
        drop_stale_slots()
        self.root.chmod(0o755)
        _own(self.root)
        backup = [pg_bin("pg_basebackup"), "-h", "127.0.0.1", "-p", "5432", "-U", "postgres"]
        backup += ["-D", str(self.data), "-X", "stream", "-R", "-C", "-S", self.slot, "-c", "fast"]
        subprocess.run(_as_postgres(backup), check=True, timeout=300, capture_output=True)
        copied = primary_query(
            "SELECT name, setting FROM pg_settings WHERE name = ANY(%s)", list(COPIED_SETTINGS)
        )
        lines = [f"{name} = {value}" for name, value in copied]
        lines += [
            "listen_addresses = '127.0.0.1'",
            f"port = {self.port}",
            f"unix_socket_directories = '{self.root}'",
            "hot_standby = on",
            # Long reads on the standby are not cancelled by the primary's vacuum.
            "hot_standby_feedback = on",
            "shared_buffers = 32MB",
            # A throwaway copy: losing it on a crash costs nothing.
            "fsync = off",
        ]
        self._write("postgresql.conf", "\n".join(lines) + "\n")
        self._write("pg_hba.conf", "local all all trust\nhost all all 127.0.0.1/32 trust\n")

    def _write(self, name: str, text: str) -> None:
        path = self.data / name
        path.write_text(text)
        _own(path)

    def start(self) -> None:
        """Start the server and wait until it accepts connections (one retry)."""
        log = self.root / "standby.log"
        command = [pg_bin("pg_ctl"), "-D", str(self.data), "-l", str(log), "-w", "-t", "120"]
        for _attempt in (1, 2):
            done = subprocess.run(
                _as_postgres([*command, "start"]), check=False, timeout=150, capture_output=True
            )
            if done.returncode == 0:
                return
            time.sleep(2)
        tail = log.read_text(errors="replace")[-2000:] if log.exists() else ""
        raise RuntimeError(f"the standby did not start: {done.stderr!r}\n{tail}")

    def stop(self) -> None:
        """Stop the server (fast: open sessions are ended; immediate if that hangs)."""
        if not (self.data / "postmaster.pid").exists():
            return
        for mode in ("fast", "immediate"):
            command = [pg_bin("pg_ctl"), "-D", str(self.data), "-m", mode, "-w", "-t", "60"]
            done = subprocess.run(
                _as_postgres([*command, "stop"]), check=False, timeout=90, capture_output=True
            )
            if done.returncode == 0:
                return

    def query(self, sql: str, database: str = "postgres") -> list[tuple[object, ...]]:
        """Rows of `sql` on the standby."""
        dsn = f"host=127.0.0.1 port={self.port} user=postgres dbname={database}"
        with psycopg.connect(dsn, autocommit=True, connect_timeout=3) as conn:
            cursor = conn.execute(sql)
            return cursor.fetchall() if cursor.description else []

    def wait_caught_up(self, timeout: float = 60) -> None:
        """Wait until the standby has replayed everything the primary had written on call."""
        (target,) = primary_query("SELECT pg_current_wal_lsn()")[0]
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            rows = self.query(f"SELECT pg_last_wal_replay_lsn() >= '{target}'::pg_lsn")
            if rows[0][0]:
                return
            time.sleep(0.1)
        raise TimeoutError(f"the standby did not replay up to {target} in {timeout} s")

    def remove(self) -> None:
        """Stop the standby, drop its slot on the primary and delete its files."""
        self.stop()
        # The primary notices the standby's walreceiver is gone a moment after it stops.
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            left = primary_query(
                "SELECT active FROM pg_replication_slots WHERE slot_name = %s", self.slot
            )
            if not left:
                break
            if not left[0][0]:
                primary_query("SELECT pg_drop_replication_slot(%s)", self.slot)
                break
            time.sleep(0.2)
        shutil.rmtree(self.root, ignore_errors=True)
