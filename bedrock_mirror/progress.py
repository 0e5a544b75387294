"""What a suite shows while it works, as a build tool does: runs done of the total per language, what is building,
each failing cell the moment it fails, and an estimate of the time left once every language has finished a run.

Quiet by default: a skipped language is one line with its reason, a passing run says nothing of its own, and a
status line comes at most every few seconds (and whenever a language finishes). Verbose (`nox -- -v`) adds
everything: each build step's command, each run as it ends with its log, each cell's result.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Literal

from .results import FAILED, SampleResult

Log = Callable[[str], None]
# Seconds between two status lines while nothing else happens.
STATUS_EVERY = 5.0

LanguageState = Literal["waiting", "building", "running", "done", "skipped", "failed"]


@dataclass
class LanguageProgress:
    name: str
    state: LanguageState = "waiting"
    total: int = 0
    done: int = 0
    failed_cells: int = 0
    run_seconds: float = 0.0

    @property
    def remaining(self) -> int:
        return self.total - self.done


class Progress:
    """Told what the suite does (from its worker threads); says it through `log`."""

    def __init__(
        self,
        languages: Iterable[str],
        *,
        jobs: int,
        log: Log,
        verbose: bool = False,
        clock: Callable[[], float] = time.monotonic,
        every: float = STATUS_EVERY,
    ) -> None:
        self.languages = {name: LanguageProgress(name) for name in languages}
        self.jobs = max(jobs, 1)
        self.verbose = verbose
        self._log = log
        self._clock = clock
        self._every = every
        self._lock = threading.Lock()
        self._last_status = clock()

    # --- what the suite tells ---

    def building(self, language: str) -> None:
        with self._lock:
            self.languages[language].state = "building"

    def step(self, line: str) -> None:
        """A build step's own line (the command it runs, or that it is up to date): verbose only."""
        if self.verbose:
            self._say([line])

    def planned(self, language: str, runs: int) -> None:
        with self._lock:
            entry = self.languages[language]
            entry.total, entry.state = runs, "running" if runs else "done"

    def not_run(self, language: str, reason: str, *, failed: bool) -> None:
        """A language that could not be prepared: one line, whatever the number of its cells."""
        with self._lock:
            self.languages[language].state = "failed" if failed else "skipped"
        self._say([f"{language}: {'FAILED' if failed else 'skipped'}: {reason}"])

    def run_ended(
        self, language: str, results: Sequence[SampleResult], seconds: float, lines: Sequence[str], *, counted: bool
    ) -> None:
        """A run ended (`counted`: it was applicable, so it counts towards the total); its failing cells show now."""
        said = list(lines) if self.verbose else []
        failures = [result for result in results if result.status == FAILED]
        said += [f"FAILED {result.sample} / {result.scenario}: {result.reason}" for result in failures]
        with self._lock:
            entry = self.languages[language]
            entry.failed_cells += len(failures)
            if counted:
                entry.done += 1
                entry.run_seconds += seconds
            finished = counted and entry.done == entry.total
            if finished:
                entry.state = "done"
            now = self._clock()
            if finished or now - self._last_status >= self._every:
                self._last_status = now
                said.append(self._status_line())
        self._say(said)

    # --- what it shows ---

    def status(self) -> str:
        with self._lock:
            return self._status_line()

    def estimate(self) -> float | None:
        """Seconds left: each language's runs to go at its own mean run time, shared by the workers; None until
        every language that runs has finished a run (and while any is still building)."""
        with self._lock:
            return self._estimate()

    def summary(self) -> str:
        with self._lock:
            done = sum(entry.done for entry in self.languages.values())
            failed = sum(entry.failed_cells for entry in self.languages.values())
            skipped = [name for name, entry in self.languages.items() if entry.state == "skipped"]
            broken = [name for name, entry in self.languages.items() if entry.state == "failed"]
        parts = [f"{done} runs done", f"{failed} failed cell(s)"]
        if skipped:
            parts.append("skipped: " + ", ".join(skipped))
        if broken:
            parts.append("could not build: " + ", ".join(broken))
        return "; ".join(parts)

    def _estimate(self) -> float | None:
        running = [entry for entry in self.languages.values() if entry.total]
        if any(entry.state in ("waiting", "building") for entry in self.languages.values()):
            return None
        if not running or any(entry.done == 0 for entry in running):
            return None
        work = sum(entry.remaining * entry.run_seconds / entry.done for entry in running)
        return work / self.jobs

    def _status_line(self) -> str:
        total = sum(entry.total for entry in self.languages.values())
        done = sum(entry.done for entry in self.languages.values())
        parts = []
        for entry in self.languages.values():
            if entry.state == "building":
                parts.append(f"{entry.name} building")
            elif entry.total and entry.state in ("running", "done"):
                parts.append(f"{entry.name} {entry.done}/{entry.total}")
        failed = sum(entry.failed_cells for entry in self.languages.values())
        line = f"[{done}/{total} runs] " + ", ".join(parts)
        if failed:
            line += f"; {failed} failed"
        left = self._estimate()
        if left is not None and done < total:
            line += f"; about {_duration(left)} left"
        return line

    def _say(self, lines: Sequence[str]) -> None:
        if not lines:
            return
        with self._lock:
            for line in lines:
                self._log(line)


def _duration(seconds: float) -> str:
    seconds = round(seconds)
    if seconds < 60:
        return f"{max(seconds, 1)} s"
    minutes, seconds = divmod(seconds, 60)
    return f"{minutes} min {seconds:02d} s"
