"""Adaptive thinking (`thinking: {"type": "adaptive"}`) as real Bedrock takes it, through boto3 and the Anthropic SDK.

Source of the facts: pydantic/pydantic-ai, tests/models/cassettes/test_bedrock/
test_bedrock_model_thinking_part_anthropic_adaptive.yaml and test_bedrock_model_thinking_part_anthropic_adaptive_effort
.yaml (2026-05-21): Converse on `us.anthropic.claude-sonnet-4-6` with additionalModelRequestFields
`{"thinking": {"type": "adaptive"}}`, and with `"output_config": {"effort": "high"}` beside it, answered 200 with a
reasoning block before the text, and so did the follow-up turn that sent that reasoning back.
"""

from __future__ import annotations

import base64

import pytest
from bedrock_stub import Stub
from botocore.exceptions import ClientError

from tests.helpers import anthropic_bedrock_client, bedrock_client

SONNET_46 = "us.anthropic.claude-sonnet-4-6"
SONNET_45 = "us.anthropic.claude-sonnet-4-5-20250929-v1:0"
ADAPTIVE = {"type": "adaptive"}
QUESTION = {"role": "user", "content": [{"text": "How do I cross the street?"}]}
THOUGHT = "The user asks a simple, practical question."
ANSWER = "Look both ways, then cross."


@pytest.fixture
def thinking_stub():
    with Stub(reply=ANSWER, reasoning=THOUGHT) as running:
        yield running


@pytest.mark.parametrize(
    "fields",
    [{"thinking": ADAPTIVE}, {"thinking": ADAPTIVE, "output_config": {"effort": "high"}}],
    ids=["adaptive", "adaptive_effort"],
)
def test_boto3_converse_with_adaptive_thinking_on_sonnet_4_6(thinking_stub, fields):
    client = bedrock_client(thinking_stub.url)
    first = client.converse(modelId=SONNET_46, messages=[QUESTION], additionalModelRequestFields=fields)
    reasoning, text = first["output"]["message"]["content"]
    assert reasoning["reasoningContent"]["reasoningText"]["text"] == THOUGHT
    assert base64.b64decode(reasoning["reasoningContent"]["reasoningText"]["signature"], validate=True)
    assert text == {"text": ANSWER}
    # The follow-up turn carries the reasoning back, as pydantic-ai's second recorded request does.
    follow_up = [QUESTION, first["output"]["message"], {"role": "user", "content": [{"text": "And at night?"}]}]
    second = client.converse(modelId=SONNET_46, messages=follow_up, additionalModelRequestFields=fields)
    assert second["output"]["message"]["content"][-1] == {"text": ANSWER}


def test_the_anthropic_sdk_sends_adaptive_thinking_to_sonnet_4_6(thinking_stub):
    client = anthropic_bedrock_client(thinking_stub.url)
    message = client.messages.create(
        model=SONNET_46,
        max_tokens=2048,
        messages=[{"role": "user", "content": "How do I cross the street?"}],
        thinking=ADAPTIVE,
    )
    assert [block.type for block in message.content] == ["thinking", "text"]
    assert (message.content[0].thinking, message.content[1].text) == (THOUGHT, ANSWER)


def test_a_model_before_the_4_6_generation_still_refuses_adaptive(thinking_stub):
    client = bedrock_client(thinking_stub.url)
    with pytest.raises(ClientError) as caught:
        client.converse(modelId=SONNET_45, messages=[QUESTION], additionalModelRequestFields={"thinking": ADAPTIVE})
    error = caught.value.response["Error"]
    assert error["Code"] == "ValidationException"
    assert "Input tag 'adaptive'" in error["Message"]


OPUS_47 = "global.anthropic.claude-opus-4-7"
BUDGET = {"type": "enabled", "budget_tokens": 2048}
# Bedrock's words for a budget sent to a model that takes only adaptive thinking (catalogue.py names the sources).
ENABLED_REFUSED = (
    '"thinking.type.enabled" is not supported for this model. '
    'Use "thinking.type.adaptive" and "output_config.effort" to control thinking behavior.'
)


def test_converse_refuses_a_thinking_budget_on_a_model_that_takes_only_adaptive_thinking(thinking_stub):
    client = bedrock_client(thinking_stub.url)
    with pytest.raises(ClientError) as caught:
        client.converse(
            modelId=OPUS_47,
            messages=[QUESTION],
            inferenceConfig={"maxTokens": 4096},
            additionalModelRequestFields={"thinking": BUDGET},
        )
    error = caught.value.response["Error"]
    assert (error["Code"], error["Message"]) == (
        "ValidationException",
        "The model returned the following errors: " + ENABLED_REFUSED,
    )
    answer = client.converse(modelId=OPUS_47, messages=[QUESTION], additionalModelRequestFields={"thinking": ADAPTIVE})
    assert answer["output"]["message"]["content"][-1] == {"text": ANSWER}


def test_the_anthropic_sdk_sees_the_budget_refused_and_adaptive_answered_on_opus_4_7(thinking_stub):
    client = anthropic_bedrock_client(thinking_stub.url)
    import anthropic

    request = {"model": OPUS_47, "max_tokens": 4096, "messages": [{"role": "user", "content": "Hi"}]}
    with pytest.raises(anthropic.BadRequestError) as caught:
        client.messages.create(**request, thinking=BUDGET)
    assert ENABLED_REFUSED in str(caught.value)
    message = client.messages.create(**request, thinking=ADAPTIVE)
    assert [block.type for block in message.content] == ["thinking", "text"]


def test_an_earlier_adaptive_model_still_takes_a_budget(thinking_stub):
    client = bedrock_client(thinking_stub.url)
    answer = client.converse(
        modelId=SONNET_46,
        messages=[QUESTION],
        inferenceConfig={"maxTokens": 4096},
        additionalModelRequestFields={"thinking": BUDGET},
    )
    assert answer["output"]["message"]["content"][-1] == {"text": ANSWER}


def test_a_models_file_can_mark_a_new_model_adaptive_only(tmp_path):
    models = tmp_path / "models.json"
    models.write_text(
        '{"models": [{"model_id": "anthropic.claude-opus-5-5", "max_output_tokens": 128000, "profiles": ["global"],'
        ' "profile_only": true, "thinking": true, "adaptive_only": true}]}',
        encoding="utf-8",
    )
    with Stub(reply=ANSWER, reasoning=THOUGHT, models=str(models)) as stub:
        client = bedrock_client(stub.url)
        with pytest.raises(ClientError) as caught:
            client.converse(
                modelId="global.anthropic.claude-opus-5-5",
                messages=[QUESTION],
                inferenceConfig={"maxTokens": 4096},
                additionalModelRequestFields={"thinking": BUDGET},
            )
    assert caught.value.response["Error"]["Message"].endswith(ENABLED_REFUSED)
