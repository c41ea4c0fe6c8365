"""The local cluster's runner: a replica that dies starting is reported at once, with its log."""

import subprocess
import sys
from pathlib import Path

import pytest

from cluster import run
from tests.cluster.conftest import free_port


def test_a_replica_that_ended_fails_the_wait_at_once() -> None:
    process = subprocess.Popen([sys.executable, "-c", "raise SystemExit(3)"])
    process.wait()
    with pytest.raises(RuntimeError, match="ended before it was ready"):
        run.wait_ready(f"http://127.0.0.1:{free_port()}", timeout=60, pid=process.pid)


def test_the_logs_are_printed_before_they_are_removed(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setattr(run, "RUN_DIR", tmp_path)
    lines = [f"line {n}" for n in range(100)]
    (tmp_path / "replica-8101.log").write_text("\n".join(lines))
    run.print_logs(lines=3)
    assert capsys.readouterr().err.splitlines() == [
        "--- replica-8101.log (last 3 lines)",
        "line 97",
        "line 98",
        "line 99",
    ]


def test_the_clusters_ports_are_outside_the_ephemeral_range() -> None:
    # A port that outgoing connections may take as their local end can be found taken when a
    # stopped server starts again (the standby is restarted under load).
    limits = Path("/proc/sys/net/ipv4/ip_local_port_range")
    low, high = map(int, limits.read_text().split()) if limits.exists() else (32768, 60999)
    ports = [run.PROXY_PORT, run.STANDBY_PORT, *run.REPLICA_PORTS]
    assert [p for p in ports if low <= p <= high] == []
