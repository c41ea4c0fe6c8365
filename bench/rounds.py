"""Servers measured one at a time, in alternating rounds: started, measured, stopped, gone.

Only one server lives at a time, so none holds memory, caches or a busy thread while another
is measured; each is stopped by its own pid and waited for before the next one starts.
"""

import signal
import subprocess
from collections.abc import Callable

Process = subprocess.Popen[bytes]
Start = Callable[[str], Process]
Measure = Callable[[str, Process, int], None]
STOP_TIMEOUT = 30.0


def order(names: list[str], repeats: int) -> list[tuple[int, str]]:
    """(round, server) in running order: A B C A B C, so drift of the machine cancels in sums."""
    return [(repeat, name) for repeat in range(repeats) for name in names]


def stop(process: Process, timeout: float = STOP_TIMEOUT) -> int:
    """Stop `process` by its pid (TERM, KILL after `timeout` s) and wait until it has exited."""
    if process.poll() is None:
        # send_signal checks the process has not been reaped, so no reused pid is signalled.
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
    return process.returncode


def alternate(
    names: list[str],
    repeats: int,
    start: Start,
    measure: Measure,
    stopper: Callable[[Process], int] = stop,
    wanted: Callable[[str], bool] = lambda _: True,
) -> None:
    """Run `measure` on each server in each round, each on a fresh process stopped after it.

    `wanted` is asked before each start, so a server that failed its first round is skipped.
    """
    for repeat, name in order(names, repeats):
        if not wanted(name):
            continue
        process = start(name)
        try:
            measure(name, process, repeat)
        finally:
            stopper(process)
