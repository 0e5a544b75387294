"""Converse usage keys as real Bedrock sends them, per model and operation, seen through boto3.

The expected key sets are the recordings' facts, written here with where each comes from (public VCR cassettes of
real Bedrock traffic, newest evidence winning):
- PYDANTIC_2026: pydantic/pydantic-ai, tests/models/cassettes/test_bedrock/test_bedrock_top_k_anthropic_variant.yaml
  (2026-06-15, Sonnet 4.5) and test_bedrock_model_thinking_part_anthropic_adaptive.yaml (2026-05-21, Sonnet 4.6):
  a Converse reply's usage is inputTokens, outputTokens, totalTokens, cacheReadInputTokens, cacheWriteInputTokens,
  cacheReadInputTokenCount, cacheWriteInputTokenCount and serverToolUsage {} when nothing was cached.
- PYDANTIC_CACHE_2026: test_bedrock_cache_messages_with_document_as_last_content.yaml (2026-01-31): with cache
  points, the *Count keys repeat the cache figures, beside cacheDetails.
- STREAM_2025: test_bedrock_model_thinking_part_stream.yaml (2025-09-03, Sonnet 4): ConverseStream metadata carries
  no cache keys when nothing was cached; traceloop/openllmetry, packages/opentelemetry-instrumentation-bedrock/
  tests/traces/cassettes/test_anthropic/test_anthropic_converse_stream_with_tool_use.yaml (2025-10-09): the
  metadata's usage has serverToolUsage {}.
botocore's service model does not know serverToolUsage or the *Count keys, so boto3 drops them from what it parses:
the raw reply is read from boto3's own `after-call` event, and the stream's raw events with botocore's decoder.
"""

from __future__ import annotations

import json
import math

import httpx
from botocore.eventstream import EventStreamBuffer

from tests.helpers import signed_headers

SONNET_4 = "us.anthropic.claude-sonnet-4-20250514-v1:0"
SONNET_45 = "us.anthropic.claude-sonnet-4-5-20250929-v1:0"
QUESTION = [{"role": "user", "content": [{"text": "What does chapter one say?"}]}]
# Long enough for Sonnet 4.5's minimum of 1,024 tokens (the stub counts four characters a token).
MANUAL = "The manual, chapter one, repeated. " * 160

PYDANTIC_2026 = {
    "inputTokens",
    "outputTokens",
    "totalTokens",
    "cacheReadInputTokens",
    "cacheWriteInputTokens",
    "cacheReadInputTokenCount",
    "cacheWriteInputTokenCount",
    "serverToolUsage",
}
STREAM_2025 = {"inputTokens", "outputTokens", "totalTokens", "serverToolUsage"}


def raw_converse(client, **request) -> tuple[dict, dict]:
    """What boto3 parsed, and the reply's JSON as it came over the wire."""
    raw: list[bytes] = []

    def keep(http_response, **_):
        raw.append(http_response.content)

    client.meta.events.register("after-call.bedrock-runtime.Converse", keep)
    try:
        parsed = client.converse(**request)
    finally:
        client.meta.events.unregister("after-call.bedrock-runtime.Converse", keep)
    return parsed, json.loads(raw[0])


def test_a_converse_reply_of_a_current_claude_has_the_count_keys_and_server_tool_usage(stub, client):
    stub.reply = "It says hello."
    parsed, raw = raw_converse(client, modelId=SONNET_45, messages=QUESTION)
    assert set(raw["usage"]) == PYDANTIC_2026
    assert raw["usage"]["serverToolUsage"] == {}
    assert raw["usage"]["cacheReadInputTokenCount"] == raw["usage"]["cacheWriteInputTokenCount"] == 0
    # boto3 still parses what its model knows.
    assert parsed["usage"]["cacheReadInputTokens"] == 0
    assert "serverToolUsage" not in parsed["usage"]


def test_the_count_keys_repeat_the_cache_figures(stub, client):
    system = [{"text": MANUAL}, {"cachePoint": {"type": "default"}}]
    _, first = raw_converse(client, modelId=SONNET_45, system=system, messages=QUESTION)
    _, second = raw_converse(client, modelId=SONNET_45, system=system, messages=QUESTION)
    written = math.ceil(len(MANUAL) / 4)
    assert (first["usage"]["cacheWriteInputTokenCount"], first["usage"]["cacheReadInputTokenCount"]) == (written, 0)
    assert (second["usage"]["cacheWriteInputTokenCount"], second["usage"]["cacheReadInputTokenCount"]) == (0, written)
    assert set(first["usage"]) == PYDANTIC_2026 | {"cacheDetails"}


def test_a_stream_without_caching_has_no_cache_keys_in_its_metadata(stub, client):
    events = list(client.converse_stream(modelId=SONNET_4, messages=QUESTION)["stream"])
    usage = events[-1]["metadata"]["usage"]
    assert set(usage) == {"inputTokens", "outputTokens", "totalTokens"}


def test_the_stream_metadata_has_server_tool_usage_on_the_wire(stub):
    path = f"/model/{SONNET_4}/converse-stream"
    body = json.dumps({"messages": QUESTION}).encode()
    response = httpx.post(stub.url + path, content=body, headers=signed_headers(stub.url + path, body))
    assert response.status_code == 200
    decoder = EventStreamBuffer()
    decoder.add_data(response.content)
    metadata = [json.loads(message.payload) for message in decoder if message.headers.get(":event-type") == "metadata"]
    assert len(metadata) == 1
    assert set(metadata[0]["usage"]) == STREAM_2025
    assert metadata[0]["usage"]["serverToolUsage"] == {}
