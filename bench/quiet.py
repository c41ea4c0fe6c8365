"""The ceiling's GET rate on a quiet machine (bench/quiet.json), and whether a run fell short.

A run made while something else loads the machine slows every server, but not alike, so its
ratios mislead. The ceiling is the steadiest server: when its GET by id serves far less than
the figure recorded for this machine and engine, the run was noisy.
"""

import argparse
import datetime as dt
import json
import math
from dataclasses import dataclass
from pathlib import Path

QUIET_FILE = Path(__file__).with_name("quiet.json")
DEFAULT_THRESHOLD = 0.7


def machine_key(cpuinfo: Path = Path("/proc/cpuinfo")) -> str:
    """This machine as quiet.json names it: CPU model and logical core count."""
    model, cores = "unknown CPU", 0
    for line in cpuinfo.read_text(encoding="utf-8").splitlines():
        if line.startswith("model name") and model == "unknown CPU":
            model = line.split(":", 1)[1].strip()
        if line.startswith("processor"):
            cores += 1
    return f"{model} x{cores}"


def quiet_figure(engine: str, size: int, machine: str, path: Path = QUIET_FILE) -> float | None:
    """The ceiling's quiet GET requests/s for this machine, engine and size, if recorded.

    Without a figure for `size`, the lowest recorded for the engine is used: the check then
    errs on the side of passing.
    """
    if not path.exists():
        return None
    figures = json.loads(path.read_text(encoding="utf-8")).get("machines", {})
    by_size = figures.get(machine, {}).get(engine, {})
    if str(size) in by_size:
        return float(by_size[str(size)]["ceiling_get_rps"])
    known = [float(entry["ceiling_get_rps"]) for entry in by_size.values()]
    return min(known) if known else None


def record(
    engine: str, size: int, machine: str, rps: float, when: str, path: Path = QUIET_FILE
) -> None:
    """Store `rps` as the quiet figure of this machine, engine and size."""
    data = json.loads(path.read_text(encoding="utf-8")) if path.exists() else {}
    entry = {"ceiling_get_rps": round(rps), "measured": when}
    data.setdefault("machines", {}).setdefault(machine, {}).setdefault(engine, {})[str(size)] = (
        entry
    )
    path.write_text(json.dumps(data, indent=2, sort_keys=True) + "\n", encoding="utf-8")


@dataclass(frozen=True)
class Verdict:
    """Whether one data set's run was quiet enough to report, and why."""

    noisy: bool
    message: str


def check(ceiling_runs: list[float], quiet: float | None, threshold: float) -> Verdict:
    """Noisy when any round of the ceiling's GET by id fell below `threshold` x quiet."""
    if quiet is None:
        return Verdict(False, "no quiet figure recorded for this machine: not checked")
    if not ceiling_runs or any(math.isnan(r) for r in ceiling_runs):
        return Verdict(True, "the ceiling's GET by id was not measured")
    worst = min(ceiling_runs)
    if worst < threshold * quiet:
        return Verdict(
            True,
            f"the ceiling's GET by id served {worst:,.0f} req/s in its slowest round, "
            f"{worst / quiet:.2f} x its quiet {quiet:,.0f} (threshold {threshold} x)",
        )
    return Verdict(False, f"ceiling GET {worst:,.0f} req/s ≥ {threshold} x quiet {quiet:,.0f}")


def judge(engine: str, size: int, ceiling_runs: list[float], args: argparse.Namespace) -> Verdict:
    """The verdict on one data set's run (recording its figure first when asked to)."""
    machine = machine_key()
    if args.record_quiet and ceiling_runs:
        record(engine, size, machine, min(ceiling_runs), dt.date.today().isoformat())
    return check(ceiling_runs, quiet_figure(engine, size, machine), args.noise_threshold)
