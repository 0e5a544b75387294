"""A bounded soak of the stub's connection handling (issue 24's "done when"): 500 HTTP/2 clients that reset mid-reply
and 500 HTTP/1.1 clients that never read, against `--max-connections 64`; then a normal request is answered within
a second and the stub's resident memory is back within 50 MB of its start.

The stub runs as its own process (the command users run), so that its resident memory and connections are its own.
Every step waits for an event the stub makes visible: a journal line per answered request, the sockets it holds per
connection (read from /proc). Counts and waits are bounded; everything binds 127.0.0.1 and stops by itself.
"""

from __future__ import annotations

import contextlib
import json
import os
import socket
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import ExitStack, contextmanager
from pathlib import Path
from typing import Literal

import h2.config
import h2.connection
import h2.errors
import h2.events
import h2.exceptions
import httpx
import pytest

from tests.helpers import messages_body, signed_headers

pytestmark = [
    pytest.mark.soak,
    pytest.mark.skipif(
        not Path("/proc/self/status").exists(), reason="needs /proc (Linux) to read the stub's memory and descriptors"
    ),
]

CAP = 64
RESETTING_CLIENTS = 500
NEVER_READING_CLIENTS = 500
# ConverseStream of a model whose output limit lets the whole reply out: about 8,000 events, far beyond one frame.
STREAMED_MODEL = "us.anthropic.claude-3-7-sonnet-20250219-v1:0"
STREAM_PATH = f"/model/{STREAMED_MODEL.replace(':', '%3A')}/converse-stream"
STREAM_BODY = json.dumps(
    {
        "messages": [{"role": "user", "content": [{"text": "Tell me a long story."}]}],
        "inferenceConfig": {"maxTokens": 64000},
    }
).encode()
# InvokeModel with a small max_tokens: a reply of a few hundred bytes, which the kernel's socket buffers take whole,
# so a client that never reads leaves its connection idle between requests, not stuck mid-reply.
INVOKE_PATH = "/model/anthropic.claude-3-haiku-20240307-v1%3A0/invoke"
INVOKE_BODY = messages_body(max_tokens=64).encode()
LONG_REPLY = "long " * 20_000
# Bounds on waiting for the stub: far beyond what it needs, reached only when it holds on to something for good.
WAIT_SECONDS = 60.0
FINAL_REQUEST_SECONDS = 1.0
MEMORY_MARGIN_MB = 50.0

# The state /proc/net/tcp gives a listening socket.
_LISTEN = "0A"

Outcome = Literal["reset", "closed", "refused"]


class StubProcess:
    """`bedrock-stub` in a process of its own, with what the soak reads of it: journal lines, connections, memory."""

    def __init__(self, process: subprocess.Popen[str], url: str, journal: Path) -> None:
        self.process = process
        self.url = url
        host, port = url.removeprefix("http://").rsplit(":", 1)
        self.address = (host, int(port))
        self._journal = journal

    def answered(self) -> list[dict[str, object]]:
        """The requests the stub has journalled (each at its answer), up to the last line written in full."""
        with self._journal.open("rb") as file:
            written = file.read()
        return [json.loads(line) for line in written[: written.rfind(b"\n") + 1].splitlines()]

    def connections(self) -> int:
        """The TCP connections the stub holds open: its sockets that are connections to its port (from /proc)."""
        folder = Path(f"/proc/{self.process.pid}")
        inodes = set()
        for descriptor in (folder / "fd").iterdir():
            with contextlib.suppress(FileNotFoundError):  # closed since the folder was listed
                link = os.readlink(descriptor)
                if link.startswith("socket:["):
                    inodes.add(link[len("socket:[") : -1])
        held = 0
        for line in (folder / "net" / "tcp").read_text().splitlines()[1:]:
            _, local, _, state, *_, inode = line.split()[:10]
            if int(local.rsplit(":", 1)[1], 16) == self.address[1] and state != _LISTEN and inode in inodes:
                held += 1
        return held

    def resident_mb(self) -> float:
        status = Path(f"/proc/{self.process.pid}/status").read_text()
        [line] = [line for line in status.splitlines() if line.startswith("VmRSS:")]
        return int(line.split()[1]) / 1024


@contextmanager
def stub_process(folder: Path) -> Iterator[StubProcess]:
    journal = folder / "journal.jsonl"
    errors = (folder / "stderr.txt").open("w")
    command = [sys.executable, "-m", "bedrock_stub", "--max-connections", str(CAP), "--reply", LONG_REPLY]
    # A long keep-alive: idle connections must make room at the cap, not merely time out meanwhile.
    command += ["--keep-alive-timeout", "600", "--journal", str(journal)]
    process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=errors, text=True)
    try:
        assert process.stdout is not None
        url = process.stdout.readline().strip()
        assert url.startswith("http://127.0.0.1:"), (folder / "stderr.txt").read_text()
        yield StubProcess(process, url, journal)
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        errors.close()


def wait_for(what: str, condition: Callable[[], bool]) -> None:
    """Waits for a state of the stub, polled (a process gives no event to block on), within WAIT_SECONDS."""
    deadline = time.monotonic() + WAIT_SECONDS
    while not condition():
        assert time.monotonic() < deadline, f"the stub did not get there within {WAIT_SECONDS:g} s: {what}"
        time.sleep(0.02)


def _h2_headers(stub: StubProcess, path: str, body: bytes) -> list[tuple[str, str]]:
    headers = signed_headers(stub.url + path, body)
    host, port = stub.address
    request = [(":method", "POST"), (":path", path), (":scheme", "http"), (":authority", f"{host}:{port}")]
    return request + [(name.lower(), value) for name, value in headers.items() if name.lower() != "host"]


def reset_mid_reply(stub: StubProcess, index: int) -> Outcome:
    """An HTTP/2 client (h2's state machine): asks for a long ConverseStream reply, reads its first DATA frame, then
    resets the stream and closes (even clients) or just closes (odd ones)."""
    connection = h2.connection.H2Connection(h2.config.H2Configuration(client_side=True))
    with socket.create_connection(stub.address, timeout=WAIT_SECONDS) as raw:
        connection.initiate_connection()
        stream_id = connection.get_next_available_stream_id()
        connection.send_headers(stream_id, _h2_headers(stub, STREAM_PATH, STREAM_BODY))
        connection.send_data(stream_id, STREAM_BODY, end_stream=True)
        raw.sendall(connection.data_to_send())
        while True:
            data = raw.recv(65536)
            if data.startswith(b"HTTP/1.1 503"):
                return "refused"
            assert data, "the stub closed the connection before the reply's first DATA frame"
            events = connection.receive_data(data)
            if any(isinstance(event, h2.events.DataReceived) for event in events):
                break
            raw.sendall(connection.data_to_send())
        if index % 2:
            return "closed"
        connection.reset_stream(stream_id, h2.errors.ErrorCodes.CANCEL)
        raw.sendall(connection.data_to_send())
        return "reset"


def never_reading_client(stub: StubProcess) -> socket.socket:
    """An HTTP/1.1 client that sends one request and never reads its answer; the caller holds it open."""
    headers = signed_headers(stub.url + INVOKE_PATH, INVOKE_BODY)
    head = f"POST {INVOKE_PATH} HTTP/1.1\r\nhost: {stub.address[0]}:{stub.address[1]}\r\n"
    head += "".join(f"{name}: {value}\r\n" for name, value in headers.items())
    sock = socket.create_connection(stub.address)
    sock.sendall((head + f"content-length: {len(INVOKE_BODY)}\r\n\r\n").encode() + INVOKE_BODY)
    return sock


def timed_request(stub: StubProcess, *, http2: bool) -> tuple[float, httpx.Response]:
    """A normal request on a new connection, and the seconds from connecting to having the whole answer."""
    started = time.monotonic()
    with httpx.Client(http1=not http2, http2=http2, timeout=WAIT_SECONDS) as client:
        response = client.post(
            stub.url + INVOKE_PATH, content=INVOKE_BODY, headers=signed_headers(stub.url + INVOKE_PATH, INVOKE_BODY)
        )
        response.read()
    return time.monotonic() - started, response


def test_resetting_and_never_reading_clients_leave_the_stub_answering_promptly_within_its_memory(tmp_path, capsys):
    with stub_process(tmp_path) as stub, ExitStack() as held:
        # One request of each kind first: what the stub loads on first use is part of its start.
        assert timed_request(stub, http2=False)[1].status_code == 200
        assert reset_mid_reply(stub, 0) == "reset"
        wait_for("the first requests' connections closed", lambda: stub.connections() == 0)
        start_mb = stub.resident_mb()

        # HTTP/2: waves of CAP clients, each wave once the stub has let go of the last one's connections.
        outcomes: list[Outcome] = []
        with ThreadPoolExecutor(CAP) as pool:
            for first in range(0, RESETTING_CLIENTS, CAP):
                wave = range(first, min(first + CAP, RESETTING_CLIENTS))
                outcomes += pool.map(lambda index: reset_mid_reply(stub, index), wave)
                wait_for(
                    f"the connections of HTTP/2 clients {wave.start}-{wave.stop - 1} closed",
                    lambda: stub.connections() == 0,
                )
        after_h2_mb = stub.resident_mb()
        assert outcomes.count("refused") == 0, outcomes.count("refused")
        # A reset stream's request is journalled when its reply's task ends, which may come after its connection has
        # closed: the count the HTTP/1.1 phase starts from must hold every one (the two first requests, then these).
        wait_for("every HTTP/2 client's request journalled", lambda: len(stub.answered()) == 2 + RESETTING_CLIENTS)

        # HTTP/1.1: waves of half the cap that never read; each wave finds the cap held by idle connections.
        answered = len(stub.answered())
        for first in range(0, NEVER_READING_CLIENTS, CAP // 2):
            wave_size = min(CAP // 2, NEVER_READING_CLIENTS - first)
            for _ in range(wave_size):
                held.enter_context(never_reading_client(stub))
            expected = answered + first + wave_size
            wait_for(
                f"never-reading clients {first}-{first + wave_size - 1} answered",
                lambda: len(stub.answered()) == expected,  # noqa: B023 (called within this iteration)
            )
        never_read = stub.answered()[answered:]
        assert [entry["status"] for entry in never_read] == [200] * NEVER_READING_CLIENTS
        # A connection that takes another's place is accepted before the one it replaces has closed: wait for that.
        wait_for(f"the stub's connections back within the cap of {CAP}", lambda: stub.connections() <= CAP)

        # The cap is full of clients that never read: a normal request still gets its answer at once.
        took_h1, response_h1 = timed_request(stub, http2=False)
        took_h2, response_h2 = timed_request(stub, http2=True)
        assert response_h1.status_code == response_h2.status_code == 200
        assert response_h2.http_version == "HTTP/2"
        held.close()
        wait_for("every client's connection closed", lambda: stub.connections() == 0)
        end_mb = stub.resident_mb()
    errors = (tmp_path / "stderr.txt").read_text()
    with capsys.disabled():
        print(
            f"\nsoak: resident {start_mb:.1f} MB at start, {after_h2_mb:.1f} MB after the HTTP/2 clients, "
            f"{end_mb:.1f} MB at the end; final requests {took_h1 * 1000:.0f} ms (HTTP/1.1), "
            f"{took_h2 * 1000:.0f} ms (HTTP/2); {len(errors.splitlines())} log lines"
        )
    assert took_h1 < FINAL_REQUEST_SECONDS and took_h2 < FINAL_REQUEST_SECONDS, (took_h1, took_h2)
    assert end_mb - start_mb < MEMORY_MARGIN_MB, (start_mb, end_mb)
    assert "Traceback" not in errors, errors[-2000:]
