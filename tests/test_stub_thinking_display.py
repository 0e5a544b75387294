"""`thinking.display` and the models that omit their thinking by default, through boto3 and the Anthropic SDK.

The facts and their sources are in stub/bedrock_stub/models.py (thinking display) and catalogue.py (the models):
on Opus 4.7 and later, Sonnet 5, Fable 5 and Opus 5.5 real Bedrock sends the thinking block with an empty text and a
signature unless the request asks for `display: "summarized"`; Sonnet 4.6 and earlier send the summary unasked.
"""

from __future__ import annotations

import base64
import json

import pytest
from bedrock_stub import Stub
from bedrock_stub.catalogue import CATALOGUE, INVALID_MODEL_ID, Catalogue
from bedrock_stub.errors import BedrockError
from botocore.exceptions import ClientError

from tests.helpers import anthropic_bedrock_client, bedrock_client

THOUGHT = "The user asks a simple, practical question."
ANSWER = "Look both ways, then cross."
QUESTION = {"role": "user", "content": [{"text": "How do I cross the street?"}]}
ADAPTIVE = {"type": "adaptive"}
SUMMARIZED = {"type": "adaptive", "display": "summarized"}
OMITTED = {"type": "adaptive", "display": "omitted"}
# Profiles of models that omit their thinking by default, one per release the reports name.
OMITTING = [
    "global.anthropic.claude-opus-4-7",
    "us.anthropic.claude-opus-4-8",
    "global.anthropic.claude-sonnet-5",
    "global.anthropic.claude-opus-5",
    "global.anthropic.claude-fable-5",
    "jp.anthropic.claude-opus-5-5",
]
SONNET_46 = "us.anthropic.claude-sonnet-4-6"


@pytest.fixture(scope="module")
def stub():
    with Stub(reply=ANSWER, reasoning=THOUGHT) as running:
        yield running


def invoke(client, model_id, thinking, stream=False):
    body = json.dumps(
        {
            "anthropic_version": "bedrock-2023-05-31",
            "max_tokens": 4096,
            "messages": [{"role": "user", "content": "How do I cross the street?"}],
            "thinking": thinking,
        }
    )
    if not stream:
        return json.loads(client.invoke_model(modelId=model_id, body=body)["body"].read())
    reply = client.invoke_model_with_response_stream(modelId=model_id, body=body)
    return [json.loads(event["chunk"]["bytes"]) for event in reply["body"]]


def assert_signed(signature):
    assert signature and base64.b64decode(signature, validate=True)


@pytest.mark.parametrize("model_id", OMITTING)
def test_invoke_model_omits_the_thinking_text_by_default(stub, model_id):
    reply = invoke(bedrock_client(stub.url), model_id, ADAPTIVE)
    thinking, text = reply["content"]
    assert (thinking["type"], thinking["thinking"]) == ("thinking", "")
    assert_signed(thinking["signature"])
    assert text == {"type": "text", "text": ANSWER}


@pytest.mark.parametrize("model_id", OMITTING)
def test_invoke_model_sends_the_summary_when_asked(stub, model_id):
    reply = invoke(bedrock_client(stub.url), model_id, SUMMARIZED)
    assert reply["content"][0]["thinking"] == THOUGHT


def test_sonnet_4_6_sends_its_summary_unasked_and_omits_it_when_asked(stub):
    client = bedrock_client(stub.url)
    assert invoke(client, SONNET_46, ADAPTIVE)["content"][0]["thinking"] == THOUGHT
    assert invoke(client, SONNET_46, OMITTED)["content"][0]["thinking"] == ""
    budget = {"type": "enabled", "budget_tokens": 2048, "display": "omitted"}
    assert invoke(client, SONNET_46, budget)["content"][0]["thinking"] == ""


def _thinking_deltas(events):
    return [
        event["delta"]["type"] for event in events if event["type"] == "content_block_delta" and event["index"] == 0
    ]


def test_a_stream_of_omitted_thinking_carries_the_signature_and_no_thinking_delta(stub):
    client = bedrock_client(stub.url)
    omitted = invoke(client, "global.anthropic.claude-sonnet-5", ADAPTIVE, stream=True)
    assert _thinking_deltas(omitted) == ["signature_delta"]
    start = next(event for event in omitted if event["type"] == "content_block_start")
    assert start["content_block"]["type"] == "thinking"
    summarized = invoke(client, "global.anthropic.claude-sonnet-5", SUMMARIZED, stream=True)
    deltas = _thinking_deltas(summarized)
    assert deltas[-1] == "signature_delta" and set(deltas[:-1]) == {"thinking_delta"}


def test_converse_returns_an_empty_signed_reasoning_text_by_default(stub):
    client = bedrock_client(stub.url)
    fields = {"thinking": ADAPTIVE}
    first = client.converse(
        modelId="global.anthropic.claude-opus-5", messages=[QUESTION], additionalModelRequestFields=fields
    )
    reasoning, text = first["output"]["message"]["content"]
    assert reasoning["reasoningContent"]["reasoningText"]["text"] == ""
    assert_signed(reasoning["reasoningContent"]["reasoningText"]["signature"])
    assert text == {"text": ANSWER}
    # The empty, signed block goes back in the next turn, as clients replay it.
    follow_up = [QUESTION, first["output"]["message"], {"role": "user", "content": [{"text": "And at night?"}]}]
    second = client.converse(
        modelId="global.anthropic.claude-opus-5", messages=follow_up, additionalModelRequestFields=fields
    )
    assert second["output"]["message"]["content"][-1] == {"text": ANSWER}
    shown = client.converse(
        modelId="global.anthropic.claude-opus-5",
        messages=[QUESTION],
        additionalModelRequestFields={"thinking": SUMMARIZED},
    )
    assert shown["output"]["message"]["content"][0]["reasoningContent"]["reasoningText"]["text"] == THOUGHT


def test_converse_stream_sends_only_the_signature_of_omitted_thinking(stub):
    client = bedrock_client(stub.url)
    reply = client.converse_stream(
        modelId="us.anthropic.claude-opus-4-8", messages=[QUESTION], additionalModelRequestFields={"thinking": ADAPTIVE}
    )
    reasoning = [
        event["contentBlockDelta"]["delta"]["reasoningContent"]
        for event in reply["stream"]
        if "contentBlockDelta" in event and "reasoningContent" in event["contentBlockDelta"]["delta"]
    ]
    assert len(reasoning) == 1 and set(reasoning[0]) == {"signature"}


def test_an_unknown_display_is_refused(stub):
    client = bedrock_client(stub.url)
    with pytest.raises(ClientError) as caught:
        client.converse(
            modelId="global.anthropic.claude-opus-4-7",
            messages=[QUESTION],
            additionalModelRequestFields={"thinking": {"type": "adaptive", "display": "full"}},
        )
    error = caught.value.response["Error"]
    assert error["Code"] == "ValidationException"
    assert error["Message"].startswith("The model returned the following errors: thinking.adaptive.display")


def test_the_anthropic_sdk_sees_omitted_thinking_on_opus_4_7_and_the_summary_it_asks_for(stub):
    client = anthropic_bedrock_client(stub.url)
    request = {
        "model": "global.anthropic.claude-opus-4-7",
        "max_tokens": 4096,
        "messages": [{"role": "user", "content": "Hi"}],
    }
    omitted = client.messages.create(**request, thinking=ADAPTIVE)
    assert [block.type for block in omitted.content] == ["thinking", "text"]
    assert omitted.content[0].thinking == ""
    assert_signed(omitted.content[0].signature)
    summarized = client.messages.create(**request, thinking=SUMMARIZED)
    assert summarized.content[0].thinking == THOUGHT
    with client.messages.stream(**request, thinking=ADAPTIVE) as stream:
        deltas = [event.delta.type for event in stream if event.type == "content_block_delta" and event.index == 0]
        final = stream.get_final_message()
    assert deltas == ["signature_delta"]
    assert final.content[0].thinking == "" and final.content[1].text == ANSWER


RELEASES = [
    "anthropic.claude-fable-5",
    "anthropic.claude-fable-5-1",
    "anthropic.claude-fable-5-2",
    "anthropic.claude-opus-5-5",
    "anthropic.claude-sonnet-5-5",
    "anthropic.claude-haiku-5-5",
]


@pytest.mark.parametrize("base_id", RELEASES)
def test_the_releases_after_opus_5_answer_through_their_profiles_only(stub, base_id):
    model = next(model for model in CATALOGUE if model.model_id == base_id)
    client = bedrock_client(stub.url)
    for prefix in model.profiles:
        answer = client.converse(
            modelId=f"{prefix}.{base_id}", messages=[QUESTION], additionalModelRequestFields={"thinking": ADAPTIVE}
        )
        assert answer["output"]["message"]["content"][-1] == {"text": ANSWER}
    with pytest.raises(ClientError) as caught:
        client.converse(modelId=base_id, messages=[QUESTION])
    assert "with on-demand throughput isn't supported" in caught.value.response["Error"]["Message"]
    with pytest.raises(ClientError) as caught:
        client.converse(
            modelId=f"{model.profiles[0]}.{base_id}",
            messages=[QUESTION],
            inferenceConfig={"maxTokens": 4096},
            additionalModelRequestFields={"thinking": {"type": "enabled", "budget_tokens": 2048}},
        )
    assert '"thinking.type.enabled" is not supported for this model.' in caught.value.response["Error"]["Message"]


def test_opus_5_5_has_the_profiles_listed_in_tokyo_and_no_eu_profile():
    catalogue = Catalogue()
    for model_id in ("jp.anthropic.claude-opus-5-5", "global.anthropic.claude-opus-5-5"):
        assert catalogue.resolve(model_id).title == "Claude Opus 5.5"
    with pytest.raises(BedrockError) as caught:
        catalogue.resolve("eu.anthropic.claude-opus-5-5")
    assert caught.value.message == INVALID_MODEL_ID


def test_a_models_file_can_mark_a_model_as_omitting_its_thinking(tmp_path):
    models = tmp_path / "models.json"
    models.write_text(
        '{"models": [{"model_id": "anthropic.claude-sonnet-5-5", "omits_thinking": true}]}', encoding="utf-8"
    )
    with Stub(reply=ANSWER, reasoning=THOUGHT, models=str(models)) as running:
        client = bedrock_client(running.url)
        reply = invoke(client, "us.anthropic.claude-sonnet-5-5", ADAPTIVE)
    assert reply["content"][0]["thinking"] == ""
