"""The reasoning examples print the model's reasoning too, which the registry's extraction cuts away.

Each must show exactly the reasoning the stub sent, where upstream prints it: the synchronous and asynchronous
examples print the SDK's rendering of the reasoning text block (`ReasoningTextBlock(Text=..., Signature=...)`)
between `<thinking>` tags, the streaming one the streamed reasoning itself.
"""

from __future__ import annotations

import pytest
from bedrock_stub import Stub

from bedrock_mirror import pipeline, registry
from tests.helpers import ready_language

pytestmark = pytest.mark.end_to_end
JAVA = registry.language("java")
REASONING = [sample for sample in JAVA.samples if sample.id.startswith("java-reasoning")]
THOUGHT = "Weighing it: 'hello world' — the smallest program; «ça marche» 世界"
ANSWER = "It proves the toolchain works."


def test_the_three_reasoning_examples_are_registered():
    assert [sample.id for sample in REASONING] == ["java-reasoning", "java-reasoning-async", "java-reasoning-stream"]


@pytest.mark.parametrize("sample", REASONING, ids=[sample.id for sample in REASONING])
def test_the_reasoning_is_printed_between_thinking_tags_before_the_answer(sample):
    ready_language(JAVA)
    with Stub(reply=ANSWER, reasoning=THOUGHT) as stub:
        run = pipeline.run_against(JAVA, sample.run, stub, timeout=120)
        sent = stub.journal.entries()[-1].body
    assert run.process.exit_code == 0, run.process.stderr
    assert '"thinking"' in sent and '"budget_tokens":2000' in sent.replace(" ", "")
    stdout = run.process.stdout
    opened, closed = stdout.index("\n<thinking>\n"), stdout.index("\n</thinking>\n\n")
    shown = stdout[opened + len("\n<thinking>\n") : closed]
    if sample.streams:
        assert shown == THOUGHT
    else:
        assert shown.startswith(f"ReasoningTextBlock(Text={THOUGHT}, Signature=")
        assert shown.endswith(")") and len(shown) > len(f"ReasoningTextBlock(Text={THOUGHT}, Signature=)")
    assert sample.extraction.extract(stdout) == ANSWER
