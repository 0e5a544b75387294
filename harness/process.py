"""Runs one command in its own process group: bounded output, a timeout, and nothing left behind."""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import threading
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import IO

# Output kept per stream; the rest is read and dropped (and counted), so a flooding program cannot exhaust memory
# nor block on a full pipe.
MAX_OUTPUT_BYTES = 4_000_000
# How long to wait for the output pipes to close once the program and its group are gone.
_PIPE_GRACE_SECONDS = 5.0


@dataclass
class ProcessResult:
    command: list[str]
    exit_code: int | None
    stdout: str
    stderr: str
    seconds: float
    timed_out: bool = False
    missing_program: str | None = None
    leftover_processes: int = 0  # still running in its process group after it exited; killed
    dropped_bytes: int = 0  # output beyond MAX_OUTPUT_BYTES

    @property
    def ok(self) -> bool:
        return self.exit_code == 0 and not self.timed_out

    def describe_failure(self) -> str:
        if self.missing_program:
            return f"`{self.missing_program}` was not found"
        if self.timed_out:
            return f"timed out after {self.seconds:.1f}s; its process group was killed"
        return f"exited with code {self.exit_code}"

    def misbehaviour(self) -> list[str]:
        """What the run did wrong besides its exit: processes left behind, flooded output."""
        found = []
        if self.leftover_processes:
            found.append(f"it left {self.leftover_processes} process(es) running after it exited (killed)")
        if self.dropped_bytes:
            found.append(
                f"it flooded its output: {self.dropped_bytes} bytes beyond the {MAX_OUTPUT_BYTES} kept "
                "per stream were dropped"
            )
        return found

    def output_tail(self, lines: int = 30) -> str:
        text = (self.stdout + ("\n" if self.stdout and self.stderr else "") + self.stderr).rstrip()
        return "\n".join(text.splitlines()[-lines:])


class _Drain(threading.Thread):
    """Reads a pipe to its end, keeping the first MAX_OUTPUT_BYTES."""

    def __init__(self, pipe: IO[bytes] | None) -> None:
        super().__init__(daemon=True)
        self.pipe = pipe
        self.kept = bytearray()
        self.dropped = 0

    def run(self) -> None:
        if self.pipe is None:
            return
        with contextlib.suppress(OSError, ValueError):
            while chunk := self.pipe.read1(65536) if hasattr(self.pipe, "read1") else self.pipe.read():
                room = MAX_OUTPUT_BYTES - len(self.kept)
                self.kept += chunk[:room]
                self.dropped += max(0, len(chunk) - room)

    def text(self) -> str:
        return self.kept.decode("utf-8", errors="replace")


def run_process(command: Sequence[str], *, cwd: Path, env: Mapping[str, str], timeout: float) -> ProcessResult:
    started = time.perf_counter()
    try:
        process = subprocess.Popen(
            list(command),
            cwd=cwd,
            env=dict(env),
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            start_new_session=True,
        )
    except FileNotFoundError:
        return ProcessResult(list(command), None, "", "", 0.0, missing_program=command[0])
    group = own_process_group(process.pid)
    if group is None:
        return _communicate(process, list(command), timeout, started)
    drains = [_Drain(process.stdout), _Drain(process.stderr)]
    for drain in drains:
        drain.start()
    timed_out = False
    try:
        process.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        timed_out = True
        kill_process_group(process, group)
        process.wait()
    seconds = time.perf_counter() - started
    # Whatever the program left running in its group goes too, and is reported.
    leftovers = 0 if timed_out else len(members_of_group(group))
    kill_process_group(process, group)
    for drain in drains:
        drain.join(_PIPE_GRACE_SECONDS)
    for pipe in (process.stdout, process.stderr):
        if pipe is not None:
            with contextlib.suppress(OSError):
                pipe.close()
    stdout, stderr = drains
    return ProcessResult(
        list(command),
        None if timed_out else process.returncode,
        stdout.text(),
        stderr.text(),
        seconds,
        timed_out,
        leftover_processes=leftovers,
        dropped_bytes=stdout.dropped + stderr.dropped,
    )


def _communicate(process: subprocess.Popen[bytes], command: list[str], timeout: float, started: float) -> ProcessResult:
    """For a process whose group cannot be verified (no /proc, or a test double): no group handling."""
    timed_out = False
    try:
        stdout, stderr = process.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        timed_out = True
        process.kill()
        stdout, stderr = process.communicate()
    kept = [(data or b"")[:MAX_OUTPUT_BYTES] for data in (stdout, stderr)]
    dropped = sum(len(data or b"") for data in (stdout, stderr)) - sum(len(data) for data in kept)
    return ProcessResult(
        command,
        None if timed_out else process.returncode,
        *(data.decode("utf-8", errors="replace") for data in kept),
        time.perf_counter() - started,
        timed_out,
        dropped_bytes=dropped,
    )


def _stat_fields(pid: int | str) -> list[str] | None:
    """A process's /proc stat fields after its name (which may hold spaces): state, ppid, pgrp, ..."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    return stat.rsplit(")", 1)[-1].split()


def own_process_group(pid: int) -> int | None:
    """The process group our child `pid` leads, or None when that cannot be proven.

    Killing a group is only safe for a child we started in a session of its own: a pid that is not ours (test
    doubles hand out small made-up pids) could name some other program's group.
    """
    fields = _stat_fields(pid)
    if fields is None:
        return None
    parent, group = int(fields[1]), int(fields[2])
    return group if parent == os.getpid() and group == pid else None


def members_of_group(group: int) -> list[int]:
    """Live processes (not zombies) in a process group."""
    members = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            fields = _stat_fields(entry.name)
            if fields is not None and int(fields[2]) == group and fields[0] != "Z":
                members.append(int(entry.name))
    return members


def kill_process_group(process: subprocess.Popen[bytes], group: int | None) -> None:
    if group is None:
        if process.poll() is None:
            process.kill()
        return
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(group, signal.SIGKILL)
