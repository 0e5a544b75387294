"""Bad requests get a clear Bedrock-style error, never a 500, and the stub keeps serving."""

from __future__ import annotations

import contextlib
import socket

import httpx
import pytest
from bedrock_stub.app import MAX_BODY_BYTES

from tests.helpers import HAIKU, bedrock_client, messages_body, signed_headers

INVOKE = "/model/anthropic.claude-3-haiku-20240307-v1%3A0/invoke"


def still_serves(stub) -> None:
    response = bedrock_client(stub.url).invoke_model(modelId=HAIKU, body=messages_body())
    assert response["ResponseMetadata"]["HTTPStatusCode"] == 200


@pytest.mark.parametrize(
    "method, path",
    [
        ("GET", INVOKE),
        ("PUT", INVOKE),
        ("DELETE", "/model/x/invoke"),
        ("POST", "/"),
        ("POST", "/model/x"),
        ("POST", "/model//invoke"),
        ("POST", "/model/x/converse-unknown"),
        ("GET", "/favicon.ico"),
        ("POST", "/model/a/b/invoke"),
    ],
)
def test_unknown_operations_are_404_unknown_operation(stub, method, path):
    response = httpx.request(method, stub.url + path, content=b"{}")
    assert (response.status_code, response.headers["x-amzn-errortype"]) == (404, "UnknownOperationException")
    assert response.json() == {"message": "The requested operation is not recognized by the service."}
    still_serves(stub)


def test_a_declared_oversized_body_is_refused_without_reading_it(stub):
    with socket.create_connection((stub.host, stub.port)) as raw:
        raw.sendall(f"POST {INVOKE} HTTP/1.1\r\nHost: x\r\nContent-Length: {MAX_BODY_BYTES + 1}\r\n\r\n".encode())
        raw.settimeout(5)
        reply = b""
        while b"}" not in reply:
            reply += raw.recv(65536)
    head, _, body = reply.decode().partition("\r\n\r\n")
    assert head.startswith("HTTP/1.1 400")
    assert "x-amzn-errortype: validationexception" in head.lower()
    assert f"less than or equal to {MAX_BODY_BYTES}" in body
    still_serves(stub)


def test_an_oversized_chunked_body_is_refused(stub):
    def chunks():
        block = b"x" * 1_000_000
        for _ in range(MAX_BODY_BYTES // len(block) + 2):
            yield block

    response = httpx.post(stub.url + INVOKE, content=chunks())
    assert (response.status_code, response.headers["x-amzn-errortype"]) == (400, "ValidationException")
    still_serves(stub)


def test_a_body_of_exactly_the_limit_is_read_and_judged(stub):
    body = b" " * MAX_BODY_BYTES
    response = httpx.post(stub.url + INVOKE, content=body, headers=signed_headers(stub.url + INVOKE, body))
    assert (response.status_code, response.headers["x-amzn-errortype"]) == (400, "ValidationException")
    assert response.json()["message"].startswith("Malformed input request")


@pytest.mark.parametrize(
    "body",
    [
        b"\x00\x01\x02",
        b"\xc3\x28",
        b'{"messages": 1}',
        b"null",
        b"1e999999",
        b'{"anthropic_version": "bedrock-2023-05-31", "max_tokens": -1, "messages": []}',
        b'{"anthropic_version": "bedrock-2023-05-31", "max_tokens": 9, "messages": [1]}',
        b'{"anthropic_version": "x", "max_tokens": 9, "messages": []}',
        b'{"anthropic_version": "bedrock-2023-05-31", "max_tokens": 9, "temperature": "hot",'
        b' "messages": [{"role": "user", "content": "x"}]}',
    ],
)
def test_signed_nonsense_bodies_are_validation_errors(stub, body):
    response = httpx.post(stub.url + INVOKE, content=body, headers=signed_headers(stub.url + INVOKE, body))
    assert (response.status_code, response.headers["x-amzn-errortype"]) == (400, "ValidationException")
    assert response.json()["message"]
    still_serves(stub)


def test_garbage_on_the_socket_does_not_stop_the_stub(stub):
    for garbage in (
        b"\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03",
        b"NOT HTTP AT ALL\r\n\r\n",
        b"PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n\x00\x00\xff\xff\xff\xff",
    ):
        with socket.create_connection((stub.host, stub.port)) as raw:
            raw.sendall(garbage)
            raw.settimeout(2)
            with contextlib.suppress(TimeoutError, ConnectionResetError):
                raw.recv(4096)
    still_serves(stub)
    assert all(entry.status != 500 for entry in stub.journal.entries())
