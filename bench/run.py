"""`python -m bench.run`: geoevents against its ceiling (bench.ceiling) and Datasette, over HTTP.

Each server runs one worker pinned to core 0; wrk runs pinned to core 1. Every case is run
on each server in turn, A B C A B C, so that drift of the machine cancels in the ratios.
Results replace the harness's section of bench/RESULTS.md. Needs wrk (`apt-get install wrk`).
"""

import argparse
import json
import os
import shutil
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

from bench import datasets, report
from bench.cases import ADMIN_KEY, TITLES, build_cases, cursor_page
from bench.datasets import DATA, ROOT, Dataset
from bench.report import DatasetResult, Measured
from bench.wrk import Load, run_wrk

DATASETTE_VERSION = "0.65.1"
DATASETTE_VENV = ROOT / "bench" / ".venv-datasette"
PORTS = {"geoevents": 8101, "ceiling": 8102, "datasette": 8103}


def ensure_datasette() -> Path:
    """The datasette CLI in its own venv, installed (pinned) on first use."""
    cli = DATASETTE_VENV / "bin" / "datasette"
    if not cli.exists():
        print(f"[setup] installing datasette=={DATASETTE_VERSION} into {DATASETTE_VENV}")
        subprocess.run([sys.executable, "-m", "venv", str(DATASETTE_VENV)], check=True)
        # uvloop and httptools as geoevents' uvicorn has them: the same server core for both.
        packages = [f"datasette=={DATASETTE_VERSION}", "uvloop==0.23.0", "httptools==0.9.0"]
        pip = [str(DATASETTE_VENV / "bin" / "pip"), "install", "--quiet", *packages]
        subprocess.run(pip, check=True)
    return cli


def server_command(name: str, dataset: Dataset) -> tuple[list[str], dict[str, str]]:
    """The command line and environment of one server on `dataset`."""
    port = str(PORTS[name])
    env = dict(os.environ)
    uvicorn = [str(Path(sys.executable).parent / "uvicorn"), "--host", "127.0.0.1", "--port", port]
    uvicorn += ["--workers", "1", "--no-access-log", "--no-server-header"]
    if name == "geoevents":
        env.update(
            DATABASE_URL=dataset.url,
            RATE_LIMIT_PER_MINUTE="0",
            ANONYMOUS_RATE_LIMIT_PER_MINUTE="0",
            ACCESS_LOG="false",
            GEOEVENTS_ADMIN_KEY=ADMIN_KEY,
        )
        return [*uvicorn, "app.main:app"], env
    if name == "ceiling":
        env["BENCH_DATABASE_URL"] = dataset.url
        return [*uvicorn, "bench.ceiling:app"], env
    settings = ["--setting", "sql_time_limit_ms", "60000", "--setting", "default_page_size", "50"]
    cli = str(DATASETTE_VENV / "bin" / "datasette")
    # -i: immutable, Datasette's fastest mode for a file that is only published.
    return [cli, "serve", "-i", str(dataset.path), "-h", "127.0.0.1", "-p", port, *settings], env


def start(name: str, dataset: Dataset) -> subprocess.Popen[bytes]:
    """Start a server pinned to core 0 and wait until it answers."""
    command, env = server_command(name, dataset)
    log = (DATA / "logs" / f"{dataset.label}-{name}.log").open("wb")
    process = subprocess.Popen(["taskset", "-c", "0", *command], cwd=ROOT, env=env, stdout=log,
                               stderr=subprocess.STDOUT)  # fmt: skip
    probe = "/-/versions.json" if name == "datasette" else "/health"
    deadline = time.monotonic() + 90
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"{name} exited; see {log.name}")
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{PORTS[name]}{probe}", timeout=2):
                return process
        except (urllib.error.URLError, ConnectionError):
            time.sleep(0.3)
    process.terminate()
    raise RuntimeError(f"{name} did not start; see {log.name}")


def peak_rss_mb(pid: int) -> float | None:
    """The process's peak resident memory (VmHWM), MB."""
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    except OSError:
        return None
    return None


def fetch(name: str, load: Load) -> tuple[int, bytes]:
    """One request as wrk would send it first: its status and body."""
    url = f"http://127.0.0.1:{PORTS[name]}{load.paths[0]}"
    body = None
    if load.body_template is not None:
        body = (
            load.body_template.replace("%s", "probe", 1) % (int(time.time() * 1000), 0)
        ).encode()
    request = urllib.request.Request(url, data=body, method=load.method, headers=dict(load.headers))
    try:
        with urllib.request.urlopen(request, timeout=120) as response:
            return response.status, response.read()
    except urllib.error.HTTPError as error:
        return error.code, error.read()


def bench_dataset(dataset: Dataset, args: argparse.Namespace) -> DatasetResult:
    """Every case on every server of one data set."""
    datasets.ensure(dataset)
    datasets.settle(dataset)
    samples = datasets.draw(dataset)
    names = ["geoevents", "ceiling"] + (["datasette"] if dataset.engine == "sqlite" else [])
    (DATA / "logs").mkdir(parents=True, exist_ok=True)
    scripts = DATA / "scripts"
    scripts.mkdir(parents=True, exist_ok=True)
    result = DatasetResult(dataset.label, dataset.engine, dataset.size, samples.counts, TITLES)
    processes = {name: start(name, dataset) for name in names}
    try:
        loads = build_cases(dataset, samples, names)
        for name in names:
            page = cursor_page(name, dataset, fetch, pages=100)
            if page:
                loads["cursor"][name] = Load([page])
            else:
                print(f"[{dataset.label}] cursor {name}: walk to page 100 failed", flush=True)
        for key, per_server in loads.items():
            result.cases[key] = _bench_case(key, per_server, processes, args, dataset, scripts)
            _save(dataset, result)
    finally:
        for process in processes.values():
            process.terminate()
            process.wait(timeout=30)
        datasets.settle(dataset)
    return result


def _bench_case(
    key: str,
    per_server: dict[str, Load],
    processes: dict[str, subprocess.Popen[bytes]],
    args: argparse.Namespace,
    dataset: Dataset,
    scripts: Path,
) -> dict[str, Measured]:
    measured: dict[str, Measured] = {}
    for name, load in per_server.items():
        status, body = fetch(name, load)
        measured[name] = Measured(body_bytes=len(body))
        if status >= 300:
            measured[name].skipped = f"n/a: HTTP {status} {body[:120]!r}"
            print(f"[{dataset.label}] {key} {name}: skipped, HTTP {status}", flush=True)
            continue
        if args.warmup:
            warm = f"warm-{key}-{name}-{time.time_ns()}"
            run_wrk(f"http://127.0.0.1:{PORTS[name]}", load, tag=warm, duration=args.warmup,
                    connections=args.connections, script_dir=scripts)  # fmt: skip
    ready = [n for n in per_server if not measured[n].skipped]
    for repeat in range(args.repeats):
        for name in ready:
            tag = f"{dataset.label}-{key}-{name}-{repeat}-{time.time_ns()}"
            outcome, raw = run_wrk(f"http://127.0.0.1:{PORTS[name]}", per_server[name], tag=tag,
                                   duration=args.duration, connections=args.connections,
                                   script_dir=scripts)  # fmt: skip
            (DATA / "logs" / f"{tag}.wrk.txt").write_text(raw, encoding="utf-8")
            measured[name].runs.append(outcome)
            print(
                f"[{dataset.label}] {key:7} {name:10} {outcome.requests_per_s:9.0f} req/s "
                f"p50 {outcome.p50_ms:7.2f} ms p99 {outcome.p99_ms:7.2f} ms "
                f"failed {outcome.non_2xx + outcome.socket_errors}",
                flush=True,
            )
    for name in ready:
        measured[name].peak_rss_mb = peak_rss_mb(processes[name].pid)
    return measured


def _save(dataset: Dataset, result: DatasetResult) -> None:
    raw = {
        key: {
            name: {
                "runs": [r.__dict__ for r in m.runs],
                "body_bytes": m.body_bytes,
                "peak_rss_mb": m.peak_rss_mb,
                "skipped": m.skipped,
            }
            for name, m in servers.items()
        }
        for key, servers in result.cases.items()
    }
    (DATA / f"results-{dataset.label}.json").write_text(json.dumps(raw, indent=1))


def main() -> None:
    """Parse arguments, run every data set, write bench/RESULTS.md."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--sizes", default="100000,1000000")
    parser.add_argument("--engines", default="sqlite,postgresql")
    parser.add_argument("--duration", type=int, default=30, help="seconds per measured run")
    parser.add_argument("--warmup", type=int, default=5, help="seconds of warm-up per server")
    parser.add_argument("--connections", type=int, default=32)
    parser.add_argument("--repeats", type=int, default=2, help="A B A B: runs per server")
    parser.add_argument("--quick", action="store_true", help="5 s runs, 100k, SQLite only")
    args = parser.parse_args()
    # Stopped with TERM (or INT, even when started in the background), the servers stop too.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(1))
    signal.signal(signal.SIGINT, signal.default_int_handler)
    if args.quick:
        args.sizes, args.engines, args.duration, args.warmup = "100000", "sqlite", 5, 2
    if shutil.which("wrk") is None or shutil.which("taskset") is None:
        sys.exit("bench: needs wrk and taskset; install with: apt-get install -y wrk util-linux")
    engines = args.engines.split(",")
    if "sqlite" in engines:
        ensure_datasette()
    sizes = [int(s) for s in args.sizes.split(",")]
    settings = (
        f"Each server: one uvicorn worker (uvloop, httptools, no access log) pinned to core 0; "
        f"`wrk -t1 -c{args.connections} -d{args.duration}s --latency` pinned to core 1 after a "
        f"{args.warmup} s warm-up per server; servers alternate per case (A B C A B C, "
        f"{args.repeats} runs each). requests/s: mean of the runs; p50: mean; p99: worst run. "
        "Ratios are sums of requests/s over the same runs. Peak RSS is VmHWM after the case "
        "(process lifetime, so it only grows down a table). Datasette "
        f"{DATASETTE_VERSION} serves the SQLite file immutable (`-i`)."
    )
    results: list[DatasetResult] = []
    notes = [_postgres_note()] if "postgresql" in engines else []
    for engine in engines:
        for size in sizes:
            results.append(bench_dataset(Dataset(engine, size), args))
            report.write(report.section(results, settings, notes))
    print(f"[done] wrote {report.RESULTS}")


def _postgres_note() -> str:
    return (
        "PostgreSQL runs on the same two cores, unpinned: its backends compete with the server "
        "(core 0) and wrk (core 1), which lowers every PostgreSQL number alike."
    )


if __name__ == "__main__":
    main()
