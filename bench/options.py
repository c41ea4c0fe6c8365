"""The options of `python -m bench.run`, and the sentence RESULTS.md states them in."""

import argparse

from bench import quiet
from bench.cases import TITLES
from bench.datasets import Dataset

CASES = tuple(TITLES)

# Seconds of load before each measured run: geoevents' first seconds run well below its
# steady rate, so a short warm-up measures start-up instead.
WARMUP_SECONDS = 10


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    """The harness's options; --quick narrows the run, keeping the warm-up."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--sizes", default="100000,1000000")
    parser.add_argument("--engines", default="sqlite,postgresql")
    parser.add_argument("--duration", type=int, default=30, help="seconds per measured run")
    parser.add_argument(
        "--warmup",
        type=int,
        default=WARMUP_SECONDS,
        help="seconds of warm-up of each fresh server before each measured run",
    )
    parser.add_argument("--connections", type=int, default=32)
    parser.add_argument("--repeats", type=int, default=2, help="A B A B: runs per server")
    parser.add_argument(
        "--datasets",
        default=None,
        help="data sets to run instead of sizes x engines, e.g. sqlite-100000,postgresql-100000",
    )
    parser.add_argument(
        "--cases", default=",".join(CASES), help=f"cases to run, of {','.join(CASES)}"
    )
    parser.add_argument("--quick", action="store_true", help="5 s runs, one round, 100k SQLite")
    parser.add_argument(
        "--noise-threshold",
        type=float,
        default=quiet.DEFAULT_THRESHOLD,
        help="noisy when the ceiling's GET falls below this x its quiet figure",
    )
    parser.add_argument(
        "--allow-noisy",
        action="store_true",
        help="report a noisy run in RESULTS.md (flagged) and exit 0",
    )
    parser.add_argument(
        "--record-quiet",
        action="store_true",
        help="store this run's ceiling GET as the machine's quiet figure",
    )
    args = parser.parse_args(argv)
    if args.quick:
        args.sizes, args.engines, args.duration, args.repeats = "100000", "sqlite", 5, 1
    if args.warmup < WARMUP_SECONDS:
        parser.error(f"--warmup must be at least {WARMUP_SECONDS} s")
    if args.duration <= 0 or args.repeats <= 0:
        parser.error("--duration and --repeats must be positive")
    if not 0 < args.noise_threshold <= 1:
        parser.error("--noise-threshold must be in (0, 1]")
    if unknown := set(args.cases.split(",")) - set(CASES):
        parser.error(f"--cases: unknown {', '.join(sorted(unknown))}")
    try:
        args.datasets = chosen_datasets(args)
    except ValueError as error:
        parser.error(f"--datasets: {error}")
    return args


def chosen_datasets(args: argparse.Namespace) -> list[Dataset]:
    """The data sets to run: `--datasets` as named, else every engine at every size."""
    if args.datasets is None:
        sizes = [int(s) for s in args.sizes.split(",")]
        return [Dataset(e, size) for e in args.engines.split(",") for size in sizes]
    found = []
    for label in args.datasets.split(","):
        engine, _, size = label.partition("-")
        if engine not in ("sqlite", "postgresql") or not size.isdigit():
            raise ValueError(f"'{label}' is not engine-size (sqlite-100000, postgresql-1000000)")
        found.append(Dataset(engine, int(size)))
    return found


def describe(args: argparse.Namespace, datasette_version: str) -> str:
    """The run's settings, as RESULTS.md states them."""
    return (
        f"Each server: one uvicorn worker (uvloop, httptools, no access log) pinned to core 0; "
        f"`wrk -t1 -c{args.connections} -d{args.duration}s --latency` pinned to core 1. "
        f"One server lives at a time: per case and round it is started, warmed for "
        f"{args.warmup} s, measured, stopped and waited for; servers alternate (A B C A B C, "
        f"{args.repeats} rounds). requests/s: mean of the runs; p50: mean; p99: worst run. "
        "Ratios are sums of requests/s over the same runs. Peak RSS is the highest VmHWM over "
        f"the case's rounds. Datasette {datasette_version} serves the SQLite file immutable (`-i`)."
    )
