"""Drive one server with wrk pinned to a core: the Lua scripts, the run, the parsed numbers."""

import re
import subprocess
from dataclasses import dataclass
from pathlib import Path

_UNITS_MS = {"us": 0.001, "ms": 1.0, "s": 1000.0, "m": 60_000.0}
_LATENCY = re.compile(r"^\s+(50|99)(?:\.0+)?%\s+([\d.]+)(us|ms|s|m)\s*$", re.MULTILINE)


@dataclass
class Load:
    """What wrk sends: paths rotated per request, or a POST body made unique per request."""

    paths: list[str]
    method: str = "GET"
    body_template: str | None = None  # `%d` takes a counter, `%s` the run's tag
    headers: tuple[tuple[str, str], ...] = ()


@dataclass
class WrkResult:
    """The numbers of one wrk run."""

    requests_per_s: float
    p50_ms: float
    p99_ms: float
    requests: int
    non_2xx: int
    socket_errors: int


def lua_script(load: Load, tag: str) -> str:
    """A wrk script sending `load`; the counter keeps rows apart between requests."""

    def quoted(text: str) -> str:
        return "[==[" + text + "]==]"

    lines = [
        f"wrk.method = {quoted(load.method)}",
        *(f"wrk.headers[ {quoted(k)} ] = {quoted(v)}" for k, v in load.headers),
        "local paths = {" + ",".join(quoted(p) for p in load.paths) + "}",
        "local i = 0",
        f"local tag = {quoted(tag)}",
        "request = function()",
        "  i = i + 1",
        "  local path = paths[(i % #paths) + 1]",
    ]
    if load.body_template is not None:
        lines.append(f"  local body = string.format({quoted(load.body_template)}, tag, i, i)")
        lines.append("  return wrk.format(nil, path, nil, body)")
    else:
        lines.append("  return wrk.format(nil, path)")
    lines.append("end")
    return "\n".join(lines) + "\n"


def run_wrk(
    url: str,
    load: Load,
    *,
    tag: str,
    duration: int,
    connections: int,
    script_dir: Path,
    core: int = 1,
) -> tuple[WrkResult, str]:
    """Run wrk against `url` for `duration` seconds; its parsed result and raw output."""
    script = script_dir / f"{tag}.lua"
    script.write_text(lua_script(load, tag), encoding="utf-8")
    command = [
        "taskset",
        "-c",
        str(core),
        "wrk",
        "-t1",
        f"-c{connections}",
        f"-d{duration}s",
        "--timeout",
        "10s",
        "--latency",
        "-s",
        str(script),
        url,
    ]
    done = subprocess.run(command, capture_output=True, text=True, timeout=duration + 60)
    output = done.stdout + done.stderr
    if done.returncode != 0 or script.name in output:
        # wrk runs its default request when the script fails to load: never measure that.
        raise RuntimeError(f"wrk failed on {script}: {output[-500:]}")
    return parse(output), output


def parse(output: str) -> WrkResult:
    """The numbers of a `wrk --latency` report."""
    latencies = {m[0]: float(m[1]) * _UNITS_MS[m[2]] for m in _LATENCY.findall(output)}
    rps = re.search(r"Requests/sec:\s+([\d.]+)", output)
    total = re.search(r"(\d+) requests in", output)
    non_2xx = re.search(r"Non-2xx or 3xx responses:\s+(\d+)", output)
    errors = re.search(
        r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", output
    )
    if not total or int(total[1]) == 0:
        # No response within the run: the latencies wrk prints are zeros, not measurements.
        latencies = {}
    return WrkResult(
        requests_per_s=float(rps[1]) if rps else 0.0,
        p50_ms=latencies.get("50", float("nan")),
        p99_ms=latencies.get("99", float("nan")),
        requests=int(total[1]) if total else 0,
        non_2xx=int(non_2xx[1]) if non_2xx else 0,
        socket_errors=sum(int(n) for n in errors.groups()) if errors else 0,
    )
