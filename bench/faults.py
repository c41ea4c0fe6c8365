"""Fault tests (`make faults`): kill -9 during keyed writes, killed database connections, and
concurrent keyed writers, on SQLite and PostgreSQL; figures go to bench/RESULTS.md.

Only 127.0.0.1 is contacted; every loop is bounded in time.
"""

import argparse
import dataclasses
import datetime as dt
import random
import re
import sqlite3
import threading
import time
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import httpx
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from bench.fault_server import Server, event_body, fresh_database, workdir

RESULTS = Path(__file__).with_name("RESULTS.md")
START, END = "<!-- faults:start -->", "<!-- faults:end -->"
WRITERS = 8
EVENTS = "/api/v1/events"


@dataclasses.dataclass
class Sent:
    """One keyed POST and what came back (status None: no answer, the connection broke)."""

    key: str
    status: int | None
    ident: str | None
    problem: str | None
    done: float
    replayed: bool = False


def post(client: httpx.Client, server: Server, key: str) -> Sent:
    """POST one keyed event."""
    try:
        reply = client.post(EVENTS, json=event_body(key), headers=server.headers(key))
    except httpx.HTTPError:
        return Sent(key, None, None, None, time.monotonic())
    body: Any = reply.json() if reply.content else {}
    replayed = reply.headers.get("idempotent-replayed") == "true"
    return Sent(
        key, reply.status_code, body.get("id"), body.get("type"), time.monotonic(), replayed
    )


def writers(server: Server, tag: str, count: int, seconds: float, kill: bool) -> list[Sent]:
    """`count` threads POSTing keyed events for `seconds` (then kill -9 the server if `kill`)."""
    stop = threading.Event()
    sent: list[Sent] = []

    def loop(name: str) -> None:
        with httpx.Client(base_url=server.base, timeout=10) as client:
            n = 0
            while not stop.is_set():
                sent.append(post(client, server, f"{name}-{n}"))
                n += 1

    threads = [threading.Thread(target=loop, args=(f"{tag}-w{i}",)) for i in range(count)]
    for thread in threads:
        thread.start()
    time.sleep(seconds)
    # No new requests from here; those in flight stay in flight when the kill lands.
    stop.set()
    if kill:
        server.kill()
    for thread in threads:
        thread.join(timeout=30)
    return sent


def _retry(server: Server, first: Sent) -> str:
    """Send one request again with its key and say what the retry showed."""
    with httpx.Client(base_url=server.base, timeout=10) as client:
        again = post(client, server, first.key)
        if first.status == 201:
            readable = client.get(f"{EVENTS}/{first.ident}", headers=server.headers())
            ok = again.status == 201 and again.ident == first.ident
            return "acknowledged" if ok and readable.status_code == 200 else "acknowledged but lost"
    first_answer = "unanswered" if first.status is None else f"answered {first.status}"
    if again.status == 409:
        return "stuck key"
    if again.status == 201:
        # Replayed: the first attempt had committed; run now: it had not.
        return f"{first_answer}, {'replayed' if again.replayed else 'run'} on retry"
    return f"{first_answer}, retry answered {again.status}"


def retry_all(server: Server, sent: list[Sent]) -> Counter[str]:
    """Send every request again with its key, 8 at a time, and classify what the retries say."""
    with ThreadPoolExecutor(WRITERS) as pool:
        return Counter(pool.map(lambda first: _retry(server, first), sent))


def kill_rounds(engine: str, rounds: int) -> dict[str, Any]:
    """kill -9 the server during 8 keyed writers, `rounds` times; retry everything after."""
    scratch = workdir()
    server = Server(fresh_database(engine, scratch), scratch)
    totals: Counter[str] = Counter()
    for n in range(rounds):
        server.start()
        sent = writers(server, f"kill{n}", WRITERS, random.uniform(1.5, 3.0), kill=True)
        server.start()
        totals += retry_all(server, sent)
        totals["5xx before the kill"] += sum(1 for s in sent if s.status and s.status >= 500)
        server.stop()
    integrity = "n/a"
    if engine == "sqlite":
        path = make_url(server.url).database or ""
        with sqlite3.connect(path) as conn:
            integrity = conn.execute("PRAGMA integrity_check").fetchone()[0]
    return {"engine": engine, "rounds": rounds, "outcomes": dict(totals), "integrity": integrity}


def terminate_under_load(seconds: float = 6.0) -> dict[str, Any]:
    """pg_terminate_backend of the server's connections while it reads and writes."""
    scratch = workdir()
    server = Server(fresh_database("postgresql", scratch), scratch)
    server.start()
    stop, reads = threading.Event(), []

    def reader() -> None:
        with httpx.Client(base_url=server.base, timeout=10) as client:
            while not stop.is_set():
                try:
                    status: int | None = client.get(EVENTS, params={"limit": 20}).status_code
                except httpx.HTTPError:
                    status = None
                reads.append((status, time.monotonic()))

    threads = [threading.Thread(target=reader) for _ in range(4)]
    for thread in threads:
        thread.start()
    killed_at: list[float] = []
    timer = threading.Timer(seconds / 3, lambda: killed_at.append(_terminate(server.url)))
    timer.start()
    sent = writers(server, "term", 4, seconds, kill=False)
    stop.set()
    for thread in threads:
        thread.join(timeout=30)
    retries = retry_all(server, [s for s in sent if s.status != 201 or s.ident])
    server.stop()
    return _termination_figures(sent, reads, killed_at[0], retries)


def _terminate(url: str) -> float:
    target = make_url(url)
    admin = create_engine(target.set(database="postgres"), isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(
            text(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                "WHERE datname = :name AND pid <> pg_backend_pid()"
            ),
            {"name": target.database},
        )
    admin.dispose()
    return time.monotonic()


def _termination_figures(
    sent: list[Sent], reads: list[tuple[int | None, float]], killed: float, retries: Counter[str]
) -> dict[str, Any]:
    answers = [(s.status, s.done) for s in sent] + reads
    failed_after = [t for status, t in answers if t >= killed and (status is None or status >= 500)]
    statuses = Counter(str(status) for status, _ in answers)
    return {
        "requests": len(answers),
        "statuses": dict(statuses),
        "500s": statuses.get("500", 0),
        "recovery_ms": round((max(failed_after) - killed) * 1000) if failed_after else 0,
        "keyed 503 types": dict(Counter(s.problem for s in sent if s.status == 503)),
        "retries": dict(retries),
    }


def concurrent_writers(engine: str, seconds: float) -> dict[str, Any]:
    """8 keyed writers for `seconds`, then a retry of every request."""
    scratch = workdir()
    server = Server(fresh_database(engine, scratch), scratch)
    server.start()
    sent = writers(server, "conc", WRITERS, seconds, kill=False)
    statuses = Counter(str(s.status) for s in sent)
    retries = retry_all(server, sent)
    server.stop()
    fives = sum(n for status, n in statuses.items() if status.startswith("5"))
    return {"engine": engine, "statuses": dict(statuses), "5xx": fives, "retries": dict(retries)}


def section(kills: list[dict[str, Any]], term: dict[str, Any] | None, conc: list[Any]) -> str:
    """The RESULTS.md section of this run."""
    when = dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M UTC")
    lines = [START, f"## Fault tests (`make faults`, {when})", ""]
    lines += ["| kill -9 during keyed writes | rounds | outcomes of every retry | integrity |"]
    lines += ["|---|---|---|---|"]
    for k in kills:
        outcomes = ", ".join(f"{v} {n}" for n, v in sorted(k["outcomes"].items()))
        lines.append(f"| {k['engine']} | {k['rounds']} | {outcomes} | {k['integrity']} |")
    if term:
        lines += ["", "pg_terminate_backend of the server's connections under load (8 clients):"]
        lines += [f"`{term}`"]
    lines += ["", "| 8 keyed writers | statuses | 5xx | retries |", "|---|---|---|---|"]
    for c in conc:
        lines.append(f"| {c['engine']} | {c['statuses']} | {c['5xx']} | {c['retries']} |")
    return "\n".join([*lines, "", END, ""])


def write(text_: str) -> None:
    """Replace this harness's section of RESULTS.md, or append it."""
    current = RESULTS.read_text(encoding="utf-8") if RESULTS.exists() else "# Benchmarks\n\n"
    pattern = re.compile(re.escape(START) + r".*?" + re.escape(END) + r"\n?", re.DOTALL)
    updated = (
        pattern.sub(lambda _: text_, current, count=1)
        if pattern.search(current)
        else current.rstrip("\n") + "\n\n" + text_
    )
    RESULTS.write_text(updated, encoding="utf-8")


def main() -> None:
    """Run every fault test on the engines asked for and record the figures."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--engines", nargs="+", default=["sqlite", "postgresql"])
    parser.add_argument("--rounds", type=int, default=10, help="kill -9 rounds per engine")
    parser.add_argument("--duration", type=float, default=30.0, help="seconds of 8 writers")
    parser.add_argument("--no-write", action="store_true", help="print, leave RESULTS.md")
    args = parser.parse_args()
    kills: list[dict[str, Any]] = []
    term: dict[str, Any] | None = None
    conc: list[dict[str, Any]] = []

    def record(result: dict[str, Any]) -> None:
        # Each figure is printed and written as soon as it is known, so a run cut short by
        # its time bound still leaves what it measured.
        print(result, flush=True)
        if not args.no_write:
            write(section(kills, term, conc))

    for engine in args.engines:
        kills.append(kill_rounds(engine, args.rounds))
        record(kills[-1])
    if "postgresql" in args.engines:
        term = terminate_under_load()
        record(term)
    for engine in args.engines:
        conc.append(concurrent_writers(engine, args.duration))
        record(conc[-1])
    print(section(kills, term, conc))


if __name__ == "__main__":
    main()
