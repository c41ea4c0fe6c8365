"""How loaded the machine is while a round runs: load average and other busy processes."""

import os
import time
from dataclasses import dataclass, field
from pathlib import Path

PROC = Path("/proc")
# A process that used more than this share of one core during a round competed with it.
BUSY_SHARE = 0.05
# Ticks per second of /proc/<pid>/stat's utime and stime.
CLOCK_TICKS = os.sysconf("SC_CLK_TCK") if hasattr(os, "sysconf") else 100

Snapshot = dict[tuple[int, int], tuple[str, int]]  # (pid, start time) -> (name, CPU ticks)


@dataclass
class RoundLoad:
    """The machine around one measured round."""

    loadavg_before: float
    loadavg_after: float = float("nan")
    busy: list[str] = field(default_factory=list)  # "name (pid) 42%" of other busy processes


def loadavg(proc: Path = PROC) -> float:
    """The one-minute load average."""
    return float((proc / "loadavg").read_text().split()[0])


def snapshot(proc: Path = PROC) -> Snapshot:
    """CPU ticks used so far by every process, keyed so that a reused pid is not confused."""
    found: Snapshot = {}
    for entry in proc.iterdir():
        if not entry.name.isdigit():
            continue
        try:
            raw = (entry / "stat").read_text()
        except OSError:  # gone between the listing and the read
            continue
        # The name is in parentheses and may hold spaces; the fields after it are fixed.
        name = raw[raw.index("(") + 1 : raw.rindex(")")]
        fields = raw[raw.rindex(")") + 2 :].split()
        utime, stime, start = int(fields[11]), int(fields[12]), int(fields[19])
        found[(int(entry.name), start)] = (name, utime + stime)
    return found


def busy_processes(
    before: Snapshot,
    after: Snapshot,
    seconds: float,
    exclude_pids: set[int],
    exclude_names: set[str] = frozenset(),  # type: ignore[assignment]
) -> list[str]:
    """Processes other than the excluded that used more than BUSY_SHARE of a core between two
    snapshots, busiest first, as "name (pid) NN%"."""
    found: list[tuple[float, str]] = []
    for key, (name, ticks) in after.items():
        pid = key[0]
        if pid in exclude_pids or name in exclude_names:
            continue
        used = ticks - before.get(key, (name, 0))[1]
        share = used / CLOCK_TICKS / seconds if seconds > 0 else 0.0
        if share > BUSY_SHARE:
            found.append((share, f"{name} ({pid}) {share:.0%}"))
    return [text for _, text in sorted(found, reverse=True)]


def busy_now(seconds: float = 2.0) -> list[str]:
    """Processes other than this one busy over the next `seconds`."""
    first = snapshot()
    time.sleep(seconds)
    return busy_processes(first, snapshot(), seconds, {os.getpid()})
