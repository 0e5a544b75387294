"""The stub under abuse: random requests and broken HTTP/2 frames never get a 500 or stop it; many clients at once
over both protocols all get their own correct reply, journaled once. Every loop is bounded in count and time."""

from __future__ import annotations

import asyncio
import http.client
import json
import socket
import string
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor

import httpx
import hyperframe.frame
import pytest
from bedrock_stub import Stub
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.helpers import HAIKU, bedrock_client, examples, messages_body, signed_headers

FUZZ = settings(
    max_examples=examples(120),
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
    database=None,
)
SOCKET_TIMEOUT = 2.0


@pytest.fixture(scope="module")
def abused() -> Iterator[Stub]:
    with Stub(reply="still here") as stub:
        yield stub


def answers_correctly(stub: Stub) -> None:
    reply = bedrock_client(stub.url).invoke_model(modelId=HAIKU, body=messages_body())
    assert json.loads(reply["body"].read())["content"][0]["text"] == stub.reply


def still_listening(stub: Stub) -> None:
    """A plain HTTP/1.1 request on a new connection gets the stub's refusal of an unsigned request."""
    connection = http.client.HTTPConnection(stub.host, stub.port, timeout=30)
    try:
        connection.request("POST", f"/model/{HAIKU}/invoke", body=b"{}")
        assert 400 <= connection.getresponse().status < 500
    finally:
        connection.close()


def exchange(stub: Stub, data: bytes, timeout: float = SOCKET_TIMEOUT) -> bytes:
    with socket.create_connection((stub.host, stub.port), timeout=timeout) as raw:
        raw.sendall(data)
        raw.shutdown(socket.SHUT_WR)
        received = b""
        try:
            while chunk := raw.recv(65536):
                received += chunk
        except (TimeoutError, ConnectionResetError):
            pass
        return received


TOKEN = st.text(alphabet=string.ascii_letters + string.digits + "-_", min_size=1, max_size=20)
PATH_CHARS = string.ascii_letters + string.digits + "/%:.-_?=&~!$'()*+,;@"
PATHS = st.one_of(
    st.text(alphabet=PATH_CHARS, min_size=1, max_size=80).map(lambda text: "/" + text),
    st.builds(
        lambda model, operation: f"/model/{model}/{operation}",
        st.text(alphabet=PATH_CHARS.replace("/", ""), max_size=60),
        st.sampled_from(["invoke", "invoke-with-response-stream", "converse", ""]),
    ),
)
METHODS = st.one_of(st.sampled_from(["GET", "POST", "PUT", "DELETE", "PATCH", "HEAD", "OPTIONS"]), TOKEN)
HEADERS = st.lists(
    st.tuples(TOKEN, st.text(alphabet=string.printable.replace("\r", "").replace("\n", ""), max_size=60)), max_size=6
)


@FUZZ
@given(method=METHODS, path=PATHS, headers=HEADERS, body=st.binary(max_size=2048))
def test_random_http1_requests_never_get_a_500(abused, method, path, headers, body):
    lines = [f"{method} {path} HTTP/1.1", "Host: stub", f"Content-Length: {len(body)}", "Connection: close"]
    lines += [
        f"{name}: {value}"
        for name, value in headers
        if name.lower() not in ("content-length", "host", "transfer-encoding")
    ]
    response = exchange(abused, ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1", "replace") + body)
    assert not response.startswith(b"HTTP/1.1 5"), response[:200]


JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=20),
    lambda children: st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=12), children, max_size=4),
    max_leaves=12,
)
KEYS = st.sampled_from(
    [
        "anthropic_version",
        "max_tokens",
        "messages",
        "prompt",
        "max_tokens_to_sample",
        "temperature",
        "top_p",
        "top_k",
        "stop_sequences",
        "system",
        "stream",
        "model",
    ]
)
SCALARS = st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=20)
VALID_BODIES = (
    {
        "anthropic_version": "bedrock-2023-05-31",
        "max_tokens": 10,
        "messages": [{"role": "user", "content": [{"type": "text", "text": "hi"}]}],
    },
    {"prompt": "\n\nHuman: hi\n\nAssistant:", "max_tokens_to_sample": 10},
)
MESSAGE = st.dictionaries(
    st.sampled_from(["role", "content", "type", "text"]),
    JSON
    | st.sampled_from(["user", "assistant", "text"])
    | st.lists(st.dictionaries(st.sampled_from(["type", "text"]), JSON | st.just("text"), max_size=2), max_size=2),
    max_size=3,
)


@st.composite
def mutated_bodies(draw: st.DrawFn) -> dict:
    """A valid body with one value replaced, sometimes a key added or removed: reaches every validation branch."""
    body = json.loads(json.dumps(draw(st.sampled_from(VALID_BODIES))))
    body[draw(st.sampled_from(sorted(body)))] = draw(SCALARS | JSON | st.lists(MESSAGE, max_size=3))
    if draw(st.integers(0, 4)) == 0:
        body[draw(KEYS)] = draw(JSON)
    if draw(st.integers(0, 4)) == 0:
        body.pop(draw(KEYS), None)
    return body


BODIES = mutated_bodies()


@FUZZ
@given(
    body=BODIES,
    model=st.sampled_from([HAIKU, "anthropic.claude-v2", "us.anthropic.claude-v2:1", "nope"]),
    stream=st.booleans(),
)
def test_signed_random_bodies_get_bedrock_answers_never_a_500(abused, http, body, model, stream):
    path = f"/model/{model.replace(':', '%3A')}/{'invoke-with-response-stream' if stream else 'invoke'}"
    data = json.dumps(body).encode()
    response = http.post(abused.url + path, content=data, headers=signed_headers(abused.url + path, data))
    assert response.status_code in (200, 400), response.text
    if response.status_code == 400:
        assert response.headers["x-amzn-errortype"] == "ValidationException" and response.json()["message"]


FRAME_TYPES = st.sampled_from([0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 0x42])


@FUZZ
@given(
    frames=st.lists(
        st.tuples(FRAME_TYPES, st.integers(0, 255), st.integers(0, 2**31 - 1), st.binary(max_size=64)),
        min_size=1,
        max_size=6,
    )
)
def test_broken_http2_frames_do_not_stop_the_stub(abused, frames):
    data = b"PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n" + hyperframe.frame.SettingsFrame(0).serialize()
    for frame_type, flags, stream_id, payload in frames:
        data += len(payload).to_bytes(3, "big") + bytes([frame_type, flags]) + stream_id.to_bytes(4, "big") + payload
    # The server may wait for more frames; what it answers does not matter, only that it keeps serving.
    mark = abused.journal.mark()
    exchange(abused, data, timeout=0.3)
    assert all(entry.status != 500 for entry in abused.journal.since(mark))
    still_listening(abused)


def test_after_the_abuse_it_still_answers_and_never_said_500(abused):
    answers_correctly(abused)
    statuses = [entry.status for entry in abused.journal.entries()]
    assert statuses and 500 not in statuses


# --- many clients at once ---

REQUESTS_PER_PROTOCOL = 96


def test_many_clients_at_once_over_both_protocols_each_get_their_reply_journaled_once():
    with Stub(reply="concurrent reply") as stub:

        def over_http1(index: int) -> str:
            body = messages_body(f"http1 client {index}")
            return json.loads(bedrock_client(stub.url).invoke_model(modelId=HAIKU, body=body)["body"].read())[
                "content"
            ][0]["text"]

        async def over_http2() -> list[str]:
            path = "/model/anthropic.claude-3-haiku-20240307-v1%3A0/invoke"
            limits = httpx.Limits(max_connections=4)
            async with httpx.AsyncClient(http1=False, http2=True, limits=limits, timeout=30) as client:

                async def one(index: int) -> str:
                    body = messages_body(f"http2 client {index}").encode()
                    response = await client.post(
                        stub.url + path, content=body, headers=signed_headers(stub.url + path, body)
                    )
                    return response.json()["content"][0]["text"]

                return await asyncio.gather(*(one(index) for index in range(REQUESTS_PER_PROTOCOL)))

        with ThreadPoolExecutor(16) as pool:
            http1 = pool.map(over_http1, range(REQUESTS_PER_PROTOCOL))
            http2 = asyncio.run(over_http2())
            replies = list(http1) + http2
        assert replies == ["concurrent reply"] * (2 * REQUESTS_PER_PROTOCOL)
        entries = stub.journal.entries()
        prompts = [json.loads(entry.body)["messages"][0]["content"][0]["text"] for entry in entries]
        assert sorted(prompts) == sorted(
            [f"http1 client {i}" for i in range(REQUESTS_PER_PROTOCOL)]
            + [f"http2 client {i}" for i in range(REQUESTS_PER_PROTOCOL)]
        )
        assert {entry.http_version for entry in entries} == {"1.1", "2"}
        assert sorted(entry.seq for entry in entries) == list(range(1, len(entries) + 1))
