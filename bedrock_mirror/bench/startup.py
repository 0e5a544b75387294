"""Start to first answer, and resident memory at start and after many requests: the stub beside its peers.

Start to first answer is timed from the moment the process is spawned to the first InvokeModel answered 200 (the
bench's signed request, sent again until one succeeds), for every server started the same way on a free loopback
port: the stub's CLI, `Stub()` in a fresh interpreter (import, start, one request, as a test session meets it),
ministack and moto's server. Starts are interleaved, `runs` times each; figures are medians.

Memory is the resident set (VmRSS) of the server's whole process group: after its first answer, and after
`requests` more InvokeModel requests (h2load, HTTP/1.1).
"""

from __future__ import annotations

import os
import statistics
import subprocess
import sys
import textwrap
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import partial
from pathlib import Path
from typing import Any

import nox.project

from ..registry import ROOT
from . import peers, tables
from .load import LoadError, drive
from .servers import fetch, free_port, stop_group
from .shapes import INVOKE_MODEL, PLAIN, Shape, signed_headers

TARGET_START_S = 0.5
ANSWER_TIMEOUT = 60.0
POLL_INTERVAL = 0.005
SHAPE = next(shape for shape in PLAIN if shape.operation == INVOKE_MODEL)
STUB_NAMES = ("bedrock-stub CLI", "Stub() in process")

# `Stub()` in a fresh interpreter: it announces its answer on stdout, since its port is its own to choose.
# Only what a test session would import: the stub, and botocore (which the stub imports) to sign as an SDK does.
_IN_PROCESS = textwrap.dedent(
    """
    import http.client, sys
    import botocore.auth, botocore.awsrequest, botocore.credentials
    from bedrock_stub import EXAMPLE_ACCESS_KEY_ID, EXAMPLE_SECRET_ACCESS_KEY, Stub

    path, body = sys.argv[1], sys.argv[2].encode()
    with Stub() as stub:
        request = botocore.awsrequest.AWSRequest(
            method="POST", url=stub.url + path, data=body, headers={"Content-Type": "application/json"}
        )
        credentials = botocore.credentials.Credentials(EXAMPLE_ACCESS_KEY_ID, EXAMPLE_SECRET_ACCESS_KEY)
        botocore.auth.SigV4Auth(credentials, "bedrock", "us-east-1").add_auth(request)
        connection = http.client.HTTPConnection(stub.url.split("//")[1], timeout=10)
        connection.request("POST", path, body=body, headers=dict(request.headers.items()))
        print(connection.getresponse().status, flush=True)
    """
)


@dataclass(frozen=True)
class Starter:
    """How to start one server on `port` (None: it picks its own and says when it has answered)."""

    name: str
    command: Callable[[int], list[str]]
    environment: Callable[[int], dict[str, str]] = lambda port: {}
    own_port: bool = False
    # What ran: the pinned requirement of a peer, the installed version of the stub.
    version: str = ""


def stub_release() -> str:
    """The stub's version as stub/pyproject.toml gives it (the harness installs the stub inside its own package)."""
    return str(nox.project.load_toml(ROOT / "stub" / "pyproject.toml")["project"]["version"])


def _stub_cli() -> list[str]:
    script = Path(sys.executable).with_name("bedrock-stub")
    return [str(script)] if script.exists() else [sys.executable, "-m", "bedrock_stub"]


def starters(cache: Path = peers.CACHE, *, with_peers: bool = True) -> list[Starter]:
    """The stub's two ways, then each installed peer (its command as the load comparison starts it)."""
    stub_version = f"bedrock-stub {stub_release()} (this checkout)"
    found = [
        Starter(STUB_NAMES[0], lambda port: [*_stub_cli(), "--port", str(port)], version=stub_version),
        Starter(
            STUB_NAMES[1],
            lambda port: [sys.executable, "-c", _IN_PROCESS, SHAPE.path, SHAPE.body.decode()],
            own_port=True,
            version=stub_version,
        ),
    ]
    for peer in peers.PEERS if with_peers else ():
        if peers.installed(peer, cache):
            found.append(
                Starter(
                    peer.name,
                    partial(_peer_command, peer, cache),
                    environment=peer.environment,
                    version=peer.requirement,
                )
            )
    return found


def _peer_command(peer: peers.Peer, cache: Path, port: int) -> list[str]:
    return peer.command(peer.folder(cache), port)


def _environment(extra: dict[str, str]) -> dict[str, str]:
    environment = {key: value for key, value in os.environ.items() if not key.startswith("AWS_")}
    environment.pop("PYTHONPATH", None)
    return {**environment, **extra}


def group_rss_kib(session: int) -> int:
    """The resident memory of every process in a session (the server and any children it started), in KiB."""
    total = 0
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
            # Fields after the command's closing parenthesis: state, ppid, pgrp, session, ...
            if int(stat.rsplit(")", 1)[1].split()[3]) != session:
                continue
            status = (entry / "status").read_text()
        except (OSError, IndexError, ValueError):
            continue
        total += next((int(line.split()[1]) for line in status.splitlines() if line.startswith("VmRSS:")), 0)
    return total


class Started:
    """A server process started by a Starter, timed to its first answer."""

    def __init__(self, starter: Starter, log: Path) -> None:
        self.port = free_port()
        self._log = open(log, "ab")  # noqa: SIM115 (closed in stop)
        began = time.perf_counter()
        self.process = subprocess.Popen(
            starter.command(self.port),
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE if starter.own_port else self._log,
            stderr=self._log,
            env=_environment(starter.environment(self.port)),
            start_new_session=True,
        )
        self.url = f"http://127.0.0.1:{self.port}"
        try:
            if starter.own_port:
                self._await_line(starter.name)
            else:
                self._await_answer(starter.name)
        except BaseException:
            self.stop()
            raise
        self.start_s = time.perf_counter() - began

    def _await_line(self, name: str) -> None:
        assert self.process.stdout is not None
        line = self.process.stdout.readline().strip()
        if line != b"200":
            self.process.wait(timeout=ANSWER_TIMEOUT)
            raise RuntimeError(
                f"{name} answered {line.decode(errors='replace') or 'nothing'} (exit status {self.process.returncode})"
            )

    def _await_answer(self, name: str) -> None:
        headers = signed_headers(self.url, SHAPE)
        deadline = time.monotonic() + ANSWER_TIMEOUT
        last = "no answer"
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"{name} exited with status {self.process.returncode} before answering")
            try:
                status, _, body = fetch(self.url, SHAPE, headers)
            except OSError as exc:
                last = str(exc)
            else:
                if status == 200:
                    return
                last = f"status {status}: {body[:120]!r}"
            time.sleep(POLL_INTERVAL)
        raise RuntimeError(f"{name} did not answer within {ANSWER_TIMEOUT:.0f} s ({last})")

    def rss_kib(self) -> int:
        return group_rss_kib(self.process.pid)

    def stop(self) -> None:
        stop_group(self.process)
        self._log.close()


def start_times(
    chosen: Sequence[Starter], runs: int, folder: Path, log: Callable[[str], object] = print
) -> dict[str, Any]:
    """Each server started `runs` times, interleaved; the median time to its first answer."""
    times: dict[str, list[float]] = {starter.name: [] for starter in chosen}
    failures: dict[str, str] = {}
    for round_index in range(runs):
        order = list(chosen) if round_index % 2 == 0 else list(reversed(chosen))
        log(f"start to first answer, round {round_index + 1} of {runs}")
        for starter in order:
            if starter.name in failures:
                continue
            try:
                started = Started(starter, folder / f"bench-start-{starter.name.split()[0].lower()}.log")
            except (RuntimeError, OSError) as exc:
                failures[starter.name] = str(exc)
                continue
            started.stop()
            times[starter.name].append(started.start_s)
    return {**summarise_starts(times, failures), "versions": versions(chosen)}


def versions(chosen: Sequence[Starter]) -> dict[str, str]:
    return {starter.name: starter.version for starter in chosen if starter.version}


def summarise_starts(times: dict[str, list[float]], failures: dict[str, str]) -> dict[str, Any]:
    servers: dict[str, dict[str, Any]] = {}
    for name, measured in times.items():
        if name in failures or not measured:
            servers[name] = {"unavailable": failures.get(name, "not measured")}
        else:
            servers[name] = {
                "runs": len(measured),
                "median_s": round(statistics.median(measured), 3),
                "min_s": round(min(measured), 3),
                "max_s": round(max(measured), 3),
            }
    return {"servers": servers, "ratios": over_stub(servers, "median_s")}


def over_stub(servers: dict[str, dict[str, Any]], figure: str) -> dict[str, float | None]:
    """Each peer's figure over the stub CLI's (how many times longer or larger than the stub's)."""
    stub = servers.get(STUB_NAMES[0], {}).get(figure)
    return {
        name: round(measured[figure] / stub, 2) if stub and measured.get(figure) else None
        for name, measured in servers.items()
        if name not in STUB_NAMES
    }


def memory(
    chosen: Sequence[Starter],
    requests: int,
    folder: Path,
    shape: Shape = SHAPE,
    log: Callable[[str], object] = print,
) -> dict[str, Any]:
    """Each server's resident memory after its first answer and after `requests` more (h2load, 8 clients)."""
    servers: dict[str, dict[str, Any]] = {}
    for starter in chosen:
        if starter.own_port:
            continue  # Stub() in process shares its process with the caller: the CLI's figure is the stub's.
        log(f"memory of {starter.name} over {requests} requests ...")
        try:
            started = Started(starter, folder / f"bench-memory-{starter.name.split()[0].lower()}.log")
        except (RuntimeError, OSError) as exc:
            servers[starter.name] = {"unavailable": str(exc)}
            continue
        try:
            at_start = started.rss_kib()
            result = drive(
                started.url,
                shape.path,
                shape.body,
                signed_headers(started.url, shape),
                http2=False,
                clients=8,
                requests=requests,
            )
            after = started.rss_kib()
        except LoadError as exc:
            servers[starter.name] = {"unavailable": str(exc)}
            continue
        finally:
            started.stop()
        servers[starter.name] = {
            "requests": result.requests,
            "answered": result.succeeded,
            "start_mib": round(at_start / 1024, 1),
            "after_mib": round(after / 1024, 1),
            "growth_mib": round((after - at_start) / 1024, 1),
        }
    measured = {"requests": requests, "servers": servers, "ratios": over_stub(servers, "after_mib")}
    return {**measured, "versions": versions(chosen)}


def verdicts(startup: dict[str, Any]) -> list[dict[str, Any]]:
    servers = startup.get("servers", {})
    peers_measured = [
        f"{name} {m['median_s']:.3f} s" for name, m in servers.items() if name not in STUB_NAMES and "median_s" in m
    ]
    found = []
    for index, name in enumerate(STUB_NAMES):
        target = f"start to first answer ≤ {TARGET_START_S:g} s ({name})"
        measured = servers.get(name, {})
        if "median_s" in measured:
            verdict = {"target": target, "figure": measured["median_s"], "met": measured["median_s"] <= TARGET_START_S}
            # Milliseconds shown: a figure a few of them over the target must not read as the target itself.
            verdict["detail"] = f"{name} {measured['median_s']:.3f} s"
            if index == len(STUB_NAMES) - 1 and peers_measured:
                verdict["detail"] += "; " + ", ".join(peers_measured)
            found.append(verdict)
        else:
            found.append({"target": target, "figure": measured.get("unavailable", "not measured"), "met": None})
    return found


def markdown(startup: dict[str, Any] | None, memory_figures: dict[str, Any] | None, level: str = "##") -> list[str]:
    lines: list[str] = []
    if startup:
        lines += [
            "",
            f"{level} Start to first answer (medians)",
            "",
            "From spawning the process to the first InvokeModel answered 200; `Stub()` in process: a fresh interpreter "
            "importing the stub, starting it and sending one request. x/stub: how many times the CLI's time.",
            "",
            *tables.contenders(
                startup,
                "servers",
                ("Runs", "Median s", "Min s", "Max s"),
                lambda measured: (measured["runs"], measured["median_s"], measured["min_s"], measured["max_s"]),
            ),
        ]
    if memory_figures and "skipped" in memory_figures:
        lines += ["", f"{level} Resident memory", "", f"skipped: {memory_figures['skipped']}"]
    elif memory_figures:
        lines += [
            "",
            f"{level} Resident memory at the first answer and after {memory_figures['requests']:,} requests",
            "",
            "VmRSS of the server's process group, MiB; x/stub: how many times the stub's, after the requests.",
            "",
            *tables.contenders(
                memory_figures,
                "servers",
                ("At start MiB", "After MiB", "Growth MiB", "Answered"),
                lambda measured: (
                    measured["start_mib"],
                    measured["after_mib"],
                    measured["growth_mib"],
                    f"{measured['answered']:,} of {measured['requests']:,}",
                ),
            ),
        ]
    return lines
