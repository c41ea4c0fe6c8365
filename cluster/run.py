"""A local cluster on loopback: nginx in front of 3 replicas, the local PostgreSQL server as
primary, one streaming standby, Redis for shared rate limits.

    python -m cluster.run up      # make cluster
    python -m cluster.run down    # make cluster-stop
    python -m cluster.run status
    python -m cluster.run logs    # the end of each replica's log

Everything it starts lives under CLUSTER_DIR (default /tmp/geoevents-cluster): the standby's
data, nginx's configuration, pid file and logs, each replica's log, and state.json.
"""

import argparse
import json
import os
import secrets
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import httpx

from cluster.nginx import write_config
from cluster.standby import Standby, primary_query

ROOT = Path(__file__).resolve().parent.parent
RUN_DIR = Path(os.environ.get("CLUSTER_DIR", "/tmp/geoevents-cluster"))
DATABASE = os.environ.get("CLUSTER_DATABASE", "geoevents_cluster")
PROXY_PORT = int(os.environ.get("CLUSTER_PORT", "8100"))
# Below Linux's ephemeral range (32768-60999 by default): a port in it can be the local end of
# any outgoing connection, a replica's to the primary among them, while the standby is
# stopped, and the standby could not listen on it again until that connection closed.
STANDBY_PORT = int(os.environ.get("CLUSTER_STANDBY_PORT", "25432"))
STANDBY_SLOT = "geoevents_cluster_standby"
REPLICA_PORTS = (8101, 8102, 8103)
REDIS_URL = os.environ.get("CLUSTER_REDIS_URL", "redis://127.0.0.1:6379/7")
NGINX = os.environ.get("NGINX", "/usr/sbin/nginx")


def _state_path() -> Path:
    return RUN_DIR / "state.json"


def load_state() -> dict[str, Any]:
    """What `up` started; empty when no cluster runs."""
    path = _state_path()
    return dict(json.loads(path.read_text())) if path.exists() else {}


def _save(state: dict[str, Any]) -> None:
    _state_path().write_text(json.dumps(state, indent=2))


def primary_url() -> str:
    """The cluster database on the local server."""
    return f"postgresql+psycopg://postgres@127.0.0.1:5432/{DATABASE}"


def replica_env(state: dict[str, Any], count: int) -> dict[str, str]:
    """The settings every replica runs with (deploy/README.md explains each)."""
    return {
        **os.environ,
        "DATABASE_URL": primary_url(),
        "DATABASE_REPLICA_URLS": f"postgresql+psycopg://postgres@127.0.0.1:{STANDBY_PORT}/{DATABASE}",
        # A keyed write holds a connection for its idempotency record beside the request's
        # own: 32 connections over 3 replicas need the default pool (10 + 10 overflow).
        "DATABASE_POOL_SIZE": "10",
        "FORWARDED_ALLOW_IPS": "127.0.0.1",
        "RATE_LIMIT_STORE": REDIS_URL,
        # The load test's 32 connections come from one address with one key.
        "RATE_LIMIT_PER_MINUTE": "1000000",
        "ANONYMOUS_RATE_LIMIT_PER_MINUTE": "1000000",
        "GEOEVENTS_ADMIN_KEY": state["admin_key"],
        "DRAIN_SECONDS": "1",
        "SHUTDOWN_TIMEOUT_SECONDS": "10",
        "ACCESS_LOG": "false",
        "EXPLORER": "false",
    }


def start_replica(state: dict[str, Any], port: int) -> int:
    """Start one replica (migrate under the lock, then serve); its pid."""
    log = open(RUN_DIR / f"replica-{port}.log", "ab")  # noqa: SIM115 - handed to the child
    migrate_then_serve = (
        f"{sys.executable} -m app.migrate && "
        f"exec {sys.executable} -m app.serve --host 127.0.0.1 --port {port}"
    )
    process = subprocess.Popen(
        ["sh", "-c", migrate_then_serve],
        cwd=ROOT,
        env=replica_env(state, len(REPLICA_PORTS)),
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    log.close()
    return process.pid


def exited(pid: int) -> bool:
    """Whether process `pid` has ended (reaped here if it is our child)."""
    try:
        return os.waitpid(pid, os.WNOHANG)[0] == pid
    except ChildProcessError:
        return not Path(f"/proc/{pid}").exists()


def wait_ready(url: str, timeout: float = 120, pid: int | None = None) -> None:
    """Poll `url`/ready until it is 200; fail at once if process `pid` (serving it) ends."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if pid is not None and exited(pid):
            raise RuntimeError(f"the process serving {url} ended before it was ready")
        try:
            if httpx.get(f"{url}/ready", timeout=2).status_code == 200:
                return
        except httpx.TransportError:
            pass
        time.sleep(0.3)
    raise TimeoutError(f"{url} was not ready within {timeout} s")


def stop_pid(pid: int, timeout: float = 30) -> None:
    """SIGTERM `pid` and wait for it to go (SIGKILL past `timeout`)."""
    try:
        os.kill(pid, signal.SIGTERM)
    except ProcessLookupError:
        return
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if exited(pid):
            return
        time.sleep(0.1)
    os.kill(pid, signal.SIGKILL)


def route(
    state: dict[str, Any], down: int | None = None, only: tuple[int, ...] | None = None
) -> None:
    """Rewrite nginx's upstreams (all replicas, or `only` these) with the one on `down` out
    of rotation, and reload."""
    ports = only or tuple(int(p) for p in state["replicas"])
    conf = write_config(RUN_DIR / "nginx", PROXY_PORT, ports, down)
    # A reload is graceful: old workers finish the requests they hold.
    subprocess.run([NGINX, "-c", str(conf), "-p", str(conf.parent), "-s", "reload"], check=True)


def restart_replica(state: dict[str, Any], port: int) -> None:
    """A rolling deploy's step, nginx left as it is: SIGTERM one replica (it drains, closes
    its socket, finishes what it holds), start it again, wait until it is ready."""
    stop_pid(state["replicas"][str(port)])
    state["replicas"][str(port)] = start_replica(state, port)
    _save(state)
    wait_ready(f"http://127.0.0.1:{port}", pid=state["replicas"][str(port)])


def standby_of(state: dict[str, Any]) -> Standby:
    """The cluster's standby."""
    return Standby(STANDBY_PORT, Path(state["standby_root"]), STANDBY_SLOT)


def up(count: int = len(REPLICA_PORTS)) -> dict[str, Any]:
    """Start the whole cluster; return its state."""
    RUN_DIR.mkdir(parents=True, exist_ok=True)
    primary_query(f'DROP DATABASE IF EXISTS "{DATABASE}" WITH (FORCE)')
    primary_query(f'CREATE DATABASE "{DATABASE}"')
    state: dict[str, Any] = {"admin_key": secrets.token_urlsafe(32), "replicas": {}}
    standby = Standby(STANDBY_PORT, RUN_DIR / "standby", STANDBY_SLOT)
    standby.root.mkdir(exist_ok=True)
    # Left by a cluster whose `down` never ran; its standby is gone with RUN_DIR.
    primary_query(
        "SELECT pg_drop_replication_slot(slot_name) FROM pg_replication_slots "
        "WHERE slot_name = %s AND NOT active",
        STANDBY_SLOT,
    )
    state["standby_root"] = str(standby.root)
    _save(state)
    standby.create()
    standby.start()
    for port in REPLICA_PORTS[:count]:
        state["replicas"][str(port)] = start_replica(state, port)
    _save(state)
    for port in REPLICA_PORTS[:count]:
        wait_ready(f"http://127.0.0.1:{port}", pid=state["replicas"][str(port)])
    conf = write_config(RUN_DIR / "nginx", PROXY_PORT, REPLICA_PORTS[:count])
    subprocess.run([NGINX, "-c", str(conf), "-p", str(conf.parent)], check=True, timeout=30)
    state["nginx_conf"] = str(conf)
    state["url"] = f"http://127.0.0.1:{PROXY_PORT}"
    _save(state)
    wait_ready(state["url"])
    return state


def print_logs(lines: int = 40) -> None:
    """The end of each replica's log, on stderr: `down` removes them."""
    for log in sorted(RUN_DIR.glob("replica-*.log")):
        tail = log.read_text(errors="replace").splitlines()[-lines:]
        print(f"--- {log.name} (last {len(tail)} lines)", *tail, sep="\n", file=sys.stderr)


def down() -> None:
    """Stop and remove everything `up` started."""
    state = load_state()
    conf = state.get("nginx_conf")
    if conf and Path(conf).exists():
        subprocess.run([NGINX, "-c", conf, "-p", str(Path(conf).parent), "-s", "stop"], check=False)
    for pid in state.get("replicas", {}).values():
        stop_pid(int(pid))
    if "standby_root" in state:
        standby_of(state).remove()
    primary_query(f'DROP DATABASE IF EXISTS "{DATABASE}" WITH (FORCE)')
    shutil.rmtree(RUN_DIR, ignore_errors=True)


def main(argv: list[str] | None = None) -> None:
    """Start, stop or describe the local cluster."""
    parser = argparse.ArgumentParser(prog="python -m cluster.run", description=main.__doc__)
    parser.add_argument("action", choices=["up", "down", "status", "logs"])
    parser.add_argument("--replicas", type=int, default=len(REPLICA_PORTS), choices=[1, 2, 3])
    args = parser.parse_args(argv)
    if args.action == "up":
        if load_state():
            raise SystemExit(f"a cluster already runs ({_state_path()}); make cluster-stop first")
        if not Path(NGINX).exists():
            raise SystemExit(f"{NGINX} is missing: apt-get install -y nginx")
        try:
            state = up(args.replicas)
        except BaseException:
            print_logs()
            down()
            raise
        print(f"cluster up: {state['url']} (admin key in {_state_path()})")
    elif args.action == "logs":
        print_logs()
    elif args.action == "down":
        down()
        print("cluster removed")
    else:
        print(json.dumps({k: v for k, v in load_state().items() if k != "admin_key"}, indent=2))


if __name__ == "__main__":
    main()
