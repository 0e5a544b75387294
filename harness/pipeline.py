"""Prepares a language (probe, install, build) and runs its samples against a stub, judging each run."""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from .environment import sample_environment, scrubbed
from .process import ProcessResult, run_process
from .registry import Language, Sample, Tool
from .results import FAILED, PASSED, SKIPPED, SampleResult
from .steps import StepOutcome, run_steps
from .stub import JournalEntry, Stub
from .versions import pinned_version

DEFAULT_TIMEOUT = 60.0
Log = Callable[[str], None]


def sample_timeout() -> float:
    return float(os.environ.get("MIRROR_TIMEOUT") or DEFAULT_TIMEOUT)


def missing_tools(language: Language) -> list[Tool]:
    return [tool for tool in language.tools if shutil.which(tool.command) is None]


@dataclass
class Preparation:
    skip_reason: str | None = None
    failure: str | None = None
    steps: list[StepOutcome] = field(default_factory=list)

    @property
    def ready(self) -> bool:
        return self.skip_reason is None and self.failure is None

    @property
    def build_seconds(self) -> float:
        return sum(step.seconds for step in self.steps)

    @property
    def cached(self) -> bool:
        return bool(self.steps) and all(step.skipped for step in self.steps)


def prepare(language: Language, log: Log) -> Preparation:
    missing = missing_tools(language)
    if missing:
        return Preparation(skip_reason="; ".join(tool.missing_message() for tool in missing))
    # A wide terminal, so that tools which wrap their messages (Composer) keep each on one line.
    steps = run_steps(language, {**scrubbed(os.environ), "COLUMNS": "500"}, log)
    failed = next((step for step in steps if step.failure is not None), None)
    if failed is not None and failed.failure is not None:
        failure = failed.failure
        step = next(step for step in language.steps if step.name == failed.step)
        if step.unavailable:
            lines = [line.strip() for line in failure.output_tail(12).splitlines() if line.strip()]
            said = next((line for line in lines if "error" in line.lower()), lines[0] if lines else "")[:240]
            detail = failure.describe_failure() + (f": {said}" if said else "")
            return Preparation(skip_reason=f"{step.unavailable} (`{' '.join(failure.command)}` {detail})", steps=steps)
        return Preparation(
            failure=f"{failed.step} step: `{' '.join(failure.command)}` {failure.describe_failure()}\n"
            f"{failure.output_tail()}",
            steps=steps,
        )
    return Preparation(steps=steps)


def base_result(language: Language, sample: Sample, run_id: str) -> SampleResult:
    return SampleResult(
        sample=sample.id,
        language=language.name,
        title=sample.title,
        sdk=language.sdk.package,
        sdk_version=pinned_version(language.path / language.sdk.manifest, language.sdk.package),
        status=SKIPPED,
        run_id=run_id,
    )


@dataclass
class SampleRun:
    """One process run against the stub, with what it printed and what the stub saw meanwhile."""

    process: ProcessResult
    expected: str
    entries: list[JournalEntry]


def run_against(language: Language, command: tuple[str, ...], stub: Stub, timeout: float) -> SampleRun:
    """Runs a command in an environment that holds nothing of the caller's AWS setup."""
    with tempfile.TemporaryDirectory(prefix="mirror-home-") as home:
        env = sample_environment(stub.url, stub.credentials, Path(home))
        mark = stub.journal.mark()
        expected = stub.reply
        process = run_process(command, cwd=language.path, env=env, timeout=timeout)
        return SampleRun(process, expected, stub.journal_since(mark))


def run_sample(
    language: Language,
    sample: Sample,
    stub: Stub,
    *,
    run_id: str,
    timeout: float,
    build_seconds: float = 0.0,
    build_cached: bool = False,
    shared: SampleRun | None = None,
) -> SampleResult:
    """Runs one sample against the stub (or judges it from a `shared` run of the same command)."""
    run = shared or run_against(language, sample.run, stub, timeout)
    result = judge(base_result(language, sample, run_id), sample, run.process, run.expected, run.entries)
    result.build_seconds = round(build_seconds, 3)
    result.build_cached = build_cached
    return result


def is_own_request(sample: Sample, operation: str | None, model_id: str | None, body: str | None) -> bool:
    """Whether a journaled request is the sample's own (and not another snippet's in the same run)."""
    return (
        operation == sample.operation
        and model_id == sample.model_id
        and (sample.request_marker is None or sample.request_marker in (body or ""))
    )


def judge(
    result: SampleResult, sample: Sample, process: ProcessResult, expected: str, entries: list[JournalEntry]
) -> SampleResult:
    """Passes a run only if it exited cleanly, printed the stub's reply, and the stub saw its own signed request."""
    reasons = []
    if not process.ok:
        reasons.append(f"the sample {process.describe_failure()}")
    extracted = sample.extraction.extract(process.stdout)
    if extracted is None:
        reasons.append(f"no answer found in its output ({sample.extraction.describe()})")
    elif extracted != expected:
        reasons.append("the printed text differs from the stub's reply")
    own = [entry for entry in entries if is_own_request(sample, entry.operation, entry.model_id, entry.body)]
    if not entries:
        reasons.append("it never called the stub")
    elif not own:
        seen = ", ".join(sorted({f"{entry.operation} {entry.model_id}" for entry in entries}))
        reasons.append(f"the stub saw no {sample.operation} request for {sample.model_id} (it saw: {seen})")
    elif not any(entry.signature == "valid" and entry.status == 200 for entry in own):
        last = own[-1]
        reasons.append(
            f"its request was answered {last.status} {last.error_type or ''} (signature: {last.signature})".rstrip()
        )
    result.status = FAILED if reasons else PASSED
    result.reason = "; ".join(reasons)
    result.expected_text = expected
    result.extracted_text = extracted
    result.run_seconds = round(process.seconds, 3)
    result.exit_code = process.exit_code
    result.stdout = process.stdout
    result.stderr = process.stderr
    result.findings = sorted({finding for entry in own for finding in entry.findings})
    result.journal = [entry.to_dict() for entry in entries]
    return result


def run_language(
    language: Language, stub: Callable[[], Stub], *, run_id: str, required: bool, log: Log, timeout: float | None = None
) -> list[SampleResult]:
    """Prepares the language once, then runs each of its samples; a failure of one does not stop the others."""
    preparation = prepare(language, log)
    if not preparation.ready:
        results = []
        for sample in language.samples:
            result = base_result(language, sample, run_id)
            if preparation.skip_reason is not None:
                result.status = FAILED if required else SKIPPED
                result.reason = (
                    f"required (MIRROR_REQUIRE) but cannot run: {preparation.skip_reason}"
                    if required
                    else preparation.skip_reason
                )
            else:
                result.status = FAILED
                result.reason = preparation.failure or ""
            result.build_seconds = round(preparation.build_seconds, 3)
            results.append(result)
        return results
    running_stub = stub()
    # Samples with the same run command (one program holding several snippets) share one run.
    runs: dict[tuple[str, ...], SampleRun] = {}
    results = []
    for sample in language.samples:
        if sample.run not in runs:
            runs[sample.run] = run_against(language, sample.run, running_stub, timeout or sample_timeout())
        results.append(
            run_sample(
                language,
                sample,
                running_stub,
                run_id=run_id,
                timeout=timeout or sample_timeout(),
                build_seconds=preparation.build_seconds,
                build_cached=preparation.cached,
                shared=runs[sample.run],
            )
        )
    return results
