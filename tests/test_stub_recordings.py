"""Where recordings of real Bedrock traffic showed the stub answering otherwise than Bedrock, driven through boto3."""

from __future__ import annotations

import base64
import json

import pytest

from tests.helpers import HAIKU, messages_body, signed_headers

SONNET_4 = "us.anthropic.claude-sonnet-4-20250514-v1:0"
SONNET_4_BASE = "anthropic.claude-sonnet-4-20250514-v1:0"
USER = [{"role": "user", "content": [{"text": "What is the weather in Paris?"}]}]
TOOLS = {
    "tools": [
        {
            "toolSpec": {
                "name": "get_weather",
                "inputSchema": {"json": {"type": "object", "properties": {"city": {"type": "string"}}}},
            }
        }
    ]
}
THINKING = {"thinking": {"type": "enabled", "budget_tokens": 2048}}


def _reasoning_history(reasoning: dict) -> list[dict]:
    return [
        *USER,
        {
            "role": "assistant",
            "content": [
                {"reasoningContent": reasoning},
                {"toolUse": {"toolUseId": "tooluse_1", "name": "get_weather", "input": {"city": "Paris"}}},
            ],
        },
        {"role": "user", "content": [{"toolResult": {"toolUseId": "tooluse_1", "content": [{"text": "Sunny"}]}}]},
    ]


@pytest.mark.parametrize(
    "reasoning",
    [
        {"reasoningText": {"text": "I should call the tool.", "signature": "c2lnbmF0dXJl"}},
        {"redactedContent": base64.b64encode(b"opaque").decode()},
    ],
    ids=["reasoning-text", "redacted"],
)
def test_reasoning_sent_back_in_history_is_accepted(stub, client, reasoning):
    stub.queue_reply("It is sunny.")
    if "redactedContent" in reasoning:
        reasoning = {"redactedContent": base64.b64decode(reasoning["redactedContent"])}
    response = client.converse(
        modelId=SONNET_4,
        messages=_reasoning_history(reasoning),
        toolConfig=TOOLS,
        inferenceConfig={"maxTokens": 4096},
        additionalModelRequestFields=THINKING,
    )
    assert [block["text"] for block in response["output"]["message"]["content"] if "text" in block] == ["It is sunny."]


def test_a_reasoning_block_holding_both_members_is_refused(stub, client):
    # boto3 refuses a union with two members itself, so this one goes as the wire would carry it.
    import httpx

    path = f"/model/{SONNET_4}/converse"
    body = json.dumps(
        {
            "messages": _reasoning_history({"reasoningText": {"text": "x"}, "redactedContent": "eA=="}),
            "toolConfig": TOOLS,
        }
    ).encode()
    response = httpx.post(stub.url + path, content=body, headers=signed_headers(stub.url + path, body))
    assert response.status_code == 400
    assert response.json()["message"] == (
        "The ContentBlock object at messages.1.content.0 is empty or of an unknown type."
    )


def test_whitespace_text_and_an_assistant_first_conversation_are_accepted(stub, client):
    stub.queue_reply("one")
    stub.queue_reply("two")
    spaced = client.converse(modelId=HAIKU, messages=[{"role": "user", "content": [{"text": "  "}]}])
    assert spaced["output"]["message"]["content"] == [{"text": "one"}]
    assistant_first = [
        {"role": "assistant", "content": [{"text": "How can I help?"}]},
        {"role": "user", "content": [{"text": "Say hi."}]},
    ]
    response = client.converse(modelId=HAIKU, messages=assistant_first)
    assert response["output"]["message"]["content"] == [{"text": "two"}]


def test_a_thinking_budget_above_4096_needs_no_max_tokens(stub, client):
    stub.queue_reply("thought through")
    response = client.converse(
        modelId=SONNET_4,
        messages=USER,
        additionalModelRequestFields={"thinking": {"type": "enabled", "budget_tokens": 8000}},
    )
    assert response["output"]["message"]["content"][-1] == {"text": "thought through"}


@pytest.mark.parametrize("kind", ["image", "document", "video"])
def test_media_from_s3_is_refused_for_claude(stub, client, kind):
    media = {"format": {"image": "png", "document": "pdf", "video": "mp4"}[kind]}
    media["source"] = {"s3Location": {"uri": "s3://bucket/key"}}
    if kind == "document":
        media["name"] = "report"
    content = [{kind: media}, {"text": "Describe it."}]
    with pytest.raises(client.exceptions.ValidationException) as caught:
        client.converse(modelId=SONNET_4, messages=[{"role": "user", "content": content}])
    assert caught.value.response["Error"]["Message"] == f"messages.0.content.0.{kind}.source.type: Field required"


def test_count_tokens_refuses_an_inference_profile(stub, client):
    with pytest.raises(client.exceptions.ValidationException) as caught:
        client.count_tokens(modelId=SONNET_4, input={"converse": {"messages": USER}})
    assert caught.value.response["Error"]["Message"] == "The provided model doesn't support counting tokens."
    counted = client.count_tokens(modelId=SONNET_4_BASE, input={"converse": {"messages": USER}})
    assert counted["inputTokens"] > 0


def test_count_tokens_refuses_server_tools(stub, client):
    tools = [{"type": "web_search_20250305", "name": "web_search"}]
    body = messages_body(tools=tools)
    with pytest.raises(client.exceptions.ValidationException) as caught:
        client.count_tokens(modelId=SONNET_4_BASE, input={"invokeModel": {"body": body}})
    assert "web_search_20250305" in caught.value.response["Error"]["Message"]
    converse = {"messages": USER, "toolConfig": {"tools": [{"systemTool": {"name": "nova_grounding"}}]}}
    with pytest.raises(client.exceptions.ValidationException) as caught:
        client.count_tokens(modelId=SONNET_4_BASE, input={"converse": converse})
    assert "nova_grounding" in caught.value.response["Error"]["Message"]


def test_token_count_headers_come_with_invoke_model_only(stub, client):
    invoke = client.invoke_model(modelId=HAIKU, body=messages_body())["ResponseMetadata"]["HTTPHeaders"]
    converse = client.converse(modelId=HAIKU, messages=USER)["ResponseMetadata"]["HTTPHeaders"]
    bedrock_headers = {"x-amzn-bedrock-input-token-count", "x-amzn-bedrock-output-token-count"}
    assert bedrock_headers <= set(invoke)
    assert not {name for name in converse if name.startswith("x-amzn-bedrock-")}
