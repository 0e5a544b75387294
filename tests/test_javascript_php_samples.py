"""The JavaScript and PHP samples against the documented examples: what each sends, where it comes from, its markers.

The expected request bodies are written out from the examples in awsdocs/aws-doc-sdk-examples (the paths in each
registry entry's `upstream`), so a sample that drifts from its original fails here even while it still prints the reply.
"""

from __future__ import annotations

import json
from collections import Counter

import pytest
from bedrock_stub import CONVERSE, CONVERSE_STREAM, INVOKE_MODEL, INVOKE_MODEL_STREAM, Stub

from bedrock_mirror import pipeline, registry
from bedrock_mirror.idioms import STEPS, regions_of
from tests.helpers import ready_language

JAVASCRIPT = registry.language("javascript")
PHP = registry.language("php")
HAIKU = "anthropic.claude-3-haiku-20240307-v1:0"
HELLO_WORLD = "Describe the purpose of a 'hello world' program in one line."
ONCE_UPON = 'Write a paragraph starting with: "Once upon a time..."'
DENIED = "You don't have access to the model with the specified model ID."

# The body of every request, as the documented example builds it.
CONVERSE_BODY = {
    "messages": [{"role": "user", "content": [{"text": HELLO_WORLD}]}],
    "inferenceConfig": {"maxTokens": 512, "temperature": 0.5, "topP": 0.9},
}
CLAUDE_3_MESSAGES_BODY = {
    "anthropic_version": "bedrock-2023-05-31",
    "max_tokens": 1000,
    "messages": [{"role": "user", "content": [{"type": "text", "text": ONCE_UPON}]}],
}
JAVASCRIPT_REQUESTS = {
    "javascript": (INVOKE_MODEL, CLAUDE_3_MESSAGES_BODY),
    "javascript-stream": (INVOKE_MODEL_STREAM, CLAUDE_3_MESSAGES_BODY),
    "javascript-converse": (CONVERSE, CONVERSE_BODY),
    "javascript-converse-stream": (CONVERSE_STREAM, CONVERSE_BODY),
}
PHP_BODY = {
    "anthropic_version": "bedrock-2023-05-31",
    "max_tokens": 512,
    "temperature": 0.5,
    "messages": [{"role": "user", "content": "In one paragraph, who are you?"}],
}
UPSTREAM_FILES = {
    "javascript": "javascriptv3/example_code/bedrock-runtime/models/anthropicClaude/invoke_claude_3.js"
    "@1cd0734e05f493674316679c214cc6b1a8dd5db1",
    "javascript-stream": "javascriptv3/example_code/bedrock-runtime/models/anthropicClaude/invoke_claude_3.js"
    "@1cd0734e05f493674316679c214cc6b1a8dd5db1",
    "javascript-converse": "javascriptv3/example_code/bedrock-runtime/models/anthropicClaude/converse.js"
    "@a89efb220839b5db695376620ccabbcaa5320f1c",
    "javascript-converse-stream": "javascriptv3/example_code/bedrock-runtime/models/anthropicClaude/converseStream.js"
    "@a89efb220839b5db695376620ccabbcaa5320f1c",
    "javascript-hello": "javascriptv3/example_code/bedrock-runtime/hello.js@d23f844452433c8ff8e15d5f4b3f79e601db7ed8",
    "php": "php/example_code/bedrock-runtime/BedrockRuntimeService.php@ee6ae7843a927b7ca0c58edc3069e36b6668c723",
    "php-current": "php/example_code/bedrock-runtime/BedrockRuntimeService.php"
    "@cdc783c2e35701245d11139e0b6467e5f711cc46",
}


def sample(language: registry.Language, sample_id: str) -> registry.Sample:
    return next(candidate for candidate in language.samples if candidate.id == sample_id)


def test_every_javascript_and_php_sample_names_its_documented_original():
    samples = {entry.id: entry.upstream for entry in JAVASCRIPT.samples + PHP.samples}
    assert samples == UPSTREAM_FILES


@pytest.mark.parametrize("sample_id", sorted(JAVASCRIPT_REQUESTS))
def test_a_javascript_sample_calls_the_documented_operation_and_model(sample_id):
    entry = sample(JAVASCRIPT, sample_id)
    assert (entry.operation, entry.model_id) == (JAVASCRIPT_REQUESTS[sample_id][0], HAIKU)


def _regions(language: registry.Language, *paths: str) -> Counter[tuple[str, str]]:
    """How many regions each (step, sample) pair has across the files."""
    return Counter(
        (region.step, owner)
        for path in paths
        for region in regions_of(language, language.path / path)
        for owner in region.samples
    )


@pytest.mark.parametrize(
    "sample_id, paths",
    [
        ("javascript-converse", ["models/anthropicClaude/converse.js"]),
        ("javascript-converse-stream", ["models/anthropicClaude/converseStream.js"]),
    ],
)
def test_a_converse_script_marks_each_step_once(sample_id, paths):
    assert _regions(JAVASCRIPT, *paths) == Counter((step, sample_id) for step in STEPS)


def test_the_invoke_module_and_the_streaming_runner_mark_each_step_once_per_sample():
    regions = _regions(JAVASCRIPT, "models/anthropicClaude/invoke_claude_3.js", "runners/stream_claude_3.js")
    assert regions == Counter((step, owner) for step in STEPS for owner in ("javascript", "javascript-stream"))


def test_the_php_service_marks_each_step_once():
    assert _regions(PHP, "src/BedrockRuntimeService.php") == Counter((step, "php") for step in STEPS)
    assert _regions(PHP, "current/BedrockRuntimeService.php") == Counter((step, "php-current") for step in STEPS)


def test_the_seed_pages_class_and_todays_differ_only_where_upstream_changed_it():
    seed = (PHP.path / "src/BedrockRuntimeService.php").read_text()
    today = (PHP.path / "current/BedrockRuntimeService.php").read_text()
    # The nullable, typed client came with today's version (cdc783c), not the seed page's.
    assert "?BedrockRuntimeClient" not in seed and "protected BedrockRuntimeClient" not in seed
    assert "?BedrockRuntimeClient $client" in today and "protected BedrockRuntimeClient $bedrockRuntimeClient;" in today
    assert "'region' => 'us-east-1'" in seed and "'anthropic.claude-3-haiku-20240307-v1:0'" in seed
    assert "'region' => 'us-west-2'" in today and "'global.anthropic.claude-haiku-4-5-20251001-v1:0'" in today
    current = sample(PHP, "php-current")
    assert (current.region, current.model_id) == ("us-west-2", "global.anthropic.claude-haiku-4-5-20251001-v1:0")


@pytest.mark.end_to_end
@pytest.mark.parametrize("sample_id", sorted(JAVASCRIPT_REQUESTS))
def test_a_javascript_sample_sends_the_documented_body(sample_id):
    ready_language(JAVASCRIPT)
    operation, body = JAVASCRIPT_REQUESTS[sample_id]
    with Stub() as stub:
        run = pipeline.run_against(JAVASCRIPT, sample(JAVASCRIPT, sample_id).run, stub, timeout=60)
    [entry] = run.entries
    assert (entry.operation, entry.model_id, entry.status) == (operation, HAIKU, 200)
    assert entry.body is not None and json.loads(entry.body) == body


@pytest.mark.end_to_end
def test_the_converse_stream_script_keeps_the_text_before_a_broken_stream_and_exits_1():
    ready_language(JAVASCRIPT)
    broken_off = "The model stream broke off after the first event."
    with Stub() as stub:
        stub.inject_error("ModelStreamErrorException", broken_off)
        run = pipeline.run_against(JAVASCRIPT, sample(JAVASCRIPT, "javascript-converse-stream").run, stub, timeout=60)
    written, _, error = run.process.stdout.partition("ERROR: ")
    assert run.process.exit_code == 1, run.process.stderr
    # The deltas before the exception frame were written, unterminated, and the error line follows on that line.
    assert written and run.expected.startswith(written) and written != run.expected
    assert error == f"Can't invoke '{HAIKU}'. Reason: ModelStreamErrorException: {broken_off}\n"


@pytest.mark.end_to_end
@pytest.mark.parametrize("sample_id", ["javascript", "javascript-stream"])
def test_the_run_directly_block_and_the_streaming_runner_print_the_error_and_end_normally(sample_id):
    ready_language(JAVASCRIPT)
    with Stub() as stub:
        stub.inject_error("AccessDeniedException", DENIED)
        run = pipeline.run_against(JAVASCRIPT, sample(JAVASCRIPT, sample_id).run, stub, timeout=60)
    assert run.process.exit_code == 0, run.process.stderr
    # Both print the error on a line of its own after an empty one, as the module's `\n${err}` does.
    assert run.process.stdout.endswith(f"\nAccessDeniedException: {DENIED}\n")
    assert "\n\nAccessDeniedException" in "\n" + run.process.stdout


@pytest.mark.end_to_end
def test_the_php_sample_sends_the_documented_body_and_prints_the_empty_answer_after_an_error():
    ready_language(PHP)
    entry_sample = sample(PHP, "php")
    with Stub() as stub:
        answered = pipeline.run_against(PHP, entry_sample.run, stub, timeout=60)
        stub.inject_error("AccessDeniedException", DENIED)
        refused = pipeline.run_against(PHP, entry_sample.run, stub, timeout=60)
    [entry] = answered.entries
    assert (entry.operation, entry.model_id, entry.status) == (INVOKE_MODEL, HAIKU, 200)
    assert entry.body is not None and json.loads(entry.body) == PHP_BODY
    assert refused.process.exit_code == 0, refused.process.stderr
    # The error line from invokeClaude(), then the runner's newline after the empty answer.
    assert refused.process.stdout.startswith('Error: (0) - Error executing "InvokeModel" on "')
    assert f"AccessDeniedException (client): {DENIED}" in refused.process.stdout
    assert refused.process.stdout.endswith("\n\n")


@pytest.mark.end_to_end
def test_todays_php_sample_signs_for_us_west_2_and_prints_the_answer_under_the_scenarios_label():
    ready_language(PHP)
    current = sample(PHP, "php-current")
    with Stub(region=current.region) as stub:
        run = pipeline.run_against(PHP, current.run, stub, timeout=60)
    [entry] = run.entries
    assert (entry.operation, entry.model_id, entry.status, entry.signature) == (
        INVOKE_MODEL,
        current.model_id,
        200,
        "valid",
    )
    assert entry.body is not None and json.loads(entry.body) == PHP_BODY
    assert current.extraction.extract(run.process.stdout) == run.expected
