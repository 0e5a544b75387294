"""Each registry entry's expected behaviour in each scenario, including the entries that cannot run here."""

from __future__ import annotations

import pytest
from bedrock_stub.models import INVALID_MODEL_ID

from bedrock_mirror import pipeline, registry, report
from bedrock_mirror.results import FAILED, PASSED, write_result
from bedrock_mirror.scenarios import SCENARIOS, scenario
from tests.helpers import CALL_THE_STUB, fake_language, run_suite, script_samples

ALL = [(language, sample, each) for language, sample in registry.all_samples() for each in SCENARIOS]


@pytest.mark.parametrize("language, sample, each", ALL, ids=[f"{sample.id}-{each.name}" for _, sample, each in ALL])
def test_every_entry_has_a_well_formed_expectation_in_every_scenario(language, sample, each):
    expectation = each.expectation(language, sample)
    assert expectation.kind in ("reply", "error", "stream-cut", "not-applicable")
    if expectation.kind == "stream-cut":
        assert sample.ignores_stream_errors and sample.streams and expectation.error
    if expectation.kind == "error":
        assert expectation.path is not None and expectation.error and expectation.message
        line = expectation.path.expected_line(sample.model_id, expectation.error, expectation.message)
        assert line and expectation.path.stream in ("stdout", "stderr")
    if expectation.kind == "not-applicable":
        assert expectation.why
    if each.streaming_only and not sample.streams:
        assert expectation.kind == "not-applicable"


def expect(sample_id: str, scenario_name: str):
    language, sample = next((language, sample) for language, sample in registry.all_samples() if sample.id == sample_id)
    return scenario(scenario_name).expectation(language, sample)


def test_boto3_reports_errors_through_the_seeds_error_line():
    expectation = expect("python", "access-denied")
    assert expectation.kind == "error" and expectation.path.exit_code == 1
    assert expectation.path.expected_line("m", "AccessDeniedException", "no").startswith("ERROR: Can't invoke 'm'.")


def test_abap_catches_only_access_denied_and_reports_the_rest_as_uncaught():
    caught = expect("abap-low-level", "access-denied")
    uncaught = expect("abap-low-level", "validation-error")
    assert (caught.path.line, caught.path.exit_code) == ("{message}", 0)
    assert (uncaught.path.line, uncaught.path.exit_code) == ("ERROR {error}: {message}", 1)


def test_only_the_first_abap_snippet_meets_the_single_throttle():
    abap = registry.language("abap")
    expectations = pipeline.expectations_for_run(scenario("throttled-then-fine"), abap, list(abap.samples))
    assert expectations["abap-low-level"].kind == "error"
    later = expectations["abap-l2-claude-2"]
    assert later.kind == "reply" and not later.retried and not later.check_exit


def test_a_program_whose_snippets_all_reply_is_still_judged_by_its_exit_code():
    abap = registry.language("abap")
    expectations = pipeline.expectations_for_run(scenario("plain"), abap, list(abap.samples))
    assert all(expectation.check_exit for expectation in expectations.values())


@pytest.mark.parametrize("sample_id", ["python", "javascript", "javascript-stream", "php", "dotnet"])
def test_sdks_that_retry_must_show_the_retry(sample_id):
    expectation = expect(sample_id, "throttled-then-fine")
    assert expectation.kind == "reply" and expectation.retried


def test_model_not_found_expects_bedrocks_message_and_a_catalogue_without_the_model():
    expectation = expect("php", "model-not-found")
    assert (expectation.error, expectation.message) == ("ValidationException", INVALID_MODEL_ID)
    php = registry.language("php")
    options = scenario("model-not-found").stub_options(list(php.samples))
    assert all(model.model_id != php.samples[0].model_id for model in options["models"])


def test_dotnet_rethrows_so_any_non_zero_exit_is_expected():
    assert expect("dotnet", "validation-error").path.exit_code is None


def test_streaming_scenarios_apply_to_streaming_entries_only():
    assert expect("javascript-stream", "stream-exception").error == "ModelStreamErrorException"
    assert expect("javascript", "stream-exception").kind == "not-applicable"


def test_the_report_fails_when_a_deliberately_wrong_entry_prints_another_text(tmp_path):
    """Two fake entries call the stub for real; one prints the reply, the other changes it."""
    real = registry.all_samples()
    right, wrong = real[0][1].id, real[1][1].id
    samples = script_samples(
        tmp_path, {right: CALL_THE_STUB + "print(text)\n", wrong: CALL_THE_STUB + "print(text.swapcase())\n"}
    )
    language = fake_language(tmp_path, samples=samples)
    results = run_suite([language])
    assert [result.status for result in results] == [PASSED, FAILED], [result.reason for result in results]
    for result in results:
        write_result(result, tmp_path / "out")
    built = report.build_report(report.read_results(tmp_path / "out"))
    assert not built.ok
    assert any(problem.startswith(f"{real[1][1].id} / plain: the printed text differs") for problem in built.problems)


def _cut_stream_run(sample, stdout: str, exit_code: int, error_type: str | None):
    from bedrock_mirror.pipeline import SampleRun
    from bedrock_mirror.process import ProcessResult
    from tests.helpers import journal_entry

    entry = journal_entry(
        operation="InvokeModelWithResponseStream", model_id="anthropic.claude-v2", error_type=error_type
    )
    process = ProcessResult(command=["x"], exit_code=exit_code, stdout=stdout, stderr="", seconds=0.1)
    return SampleRun(process=process, expected="The whole reply, every word of it.", entries=[entry])


@pytest.mark.parametrize(
    "stdout, exit_code, error_type, passes",
    [
        ("The whole reply,\n", 0, "ModelStreamErrorException", True),
        ("The whole reply, every word of it.\n", 0, "ModelStreamErrorException", False),  # not cut at all
        ("Another text\n", 0, "ModelStreamErrorException", False),  # not a beginning of the reply
        ("The whole reply,\n", 1, "ModelStreamErrorException", False),  # did not end normally
        ("The whole reply,\n", 0, None, False),  # the stub never broke the stream
    ],
)
def test_a_sample_that_ignores_stream_errors_must_print_a_true_beginning_and_end_normally(
    stdout, exit_code, error_type, passes
):
    language, sample = next((lang, s) for lang, s in registry.all_samples() if s.ignores_stream_errors)
    expectation = expect(sample.id, "stream-exception")
    assert expectation.kind == "stream-cut"
    result = pipeline.judge_run(
        language,
        sample,
        _cut_stream_run(sample, stdout, exit_code, error_type),
        run_id="r",
        scenario_name="stream-exception",
        expectation=expectation,
    )
    assert (result.status == PASSED) is passes, result.reason
