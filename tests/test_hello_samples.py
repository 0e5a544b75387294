"""The getting-started examples that call Claude: what each sends, and where their answer is printed.

The expected bodies are written out from the documented examples (JavaScript's `hello.js`, Go's `hello/hello.go`
now and as it was while it called Claude 2, .NET's `HelloBedrockRuntime.cs`), so a sample that drifts from its
original fails here.
"""

from __future__ import annotations

import json

import pytest
from bedrock_stub import CONVERSE, INVOKE_MODEL, Stub

from bedrock_mirror import pipeline, registry
from bedrock_mirror.extraction import WHOLE_OUTPUT
from tests.helpers import ready_language

HAIKU_4_5_GLOBAL = "global.anthropic.claude-haiku-4-5-20251001-v1:0"
EXPECTED = {
    "javascript-hello": (
        CONVERSE,
        HAIKU_4_5_GLOBAL,
        {"messages": [{"role": "user", "content": [{"text": "Hi. In a short paragraph, explain what you can do."}]}]},
    ),
    "go-hello": (
        CONVERSE,
        HAIKU_4_5_GLOBAL,
        {
            "messages": [
                {"role": "user", "content": [{"text": "Hello. In a short paragraph, explain what you can do."}]}
            ]
        },
    ),
    "dotnet-hello": (
        CONVERSE,
        HAIKU_4_5_GLOBAL,
        {"messages": [{"role": "user", "content": [{"text": "Hi. In a short paragraph, explain what you can do."}]}]},
    ),
    "go-hello-claude2": (
        INVOKE_MODEL,
        "anthropic.claude-v2",
        {"prompt": "Human: Hello, how are you today?\n\nAssistant:", "max_tokens_to_sample": 200},
    ),
}
ANSWER = "Hello back: a reply\nover two lines"


def _entry(sample_id: str) -> tuple[registry.Language, registry.Sample]:
    return next((language, sample) for language, sample in registry.all_samples() if sample.id == sample_id)


@pytest.mark.parametrize("sample_id", sorted(EXPECTED))
def test_the_registry_names_the_documented_operation_and_model(sample_id):
    _, sample = _entry(sample_id)
    operation, model_id, _ = EXPECTED[sample_id]
    assert (sample.operation, sample.model_id) == (operation, model_id)


@pytest.mark.end_to_end
@pytest.mark.parametrize("sample_id", sorted(EXPECTED))
def test_the_hello_example_sends_the_documented_body_and_prints_the_answer_after_its_label(sample_id):
    language, sample = _entry(sample_id)
    ready_language(language)
    # The stub serves the region the example signs for (.NET's signs for us-west-2).
    with Stub(reply=ANSWER, regions=[sample.region]) as stub:
        run = pipeline.run_against(language, sample.run, stub, timeout=120)
    assert run.process.exit_code == 0, run.process.stderr
    (entry,) = run.entries
    operation, model_id, body = EXPECTED[sample_id]
    assert (entry.operation, entry.model_id) == (operation, model_id)
    assert json.loads(entry.body) == body
    assert sample.extraction.extract(run.process.stdout) == ANSWER
    if sample.extraction == WHOLE_OUTPUT:
        # .NET's prints the reply and nothing else.
        assert run.process.stdout.rstrip("\n") == ANSWER
    else:
        # The label starts its own line, after what the program printed first.
        assert run.process.stdout.index(ANSWER.splitlines()[0]) > 0
