"""Drives a server with h2load (nghttp2) over HTTP/1.1 keep-alive or cleartext HTTP/2, bounded in requests."""

from __future__ import annotations

import re
import statistics
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path

H2LOAD_MISSING = "`h2load` is not on PATH; install it: Debian: apt-get install nghttp2-client"


class LoadError(RuntimeError):
    """h2load could not load the server: it failed, timed out, or no request completed."""


@dataclass
class LoadResult:
    protocol: str
    clients: int
    requests: int
    succeeded: int
    requests_per_second: float
    p50_ms: float
    p99_ms: float


def _answered(output: str, http2: bool) -> int:
    # Hypercorn's HTTP/1.1 status line has an empty reason phrase (allowed by RFC 9112), which h2load's HTTP/1.1
    # parser does not count as a status; completed requests are counted instead (the caller checks one for 200).
    pattern = r"status codes: (\d+) 2xx" if http2 else r"requests: \d+ total, \d+ started, (\d+) done"
    found = re.search(pattern, output)
    if found is None:
        raise ValueError(f"h2load's output lacks {pattern!r}:\n{output[-2000:]}")
    return int(found.group(1))


def drive(
    url: str,
    path: str,
    body: bytes,
    headers: dict[str, str],
    *,
    http2: bool,
    clients: int,
    requests: int,
    timeout: float = 120.0,
) -> LoadResult:
    with tempfile.TemporaryDirectory(prefix="mirror-load-") as folder:
        data, log = Path(folder) / "body", Path(folder) / "log"
        data.write_bytes(body)
        command = [
            "h2load",
            "-n",
            str(requests),
            "-c",
            str(clients),
            "-m",
            "1",
            "-t",
            "1",
            "-d",
            str(data),
            "--log-file",
            str(log),
        ]
        command += [] if http2 else ["--h1"]
        for name, value in headers.items():
            if name.lower() not in ("host", "content-length"):
                command += ["-H", f"{name.lower()}: {value}"]
        try:
            completed = subprocess.run(command + [url + path], capture_output=True, text=True, timeout=timeout)
        except subprocess.TimeoutExpired:
            raise LoadError(f"h2load did not finish {requests} requests within {timeout:.0f} s") from None
        output = completed.stdout
        # Columns: start (microseconds since the epoch), status (not filled in for HTTP/1.1), microseconds taken.
        lines = log.read_text().splitlines() if log.exists() else []
        latencies = sorted(int(line.split("\t")[2]) / 1000 for line in lines if line)
    finished = re.search(r"finished in [\d.]+m?s, ([\d.]+) req/s", output)
    if completed.returncode != 0 or finished is None or not latencies:
        summary = re.search(r"requests: .*", output)
        detail = summary.group(0) if summary else (completed.stderr or output).strip()[-200:]
        raise LoadError(f"no request completed ({detail})" if not latencies else detail)
    return LoadResult(
        "h2c" if http2 else "http/1.1",
        clients,
        requests,
        _answered(output, http2),
        float(finished.group(1)),
        round(statistics.median(latencies), 3),
        round(latencies[min(len(latencies) - 1, int(len(latencies) * 0.99))], 3),
    )
