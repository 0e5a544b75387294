"""Runs the runs of several languages on a pool of workers, and gives their results in the sequential order.

Each language is prepared (probe, install, build) as one task; once it is ready, each of its runs becomes a task of
its own, so one language's runs proceed while another builds. Every run gets a stub of its own (started in well
under a millisecond), so a journal holds its own run's requests only. The longest runs (as the last results
recorded them) start first, so that the pool does not end waiting on one long run. What it does is shown as it
happens (`progress.py`: runs done, failing cells, time left; verbose adds each run's log lines, printed together
when it ends); results come back in the order a sequential run produces them.
"""

from __future__ import annotations

import functools
import heapq
import itertools
import json
import os
import resource
import threading
import time
import traceback
from collections.abc import Callable, Collection, Mapping
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from .pipeline import (
    Log,
    PlannedRun,
    Preparation,
    base_result,
    execute_run,
    not_run_results,
    plan_runs,
    prepare,
    sample_timeout,
)
from .progress import Progress
from .registry import Language
from .results import FAILED, SampleResult
from .scenarios import Scenario

JOBS_VARIABLE = "MIRROR_JOBS"
# A run with no earlier result to go by is taken to last this long (seconds) when ordering the queue.
DEFAULT_ESTIMATE = 1.0


def worker_count(environ: Mapping[str, str] = os.environ) -> int:
    """MIRROR_JOBS, or one worker a core and one more; 1 runs everything one after another, in the registry's
    order."""
    value = environ.get(JOBS_VARIABLE, "").strip()
    if not value:
        # Part of a run is waiting (an SDK's retry back-off, the stub's reply), which one extra worker fills: on
        # 2 cores a warm full nox took about 10% less wall time with 3 workers than with 2.
        return (os.cpu_count() or 1) + 1
    try:
        count = int(value)
    except ValueError:
        count = 0
    if count < 1:
        raise ValueError(f"{JOBS_VARIABLE} must be a whole number of workers, 1 or more (it is {value!r})")
    return count


def _children_cpu() -> float:
    """CPU seconds of this process's reaped descendants (the harness reaps every one, as their subreaper)."""
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


@dataclass
class SuiteStats:
    """What one suite did: how many workers and runs, the wall time, the time the runs took together, and the
    CPU the harness process itself spent (its stubs and its process watching; the samples not included)."""

    jobs: int
    runs: int = 0
    wall_s: float = 0.0
    runs_s: float = 0.0
    harness_cpu_s: float = 0.0
    # CPU (user and system) of every process the suite started and reaped: samples, their runtimes, build checks.
    children_cpu_s: float = 0.0

    def describe(self) -> str:
        return (
            f"{self.runs} runs on {self.jobs} worker(s) in {self.wall_s:.1f} s (the runs took {self.runs_s:.1f} s "
            f"together and {self.children_cpu_s:.1f} s of CPU); the harness process used {self.harness_cpu_s:.1f} s "
            "of CPU"
        )


@dataclass
class Suite:
    """The runs of `languages` under `scenarios`; `run()` returns their results, `stats` what it took."""

    languages: list[Language]
    scenarios: tuple[Scenario, ...]
    run_id: str
    required: Collection[str]
    log: Log
    reply: str
    jobs: int = 1
    strict: bool = False
    timeout: float | None = None
    stamp_dir: Path | None = None
    estimates: Mapping[tuple[str, str], float] | None = None
    # False: only what is news (progress, failing cells, skipped languages); True: every step and run as well.
    verbose: bool = True
    # Further `Stub` keywords for every run: recording from an upstream, or replaying recordings.
    stub_options: Mapping[str, Any] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self.stats = SuiteStats(self.jobs)
        self.progress = Progress(
            [language.name for language in self.languages], jobs=self.jobs, log=self.log, verbose=self.verbose
        )
        self._queue_lock = threading.Condition()
        self._queue: list[tuple[tuple[float, ...], int, Callable[[], None]]] = []
        self._open = 0
        self._order = itertools.count()
        # Per language: one slot per planned run (or a single slot when it could not be prepared).
        self._slots: list[list[list[SampleResult] | None]] = [[] for _ in self.languages]

    def run(self) -> list[SampleResult]:
        started, cpu, children = time.perf_counter(), time.process_time(), _children_cpu()
        if self.jobs == 1:
            for index in range(len(self.languages)):
                self._prepare(index, sequential=True)
        else:
            for index in range(len(self.languages)):
                self._push((0.0, index), functools.partial(self._prepare, index, sequential=False))
            workers = [
                threading.Thread(target=self._work, name=f"mirror-worker-{number}", daemon=True)
                for number in range(self.jobs)
            ]
            for worker in workers:
                worker.start()
            for worker in workers:
                worker.join()
        self.stats.wall_s = round(time.perf_counter() - started, 2)
        self.stats.harness_cpu_s = round(time.process_time() - cpu, 2)
        self.stats.children_cpu_s = round(_children_cpu() - children, 2)
        self.stats.runs_s = round(self.stats.runs_s, 2)
        return [result for slots in self._slots for slot in slots for result in slot or ()]

    def _push(self, rank: tuple[float, ...], task: Callable[[], None]) -> None:
        with self._queue_lock:
            heapq.heappush(self._queue, (rank, next(self._order), task))
            self._open += 1
            self._queue_lock.notify()

    def _work(self) -> None:
        while True:
            with self._queue_lock:
                while not self._queue and self._open:
                    self._queue_lock.wait()
                if not self._queue:
                    self._queue_lock.notify_all()
                    return
                _, _, task = heapq.heappop(self._queue)
            try:
                task()
            finally:
                with self._queue_lock:
                    self._open -= 1
                    self._queue_lock.notify_all()

    def _prepare(self, index: int, *, sequential: bool) -> None:
        language = self.languages[index]
        self.progress.building(language.name)
        try:
            preparation = prepare(language, self.progress.step, self.stamp_dir)
        except Exception as error:  # a fault of the harness fails this language, not the others
            preparation = Preparation(failure=f"the harness failed preparing it: {error!r}\n{traceback.format_exc()}")
        if not preparation.ready:
            required = language.name in self.required
            results = not_run_results(language, self.scenarios, self.run_id, preparation, required)
            self._slots[index] = [results]
            if preparation.skip_reason is not None:
                self.progress.not_run(language.name, results[0].reason if results else "", failed=required)
            else:
                self.progress.not_run(language.name, preparation.failure or "", failed=True)
            return
        planned = plan_runs(language, self.scenarios)
        self.progress.planned(language.name, sum(1 for each in planned if each.applicable))
        self._slots[index] = [None] * len(planned)
        for position, each in enumerate(planned):
            if sequential or not each.applicable:
                self._execute(index, position, each, preparation)
            else:
                rank = (1.0, -self._estimate(each))
                self._push(rank, functools.partial(self._execute, index, position, each, preparation))

    def _estimate(self, planned: PlannedRun) -> float:
        known = [
            self.estimates[(sample.id, planned.scenario.name)]
            for sample in planned.samples
            if self.estimates and (sample.id, planned.scenario.name) in self.estimates
        ]
        return max(known, default=DEFAULT_ESTIMATE)

    def _execute(self, index: int, position: int, planned: PlannedRun, preparation: Preparation) -> None:
        lines: list[str] = []
        started = time.perf_counter()
        try:
            results = execute_run(
                planned,
                run_id=self.run_id,
                reply=self.reply,
                preparation=preparation,
                timeout=self.timeout or sample_timeout(),
                log=lines.append,
                strict=self.strict,
                stub_options=self.stub_options,
            )
        except Exception as error:  # a fault of the harness fails this run, not the others
            lines.append(f"{planned.name}: the harness failed: {error!r}\n{traceback.format_exc()}")
            results = [_harness_failure(planned, sample.id, self.run_id, error) for sample in planned.samples]
        seconds = time.perf_counter() - started
        if planned.applicable:
            with self._queue_lock:
                self.stats.runs += 1
                self.stats.runs_s += seconds
        self._slots[index][position] = results
        self.progress.run_ended(planned.language.name, results, seconds, lines, counted=planned.applicable)


def _harness_failure(planned: PlannedRun, sample_id: str, run_id: str, error: Exception) -> SampleResult:
    sample = next(each for each in planned.samples if each.id == sample_id)
    result = base_result(planned.language, sample, run_id, planned.scenario.name)
    result.status = FAILED
    result.reason = f"the harness failed running it: {error!r}"
    return result


def estimates_from(results: Mapping[tuple[str, str], SampleResult]) -> dict[tuple[str, str], float]:
    """How long each (sample, scenario) ran last time, to start the longest runs first."""
    return {key: result.run_seconds for key, result in results.items() if result.run_seconds}


SUITE_FILE = "suite.json"


def write_suite_stats(stats: SuiteStats, folder: Path) -> Path:
    """Keeps what the last suite took beside its results (the benchmark reads it)."""
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / SUITE_FILE
    partial = path.with_name(f".{path.name}.{os.getpid()}.partial")
    partial.write_text(json.dumps(asdict(stats), indent=1), encoding="utf-8")
    os.replace(partial, path)
    return path
