"""`python -m bench.stall_bench`: can a few slow anonymous reads stall the server?

One geoevents worker (pinned to core 0) on a synthetic data set; a flood process (pinned to
core 1) runs `--clients` connections, each looping the worst anonymous reads found (searched,
re-sorted, expanded, counted pages of 500; the busiest participant's network and timeline;
stats over everything). Meanwhile two probes, one request at a time each, time `/health` and
a GET of an event by id. The same probes run first on the idle server, for comparison.
Goals: `/health` p99 < 50 ms and GET by id p99 < 100 ms under the flood. Results replace the
stall section of bench/RESULTS.md.
"""

import argparse
import http.client
import multiprocessing
import os
import platform
import statistics
import threading
import time
import urllib.parse
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import create_engine, text

from bench import datasets, report, run
from bench.datasets import DATA, Dataset
from bench.wrk import Load

START, END = "<!-- bench:stall:start -->", "<!-- bench:stall:end -->"
HEALTH_GOAL_MS, GET_GOAL_MS = 50.0, 100.0
PAUSE = 0.02  # between two probe requests, seconds


@dataclass
class Latencies:
    """Milliseconds of one probe's requests, and the statuses answered."""

    times: list[float] = field(default_factory=list)
    statuses: Counter[int] = field(default_factory=Counter)

    def quantile(self, q: float) -> float:
        """The `q` quantile (0..1) of the times, ms; 0 without any."""
        if not self.times:
            return 0.0
        ordered = sorted(self.times)
        return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


def worst_paths(dataset: Dataset, samples: datasets.Samples) -> list[str]:
    """The slowest anonymous reads found on this data set."""
    engine = create_engine(dataset.url)
    with engine.connect() as conn:
        busiest = conn.execute(
            text(
                "SELECT participant_id FROM event_participant GROUP BY participant_id "
                "ORDER BY count(*) DESC, participant_id LIMIT 1"
            )
        ).scalar_one()
    engine.dispose()
    who = datasets._uuid(busiest)
    word = samples.words[0] if samples.words else "government"
    heavy = {"limit": "500", "include_total": "true"}
    expand = {"expand": "participants,claims,sources"}

    def query(sort: str, **params: str) -> str:
        return urllib.parse.urlencode({"sort": sort, **heavy, **params})

    return [
        "/api/v1/events?" + query("-title", q=word, **expand),
        "/api/v1/events?" + query("-title", **expand),
        "/api/v1/claims?" + query("-stated", q=word),
        f"/api/v1/participants/{who}/network?limit=100",
        f"/api/v1/participants/{who}/timeline?limit=500",
        "/api/v1/events/stats?group_by=month",
        "/api/v1/participants?" + query("-name"),
    ]


def _get(conn: http.client.HTTPConnection, path: str) -> int:
    conn.request("GET", path)
    response = conn.getresponse()
    response.read()
    return response.status


def _flood_client(port: int, paths: list[str], stop: Any, counts: Any, offset: int) -> None:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
    at = offset
    while not stop.is_set():
        status = _get(conn, paths[at % len(paths)])
        at += 1
        counts[status] = counts.get(status, 0) + 1


def flood(port: int, paths: list[str], clients: int, stop: Any, counts: Any) -> None:
    """`clients` connections looping `paths`, in threads of this (separate) process."""
    os.sched_setaffinity(0, {1})
    threads = [
        threading.Thread(target=_flood_client, args=(port, paths, stop, counts, n), daemon=True)
        for n in range(clients)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()


def probe(port: int, paths: list[str], seconds: float) -> Latencies:
    """Time one request after another (PAUSE apart) for `seconds`."""
    found = Latencies()
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
    deadline = time.monotonic() + seconds
    at = 0
    while time.monotonic() < deadline:
        started = time.perf_counter()
        status = _get(conn, paths[at % len(paths)])
        found.times.append((time.perf_counter() - started) * 1000)
        found.statuses[status] += 1
        at += 1
        time.sleep(PAUSE)
    return found


def probes(port: int, gets: list[str], seconds: float) -> tuple[Latencies, Latencies]:
    """`/health` and GETs by id timed side by side for `seconds`."""
    results: dict[str, Latencies] = {}
    jobs = {"health": ["/health"], "get": gets}

    def measure(name: str) -> None:
        results[name] = probe(port, jobs[name], seconds)

    threads = [threading.Thread(target=measure, args=(name,)) for name in jobs]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return results["health"], results["get"]


def measure(
    dataset: Dataset, args: argparse.Namespace
) -> tuple[list[str], dict[str, Any], Counter[int]]:
    """Idle and flooded probe latencies, with the flood's statuses."""
    samples = datasets.draw(dataset, events=200, filters=1, words=3)
    paths = worst_paths(dataset, samples)
    gets = [f"/api/v1/events/{ident}" for ident in samples.event_ids]
    (DATA / "logs").mkdir(parents=True, exist_ok=True)
    port = run.PORTS["geoevents"]
    server = run.start("geoevents", dataset)
    try:
        os.sched_setaffinity(0, {1})
        for path in paths:
            print(f"[stall] {path[:90]}: {run.fetch('geoevents', Load([path]))[0]}")
        probes(port, gets, args.warmup)
        idle = probes(port, gets, args.seconds)
        manager = multiprocessing.Manager()
        stop, counts = manager.Event(), manager.dict()
        flooder = multiprocessing.Process(
            target=flood, args=(port, paths, args.clients, stop, counts)
        )
        flooder.start()
        time.sleep(args.warmup)
        flooded = probes(port, gets, args.seconds)
        stop.set()
        flooder.join(timeout=180)
        statuses = Counter({int(k): int(v) for k, v in counts.items()})
        manager.shutdown()
    finally:
        server.terminate()
        server.wait(timeout=60)
    return paths, {"idle": idle, "flooded": flooded}, statuses


def section(
    dataset: Dataset,
    args: argparse.Namespace,
    paths: list[str],
    found: dict[str, Any],
    statuses: Counter[int],
) -> str:
    """The markdown section of these results."""
    when = time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime())
    lines = [
        START,
        "## Stall: slow anonymous reads against /health and GET by id (`make bench-stall`)",
        "",
        f"Run {when} on {_machine()}; {args.label}.",
        "",
        f"One geoevents worker pinned to core 0 on {dataset.label}; {args.clients} flood "
        f"connections (one process, core 1) looping the reads below for {args.seconds:.0f} s "
        f"after {args.warmup:.0f} s; `/health` and GET event by id probed one request at a "
        f"time, {PAUSE * 1000:.0f} ms apart (core 1). Flood answers: "
        + ", ".join(f"{count} x {status}" for status, count in sorted(statuses.items()))
        + ".",
        "",
        "| probe | load | requests | p50 ms | p99 ms | max ms | goal p99 | met |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for load in ("idle", "flooded"):
        health, get = found[load]
        for name, measured, goal in (
            ("/health", health, HEALTH_GOAL_MS),
            ("GET by id", get, GET_GOAL_MS),
        ):
            lines.append(_row(name, load, measured, goal))
    lines += ["", "Flood reads:", ""] + [f"- `{path}`" for path in paths] + ["", END, ""]
    return "\n".join(lines)


def _machine() -> str:
    with open("/proc/cpuinfo", encoding="utf-8") as info:
        models = [line.split(":", 1)[1].strip() for line in info if line.startswith("model name")]
    cpu = models[0] if models else "unknown CPU"
    python = platform.python_version()
    return f"{cpu}, {os.cpu_count()} cores, Linux {platform.release()}, Python {python}"


def _row(name: str, load: str, measured: Latencies, goal: float) -> str:
    times = measured.times or [0.0]
    p99 = measured.quantile(0.99)
    met = ("yes" if p99 < goal else "**no**") if load == "flooded" else ""
    return (
        f"| {name} | {load} | {len(measured.times)} | {statistics.median(times):.1f} "
        f"| {p99:.1f} | {max(times):.1f} | < {goal:.0f} | {met} |"
    )


def write(text_: str) -> None:
    """Replace the stall section of RESULTS.md (or add it at the end)."""
    current = report.RESULTS.read_text(encoding="utf-8")
    start, end = current.find(START), current.find(END)
    if start >= 0 and end > start:
        updated = current[:start] + text_ + current[end + len(END) :].lstrip("\n")
    else:
        updated = current.rstrip("\n") + "\n\n" + text_
    report.RESULTS.write_text(updated, encoding="utf-8")


def main() -> None:
    """Parse arguments, measure, write the section."""
    parser = argparse.ArgumentParser(prog="python -m bench.stall_bench", description=__doc__)
    parser.add_argument("--engine", choices=["sqlite", "postgresql"], default="sqlite")
    parser.add_argument("--size", type=int, default=100_000, help="synthetic events")
    parser.add_argument("--clients", type=int, default=8)
    parser.add_argument("--seconds", type=float, default=30.0, help="each measurement")
    parser.add_argument("--warmup", type=float, default=5.0)
    parser.add_argument("--label", default="this branch", help="what was measured")
    parser.add_argument("--no-write", action="store_true", help="print, leave RESULTS.md")
    args = parser.parse_args()
    dataset = Dataset(args.engine, args.size)
    datasets.ensure(dataset)
    datasets.settle(dataset)
    paths, found, statuses = measure(dataset, args)
    result = section(dataset, args, paths, found, statuses)
    print(result)
    if not args.no_write:
        write(result)


if __name__ == "__main__":
    main()
