"""Real clients from PyPI and npm against the stub: each must parse exactly what the stub was told to answer.

boto3 (every operation), the Anthropic SDK's Bedrock client (sync and async, plain, streamed, tools, images) and
the AWS SDK for JavaScript v3's ConverseCommand and ConverseStreamCommand (over HTTP/2, as it connects). Stream
events carry Bedrock's random `p` padding throughout, so every streamed check here is also a check that the client
ignores it.
"""

from __future__ import annotations

import asyncio
import base64
import json
import math
import os
import shutil
import subprocess
from pathlib import Path

import pytest
from bedrock_stub import EXAMPLE_ACCESS_KEY_ID, EXAMPLE_SECRET_ACCESS_KEY

from tests.helpers import CLAUDE_V2, HAIKU, completions_body, messages_body

SONNET_4_PROFILE = "us.anthropic.claude-sonnet-4-20250514-v1:0"
USER = [{"role": "user", "content": [{"text": "Which city?"}]}]
JS_CLIENT = Path(__file__).parent / "clients" / "javascript"


# boto3


def test_boto3_reads_each_operations_own_answer(stub, client):
    stub.queue_reply("invoke answer")
    stub.queue_reply("stream answer")
    stub.queue_reply("converse answer")
    stub.queue_reply("converse stream answer")
    body = json.loads(client.invoke_model(modelId=HAIKU, body=messages_body())["body"].read())
    assert body["content"][0]["text"] == "invoke answer"
    response = client.invoke_model_with_response_stream(modelId=HAIKU, body=messages_body())
    chunks = [json.loads(event["chunk"]["bytes"]) for event in response["body"]]
    assert "".join(c["delta"]["text"] for c in chunks if c["type"] == "content_block_delta") == "stream answer"
    converse = client.converse(modelId=SONNET_4_PROFILE, messages=USER)
    assert converse["output"]["message"]["content"] == [{"text": "converse answer"}]
    events = list(client.converse_stream(modelId=SONNET_4_PROFILE, messages=USER)["stream"])
    streamed = "".join(e["contentBlockDelta"]["delta"]["text"] for e in events if "contentBlockDelta" in e)
    assert streamed == "converse stream answer"
    counted = client.count_tokens(modelId=HAIKU, input={"converse": {"messages": USER}})
    assert counted["inputTokens"] == math.ceil(len("Which city?") / 4)
    assert [entry.operation for entry in stub.journal.entries()] == [
        "InvokeModel",
        "InvokeModelWithResponseStream",
        "Converse",
        "ConverseStream",
        "CountTokens",
    ]


def test_boto3_reads_legacy_completions_streamed(stub, client):
    stub.queue_reply("legacy words")
    response = client.invoke_model_with_response_stream(modelId=CLAUDE_V2, body=completions_body())
    assert "".join(json.loads(e["chunk"]["bytes"])["completion"] for e in response["body"]) == "legacy words"


# The Anthropic SDK's Bedrock client


@pytest.fixture
def anthropic_options(stub) -> dict:
    pytest.importorskip("anthropic", reason="needs the anthropic package: pip install 'anthropic[bedrock]'")
    return {
        "base_url": stub.url,
        "aws_access_key": EXAMPLE_ACCESS_KEY_ID,
        "aws_secret_key": EXAMPLE_SECRET_ACCESS_KEY,
        "aws_region": "us-east-1",
        "max_retries": 0,
    }


def test_anthropic_sdk_creates_a_message(stub, anthropic_options):
    from anthropic import AnthropicBedrock

    stub.add_rule(contains="tea", text="Earl Grey, hot.")
    message = AnthropicBedrock(**anthropic_options).messages.create(
        model=HAIKU, max_tokens=256, system="Be brief.", messages=[{"role": "user", "content": "Which tea?"}]
    )
    assert [block.text for block in message.content] == ["Earl Grey, hot."]
    assert (message.stop_reason, message.model) == ("end_turn", "claude-3-haiku-20240307")
    sent = json.loads(stub.journal.entries()[-1].body)
    # The SDK sends its own API version, not Bedrock's documented one; the stub must take it.
    from anthropic._constants import ANTHROPIC_API_VERSION

    assert (sent["anthropic_version"], sent["system"]) == (ANTHROPIC_API_VERSION, "Be brief.")


def test_anthropic_sdk_streams_a_message_through_a_profile(stub, anthropic_options):
    from anthropic import AnthropicBedrock

    stub.state.stream_piece_chars = 3
    stub.queue_reply("streamed through us. profile")
    with AnthropicBedrock(**anthropic_options).messages.stream(
        model=SONNET_4_PROFILE, max_tokens=256, messages=[{"role": "user", "content": "Go."}]
    ) as stream:
        text = "".join(stream.text_stream)
        final = stream.get_final_message()
    assert text == "streamed through us. profile"
    assert final.stop_reason == "end_turn"
    assert stub.journal.entries()[-1].operation == "InvokeModelWithResponseStream"


def test_anthropic_sdk_reads_a_tool_call_and_sends_an_image(stub, anthropic_options):
    from anthropic import AnthropicBedrock

    png = base64.b64encode(b"\x89PNG\r\n\x1a\n" + bytes(16)).decode()
    stub.queue_reply(tool_use={"name": "describe", "input": {"colour": "teal", "count": 2}})
    message = AnthropicBedrock(**anthropic_options).messages.create(
        model=HAIKU,
        max_tokens=256,
        tools=[{"name": "describe", "input_schema": {"type": "object"}}],
        tool_choice={"type": "any"},
        messages=[
            {
                "role": "user",
                "content": [
                    {"type": "image", "source": {"type": "base64", "media_type": "image/png", "data": png}},
                    {"type": "text", "text": "Describe it."},
                ],
            }
        ],
    )
    [block] = message.content
    assert (block.type, block.name, block.input) == ("tool_use", "describe", {"colour": "teal", "count": 2})
    assert message.stop_reason == "tool_use"
    sent = json.loads(stub.journal.entries()[-1].body)
    assert sent["messages"][0]["content"][0]["source"]["data"] == png


def test_anthropic_sdk_streams_a_tool_call(stub, anthropic_options):
    from anthropic import AnthropicBedrock

    stub.queue_reply("One moment.", tool_use={"name": "lookup", "input": {"q": "stub"}})
    with AnthropicBedrock(**anthropic_options).messages.stream(
        model=HAIKU,
        max_tokens=256,
        tools=[{"name": "lookup", "input_schema": {"type": "object"}}],
        messages=[{"role": "user", "content": "Find it."}],
    ) as stream:
        final = stream.get_final_message()
    assert [block.type for block in final.content] == ["text", "tool_use"]
    assert (final.content[0].text, final.content[1].input) == ("One moment.", {"q": "stub"})


def test_async_anthropic_sdk_creates_and_streams(stub, anthropic_options):
    from anthropic import AsyncAnthropicBedrock

    stub.queue_reply("async one")
    stub.queue_reply("async two")

    async def both() -> tuple[str, str]:
        client = AsyncAnthropicBedrock(**anthropic_options)
        created = await client.messages.create(
            model=HAIKU, max_tokens=64, messages=[{"role": "user", "content": "One?"}]
        )
        async with client.messages.stream(
            model=HAIKU, max_tokens=64, messages=[{"role": "user", "content": "Two?"}]
        ) as stream:
            streamed = "".join([piece async for piece in stream.text_stream])
        return created.content[0].text, streamed

    assert asyncio.run(both()) == ("async one", "async two")


def test_anthropic_sdk_sees_bedrocks_error(stub, anthropic_options):
    import anthropic

    stub.inject_error("AccessDeniedException", "Denied by the stub.", count=1)
    with pytest.raises(anthropic.PermissionDeniedError, match=r"Denied by the stub\."):
        anthropic.AnthropicBedrock(**anthropic_options).messages.create(
            model=HAIKU, max_tokens=64, messages=[{"role": "user", "content": "Hi"}]
        )


# The AWS SDK for JavaScript v3


@pytest.fixture(scope="module")
def js_client() -> Path:
    missing = [tool for tool in ("node", "npm") if shutil.which(tool) is None]
    if missing:
        pytest.skip(f"needs {' and '.join(missing)} on PATH (Node.js 18+ with npm) for the JavaScript SDK checks")
    if not (JS_CLIENT / "node_modules" / "@aws-sdk" / "client-bedrock-runtime").is_dir():
        installed = subprocess.run(
            ["npm", "ci", "--no-audit", "--no-fund"], cwd=JS_CLIENT, capture_output=True, text=True, timeout=300
        )
        if installed.returncode != 0:
            pytest.fail(f"npm ci in {JS_CLIENT} failed:\n{installed.stderr[-2000:]}")
    return JS_CLIENT


def run_js(js_client: Path, stub, operation: str, prompt: str) -> dict:
    env = {
        "PATH": os.environ["PATH"],
        "HOME": str(js_client),
        "AWS_ENDPOINT_URL_BEDROCK_RUNTIME": stub.url,
        "AWS_ACCESS_KEY_ID": EXAMPLE_ACCESS_KEY_ID,
        "AWS_SECRET_ACCESS_KEY": EXAMPLE_SECRET_ACCESS_KEY,
        "AWS_REGION": "us-east-1",
        "AWS_CONFIG_FILE": os.devnull,
        "AWS_SHARED_CREDENTIALS_FILE": os.devnull,
        "NODE_NO_WARNINGS": "1",
    }
    result = subprocess.run(
        ["node", "converse.mjs", operation, HAIKU, prompt],
        cwd=js_client,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout.strip().splitlines()[-1])


def test_javascript_converse_command_reads_the_answer(stub, js_client):
    stub.add_rule(contains="capital", text="Oslo is the capital.")
    parsed = run_js(js_client, stub, "converse", "What is the capital of Norway?")
    assert parsed["content"] == [{"text": "Oslo is the capital."}]
    assert parsed["stopReason"] == "end_turn"
    entry = stub.journal.entries()[-1]
    assert (entry.operation, entry.http_version, entry.signature) == ("Converse", "2", "valid")


def test_javascript_converse_stream_command_reads_text_and_a_tool_call(stub, js_client):
    stub.state.stream_piece_chars = 5
    stub.queue_reply("Looking it up.", tool_use={"name": "get_weather", "input": {"city": "Bergen"}})
    events = run_js(js_client, stub, "stream", "Weather in Bergen?")["events"]
    text = "".join(e["contentBlockDelta"]["delta"].get("text", "") for e in events if "contentBlockDelta" in e)
    arguments = "".join(
        e["contentBlockDelta"]["delta"]["toolUse"]["input"]
        for e in events
        if "contentBlockDelta" in e and "toolUse" in e["contentBlockDelta"]["delta"]
    )
    assert (text, json.loads(arguments)) == ("Looking it up.", {"city": "Bergen"})
    start = next(e["contentBlockStart"] for e in events if "contentBlockStart" in e)
    assert start["start"]["toolUse"]["name"] == "get_weather"
    assert next(e for e in events if "messageStop" in e)["messageStop"]["stopReason"] == "tool_use"
    assert all("p" not in next(iter(event.values())) for event in events)


def test_javascript_converse_stream_reports_a_stream_exception(stub, js_client):
    stub.inject_error("ModelStreamErrorException", "stream broke", operation="ConverseStream")
    parsed = run_js(js_client, stub, "stream", "Anything")
    assert (parsed["error"], parsed["message"]) == ("ModelStreamErrorException", "stream broke")
