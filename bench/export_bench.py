"""Time each export format over a whole synthetic data set, with the server's peak memory.

Usage: `python -m bench.export_bench --engine sqlite --size 100000` (the data set is made with
`seed.synthetic` as `make bench` makes it, or reused). For every list and format, a fresh
uvicorn worker (pinned to core 0) serves one export, read to the end in 64 KiB pieces; the
table gives records, bytes, seconds, records/s and the worker's peak RSS (VmHWM) after a JSON
page and after the export: an export in constant memory leaves the second near the first
whatever the size. Writes its section of bench/RESULTS.md.
"""

import argparse
import json
import os
import platform
import re
import time
import urllib.request
from dataclasses import dataclass

from bench import datasets, report
from bench.datasets import DATA, Dataset
from bench.run import PORTS, peak_rss_mb, start

START, END = "<!-- bench:export:start -->", "<!-- bench:export:end -->"
LISTS = {"events": ("csv", "geojson", "ics", "jsonld"), "claims": ("csv", "jsonld")}
BASE = f"http://127.0.0.1:{PORTS['geoevents']}/api/v1"


@dataclass(frozen=True)
class Exported:
    """One export measured."""

    path: str
    format: str
    records: int
    size: int
    seconds: float
    rss_before: float | None
    rss_after: float | None


def _get(url: str) -> bytes:
    with urllib.request.urlopen(url, timeout=600) as response:
        body: bytes = response.read()
        return body


def measure(dataset: Dataset, path: str, format_name: str) -> Exported:
    """One export on a fresh server: the records it holds, its size and time, and peak RSS."""
    server = start("geoevents", dataset)
    try:
        total = json.loads(_get(f"{BASE}/{path}?limit=1&include_total=true"))["total"]
        before = peak_rss_mb(server.pid)
        size, began = 0, time.monotonic()
        with urllib.request.urlopen(f"{BASE}/{path}?format={format_name}", timeout=3600) as body:
            while piece := body.read(64 * 1024):
                size += len(piece)
        seconds = time.monotonic() - began
        return Exported(path, format_name, total, size, seconds, before, peak_rss_mb(server.pid))
    finally:
        server.terminate()
        server.wait()


def section(dataset: Dataset, rows: list[Exported]) -> str:
    """The Markdown section of these measurements."""
    lines = [
        START,
        f"## Exports, {dataset.engine}, {dataset.size:,} events (`python -m bench.export_bench`)",
        "",
        f"Run {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())} on {_machine()}.",
        "",
        "One uvicorn worker pinned to core 0, restarted per export; the client reads the "
        "whole stream. Records: every record of the list (an export may write fewer: GeoJSON "
        "only located events, iCalendar only dated ones).",
        "",
        "| list | format | records | MB | seconds | records/s | RSS after a page MB | "
        "RSS after the export MB |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for row in rows:
        rate = row.records / row.seconds if row.seconds else 0
        lines.append(
            f"| {row.path} | {row.format} | {row.records:,} | {row.size / 1e6:,.1f} | "
            f"{row.seconds:,.1f} | {rate:,.0f} | {row.rss_before or 0:,.0f} | "
            f"{row.rss_after or 0:,.0f} |"
        )
    return "\n".join([*lines, END, ""])


def _machine() -> str:
    try:
        return report.machine()
    except FileNotFoundError:  # it names wrk's version, which this harness does not need
        return (
            f"{platform.processor() or 'CPU'}, {os.cpu_count()} cores, Linux {platform.release()}"
        )


def write(text: str) -> None:
    """Replace this harness's section of RESULTS.md, or add it at the end."""
    current = report.RESULTS.read_text(encoding="utf-8")
    pattern = re.compile(re.escape(START) + r".*?" + re.escape(END) + r"\n?", re.DOTALL)
    if pattern.search(current):
        updated = pattern.sub(lambda _: text, current, count=1)
    else:
        updated = current.rstrip("\n") + "\n\n" + text
    report.RESULTS.write_text(updated, encoding="utf-8")


def main() -> None:
    """Measure every export of one data set and record the table."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--engine", choices=["sqlite", "postgresql"], default="sqlite")
    parser.add_argument("--size", type=int, default=100_000, help="events in the data set")
    parser.add_argument("--no-write", action="store_true", help="print, leave RESULTS.md be")
    args = parser.parse_args()
    dataset = Dataset(args.engine, args.size)
    datasets.ensure(dataset)
    (DATA / "logs").mkdir(parents=True, exist_ok=True)
    rows = []
    for path, formats in LISTS.items():
        for format_name in formats:
            rows.append(measure(dataset, path, format_name))
            print(f"[export] {path} {format_name}: {rows[-1]}", flush=True)
    text = section(dataset, rows)
    print(text)
    if not args.no_write:
        write(text)


if __name__ == "__main__":
    main()
