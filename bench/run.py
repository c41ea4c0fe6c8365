"""`python -m bench.run`: geoevents against its ceiling (bench.ceiling) and Datasette, over HTTP.

Each server runs one worker pinned to core 0; wrk runs pinned to core 1. Every case is run
on each server in turn, A B C A B C, so that drift of the machine cancels in the ratios; one
server lives at a time, started fresh and warmed up for each run (bench.rounds). The load of
the machine is recorded around each run, and a run whose ceiling serves far below its quiet
figure (bench/quiet.json) is refused (bench.quiet). Results replace the harness's section of
bench/RESULTS.md. Needs wrk (`apt-get install wrk`).
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

from bench import datasets, machine, options, quiet, report, rounds
from bench.cases import ADMIN_KEY, TITLES, build_cases, cursor_page
from bench.datasets import DATA, ROOT, Dataset
from bench.report import DatasetResult, Measured
from bench.wrk import Load, WrkResult, run_wrk

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
    rounds.stop(process)
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
    """Every case on every server of one data set, one live server at a time."""
    datasets.ensure(dataset)
    datasets.settle(dataset)
    samples = datasets.draw(dataset)
    names = ["geoevents", "ceiling"] + (["datasette"] if dataset.engine == "sqlite" else [])
    (DATA / "logs").mkdir(parents=True, exist_ok=True)
    (DATA / "scripts").mkdir(parents=True, exist_ok=True)
    result = DatasetResult(dataset.label, dataset.engine, dataset.size, samples.counts, TITLES)
    chosen = args.cases.split(",")
    loads = {k: v for k, v in build_cases(dataset, samples, names).items() if k in chosen}
    try:
        for key, per_server in loads.items():
            # The cursor case's paths are found by walking each server's pages once it runs.
            servers = names if key == "cursor" else list(per_server)
            result.cases[key] = _bench_case(key, per_server, servers, args, dataset)
            _save(dataset, result)
            if key == "get":
                ceiling = result.cases["get"].get("ceiling")
                runs = [report.good_rps(r) for r in ceiling.runs] if ceiling else []
                result.verdict = quiet.judge(dataset.engine, dataset.size, runs, args)
                flag = "NOISY: " if result.verdict.noisy else ""
                print(f"[{dataset.label}] {flag}{result.verdict.message}", flush=True)
                if result.verdict.noisy and not args.allow_noisy:
                    return result  # the rest would be as noisy: refuse before spending it
    finally:
        datasets.settle(dataset)
    return result


def _bench_case(
    key: str,
    per_server: dict[str, Load],
    servers: list[str],
    args: argparse.Namespace,
    dataset: Dataset,
) -> dict[str, Measured]:
    """One case: each server in turn per round (A B C A B C), each a fresh, warmed process."""
    measured = {name: Measured() for name in servers}

    def measure(name: str, process: subprocess.Popen[bytes], repeat: int) -> None:
        load = per_server.get(name) or _cursor_load(name, dataset)
        if load is None:
            measured[name].skipped = "n/a: walk to page 100 failed"
            return
        per_server[name] = load
        if repeat == 0 and not _probe(name, load, measured[name], dataset, key):
            return
        tag = f"{dataset.label}-{key}-{name}-{repeat}-{time.time_ns()}"
        outcome, sample = _run_once(name, load, tag, process.pid, args, dataset)
        measured[name].runs.append(outcome)
        measured[name].load.append(sample)
        rss = [r for r in (measured[name].peak_rss_mb, peak_rss_mb(process.pid)) if r]
        measured[name].peak_rss_mb = max(rss, default=None)

    rounds.alternate(servers, args.repeats, lambda name: start(name, dataset), measure,
                     wanted=lambda name: not measured[name].skipped)  # fmt: skip
    return measured


def _run_once(
    name: str, load: Load, tag: str, pid: int, args: argparse.Namespace, dataset: Dataset
) -> tuple[WrkResult, machine.RoundLoad]:
    """Warm the fresh server up, then measure it, noting the machine's load around the run."""
    sample = machine.RoundLoad(loadavg_before=machine.loadavg())
    url, scripts = f"http://127.0.0.1:{PORTS[name]}", DATA / "scripts"
    if args.warmup:
        run_wrk(url, load, tag=f"warm-{tag}", duration=args.warmup,
                connections=args.connections, script_dir=scripts)  # fmt: skip
    before, began = machine.snapshot(), time.monotonic()
    outcome, raw = run_wrk(url, load, tag=tag, duration=args.duration,
                           connections=args.connections, script_dir=scripts)  # fmt: skip
    # PostgreSQL's backends serve the server under test: they are not competitors.
    ignore = {"postgres"} if dataset.engine == "postgresql" else set()
    elapsed = time.monotonic() - began
    sample.busy = machine.busy_processes(
        before, machine.snapshot(), elapsed, {os.getpid(), pid}, ignore
    )
    sample.loadavg_after = machine.loadavg()
    (DATA / "logs" / f"{tag}.wrk.txt").write_text(raw, encoding="utf-8")
    print(
        f"[{dataset.label}] {tag.rsplit('-', 1)[0]} {outcome.requests_per_s:9.0f} req/s "
        f"p50 {outcome.p50_ms:7.2f} ms p99 {outcome.p99_ms:7.2f} ms "
        f"failed {outcome.non_2xx + outcome.socket_errors} load {sample.loadavg_before:.2f}"
        f"->{sample.loadavg_after:.2f} busy {len(sample.busy)}",
        flush=True,
    )
    return outcome, sample


def _cursor_load(name: str, dataset: Dataset) -> Load | None:
    page = cursor_page(name, dataset, fetch, pages=100)
    return Load([page]) if page else None


def _probe(name: str, load: Load, measured: Measured, dataset: Dataset, key: str) -> bool:
    """Ask once as wrk will; a server that answers with an error is skipped for the case."""
    status, body = fetch(name, load)
    measured.body_bytes = len(body)
    if status >= 300:
        measured.skipped = f"n/a: HTTP {status} {body[:120]!r}"
        print(f"[{dataset.label}] {key} {name}: skipped, HTTP {status}", flush=True)
    return status < 300


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
    """Parse arguments, run every data set, write bench/RESULTS.md (or refuse a noisy run)."""
    args = options.parse_args()
    # Stopped with TERM (or INT, even when started in the background), the servers stop too.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(1))
    signal.signal(signal.SIGINT, signal.default_int_handler)
    if shutil.which("wrk") is None or shutil.which("taskset") is None:
        sys.exit("bench: needs wrk and taskset; install with: apt-get install -y wrk util-linux")
    engines = {dataset.engine for dataset in args.datasets}
    if "sqlite" in engines:
        ensure_datasette()
    before = machine.RoundLoad(machine.loadavg(), busy=machine.busy_now())
    print(f"[machine] loadavg {before.loadavg_before:.2f}, busy: {before.busy or 'none'}")
    results: list[DatasetResult] = []
    notes = [_postgres_note()] if "postgresql" in engines else []
    for dataset in args.datasets:
        results.append(bench_dataset(dataset, args))
        text = report.section(results, options.describe(args, DATASETTE_VERSION), notes, before)
        code, where = report.publish(text, results, args.allow_noisy)
        if code:
            sys.exit(f"bench: noisy run, not reported; see {where} (or pass --allow-noisy)")
    print(f"[done] wrote {report.RESULTS}")


def _postgres_note() -> str:
    return (
        "PostgreSQL runs on the same two cores, unpinned: its backends compete with the server "
        "(core 0) and wrk (core 1), which lowers every PostgreSQL number alike."
    )


if __name__ == "__main__":
    main()
