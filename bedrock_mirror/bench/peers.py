"""Other local Bedrock Runtime emulators, installed pinned into virtualenvs of their own and served on loopback.

A peer that fails to install, to start or to answer a request shape is reported as such, never a crash: the
benchmark compares the stub with what the peers can actually do.
"""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from ..registry import ROOT
from .servers import Server, ServerError, free_port

CACHE = ROOT / ".cache" / "bench-peers"
INSTALL_TIMEOUT = 900.0


@dataclass(frozen=True)
class Tool:
    """A package from the registry, pinned, in a virtualenv of its own under CACHE."""

    name: str
    requirement: str
    pip_options: tuple[str, ...] = ()
    # Installed with it, into the same virtualenv (pinned requirements, or `-e <folder>`).
    also: tuple[str, ...] = ()

    @property
    def requirements(self) -> tuple[str, ...]:
        return (self.requirement, *self.also)

    def folder(self, cache: Path = CACHE) -> Path:
        if self.also:
            # Several packages: the virtualenv is named after what it is for (its marker says what it holds).
            return cache / self.name
        return cache / self.requirement.replace("[", "-").replace("]", "").replace("==", "-")

    def executable(self, script: str, cache: Path = CACHE) -> Path:
        return self.folder(cache) / "bin" / script


@dataclass(frozen=True)
class Peer(Tool):
    """An emulator: how to start it on a loopback port of our choosing."""

    command: Callable[[Path, int], list[str]] = field(default=lambda folder, port: [], compare=False)
    environment: Callable[[int], dict[str, str]] = field(default=lambda port: {}, compare=False)


def _ministack_environment(port: int) -> dict[str, str]:
    # WARNING leaves out its log line per request, which would cost it time the stub does not spend.
    return {"GATEWAY_PORT": str(port), "BIND_HOST": "127.0.0.1", "LOG_LEVEL": "WARNING"}


PEERS = (
    Peer(
        "ministack",
        "ministack==1.5.33",
        command=lambda folder, port: [str(folder / "bin" / "ministack")],
        environment=_ministack_environment,
    ),
    Peer(
        "moto",
        "moto[server]==5.2.5",
        command=lambda folder, port: [str(folder / "bin" / "moto_server"), "-H", "127.0.0.1", "-p", str(port)],
    ),
)
PROFILER = Tool("py-spy", "py-spy==0.4.3")
MARKER = "installed.txt"


def installed(tool: Tool, cache: Path = CACHE) -> bool:
    marker = tool.folder(cache) / MARKER
    return marker.exists() and marker.read_text().strip() == "\n".join(tool.requirements)


def install(tool: Tool, cache: Path = CACHE, log: Callable[[str], object] = print) -> str | None:
    """Installs `tool` unless already there; returns why it could not be installed, or None."""
    if installed(tool, cache):
        return None
    folder = tool.folder(cache)
    log(f"installing {tool.requirement} into {folder} ...")
    steps = [
        [sys.executable, "-m", "venv", "--clear", str(folder)],
        [
            str(folder / "bin" / "python"),
            "-m",
            "pip",
            "install",
            "--disable-pip-version-check",
            "--quiet",
            *tool.pip_options,
            *tool.requirements,
        ],
    ]
    for step in steps:
        try:
            done = subprocess.run(step, capture_output=True, text=True, timeout=INSTALL_TIMEOUT)
        except subprocess.TimeoutExpired:
            return f"{tool.requirement} did not install within {INSTALL_TIMEOUT:.0f} s"
        except OSError as exc:
            return f"{tool.requirement} did not install: {exc.strerror or exc}"
        if done.returncode != 0:
            last = (done.stderr or done.stdout).strip().splitlines()
            return f"{tool.requirement} did not install: {last[-1][:200] if last else f'exit {done.returncode}'}"
    (folder / MARKER).write_text("\n".join(tool.requirements) + "\n")
    return None


def start(peer: Peer, log_folder: Path, cache: Path = CACHE, ready_timeout: float = 60.0) -> Server:
    """Starts an installed peer on a free loopback port; raises ServerError if it does not come up."""
    port = free_port()
    environment = {
        key: value for key, value in os.environ.items() if not key.startswith("AWS_") and key != "PYTHONPATH"
    }
    environment.update(peer.environment(port))
    return Server(
        peer.name,
        peer.command(peer.folder(cache), port),
        env=environment,
        port=port,
        log=log_folder / f"bench-peer-{peer.name}.log",
        ready_timeout=ready_timeout,
    )


def prepare(
    peer: Peer, log_folder: Path, cache: Path = CACHE, log: Callable[[str], object] = print
) -> tuple[Server | None, str | None]:
    """Installs and starts a peer: (the server, None) or (None, why the peer cannot be measured)."""
    problem = install(peer, cache, log)
    if problem is not None:
        return None, problem
    try:
        return start(peer, log_folder, cache), None
    except ServerError as exc:
        return None, f"{peer.requirement}: {exc}"
