"""Extended thinking: the stub's reasoning block, as real clients parse it, and the rules Bedrock applies to it.

Every client here (boto3's four operations, the Anthropic SDK's Bedrock client, plain and streamed) must read back
exactly the reasoning and the answer the stub was told to send.
"""

from __future__ import annotations

import base64
import json
import signal
import subprocess
import sys

import pytest
from bedrock_stub import CATALOGUE, Catalogue, Stub
from bedrock_stub.converse import MODEL_ERRORS
from bedrock_stub.models import (
    BUDGET_MISSING,
    BUDGET_TOO_SMALL,
    MAX_TOKENS_NOT_ABOVE_BUDGET,
    THINKING_TEMPERATURE,
    THINKING_TOP_K,
    THINKING_TOP_P,
)
from bedrock_stub.replies import DEFAULT_REASONING, load_rules_file

from tests.helpers import HAIKU, anthropic_bedrock_client, bedrock_client, messages_body

SONNET_4 = "us.anthropic.claude-sonnet-4-20250514-v1:0"
THINKING = {"type": "enabled", "budget_tokens": 2000}
USER = [{"role": "user", "content": [{"text": "Why say hello?"}]}]
THOUGHT = 'Première pensée — 思考 🙂, a "quote" and a back\\slash\nsecond line of thought'
ANSWER = "The answer, after thinking."


@pytest.fixture
def thinking_stub():
    with Stub(reply=ANSWER, reasoning=THOUGHT, stream_piece_chars=5) as running:
        yield running


def test_converse_sends_the_reasoning_block_before_the_text(thinking_stub):
    client = bedrock_client(thinking_stub.url)
    response = client.converse(modelId=SONNET_4, messages=USER, additionalModelRequestFields={"thinking": THINKING})
    reasoning, text = response["output"]["message"]["content"]
    assert reasoning["reasoningContent"]["reasoningText"]["text"] == THOUGHT
    assert base64.b64decode(reasoning["reasoningContent"]["reasoningText"]["signature"], validate=True)
    assert text == {"text": ANSWER}
    assert response["stopReason"] == "end_turn"


def test_converse_stream_sends_reasoning_deltas_then_the_signature_then_the_text(thinking_stub):
    client = bedrock_client(thinking_stub.url)
    events = list(
        client.converse_stream(modelId=SONNET_4, messages=USER, additionalModelRequestFields={"thinking": THINKING})[
            "stream"
        ]
    )
    deltas = [event["contentBlockDelta"] for event in events if "contentBlockDelta" in event]
    reasoning = [d["delta"]["reasoningContent"] for d in deltas if d["contentBlockIndex"] == 0]
    assert "".join(piece.get("text", "") for piece in reasoning) == THOUGHT
    assert len(reasoning) > 2  # streamed in pieces
    assert list(reasoning[-1]) == ["signature"] and reasoning[-1]["signature"]
    assert all("signature" not in piece for piece in reasoning[:-1])
    assert "".join(d["delta"]["text"] for d in deltas if d["contentBlockIndex"] == 1) == ANSWER
    stops = [event["contentBlockStop"]["contentBlockIndex"] for event in events if "contentBlockStop" in event]
    assert stops == [0, 1]


def test_invoke_model_sends_a_thinking_block_before_the_text(thinking_stub):
    client = bedrock_client(thinking_stub.url)
    body = messages_body(max_tokens=4000, thinking=THINKING)
    reply = json.loads(client.invoke_model(modelId=SONNET_4, body=body)["body"].read())
    thinking, text = reply["content"]
    assert (thinking["type"], thinking["thinking"]) == ("thinking", THOUGHT)
    assert thinking["signature"]
    assert text == {"type": "text", "text": ANSWER}


def test_invoke_stream_sends_thinking_deltas_a_signature_delta_then_the_text_block(thinking_stub):
    client = bedrock_client(thinking_stub.url)
    body = messages_body(max_tokens=4000, thinking=THINKING)
    response = client.invoke_model_with_response_stream(modelId=SONNET_4, body=body)
    events = [json.loads(event["chunk"]["bytes"]) for event in response["body"]]
    kinds = [(e["type"], e.get("index"), e.get("delta", {}).get("type")) for e in events]
    assert kinds[1] == ("content_block_start", 0, None)
    assert events[1]["content_block"] == {"type": "thinking", "thinking": "", "signature": ""}
    thinking = [e["delta"]["thinking"] for e in events if e.get("delta", {}).get("type") == "thinking_delta"]
    assert "".join(thinking) == THOUGHT
    signature_at = kinds.index(("content_block_delta", 0, "signature_delta"))
    assert kinds[signature_at + 1] == ("content_block_stop", 0, None)
    assert kinds[signature_at + 2] == ("content_block_start", 1, None)
    text = [e["delta"]["text"] for e in events if e.get("delta", {}).get("type") == "text_delta"]
    assert "".join(text) == ANSWER


@pytest.fixture
def anthropic_client(thinking_stub):
    return anthropic_bedrock_client(thinking_stub.url)


def test_anthropic_sdk_reads_the_thinking_block(anthropic_client):
    message = anthropic_client.messages.create(
        model=SONNET_4, max_tokens=4000, thinking=THINKING, messages=[{"role": "user", "content": "Why?"}]
    )
    assert [block.type for block in message.content] == ["thinking", "text"]
    assert message.content[0].thinking == THOUGHT and message.content[0].signature
    assert message.content[1].text == ANSWER


def test_anthropic_sdk_streams_the_thinking_then_the_text(anthropic_client):
    thinking, text = [], []
    with anthropic_client.messages.stream(
        model=SONNET_4, max_tokens=4000, thinking=THINKING, messages=[{"role": "user", "content": "Why?"}]
    ) as stream:
        for event in stream:
            if event.type == "thinking":
                thinking.append(event.thinking)
            elif event.type == "text":
                text.append(event.text)
        final = stream.get_final_message()
    assert ("".join(thinking), "".join(text)) == (THOUGHT, ANSWER)
    assert final.content[0].type == "thinking" and final.content[0].signature
    assert final.content[0].thinking == THOUGHT


def test_without_thinking_there_is_no_reasoning_block(thinking_stub):
    client = bedrock_client(thinking_stub.url)
    assert client.converse(modelId=SONNET_4, messages=USER)["output"]["message"]["content"] == [{"text": ANSWER}]
    disabled = {"thinking": {"type": "disabled"}}
    content = client.converse(modelId=SONNET_4, messages=USER, additionalModelRequestFields=disabled)
    assert content["output"]["message"]["content"] == [{"text": ANSWER}]


def test_a_queued_reply_or_a_rule_brings_its_own_reasoning_and_the_setter_changes_the_default(thinking_stub):
    client = bedrock_client(thinking_stub.url)
    thinking_stub.queue_reply("queued answer", reasoning="queued thought")
    thinking_stub.add_rule(contains="rule", text="rule answer", reasoning="rule thought")
    fields = {"thinking": THINKING}

    def converse(text: str) -> list[dict]:
        messages = [{"role": "user", "content": [{"text": text}]}]
        return client.converse(modelId=SONNET_4, messages=messages, additionalModelRequestFields=fields)["output"][
            "message"
        ]["content"]

    assert converse("anything")[0]["reasoningContent"]["reasoningText"]["text"] == "queued thought"
    assert converse("a rule applies")[0]["reasoningContent"]["reasoningText"]["text"] == "rule thought"
    thinking_stub.reasoning = "changed thought"
    assert converse("plain")[0]["reasoningContent"]["reasoningText"]["text"] == "changed thought"


def test_the_default_reasoning_is_a_sentence_and_a_nonce_per_start():
    with Stub() as first, Stub() as second:
        assert first.reasoning.startswith(DEFAULT_REASONING) and second.reasoning.startswith(DEFAULT_REASONING)
        assert first.reasoning != second.reasoning


def test_a_rules_file_entry_takes_reasoning(tmp_path):
    path = tmp_path / "rules.json"
    path.write_text(json.dumps({"queue": [{"text": "a", "reasoning": "b"}]}))
    assert load_rules_file(path)[1][0].reasoning == "b"
    path.write_text(json.dumps({"queue": [{"text": "a", "reasoning": 3}]}))
    with pytest.raises(ValueError, match="reasoning must be a string"):
        load_rules_file(path)


@pytest.mark.parametrize(
    ("config", "thinking", "extra", "message"),
    [
        ({}, {"type": "enabled", "budget_tokens": 1023}, {}, BUDGET_TOO_SMALL),
        ({}, {"type": "enabled"}, {}, BUDGET_MISSING),
        ({"maxTokens": 2000}, THINKING, {}, MAX_TOKENS_NOT_ABOVE_BUDGET),
        ({"temperature": 0.5}, THINKING, {}, THINKING_TEMPERATURE),
        ({"topP": 0.5}, THINKING, {}, THINKING_TOP_P),
        ({}, THINKING, {"top_k": 5}, THINKING_TOP_K),
        ({}, {"type": "sometimes"}, {}, "thinking: Input tag 'sometimes' found using 'type' does not match"),
    ],
)
def test_converse_refuses_what_thinking_does_not_allow(thinking_stub, config, thinking, extra, message):
    client = bedrock_client(thinking_stub.url)
    with pytest.raises(client.exceptions.ValidationException) as raised:
        client.converse(
            modelId=SONNET_4,
            messages=USER,
            inferenceConfig=config,
            additionalModelRequestFields={"thinking": thinking, **extra},
        )
    assert raised.value.response["Error"]["Message"].startswith(MODEL_ERRORS + message)


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        ({"max_tokens": 2000}, MAX_TOKENS_NOT_ABOVE_BUDGET),
        ({"max_tokens": 4000, "temperature": 0.7}, THINKING_TEMPERATURE),
        ({"max_tokens": 4000, "top_k": 40}, THINKING_TOP_K),
        ({"max_tokens": 4000, "thinking": {"type": "enabled", "budget_tokens": 100}}, BUDGET_TOO_SMALL),
    ],
)
def test_invoke_model_refuses_what_thinking_does_not_allow(thinking_stub, extra, message):
    client = bedrock_client(thinking_stub.url)
    body = messages_body(**{"thinking": THINKING, **extra})
    with pytest.raises(client.exceptions.ValidationException) as raised:
        client.invoke_model(modelId=SONNET_4, body=body)
    assert raised.value.response["Error"]["Message"] == message


def test_temperature_one_and_top_p_from_095_go_with_thinking(thinking_stub):
    client = bedrock_client(thinking_stub.url)
    response = client.converse(
        modelId=SONNET_4,
        messages=USER,
        inferenceConfig={"temperature": 1, "topP": 0.95},
        additionalModelRequestFields={"thinking": THINKING},
    )
    assert len(response["output"]["message"]["content"]) == 2


def test_a_model_without_thinking_refuses_the_key_as_unknown(thinking_stub):
    client = bedrock_client(thinking_stub.url)
    with pytest.raises(client.exceptions.ValidationException, match=r"extraneous key \[thinking\]"):
        client.converse(modelId=HAIKU, messages=USER, additionalModelRequestFields={"thinking": THINKING})
    with pytest.raises(client.exceptions.ValidationException, match=r"extraneous key \[thinking\]"):
        client.invoke_model(modelId=HAIKU, body=messages_body(max_tokens=4000, thinking=THINKING))


def test_the_catalogue_flags_exactly_claude_3_7_and_the_4_family_for_thinking():
    flagged = {model.title for model in CATALOGUE if model.thinking}
    assert flagged == {
        "Claude 3.7 Sonnet",
        "Claude Sonnet 4",
        "Claude Opus 4",
        "Claude Opus 4.1",
        "Claude Sonnet 4.5",
        "Claude Haiku 4.5",
        "Claude Opus 4.5",
        "Claude Opus 4.6",
        "Claude Sonnet 4.6",
        "Claude Opus 4.7",
        "Claude Opus 4.8",
        "Claude Sonnet 5",
        "Claude Opus 5",
        "Claude Fable 5",
        "Claude Fable 5.1",
        "Claude Opus 5.5",
        "Claude Sonnet 5.5",
        "Claude Haiku 5.5",
        "Claude Fable 5.2",
    }


@pytest.mark.parametrize(
    ("model_id", "base"),
    [
        ("global.anthropic.claude-haiku-4-5-20251001-v1:0", "anthropic.claude-haiku-4-5-20251001-v1:0"),
        ("us.anthropic.claude-sonnet-4-20250514-v1:0", "anthropic.claude-sonnet-4-20250514-v1:0"),
        ("anthropic.claude-3-haiku-20240307-v1:0", "anthropic.claude-3-haiku-20240307-v1:0"),
        ("arn:aws:bedrock:us-east-1::foundation-model/anthropic.claude-v2", "anthropic.claude-v2"),
        (
            "arn:aws:bedrock:us-east-1:123456789012:inference-profile/us.anthropic.claude-3-5-haiku-20241022-v1:0",
            "anthropic.claude-3-5-haiku-20241022-v1:0",
        ),
        ("mars.anthropic.claude-v2", None),
        ("amazon.titan-text-express-v1", None),
    ],
)
def test_model_behind_resolves_profiles_and_arns(model_id, base):
    model = Catalogue().model_behind(model_id)
    assert (model.model_id if model else None) == base


def test_cli_serves_the_given_reasoning():
    process = subprocess.Popen(
        [sys.executable, "-m", "bedrock_stub", "--port", "0", "--reply", "cli answer", "--reasoning", "cli thought"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        assert process.stdout is not None
        url = process.stdout.readline().strip()
        response = bedrock_client(url).converse(
            modelId=SONNET_4, messages=USER, additionalModelRequestFields={"thinking": THINKING}
        )
        reasoning, text = response["output"]["message"]["content"]
        assert reasoning["reasoningContent"]["reasoningText"]["text"] == "cli thought"
        assert text["text"] == "cli answer"
    finally:
        process.send_signal(signal.SIGTERM)
        process.communicate(timeout=15)
    assert process.returncode == 0
