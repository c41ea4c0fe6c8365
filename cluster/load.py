"""`make cluster-test`: a bounded load through nginx while replicas restart and the standby
stops and starts; passes on 0 failed requests (a 503 with Retry-After is retried, and counted
apart), 0 lost or duplicated writes, and every client reading its own writes.

    python -m cluster.load --seconds 60 --connections 32
"""

import argparse
import asyncio
import json
import time
import uuid
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

import httpx
import psycopg

from cluster import run

TOKEN = "X-Consistency-Token"
# How often one request is retried after a documented 503, at most.
MAX_RETRIES = 20


@dataclass
class Tally:
    """What the clients saw."""

    requests: int = 0
    ok: int = 0
    retried_503: int = 0
    failures: Counter[str] = field(default_factory=Counter)
    examples: list[str] = field(default_factory=list)
    acknowledged: dict[str, str] = field(default_factory=dict)
    own_reads: int = 0

    def fail(self, kind: str, detail: str) -> None:
        """Count a failed request, keeping the first few for the report."""
        self.failures[kind] += 1
        if len(self.examples) < 10:
            self.examples.append(f"{kind}: {detail}")


async def send(
    http: httpx.AsyncClient, tally: Tally, method: str, path: str, **kwargs: Any
) -> httpx.Response | None:
    """One request, retried after a 503 that says Retry-After; None if it failed otherwise."""
    for _ in range(MAX_RETRIES):
        tally.requests += 1
        try:
            response = await http.request(method, path, **kwargs)
        except httpx.TransportError as exc:
            tally.fail("transport", f"{method} {path}: {exc!r}")
            return None
        if response.status_code == 503 and "retry-after" in response.headers:
            tally.retried_503 += 1
            await asyncio.sleep(min(float(response.headers["retry-after"]), 1.0))
            continue
        return response
    tally.fail("503-retries-exhausted", f"{method} {path}")
    return None


async def write_and_read_back(http: httpx.AsyncClient, tally: Tally, slug: str) -> None:
    """A keyed POST, then a GET of it with the write's consistency token."""
    body = {"slug": slug, "name": f"Load {slug}", "kind": "person"}
    headers = {"Idempotency-Key": uuid.uuid4().hex}
    created = await send(http, tally, "POST", "/api/v1/participants", json=body, headers=headers)
    if created is None:
        return
    if created.status_code != 201 or TOKEN.lower() not in created.headers:
        tally.fail(f"write-{created.status_code}", created.text[:200])
        return
    tally.ok += 1
    record_id = created.json()["id"]
    tally.acknowledged[slug] = record_id
    read = await send(
        http,
        tally,
        "GET",
        f"/api/v1/participants/{record_id}",
        headers={TOKEN: created.headers[TOKEN]},
    )
    if read is None:
        return
    if read.status_code != 200 or read.json().get("slug") != slug:
        tally.fail(f"own-read-{read.status_code}", slug)
        return
    tally.ok += 1
    tally.own_reads += 1


async def client(
    base: str, key: str, number: int, run_id: str, deadline: float, tally: Tally
) -> None:
    """One connection: three list reads, then a write read back, until the deadline."""
    limits = httpx.Limits(max_connections=1)
    headers = {"Authorization": f"Bearer {key}"}
    async with httpx.AsyncClient(base_url=base, headers=headers, limits=limits, timeout=30) as http:
        step = 0
        while time.monotonic() < deadline:
            step += 1
            if step % 4:
                page = await send(http, tally, "GET", "/api/v1/participants?limit=20")
                if page is not None and page.status_code == 200:
                    tally.ok += 1
                elif page is not None:
                    tally.fail(f"read-{page.status_code}", page.text[:200])
            else:
                await write_and_read_back(http, tally, f"load-{run_id}-{number}-{step}")


async def disrupt(state: dict[str, Any], deadline: float, log: list[str]) -> None:
    """Restart each replica in turn with the standby stopped across the second restart; again
    while more than 10 s are left. The standby is always running again at the end."""
    standby, started = run.standby_of(state), time.monotonic()
    ports = [p for p in run.REPLICA_PORTS if str(p) in state["replicas"]]
    steps = [("restart", ports[0]), ("stop-standby", 0)]
    steps += [("restart", port) for port in ports[1:2]] + [("start-standby", 0)]
    steps += [("restart", port) for port in ports[2:]]
    standby_down = False
    try:
        while time.monotonic() < deadline - 10:
            for action, port in steps:
                if action == "start-standby" and not standby_down:
                    # Its stop was skipped near the deadline: the standby is still running.
                    continue
                if time.monotonic() > deadline - 10 and action != "start-standby":
                    continue
                if action == "restart":
                    await asyncio.to_thread(run.restart_replica, state, port)
                elif action == "stop-standby":
                    await asyncio.to_thread(standby.stop)
                    standby_down = True
                else:
                    await asyncio.to_thread(standby.start)
                    standby_down = False
                log.append(f"{time.monotonic() - started:.1f} s: {action} {port or ''}".strip())
    finally:
        if standby_down:
            await asyncio.to_thread(standby.start)
            log.append(f"{time.monotonic() - started:.1f} s: start-standby")


def check_writes(database: str, run_id: str, acked: dict[str, str]) -> dict[str, int]:
    """Compare the acknowledged writes with the rows on the primary's `database`."""
    with psycopg.connect(f"host=127.0.0.1 user=postgres dbname={database}") as conn:
        rows = conn.execute(
            "SELECT slug, count(*) FROM participant WHERE slug LIKE %s GROUP BY slug",
            (f"load-{run_id}-%",),
        ).fetchall()
    found = {str(slug): int(count) for slug, count in rows}
    return {
        "acknowledged": len(acked),
        "lost": sum(1 for slug in acked if slug not in found),
        "duplicated": sum(1 for count in found.values() if count > 1),
        "stored_without_acknowledgement": sum(1 for slug in found if slug not in acked),
    }


async def load(seconds: float, connections: int) -> dict[str, Any]:
    """Run the load and the disruptions; the report."""
    state = run.load_state()
    if not state:
        raise SystemExit("no cluster runs: make cluster first")
    run_id = uuid.uuid4().hex[:8]
    tally, events = Tally(), list[str]()
    deadline = time.monotonic() + seconds
    clients = [
        client(state["url"], state["admin_key"], n, run_id, deadline, tally)
        for n in range(connections)
    ]
    # Bounded: disruptions stop starting 10 s before the deadline; each step has a timeout.
    await asyncio.wait_for(
        asyncio.gather(disrupt(state, deadline, events), *clients), timeout=seconds + 300
    )
    writes = await asyncio.to_thread(check_writes, run.DATABASE, run_id, tally.acknowledged)
    return {
        "seconds": seconds,
        "connections": connections,
        "requests": tally.requests,
        "ok": tally.ok,
        "retried_503": tally.retried_503,
        "failed": sum(tally.failures.values()),
        "failures": dict(tally.failures),
        "examples": tally.examples,
        "own_writes_read": tally.own_reads,
        "writes": writes,
        "disruptions": events,
    }


def main(argv: list[str] | None = None) -> None:
    """Run the cluster test; exit 1 if anything failed."""
    parser = argparse.ArgumentParser(prog="python -m cluster.load", description=main.__doc__)
    parser.add_argument("--seconds", type=float, default=60.0, help="how long the load runs")
    parser.add_argument("--connections", type=int, default=32, help="concurrent connections")
    args = parser.parse_args(argv)
    report = asyncio.run(load(args.seconds, args.connections))
    print(json.dumps(report, indent=2))
    writes = report["writes"]
    passed = report["failed"] == 0 and writes["lost"] == 0 and writes["duplicated"] == 0
    passed = passed and report["own_writes_read"] == writes["acknowledged"]
    raise SystemExit(0 if passed else 1)


if __name__ == "__main__":
    main()
