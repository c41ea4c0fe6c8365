"""Time the NDJSON import of synthetic events with their participants and cited sources.

Usage: `python -m bench.import_bench --engine sqlite --events 100000` (and `--engine
postgresql`, a database `geoevents_bench_import` on 127.0.0.1:5432 made afresh). Writes a
file of GDELT-like lines (sources, participants sharing CAMEO codes, events each with two
participants, a cited source, an identifier, measures and a place), imports it into an empty
migrated database through `app.services.imports.import_records`, then imports it again (every
line `unchanged`), and records events/s, lines/s and the process's peak RSS in
bench/RESULTS.md. `--rss-lines 1000000` adds a run over a file of that many lines, for memory.
`--format gdelt` (or `both`) runs the same over a synthetic GDELT 2.0 export
(`bench/gdelt_data.py`) of `--events` rows through the GDELT importer.
"""

import argparse
import hashlib
import json
import os
import platform
import re
import resource
import time
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from alembic import command
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url
from sqlmodel import Session

from app.db import build_engine
from app.importers.gdelt_files import text_lines
from app.services.gdelt_import import GdeltTally, gdelt_records
from app.services.imports import ImportOptions, import_records, parse_ndjson
from bench import gdelt_data
from bench.report import RESULTS

START, END = "<!-- bench:import:start -->", "<!-- bench:import:end -->"
DATA = Path(__file__).with_name("data")
PG_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/geoevents_bench_import"
ROOT = Path(__file__).resolve().parent.parent
_KINDS = ("state", "government", "military", "organization", "other")


def synthetic_lines(events: int) -> Iterator[dict[str, Any]]:
    """Sources (one per 4 events), participants (one per 20, CAMEO codes shared), events."""
    sources = max(1, (events + 3) // 4)
    participants = max(2, events // 20)
    for n in range(sources):
        url = f"https://news{n % 97}.example.org/story/{n}"
        digest = hashlib.sha256(url.encode()).hexdigest()[:12]
        yield {"type": "source", "slug": f"gdelt-source-{digest}", "kind": "news_article"} | {
            "title": f"news{n % 97}.example.org",
            "url": url,
        }
    for n in range(participants):
        code = f"C{n % 300:03d}"
        yield {"type": "participant", "slug": f"actor-{n}", "name": f"ACTOR {n}"} | {
            "kind": _KINDS[n % len(_KINDS)],
            "identifiers": {"cameo": code},
        }
    for n in range(events):
        yield _event(n, sources, participants)


def _event(n: int, sources: int, participants: int) -> dict[str, Any]:
    url = f"https://news{(n // 4) % 97}.example.org/story/{n // 4}"
    return {
        "type": "event",
        "identifiers": {"gdelt": str(900_000_000 + n)},
        "title": f"ACTOR {n % participants} consults ACTOR {(n * 7 + 1) % participants}",
        "event_type": "meeting",
        "cameo_code": "042",
        "plover_type": "CONSULT",
        "status": "occurred",
        "start": f"2019-{1 + n % 12:02d}-{1 + n % 28:02d}",
        "location": {"name": f"Place {n % 500}", "country": "RU", "lat": 43.6, "lon": 39.7},
        "goldstein": 1.9,
        "quad_class": 1,
        "tone": -2.5 + (n % 50) / 10,
        "num_mentions": n % 30,
        "num_sources": 1,
        "num_articles": n % 30,
        "participants": [
            {"participant": f"actor-{n % participants}", "role": "initiator"},
            {"participant": f"actor-{(n * 7 + 1) % participants}", "role": "recipient"},
        ],
        "sources": [{"source": f"gdelt-source-{hashlib.sha256(url.encode()).hexdigest()[:12]}"}],
    }


def write_file(path: Path, events: int) -> int:
    """The lines for `events` events, written to `path`; how many lines."""
    path.parent.mkdir(parents=True, exist_ok=True)
    count = 0
    with path.open("w", encoding="utf-8") as out:
        for record in synthetic_lines(events):
            out.write(json.dumps(record) + "\n")
            count += 1
    return count


def empty_database(engine_name: str) -> str:
    """The URL of a freshly migrated, empty database of `engine_name`."""
    if engine_name == "sqlite":
        path = DATA / "import-bench.db"
        for suffix in ("", "-wal", "-shm"):
            Path(f"{path}{suffix}").unlink(missing_ok=True)
        url = f"sqlite:///{path}"
    else:
        url = PG_URL
        admin = create_engine(make_url(url).set(database="postgres"), isolation_level="AUTOCOMMIT")
        with admin.connect() as conn:
            conn.execute(text('DROP DATABASE IF EXISTS "geoevents_bench_import" WITH (FORCE)'))
            conn.execute(text('CREATE DATABASE "geoevents_bench_import"'))
        admin.dispose()
    from tests.conftest import alembic_config  # the same migration set-up as the tests

    command.upgrade(alembic_config(url), "head")
    return url


def timed_import(url: str, path: Path, input_format: str = "ndjson") -> tuple[float, Counter[str]]:
    """Seconds to import `path` (NDJSON or a GDELT file) into `url`, and the statuses."""
    engine = build_engine(url)
    statuses: Counter[str] = Counter()
    began = time.monotonic()
    with path.open("rb") as lines:
        records = (
            gdelt_records(text_lines(lines), GdeltTally())
            if input_format == "gdelt"
            else parse_ndjson(lines)
        )
        for result in import_records(lambda: Session(engine), records, ImportOptions()):
            statuses[result.status] += 1
    seconds = time.monotonic() - began
    engine.dispose()
    return seconds, statuses


def peak_rss_mb() -> float:
    """This process's peak resident memory so far."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def run(engine_name: str, events: int, rss_lines: int | None) -> list[str]:
    """Measure, and return the table rows."""
    path = DATA / f"import-{events}.ndjson"
    lines = write_file(path, events)
    url = empty_database(engine_name)
    rows = []
    for label in ("into an empty database", "again (all unchanged)"):
        seconds, statuses = timed_import(url, path)
        rows.append(_row(engine_name, label, events, lines, seconds, statuses))
    if rss_lines:
        big = DATA / f"import-rss-{rss_lines}.ndjson"
        write_file(big, int(rss_lines / 1.3))
        seconds, statuses = timed_import(empty_database(engine_name), big)
        rows.append(
            _row(engine_name, "memory run", int(rss_lines / 1.3), rss_lines, seconds, statuses)
        )
        big.unlink()
    path.unlink()
    return rows


def run_gdelt(engine_name: str, events: int, rss_lines: int | None) -> list[str]:
    """The same runs over a synthetic GDELT 2.0 export of `events` rows (`--format gdelt`)."""
    path = gdelt_data.write(DATA / f"gdelt-{events}.export.CSV", events)
    url = empty_database(engine_name)
    rows = []
    for label in ("GDELT into an empty database", "GDELT again (all unchanged)"):
        seconds, statuses = timed_import(url, path, "gdelt")
        rows.append(_row(engine_name, label, events, events, seconds, statuses))
    if rss_lines:
        big = gdelt_data.write(DATA / f"gdelt-rss-{rss_lines}.export.CSV", rss_lines)
        seconds, statuses = timed_import(empty_database(engine_name), big, "gdelt")
        rows.append(_row(engine_name, "GDELT memory run", rss_lines, rss_lines, seconds, statuses))
        big.unlink()
    path.unlink()
    return rows


def _row(
    engine_name: str, label: str, events: int, lines: int, seconds: float, statuses: Counter[str]
) -> str:
    counts = ", ".join(f"{k} {v:,}" for k, v in sorted(statuses.items()))
    return (
        f"| {engine_name} | {label} | {events:,} | {lines:,} | {seconds:,.1f} | "
        f"{events / seconds:,.0f} | {lines / seconds:,.0f} | {peak_rss_mb():,.0f} | {counts} |"
    )


def section(rows: list[str]) -> str:
    """The Markdown section of these measurements."""
    machine = f"{platform.processor() or 'CPU'}, {os.cpu_count()} cores, Linux {platform.release()}"
    return "\n".join(
        [
            START,
            "## NDJSON import (`python -m bench.import_bench`)",
            "",
            f"Run {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())} on {machine}. In-process "
            "`import_records` (what `POST /import` and `geoevents import` run), default options "
            "(batches of 1,000 lines, each committed). Lines: one source per 4 events and one "
            "participant per 20, then the events, each with 2 participant links, a cited "
            "source, an identifier, measures and a place. RSS: the process's peak so far.",
            "",
            "| engine | run | events | lines | seconds | events/s | lines/s | peak RSS MB | "
            "line statuses |",
            "|---|---|---|---|---|---|---|---|---|",
            *rows,
            END,
            "",
        ]
    )


def write(text_: str) -> None:
    """Replace this harness's section of RESULTS.md, or add it at the end."""
    current = RESULTS.read_text(encoding="utf-8")
    pattern = re.compile(re.escape(START) + r".*?" + re.escape(END) + r"\n?", re.DOTALL)
    if pattern.search(current):
        updated = pattern.sub(lambda _: text_, current, count=1)
    else:
        updated = current.rstrip("\n") + "\n\n" + text_
    RESULTS.write_text(updated, encoding="utf-8")


def main() -> None:
    """Measure the import on the engines asked for and record the table."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--engine", choices=["sqlite", "postgresql", "both"], default="sqlite")
    parser.add_argument("--events", type=int, default=100_000)
    parser.add_argument("--rss-lines", type=int, default=None, help="also a memory run")
    parser.add_argument("--no-write", action="store_true", help="print, leave RESULTS.md be")
    parser.add_argument(
        "--format",
        choices=["ndjson", "gdelt", "both"],
        default="ndjson",
        help="import NDJSON lines, a GDELT 2.0 export (rows = --events), or both",
    )
    args = parser.parse_args()
    engines = ["sqlite", "postgresql"] if args.engine == "both" else [args.engine]
    runs = {"ndjson": [run], "gdelt": [run_gdelt], "both": [run, run_gdelt]}[args.format]
    rows = [
        row for name in engines for how in runs for row in how(name, args.events, args.rss_lines)
    ]
    text_ = section(rows)
    print(text_)
    if not args.no_write:
        write(text_)


if __name__ == "__main__":
    main()
