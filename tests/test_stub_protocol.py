"""The stub speaks Bedrock Runtime as SDKs see it: boto3 for both operations, raw HTTP/1.1 and HTTP/2, every error."""

from __future__ import annotations

import base64
import json

import botocore.session
import httpx
import pytest
from bedrock_stub import MODELED_ERRORS, Stub
from bedrock_stub.models import PROMPT_END_RULE, PROMPT_START_RULE
from botocore.eventstream import EventStreamBuffer

from tests.helpers import (
    CLAUDE_V2,
    HAIKU,
    TRICKY_REPLY,
    bedrock_client,
    completions_body,
    messages_body,
    signed_headers,
)

SERVICE_MODEL = botocore.session.get_session().get_service_model("bedrock-runtime")


def stream_text(response) -> tuple[str, list[str]]:
    text, types = "", []
    for event in response["body"]:
        chunk = json.loads(event["chunk"]["bytes"])
        types.append(chunk["type"])
        if chunk["type"] == "content_block_delta":
            text += chunk["delta"]["text"]
        elif chunk["type"] == "completion":
            text += chunk["completion"]
    return text, types


def test_invoke_model_returns_the_reply_in_a_messages_body(stub, client):
    stub.reply = TRICKY_REPLY
    response = client.invoke_model(modelId=HAIKU, body=messages_body())
    body = json.loads(response["body"].read())
    assert body["content"] == [{"type": "text", "text": TRICKY_REPLY}]
    assert body["type"] == "message" and body["role"] == "assistant" and body["stop_reason"] == "end_turn"
    assert body["model"] == "claude-3-haiku-20240307" and body["id"].startswith("msg_bdrk_")
    assert response["contentType"] == "application/json"
    headers = response["ResponseMetadata"]["HTTPHeaders"]
    for name in (
        "x-amzn-requestid",
        "x-amzn-bedrock-invocation-latency",
        "x-amzn-bedrock-input-token-count",
        "x-amzn-bedrock-output-token-count",
    ):
        assert name in headers


def test_the_default_reply_carries_a_nonce_drawn_at_start():
    with Stub() as first, Stub() as second:
        assert first.reply != second.reply
        assert first.reply.startswith("A 'hello world' program")


def test_the_reply_can_change_while_the_stub_runs(stub, client):
    stub.reply = "first"
    assert (
        json.loads(client.invoke_model(modelId=HAIKU, body=messages_body())["body"].read())["content"][0]["text"]
        == "first"
    )
    stub.reply = "second"
    assert (
        json.loads(client.invoke_model(modelId=HAIKU, body=messages_body())["body"].read())["content"][0]["text"]
        == "second"
    )


def test_text_completions_body_gets_a_completion(stub, client):
    stub.reply = TRICKY_REPLY
    body = json.loads(client.invoke_model(modelId=CLAUDE_V2, body=completions_body())["body"].read())
    assert body["completion"] == TRICKY_REPLY
    assert body["stop_reason"] == "stop_sequence"


def test_streamed_reply_is_the_reply_split_over_several_deltas_in_bedrock_order(stub, client):
    stub.reply = TRICKY_REPLY
    response = client.invoke_model_with_response_stream(modelId=HAIKU, body=messages_body())
    text, types = stream_text(response)
    assert text == TRICKY_REPLY
    assert types[:2] == ["message_start", "content_block_start"]
    assert types[-3:] == ["content_block_stop", "message_delta", "message_stop"]
    assert types.count("content_block_delta") > 2
    assert response["contentType"] == "application/json"


def test_streamed_text_completions_end_with_invocation_metrics(stub, client):
    stub.reply = "one two three four five six seven eight nine ten"
    response = client.invoke_model_with_response_stream(modelId=CLAUDE_V2, body=completions_body())
    chunks = [json.loads(event["chunk"]["bytes"]) for event in response["body"]]
    assert "".join(chunk["completion"] for chunk in chunks) == stub.reply
    assert chunks[-1]["stop_reason"] == "stop_sequence"
    assert set(chunks[-1]["amazon-bedrock-invocationMetrics"]) == {
        "inputTokenCount",
        "outputTokenCount",
        "invocationLatency",
        "firstByteLatency",
    }


@pytest.mark.parametrize(
    "model_id",
    [
        "arn:aws:bedrock:us-east-1::foundation-model/anthropic.claude-v2:1",
        "us.anthropic.claude-3-haiku-20240307-v1:0",
        "eu.anthropic.claude-3-haiku-20240307-v1:0",
        "anthropic.claude-instant-v1",
    ],
)
def test_model_ids_arns_and_inference_profiles_resolve(stub, client, model_id):
    stub.reply = "ok"
    body = completions_body() if "claude-v2" in model_id else messages_body()
    client.invoke_model(modelId=model_id, body=body)
    assert stub.journal.entries()[-1].model_id == model_id
    assert stub.journal.entries()[-1].status == 200


def test_arn_path_segment_keeps_its_encoded_slash(stub, client):
    client.invoke_model(
        modelId="arn:aws:bedrock:us-east-1::foundation-model/anthropic.claude-v2:1", body=completions_body()
    )
    assert stub.journal.entries()[-1].path == (
        "/model/arn%3Aaws%3Abedrock%3Aus-east-1%3A%3Afoundation-model%2Fanthropic.claude-v2%3A1/invoke"
    )


def validation_message(client, model_id: str, body: str) -> str:
    with pytest.raises(client.exceptions.ValidationException) as caught:
        client.invoke_model(modelId=model_id, body=body)
    return caught.value.response["Error"]["Message"]


def test_unknown_model_id_gives_bedrocks_message(client):
    assert validation_message(client, "anthropic.claude-9", messages_body()) == (
        "The provided model identifier is invalid."
    )


def test_a_catalogue_without_the_model_rejects_it():
    from bedrock_stub.models import CATALOGUE

    with Stub(models=[model for model in CATALOGUE if model.model_id != HAIKU]) as stub:
        assert validation_message(bedrock_client(stub.url), HAIKU, messages_body()) == (
            "The provided model identifier is invalid."
        )


def test_missing_max_tokens_gives_bedrocks_message(client):
    body = json.dumps({"anthropic_version": "bedrock-2023-05-31", "messages": [{"role": "user", "content": "x"}]})
    assert validation_message(client, HAIKU, body) == (
        "Malformed input request: #: required key [max_tokens] not found, please reformat your input and try again."
    )


def test_stream_key_is_extraneous(client):
    assert validation_message(client, HAIKU, messages_body(stream=True)) == (
        "Malformed input request: #: extraneous key [stream] is not permitted, please reformat your input and try "
        "again."
    )


def test_several_violations_are_listed_together(client):
    message = validation_message(client, HAIKU, json.dumps({"model": "x"}))
    assert message.startswith(
        "Malformed input request: #: 4 schema violations found#: required key [anthropic_version] not found"
    )
    assert "#: extraneous key [model] is not permitted" in message


def test_text_completions_body_to_claude_3_is_refused(client):
    assert validation_message(client, HAIKU, completions_body()) == (
        '"claude-3-haiku-20240307" is not supported on this API. Please use the Messages API instead.'
    )


@pytest.mark.parametrize("body", ["{not json", "[1, 2]", '"text"', ""])
def test_malformed_json_is_a_validation_error(client, body):
    assert validation_message(client, HAIKU, body).startswith("Malformed input request: ")


def test_invalid_utf8_is_a_validation_error(client):
    assert "not valid UTF-8" in validation_message(client, HAIKU, b'{"prompt": "\xff\xfe"}')


@pytest.mark.parametrize(
    "prompt, finding",
    [
        ("Human: Hi\n\nAssistant:", PROMPT_START_RULE),
        ("\n\nHuman:\nHi\n\nAssistant:\n", PROMPT_END_RULE),
    ],
)
def test_legacy_prompt_rules_are_findings_by_default_and_errors_when_strict(stub, client, prompt, finding):
    client.invoke_model(modelId=CLAUDE_V2, body=completions_body(prompt))
    assert stub.journal.entries()[-1].findings == [finding]
    stub.strict = True
    assert validation_message(client, CLAUDE_V2, completions_body(prompt)) == finding


def test_a_well_formed_legacy_prompt_has_no_finding(stub, client):
    client.invoke_model(modelId=CLAUDE_V2, body=completions_body("\n\nHuman: Hi\n\nAssistant:"))
    assert stub.journal.entries()[-1].findings == []


def test_error_table_matches_the_service_model():
    modeled = {shape.name: shape.metadata["error"]["httpStatusCode"] for shape in SERVICE_MODEL.error_shapes}
    assert {name: kind.status for name, kind in MODELED_ERRORS.items()} == modeled
    stream_members = set(
        SERVICE_MODEL.operation_model("InvokeModelWithResponseStream").output_shape.members["body"].members
    ) - {"chunk"}
    assert {kind.stream_member for kind in MODELED_ERRORS.values() if kind.stream_member} == stream_members


@pytest.mark.parametrize("name", list(MODELED_ERRORS))
def test_every_modeled_error_reaches_boto3_as_its_own_class(stub, client, name):
    stub.inject_error(name, f"injected {name}")
    with pytest.raises(getattr(client.exceptions, name)) as caught:
        client.invoke_model(modelId=HAIKU, body=messages_body())
    error = caught.value.response
    assert error["Error"]["Message"] == f"injected {name}"
    assert error["ResponseMetadata"]["HTTPStatusCode"] == MODELED_ERRORS[name].status
    assert error["ResponseMetadata"]["HTTPHeaders"]["x-amzn-errortype"] == name


@pytest.mark.parametrize("name", [name for name, kind in MODELED_ERRORS.items() if kind.stream_member])
def test_stream_errors_arrive_as_an_exception_frame_after_http_200(stub, client, name):
    stub.inject_error(name, "broke mid-stream")
    response = client.invoke_model_with_response_stream(modelId=HAIKU, body=messages_body())
    assert response["ResponseMetadata"]["HTTPStatusCode"] == 200
    with pytest.raises(botocore.exceptions.EventStreamError) as caught:
        stream_text(response)
    assert caught.value.response["Error"] == {"Code": MODELED_ERRORS[name].stream_member, "Message": "broke mid-stream"}


def test_other_errors_on_the_stream_operation_are_http_errors(stub, client):
    stub.inject_error("AccessDeniedException", "no access")
    with pytest.raises(client.exceptions.AccessDeniedException):
        client.invoke_model_with_response_stream(modelId=HAIKU, body=messages_body())


def test_an_error_for_the_next_n_requests_then_replies(stub, client):
    stub.inject_error("ThrottlingException", count=2)
    for _ in range(2):
        with pytest.raises(client.exceptions.ThrottlingException):
            client.invoke_model(modelId=HAIKU, body=messages_body())
    client.invoke_model(modelId=HAIKU, body=messages_body())
    assert [entry.status for entry in stub.journal.entries()] == [429, 429, 200]


def test_cleared_errors_stop_at_once(stub, client):
    stub.inject_error("AccessDeniedException")
    with pytest.raises(client.exceptions.AccessDeniedException):
        client.invoke_model(modelId=HAIKU, body=messages_body())
    stub.clear_errors()
    assert client.invoke_model(modelId=HAIKU, body=messages_body())["ResponseMetadata"]["HTTPStatusCode"] == 200


def test_boto3_retries_a_throttle_by_default(stub):
    stub.inject_error("ThrottlingException", count=1)
    import boto3

    default_client = boto3.client(
        "bedrock-runtime",
        region_name="us-east-1",
        endpoint_url=stub.url,
        aws_access_key_id="AKIDEXAMPLE",
        aws_secret_access_key="wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY",
    )
    default_client.invoke_model(modelId=HAIKU, body=messages_body())
    assert [entry.status for entry in stub.journal.entries()] == [429, 200]


def test_journal_records_what_was_asked_and_answered(stub, client, tmp_path):
    stub.reply = "journaled"
    client.invoke_model(modelId=HAIKU, body=messages_body())
    entry = stub.journal.entries()[-1]
    assert (entry.operation, entry.model_id, entry.signature, entry.status, entry.reply_text) == (
        "InvokeModel",
        HAIKU,
        "valid",
        200,
        "journaled",
    )
    assert entry.http_version == "1.1" and json.loads(entry.body)["max_tokens"] == 512
    assert entry.header("user-agent").startswith("Boto3/")


def test_journal_file_gets_one_json_line_per_request(tmp_path):
    path = tmp_path / "journal.jsonl"
    with Stub(journal_path=path) as stub:
        client = bedrock_client(stub.url)
        client.invoke_model(modelId=HAIKU, body=messages_body())
        with pytest.raises(client.exceptions.ValidationException):
            client.invoke_model(modelId="nope", body=messages_body())
    lines = [json.loads(line) for line in path.read_text().splitlines()]
    assert [(line["status"], line["error_type"]) for line in lines] == [(200, None), (400, "ValidationException")]


# --- raw HTTP: both protocols on one port, frames decoded by botocore's own decoder ---


def raw_post(url: str, path: str, body: bytes, *, http2: bool, headers: dict[str, str] | None = None):
    with httpx.Client(http1=not http2, http2=http2) as raw:
        return raw.post(
            url + path, content=body, headers=headers if headers is not None else signed_headers(url + path, body)
        )


@pytest.mark.parametrize("http2", [False, True], ids=["http1.1", "h2c-prior-knowledge"])
def test_raw_invoke_over_both_protocols(stub, http2):
    stub.reply = TRICKY_REPLY
    response = raw_post(
        stub.url, "/model/anthropic.claude-3-haiku-20240307-v1%3A0/invoke", messages_body().encode(), http2=http2
    )
    assert response.http_version == ("HTTP/2" if http2 else "HTTP/1.1")
    assert response.status_code == 200
    assert response.json()["content"][0]["text"] == TRICKY_REPLY
    assert stub.journal.entries()[-1].http_version == ("2" if http2 else "1.1")


@pytest.mark.parametrize("http2", [False, True], ids=["http1.1", "h2c-prior-knowledge"])
def test_raw_stream_frames_decode_with_botocores_decoder(stub, http2):
    stub.reply = TRICKY_REPLY
    response = raw_post(
        stub.url,
        "/model/anthropic.claude-3-haiku-20240307-v1%3A0/invoke-with-response-stream",
        messages_body().encode(),
        http2=http2,
    )
    assert response.headers["content-type"] == "application/vnd.amazon.eventstream"
    assert response.headers["x-amzn-bedrock-content-type"] == "application/json"
    decoder = EventStreamBuffer()
    decoder.add_data(response.content)  # checks both CRCs of every frame
    messages = list(decoder)
    assert {message.headers[":event-type"] for message in messages} == {"chunk"}
    events = [json.loads(base64.b64decode(json.loads(message.payload)["bytes"])) for message in messages]
    assert "".join(event["delta"]["text"] for event in events if event["type"] == "content_block_delta") == (
        TRICKY_REPLY
    )


def test_content_type_and_accept_are_not_required(stub):
    body = messages_body().encode()
    path = "/model/anthropic.claude-3-haiku-20240307-v1%3A0/invoke"
    headers = signed_headers(stub.url + path, body, content_type=None)
    assert raw_post(stub.url, path, body, http2=False, headers=headers).status_code == 200


def test_a_clients_goaway_after_the_headers_lets_a_long_reply_finish(stub):
    """What the JavaScript SDK does on every call: GOAWAY(NO_ERROR) once the headers arrive, then read on."""
    import socket

    import h2.config
    import h2.connection
    import h2.events
    import hyperframe.frame

    stub.reply = "long " * 60_000  # 300,000 characters: several flow-control windows
    stub.state.honour_max_tokens = False  # the body must stay large although the request asks for 512 tokens
    path = "/model/anthropic.claude-3-haiku-20240307-v1%3A0/invoke"
    body = messages_body().encode()
    headers = signed_headers(stub.url + path, body)
    connection = h2.connection.H2Connection(h2.config.H2Configuration(client_side=True))
    with socket.create_connection((stub.host, stub.port), timeout=10) as raw:
        connection.initiate_connection()
        request = [
            (":method", "POST"),
            (":path", path),
            (":scheme", "http"),
            (":authority", f"{stub.host}:{stub.port}"),
        ]
        request += [(name.lower(), value) for name, value in headers.items() if name.lower() != "host"]
        connection.send_headers(1, request)
        connection.send_data(1, body, end_stream=True)
        raw.sendall(connection.data_to_send())
        received, ended, sent_goaway = bytearray(), False, False
        while not ended:
            data = raw.recv(65536)
            assert data, "the server closed the connection before the response ended"
            for event in connection.receive_data(data):
                if isinstance(event, h2.events.ResponseReceived) and not sent_goaway:
                    # GOAWAY(NO_ERROR, last_stream_id=0) as raw bytes: h2's own client stops reading once it sends one.
                    raw.sendall(hyperframe.frame.GoAwayFrame(stream_id=0, last_stream_id=0).serialize())
                    sent_goaway = True
                elif isinstance(event, h2.events.DataReceived):
                    received += event.data
                    connection.acknowledge_received_data(event.flow_controlled_length, event.stream_id)
                elif isinstance(event, h2.events.StreamEnded):
                    ended = True
            raw.sendall(connection.data_to_send())
    assert json.loads(received)["content"][0]["text"] == stub.reply


def test_every_operation_of_the_table_has_a_handler():
    from bedrock_stub.app import _HANDLERS
    from bedrock_stub.operations import OPERATIONS

    assert set(_HANDLERS) == set(OPERATIONS)
