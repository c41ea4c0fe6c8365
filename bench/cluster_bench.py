"""The local cluster under wrk: reads/s through nginx with 1, 2 and 3 replicas, the cost of the
proxy hop, and the standby's lag under a write load. Writes its section of bench/RESULTS.md.

    python -m bench.cluster_bench [--duration 15] [--connections 32]   # make cluster-bench

Starts its own cluster (cluster/run.py) and removes it after. wrk runs pinned to core 1; the
replicas, nginx and PostgreSQL share both cores, as they would on one small host.
"""

import argparse
import re
import statistics
import tempfile
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import psycopg

from bench.report import RESULTS, machine
from bench.wrk import Load, WrkResult, run_wrk
from cluster import run

START, END = "<!-- bench:cluster:start -->", "<!-- bench:cluster:end -->"
REPLICA_LAG = (
    "SELECT pg_wal_lsn_diff(pg_current_wal_lsn(), r.replay_lsn), "
    "COALESCE(EXTRACT(EPOCH FROM r.replay_lag), 0) FROM pg_stat_replication r "
    "JOIN pg_replication_slots s ON s.active_pid = r.pid WHERE s.slot_name = %s"
)


@dataclass
class LagSamples:
    """Standby lag seen from the primary, sampled every 0.2 s."""

    bytes_behind: list[float]
    seconds_behind: list[float]


def seed_reads(state: dict[str, Any], count: int = 50) -> list[str]:
    """Create `count` participants through the proxy; the paths that read each."""
    headers = {"Authorization": f"Bearer {state['admin_key']}"}
    paths = []
    with httpx.Client(base_url=state["url"], headers=headers, timeout=30) as http:
        for n in range(count):
            body = {"slug": f"bench-read-{n}", "name": f"Reader {n}", "kind": "person"}
            created = http.post("/api/v1/participants", json=body)
            created.raise_for_status()
            paths.append(f"/api/v1/participants/{created.json()['id']}")
    return paths


def measure(url: str, load: Load, tag: str, args: argparse.Namespace, work: Path) -> WrkResult:
    """A warm-up, then the measured run."""
    connections = args.connections
    run_wrk(
        url, load, tag=f"{tag}-warm", duration=args.warmup, connections=connections, script_dir=work
    )
    result, _ = run_wrk(
        url, load, tag=tag, duration=args.duration, connections=connections, script_dir=work
    )
    return result


def sample_lag(stop: threading.Event, into: LagSamples) -> None:
    """Sample the cluster standby's lag until `stop` is set."""
    with psycopg.connect("host=127.0.0.1 user=postgres dbname=postgres", autocommit=True) as conn:
        while not stop.is_set():
            row = conn.execute(REPLICA_LAG, (run.STANDBY_SLOT,)).fetchone()
            if row is not None:
                into.bytes_behind.append(float(row[0] or 0))
                into.seconds_behind.append(float(row[1] or 0))
            stop.wait(0.2)


def lag_under_writes(
    state: dict[str, Any], args: argparse.Namespace, work: Path
) -> tuple[WrkResult, LagSamples]:
    """A POST load through nginx while the standby's lag is sampled."""
    load = Load(
        paths=["/api/v1/participants"],
        method="POST",
        body_template='{"slug": "bench-w-%s-%d", "name": "Writer %d", "kind": "person"}',
        headers=(
            ("Authorization", f"Bearer {state['admin_key']}"),
            ("Content-Type", "application/json"),
        ),
    )
    samples, stop = LagSamples([], []), threading.Event()
    sampler = threading.Thread(target=sample_lag, args=(stop, samples))
    sampler.start()
    try:
        result, _ = run_wrk(
            state["url"],
            load,
            tag="cluster-writes",
            duration=args.duration,
            connections=args.connections,
            script_dir=work,
        )
    finally:
        stop.set()
        sampler.join(timeout=10)
    return result, samples


def _row(label: str, result: WrkResult) -> str:
    return (
        f"| {label} | {result.requests_per_s:,.0f} | {result.p50_ms:.1f} | {result.p99_ms:.1f} "
        f"| {result.non_2xx + result.socket_errors} |"
    )


def _p(values: list[float], q: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


def _findings(reads: dict[str, WrkResult]) -> list[str]:
    """The proxy hop and the scaling, in words."""
    direct, one = reads["1 replica, direct (no proxy)"], reads["1 replica via nginx"]
    counts = [reads[k].requests_per_s for k in reads if "via nginx" in k]
    best = max(range(len(counts)), key=lambda n: counts[n]) + 1
    return [
        f"The proxy hop: p50 {one.p50_ms - direct.p50_ms:+.1f} ms, requests/s "
        f"x {one.requests_per_s / max(direct.requests_per_s, 1e-9):.2f} (nginx vs direct).",
        f"Scaling: x {counts[1] / max(counts[0], 1e-9):.2f} with 2 replicas, "
        f"x {counts[2] / max(counts[0], 1e-9):.2f} with 3; the most reads/s with {best}. Each "
        "replica is one process (one core at most); with wrk, nginx and PostgreSQL on the same "
        "2 cores, reads plateau once the replicas together use both cores.",
    ]


def section(
    reads: dict[str, WrkResult], writes: WrkResult, lag: LagSamples, args: argparse.Namespace
) -> str:
    """The markdown section for RESULTS.md."""
    lines = [
        START,
        "## Cluster: replicas behind nginx, a streaming standby (`make cluster-bench`)",
        "",
        f"{machine()}; `wrk -t1 -c{args.connections} -d{args.duration}s` pinned to core 1 after "
        f"a {args.warmup} s warm-up; GET one participant by id (50 rotated) with "
        "DATABASE_REPLICA_URLS set, so reads go to the standby. Replicas, nginx and "
        f"PostgreSQL share the machine's cores. Run {time.strftime('%Y-%m-%d %H:%M UTC')}.",
        "",
        "| reads | requests/s | p50 ms | p99 ms | errors |",
        "|---|---|---|---|---|",
        *(_row(label, result) for label, result in reads.items()),
        "",
        *_findings(reads),
        "",
        "| writes through nginx (3 replicas) | requests/s | p50 ms | p99 ms | errors |",
        "|---|---|---|---|---|",
        _row("POST participant", writes),
        "",
        f"Standby lag under that write load ({len(lag.bytes_behind)} samples, 0.2 s apart): "
        f"median {statistics.median(lag.bytes_behind or [0]):,.0f} bytes, "
        f"max {max(lag.bytes_behind or [0]):,.0f} bytes; replay_lag p50 "
        f"{_p(lag.seconds_behind, 0.5) * 1000:.1f} ms, "
        f"p99 {_p(lag.seconds_behind, 0.99) * 1000:.1f} ms.",
        "",
        END,
        "",
    ]
    return "\n".join(lines)


def write_section(text: str) -> None:
    """Replace this bench's section of RESULTS.md, or add it at the end."""
    current = RESULTS.read_text(encoding="utf-8") if RESULTS.exists() else "# Benchmarks\n\n"
    pattern = re.compile(re.escape(START) + r".*?" + re.escape(END) + r"\n?", re.DOTALL)
    if pattern.search(current):
        updated = pattern.sub(lambda _: text, current, count=1)
    else:
        updated = current.rstrip("\n") + "\n\n" + text
    RESULTS.write_text(updated, encoding="utf-8")


def bench(args: argparse.Namespace, work: Path) -> str:
    """Every measurement on a running cluster; the section."""
    state = run.load_state()
    load = Load(paths=seed_reads(state))
    reads: dict[str, WrkResult] = {}
    # The replica alone, then nginx in front of it: the proxy hop.
    reads["1 replica, direct (no proxy)"] = measure(
        f"http://127.0.0.1:{run.REPLICA_PORTS[0]}", load, "cluster-direct", args, work
    )
    for count in (1, 2, 3):
        run.route(state, only=run.REPLICA_PORTS[:count])
        time.sleep(1)
        label = f"{count} replica{'s' if count > 1 else ''} via nginx"
        reads[label] = measure(state["url"], load, f"cluster-{count}", args, work)
    writes, lag = lag_under_writes(state, args, work)
    return section(reads, writes, lag, args)


def main(argv: list[str] | None = None) -> None:
    """Start a cluster, measure, write RESULTS.md, remove the cluster."""
    parser = argparse.ArgumentParser(prog="python -m bench.cluster_bench", description=__doc__)
    parser.add_argument("--duration", type=int, default=15, help="seconds per measured run")
    parser.add_argument("--warmup", type=int, default=3, help="seconds of warm-up per run")
    parser.add_argument("--connections", type=int, default=32, help="wrk connections")
    parser.add_argument("--no-write", action="store_true", help="print, leave RESULTS.md")
    args = parser.parse_args(argv)
    if run.load_state():
        raise SystemExit("a cluster already runs: make cluster-stop first")
    try:
        run.up()
        with tempfile.TemporaryDirectory() as work:
            text = bench(args, Path(work))
    finally:
        run.down()
    print(text)
    if not args.no_write:
        write_section(text)


if __name__ == "__main__":
    main()
