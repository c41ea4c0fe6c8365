"""The benchmark harness's logic, without load: rounds, machine load, the noise check, reports."""

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from bench import machine, options, quiet, report, rounds
from bench.report import DatasetResult, Measured
from bench.wrk import WrkResult

TITLES = {"get": "GET event by id"}


class FakeProcess:
    """Stands in for a server process: remembers whether it lives."""

    def __init__(self, name: str, log: list[str]) -> None:
        self.name, self.log, self.alive = name, log, True


def fake_start(name: str) -> Any:
    """A started fake server."""
    return FakeProcess(name, [])


class TestRounds:
    def test_order_alternates_servers_per_round(self) -> None:
        assert rounds.order(["a", "b", "c"], 2) == [
            (0, "a"), (0, "b"), (0, "c"), (1, "a"), (1, "b"), (1, "c"),
        ]  # fmt: skip

    def test_one_server_lives_at_a_time_and_is_stopped_before_the_next(self) -> None:
        log: list[str] = []
        living: list[FakeProcess] = []

        def start(name: str) -> FakeProcess:
            assert not [p for p in living if p.alive], "a server still runs"
            process = FakeProcess(name, log)
            living.append(process)
            log.append(f"start {name}")
            return process

        def measure(name: str, process: FakeProcess, repeat: int) -> None:
            log.append(f"measure {name} {repeat}")

        def stop(process: FakeProcess) -> int:
            process.alive = False
            log.append(f"stop {process.name}")
            return 0

        rounds.alternate(["a", "b"], 2, start, measure, stop)  # type: ignore[arg-type]
        assert log == [
            "start a", "measure a 0", "stop a", "start b", "measure b 0", "stop b",
            "start a", "measure a 1", "stop a", "start b", "measure b 1", "stop b",
        ]  # fmt: skip

    def test_a_failed_measure_still_stops_its_server(self) -> None:
        stopped: list[str] = []

        def measure(name: str, process: FakeProcess, repeat: int) -> None:
            raise RuntimeError("wrk failed")

        def stop(process: FakeProcess) -> int:
            stopped.append(process.name)
            return 0

        with pytest.raises(RuntimeError, match="wrk failed"):
            rounds.alternate(["a"], 1, fake_start, measure, stop)  # type: ignore[arg-type]
        assert stopped == ["a"]

    def test_unwanted_servers_are_not_started(self) -> None:
        started: list[str] = []

        def start(name: str) -> FakeProcess:
            started.append(name)
            return FakeProcess(name, [])

        rounds.alternate(["a", "b"], 2, start, lambda *_: None, lambda _: 0,  # type: ignore[arg-type]
                         wanted=lambda name: name != "b")  # fmt: skip
        assert started == ["a", "a"]

    def test_stop_terminates_by_pid_and_waits(self) -> None:
        process = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"])
        assert rounds.stop(process) == -15
        assert process.poll() == -15

    def test_stop_kills_what_ignores_terminate(self) -> None:
        code = (
            "import signal, sys, time; signal.signal(signal.SIGTERM, signal.SIG_IGN); "
            "print('ready', flush=True); time.sleep(60)"
        )
        process = subprocess.Popen([sys.executable, "-c", code], stdout=subprocess.PIPE)
        assert process.stdout is not None
        assert process.stdout.readline() == b"ready\n"
        assert rounds.stop(process, timeout=0.2) == -9
        process.stdout.close()


def fake_proc(root: Path, processes: dict[int, tuple[str, int]], load: str = "0.50") -> Path:
    """A /proc with `processes` (pid -> name, CPU ticks) and a load average."""
    root.mkdir(exist_ok=True)
    (root / "loadavg").write_text(f"{load} 0.40 0.30 1/100 999\n")
    for pid, (name, ticks) in processes.items():
        (root / str(pid)).mkdir(exist_ok=True)
        # Fields after the name: state, then ... utime (14th) and stime (15th), start (22nd).
        after = ["S", *["0"] * 10, str(ticks), "0", *["0"] * 6, "777", "0"]
        (root / str(pid) / "stat").write_text(f"{pid} ({name}) {' '.join(after)}\n")
    (root / "self").mkdir(exist_ok=True)
    return root


class TestMachineLoad:
    def test_loadavg_reads_the_one_minute_figure(self, tmp_path: Path) -> None:
        assert machine.loadavg(fake_proc(tmp_path / "proc", {}, "1.75")) == 1.75

    def test_busy_processes_over_an_interval(self, tmp_path: Path) -> None:
        ticks = machine.CLOCK_TICKS
        first = machine.snapshot(fake_proc(tmp_path / "a", {
            10: ("pytest", 0), 11: ("idle one", 5), 12: ("uvicorn", 0), 13: ("postgres", 0),
        }))  # fmt: skip
        second = machine.snapshot(fake_proc(tmp_path / "b", {
            10: ("pytest", ticks), 11: ("idle one", 5), 12: ("uvicorn", 2 * ticks),
            13: ("postgres", ticks), 14: ("cc1 (x)", ticks // 2),
        }))  # fmt: skip
        busy = machine.busy_processes(first, second, 2.0, {12}, {"postgres"})
        assert busy == ["pytest (10) 50%", "cc1 (x) (14) 25%"]

    def test_names_with_spaces_and_parentheses(self, tmp_path: Path) -> None:
        found = machine.snapshot(fake_proc(tmp_path / "p", {7: ("a (b) c", 42)}))
        assert found == {(7, 777): ("a (b) c", 42)}


def cpuinfo(tmp_path: Path) -> Path:
    """A /proc/cpuinfo of two cores."""
    path = tmp_path / "cpuinfo"
    path.write_text(
        "processor\t: 0\nmodel name\t: AMD EPYC\n\nprocessor\t: 1\nmodel name\t: AMD EPYC\n"
    )
    return path


class TestQuietFigure:
    def test_machine_key_is_model_and_cores(self, tmp_path: Path) -> None:
        assert quiet.machine_key(cpuinfo(tmp_path)) == "AMD EPYC x2"

    def test_figures_by_size_with_the_lowest_as_fallback(self, tmp_path: Path) -> None:
        path = tmp_path / "quiet.json"
        quiet.record("sqlite", 100_000, "M x2", 12_000.4, "2026-11-30", path)
        quiet.record("sqlite", 1_000_000, "M x2", 10_000, "2026-11-30", path)
        assert quiet.quiet_figure("sqlite", 100_000, "M x2", path) == 12_000
        assert quiet.quiet_figure("sqlite", 500_000, "M x2", path) == 10_000
        assert quiet.quiet_figure("postgresql", 100_000, "M x2", path) is None
        assert quiet.quiet_figure("sqlite", 100_000, "other x4", path) is None
        assert quiet.quiet_figure("sqlite", 100_000, "M x2", tmp_path / "none.json") is None

    def test_committed_file_has_a_figure_for_each_entry(self) -> None:
        data = json.loads(quiet.QUIET_FILE.read_text())
        entries = [e for m in data["machines"].values() for s in m.values() for e in s.values()]
        assert entries
        assert all(e["ceiling_get_rps"] > 0 for e in entries)

    def test_a_slow_round_makes_the_run_noisy(self) -> None:
        verdict = quiet.check([12_000, 2_751], 12_270, 0.7)
        assert verdict.noisy
        assert verdict.message == (
            "the ceiling's GET by id served 2,751 req/s in its slowest round, "
            "0.22 x its quiet 12,270 (threshold 0.7 x)"
        )

    def test_rounds_near_the_quiet_figure_pass(self) -> None:
        assert not quiet.check([9_000, 11_000], 12_270, 0.7).noisy

    def test_without_a_figure_nothing_is_judged(self) -> None:
        verdict = quiet.check([100], None, 0.7)
        assert not verdict.noisy
        assert "no quiet figure" in verdict.message

    def test_an_unmeasured_ceiling_is_noisy(self) -> None:
        assert quiet.check([], 12_270, 0.7).noisy


class TestOptions:
    def test_warmup_defaults_to_ten_seconds(self) -> None:
        args = options.parse_args([])
        assert (args.warmup, args.noise_threshold, args.allow_noisy) == (10, 0.7, False)

    def test_quick_keeps_the_warmup(self) -> None:
        args = options.parse_args(["--quick"])
        assert (args.warmup, args.duration, args.repeats, args.sizes) == (10, 5, 1, "100000")

    def test_every_engine_at_every_size_by_default(self) -> None:
        labels = [d.label for d in options.parse_args([]).datasets]
        assert labels == [
            "sqlite-100000",
            "sqlite-1000000",
            "postgresql-100000",
            "postgresql-1000000",
        ]

    def test_datasets_and_cases_can_be_named(self) -> None:
        argv = ["--datasets", "sqlite-1000000,postgresql-100000", "--cases", "get,list"]
        args = options.parse_args(argv)
        assert [d.label for d in args.datasets] == ["sqlite-1000000", "postgresql-100000"]
        assert args.cases == "get,list"

    @pytest.mark.parametrize(
        "argv",
        [
            ["--warmup", "5"],
            ["--noise-threshold", "0"],
            ["--repeats", "0"],
            ["--datasets", "mysql-100"],
            ["--datasets", "sqlite-many"],
            ["--cases", "get,nap"],
        ],
    )
    def test_rejected(self, argv: list[str]) -> None:
        with pytest.raises(SystemExit):
            options.parse_args(argv)


def dataset_result(ceiling_rps: list[float], verdict: quiet.Verdict | None) -> DatasetResult:
    """A data set whose GET case ran on the ceiling with `ceiling_rps` per round."""
    runs = [WrkResult(rps, 1.0, 2.0, int(rps * 30), 0, 0) for rps in ceiling_rps]
    loads = [machine.RoundLoad(0.5, 2.1, ["pytest (10) 80%"]) for _ in runs]
    result = DatasetResult("sqlite-100000", "sqlite", 100_000, {"event": 1}, TITLES)
    result.cases["get"] = {"ceiling": Measured(runs=runs, load=loads)}
    result.verdict = verdict
    return result


class TestReport:
    @pytest.fixture(autouse=True)
    def paths(self, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
        monkeypatch.setattr(report, "RESULTS", tmp_path / "RESULTS.md")
        monkeypatch.setattr(report, "NOISY_RESULTS", tmp_path / "data" / "RESULTS-noisy.md")
        monkeypatch.setattr(report, "machine", lambda: "a test machine")

    def text(self, result: DatasetResult) -> str:
        before = machine.RoundLoad(0.25, busy=[])
        return report.section([result], "settings", [], before)

    def test_a_quiet_run_is_reported(self) -> None:
        result = dataset_result([12_000, 11_500], quiet.Verdict(False, "ok"))
        assert report.publish(self.text(result), [result], False) == (0, report.RESULTS)
        written = report.RESULTS.read_text()
        assert "NOISY" not in written
        assert "Before the run: load average 0.25, other busy processes: none." in written
        assert "| GET event by id | ceiling | 1 | 0.50 | 2.10 | pytest (10) 80% |" in written
        assert not report.NOISY_RESULTS.exists()

    def test_a_noisy_run_is_refused(self) -> None:
        result = dataset_result([2_751], quiet.Verdict(True, "too slow"))
        code, where = report.publish(self.text(result), [result], False)
        assert (code, where) == (3, report.NOISY_RESULTS)
        assert not report.RESULTS.exists()
        assert "**NOISY RUN: DO NOT QUOTE THESE NUMBERS.**" in where.read_text()

    def test_a_noisy_run_allowed_is_flagged_in_results(self) -> None:
        result = dataset_result([2_751], quiet.Verdict(True, "too slow"))
        assert report.publish(self.text(result), [result], True) == (0, report.RESULTS)
        written = report.RESULTS.read_text()
        assert "**NOISY RUN: DO NOT QUOTE THESE NUMBERS.**" in written
        assert "> - sqlite-100000: too slow" in written


class TestCaseRounds:
    """bench.run's case loop with a sleeping process as each server and wrk faked."""

    def test_each_round_a_fresh_server_warmed_then_measured(
        self, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        from bench import run
        from bench.datasets import Dataset
        from bench.wrk import Load

        started: list[tuple[str, int]] = []
        wrk_calls: list[tuple[str, int]] = []

        def start(name: str, dataset: Dataset) -> subprocess.Popen[bytes]:
            process = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"])
            started.append((name, process.pid))
            return process

        def run_wrk(url: str, load: Load, **kwargs: Any) -> tuple[WrkResult, str]:
            assert len({pid for _, pid in started}) == len(started)  # never a reused server
            wrk_calls.append((kwargs["tag"].split("-")[0], kwargs["duration"]))
            return WrkResult(100.0, 1.0, 2.0, 3000, 0, 0), "raw"

        def fetch(name: str, load: Load) -> tuple[int, bytes]:
            return (500, b"boom") if name == "datasette" else (200, b"{}")

        monkeypatch.setattr(run, "DATA", tmp_path)
        monkeypatch.setattr(run, "start", start)
        monkeypatch.setattr(run, "run_wrk", run_wrk)
        monkeypatch.setattr(run, "fetch", fetch)
        monkeypatch.setattr(machine, "snapshot", lambda proc=None: {})
        (tmp_path / "logs").mkdir()
        args = options.parse_args(["--duration", "3"])
        loads = {name: Load(["/x"]) for name in ("geoevents", "ceiling", "datasette")}
        dataset = Dataset("sqlite", 100)
        measured = run._bench_case("get", loads, list(loads), args, dataset)
        # Datasette failed its probe in round 0: skipped, and not started again in round 1.
        names = ["geoevents", "ceiling", "datasette", "geoevents", "ceiling"]
        assert [name for name, _ in started] == names
        assert wrk_calls == [("warm", 10), ("sqlite", 3)] * 4
        assert [len(measured[n].runs) for n in loads] == [2, 2, 0]
        assert measured["datasette"].skipped == "n/a: HTTP 500 b'boom'"
        assert len(measured["geoevents"].load) == 2


class TestGoals:
    def test_datasette_answering_nothing_in_time_is_beaten(self) -> None:
        served = [WrkResult(200.0, 5.0, 9.0, 6_000, 0, 0)]
        timed_out = [WrkResult(3.0, 900.0, 2_000.0, 90, 90, 12)]
        result = DatasetResult("sqlite-100000", "sqlite", 100_000, {}, {"list": "filtered list"})
        result.cases["list"] = {
            "geoevents": Measured(runs=served),
            "datasette": Measured(runs=timed_out),
        }
        rows = [line for line in report._goals([result]) if "Datasette" in line]
        assert rows == [
            "| sqlite-100000 | filtered list: ≥ 1.5 x Datasette "
            "| Datasette: no answer in time | yes |"
        ]

    def test_growth_of_a_server_that_answered_nothing_in_time_is_not_a_ratio(self) -> None:
        served = [WrkResult(200.0, 5.0, 9.0, 6_000, 0, 0)]
        nothing = [WrkResult(2.0, 0.0, 0.0, 60, 60, 32)]
        results = []
        for size in (100_000, 1_000_000):
            result = DatasetResult(f"sqlite-{size}", "sqlite", size, {}, {"list": "filtered list"})
            result.cases["list"] = {
                "geoevents": Measured(runs=served),
                "datasette": Measured(runs=nothing),
            }
            results.append(result)
        rows = [line for line in report._growth(results) if line.startswith("| filtered list")]
        assert rows == ["| filtered list | 1.00 | - | - |"]
