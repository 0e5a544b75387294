"""Each language's warm sample run beside its start-up floor, and the harness's own overhead per run."""

from __future__ import annotations

import os
import statistics
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

from ..environment import sample_environment, scrubbed
from ..pipeline import missing_tools, prepare, run_against
from ..process import run_process
from ..registry import ROOT, Language
from ..stub import Stub

FLOORS = Path(__file__).resolve().parent / "floors"
CACHE = ROOT / ".cache" / "bench"


@dataclass
class SampleTiming:
    language: str
    runs: int
    sample_s: float | None = None
    floor_s: float | None = None
    overhead_ms: float | None = None
    note: str = ""

    @property
    def ratio(self) -> float | None:
        return round(self.sample_s / self.floor_s, 2) if self.sample_s and self.floor_s else None


def _fill(command: tuple[str, ...]) -> tuple[str, ...]:
    return tuple(part.replace("{floors}", str(FLOORS)).replace("{cache}", str(CACHE)) for part in command)


def time_language(language: Language, stub: Stub, runs: int) -> SampleTiming:
    timing = SampleTiming(language.name, runs)
    if missing_tools(language):
        timing.note = "skipped: " + "; ".join(tool.missing_message() for tool in missing_tools(language))
        return timing
    preparation = prepare(language, log=lambda message: None)
    if not preparation.ready:
        timing.note = "skipped: " + (preparation.skip_reason or preparation.failure or "")
        return timing
    floor = language.floor
    if floor is not None:
        CACHE.mkdir(parents=True, exist_ok=True)
        for command in floor.build:
            built = run_process(_fill(command), cwd=language.path, env=scrubbed(os.environ), timeout=600)
            if not built.ok:
                floor = None
                timing.note = f"floor did not build: {built.output_tail(5)}"
    command = language.samples[0].run
    samples, floors, overheads = [], [], []
    with tempfile.TemporaryDirectory(prefix="mirror-bench-") as home:
        env = sample_environment(stub.url, stub.credentials, Path(home))
        # Interleaved, so that a noisy moment on the machine hits both alike.
        for _ in range(runs):
            started = time.perf_counter()
            run = run_against(language, command, stub, timeout=120)
            wall = time.perf_counter() - started
            samples.append(run.process.seconds)
            overheads.append(wall - run.process.seconds)
            if floor is not None:
                floors.append(run_process(_fill(floor.run), cwd=language.path, env=env, timeout=120).seconds)
    timing.sample_s = round(statistics.median(samples), 3)
    timing.overhead_ms = round(statistics.median(overheads) * 1000, 1)
    timing.floor_s = round(statistics.median(floors), 3) if floors else None
    if floor is None and not timing.note:
        timing.note = "no floor defined"
    if len(language.samples) > 1 and len({sample.run for sample in language.samples}) == 1:
        timing.note = f"one run makes {len(language.samples)} requests (one per snippet)"
    return timing
