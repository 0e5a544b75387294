"""Clients that go, stop reading or never open their window: the stub frees their work and slot, bounds what it
buffers, logs no line per write, and ends promptly on SIGTERM."""

from __future__ import annotations

import logging
import signal
import socket
import struct
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from types import SimpleNamespace
from typing import Protocol

import h2.config
import h2.connection
import h2.errors
import h2.events
import h2.settings
import pytest
from bedrock_stub import Stub

from tests.helpers import messages_body, signed_headers

STREAM_PATH = "/model/anthropic.claude-3-haiku-20240307-v1%3A0/invoke-with-response-stream"
PLAIN_PATH = "/model/anthropic.claude-3-haiku-20240307-v1%3A0/invoke"
# About 8,000 stream events, over a megabyte on the wire: more than any socket buffer and flow-control window.
LONG_REPLY = "long " * 20_000


class Endpoint(Protocol):
    host: str
    port: int
    url: str


def wait_until(condition: Callable[[], bool], seconds: float = 15.0) -> None:
    """Waits for the stub to reach a state (polled: the stub's thread gives no event to wait on)."""
    deadline = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < deadline, "the stub did not get there in time"
        time.sleep(0.02)


def _long_replies(stub: Stub) -> None:
    stub.reply = LONG_REPLY
    stub.state.honour_max_tokens = False


def _request_headers(stub: Endpoint, path: str, body: bytes) -> list[tuple[str, str]]:
    headers = signed_headers(stub.url + path, body)
    request = [(":method", "POST"), (":path", path), (":scheme", "http"), (":authority", f"{stub.host}:{stub.port}")]
    return request + [(name.lower(), value) for name, value in headers.items() if name.lower() != "host"]


@contextmanager
def h2_client(
    stub: Endpoint, *, window: int | None = None
) -> Iterator[tuple[socket.socket, h2.connection.H2Connection]]:
    """A raw HTTP/2 connection (prior knowledge); `window` is the initial window of its streams."""
    connection = h2.connection.H2Connection(h2.config.H2Configuration(client_side=True))
    with socket.create_connection((stub.host, stub.port), timeout=20) as raw:
        connection.initiate_connection()
        if window is not None:
            connection.update_settings({h2.settings.SettingCodes.INITIAL_WINDOW_SIZE: window})
        raw.sendall(connection.data_to_send())
        yield raw, connection


def h2_request(stub: Endpoint, raw: socket.socket, connection: h2.connection.H2Connection, path: str) -> int:
    body = messages_body().encode()
    stream_id = connection.get_next_available_stream_id()
    connection.send_headers(stream_id, _request_headers(stub, path, body))
    connection.send_data(stream_id, body, end_stream=True)
    raw.sendall(connection.data_to_send())
    return stream_id


def h2_events(raw: socket.socket, connection: h2.connection.H2Connection) -> Iterator[h2.events.Event]:
    while True:
        data = raw.recv(65536)
        if not data:
            return
        yield from connection.receive_data(data)
        raw.sendall(connection.data_to_send())


def http1_request(stub: Endpoint, path: str) -> bytes:
    body = messages_body().encode()
    headers = signed_headers(stub.url + path, body)
    head = f"POST {path} HTTP/1.1\r\nhost: {stub.host}:{stub.port}\r\n"
    head += "".join(f"{name}: {value}\r\n" for name, value in headers.items())
    return (head + f"content-length: {len(body)}\r\n\r\n").encode() + body


def _entries_with_status(stub: Stub, mark: int) -> int:
    return sum(1 for entry in stub.journal_since(mark) if entry.status)


@pytest.mark.parametrize("reset_first", [True, False], ids=["reset-then-close", "close"])
def test_an_http2_client_that_goes_mid_reply_frees_its_work_and_slot(reset_first):
    with Stub(max_connections=4) as stub:
        _long_replies(stub)
        mark = stub.journal.mark()
        for _ in range(8):  # twice the cap: a slot that leaked would leave the last ones refused
            with h2_client(stub) as (raw, connection):
                stream_id = h2_request(stub, raw, connection, STREAM_PATH)
                for event in h2_events(raw, connection):
                    if isinstance(event, h2.events.DataReceived):
                        break
                if reset_first:
                    connection.reset_stream(stream_id, h2.errors.ErrorCodes.CANCEL)
                    raw.sendall(connection.data_to_send())
            # The reply's work has ended (it is journalled at its end) and the connection's slot is free.
            wait_until(lambda: stub.connection_limit.open == 0)
        wait_until(lambda: len(stub.journal_since(mark)) == 8)
        assert stub.connection_limit.refused == 0


def test_an_http2_stream_reset_on_a_live_connection_ends_its_work_and_the_connection_serves_on():
    with Stub() as stub:
        _long_replies(stub)
        mark = stub.journal.mark()
        with h2_client(stub) as (raw, connection):
            first = h2_request(stub, raw, connection, STREAM_PATH)
            for event in h2_events(raw, connection):
                if isinstance(event, h2.events.DataReceived):
                    break
            connection.reset_stream(first, h2.errors.ErrorCodes.CANCEL)
            raw.sendall(connection.data_to_send())
            wait_until(lambda: len(stub.journal_since(mark)) == 1)
            stub.reply = "after the reset"
            second = h2_request(stub, raw, connection, PLAIN_PATH)
            received = bytearray()
            for event in h2_events(raw, connection):
                if isinstance(event, h2.events.DataReceived) and event.stream_id == second:
                    received += event.data
                    connection.acknowledge_received_data(event.flow_controlled_length, second)
                elif isinstance(event, h2.events.StreamEnded) and event.stream_id == second:
                    break
        assert b"after the reset" in received


def test_an_http2_stream_whose_window_never_opens_is_reset_after_the_send_timeout():
    with Stub(send_timeout=0.5) as stub:
        _long_replies(stub)
        mark = stub.journal.mark()
        with h2_client(stub, window=0) as (raw, connection):
            stream_id = h2_request(stub, raw, connection, STREAM_PATH)
            data = 0
            for event in h2_events(raw, connection):
                if isinstance(event, h2.events.DataReceived):
                    data += len(event.data)
                elif isinstance(event, h2.events.StreamReset) and event.stream_id == stream_id:
                    assert event.error_code == h2.errors.ErrorCodes.CANCEL
                    break
            assert data == 0
        wait_until(lambda: stub.connection_limit.open == 0)
        # The reply waited for the window rather than going whole into a buffer: it was never sent in full.
        [entry] = stub.journal_since(mark)
        assert entry.status == 200 and entry.reply_text is None


def test_an_http2_stream_waits_for_a_late_window_and_gets_its_whole_reply():
    with Stub() as stub:
        _long_replies(stub)
        mark = stub.journal.mark()
        with h2_client(stub, window=0) as (raw, connection):
            stream_id = h2_request(stub, raw, connection, STREAM_PATH)
            received, opened = bytearray(), False
            for event in h2_events(raw, connection):
                if isinstance(event, h2.events.ResponseReceived) and not opened:
                    # The reply waits, unsent, until the window opens here; then it flows as the client reads.
                    connection.update_settings({h2.settings.SettingCodes.INITIAL_WINDOW_SIZE: 65535})
                    opened = True
                elif isinstance(event, h2.events.DataReceived):
                    received += event.data
                    connection.acknowledge_received_data(event.flow_controlled_length, stream_id)
                elif isinstance(event, h2.events.StreamEnded):
                    break
        from botocore.eventstream import EventStreamBuffer

        decoder = EventStreamBuffer()
        decoder.add_data(bytes(received))
        assert len(list(decoder)) > 1000
        [entry] = stub.journal_since(mark)
        assert entry.reply_text == LONG_REPLY


def _never_reading_socket(stub: Endpoint, path: str) -> socket.socket:
    sock = socket.socket()
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
    sock.connect((stub.host, stub.port))
    sock.sendall(http1_request(stub, path))
    return sock


def test_an_http1_client_that_stops_reading_is_dropped_after_the_send_timeout():
    with Stub(send_timeout=0.5) as stub:
        # Eight megabytes: more than the socket buffers of both ends hold, so the stub must wait for the client.
        stub.reply = "x" * 8_000_000
        stub.state.honour_max_tokens = False
        mark = stub.journal.mark()
        with _never_reading_socket(stub, PLAIN_PATH):
            wait_until(lambda: len(stub.journal_since(mark)) == 1)
            # The client still holds its end open; the stub gave up on it.
            wait_until(lambda: stub.connection_limit.open == 0)


def test_http1_clients_that_reset_mid_reply_cost_no_log_line_per_write(caplog):
    caplog.set_level(logging.WARNING)
    with Stub() as stub:
        _long_replies(stub)
        mark = stub.journal.mark()
        for _ in range(10):
            with socket.create_connection((stub.host, stub.port), timeout=20) as sock:
                sock.sendall(http1_request(stub, STREAM_PATH))
                assert sock.recv(4096)
                # Closing with a reset (linger 0): the stub's next writes meet a dead socket.
                sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        wait_until(lambda: len(stub.journal_since(mark)) == 10 and stub.connection_limit.open == 0)
    lines = [record.getMessage() for record in caplog.records]
    assert not [line for line in lines if "socket.send() raised exception" in line], len(lines)
    assert len(lines) <= 2, lines


def test_sigterm_ends_the_stub_without_waiting_for_its_clients_or_tracebacks():
    # The clients below would hold a stub that waited for them for the send timeout (10 s) or the keep-alive
    # timeout (60 s here); the stub gives them a 1 s grace. The bound asserted sits between the two, so that a
    # loaded machine's slowness does not fail it while waiting for any client still would.
    process = subprocess.Popen(
        [sys.executable, "-m", "bedrock_stub", "--reply", LONG_REPLY, "--no-max-tokens", "--keep-alive-timeout", "60"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    held: list[socket.socket] = []
    try:
        url = process.stdout.readline().strip()
        host, port = url.removeprefix("http://").split(":")
        stub = SimpleNamespace(host=host, port=int(port), url=url)
        idle = socket.create_connection((host, int(port)))
        held.append(idle)
        held.append(_never_reading_socket(stub, STREAM_PATH))
        stalled = socket.create_connection((host, int(port)))
        held.append(stalled)
        connection = h2.connection.H2Connection(h2.config.H2Configuration(client_side=True))
        connection.initiate_connection()
        connection.update_settings({h2.settings.SettingCodes.INITIAL_WINDOW_SIZE: 0})
        stalled.sendall(connection.data_to_send())
        stream_id = h2_request(stub, stalled, connection, STREAM_PATH)
        for event in h2_events(stalled, connection):
            if isinstance(event, h2.events.ResponseReceived) and event.stream_id == stream_id:
                break
        process.send_signal(signal.SIGTERM)
        started = time.monotonic()
        process.wait(timeout=60)
        took = time.monotonic() - started
        errors = process.stderr.read()
    finally:
        for sock in held:
            sock.close()
        process.kill()
        process.wait()
    assert process.returncode == 0
    assert took < 8, f"SIGTERM took {took:.2f} s: the stub waited for its clients"
    assert "Traceback" not in errors and "CancelledError" not in errors, errors


def _read_until_closed(sock: socket.socket) -> bytes:
    received = bytearray()
    while chunk := sock.recv(65536):
        received += chunk
    return bytes(received)


def test_at_the_cap_a_new_client_takes_the_place_of_the_longest_idle_connection():
    # A long keep-alive timeout: only making room can free a place here.
    with Stub(max_connections=2, keep_alive_timeout=600) as stub:
        mark = stub.journal.mark()
        # Two clients that never read: their short answers sit in the kernel's buffers, the connections idle.
        oldest = _never_reading_socket(stub, PLAIN_PATH)
        wait_until(lambda: len(stub.journal_since(mark)) == 1)
        newer = _never_reading_socket(stub, PLAIN_PATH)
        wait_until(lambda: stub.connection_limit.idle == 2)
        with oldest, newer:
            with socket.create_connection((stub.host, stub.port), timeout=20) as third:
                third.sendall(http1_request(stub, PLAIN_PATH))
                assert third.recv(65536).startswith(b"HTTP/1.1 200")
            # The longest idle was closed after its whole answer; the other still waits for its next request.
            oldest.settimeout(20)
            assert _read_until_closed(oldest).startswith(b"HTTP/1.1 200")
            newer.setblocking(False)
            assert newer.recv(65536).startswith(b"HTTP/1.1 200")
            with pytest.raises(BlockingIOError):
                newer.recv(65536)
        assert (stub.connection_limit.evicted, stub.connection_limit.refused) == (1, 0)


def test_an_idle_http2_connection_closed_to_make_room_is_told_with_a_goaway():
    with Stub(max_connections=1, keep_alive_timeout=600) as stub:
        with h2_client(stub) as (raw, connection):
            stream_id = h2_request(stub, raw, connection, PLAIN_PATH)
            for event in h2_events(raw, connection):
                if isinstance(event, h2.events.StreamEnded) and event.stream_id == stream_id:
                    break
            wait_until(lambda: stub.connection_limit.idle == 1)
            with socket.create_connection((stub.host, stub.port), timeout=20) as newcomer:
                newcomer.sendall(http1_request(stub, PLAIN_PATH))
                assert newcomer.recv(65536).startswith(b"HTTP/1.1 200")
            ended = [event for event in h2_events(raw, connection) if isinstance(event, h2.events.ConnectionTerminated)]
        assert [event.error_code for event in ended] == [h2.errors.ErrorCodes.NO_ERROR]


def test_a_connection_in_the_middle_of_a_request_is_not_closed_to_make_room():
    with Stub(max_connections=1, keep_alive_timeout=600) as stub:
        with socket.create_connection((stub.host, stub.port), timeout=20) as busy:
            # Half a request: the connection is not idle, so a newcomer is refused rather than it closed.
            busy.sendall(http1_request(stub, PLAIN_PATH)[:-5])
            wait_until(lambda: stub.connection_limit.open == 1)
            with socket.create_connection((stub.host, stub.port), timeout=20) as newcomer:
                newcomer.sendall(http1_request(stub, PLAIN_PATH))
                assert newcomer.recv(65536).startswith(b"HTTP/1.1 503")
            busy.sendall(http1_request(stub, PLAIN_PATH)[-5:])
            assert busy.recv(65536).startswith(b"HTTP/1.1 200")
        assert (stub.connection_limit.evicted, stub.connection_limit.refused) == (0, 1)
