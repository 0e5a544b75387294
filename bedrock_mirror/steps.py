"""Runs a language's install and build steps, skipping those whose inputs have not changed."""

from __future__ import annotations

import fcntl
import hashlib
import json
import os
import shutil
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path

from .process import ProcessResult, run_process
from .registry import ROOT, Language, Step

STAMP_DIR = ROOT / ".cache" / "harness"


@dataclass
class StepOutcome:
    step: str
    skipped: bool
    seconds: float
    failure: ProcessResult | None = None

    @property
    def ok(self) -> bool:
        return self.failure is None


def _installed_build(program: str) -> str:
    """Where a program really lives, with its size and time: an upgrade replaces the file behind the symlinks."""
    found = shutil.which(program)
    if found is None:
        return f"{program}: not found"
    real = os.path.realpath(found)
    status = os.stat(real)
    return f"{program}: {real} {status.st_size} {status.st_mtime_ns}"


def step_digest(language: Language, step: Step) -> str:
    digest = hashlib.sha256(json.dumps(step.commands).encode())
    for program in step.toolchain:
        digest.update(_installed_build(program).encode() + b"\0")
    for pattern in step.inputs:
        for path in sorted(language.path.glob(pattern)):
            if path.is_file():
                digest.update(str(path.relative_to(language.path)).encode() + b"\0" + path.read_bytes() + b"\0")
    return digest.hexdigest()


def _stamp(language: Language, step: Step, stamp_dir: Path) -> Path:
    return stamp_dir / f"{language.name}-{step.name}.sha256"


def is_current(language: Language, step: Step, stamp_dir: Path = STAMP_DIR) -> bool:
    outputs_exist = all((language.path / output).exists() for output in step.outputs)
    if step.satisfied_by_outputs and step.outputs and outputs_exist:
        return True
    stamp = _stamp(language, step, stamp_dir)
    return bool(step.inputs) and outputs_exist and stamp.is_file() and stamp.read_text() == step_digest(language, step)


def _run_steps_unlocked(
    language: Language, env: Mapping[str, str], log: Callable[[str], None], stamp_dir: Path = STAMP_DIR
) -> list[StepOutcome]:
    """Runs each step in order, stopping at the first failure."""
    outcomes = []
    for step in language.steps:
        if is_current(language, step, stamp_dir):
            log(f"{language.name}: {step.name} is up to date")
            outcomes.append(StepOutcome(step.name, skipped=True, seconds=0.0))
            continue
        seconds = 0.0
        failure = None
        for command in step.commands:
            # A program that is not there runs nothing: the skip that follows names what is missing.
            if "/" in command[0] or shutil.which(command[0], path=env.get("PATH")) is not None:
                log(f"{language.name}: {step.name}: {' '.join(command)}")
            result = run_process(command, cwd=language.path, env=env, timeout=step.timeout)
            seconds += result.seconds
            if not result.ok:
                failure = result
                break
        outcomes.append(StepOutcome(step.name, skipped=False, seconds=seconds, failure=failure))
        if failure is not None:
            _stamp(language, step, stamp_dir).unlink(missing_ok=True)
            break
        if step.inputs:
            stamp_dir.mkdir(parents=True, exist_ok=True)
            _stamp(language, step, stamp_dir).write_text(step_digest(language, step))
    return outcomes


def run_steps(
    language: Language, env: Mapping[str, str], log: Callable[[str], None], stamp_dir: Path = STAMP_DIR
) -> list[StepOutcome]:
    """Runs each step in order, stopping at the first failure; one run at a time per language on this machine."""
    stamp_dir.mkdir(parents=True, exist_ok=True)
    with (stamp_dir / f"{language.name}.lock").open("w") as lock:
        # Two harness runs at once would otherwise install into the same node_modules or target/ together.
        fcntl.flock(lock, fcntl.LOCK_EX)
        return _run_steps_unlocked(language, env, log, stamp_dir)
