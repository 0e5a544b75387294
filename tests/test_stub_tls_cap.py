"""Over TLS, an idle connection the stub closes, to make room at the connection cap or at the keep-alive timeout,
lets go of its descriptor at once: the stub sends its close_notify (after a GOAWAY on HTTP/2 at the cap) and does not
wait for the client's, which a pooled client never sends. A TLS stub also stops cleanly with idle clients. Driven
through the `bedrock-stub` command, its sockets counted in /proc."""

from __future__ import annotations

import signal
import socket
import ssl
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

import h2.config
import h2.connection
import h2.errors
import h11
import pytest

from tests.helpers import messages_body, process_sockets, signed_headers, wait_until

pytest.importorskip("trustme", reason="the stub's HTTPS needs trustme (bedrock-stub[tls])")
if not Path("/proc/self/fd").is_dir():
    pytest.skip("counting a process's sockets needs /proc (Linux)", allow_module_level=True)

CAP = 2
# Connections beyond the cap, each making room by closing the longest idle one.
EXTRA = 3
PATH = "/model/anthropic.claude-3-haiku-20240307-v1%3A0/invoke"
# Far below asyncio's 30-second wait for a client's close_notify, far above a loaded machine's turn of the loop.
RELEASED_WITHIN = 10.0


@dataclass
class TlsStub:
    process: subprocess.Popen[str]
    url: str
    ca_file: Path

    @property
    def address(self) -> tuple[str, int]:
        parts = urlsplit(self.url)
        assert parts.hostname is not None and parts.port is not None
        return parts.hostname, parts.port

    def stop(self) -> tuple[int, str]:
        """Stops the stub as a user would (SIGTERM): its exit status and standard error."""
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
        _, stderr = self.process.communicate(timeout=15)
        return self.process.returncode, stderr or ""

    def sockets(self) -> set[str]:
        return process_sockets(self.process.pid)


@contextmanager
def running_tls_stub(folder: Path, *options: str) -> Iterator[TlsStub]:
    ca_file = folder / "ca.pem"
    command = [sys.executable, "-m", "bedrock_stub", "--port", "0", "--tls", "--ca-file", str(ca_file), *options]
    process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    assert process.stdout is not None
    url = process.stdout.readline().strip()
    try:
        assert url.startswith("https://"), process.stderr.read() if process.stderr else ""
        yield TlsStub(process, url, ca_file)
    finally:
        if process.poll() is None:
            process.send_signal(signal.SIGTERM)
            _, stderr = process.communicate(timeout=15)
            assert process.returncode == 0, stderr
            assert "Traceback" not in stderr, stderr


@pytest.fixture
def tls_stub(tmp_path: Path) -> Iterator[TlsStub]:
    # A long keep-alive timeout: only making room at the cap closes a connection here.
    with running_tls_stub(tmp_path, "--max-connections", str(CAP), "--keep-alive-timeout", "600") as stub:
        yield stub


def tls_socket(stub: TlsStub, alpn: str) -> ssl.SSLSocket:
    """A verified TLS connection offering one protocol; a close without close_notify raises rather than reads b''."""
    context = ssl.create_default_context(cafile=stub.ca_file)
    context.set_alpn_protocols([alpn])
    host, port = stub.address
    raw = socket.create_connection((host, port), timeout=20)
    sock = context.wrap_socket(raw, server_hostname=host, suppress_ragged_eofs=False)
    assert sock.selected_alpn_protocol() == alpn
    return sock


class Http1Client:
    """One HTTP/1.1 connection (h11) that makes a request, reads its whole answer and then sits idle."""

    def __init__(self, stub: TlsStub) -> None:
        self.stub = stub
        self.sock = tls_socket(stub, "http/1.1")
        self.connection = h11.Connection(h11.CLIENT)

    def exchange(self) -> int:
        body = messages_body().encode()
        host, port = self.stub.address
        headers = [("host", f"{host}:{port}"), *signed_headers(self.stub.url + PATH, body).items()]
        request = h11.Request(method="POST", target=PATH, headers=[*headers, ("content-length", str(len(body)))])
        for event in (request, h11.Data(data=body), h11.EndOfMessage()):
            self.sock.sendall(self.connection.send(event) or b"")
        status = 0
        while True:
            event = self.connection.next_event()
            if event is h11.NEED_DATA:
                self.connection.receive_data(self.sock.recv(65536))
            elif isinstance(event, h11.Response):
                status = event.status_code
            elif isinstance(event, h11.EndOfMessage):
                return status

    def closing_words(self) -> list[str]:
        """What the server said before its TLS close: nothing more is expected on an idle HTTP/1.1 connection."""
        received = _until_close_notify(self.sock)
        return [repr(received)] if received else []


class H2Client:
    """One HTTP/2 connection (h2) that makes a request, reads its whole answer and then sits idle."""

    def __init__(self, stub: TlsStub) -> None:
        self.stub = stub
        self.sock = tls_socket(stub, "h2")
        self.connection = h2.connection.H2Connection(h2.config.H2Configuration(client_side=True))
        self.connection.initiate_connection()
        self.sock.sendall(self.connection.data_to_send())

    def exchange(self) -> int:
        body = messages_body().encode()
        host, port = self.stub.address
        stream_id = self.connection.get_next_available_stream_id()
        headers = [(":method", "POST"), (":path", PATH), (":scheme", "https"), (":authority", f"{host}:{port}")]
        signed = signed_headers(self.stub.url + PATH, body).items()
        headers += [(name.lower(), value) for name, value in signed if name.lower() != "host"]
        self.connection.send_headers(stream_id, headers)
        self.connection.send_data(stream_id, body, end_stream=True)
        self.sock.sendall(self.connection.data_to_send())
        status = 0
        while True:
            for event in self.connection.receive_data(self.sock.recv(65536)):
                if isinstance(event, h2.events.ResponseReceived) and event.stream_id == stream_id:
                    status = int(dict(event.headers)[b":status"])
                elif isinstance(event, h2.events.StreamEnded) and event.stream_id == stream_id:
                    self.sock.sendall(self.connection.data_to_send())
                    return status
            self.sock.sendall(self.connection.data_to_send())

    def closing_words(self) -> list[str]:
        """The frames the server sent before its TLS close: a GOAWAY saying it closes on purpose."""
        events = self.connection.receive_data(_until_close_notify(self.sock))
        return [_describe(event) for event in events]


def _describe(event: h2.events.Event) -> str:
    if isinstance(event, h2.events.ConnectionTerminated):
        return f"GOAWAY {h2.errors.ErrorCodes(event.error_code).name}"
    return type(event).__name__


def _until_close_notify(sock: ssl.SSLSocket) -> bytes:
    """Reads until the server's close_notify (recv gives b''); a bare TCP close raises SSLEOFError instead."""
    received = bytearray()
    while chunk := sock.recv(65536):
        received += chunk
    return bytes(received)


@pytest.mark.parametrize("client_class", [Http1Client, H2Client], ids=["http1.1", "h2"])
def test_an_idle_tls_connection_closed_at_the_cap_frees_its_descriptor_at_once(tls_stub, client_class):
    before = tls_stub.sockets()
    clients: list[Http1Client | H2Client] = []
    try:
        for number in range(CAP + EXTRA):
            client = client_class(tls_stub)
            clients.append(client)
            # The answer came: the stub served this connection, closing the longest idle one if at the cap.
            assert client.exchange() == 200
            if number >= CAP:
                evicted = clients[number - CAP]
                # The client, which sends nothing and stays open, hears a clean TLS close (after a GOAWAY on h2).
                assert evicted.closing_words() == (["GOAWAY NO_ERROR"] if client_class is H2Client else [])
            served = min(number + 1, CAP)
            # Still open here, the evicted clients cannot be what lets the stub's descriptors go.
            assert wait_until(lambda served=served: len(tls_stub.sockets() - before) == served, RELEASED_WITHIN), (
                f"after {number + 1} connections at a cap of {CAP}, the stub holds "
                f"{len(tls_stub.sockets() - before)} connection sockets"
            )
    finally:
        for client in clients:
            client.sock.close()


@pytest.mark.parametrize("client_class", [Http1Client, H2Client], ids=["http1.1", "h2"])
def test_a_tls_connection_closed_at_the_keep_alive_timeout_frees_its_descriptor_at_once(tmp_path, client_class):
    with running_tls_stub(tmp_path, "--keep-alive-timeout", "1") as stub:
        before = stub.sockets()
        client = client_class(stub)
        try:
            assert client.exchange() == 200
            # The keep-alive timeout has closed the connection when its client hears the TLS close.
            client.closing_words()
            # The client, still open, sends nothing: the stub must not wait for its close_notify.
            assert wait_until(lambda: not stub.sockets() - before, RELEASED_WITHIN), (
                f"the stub holds {len(stub.sockets() - before)} connection sockets after closing its only one"
            )
        finally:
            client.sock.close()


def test_a_tls_stub_stopped_with_an_idle_client_exits_cleanly(tls_stub):
    # Its connection is shut down rather than left waiting for a close_notify, on uvloop as on asyncio's loop.
    client = Http1Client(tls_stub)
    try:
        assert client.exchange() == 200
        code, stderr = tls_stub.stop()
    finally:
        client.sock.close()
    assert code == 0, stderr
    assert "Traceback" not in stderr, stderr
