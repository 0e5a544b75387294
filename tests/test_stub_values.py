"""Values of the wrong type, size or encoding in any field of any operation get a 4xx, never a 500 or a hang.

The named cases are the ones that once answered 500 (or cut a reply at a character of a string); the property
tests replace each field of a full, valid body of every operation with generated hostile values.
"""

from __future__ import annotations

import asyncio
import base64
import json
from collections.abc import Iterator
from typing import Any
from urllib.parse import quote

import pytest
from bedrock_stub.app import BedrockRuntimeApp, StubState
from bedrock_stub.journal import Journal
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.helpers import asgi_scope, examples

HAIKU = "anthropic.claude-3-haiku-20240307-v1:0"
THINKING_PROFILE = "us.anthropic.claude-3-7-sonnet-20250219-v1:0"
THINKING_BASE = "anthropic.claude-3-7-sonnet-20250219-v1:0"
CLAUDE_2 = "anthropic.claude-v2"
PNG = base64.b64encode(b"\x89PNG\r\n\x1a\n0000").decode()
# An integer of 309 digits: inside the parser's digit cap, beyond a double's range.
HUGE = 10**308 * 5


_STATE = StubState(
    reply="All good here, thank you.", verify_signatures=False, stream_head_delay=0, journal=Journal(window=16)
)
# One event loop for the module's thousands of calls (a loop per call costs more than the call).
_LOOP = asyncio.new_event_loop()


@pytest.fixture(scope="module", autouse=True)
def _close_loop() -> Iterator[None]:
    yield
    _LOOP.close()


def call(model_id: str, segment: str, body: dict[str, Any] | bytes) -> tuple[int, bytes]:
    """Drives the stub's ASGI app with one unsigned request; the status and body it answered, within 10 s."""
    raw = body if isinstance(body, bytes) else json.dumps(body).encode()
    app = BedrockRuntimeApp(_STATE)
    path = f"/model/{quote(model_id, safe='')}/{segment}"
    sent: list[dict[str, Any]] = []
    delivered = False

    async def receive() -> dict[str, Any]:
        nonlocal delivered
        if not delivered:
            delivered = True
            return {"type": "http.request", "body": raw, "more_body": False}
        await asyncio.Event().wait()  # the client stays connected
        return {"type": "http.disconnect"}

    async def send(message: dict[str, Any]) -> None:
        sent.append(message)

    async def serve() -> None:
        await asyncio.wait_for(app(asgi_scope(path, raw), receive, send), timeout=10)

    _LOOP.run_until_complete(serve())
    status = next(message["status"] for message in sent if message["type"] == "http.response.start")
    return status, b"".join(message.get("body", b"") for message in sent if message["type"] == "http.response.body")


def messages_request() -> dict[str, Any]:
    """A Messages body with every field InvokeModel takes for a thinking model, each holding a valid value."""
    return {
        "anthropic_version": "bedrock-2023-05-31",
        "max_tokens": 2048,
        "system": [{"type": "text", "text": "Be brief."}],
        "messages": [
            {
                "role": "user",
                "content": [
                    {"type": "text", "text": "Describe this."},
                    {"type": "image", "source": {"type": "base64", "media_type": "image/png", "data": PNG}},
                    {"type": "document", "source": {"type": "base64", "media_type": "application/pdf", "data": PNG}},
                ],
            },
            {"role": "assistant", "content": [{"type": "tool_use", "id": "toolu_1", "name": "look", "input": {}}]},
            {
                "role": "user",
                "content": [
                    {
                        "type": "tool_result",
                        "tool_use_id": "toolu_1",
                        "content": [
                            {"type": "text", "text": "seen"},
                            {"type": "image", "source": {"type": "base64", "media_type": "image/png", "data": PNG}},
                        ],
                    }
                ],
            },
        ],
        "temperature": 1,
        "top_p": 0.99,
        "stop_sequences": ["STOP"],
        "tools": [{"name": "look", "description": "Looks.", "input_schema": {"type": "object"}}],
        "tool_choice": {"type": "auto"},
        "metadata": {"user_id": "someone"},
        "thinking": {"type": "enabled", "budget_tokens": 1024},
    }


def completions_request() -> dict[str, Any]:
    return {
        "prompt": "\n\nHuman: Hi\n\nAssistant:",
        "max_tokens_to_sample": 200,
        "temperature": 0.5,
        "top_p": 0.9,
        "top_k": 5,
        "stop_sequences": ["\n\nHuman:"],
    }


def converse_request() -> dict[str, Any]:
    """A Converse body with every field the stub reads, each holding a valid value."""
    image = {"format": "png", "source": {"bytes": PNG}}
    return {
        "system": [{"text": "Be brief."}],
        "messages": [
            {
                "role": "user",
                "content": [
                    {"text": "Describe this."},
                    {"image": image},
                    {"document": {"format": "pdf", "name": "notes", "source": {"bytes": PNG}}},
                ],
            },
            {"role": "assistant", "content": [{"toolUse": {"toolUseId": "t1", "name": "look", "input": {}}}]},
            {
                "role": "user",
                "content": [{"toolResult": {"toolUseId": "t1", "content": [{"text": "seen"}, {"image": image}]}}],
            },
        ],
        "inferenceConfig": {"maxTokens": 2048, "temperature": 1, "topP": 0.99, "stopSequences": ["STOP"]},
        "toolConfig": {"tools": [{"toolSpec": {"name": "look", "inputSchema": {"json": {"type": "object"}}}}]},
        "additionalModelRequestFields": {"thinking": {"type": "enabled", "budget_tokens": 1024}},
    }


def count_request(inner: dict[str, Any] | bytes) -> dict[str, Any]:
    raw = inner if isinstance(inner, bytes) else json.dumps(inner).encode()
    return {"input": {"invokeModel": {"body": base64.b64encode(raw).decode()}}}


# (model, operation segment, valid body): every operation, and CountTokens in both of its forms.
OPERATIONS: dict[str, tuple[str, str, Any]] = {
    "invoke": (THINKING_PROFILE, "invoke", messages_request),
    "invoke-stream": (THINKING_PROFILE, "invoke-with-response-stream", messages_request),
    "completions": (CLAUDE_2, "invoke", completions_request),
    "converse": (THINKING_PROFILE, "converse", converse_request),
    "converse-stream": (THINKING_PROFILE, "converse-stream", converse_request),
    "count-invoke": (THINKING_BASE, "count-tokens", lambda: count_request(messages_request())),
    "count-converse": (THINKING_BASE, "count-tokens", lambda: {"input": {"converse": converse_request()}}),
}


def paths(value: Any, prefix: tuple[Any, ...] = ()) -> Iterator[tuple[Any, ...]]:
    """Every place in a JSON value where another value can stand: each member and item, at any depth."""
    members = value.items() if isinstance(value, dict) else enumerate(value) if isinstance(value, list) else ()
    for key, member in members:
        yield (*prefix, key)
        yield from paths(member, (*prefix, key))


def replaced(value: Any, path: tuple[Any, ...], new: Any) -> Any:
    if not path:
        return new
    copy = dict(value) if isinstance(value, dict) else list(value)
    copy[path[0]] = replaced(value[path[0]], path[1:], new)
    return copy


# The values that once broke a field: a double's overflow, the wrong JSON type, text that is not base64 or not ASCII.
KNOWN_HOSTILE: list[Any] = [HUGE, -HUGE, 5, 0, -1, 1.5, True, None, "o", "é", "not base64!", "", [], [5], {}, {"a": 1}]
_JSON_SCALARS = st.one_of(
    st.sampled_from(KNOWN_HOSTILE),
    st.none(),
    st.booleans(),
    st.integers(),
    st.integers(min_value=10**300, max_value=10**309 - 1),
    st.integers(min_value=-(10**309) + 1, max_value=-(10**300)),
    st.floats(allow_nan=False, allow_infinity=False),
    st.text(max_size=20),
    st.sampled_from(["", "é", "not base64!", "QUJ", "====", "\u0000", "a" * 5000, "STOP", "\n\nHuman:"]),
)
HOSTILE = st.recursive(
    _JSON_SCALARS,
    lambda inner: st.one_of(st.lists(inner, max_size=4), st.dictionaries(st.text(max_size=8), inner, max_size=4)),
    max_leaves=8,
)
FUZZ = settings(max_examples=examples(100), deadline=None, suppress_health_check=[HealthCheck.too_slow], database=None)


def assert_answered_without_failure(model_id: str, segment: str, body: Any) -> None:
    status, reply = call(model_id, segment, body)
    assert status < 500, (reply[:300], json.dumps(body)[:300])
    if status >= 400:
        assert json.loads(reply)["message"]


@pytest.mark.parametrize("operation", sorted(OPERATIONS))
def test_every_operation_answers_its_valid_body(operation):
    model_id, segment, body = OPERATIONS[operation]
    status, reply = call(model_id, segment, body())
    assert status == 200, reply[:300]


@pytest.mark.parametrize("operation", sorted(OPERATIONS))
def test_each_known_hostile_value_in_each_field_gets_a_4xx(operation):
    """The sweep: every field of every operation with every value that once broke one."""
    model_id, segment, make_body = OPERATIONS[operation]
    body = make_body()
    for place in paths(body):
        for value in KNOWN_HOSTILE:
            assert_answered_without_failure(model_id, segment, replaced(body, place, value))


@pytest.mark.parametrize("operation", sorted(OPERATIONS))
def test_a_hostile_value_in_any_field_gets_a_4xx(operation):
    model_id, segment, make_body = OPERATIONS[operation]
    body = make_body()
    places = list(paths(body))

    @FUZZ
    @given(place=st.sampled_from(places), value=HOSTILE)
    def check(place, value):
        assert_answered_without_failure(model_id, segment, replaced(body, place, value))

    check()


@pytest.mark.parametrize("operation", ["invoke", "completions", "count-invoke"])
def test_a_hostile_value_inside_a_native_body_sent_to_count_tokens_or_invoke_gets_a_4xx(operation):
    """The native body CountTokens carries as base64 is fuzzed field by field, as InvokeModel's is."""
    model_id, segment, _ = OPERATIONS[operation]
    inner = completions_request() if operation == "completions" else messages_request()
    wrap = count_request if operation == "count-invoke" else (lambda body: body)

    @FUZZ
    @given(place=st.sampled_from(list(paths(inner))), value=HOSTILE, extra=st.sampled_from(["", "zz", "top_k"]))
    def check(place, value, extra):
        body = replaced(inner, place, value)
        if extra and isinstance(body, dict):
            body = {**body, extra: value}
        assert_answered_without_failure(model_id, segment, wrap(body))

    check()


@pytest.mark.parametrize("key", ["temperature", "top_p"])
@pytest.mark.parametrize("operation", ["invoke", "invoke-stream", "completions", "count-invoke"])
def test_an_integer_beyond_a_double_in_a_native_body_is_out_of_range(operation, key):
    model_id, segment, _ = OPERATIONS[operation]
    inner = completions_request() if operation == "completions" else messages_request()
    inner.pop("thinking", None)
    inner[key] = HUGE
    body = count_request(inner) if operation == "count-invoke" else inner
    status, reply = call(model_id, segment, body)
    assert status == 400
    assert f"#/{key}: 5" in json.loads(reply)["message"]
    assert "is not less or equal to 1" in json.loads(reply)["message"]


@pytest.mark.parametrize("key", ["temperature", "topP"])
@pytest.mark.parametrize("operation", ["converse", "converse-stream", "count-converse"])
def test_an_integer_beyond_a_double_in_a_converse_body_is_out_of_range(operation, key):
    model_id, segment, _ = OPERATIONS[operation]
    request = converse_request()
    del request["additionalModelRequestFields"]
    request["inferenceConfig"][key] = HUGE
    body = {"input": {"converse": request}} if operation == "count-converse" else request
    status, reply = call(model_id, segment, body)
    message = json.loads(reply)["message"]
    assert status == 400
    assert f"at 'inferenceConfig.{key}'" in message
    assert "Member must have value less than or equal to 1" in message


def test_thinking_with_an_integer_beyond_a_double_as_top_p_is_refused():
    request = messages_request()
    request["top_p"] = -HUGE
    status, reply = call(THINKING_PROFILE, "invoke", request)
    assert status == 400
    assert "is not greater or equal to 0" in json.loads(reply)["message"]


@pytest.mark.parametrize("value", [5, True, {"a": 1}, "o", [1], ["ok", None]])
@pytest.mark.parametrize("operation", ["invoke", "invoke-stream", "completions", "count-invoke"])
def test_stop_sequences_that_are_not_a_list_of_strings_are_malformed(operation, value):
    model_id, segment, _ = OPERATIONS[operation]
    inner = completions_request() if operation == "completions" else messages_request()
    inner["stop_sequences"] = value
    body = count_request(inner) if operation == "count-invoke" else inner
    status, reply = call(model_id, segment, body)
    assert status == 400
    message = json.loads(reply)["message"]
    assert message.startswith("Malformed input request: #/stop_sequences")
    assert "expected type: JSONArray" in message or "expected type: String" in message


def test_a_string_as_stop_sequences_does_not_cut_the_reply_at_a_character():
    request = messages_request()
    del request["thinking"]
    request["stop_sequences"] = "o"
    status, _ = call(HAIKU, "invoke", request)
    assert status == 400


@pytest.mark.parametrize("encoded", ["é", "not base64!", "QUJ", 5, None, ["QUJD"]])
def test_count_tokens_refuses_a_native_body_that_is_not_base64_text(encoded):
    status, reply = call(THINKING_BASE, "count-tokens", {"input": {"invokeModel": {"body": encoded}}})
    assert status == 400
    assert "input.invokeModel.body" in json.loads(reply)["message"]


@pytest.mark.parametrize("data", ["not base64!", "é", 12345, None, "QUJ"])
@pytest.mark.parametrize(
    "place",
    [
        ("messages", 0, "content", 1, "source", "data"),
        ("messages", 0, "content", 2, "source", "data"),
        ("messages", 2, "content", 0, "content", 1, "source", "data"),
    ],
    ids=["image", "document", "tool-result-image"],
)
def test_invoke_model_refuses_media_whose_bytes_are_not_base64(place, data):
    status, reply = call(THINKING_PROFILE, "invoke", replaced(messages_request(), place, data))
    assert status == 400, reply[:300]
    assert "source" in json.loads(reply)["message"]


@pytest.mark.parametrize("data", ["not base64!", "é", 12345, None, "QUJ", {"b": 1}])
@pytest.mark.parametrize(
    "place",
    [
        ("messages", 0, "content", 1, "image", "source", "bytes"),
        ("messages", 0, "content", 2, "document", "source", "bytes"),
        ("messages", 2, "content", 0, "toolResult", "content", 1, "image", "source", "bytes"),
    ],
    ids=["image", "document", "tool-result-image"],
)
@pytest.mark.parametrize("operation", ["converse", "converse-stream", "count-converse"])
def test_converse_refuses_media_whose_bytes_are_not_base64(operation, place, data):
    model_id, segment, _ = OPERATIONS[operation]
    request = replaced(converse_request(), place, data)
    body = {"input": {"converse": request}} if operation == "count-converse" else request
    status, reply = call(model_id, segment, body)
    assert status == 400, reply[:300]
    assert "source.bytes" in json.loads(reply)["message"]
