"""Every registered sample, built with its own toolchain, run against a live stub.

A language whose toolchain is missing here is skipped with the message naming it, or fails under MIRROR_REQUIRE.
"""

from __future__ import annotations

import functools
import os

import pytest
from conftest import TRICKY_REPLY

from harness import pipeline, registry
from harness.environment import scrubbed
from harness.process import run_process
from harness.registry import Language, Sample
from harness.results import PASSED
from harness.strictness import required_languages
from harness.stub import Stub

pytestmark = pytest.mark.end_to_end
SAMPLES = registry.all_samples()
IDS = [sample.id for _, sample in SAMPLES]


@functools.cache
def _prepare(name: str) -> pipeline.Preparation:
    return pipeline.prepare(registry.language(name), log=lambda message: None)


def ready(language: Language) -> None:
    """Installs and builds once per test run; skips (or fails, if required) when the language cannot run."""
    preparation = _prepare(language.name)
    if preparation.failure:
        pytest.fail(f"{language.name} did not build: {preparation.failure}")
    if preparation.skip_reason:
        if language.name in required_languages(registry.language_names()):
            pytest.fail(f"{language.name} is required (MIRROR_REQUIRE) but cannot run: {preparation.skip_reason}")
        pytest.skip(preparation.skip_reason)


def run(language: Language, sample: Sample, stub: Stub):
    return pipeline.run_sample(language, sample, stub, run_id="test", timeout=120)


@pytest.mark.parametrize("language, sample", SAMPLES, ids=IDS)
def test_prints_a_tricky_reply_exactly(language, sample):
    ready(language)
    with Stub(reply=TRICKY_REPLY) as stub:
        result = run(language, sample, stub)
    assert result.status == PASSED, f"{result.reason}\n{result.stdout}\n{result.stderr}"
    assert result.extracted_text == TRICKY_REPLY
    assert sorted(result.findings) == sorted(sample.expected_findings)


@pytest.mark.parametrize("language, sample", SAMPLES, ids=IDS)
def test_access_denied_reaches_the_samples_own_error_path(language, sample):
    ready(language)
    message = "You don't have access to the model with the specified model ID. (injected for this test)"
    with Stub() as stub:
        stub.inject_error("AccessDeniedException", message)
        result = run(language, sample, stub)
    if sample.on_error.exit_code is None:
        assert result.exit_code not in (0, None), result.stdout + result.stderr
    else:
        assert result.exit_code == sample.on_error.exit_code, result.stdout + result.stderr
    printed = result.stdout if sample.on_error.stream == "stdout" else result.stderr
    expected = sample.on_error.expected_line(sample.model_id, "AccessDeniedException", message)
    assert any(expected in line for line in printed.splitlines()), f"expected {expected!r} in a line of:\n{printed}"
    assert message in printed
    own = [
        entry
        for entry in result.journal
        if pipeline.is_own_request(sample, entry["operation"], entry["model_id"], entry["body"])
    ]
    assert [entry["error_type"] for entry in own] == ["AccessDeniedException"]


UNIT_TESTED = [language for language in registry.LANGUAGES if language.unit_tests]


@pytest.mark.parametrize("language", UNIT_TESTED, ids=[language.name for language in UNIT_TESTED])
def test_the_languages_own_unit_tests_pass(language):
    ready(language)
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

    from conftest import HAIKU, bedrock_client, messages_body

    from harness.environment import sample_environment
    from harness.stub import Credentials

    javascript = registry.language("javascript")
    ready(javascript)
    journal = tmp_path / "journal.jsonl"
    stub = subprocess.Popen(
        [sys.executable, "-m", "harness.stub", "--port", "0", "--reply", TRICKY_REPLY, "--journal", str(journal)],
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
