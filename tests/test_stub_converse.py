"""Converse, ConverseStream and CountTokens as boto3 and raw HTTP/1.1 and h2c clients see them; the operation table."""

from __future__ import annotations

import base64
import json
import math
import typing

import botocore.exceptions
import botocore.session
import httpx
import pytest
from bedrock_stub import (
    APPLY_GUARDRAIL,
    MODELED_ERRORS,
    OPERATIONS,
    ModeledErrorName,
    ModelOperationName,
    OperationName,
)
from bedrock_stub.converse import ConverseStreamEvent
from bedrock_stub.errors import UNMODELED_ERRORS, StreamErrorMember, UnmodeledErrorName
from bedrock_stub.operations import OPERATION_NAMES
from botocore.eventstream import EventStreamBuffer
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.helpers import HAIKU, TRICKY_REPLY, examples, messages_body, signed_headers

SERVICE_MODEL = botocore.session.get_session().get_service_model("bedrock-runtime")
USER_HI = [{"role": "user", "content": [{"text": "Say hello."}]}]
# Member names a fuzzed body draws from, so that it reaches deep into the validation.
CONVERSE_KEYS = [
    "messages",
    "role",
    "content",
    "text",
    "image",
    "document",
    "format",
    "source",
    "bytes",
    "name",
    "toolUse",
    "toolUseId",
    "input",
    "toolResult",
    "json",
    "system",
    "inferenceConfig",
    "maxTokens",
    "temperature",
    "topP",
    "stopSequences",
    "toolConfig",
    "tools",
    "toolSpec",
    "inputSchema",
    "additionalModelRequestFields",
    "top_k",
    "invokeModel",
    "converse",
    "body",
    "user",
    "assistant",
]
SEGMENTS = ["converse", "converse-stream", "count-tokens"]


def converse_text(response) -> str:
    return "".join(block["text"] for block in response["output"]["message"]["content"] if "text" in block)


def stream_events(response) -> list[dict]:
    return list(response["stream"])


def streamed_text(events: list[dict]) -> str:
    return "".join(
        event["contentBlockDelta"]["delta"].get("text", "") for event in events if "contentBlockDelta" in event
    )


def raw_frames(data: bytes) -> list:
    buffer = EventStreamBuffer()
    buffer.add_data(data)
    return list(buffer)


# The operation table


@pytest.mark.parametrize("name", list(OPERATIONS))
def test_each_operation_is_the_service_models(name):
    modelled = SERVICE_MODEL.operation_model(name)
    operation = OPERATIONS[name]
    assert modelled.http["method"] == "POST"
    assert modelled.http["requestUri"] == f"/model/{{modelId}}/{operation.segment}"
    assert set(operation.errors) == {shape.name for shape in modelled.error_shapes}
    assert operation.streams == modelled.has_event_stream_output
    stream_errors = set()
    if modelled.has_event_stream_output:
        union = modelled.get_event_stream_output()
        stream_errors = {member for member, shape in union.members.items() if shape.metadata.get("exception")}
    assert set(operation.stream_errors) == stream_errors


def test_the_table_holds_every_model_operation_under_model_id():
    under_model = {
        name
        for name in SERVICE_MODEL.operation_names
        if SERVICE_MODEL.operation_model(name).http["requestUri"].startswith("/model/{modelId}/")
        and not SERVICE_MODEL.operation_model(name).http["requestUri"].endswith("bidirectional-stream")
    }
    assert set(OPERATIONS) == under_model


def test_the_closed_sets_hold_what_the_tables_and_the_service_model_hold():
    # The Literal types are what users' type checkers see; the tables and botocore's model are what the stub serves.
    assert typing.get_args(ModelOperationName) == OPERATION_NAMES == tuple(OPERATIONS)
    assert typing.get_args(OperationName) == (*OPERATION_NAMES, APPLY_GUARDRAIL)
    assert SERVICE_MODEL.operation_model(APPLY_GUARDRAIL).http["requestUri"] == (
        "/guardrail/{guardrailIdentifier}/version/{guardrailVersion}/apply"
    )
    assert typing.get_args(ModeledErrorName) == tuple(MODELED_ERRORS)
    modelled = {
        shape.name
        for name in SERVICE_MODEL.operation_names
        for shape in SERVICE_MODEL.operation_model(name).error_shapes
    }
    assert set(MODELED_ERRORS) == modelled
    assert typing.get_args(UnmodeledErrorName) == tuple(UNMODELED_ERRORS)
    members = {member for operation in OPERATIONS.values() for member in operation.stream_errors}
    assert set(typing.get_args(StreamErrorMember)) == members
    assert members == {kind.stream_member for kind in MODELED_ERRORS.values() if kind.stream_member is not None}
    union = SERVICE_MODEL.operation_model("ConverseStream").get_event_stream_output()
    events = [member for member, shape in union.members.items() if not shape.metadata.get("exception")]
    assert list(typing.get_args(ConverseStreamEvent)) == events


def test_converse_stream_has_no_model_timeout_member_but_the_invoke_stream_has():
    assert OPERATIONS["ConverseStream"].stream_member("ModelTimeoutException") is None
    assert OPERATIONS["InvokeModelWithResponseStream"].stream_member("ModelTimeoutException") == "modelTimeoutException"


# Converse


def test_converse_returns_the_reply_with_stop_reason_usage_and_metrics(stub, client):
    stub.reply = TRICKY_REPLY
    response = client.converse(modelId=HAIKU, messages=USER_HI, inferenceConfig={"maxTokens": 512})
    assert response["output"]["message"] == {"role": "assistant", "content": [{"text": TRICKY_REPLY}]}
    assert response["stopReason"] == "end_turn"
    usage = response["usage"]
    assert usage["outputTokens"] == math.ceil(len(TRICKY_REPLY) / 4)
    assert usage["inputTokens"] == math.ceil(len("Say hello.") / 4)
    assert usage["totalTokens"] == usage["inputTokens"] + usage["outputTokens"]
    assert response["metrics"]["latencyMs"] >= 0
    entry = stub.journal.entries()[-1]
    assert (entry.operation, entry.status, entry.reply_text) == ("Converse", 200, TRICKY_REPLY)


def test_converse_takes_system_prompts_images_documents_tools_and_model_fields(stub, client):
    stub.reply = "all accepted"
    messages = [
        {
            "role": "user",
            "content": [
                {"text": "Describe both."},
                {"image": {"format": "png", "source": {"bytes": b"\x89PNG\r\n\x1a\nfake"}}},
                {"document": {"format": "txt", "name": "notes", "source": {"bytes": b"plain notes"}}},
            ],
        },
        {"role": "assistant", "content": [{"toolUse": {"toolUseId": "t1", "name": "lookup", "input": {"q": "x"}}}]},
        {"role": "user", "content": [{"toolResult": {"toolUseId": "t1", "content": [{"json": {"answer": 42}}]}}]},
    ]
    response = client.converse(
        modelId=HAIKU,
        messages=messages,
        system=[{"text": "You are terse."}],
        inferenceConfig={"maxTokens": 100, "temperature": 0.2, "topP": 0.9, "stopSequences": ["STOP"]},
        toolConfig={
            "tools": [{"toolSpec": {"name": "lookup", "inputSchema": {"json": {"type": "object"}}}}],
            "toolChoice": {"auto": {}},
        },
        additionalModelRequestFields={"top_k": 50},
    )
    assert converse_text(response) == "all accepted"


def test_converse_over_h2c_prior_knowledge(stub):
    stub.reply = "over h2"
    path = f"/model/{HAIKU.replace(':', '%3A')}/converse"
    body = json.dumps({"messages": USER_HI}).encode()
    with httpx.Client(http1=False, http2=True) as http:
        response = http.post(stub.url + path, content=body, headers=signed_headers(stub.url + path, body))
    assert response.http_version == "HTTP/2"
    assert response.json()["output"]["message"]["content"] == [{"text": "over h2"}]


VALIDATION_CASES = [
    (
        [],
        {},
        "A conversation must start with a user message. Try again with a conversation that starts with a user message.",
    ),
    (
        [{"role": "user", "content": [{"text": "a"}]}, {"role": "user", "content": [{"text": "b"}]}],
        {},
        "A conversation must alternate between user and assistant roles. Make sure the conversation alternates "
        "between user and assistant roles and try again.",
    ),
    (
        [{"role": "user", "content": []}],
        {},
        "The content field in the Message object at messages.0 is empty. Add a ContentBlock object to the content "
        "field and try again.",
    ),
    (
        [{"role": "user", "content": [{"text": ""}]}],
        {},
        "The text field in the ContentBlock object at messages.0.content.0 is blank. Add text to the text field, "
        "and try again.",
    ),
    (
        USER_HI,
        {"inferenceConfig": {"maxTokens": 5000}},
        "The maximum tokens you requested exceeds the model limit of 4096. Try again with a maximum tokens value "
        "that is lower than 4096.",
    ),
    (
        USER_HI,
        {"inferenceConfig": {"temperature": 2}},
        "1 validation error detected: Value '2.0' at 'inferenceConfig.temperature' failed to satisfy constraint: "
        "Member must have value less than or equal to 1",
    ),
    (
        [
            {"role": "user", "content": [{"text": "a"}]},
            {"role": "assistant", "content": [{"toolUse": {"toolUseId": "t", "name": "n", "input": {}}}]},
            {"role": "user", "content": [{"toolResult": {"toolUseId": "t", "content": [{"text": "r"}]}}]},
        ],
        {},
        "The toolConfig field must be defined when using toolUse and toolResult content blocks.",
    ),
    (
        USER_HI,
        {"additionalModelRequestFields": {"colour": "blue"}},
        "The model returned the following errors: Malformed input request: #: extraneous key [colour] is not "
        "permitted, please reformat your input and try again.",
    ),
]


@pytest.mark.parametrize(("messages", "extra", "message"), VALIDATION_CASES)
def test_converse_refuses_what_bedrock_refuses_with_its_words(stub, client, messages, extra, message):
    for call in (client.converse, client.converse_stream):
        with pytest.raises(client.exceptions.ValidationException) as caught:
            call(modelId=HAIKU, messages=messages, **extra)
        assert caught.value.response["Error"]["Message"] == message
        assert stub.journal.entries()[-1].status == 400


# ConverseStream


def test_converse_stream_sends_bedrocks_events_in_order_with_the_reply_in_pieces(stub, client):
    stub.reply = TRICKY_REPLY
    stub.state.stream_piece_chars = 5
    response = client.converse_stream(modelId=HAIKU, messages=USER_HI)
    events = stream_events(response)
    kinds = [next(iter(event)) for event in events]
    deltas = [event for event in events if "contentBlockDelta" in event]
    assert kinds == [
        "messageStart",
        *["contentBlockDelta"] * len(deltas),
        "contentBlockStop",
        "messageStop",
        "metadata",
    ]
    assert len(deltas) == math.ceil(len(TRICKY_REPLY) / 5)
    assert streamed_text(events) == TRICKY_REPLY
    assert events[0]["messageStart"] == {"role": "assistant"}
    assert events[-2]["messageStop"] == {"stopReason": "end_turn"}
    metadata = events[-1]["metadata"]
    assert metadata["usage"]["outputTokens"] == math.ceil(len(TRICKY_REPLY) / 4)
    assert metadata["metrics"]["latencyMs"] >= 0
    assert response["ResponseMetadata"]["HTTPHeaders"]["content-type"] == "application/vnd.amazon.eventstream"
    entry = stub.journal.entries()[-1]
    assert (entry.operation, entry.reply_text) == ("ConverseStream", TRICKY_REPLY)


def test_every_stream_event_is_padded_and_boto3_ignores_the_padding(stub, client):
    path = f"/model/{HAIKU.replace(':', '%3A')}/converse-stream"
    body = json.dumps({"messages": USER_HI}).encode()
    raw = httpx.post(stub.url + path, content=body, headers=signed_headers(stub.url + path, body))
    payloads = [json.loads(frame.payload) for frame in raw_frames(raw.content)]
    assert payloads and all(isinstance(payload.get("p"), str) and payload["p"] for payload in payloads)
    # Random lengths: over this many events, one length for all would be a fixed pad, not Bedrock's.
    assert len(payloads) > 5 and len({len(payload["p"]) for payload in payloads}) > 1
    events = stream_events(client.converse_stream(modelId=HAIKU, messages=USER_HI))
    assert all("p" not in next(iter(event.values())) for event in events)


def test_invoke_stream_chunks_are_padded_beside_their_bytes(stub):
    path = f"/model/{HAIKU.replace(':', '%3A')}/invoke-with-response-stream"
    body = messages_body().encode()
    raw = httpx.post(stub.url + path, content=body, headers=signed_headers(stub.url + path, body))
    payloads = [json.loads(frame.payload) for frame in raw_frames(raw.content)]
    assert all(set(payload) == {"bytes", "p"} for payload in payloads)
    assert "p" not in json.loads(base64.b64decode(payloads[0]["bytes"]))


def test_padding_can_be_turned_off(stub):
    stub.state.pad_events = False
    path = f"/model/{HAIKU.replace(':', '%3A')}/converse-stream"
    body = json.dumps({"messages": USER_HI}).encode()
    raw = httpx.post(stub.url + path, content=body, headers=signed_headers(stub.url + path, body))
    assert all("p" not in json.loads(frame.payload) for frame in raw_frames(raw.content))


# Faults


@pytest.mark.parametrize("name", OPERATIONS["Converse"].errors)
def test_every_converse_error_reaches_boto3_as_its_own_class(stub, client, name):
    stub.inject_error(name, f"injected {name}", operation="Converse")
    with pytest.raises(getattr(client.exceptions, name)) as caught:
        client.converse(modelId=HAIKU, messages=USER_HI)
    assert caught.value.response["Error"]["Message"] == f"injected {name}"
    assert caught.value.response["ResponseMetadata"]["HTTPStatusCode"] == MODELED_ERRORS[name].status


@pytest.mark.parametrize("member", OPERATIONS["ConverseStream"].stream_errors)
def test_converse_stream_errors_arrive_as_exception_frames_after_http_200(stub, client, member):
    name = member[0].upper() + member[1:]
    stub.inject_error(name, "broke mid-stream", operation="ConverseStream")
    response = client.converse_stream(modelId=HAIKU, messages=USER_HI)
    assert response["ResponseMetadata"]["HTTPStatusCode"] == 200
    received = []
    with pytest.raises(botocore.exceptions.EventStreamError) as caught:
        for event in response["stream"]:
            received.append(event)
    assert caught.value.response["Error"] == {"Code": member, "Message": "broke mid-stream"}
    assert [next(iter(event)) for event in received] == ["messageStart", "contentBlockDelta"]
    assert stub.journal.entries()[-1].error_type == name


def test_model_timeout_on_converse_stream_is_an_http_error(stub, client):
    stub.inject_error("ModelTimeoutException", "too slow", operation="ConverseStream")
    with pytest.raises(client.exceptions.ModelTimeoutException):
        client.converse_stream(modelId=HAIKU, messages=USER_HI)


def test_an_error_an_operation_never_answers_cannot_be_injected_for_it(stub):
    with pytest.raises(ValueError, match="Converse does not answer ServiceQuotaExceededException"):
        stub.inject_error("ServiceQuotaExceededException", operation="Converse")
    with pytest.raises(ValueError, match="unknown operation"):
        stub.inject_error("ThrottlingException", operation="Chat")


def test_an_error_for_one_operation_leaves_the_others_alone(stub, client):
    stub.inject_error("ThrottlingException", operation="ConverseStream", http_on_stream=True)
    assert converse_text(client.converse(modelId=HAIKU, messages=USER_HI)) == stub.reply
    with pytest.raises(client.exceptions.ThrottlingException):
        client.converse_stream(modelId=HAIKU, messages=USER_HI)


def test_an_unknown_operation_under_a_model_is_still_unknown(stub):
    path = f"/model/{HAIKU.replace(':', '%3A')}/converse-later"
    response = httpx.post(stub.url + path, content=b"{}", headers=signed_headers(stub.url + path, b"{}"))
    assert (response.status_code, response.headers["x-amzn-errortype"]) == (404, "UnknownOperationException")


# CountTokens


def test_count_tokens_counts_a_converse_input(stub, client):
    messages = [{"role": "user", "content": [{"text": "x" * 40}]}]
    response = client.count_tokens(
        modelId=HAIKU, input={"converse": {"messages": messages, "system": [{"text": "y" * 8}]}}
    )
    assert response["inputTokens"] == 12
    assert stub.journal.entries()[-1].operation == "CountTokens"


def test_count_tokens_counts_an_invoke_model_body(stub, client):
    body = messages_body("z" * 100)
    response = client.count_tokens(modelId=HAIKU, input={"invokeModel": {"body": body}})
    assert response["inputTokens"] == 25
    entry = stub.journal.entries()[-1]
    assert base64.b64decode(json.loads(entry.body)["input"]["invokeModel"]["body"]) == body.encode()


def test_count_tokens_validates_the_body_it_counts(client):
    with pytest.raises(client.exceptions.ValidationException, match="required key \\[max_tokens\\] not found"):
        client.count_tokens(
            modelId=HAIKU,
            input={"invokeModel": {"body": json.dumps({"anthropic_version": "bedrock-2023-05-31", "messages": []})}},
        )


@pytest.mark.parametrize("name", OPERATIONS["CountTokens"].errors)
def test_every_count_tokens_error_reaches_boto3(stub, client, name):
    stub.inject_error(name, operation="CountTokens")
    with pytest.raises(getattr(client.exceptions, name)):
        client.count_tokens(modelId=HAIKU, input={"converse": {"messages": USER_HI}})


# anthropic_version


@pytest.mark.parametrize("version", ["bedrock-2023-05-31", "2023-06-01", "2026-10-21"])
def test_the_versions_current_clients_send_are_accepted(stub, client, version):
    body = json.dumps({**json.loads(messages_body()), "anthropic_version": version})
    assert json.loads(client.invoke_model(modelId=HAIKU, body=body)["body"].read())["content"][0]["text"] == stub.reply


@pytest.mark.parametrize("version", ["bedrock-2024-01-01", "2023-05-31", "2999-01-01", "latest", 1])
def test_an_invalid_api_version_gets_bedrocks_message(client, version):
    body = json.dumps({**json.loads(messages_body()), "anthropic_version": version})
    with pytest.raises(client.exceptions.ValidationException) as caught:
        client.invoke_model(modelId=HAIKU, body=body)
    assert caught.value.response["Error"]["Message"] == f"Invalid API version: {version}"


def test_the_messages_body_takes_what_current_clients_send(stub, client):
    body = {
        "anthropic_version": "bedrock-2023-05-31",
        "anthropic_beta": ["token-efficient-tools-2025-02-19"],
        "max_tokens": 300,
        "system": [{"type": "text", "text": "Be brief."}],
        "messages": [
            {
                "role": "user",
                "content": [
                    {"type": "image", "source": {"type": "base64", "media_type": "image/png", "data": "iVBORw0K"}},
                    {"type": "document", "source": {"type": "text", "media_type": "text/plain", "data": "notes"}},
                    {"type": "text", "text": "Look."},
                ],
            }
        ],
        "tools": [{"name": "lookup", "input_schema": {"type": "object"}}],
        "tool_choice": {"type": "auto"},
        "stop_sequences": ["END"],
        "top_k": 40,
        "metadata": {"user_id": "u-1"},
    }
    reply = json.loads(client.invoke_model(modelId=HAIKU, body=json.dumps(body))["body"].read())
    assert reply["content"] == [{"type": "text", "text": stub.reply}]


def test_count_tokens_records_the_findings_of_a_legacy_prompt(stub, client):
    body = json.dumps({"prompt": "Human: hi\n\nAssistant:", "max_tokens_to_sample": 20})
    client.count_tokens(modelId="anthropic.claude-v2", input={"invokeModel": {"body": body}})
    entry = stub.journal.entries()[-1]
    assert entry.operation == "CountTokens" and any("must start with" in finding for finding in entry.findings)


# Random Converse-shaped bodies: every one gets an answer or a ValidationException, never a stub failure.

_LEAF = st.one_of(st.none(), st.booleans(), st.integers(-5, 70000), st.floats(-2, 3), st.text(max_size=6))
_JSON = st.recursive(
    _LEAF,
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.sampled_from(CONVERSE_KEYS), inner, max_size=3),
    max_leaves=12,
)


_BLOCK = st.dictionaries(
    st.sampled_from(["text", "image", "document", "toolUse", "toolResult", "cachePoint"]), _JSON, min_size=1, max_size=2
)
_MESSAGE = st.fixed_dictionaries(
    {"role": st.sampled_from(["user", "assistant", "system", 1]), "content": st.lists(_BLOCK, max_size=3) | _JSON}
)
_BODY = st.fixed_dictionaries({"messages": st.lists(_MESSAGE, max_size=3)}) | st.dictionaries(
    st.sampled_from(CONVERSE_KEYS), _JSON, max_size=5
)


@settings(
    max_examples=examples(200),
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
    database=None,
)
@given(
    body=_BODY,
    extra=st.dictionaries(st.sampled_from(CONVERSE_KEYS), _JSON, max_size=3),
    segment=st.sampled_from(SEGMENTS),
)
def test_random_converse_bodies_get_bedrock_answers_never_a_stub_failure(stub, http, body, extra, segment):
    path = f"/model/{HAIKU.replace(':', '%3A')}/{segment}"
    if segment == "count-tokens":
        body = {"input": {"converse": body}}
    data = json.dumps({**extra, **body}).encode()
    response = http.post(stub.url + path, content=data, headers=signed_headers(stub.url + path, data))
    assert response.status_code in (200, 400), response.text
    if response.status_code == 400:
        assert response.headers["x-amzn-errortype"] == "ValidationException" and response.json()["message"]
