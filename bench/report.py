"""bench/RESULTS.md: the harness's section, between markers, leaving other sections alone."""

import datetime as dt
import math
import os
import platform
import re
import subprocess
from dataclasses import dataclass, field
from pathlib import Path

from bench.machine import RoundLoad
from bench.quiet import Verdict
from bench.wrk import WrkResult

RESULTS = Path(__file__).with_name("RESULTS.md")
# Where a noisy run is written instead, so that it never replaces a quiet one.
NOISY_RESULTS = Path(__file__).parent / "data" / "RESULTS-noisy.md"
START, END = "<!-- bench:run:start -->", "<!-- bench:run:end -->"
SERVERS = ("geoevents", "ceiling", "datasette")
# Case key -> (minimum geoevents/ceiling requests/s ratio or None, indexed read?)
GOALS: dict[str, tuple[float | None, bool]] = {
    "get": (0.4, True),
    "list": (0.4, True),
    "search": (0.4, True),
    "cursor": (None, True),
    "post": (None, False),
    "stats": (None, False),
}
# Against Datasette on SQLite, where it is a peer: a GET by id at least twice its rate.
DATASETTE_GOALS = {"get": 2.0}
DATASETTE_GOAL = 1.5


@dataclass
class Measured:
    """All runs of one case on one server, with what the server looked like."""

    runs: list[WrkResult] = field(default_factory=list)
    body_bytes: int | None = None
    peak_rss_mb: float | None = None
    skipped: str | None = None
    load: list[RoundLoad] = field(default_factory=list)  # one per run

    @property
    def rps(self) -> float:
        """Mean successful (2xx/3xx) requests/s over the runs."""
        return _mean([good_rps(r) for r in self.runs])

    @property
    def p50(self) -> float:
        """Mean of the runs' medians, ms."""
        return _mean([r.p50_ms for r in self.runs])

    @property
    def p99(self) -> float:
        """Worst of the runs' p99s, ms."""
        return max((r.p99_ms for r in self.runs), default=math.nan)

    @property
    def failures(self) -> int:
        """Non-2xx responses and socket errors over all runs."""
        return sum(r.non_2xx + r.socket_errors for r in self.runs)


@dataclass
class DatasetResult:
    """The cases of one data set: case key -> server -> measured."""

    label: str
    engine: str
    size: int
    counts: dict[str, int]
    titles: dict[str, str]
    cases: dict[str, dict[str, Measured]] = field(default_factory=dict)
    verdict: Verdict | None = None


def good_rps(run: WrkResult) -> float:
    """Requests/s that got a 2xx or 3xx answer: an error page is not a served request."""
    if not run.requests:
        return 0.0
    return run.requests_per_s * (run.requests - run.non_2xx) / run.requests


def _mean(values: list[float]) -> float:
    return sum(values) / len(values) if values else math.nan


def _num(value: float | None, digits: int = 0) -> str:
    if value is None or math.isnan(value):
        return "-"
    return f"{value:,.{digits}f}"


def ratio(a: Measured, b: Measured) -> float:
    """a/b of requests/s over the runs they share (A B A B: drift cancels in the sums)."""
    n = min(len(a.runs), len(b.runs))
    if n == 0:
        return math.nan
    denominator = sum(good_rps(r) for r in b.runs[:n])
    return sum(good_rps(r) for r in a.runs[:n]) / denominator if denominator else math.nan


def machine() -> str:
    """One line describing this machine and the software measured."""
    cpu = "unknown CPU"
    with open("/proc/cpuinfo", encoding="utf-8") as info:
        for line in info:
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    with open("/proc/meminfo", encoding="utf-8") as info:
        mem_gb = int(info.readline().split()[1]) / 1024 / 1024
    wrk = subprocess.run(["wrk", "--version"], capture_output=True, text=True).stdout
    wrk_version = wrk.split()[1] if wrk else "?"
    return (
        f"{cpu}, {os.cpu_count()} cores, {mem_gb:.0f} GB RAM, Linux {platform.release()}, "
        f"Python {platform.python_version()}, wrk {wrk_version}"
    )


def section(
    results: list[DatasetResult], settings: str, notes: list[str], before: RoundLoad
) -> str:
    """The harness's Markdown section for `results`; `before`: the machine before the run."""
    out = [
        START,
        "## HTTP benchmark: geoevents vs its ceiling and Datasette (`make bench`)",
        "",
        *_noise_banner(results),
        f"Run {dt.datetime.now(dt.UTC):%Y-%m-%d %H:%M} UTC on {machine()}.",
        f"Before the run: load average {before.loadavg_before:.2f}, other busy processes: "
        f"{', '.join(before.busy) or 'none'}.",
        "",
        settings,
        "",
    ]
    for result in results:
        out += _dataset_table(result)
        out += _load_table(result)
    out += _growth(results)
    out += _goals(results)
    if notes:
        out += ["### Notes", "", *(f"- {n}" for n in notes), ""]
    out.append(END)
    return "\n".join(out) + "\n"


def _dataset_table(result: DatasetResult) -> list[str]:
    counts = ", ".join(f"{n:,} {name}" for name, n in result.counts.items())
    out = [
        f"### {result.engine}, {result.size:,} events",
        "",
        f"Rows: {counts}.",
        "",
        "| case | server | 2xx requests/s (each run) | p50 ms | p99 ms | body bytes | peak RSS MB "
        "| failed | x ceiling | geoevents x this |",
        "|---|---|---|---|---|---|---|---|---|---|",
    ]
    for key, servers in result.cases.items():
        geo, ceiling = servers.get("geoevents"), servers.get("ceiling")
        for name in SERVERS:
            m = servers.get(name)
            if m is None:
                continue
            if m.skipped:
                out.append(f"| {result.titles[key]} | {name} | {m.skipped} | | | | | | | |")
                continue
            each = " / ".join(_num(good_rps(r)) for r in m.runs)
            to_ceiling = _num(ratio(m, ceiling), 2) if ceiling and name != "ceiling" else ""
            geo_over = _num(ratio(geo, m), 2) if geo and name == "datasette" else ""
            out.append(
                f"| {result.titles[key]} | {name} | {_num(m.rps)} ({each}) | {_num(m.p50, 1)} "
                f"| {_num(m.p99, 1)} | {_num(m.body_bytes)} | {_num(m.peak_rss_mb)} "
                f"| {m.failures} | {to_ceiling} | {geo_over} |"
            )
    return [*out, ""]


def _growth(results: list[DatasetResult]) -> list[str]:
    by_key = {(r.engine, r.size): r for r in results}
    out: list[str] = []
    for engine in sorted({r.engine for r in results}):
        sizes = sorted(size for e, size in by_key if e == engine)
        if len(sizes) < 2:
            continue
        small, large = by_key[(engine, sizes[0])], by_key[(engine, sizes[-1])]
        out += [
            f"### Latency growth, {engine}: {sizes[0]:,} → {sizes[-1]:,} events (p50 ratio)",
            "",
            "| case | " + " | ".join(SERVERS) + " |",
            "|---|---|---|---|",
        ]
        for key, servers in large.cases.items():
            cells = []
            for name in SERVERS:
                a, b = small.cases.get(key, {}).get(name), servers.get(name)
                # A server that answered nothing in time has no latency to compare (p50 0).
                ok = a and b and a.runs and b.runs and a.p50 > 0
                cells.append(_num(b.p50 / a.p50, 2) if ok and a and b else "-")
            out.append(f"| {large.titles[key]} | " + " | ".join(cells) + " |")
        out.append("")
    return out


def _goals(results: list[DatasetResult]) -> list[str]:
    out = ["### Goals (geoevents)", "", "| data set | goal | measured | met |", "|---|---|---|---|"]

    def row(label: str, goal: str, value: float, met: bool, shown: str = "") -> None:
        shown = shown or _num(value, 2)
        out.append(f"| {label} | {goal} | {shown} | {'yes' if met else '**no**'} |")

    for r in results:
        for key, (minimum, _) in GOALS.items():
            servers = r.cases.get(key, {})
            geo = servers.get("geoevents")
            if geo is None or not geo.runs:
                continue
            if minimum is not None and "ceiling" in servers:
                value = ratio(geo, servers["ceiling"])
                row(r.label, f"{r.titles[key]}: ≥ {minimum} x ceiling", value, value >= minimum)
            ds = servers.get("datasette")
            if ds is not None and ds.runs and key != "post":
                value, least = ratio(geo, ds), DATASETTE_GOALS.get(key, DATASETTE_GOAL)
                goal = f"{r.titles[key]}: ≥ {least} x Datasette"
                if math.isnan(value) and any(good_rps(run) for run in geo.runs):
                    # Datasette answered nothing in time (all timeouts or errors); we did.
                    row(r.label, goal, value, True, shown="Datasette: no answer in time")
                else:
                    row(r.label, goal, value, value >= least)
            if r.size >= 1_000_000 and key != "post":
                row(r.label, f"{r.titles[key]}: p99 < 50 ms", geo.p99, geo.p99 < 50)
        peak = max(
            (s["geoevents"].peak_rss_mb or 0 for s in r.cases.values() if "geoevents" in s),
            default=0,
        )
        if r.size >= 1_000_000:
            row(r.label, "server peak RSS < 250 MB", peak, peak < 250)
    by_key = {(r.engine, r.size): r for r in results}
    for (engine, size), large in by_key.items():
        smaller = [s for e, s in by_key if e == engine and s < size]
        if not smaller:
            continue
        small = by_key[(engine, min(smaller))]
        for key, (_, indexed) in GOALS.items():
            a = small.cases.get(key, {}).get("geoevents")
            b = large.cases.get(key, {}).get("geoevents")
            if indexed and a and b and a.runs and b.runs:
                growth = b.p50 / a.p50
                goal = f"{large.titles[key]}: p50 ≤ 1.5 x at {small.size:,}"
                row(large.label, goal, growth, growth <= 1.5)
    return [*out, ""]


def noisy(results: list[DatasetResult]) -> list[DatasetResult]:
    """The data sets whose run was too noisy to trust."""
    return [r for r in results if r.verdict is not None and r.verdict.noisy]


def _noise_banner(results: list[DatasetResult]) -> list[str]:
    flagged = noisy(results)
    if not flagged:
        return []
    lines = [f"> - {r.label}: {r.verdict.message}" for r in flagged if r.verdict]
    return [
        "> **NOISY RUN: DO NOT QUOTE THESE NUMBERS.** Something else loaded the machine:",
        *lines,
        "",
    ]


def _load_table(result: DatasetResult) -> list[str]:
    out = [
        f"Machine load, {result.label} (1-minute load average before → after each run, "
        "which includes the server and wrk; other processes using > 5 % of a core):",
        "",
        "| case | server | run | load before | load after | other busy processes |",
        "|---|---|---|---|---|---|",
    ]
    for key, servers in result.cases.items():
        for name, m in servers.items():
            for n, sample in enumerate(m.load, start=1):
                out.append(
                    f"| {result.titles[key]} | {name} | {n} | {sample.loadavg_before:.2f} "
                    f"| {sample.loadavg_after:.2f} | {', '.join(sample.busy) or 'none'} |"
                )
    return [*out, ""]


def publish(text: str, results: list[DatasetResult], allow_noisy: bool) -> tuple[int, Path]:
    """Write `text` where it belongs: (exit code, file). A noisy run goes to RESULTS.md only
    when allowed (flagged); otherwise to NOISY_RESULTS, with a non-zero code."""
    if noisy(results) and not allow_noisy:
        NOISY_RESULTS.parent.mkdir(parents=True, exist_ok=True)
        NOISY_RESULTS.write_text(text, encoding="utf-8")
        return 3, NOISY_RESULTS
    write(text)
    return 0, RESULTS


def write(text: str) -> None:
    """Replace the harness's section of RESULTS.md (or add it), keeping every other section."""
    current = RESULTS.read_text(encoding="utf-8") if RESULTS.exists() else "# Benchmarks\n\n"
    pattern = re.compile(re.escape(START) + r".*?" + re.escape(END) + r"\n?", re.DOTALL)
    if pattern.search(current):
        updated = pattern.sub(lambda _: text, current, count=1)
    else:
        head, sep, tail = current.partition("\n## ")
        updated = head.rstrip("\n") + "\n\n" + text + ("\n## " + tail if sep else "")
    RESULTS.write_text(updated, encoding="utf-8")
