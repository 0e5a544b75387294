"""A streamed reply's head waits a moment after its request, so that the SDK for Go never drops its own stream.

The SDK for Go closes a request's body as soon as the reply's head arrives; if its HTTP/1.1 writer has not yet
finished with that body (on one machine the stub can take the CPU from it right after the last byte is sent), the
writer sees an error and closes the connection while the stream is still being read. The streaming example never
asks the stream for its error, so it printed the start of the text and exited 0. No real reply comes back within
`STREAM_HEAD_DELAY` of its request; the stub waits that long before a streamed head.
"""

from __future__ import annotations

import asyncio
import json
import time

import pytest
from bedrock_stub import INVOKE_MODEL_STREAM, Stub
from bedrock_stub.app import STREAM_HEAD_DELAY, BedrockRuntimeApp, StubState
from bedrock_stub.cli import build_parser
from bedrock_stub.journal import Journal

from bedrock_mirror import pipeline, registry
from bedrock_mirror.scenarios import FIDELITY_TEXT
from tests.helpers import asgi_scope, ready_language

HAIKU = "anthropic.claude-3-haiku-20240307-v1%3A0"
MESSAGES = {
    "anthropic_version": "bedrock-2023-05-31",
    "max_tokens": 50,
    "messages": [{"role": "user", "content": "hi"}],
}
CONVERSE = {"messages": [{"role": "user", "content": [{"text": "hi"}]}]}
# Runs of the Go example. Without the wait, 1 to 20 in 100 lost their end on a two-core machine (fewer the busier it
# was; none on one core), so 300 clean runs in a row would be luck of under 1 in 20. How fast they go is the bench's.
GO_RUNS = 300


def _head_gap(path: str, body: dict, delay: float) -> float:
    """Seconds from the request's last body chunk being read to the reply's head being sent, through the ASGI app."""
    raw = json.dumps(body).encode()
    state = StubState(reply="one two three", verify_signatures=False, journal=Journal(), stream_head_delay=delay)
    moments: dict[str, float] = {}
    scope = asgi_scope(path, raw)

    async def receive():
        moments["read"] = time.perf_counter()
        return {"type": "http.request", "body": raw, "more_body": False}

    async def send(message):
        if message["type"] == "http.response.start":
            moments["head"] = time.perf_counter()
            assert message["status"] == 200, message

    asyncio.run(BedrockRuntimeApp(state)(scope, receive, send))
    return moments["head"] - moments["read"]


@pytest.mark.parametrize(
    ("path", "body"),
    [(f"/model/{HAIKU}/invoke-with-response-stream", MESSAGES), (f"/model/{HAIKU}/converse-stream", CONVERSE)],
    ids=["InvokeModelWithResponseStream", "ConverseStream"],
)
def test_a_streamed_head_waits_the_delay_after_the_request(path, body):
    assert _head_gap(path, body, 0.2) >= 0.2


def test_a_plain_reply_does_not_wait():
    # A delay no reply takes on any machine: a plain reply that waited it would show.
    assert _head_gap(f"/model/{HAIKU}/invoke", MESSAGES, 30.0) < 30.0


def test_the_default_wait_is_short_but_not_zero():
    assert 0 < STREAM_HEAD_DELAY <= 0.05
    assert StubState(reply="x").stream_head_delay == STREAM_HEAD_DELAY
    stub = Stub()
    try:
        assert stub.state.stream_head_delay == STREAM_HEAD_DELAY
    finally:
        stub.stop()


def test_the_command_line_sets_the_wait():
    parser = build_parser()
    assert parser.parse_args([]).stream_head_delay == STREAM_HEAD_DELAY
    assert parser.parse_args(["--stream-head-delay", "0"]).stream_head_delay == 0
    assert parser.parse_args(["--stream-head-delay", "0.25"]).stream_head_delay == 0.25
    for wrong in ("-1", "nan", "61", "soon"):
        with pytest.raises(SystemExit):
            parser.parse_args(["--stream-head-delay", wrong])


GO = registry.language("go")
STREAMING = next(sample for sample in GO.samples if sample.operation == INVOKE_MODEL_STREAM)


@pytest.mark.end_to_end
def test_the_go_streaming_example_prints_every_delta_run_after_run():
    ready_language(GO)
    lost: list[str] = []
    # One character per delta: the longest stream the reply makes, so the widest window for the race.
    with Stub(reply=FIDELITY_TEXT, stream_piece_chars=1) as stub:
        for number in range(1, GO_RUNS + 1):
            run = pipeline.run_against(GO, STREAMING.run, stub, timeout=60)
            printed = STREAMING.extraction.extract_printed(run.process.stdout, run.process.stderr)
            if printed != FIDELITY_TEXT or run.process.exit_code != 0:
                lost.append(f"run {number}: exit {run.process.exit_code}, printed {(printed or '')[:40]!r}")
    assert lost == [], f"{len(lost)} of {GO_RUNS} runs lost text: {lost[:5]}"
