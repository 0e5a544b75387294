"""Every registered sample, built with its own toolchain, run against a live stub.

A language whose toolchain is missing here is skipped with the message naming it, or fails under MIRROR_REQUIRE.
"""

from __future__ import annotations

import os

import pytest
from bedrock_stub import Stub

from bedrock_mirror import pipeline, registry
from bedrock_mirror.environment import scrubbed
from bedrock_mirror.process import run_process
from bedrock_mirror.results import NOT_APPLICABLE, PASSED
from bedrock_mirror.scenarios import PLAIN, SCENARIOS
from tests.helpers import TRICKY_REPLY, ready_language, run_suite

pytestmark = pytest.mark.end_to_end
SAMPLES = registry.all_samples()
IDS = [sample.id for _, sample in SAMPLES]


CELLS = [
    (language, scenario)
    for language in registry.LANGUAGES
    for scenario in SCENARIOS
    if any(scenario.expectation(language, sample).kind != "not-applicable" for sample in language.samples)
]


@pytest.mark.parametrize(
    "language, scenario", CELLS, ids=[f"{language.name}-{scenario.name}" for language, scenario in CELLS]
)
def test_every_sample_behaves_as_its_registry_entry_says(language, scenario):
    ready_language(language)
    results = run_suite([language], scenarios=(scenario,), timeout=120)
    for result in results:
        assert result.status in (PASSED, NOT_APPLICABLE), (
            f"{result.sample}: {result.reason}\n--- stdout\n{result.stdout[-3000:]}\n--- stderr\n"
            f"{result.stderr[-3000:]}"
        )
    if scenario.name == PLAIN:
        for result, sample in zip(results, language.samples, strict=True):
            assert sorted(result.findings) == sorted(sample.expected_findings)


UNIT_TESTED = [language for language in registry.LANGUAGES if language.unit_tests]


@pytest.mark.parametrize("language", UNIT_TESTED, ids=[language.name for language in UNIT_TESTED])
def test_the_languages_own_unit_tests_pass(language):
    ready_language(language)
    result = run_process(language.unit_tests, cwd=language.path, env=scrubbed(os.environ), timeout=300)
    assert result.ok, result.output_tail(60)
    assert " passed, 0 failed" in result.stdout


def test_the_cli_stub_serves_boto3_and_the_javascript_sdk_at_once(tmp_path):
    import json
    import signal
    import subprocess
    import sys
    from concurrent.futures import ThreadPoolExecutor
    from pathlib import Path

    from bedrock_stub import Credentials

    from bedrock_mirror.environment import sample_environment
    from tests.helpers import HAIKU, bedrock_client, messages_body

    javascript = registry.language("javascript")
    ready_language(javascript)
    journal = tmp_path / "journal.jsonl"
    stub = subprocess.Popen(
        [sys.executable, "-m", "bedrock_stub", "--port", "0", "--reply", TRICKY_REPLY, "--journal", str(journal)],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        url = stub.stdout.readline().strip()
        env = sample_environment(url, Credentials(), Path(tmp_path))

        def node_sample():
            return run_process(("node", "runners/stream_claude_3.js"), cwd=javascript.path, env=env, timeout=60)

        def boto3_call():
            body = bedrock_client(url).invoke_model(modelId=HAIKU, body=messages_body())["body"].read()
            return json.loads(body)["content"][0]["text"]

        with ThreadPoolExecutor(4) as pool:
            node_runs = [pool.submit(node_sample) for _ in range(2)]
            boto3_runs = [pool.submit(boto3_call) for _ in range(4)]
            assert [run.result().stdout for run in node_runs] == [TRICKY_REPLY + "\n"] * 2
            assert [run.result() for run in boto3_runs] == [TRICKY_REPLY] * 4
    finally:
        stub.send_signal(signal.SIGTERM)
        assert stub.wait(timeout=15) == 0
    versions = sorted(json.loads(line)["http_version"] for line in journal.read_text().splitlines())
    assert versions == ["1.1"] * 4 + ["2"] * 2


NONCONFORMING = [(language, sample) for language, sample in SAMPLES if sample.expected_findings]


@pytest.mark.parametrize("language, sample", NONCONFORMING, ids=[sample.id for _, sample in NONCONFORMING])
def test_a_strict_stub_rejects_what_real_bedrock_documents_and_the_sample_reports_it(language, sample):
    """The default stub records these findings (checked above); in strict mode the request is refused."""
    ready_language(language)
    finding = sample.expected_findings[0]
    with Stub(strict=True) as strict_stub:
        run = pipeline.run_against(language, sample.run, strict_stub, timeout=120)
    plain = pipeline.judge(pipeline.base_result(language, sample, "t"), sample, run.process, run.expected, run.entries)
    assert plain.status == "failed", "a strict stub must not answer a request that breaks a documented rule"
    expectation = pipeline.Expectation(
        "error", error="ValidationException", message=finding, path=sample.error_path("ValidationException")
    )
    reported = pipeline.judge_error(pipeline.base_result(language, sample, "t"), sample, run, expectation)
    assert reported.status == PASSED, reported.reason
