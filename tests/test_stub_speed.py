"""What the stub's faster paths must keep: well-formed ids and times, valid frames, headers before frames, one
deadline per request; and the benchmark's bare reference apps answer what they were given, over HTTP and HTTPS."""

from __future__ import annotations

import asyncio
import json
import os
import re
import sys
import uuid
from datetime import datetime, timedelta, timezone

import pytest
from bedrock_stub import CONVERSE, INVOKE_MODEL, eventstream
from bedrock_stub import app as stub_app
from bedrock_stub.app import BedrockRuntimeApp, StubState
from bedrock_stub.journal import Journal
from botocore.eventstream import EventStreamBuffer

from bedrock_mirror.bench.bare_app import encode_replies
from bedrock_mirror.bench.servers import TLS_OPTION, Server, fetch
from bedrock_mirror.bench.shapes import Shape
from tests.helpers import asgi_scope

ALPHABET = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"
INVOKE_STREAM = "/model/us.anthropic.claude-3-5-haiku-20241022-v1%3A0/invoke-with-response-stream"
MESSAGES = {
    "anthropic_version": "bedrock-2023-05-31",
    "max_tokens": 200,
    "messages": [{"role": "user", "content": "hi"}],
}


def test_request_ids_are_distinct_version_4_uuids():
    ids = [stub_app._request_id() for _ in range(2000)]
    assert len(set(ids)) == len(ids)
    for text in ids:
        parsed = uuid.UUID(text)
        assert str(parsed) == text
        assert parsed.version == 4 and parsed.variant == uuid.RFC_4122


@pytest.mark.skipif(not hasattr(os, "fork"), reason="os.fork is not available on this platform")
def test_a_forked_process_draws_other_request_ids():
    read_end, write_end = os.pipe()
    pid = os.fork()
    if pid == 0:
        os.write(write_end, stub_app._request_id().encode())
        os._exit(0)
    os.waitpid(pid, 0)
    os.close(write_end)
    child = os.read(read_end, 100).decode()
    os.close(read_end)
    assert uuid.UUID(child).version == 4
    assert child != stub_app._request_id()


def test_journal_times_are_iso_8601_utc_to_the_millisecond():
    before = datetime.now(timezone.utc).replace(microsecond=0)
    stamps = [stub_app._timestamp() for _ in range(50)]
    after = datetime.now(timezone.utc)
    for stamp in stamps:
        assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}\+00:00", stamp), stamp
        assert before <= datetime.fromisoformat(stamp) <= after
    assert stamps == sorted(stamps)


def _decoded(frame: bytes) -> list:
    buffer = EventStreamBuffer()
    buffer.add_data(frame)
    return list(buffer)  # botocore checks both CRCs and the lengths as it decodes


@pytest.mark.parametrize("pad", [False, True])
def test_frames_decode_with_botocore(pad):
    event = {"type": "content_block_delta", "index": 0, "delta": {"type": "text_delta", "text": 'Grüße \u2028 "q"'}}
    (chunk,) = _decoded(eventstream.chunk_frame(event, pad=pad))
    assert chunk.headers == {":event-type": "chunk", ":content-type": "application/json", ":message-type": "event"}
    part = json.loads(chunk.payload)
    assert json.loads(__import__("base64").b64decode(part["bytes"])) == event
    assert set(part) == ({"bytes", "p"} if pad else {"bytes"})
    if pad:
        assert part["p"] and ALPHABET.startswith(part["p"])

    (delta,) = _decoded(eventstream.event_frame("contentBlockDelta", {"delta": {"text": "a"}}, pad=pad))
    assert delta.headers[":event-type"] == "contentBlockDelta"
    body = json.loads(delta.payload)
    assert body["delta"] == {"text": "a"} and (ALPHABET.startswith(body["p"]) if pad else "p" not in body)

    (error,) = _decoded(eventstream.exception_frame("throttlingException", {"message": "slow down"}))
    assert error.headers[":message-type"] == "exception" and json.loads(error.payload) == {"message": "slow down"}


def test_padding_lengths_vary():
    lengths = {len(eventstream.padding()) for _ in range(2000)}
    assert min(lengths) >= 1 and max(lengths) <= len(ALPHABET) and len(lengths) > 20


def test_a_stream_sends_its_headers_before_building_its_frames_and_builds_no_more_than_one_write_ahead(monkeypatch):
    order: list[tuple[str, int]] = []
    encode = eventstream.chunk_frame

    def recording_chunk_frame(event, *, pad=False):
        frame = encode(event, pad=pad)
        order.append(("frame built", len(frame)))
        return frame

    monkeypatch.setattr(eventstream, "chunk_frame", recording_chunk_frame)
    # Writes small enough for a reply of 200 tokens to need several.
    monkeypatch.setattr(stub_app, "STREAM_WRITE_BYTES", 2048)
    body = json.dumps(MESSAGES).encode()
    reply = " ".join(f"word{index}" for index in range(400))
    state = StubState(reply=reply, verify_signatures=False, journal=Journal())

    async def receive():
        return {"type": "http.request", "body": body, "more_body": False}

    async def send(message):
        kind = "headers sent" if message["type"] == "http.response.start" else "body sent"
        order.append((kind, len(message.get("body", b""))))

    asyncio.run(BedrockRuntimeApp(state)(asgi_scope(INVOKE_STREAM, body), receive, send))
    assert state.journal.entries()[-1].status == 200
    kinds = [kind for kind, _ in order]
    assert kinds.count("frame built") > 2
    assert kinds.index("headers sent") < kinds.index("frame built")
    # The first event leaves alone, before the next is built.
    assert kinds[kinds.index("frame built") :][:3] == ["frame built", "body sent", "frame built"]
    # Then frames are built no further ahead of what has gone out than one write.
    built_ahead = 0
    writes = 0
    for kind, size in order:
        if kind == "frame built":
            built_ahead += size
        elif kind == "body sent" and size:
            assert size == built_ahead, "a write holds exactly the frames built since the last one"
            built_ahead = 0
            writes += 1
        assert built_ahead < stub_app.STREAM_WRITE_BYTES + 1024, built_ahead
    assert writes > 3


def _run_chunked(chunks: list[bytes], pause: float, read_timeout: float) -> tuple[StubState, int]:
    """The app reading a body that arrives in `chunks`, `pause` seconds apart; returns the state and timers set."""
    state = StubState(reply="fine", verify_signatures=False, journal=Journal(), read_timeout=read_timeout)
    body = b"".join(chunks)
    timers = 0

    async def main() -> None:
        nonlocal timers
        loop = asyncio.get_running_loop()
        call_at = loop.call_at

        def counting_call_at(when, callback, *args, **kwargs):
            nonlocal timers
            timers += 1
            return call_at(when, callback, *args, **kwargs)

        loop.call_at = counting_call_at  # type: ignore[method-assign]
        pending = list(chunks)

        async def receive():
            await asyncio.sleep(pause)
            chunk = pending.pop(0)
            return {"type": "http.request", "body": chunk, "more_body": bool(pending)}

        async def send(message):
            pass

        path = "/model/us.anthropic.claude-3-5-haiku-20241022-v1%3A0/invoke"
        await BedrockRuntimeApp(state)(asgi_scope(path, body), receive, send)

    asyncio.run(main())
    return state, timers


def test_one_deadline_covers_a_body_in_many_chunks():
    text = json.dumps(MESSAGES).encode()
    chunks = [text[i : i + 10] for i in range(0, len(text), 10)]
    state, timers = _run_chunked(chunks, pause=0.0, read_timeout=5.0)
    assert len(chunks) > 5
    assert state.journal.entries()[-1].status == 200
    assert timers == 1


def test_the_deadline_counts_the_whole_body_not_each_chunk():
    text = json.dumps(MESSAGES).encode()
    chunks = [text[i : i + 20] for i in range(0, len(text), 20)]
    # Every pause is well within the limit; all of them together are not.
    state, _ = _run_chunked(chunks, pause=0.15, read_timeout=0.4)
    entry = state.journal.entries()[-1]
    assert len(chunks) >= 4
    assert (entry.status, entry.error_type) == (400, "ValidationException")
    assert "not received in full within 0.4 seconds" in entry.error_message


@pytest.mark.parametrize("scheme", ["http", "https"])
@pytest.mark.parametrize("module", ["bare_starlette", "bare_app"])
def test_the_bare_reference_apps_answer_the_replies_they_were_given(tmp_path, module, scheme):
    pytest.importorskip("starlette", reason="starlette is not installed (pyproject's dependencies)")
    replies = {
        "invoke": ("application/json", b'{"content":[{"type":"text","text":"from invoke"}]}'),
        "converse": ("application/json", b'{"output":{"message":{"content":[{"text":"from converse"}]}}}'),
    }
    server = Server(
        f"bare ({module}, {scheme})",
        [sys.executable, "-m", f"bedrock_mirror.bench.{module}", *([TLS_OPTION] if scheme == "https" else [])],
        stdin=encode_replies(replies),
        log=tmp_path / "bare.log",
        ready_timeout=30,
    )
    try:
        assert server.url.startswith(f"{scheme}://127.0.0.1:")
        for operation in (INVOKE_MODEL, CONVERSE):
            shape = Shape(operation, b"{}")
            content_type, expected = replies[shape.segment]
            assert fetch(server.url, shape, {}) == (200, content_type, expected)
    finally:
        server.stop()


def test_signature_check_still_refuses_a_stale_date():
    from bedrock_stub.sigv4 import Credentials, verify

    headers = [
        (
            "authorization",
            "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20200101/us-east-1/bedrock/aws4_request, "
            "SignedHeaders=host;x-amz-date, Signature=" + "0" * 64,
        ),
        ("host", "127.0.0.1"),
        ("x-amz-date", "20200101T000000Z"),
    ]
    when = datetime(2020, 1, 1, tzinfo=timezone.utc) + timedelta(minutes=15, seconds=1)
    verdict = verify("POST", "/model/m/invoke", "", headers, b"{}", Credentials(), now=when)
    assert verdict.status == "expired"
    assert verify(
        "POST", "/model/m/invoke", "", headers, b"{}", Credentials(), now=when - timedelta(seconds=2)
    ).status == ("mismatch")
