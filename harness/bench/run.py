"""Runs the benchmark and writes it as a table (Markdown) and JSON under the output folder."""

from __future__ import annotations

import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import asdict
from pathlib import Path
from typing import Any

import httpx

from .. import registry
from ..results import output_dir
from ..stub import Stub
from ..stub.models import CATALOGUE
from .load import H2LOAD_MISSING, LoadResult, drive
from .samples import SampleTiming, time_language

PATH = "/model/anthropic.claude-3-haiku-20240307-v1%3A0/invoke"
STREAM_PATH = "/model/anthropic.claude-3-haiku-20240307-v1%3A0/invoke-with-response-stream"
BODY = json.dumps(
    {
        "anthropic_version": "bedrock-2023-05-31",
        "max_tokens": 512,
        "messages": [{"role": "user", "content": "Describe a 'hello world' program in one line."}],
    }
).encode()
CONCURRENCY = (1, 16, 64)
TARGETS = {"stub_vs_bare": 0.8, "overhead_ms": 50.0, "sample_vs_floor": 1.3, "warm_nox_s": 60.0}


def _signed(url: str, path: str) -> dict[str, str]:
    import botocore.auth
    import botocore.awsrequest
    import botocore.credentials

    from ..stub import EXAMPLE_ACCESS_KEY_ID, EXAMPLE_SECRET_ACCESS_KEY

    request = botocore.awsrequest.AWSRequest(
        method="POST", url=url + path, data=BODY, headers={"Content-Type": "application/json"}
    )
    botocore.auth.SigV4Auth(
        botocore.credentials.Credentials(EXAMPLE_ACCESS_KEY_ID, EXAMPLE_SECRET_ACCESS_KEY), "bedrock", "us-east-1"
    ).add_auth(request)
    return dict(request.headers.items())


class _Server:
    """A server in a process of its own, so that it does not share a core's GIL with the load generator."""

    def __init__(self, command: list[str], stdin: bytes = b"") -> None:
        self.process = subprocess.Popen(command, stdin=subprocess.PIPE, stdout=subprocess.PIPE, cwd=registry.ROOT)
        assert self.process.stdin is not None and self.process.stdout is not None
        self.process.stdin.write(stdin)
        self.process.stdin.close()
        self.url = self.process.stdout.readline().decode().strip()

    def stop(self) -> None:
        self.process.terminate()
        self.process.wait(timeout=15)


def stub_load(requests: int) -> dict[str, Any]:
    if shutil.which("h2load") is None:
        return {"skipped": H2LOAD_MISSING}
    stub = _Server([sys.executable, "-m", "harness.stub", "--port", "0"])
    try:
        headers = _signed(stub.url, PATH)
        preflight = httpx.post(stub.url + PATH, content=BODY, headers=headers)
        preflight.raise_for_status()  # the signed request the load repeats is one the stub answers
        reply_body = preflight.content
        bare = _Server([sys.executable, "-m", "harness.bench.bare_app"], stdin=reply_body)
        try:
            rows: list[dict[str, Any]] = []
            for http2 in (False, True):
                for clients in CONCURRENCY:
                    count = max(requests, clients * 20)
                    measured = {}
                    for name, server in (("stub", stub), ("bare", bare)):
                        result: LoadResult = drive(
                            server.url, PATH, BODY, headers, http2=http2, clients=clients, requests=count
                        )
                        if result.succeeded != result.requests:
                            raise RuntimeError(f"{name}: only {result.succeeded} of {result.requests} answered 200")
                        measured[name] = result
                    rows.append(
                        {
                            "protocol": measured["stub"].protocol,
                            "clients": clients,
                            "requests": count,
                            "stub": asdict(measured["stub"]),
                            "bare": asdict(measured["bare"]),
                            "ratio": round(
                                measured["stub"].requests_per_second / measured["bare"].requests_per_second, 3
                            ),
                        }
                    )
        finally:
            bare.stop()
    finally:
        stub.stop()
    return {"rows": rows}


def stream_latency(count: int) -> dict[str, Any]:
    """Time to the first and to the last event of a streamed reply, as a client sees them."""
    with Stub() as stub:
        first, last = [], []
        with httpx.Client() as client:
            for _ in range(count):
                headers = _signed(stub.url, STREAM_PATH)
                started = time.perf_counter()
                with client.stream("POST", stub.url + STREAM_PATH, content=BODY, headers=headers) as response:
                    chunks = response.iter_raw()
                    next(chunks)
                    first.append(time.perf_counter() - started)
                    for _chunk in chunks:
                        pass
                    last.append(time.perf_counter() - started)
    return {
        "requests": count,
        "first_event_ms": round(statistics.median(first) * 1000, 2),
        "last_event_ms": round(statistics.median(last) * 1000, 2),
    }


def suite_time(runs: int) -> dict[str, Any]:
    """Wall time of a warm plain `nox` (every language, every scenario, the report), and its phases."""
    walls: list[float] = []
    phases: dict[str, dict[str, Any]] = {}
    for _ in range(runs):
        with tempfile.TemporaryDirectory(prefix="mirror-bench-nox-") as out:
            started = time.perf_counter()
            subprocess.run(
                [sys.executable, "-m", "nox"],
                cwd=registry.ROOT,
                env={**os.environ, "MIRROR_OUT": out},
                capture_output=True,
                timeout=900,
            )
            walls.append(time.perf_counter() - started)
            phases = {}
            for path in Path(out, "results").glob("*.json"):
                record = json.loads(path.read_text())
                phase = phases.setdefault(record["language"], {"build": "cached", "run_s": 0.0, "cells": 0})
                if record["status"] == "skipped":
                    phase["build"] = "skipped"
                elif record["status"] in ("passed", "failed"):
                    if not record["build_cached"]:
                        phase["build"] = record["build_seconds"]
                    phase["run_s"] = round(phase["run_s"] + record["run_seconds"], 2)
                    phase["cells"] += 1
    return {
        "runs": runs,
        "wall_s": round(statistics.median(walls), 2),
        "walls_s": [round(w, 2) for w in walls],
        "phases_of_last_run": phases,
    }


def verdicts(data: dict[str, Any]) -> list[dict[str, Any]]:
    found = []
    for row in data["stub"].get("rows", []):
        found.append(
            {
                "target": f"stub ≥ 80% of bare ({row['protocol']}, {row['clients']} clients)",
                "figure": row["ratio"],
                "met": row["ratio"] >= TARGETS["stub_vs_bare"],
            }
        )
    for timing in data["samples"]:
        if timing["overhead_ms"] is not None:
            found.append(
                {
                    "target": f"harness overhead < 50 ms ({timing['language']})",
                    "figure": timing["overhead_ms"],
                    "met": timing["overhead_ms"] < TARGETS["overhead_ms"],
                }
            )
        if timing["floor_s"]:
            ratio = round(timing["sample_s"] / timing["floor_s"], 2)
            found.append(
                {
                    "target": f"sample ≤ 1.3 x floor ({timing['language']})",
                    "figure": ratio,
                    "met": ratio <= TARGETS["sample_vs_floor"],
                }
            )
    if "wall_s" in data["suite"]:
        found.append(
            {
                "target": "warm full nox < 60 s",
                "figure": data["suite"]["wall_s"],
                "met": data["suite"]["wall_s"] < TARGETS["warm_nox_s"],
            }
        )
    return found


def markdown(data: dict[str, Any]) -> str:
    lines = [f"# Benchmark ({data['cores']} cores, {data['when']})", "", "## Stub under load (h2load, loopback)", ""]
    if "skipped" in data["stub"]:
        lines.append(f"skipped: {data['stub']['skipped']}")
    else:
        lines += [
            "| Protocol | Clients | Requests | Stub req/s | Bare req/s | Stub/bare | Stub p50 ms | Stub p99 ms "
            "| Bare p50 ms | Bare p99 ms |",
            "|---|---|---|---|---|---|---|---|---|---|",
        ]
        for row in data["stub"]["rows"]:
            stub, bare = row["stub"], row["bare"]
            lines.append(
                f"| {row['protocol']} | {row['clients']} | {row['requests']} | "
                f"{stub['requests_per_second']:.0f} | {bare['requests_per_second']:.0f} | {row['ratio']:.2f} | "
                f"{stub['p50_ms']} | {stub['p99_ms']} | {bare['p50_ms']} | {bare['p99_ms']} |"
            )
    stream = data["stream"]
    lines += [
        "",
        f"Streamed reply ({stream['requests']} requests, medians): first event {stream['first_event_ms']} ms, "
        f"last event {stream['last_event_ms']} ms.",
        "",
        "## Samples (warm, medians)",
        "",
        "| Language | Runs | Sample s | Floor s | Sample/floor | Harness overhead ms | Note |",
        "|---|---|---|---|---|---|---|",
    ]
    for timing in data["samples"]:
        ratio = f"{timing['sample_s'] / timing['floor_s']:.2f}" if timing["sample_s"] and timing["floor_s"] else ""
        lines.append(
            f"| {timing['language']} | {timing['runs']} | {timing['sample_s'] or ''} | "
            f"{timing['floor_s'] or ''} | {ratio} | {timing['overhead_ms'] or ''} | {timing['note']} |"
        )
    suite = data["suite"]
    if "wall_s" in suite:
        lines += [
            "",
            f"## Whole suite: warm `nox`, median of {suite['runs']}: {suite['wall_s']} s "
            f"(runs: {', '.join(map(str, suite['walls_s']))})",
            "",
            "| Language | Install/build | Sample processes s | Cells |",
            "|---|---|---|---|",
        ]
        for language, phase in suite["phases_of_last_run"].items():
            lines.append(f"| {language} | {phase['build']} | {phase['run_s']} | {phase['cells']} |")
    lines += ["", "## Targets", "", "| Target | Figure | Met |", "|---|---|---|"]
    lines += [f"| {v['target']} | {v['figure']} | {'yes' if v['met'] else '**no**'} |" for v in data["verdicts"]]
    return "\n".join(lines) + "\n"


def main(arguments: list[str], log=print) -> dict[str, Any]:
    import argparse

    parser = argparse.ArgumentParser(prog="nox -s bench --")
    parser.add_argument("--requests", type=int, default=2000, help="requests per load cell (default 2000)")
    parser.add_argument("--sample-runs", type=int, default=7, help="warm runs per language (default 7)")
    parser.add_argument("--suite-runs", type=int, default=3, help="warm full `nox` runs (default 3; 0 skips)")
    options = parser.parse_args(arguments)
    data: dict[str, Any] = {
        "cores": os.cpu_count(),
        "when": time.strftime("%Y-%m-%d %H:%M:%S"),
        "models": len(CATALOGUE),
    }
    log(f"stub under load ({options.requests} requests a cell)...")
    data["stub"] = stub_load(options.requests)
    data["stream"] = stream_latency(50)
    log("samples against their floors...")
    with Stub() as stub:
        timings: list[SampleTiming] = [
            time_language(language, stub, options.sample_runs) for language in registry.LANGUAGES
        ]
    data["samples"] = [{**asdict(timing), "ratio": timing.ratio} for timing in timings]
    log("warm full nox...")
    data["suite"] = suite_time(options.suite_runs) if options.suite_runs else {}
    data["verdicts"] = verdicts(data)
    folder = output_dir()
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "bench.json").write_text(json.dumps(data, indent=1), encoding="utf-8")
    (folder / "bench.md").write_text(markdown(data), encoding="utf-8")
    return data
