"""Drives a server with h2load (nghttp2) over HTTP/1.1 keep-alive or cleartext HTTP/2, bounded in requests."""

from __future__ import annotations

import re
import statistics
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path

H2LOAD_MISSING = "`h2load` is not on PATH; install it: Debian: apt-get install nghttp2-client"


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
    if http2:
        return int(re.search(r"status codes: (\d+) 2xx", output).group(1))
    # Hypercorn's HTTP/1.1 status line has an empty reason phrase (allowed by RFC 9112), which h2load's HTTP/1.1
    # parser does not count as a status; completed requests are counted instead (the caller checks one for 200).
    return int(re.search(r"requests: \d+ total, \d+ started, (\d+) done", output).group(1))


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
        output = subprocess.run(
            command + [url + path], capture_output=True, text=True, timeout=timeout, check=True
        ).stdout
        # Columns: start (microseconds since the epoch), status (not filled in for HTTP/1.1), microseconds taken.
        latencies = sorted(int(line.split("\t")[2]) / 1000 for line in log.read_text().splitlines() if line)
    rate = float(re.search(r"finished in [\d.]+m?s, ([\d.]+) req/s", output).group(1))
    return LoadResult(
        "h2c" if http2 else "http/1.1",
        clients,
        requests,
        _answered(output, http2),
        rate,
        round(statistics.median(latencies), 3),
        round(latencies[min(len(latencies) - 1, int(len(latencies) * 0.99))], 3),
    )
