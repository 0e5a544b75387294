"""One run's own child subreaper: runs a command, then kills and reaps everything it left behind, and says so.

The harness starts this file (`python -I -S run_guard.py FD COMMAND...`) as a run's root. It marks itself a child
subreaper (Linux `prctl(PR_SET_CHILD_SUBREAPER)`), so that whatever the command starts and orphans (a `setsid`
daemon that empties its environment included) is re-parented to it, not to the harness that other runs share:
everything under it is this run's, however many runs are in progress. When the command ends (or on SIGTERM, the
harness's deadline), it kills every process still under it, reaps them, and writes to FD a line `exit N` and a line
`left group|away NAME` per process killed (in the run's process group or out of it), then exits. It imports
nothing of the harness and runs without site packages.
"""

from __future__ import annotations

import contextlib
import ctypes
import os
import signal
import sys
import time

_PR_SET_CHILD_SUBREAPER = 36
# Rounds of killing what is left; each round also kills what the previous one's victims started meanwhile.
_KILL_ROUNDS = 50


class _Stop(Exception):
    """The harness's deadline passed (SIGTERM)."""


def _stop(signum: int, frame: object) -> None:
    raise _Stop


def _descendants() -> dict[int, tuple[str, bool]]:
    """pid -> (command name, in the run's process group), of every live process whose parent chain leads here."""
    me, group = os.getpid(), os.getpgid(0)
    parents: dict[int, tuple[int, str, str, int]] = {}
    for name in os.listdir("/proc"):
        if not name.isdigit():
            continue
        try:
            with open(f"/proc/{name}/stat", "rb") as file:
                stat = file.read().decode("ascii", "replace")
        except OSError:
            continue
        command, _, rest = stat.partition(" (")[2].rpartition(") ")
        fields = rest.split()
        if len(fields) > 2:
            parents[int(name)] = (int(fields[1]), fields[0], command, int(fields[2]))
    found = {}
    for pid, (parent, state, command, pgid) in parents.items():
        chain = 0
        while parent in parents and parent != me and chain < 200:
            parent = parents[parent][0]
            chain += 1
        if parent == me and state != "Z":
            found[pid] = (command or "?", pgid == group)
    return found


def _reap() -> None:
    while True:
        try:
            pid, _ = os.waitpid(-1, os.WNOHANG)
        except ChildProcessError:
            return
        if pid == 0:
            return


def _kill_the_rest() -> dict[int, tuple[str, bool]]:
    killed: dict[int, tuple[str, bool]] = {}
    for _ in range(_KILL_ROUNDS):
        alive = _descendants()
        if not alive:
            break
        killed.update(alive)
        for pid in alive:
            with contextlib.suppress(ProcessLookupError, PermissionError):
                os.kill(pid, signal.SIGKILL)
        time.sleep(0.01)
        _reap()
    _reap()
    return killed


def main() -> int:
    report = os.fdopen(int(sys.argv[1]), "w", encoding="utf-8")
    command = sys.argv[2:]
    signal.signal(signal.SIGTERM, _stop)
    ctypes.CDLL(None, use_errno=True).prctl(_PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0)
    try:
        child = os.posix_spawnp(command[0], command, os.environ)
    except OSError as exc:
        report.write(f"missing {exc.errno}\n")
        report.close()
        return 127
    # The command holds the output pipes; this process lets go of its copies, so they end when the command's do.
    quiet = os.open(os.devnull, os.O_RDWR)
    for descriptor in (0, 1, 2):
        os.dup2(quiet, descriptor)
    status: int | None = None
    try:
        _, raw = os.waitpid(child, 0)
        status = os.waitstatus_to_exitcode(raw)
    except _Stop:
        pass
    signal.signal(signal.SIGTERM, signal.SIG_IGN)
    killed = _kill_the_rest()
    report.write(f"exit {'' if status is None else status}\n")
    for pid, (name, in_group) in sorted(killed.items()):
        if pid != child:
            report.write(f"left {'group' if in_group else 'away'} {name}\n")
    report.close()
    return 0 if status is None else status & 0xFF


if __name__ == "__main__":
    sys.exit(main())
