"""Each language's warm sample run beside its start-up floor, and the harness's own overhead per run."""

from __future__ import annotations

import os
import statistics
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

from bedrock_stub import Stub

from ..environment import sample_environment, scrubbed
from ..pipeline import missing_tools, prepare, run_against
from ..process import run_process
from ..registry import ROOT, Language

FLOORS = Path(__file__).resolve().parent / "floors"
CACHE = ROOT / ".cache" / "bench"


@dataclass
class SampleTiming:
    """One program of a language (the samples that share its run command) timed warm, beside the floor."""

    language: str
    runs: int
    samples: tuple[str, ...] = ()
    sample_s: float | None = None
    floor_s: float | None = None
    overhead_ms: float | None = None
    note: str = ""

    @property
    def ratio(self) -> float | None:
        return round(self.sample_s / self.floor_s, 2) if self.sample_s and self.floor_s else None


def _fill(command: tuple[str, ...]) -> tuple[str, ...]:
    return tuple(part.replace("{floors}", str(FLOORS)).replace("{cache}", str(CACHE)) for part in command)


def time_language(language: Language, stub: Stub, runs: int) -> list[SampleTiming]:
    """Every program of the language, warm, `runs` times each; the floor is timed in every round beside them."""
    commands = {command: tuple(sample.id for sample in samples) for command, samples in language.programs().items()}
    timings = [SampleTiming(language.name, runs, ids) for ids in commands.values()]

    def skipped(note: str) -> list[SampleTiming]:
        for timing in timings:
            timing.note = note
        return timings

    if missing_tools(language):
        return skipped("skipped: " + "; ".join(tool.missing_message() for tool in missing_tools(language)))
    preparation = prepare(language, log=lambda message: None)
    if not preparation.ready:
        return skipped("skipped: " + (preparation.skip_reason or preparation.failure or ""))
    floor = language.floor
    floor_note = "" if floor is not None else "no floor defined"
    if floor is not None:
        CACHE.mkdir(parents=True, exist_ok=True)
        for command in floor.build:
            built = run_process(_fill(command), cwd=language.path, env=scrubbed(os.environ), timeout=600)
            if not built.ok:
                floor = None
                floor_note = f"floor did not build: {built.output_tail(5)}"
    samples: list[list[float]] = [[] for _ in commands]
    overheads: list[list[float]] = [[] for _ in commands]
    floors: list[float] = []
    with tempfile.TemporaryDirectory(prefix="mirror-bench-") as home:
        env = sample_environment(stub.url, stub.credentials, Path(home))
        # Interleaved, so that a noisy moment on the machine hits the programs and the floor alike.
        for _ in range(runs):
            if floor is not None:
                floors.append(run_process(_fill(floor.run), cwd=language.path, env=env, timeout=120).seconds)
            for index, command in enumerate(commands):
                started = time.perf_counter()
                run = run_against(language, command, stub, timeout=120)
                wall = time.perf_counter() - started
                samples[index].append(run.process.seconds)
                overheads[index].append(wall - run.process.seconds)
    floor_s = round(statistics.median(floors), 3) if floors else None
    for timing, taken, overhead, ids in zip(timings, samples, overheads, commands.values(), strict=True):
        timing.sample_s = round(statistics.median(taken), 3)
        timing.overhead_ms = round(statistics.median(overhead) * 1000, 1)
        timing.floor_s = floor_s
        timing.note = floor_note
        if len(ids) > 1:
            timing.note = f"one run makes {len(ids)} requests (one per snippet)"
    return timings
