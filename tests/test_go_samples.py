"""What the Go samples do on errors, beyond the one line a registry entry can check.

They log a failed call and go on with its nil output, so a service error ends in a Go panic, which the runner
recovers from as upstream's scenario does; and the streaming sample never asks its event stream for an error, so one
that arrives inside the stream goes unreported.
"""

from __future__ import annotations

import pytest
from bedrock_stub import INVOKE_MODEL_STREAM, Stub

from bedrock_mirror import pipeline, registry
from bedrock_mirror.registry.go import RECOVERED_PANIC, REGION_LINE
from tests.helpers import ready_language

pytestmark = pytest.mark.end_to_end
GO = registry.language("go")
LOGGING_SAMPLES = [sample for sample in GO.samples if sample.source.startswith("actions/")]
STREAMING = next(sample for sample in GO.samples if sample.operation == INVOKE_MODEL_STREAM)
DENIED = "You don't have access to the model with the specified model ID."
BROKEN_OFF = "The model stream broke off after the first event."


def test_the_three_wrapper_examples_log_a_failed_call_and_recover():
    assert {sample.id for sample in LOGGING_SAMPLES} == {"go", "go-stream", "go-converse"}
    assert {sample.on_error.exit_code for sample in LOGGING_SAMPLES} == {0}


@pytest.mark.parametrize("sample", LOGGING_SAMPLES, ids=[sample.id for sample in LOGGING_SAMPLES])
def test_a_service_error_is_logged_and_the_nil_output_panic_is_recovered(sample):
    ready_language(GO)
    with Stub() as stub:
        stub.inject_error("AccessDeniedException", DENIED)
        run = pipeline.run_against(GO, sample.run, stub, timeout=120)
    lines = run.process.stderr.splitlines()
    logged = [
        index
        for index, line in enumerate(lines)
        if sample.on_error.found_in(line, sample.model_id, "AccessDeniedException", DENIED)
    ]
    assert run.process.exit_code == 0, run.process.stderr
    assert run.process.stdout == REGION_LINE + "\n"
    assert len(logged) == 1, run.process.stderr
    # The example's own function panics right after its log line; the runner's deferred recover logs it, and no
    # goroutine trace follows.
    assert lines[logged[0] + 1] == RECOVERED_PANIC
    assert "goroutine" not in run.process.stderr


def test_the_streaming_sample_prints_the_text_before_a_broken_stream_and_ends_normally():
    ready_language(GO)
    with Stub() as stub:
        stub.inject_error("ModelStreamErrorException", BROKEN_OFF)
        run = pipeline.run_against(GO, STREAMING.run, stub, timeout=120)
        served = [entry for entry in run.entries if entry.operation == INVOKE_MODEL_STREAM]
    assert run.process.exit_code == 0, run.process.stderr
    printed = STREAMING.extraction.extract_printed(run.process.stdout, run.process.stderr)
    assert printed, "the events before the exception frame are printed"
    assert run.expected.startswith(printed) and printed != run.expected
    assert BROKEN_OFF not in run.process.stdout + run.process.stderr
    assert [entry.status for entry in served] == [200]
