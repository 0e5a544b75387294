"""Runs one command in its own process group: bounded output, a deadline, and nothing left behind.

How every descendant is found, however it detaches, and blamed on the run that made it: each run's root is a guard
(run_guard.py) that is a child subreaper of its own, so that a process that leaves the sample's group and tree
(`setsid`, a double fork, a daemon that empties its environment) is re-parented to that run's guard, not to the
harness that parallel runs share; when the sample ends, the guard kills and reaps everything under it and reports
each process as a leftover. The harness is a subreaper too, while runs are in progress, as a second net for what
escapes a guard killed at the deadline: every process whose parent chain leads through the run's root, or that was
re-parented to the harness since the run began and carries the run's token in its environment (or no token at all,
while no other run is in progress), is killed, reaped and reported. Output pipes are read with a deadline, so a
process that keeps the sample's stdout cannot hold the run open.

It degrades where the pieces are missing: without prctl (not Linux) orphans go to init and only the process group
and the still-attached tree are found; without /proc, a run gets a plain timeout. A cgroup v2 per run would also
catch what re-parents to init, but it needs a writable cgroup hierarchy, which containers and CI runners here do
not give (cgroup v1, read-only), so it is not used.
"""

from __future__ import annotations

import contextlib
import ctypes
import os
import select
import signal
import subprocess
import sys
import threading
import time
import uuid
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

# Output kept per stream; the rest is read and dropped (and counted), so a flooding program cannot exhaust memory
# nor block on a full pipe.
MAX_OUTPUT_BYTES = 4_000_000
# How long output is still read once the program and everything it started are gone (or the deadline has passed).
_PIPE_GRACE_SECONDS = 1.0
# How often the process tree is looked at while the program runs, to know its members before they detach.
_POLL_SECONDS = 0.05
# Every process of a run inherits this variable, so that one re-parented to the harness can be told apart.
TOKEN_VARIABLE = "MIRROR_PROCESS_TOKEN"
_PR_SET_CHILD_SUBREAPER = 36
# Each run's root: a child subreaper of its own, so that what a run orphans is found under it (see run_guard.py).
_GUARD = Path(__file__).with_name("run_guard.py")


@dataclass
class ProcessResult:
    command: list[str]
    exit_code: int | None
    stdout: str
    stderr: str
    seconds: float
    timed_out: bool = False
    missing_program: str | None = None
    leftover_processes: int = 0  # still running after it exited (or escaped its group before the timeout); killed
    dropped_bytes: int = 0  # output beyond MAX_OUTPUT_BYTES
    leftover_commands: tuple[str, ...] = ()  # what the leftovers were running, for the report

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
            running = f": {', '.join(self.leftover_commands)}" if self.leftover_commands else ""
            found.append(
                f"it left {self.leftover_processes} process(es) running after it exited (killed){running}"
                if not self.timed_out
                else f"it left {self.leftover_processes} process(es) outside its process group (killed){running}"
            )
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
    """Reads a pipe until its end or until told to stop, keeping the first MAX_OUTPUT_BYTES."""

    def __init__(self, fd: int | None) -> None:
        super().__init__(daemon=True)
        self.fd = fd
        self.kept = bytearray()
        self.dropped = 0
        self.stop = threading.Event()

    def run(self) -> None:
        if self.fd is None:
            return
        with contextlib.suppress(OSError, ValueError):
            while not self.stop.is_set():
                # A bounded wait, so that a pipe some stray process keeps open never holds the reader.
                readable, _, _ = select.select([self.fd], [], [], _POLL_SECONDS)
                if not readable:
                    continue
                chunk = os.read(self.fd, 65536)
                if not chunk:
                    return
                room = MAX_OUTPUT_BYTES - len(self.kept)
                self.kept += chunk[: max(room, 0)]
                self.dropped += max(0, len(chunk) - max(room, 0))

    def text(self) -> str:
        return self.kept.decode("utf-8", errors="replace")


class _Subreaper:
    """Makes the harness a child subreaper while at least one run is in progress (Linux only)."""

    def __init__(self) -> None:
        # Re-entrant: a run holds it from its fork until its root is registered (see `spawning`).
        self._lock = threading.RLock()
        self._active: dict[int, str] = {}  # root pid -> token, of the runs in progress
        self._runs = 0
        self._prctl = self._load()

    @staticmethod
    def _load() -> Callable[..., int] | None:
        try:
            return ctypes.CDLL(None, use_errno=True).prctl
        except (OSError, AttributeError):
            return None

    def _set(self, on: bool) -> bool:
        return self._prctl is not None and self._prctl(_PR_SET_CHILD_SUBREAPER, int(on), 0, 0, 0) == 0

    def enter(self) -> None:
        """Before the run's process is started: the kernel only re-parents orphans to a subreaper whose descendants
        were forked after it became one."""
        with self._lock:
            if not self._runs:
                self._set(True)
            self._runs += 1

    def spawning(self) -> threading.RLock:
        """Held from a run's fork until its root is registered: until it execs, the new child carries the harness's
        environment (no token), and another run's scan must not take it for a token-less orphan of its own."""
        return self._lock

    def started(self, root: int, token: str) -> None:
        with self._lock:
            self._active[root] = token

    def leave(self, root: int | None) -> None:
        with self._lock:
            self._active.pop(root or 0, None)
            self._runs -= 1
            if not self._runs:
                self._set(False)

    def others(self, root: int) -> set[int]:
        with self._lock:
            return {pid for pid in self._active if pid != root}


_SUBREAPER = _Subreaper()


def run_process(
    command: Sequence[str], *, cwd: Path, env: Mapping[str, str], timeout: float, stdin: str | None = None
) -> ProcessResult:
    """Runs a command to its end (or its timeout); `stdin` is what it reads, as a user would type it (None: it
    reads nothing)."""
    started = time.perf_counter()
    deadline = started + timeout
    token = uuid.uuid4().hex
    before = _Tree.snapshot()
    _SUBREAPER.enter()
    root = None
    try:
        report_read, report_write = os.pipe()
        with _SUBREAPER.spawning():
            try:
                process = subprocess.Popen(
                    guarded(command, report_write),
                    cwd=cwd,
                    env={**env, TOKEN_VARIABLE: token},
                    stdin=subprocess.DEVNULL if stdin is None else subprocess.PIPE,
                    stdout=subprocess.PIPE,
                    stderr=subprocess.PIPE,
                    start_new_session=True,
                    pass_fds=(report_write,),
                )
            except FileNotFoundError:
                os.close(report_read)
                return ProcessResult(list(command), None, "", "", 0.0, missing_program=command[0])
            finally:
                os.close(report_write)
            group = own_process_group(process.pid)
            if group is not None:
                root = process.pid
                _SUBREAPER.started(root, token)
        if group is None or root is None:
            os.close(report_read)
            return _communicate(process, list(command), timeout, started, stdin)
        if process.stdin is not None:
            # A few lines, far below a pipe's buffer: written whole at once, then the end of input.
            with contextlib.suppress(BrokenPipeError):
                process.stdin.write((stdin or "").encode("utf-8"))
            with contextlib.suppress(BrokenPipeError):
                process.stdin.close()
        tree = _Tree(root, token, before)
        drains = [_Drain(pipe.fileno() if pipe else None) for pipe in (process.stdout, process.stderr)]
        for drain in drains:
            drain.start()
        timed_out = False
        while process.poll() is None:
            tree.scan()
            left = deadline - time.perf_counter()
            if left <= 0:
                timed_out = True
                break
            with contextlib.suppress(subprocess.TimeoutExpired):
                process.wait(timeout=min(_POLL_SECONDS, left))
        if timed_out:
            # The guard kills and reaps what the run started, wherever it went; then the group goes regardless.
            with contextlib.suppress(ProcessLookupError):
                process.send_signal(signal.SIGTERM)
            with contextlib.suppress(subprocess.TimeoutExpired):
                process.wait(timeout=_PIPE_GRACE_SECONDS)
            kill_process_group(process, group)
            with contextlib.suppress(subprocess.TimeoutExpired):
                process.wait(timeout=_PIPE_GRACE_SECONDS)
        guard = _GuardReport.read(report_read)
        if guard.missing:
            return ProcessResult(list(command), None, "", "", 0.0, missing_program=command[0])
        seconds = time.perf_counter() - started
        # Whatever it left running goes too, in its group or out of it, and is reported.
        group_members = set() if timed_out else set(members_of_group(group))
        leftovers = tree.end(group, exclude_group=timed_out) | group_members
        ended = time.perf_counter()
        grace = _PIPE_GRACE_SECONDS if timed_out else min(_PIPE_GRACE_SECONDS * 2, max(deadline - ended, 0.2))
        for drain in drains:
            drain.join(max(0.0, ended + grace - time.perf_counter()))
            drain.stop.set()
        for drain in drains:
            drain.join(1.0)
        for pipe in (process.stdout, process.stderr):
            if pipe is not None:
                with contextlib.suppress(OSError):
                    pipe.close()
    finally:
        _SUBREAPER.leave(root)
    stdout, stderr = drains
    exit_code = guard.exit_code if guard.exit_code is not None else process.returncode
    return ProcessResult(
        list(command),
        None if timed_out else exit_code,
        stdout.text(),
        stderr.text(),
        seconds,
        timed_out,
        leftover_processes=len(leftovers) + len(guard.leftovers(timed_out=timed_out)),
        dropped_bytes=stdout.dropped + stderr.dropped,
        leftover_commands=tuple(
            sorted({tree.names.get(pid, "?") for pid in leftovers} | set(guard.leftovers(timed_out=timed_out)))
        ),
    )


def guarded(command: Sequence[str], report_fd: int) -> list[str]:
    """The command line that runs `command` under its run's guard, which reports on `report_fd`."""
    return [sys.executable, "-I", "-S", str(_GUARD), str(report_fd), *command]


@dataclass
class _GuardReport:
    """What a run's guard (run_guard.py) said when it ended: the command's exit code and what it had to kill."""

    exit_code: int | None = None
    left: tuple[tuple[bool, str], ...] = ()  # (in the run's process group, command name) of each process killed
    missing: bool = False

    def leftovers(self, *, timed_out: bool) -> list[str]:
        """What counts as left behind: after a timeout, only what had left the run's process group."""
        return [name for in_group, name in self.left if not (timed_out and in_group)]

    @classmethod
    def read(cls, descriptor: int) -> _GuardReport:
        """Reads the guard's lines; it has exited (or been killed), so its end of the pipe is closed."""
        chunks = []
        try:
            os.set_blocking(descriptor, False)
            with contextlib.suppress(BlockingIOError):
                while chunk := os.read(descriptor, 65536):
                    chunks.append(chunk)
        finally:
            os.close(descriptor)
        report = cls()
        left = []
        for line in b"".join(chunks).decode("utf-8", "replace").splitlines():
            kind, _, value = line.partition(" ")
            if kind == "exit" and value.lstrip("-").isdigit():
                report.exit_code = int(value)
            elif kind == "left":
                where, _, name = value.partition(" ")
                left.append((where == "group", name or "?"))
            elif kind == "missing":
                report.missing = True
        report.left = tuple(left)
        return report


class _Tree:
    """The processes of one run: those under its root, and those re-parented to the harness that carry its token."""

    def __init__(self, root: int, token: str, before: set[tuple[int, int]] | None = None) -> None:
        self.root = root
        self.token = token
        self.before = before or set()  # (pid, start time) of every process that ran before the run began
        self.harness = os.getpid()
        self.session = os.getsid(0)
        fields = _stat_fields(root)
        self.born = int(fields[19]) if fields and len(fields) > 19 else 0
        self.seen: dict[int, int] = {}  # pid -> start time, of every process seen under the root
        self.names: dict[int, str] = {}

    @classmethod
    def snapshot(cls) -> set[tuple[int, int]]:
        return {(pid, born) for pid, (_, born, _) in cls._table().items()}

    @staticmethod
    def _table() -> dict[int, tuple[int, int, str]]:
        """pid -> (parent, start time in clock ticks, state), for every process."""
        table = {}
        with contextlib.suppress(OSError):
            for name in os.listdir("/proc"):
                if name.isdigit():
                    fields = _stat_fields(name)
                    if fields is not None and len(fields) > 19:
                        table[int(name)] = (int(fields[1]), int(fields[19]), fields[0])
        return table

    def _token_of(self, pid: int) -> str | None:
        """The run token in a process's environment: the token, "" when it has none, None when unreadable."""
        try:
            environ = Path(f"/proc/{pid}/environ").read_bytes()
        except OSError:
            return None
        prefix = TOKEN_VARIABLE.encode() + b"="
        for item in environ.split(b"\0"):
            if item.startswith(prefix):
                return item[len(prefix) :].decode(errors="replace")
        return ""

    def members(self, table: dict[int, tuple[int, int, str]] | None = None) -> dict[int, str]:
        """The run's processes now (pid -> state), the root excluded."""
        table = self._table() if table is None else table
        others = _SUBREAPER.others(self.root)
        found: dict[int, str] = {}
        for pid, (parent, born, state) in table.items():
            if pid in (self.root, self.harness):
                continue
            chain, ancestor, through_root = 0, parent, False
            while ancestor in table and chain < 200:
                if ancestor == self.root:
                    through_root = True
                    break
                if ancestor == self.harness or ancestor in others:
                    break
                ancestor = table[ancestor][0]
                chain += 1
            if through_root or self.seen.get(pid) == born:
                found[pid] = state
                continue
            if (
                ancestor != self.harness
                or born < self.born
                or pid in others
                or state == "Z"
                or (pid, born) in self.before
            ):
                continue
            fields = _stat_fields(pid)
            if fields is not None and len(fields) > 3 and int(fields[3]) == self.session:
                # A process of the harness's own session is a helper it started itself (such as `go version -m`
                # reading a build's SDK version while a run is in progress): a run's processes all live in
                # sessions of their own.
                continue
            # Re-parented to the harness since the run began: ours if it carries our token, or none at all (an
            # emptied environment, or one we may not read) while no other run is in progress.
            token = self._token_of(pid)
            if token == self.token or (token in ("", None) and not others):
                found[pid] = state
        return found

    def scan(self) -> None:
        table = self._table()
        for pid, state in self.members(table).items():
            if state != "Z" and pid not in self.seen and pid in table:
                self.seen[pid] = table[pid][1]
                self.names[pid] = _command_name(pid)

    def end(self, group: int, *, exclude_group: bool) -> set[int]:
        """Kills every process of the run, reaps those re-parented to the harness; returns the pids it found alive
        (outside the group when `exclude_group`)."""
        alive: set[int] = set()
        for _ in range(50):
            members = self.members()
            live = {pid for pid, state in members.items() if state != "Z"}
            for pid in live:
                self.names[pid] = _command_name(pid)
                if not (exclude_group and _group_of(pid) == group):
                    alive.add(pid)
                with contextlib.suppress(ProcessLookupError, PermissionError):
                    os.kill(pid, signal.SIGKILL)
            with contextlib.suppress(ProcessLookupError, PermissionError):
                os.killpg(group, signal.SIGKILL)
            self._reap(members)
            if not live:
                break
            time.sleep(0.02)
        # Those that died last may have been re-parented to the harness only now.
        self._reap(set(self.seen) | alive)
        return alive

    def _reap(self, members: Iterable[int]) -> None:
        for pid in members:
            with contextlib.suppress(ChildProcessError, OSError):
                os.waitpid(pid, os.WNOHANG)


def _command_name(pid: int) -> str:
    try:
        return Path(f"/proc/{pid}/comm").read_text().strip() or "?"
    except OSError:
        return "?"


def _group_of(pid: int) -> int | None:
    fields = _stat_fields(pid)
    return int(fields[2]) if fields is not None else None


def _communicate(
    process: subprocess.Popen[bytes], command: list[str], timeout: float, started: float, stdin: str | None = None
) -> ProcessResult:
    """For a process whose group cannot be verified (no /proc, or a test double): no group handling."""
    timed_out = False
    try:
        stdout, stderr = process.communicate(None if stdin is None else stdin.encode("utf-8"), timeout=timeout)
    except subprocess.TimeoutExpired:
        timed_out = True
        process.kill()
        try:
            stdout, stderr = process.communicate(timeout=_PIPE_GRACE_SECONDS)
        except subprocess.TimeoutExpired:
            # Something it started keeps the pipes open: give up on the rest of the output.
            stdout, stderr = b"", b""
    kept = [(data or b"")[:MAX_OUTPUT_BYTES] for data in (stdout, stderr)]
    dropped = sum(len(data or b"") for data in (stdout, stderr)) - sum(len(data) for data in kept)
    stdout_text, stderr_text = (data.decode("utf-8", errors="replace") for data in kept)
    return ProcessResult(
        command,
        None if timed_out else process.returncode,
        stdout_text,
        stderr_text,
        time.perf_counter() - started,
        timed_out,
        dropped_bytes=dropped,
    )


def _stat_fields(pid: int | str) -> list[str] | None:
    """A process's /proc stat fields after its name (which may hold spaces): state, ppid, pgrp, ..."""
    try:
        with open(f"/proc/{pid}/stat", "rb") as file:  # plain open: called for every process, several times a run
            stat = file.read()
    except OSError:
        return None
    return stat.rsplit(b")", 1)[-1].decode("ascii", errors="replace").split()


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
    for name in os.listdir("/proc"):
        if name.isdigit():
            fields = _stat_fields(name)
            if fields is not None and int(fields[2]) == group and fields[0] != "Z":
                members.append(int(name))
    return members


def kill_process_group(process: subprocess.Popen[bytes], group: int | None) -> None:
    if group is None:
        if process.poll() is None:
            process.kill()
        return
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(group, signal.SIGKILL)
