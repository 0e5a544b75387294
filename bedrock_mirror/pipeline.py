"""Prepares a language (probe, install, build) and runs its samples against a stub, judging each run."""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime
from pathlib import Path
from typing import Any

from bedrock_stub import JournalEntry, Stub

from .environment import sample_environment, scrubbed
from .process import ProcessResult, run_process
from .registry import Language, Sample, Tool, regions
from .registry.model import DEFAULT_REGION
from .results import FAILED, NOT_APPLICABLE, PASSED, SKIPPED, SampleResult
from .scenarios import PLAIN, TOOL_USE_ID, Expectation, Scenario
from .steps import StepOutcome, run_steps
from .versions import installed_version, language_pin, sent_version
from .weather import weather_service

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


def prepare(language: Language, log: Log, stamp_dir: Path | None = None) -> Preparation:
    missing = missing_tools(language)
    if missing:
        return Preparation(skip_reason="; ".join(tool.missing_message() for tool in missing))
    # A wide terminal, so that tools which wrap their messages (Composer) keep each on one line.
    env = {**scrubbed(os.environ), "COLUMNS": "500"}
    steps = run_steps(language, env, log) if stamp_dir is None else run_steps(language, env, log, stamp_dir)
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


def base_result(language: Language, sample: Sample, run_id: str, scenario_name: str = PLAIN) -> SampleResult:
    """A result not yet judged; its SDK version is the one the build holds (the pin where there is no build)."""
    pinned, installed = language_pin(language), installed_version(language)
    return SampleResult(
        scenario=scenario_name,
        sample=sample.id,
        language=language.name,
        title=sample.title,
        sdk=language.sdk.package,
        sdk_version=installed or pinned,
        status=SKIPPED,
        run_id=run_id,
        sdk_pinned=pinned,
        sdk_installed=installed,
    )


@dataclass
class SampleRun:
    """One process run against the stub, with what it printed and what the stub saw meanwhile."""

    process: ProcessResult
    expected: str
    entries: list[JournalEntry]


def run_against(
    language: Language, command: tuple[str, ...], stub: Stub, timeout: float, samples: Sequence[Sample] | None = None
) -> SampleRun:
    """Runs a command in an environment that holds nothing of the caller's AWS setup. The program's samples (by
    default the language's samples run by this command) give it what a user types, and the local weather service
    where one offers the model a tool."""
    if samples is None:
        samples = language.programs().get(command, ())
    user_input = next((sample.stdin for sample in samples if sample.stdin is not None), None)
    with tempfile.TemporaryDirectory(prefix="mirror-home-") as home:
        env = sample_environment(stub.url, stub.credentials, Path(home), region=program_region(samples))
        if any(sample.tool is not None for sample in samples):
            env.update(weather_service().environment(env))
        mark = stub.journal.mark()
        expected = stub.reply
        process = run_process(command, cwd=language.path, env=env, timeout=timeout, stdin=user_input)
        return SampleRun(process, expected, stub.journal_since(mark))


def program_region(samples: Sequence[Sample]) -> str:
    """The region one program's samples sign for; the samples of one program share it."""
    found = {sample.region for sample in samples} or {DEFAULT_REGION}
    if len(found) > 1:
        raise ValueError(f"the samples of one program sign for several regions: {', '.join(sorted(found))}")
    return found.pop()


def judge_run(
    language: Language,
    sample: Sample,
    run: SampleRun,
    *,
    run_id: str,
    scenario_name: str = PLAIN,
    expectation: Expectation | None = None,
    preparation: Preparation | None = None,
) -> SampleResult:
    """Judges one sample from a run (which it may share with the other snippets of the same program)."""
    base = base_result(language, sample, run_id, scenario_name)
    expectation = expectation or Expectation("reply")
    if expectation.kind == "error":
        result = judge_error(base, sample, run, expectation)
    elif expectation.kind == "stream-cut":
        result = judge_stream_cut(base, sample, run, expectation)
    else:
        result = judge(base, sample, run.process, run.expected, run.entries, check_exit=expectation.check_exit)
        if expectation.retried:
            _check_retried(result, sample, run.entries)
        if expectation.tool_round_trip:
            _check_tool_round_trip(result, sample, run.entries)
    result.expectation = expectation.describe()
    if preparation is not None:
        result.build_seconds = round(preparation.build_seconds, 3)
        result.build_cached = preparation.cached
    return result


def is_own_request(sample: Sample, operation: str | None, model_id: str | None, body: str | None) -> bool:
    """Whether a journaled request is the sample's own (and not another snippet's in the same run)."""
    return (
        operation == sample.operation
        and model_id == sample.model_id
        and (sample.request_marker is None or sample.request_marker in (body or ""))
    )


def _own(sample: Sample, entries: list[JournalEntry]) -> list[JournalEntry]:
    return [entry for entry in entries if is_own_request(sample, entry.operation, entry.model_id, entry.body)]


def _attempt_times(entries: list[JournalEntry]) -> tuple[int, float]:
    """How many attempts the journal shows, and the milliseconds from the first to the last."""
    times = [datetime.fromisoformat(entry.time) for entry in entries]
    return len(entries), round((max(times) - min(times)).total_seconds() * 1000, 1) if times else 0.0


def _check_retried(result: SampleResult, sample: Sample, entries: list[JournalEntry]) -> None:
    own = _own(sample, entries)
    result.attempts, result.retry_wait_ms = _attempt_times(own)
    if result.status == PASSED and (len(own) < 2 or own[0].status != 429):
        result.status = FAILED
        result.reason = f"expected a throttled first attempt and a retry; the stub saw {len(own)} request(s)"


def _check_tool_round_trip(result: SampleResult, sample: Sample, entries: list[JournalEntry]) -> None:
    """Fails a run unless the model's tool call was answered: a later request carries a result for that call that
    holds the weather service's answer (its nonce)."""
    own = _own(sample, entries)
    nonce = weather_service().nonce
    answered = [entry for entry in own[1:] if TOOL_USE_ID in (entry.body or "") and nonce in (entry.body or "")]
    if result.status == PASSED and not answered:
        result.status = FAILED
        result.reason = (
            f"no request after the tool call carried the tool's result (the call {TOOL_USE_ID} and the weather "
            f"service's answer, {nonce}); the stub saw {len(own)} request(s)"
        )


def _settle(
    result: SampleResult,
    reasons: list[str],
    process: ProcessResult,
    own: list[JournalEntry],
    entries: list[JournalEntry],
) -> SampleResult:
    """Gives the result its verdict (failed with the reasons, and whatever the process misbehaved in), the process's
    facts and the run's journal."""
    reasons = reasons + process.misbehaviour()
    result.status = FAILED if reasons else PASSED
    result.reason = "; ".join(reasons)
    result.run_seconds = round(process.seconds, 3)
    result.exit_code = process.exit_code
    result.stdout, result.stderr = process.stdout, process.stderr
    result.attempts = len(own)
    result.journal = [entry.to_dict() for entry in entries]
    result.sdk_sent = next(
        (
            sent
            for entry in own
            if (sent := sent_version((entry.header("user-agent"), entry.header("x-amz-user-agent"))))
        ),
        None,
    )
    return result


def judge_error(result: SampleResult, sample: Sample, run: SampleRun, expectation: Expectation) -> SampleResult:
    """Passes a run only if the sample's own error path reported the stub's error as the registry says it does."""
    assert expectation.path is not None and expectation.error is not None and expectation.message is not None
    path = expectation.path
    process = run.process
    reasons = []
    if process.timed_out or process.missing_program:
        reasons.append(f"the sample {process.describe_failure()}")
    elif path.exit_code is None and process.exit_code == 0:
        reasons.append("the sample exited with code 0, expected a non-zero code")
    elif path.exit_code is not None and process.exit_code != path.exit_code:
        reasons.append(f"the sample exited with code {process.exit_code}, expected {path.exit_code}")
    stream = process.stdout if path.stream == "stdout" else process.stderr
    # Where one program runs several snippets, each reports its error inside its own part of the output.
    own_part = sample.extraction.extract(stream) if path.stream == sample.extraction.stream else None
    text = stream if own_part is None else own_part
    if not path.found_in(text, sample.model_id, expectation.error, expectation.message):
        line = path.expected_line(sample.model_id, expectation.error, expectation.message)
        reasons.append(f"no line of its {path.stream} matches {line!r}")
    if path.prints_message and expectation.message not in text:
        reasons.append(f"its {path.stream} lacks the stub's message")
    own = _own(sample, run.entries)
    if not run.entries:
        reasons.append("it never called the stub")
    elif not own or own[-1].error_type != expectation.error:
        seen = ", ".join(f"{entry.status} {entry.error_type or ''}".strip() for entry in own) or "none of its own"
        reasons.append(f"the stub did not answer its request with {expectation.error} (it answered: {seen})")
    return _settle(result, reasons, process, own, run.entries)


def judge_stream_cut(result: SampleResult, sample: Sample, run: SampleRun, expectation: Expectation) -> SampleResult:
    """Passes a run of a sample that ignores its stream's errors only if it printed a true beginning of the reply,
    ended normally, and the stub really broke its stream off."""
    process = run.process
    reasons = []
    if not process.ok:
        reasons.append(f"the sample {process.describe_failure()}")
    printed = sample.extraction.extract_printed(process.stdout, process.stderr)
    if printed is None:
        printed = process.stdout.rstrip("\n")
    if not run.expected.startswith(printed) or len(printed) >= len(run.expected):
        reasons.append("its output is not a beginning of the reply cut short")
    own = _own(sample, run.entries)
    if not run.entries:
        reasons.append("it never called the stub")
    elif not own or own[-1].error_type != expectation.error:
        reasons.append(f"the stub did not break its stream with {expectation.error}")
    result.expected_text = run.expected
    result.extracted_text = printed
    return _settle(result, reasons, process, own, run.entries)


def judge(
    result: SampleResult,
    sample: Sample,
    process: ProcessResult,
    expected: str,
    entries: list[JournalEntry],
    *,
    check_exit: bool = True,
) -> SampleResult:
    """Passes a run only if it exited cleanly, printed the stub's reply, and the stub saw its own signed request."""
    reasons = []
    if not process.ok and (check_exit or process.timed_out or process.missing_program):
        reasons.append(f"the sample {process.describe_failure()}")
    own = _own(sample, entries)
    # Recording or replaying, the answer is the recorded one, which the journal holds.
    expected = next((entry.reply_text for entry in reversed(own) if entry.recording and entry.reply_text), expected)
    extracted = sample.extraction.extract_printed(process.stdout, process.stderr)
    if extracted is None:
        reasons.append(f"no answer found in its output ({sample.extraction.describe()})")
    elif extracted != expected:
        reasons.append("the printed text differs from the stub's reply")
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
    result.expected_text = expected
    result.extracted_text = extracted
    result.findings = sorted({finding for entry in own for finding in entry.findings})
    return _settle(result, reasons, process, own, entries)


@dataclass(frozen=True)
class PlannedRun:
    """One process run of a language under a scenario: the samples it serves (one program may hold several
    snippets) and what each is expected to do."""

    language: Language
    scenario: Scenario
    command: tuple[str, ...]
    samples: tuple[Sample, ...]
    expectations: dict[str, Expectation]

    @property
    def applicable(self) -> bool:
        return any(expectation.kind != "not-applicable" for expectation in self.expectations.values())

    @property
    def name(self) -> str:
        return f"{self.language.name}: {self.scenario.name}: {' '.join(self.command)}"


def plan_runs(language: Language, scenarios: tuple[Scenario, ...]) -> list[PlannedRun]:
    """Every run of the language, scenario by scenario, in the order a sequential run takes them."""
    programs = language.programs()
    return [
        PlannedRun(language, each, command, samples, expectations_for_run(each, language, samples))
        for each in scenarios
        for command, samples in programs.items()
    ]


def execute_run(
    planned: PlannedRun,
    *,
    run_id: str,
    reply: str,
    preparation: Preparation,
    timeout: float,
    log: Log,
    strict: bool = False,
    stub_options: Mapping[str, Any] | None = None,
) -> list[SampleResult]:
    """Runs one planned run and judges each of its samples.

    The run gets a stub of its own, arranged for its scenario and answering `reply` unless the scenario sets
    its own (so that texts compare across runs), and stopped when it ends: its journal holds its requests only.
    `strict` applies to the plain scenario's stub; `stub_options` are further `Stub` keywords (record or replay).
    """
    language, samples, expectations = planned.language, planned.samples, planned.expectations
    if not planned.applicable:
        return [
            _not_applicable(language, sample, run_id, planned.scenario.name, expectations[sample.id])
            for sample in samples
        ]
    plain = planned.scenario.name == PLAIN
    options = {"regions": regions(), **planned.scenario.stub_options(list(samples)), **(stub_options or {})}
    stub = Stub(reply=reply, strict=strict and plain, **options).start()
    try:
        planned.scenario.arrange(stub)
        planned.scenario.arrange_for(stub, samples)
        log(planned.name)
        run = run_against(language, planned.command, stub, timeout, samples)
    finally:
        stub.stop()
    results = []
    for sample in samples:
        if expectations[sample.id].kind == "not-applicable":
            results.append(_not_applicable(language, sample, run_id, planned.scenario.name, expectations[sample.id]))
            continue
        results.append(
            judge_run(
                language,
                sample,
                run,
                run_id=run_id,
                scenario_name=planned.scenario.name,
                expectation=expectations[sample.id],
                preparation=preparation,
            )
        )
    return results


def not_run_results(
    language: Language, scenarios: tuple[Scenario, ...], run_id: str, preparation: Preparation, required: bool
) -> list[SampleResult]:
    """The results of a language that could not be prepared: skipped (failed where required), or failed."""
    return [
        _not_run(language, sample, run_id, each.name, preparation, required)
        for each in scenarios
        for sample in language.samples
    ]


def expectations_for_run(scenario_: Scenario, language: Language, samples: Sequence[Sample]) -> dict[str, Expectation]:
    """Each sample's expectation in a run of one program; when one snippet is expected to fail, the program's exit
    code is not the other snippets'."""
    expectations = {sample.id: scenario_.expectation(language, sample) for sample in samples}
    if any(expectation.kind == "error" for expectation in expectations.values()):
        expectations = {
            sample_id: replace(expectation, check_exit=expectation.kind != "reply")
            for sample_id, expectation in expectations.items()
        }
    return expectations


def _not_run(
    language: Language, sample: Sample, run_id: str, scenario_name: str, preparation: Preparation, required: bool
) -> SampleResult:
    result = base_result(language, sample, run_id, scenario_name)
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
    return result


def _not_applicable(
    language: Language, sample: Sample, run_id: str, scenario_name: str, expectation: Expectation
) -> SampleResult:
    result = base_result(language, sample, run_id, scenario_name)
    result.status = NOT_APPLICABLE
    result.reason = expectation.why
    result.expectation = expectation.describe()
    return result
