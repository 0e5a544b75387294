"""Runs one command in its own process group, with a timeout that kills the whole group."""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

# Output beyond this is dropped (and the result says so), so a flooding program cannot exhaust memory.
MAX_OUTPUT_CHARS = 1_000_000


@dataclass
class ProcessResult:
    command: list[str]
    exit_code: int | None
    stdout: str
    stderr: str
    seconds: float
    timed_out: bool = False
    missing_program: str | None = None

    @property
    def ok(self) -> bool:
        return self.exit_code == 0 and not self.timed_out

    def describe_failure(self) -> str:
        if self.missing_program:
            return f"`{self.missing_program}` was not found"
        if self.timed_out:
            return f"timed out after {self.seconds:.1f}s; its process group was killed"
        return f"exited with code {self.exit_code}"

    def output_tail(self, lines: int = 30) -> str:
        text = (self.stdout + ("\n" if self.stdout and self.stderr else "") + self.stderr).rstrip()
        return "\n".join(text.splitlines()[-lines:])


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
    timed_out = False
    try:
        stdout, stderr = process.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        timed_out = True
        kill_process_group(process, group)
        stdout, stderr = process.communicate()
    finally:
        # Whatever the program left running in its group goes too.
        kill_process_group(process, group)
    return ProcessResult(
        list(command),
        None if timed_out else process.returncode,
        _text(stdout),
        _text(stderr),
        time.perf_counter() - started,
        timed_out,
    )


def own_process_group(pid: int) -> int | None:
    """The process group our child `pid` leads, or None when that cannot be proven.

    Killing a group is only safe for a child we started in a session of its own: a pid that is not ours (test
    doubles hand out small made-up pids) could name some other program's group.
    """
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    # Fields after the command name (which may hold spaces): state, ppid, pgrp, ...
    fields = stat.rsplit(")", 1)[-1].split()
    parent, group = int(fields[1]), int(fields[2])
    return group if parent == os.getpid() and group == pid else None


def kill_process_group(process: subprocess.Popen[bytes], group: int | None) -> None:
    if group is None:
        if process.poll() is None:
            process.kill()
        return
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(group, signal.SIGKILL)


def _text(data: bytes | str | None) -> str:
    if data is None:
        return ""
    text = data if isinstance(data, str) else data.decode("utf-8", errors="replace")
    if len(text) > MAX_OUTPUT_CHARS:
        return text[:MAX_OUTPUT_CHARS] + f"\n[... {len(text) - MAX_OUTPUT_CHARS} more characters dropped]"
    return text
