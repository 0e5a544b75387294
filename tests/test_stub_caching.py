"""Prompt caching, service tiers and performance settings through boto3 and the Anthropic SDK's Bedrock client.

Every expected figure is derived here from the prompt sent (the stub's documented four characters a token), never
copied from a reply.
"""

from __future__ import annotations

import json
import math

import httpx
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.helpers import HAIKU, anthropic_bedrock_client, examples, messages_body, signed_headers

SONNET_4 = "us.anthropic.claude-sonnet-4-20250514-v1:0"
HAIKU_45 = "us.anthropic.claude-haiku-4-5-20251001-v1:0"
# Long enough for Sonnet 4's minimum of 1,024 tokens, too short for Haiku 4.5's 4,096.
MANUAL = "The manual, chapter one, repeated. " * 160
QUESTION = [{"role": "user", "content": [{"text": "What does chapter one say?"}]}]


def tokens(*texts: str) -> int:
    return math.ceil(sum(len(text) for text in texts) / 4)


class Clock:
    """A clock the test moves by hand, so that expiry needs no waiting."""

    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def cached_system(ttl: str | None = None) -> list[dict]:
    point = {"type": "default"} if ttl is None else {"type": "default", "ttl": ttl}
    return [{"text": MANUAL}, {"cachePoint": point}]


def test_boto3_converse_writes_then_reads_the_cached_prefix(stub, client):
    stub.reply = "It says hello."
    first = client.converse(modelId=SONNET_4, system=cached_system(), messages=QUESTION)["usage"]
    second = client.converse(modelId=SONNET_4, system=cached_system(), messages=QUESTION)["usage"]
    prefix, whole = tokens(MANUAL), tokens(MANUAL, QUESTION[0]["content"][0]["text"])
    output = tokens("It says hello.")
    assert first == {
        "inputTokens": whole - prefix,
        "outputTokens": output,
        "totalTokens": whole + output,
        "cacheReadInputTokens": 0,
        "cacheWriteInputTokens": prefix,
        "cacheDetails": [{"ttl": "5m", "inputTokens": prefix}],
    }
    assert (second["cacheReadInputTokens"], second["cacheWriteInputTokens"], second["cacheDetails"]) == (prefix, 0, [])
    assert second["totalTokens"] == first["totalTokens"]


def test_the_stream_reports_the_cache_in_its_metadata(stub, client):
    events = list(client.converse_stream(modelId=SONNET_4, system=cached_system("1h"), messages=QUESTION)["stream"])
    usage = events[-1]["metadata"]["usage"]
    assert usage["cacheWriteInputTokens"] == tokens(MANUAL)
    assert usage["cacheDetails"] == [{"ttl": "1h", "inputTokens": tokens(MANUAL)}]


def test_the_cache_expires_after_its_ttl_and_a_read_refreshes_it(stub, client):
    clock = Clock()
    stub.state.prompt_cache.clock = clock

    def usage(ttl: str | None = None) -> tuple[int, int]:
        reply = client.converse(modelId=SONNET_4, system=cached_system(ttl), messages=QUESTION)["usage"]
        return reply["cacheReadInputTokens"], reply["cacheWriteInputTokens"]

    prefix = tokens(MANUAL)
    assert usage() == (0, prefix)
    clock.now += 299
    assert usage() == (prefix, 0)  # read within five minutes, which starts them again
    clock.now += 299
    assert usage() == (prefix, 0)
    clock.now += 301
    assert usage() == (0, prefix)  # expired
    assert usage("1h") == (prefix, 0)  # the same prefix, whatever TTL the point asks for now


def test_a_prefix_below_the_models_minimum_is_not_cached(stub, client):
    reply = client.converse(modelId=HAIKU_45, system=cached_system(), messages=QUESTION)["usage"]
    assert (reply["cacheReadInputTokens"], reply["cacheWriteInputTokens"], reply["cacheDetails"]) == (0, 0, [])
    assert reply["inputTokens"] == tokens(MANUAL, QUESTION[0]["content"][0]["text"])


def test_usage_keys_per_model_without_cache_points(stub, client):
    newer = client.converse(modelId=SONNET_4, messages=QUESTION)["usage"]
    older = client.converse(modelId=HAIKU, messages=QUESTION)["usage"]
    assert (newer["cacheReadInputTokens"], newer["cacheWriteInputTokens"]) == (0, 0) and "cacheDetails" not in newer
    assert set(older) == {"inputTokens", "outputTokens", "totalTokens"}
    invoke = json.loads(client.invoke_model(modelId=SONNET_4, body=messages_body())["body"].read())["usage"]
    assert (invoke["cache_creation_input_tokens"], invoke["cache_read_input_tokens"]) == (0, 0)
    old_invoke = json.loads(client.invoke_model(modelId=HAIKU, body=messages_body())["body"].read())["usage"]
    assert set(old_invoke) == {"input_tokens", "output_tokens"}


def test_the_anthropic_sdk_reads_cache_control_usage(stub):
    client = anthropic_bedrock_client(stub.url)
    system = [{"type": "text", "text": MANUAL, "cache_control": {"type": "ephemeral"}}]
    question = "What does chapter one say?"

    def ask():
        return client.messages.create(
            model=SONNET_4, max_tokens=256, system=system, messages=[{"role": "user", "content": question}]
        ).usage

    first, second = ask(), ask()
    assert (first.cache_creation_input_tokens, first.cache_read_input_tokens) == (tokens(MANUAL), 0)
    assert (second.cache_creation_input_tokens, second.cache_read_input_tokens) == (0, tokens(MANUAL))
    assert first.input_tokens == second.input_tokens == tokens(MANUAL, question) - tokens(MANUAL)
    with client.messages.stream(
        model=SONNET_4, max_tokens=256, system=system, messages=[{"role": "user", "content": question}]
    ) as stream:
        streamed = stream.get_final_message().usage
    assert streamed.cache_read_input_tokens == tokens(MANUAL)


def test_service_tier_and_performance_are_echoed(stub, client):
    response = client.converse(
        modelId=SONNET_4,
        messages=QUESTION,
        serviceTier={"type": "flex"},
        performanceConfig={"latency": "optimized"},
    )
    assert (response["serviceTier"], response["performanceConfig"]) == ({"type": "flex"}, {"latency": "optimized"})
    events = list(
        client.converse_stream(modelId=SONNET_4, messages=QUESTION, serviceTier={"type": "priority"})["stream"]
    )
    assert events[-1]["metadata"]["serviceTier"] == {"type": "priority"}
    invoked = client.invoke_model(
        modelId=SONNET_4, body=messages_body(), serviceTier="priority", performanceConfigLatency="optimized"
    )
    assert (invoked["serviceTier"], invoked["performanceConfigLatency"]) == ("priority", "optimized")
    streamed = client.invoke_model_with_response_stream(modelId=SONNET_4, body=messages_body(), serviceTier="flex")
    assert streamed["serviceTier"] == "flex"


REFUSED = [
    (
        {"serviceTier": {"type": "turbo"}},
        "1 validation error detected: Value 'turbo' at 'serviceTier.type' failed to satisfy constraint: Member must "
        "satisfy enum value set: [priority, default, flex, reserved]",
    ),
    (
        {"performanceConfig": {"latency": "fast"}},
        "1 validation error detected: Value 'fast' at 'performanceConfig.latency' failed to satisfy constraint: "
        "Member must satisfy enum value set: [standard, optimized]",
    ),
    (
        {"system": [{"text": MANUAL}, {"cachePoint": {"type": "default", "ttl": "2h"}}]},
        "1 validation error detected: Value '2h' at 'system.1.cachePoint.ttl' failed to satisfy constraint: Member "
        "must satisfy enum value set: [5m, 1h]",
    ),
    (
        {"system": [{"cachePoint": {"type": "default"}}, {"text": MANUAL}]},
        "The cachePoint at system.0 has nothing before it to cache. Place a cache point after the content it ends.",
    ),
    (
        {"system": [block for _ in range(5) for block in ({"text": MANUAL}, {"cachePoint": {"type": "default"}})]},
        "The model returned the following errors: A maximum of 4 blocks with cache_control may be provided. Found 5.",
    ),
]


@pytest.mark.parametrize(("extra", "message"), REFUSED)
def test_malformed_settings_get_bedrocks_400(stub, client, extra, message):
    raw = {"messages": QUESTION, **extra}
    path = f"/model/{SONNET_4}/converse"
    # Sent as the wire carries them: boto3 checks some enums itself before sending.
    body = json.dumps(raw).encode()
    response = httpx.post(stub.url + path, content=body, headers=signed_headers(stub.url + path, body))
    assert (response.status_code, response.json()["message"]) == (400, message)


def test_malformed_cache_control_and_tier_headers_get_400(stub, client):
    bad_type = [{"type": "text", "text": MANUAL, "cache_control": {"type": "forever"}}]
    with pytest.raises(client.exceptions.ValidationException) as caught:
        client.invoke_model(modelId=SONNET_4, body=messages_body(system=bad_type))
    assert caught.value.response["Error"]["Message"] == (
        "Malformed input request: #/system/0/cache_control/type: forever is not a valid enum value, please reformat "
        "your input and try again."
    )
    with pytest.raises(client.exceptions.ValidationException):
        client.invoke_model(modelId=SONNET_4, body=messages_body(), serviceTier="turbo")


@settings(max_examples=examples(60), deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    point=st.one_of(
        st.none(),
        st.integers(),
        st.text(max_size=8),
        st.dictionaries(st.sampled_from(["type", "ttl", "x"]), st.one_of(st.text(max_size=4), st.integers())),
    ),
    control=st.one_of(
        st.none(),
        st.text(max_size=8),
        st.dictionaries(st.sampled_from(["type", "ttl"]), st.one_of(st.sampled_from(["ephemeral", "1h"]), st.none())),
    ),
)
def test_any_cache_point_or_control_gets_200_or_400(stub, http, point, control):
    converse = json.dumps({"messages": QUESTION, "system": [{"text": "x"}, {"cachePoint": point}]}).encode()
    invoke = messages_body(system=[{"type": "text", "text": "x", "cache_control": control}]).encode()
    for path, body in ((f"/model/{SONNET_4}/converse", converse), (f"/model/{SONNET_4}/invoke", invoke)):
        response = http.post(stub.url + path, content=body, headers=signed_headers(stub.url + path, body))
        assert response.status_code in (200, 400), response.text
