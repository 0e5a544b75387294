"""The stub's server: changes no other library, and says why when it does not serve."""

from __future__ import annotations

import socket
import subprocess
import sys
import time

import pytest
from bedrock_stub import Stub, StubError

from tests.test_packaging import METHODS_UNCHANGED


def test_importing_the_stub_and_its_plugin_changes_neither_h2_nor_hypercorn():
    imports = ["bedrock_stub", "bedrock_stub.pytest_plugin", "bedrock_stub.cli"]
    shown = subprocess.run(
        [sys.executable, "-c", METHODS_UNCHANGED, *imports], capture_output=True, text=True, timeout=60
    )
    assert shown.returncode == 0 and shown.stdout.strip() == "untouched", shown.stderr


def test_a_running_stub_changes_neither_h2_nor_hypercorn():
    import h2.connection
    from hypercorn.asyncio.tcp_server import TCPServer
    from hypercorn.protocol.h2 import H2Protocol

    originals = (
        h2.connection.H2Connection._receive_goaway_frame,
        H2Protocol._handle_events,
        H2Protocol._close_stream,
        TCPServer.run,
        TCPServer.protocol_send,
    )
    with Stub():
        now = (
            h2.connection.H2Connection._receive_goaway_frame,
            H2Protocol._handle_events,
            H2Protocol._close_stream,
            TCPServer.run,
            TCPServer.protocol_send,
        )
    assert now == originals


def _taken_port() -> tuple[socket.socket, int]:
    holder = socket.socket()
    holder.bind(("127.0.0.1", 0))
    holder.listen(1)
    return holder, holder.getsockname()[1]


def test_a_stub_on_a_taken_port_fails_at_once_naming_the_cause():
    holder, port = _taken_port()
    with holder:
        started = time.monotonic()
        with pytest.raises(OSError, match=rf"cannot listen on 127\.0\.0\.1:{port}: Address already in use"):
            Stub(port=port)
        assert time.monotonic() - started < 5


def test_an_address_that_cannot_be_bound_is_refused_naming_it():
    # 192.0.2.1 (TEST-NET-1, RFC 5737) is on no interface here: binding it fails, and nothing is sent.
    with pytest.raises(OSError, match=r"cannot listen on 192\.0\.2\.1:0: Cannot assign requested address"):
        Stub(host="192.0.2.1")


def test_start_raises_the_servers_own_error_when_it_cannot_serve(monkeypatch):
    import bedrock_stub.server

    def broken_config(*args, **kwargs):
        raise ValueError("no configuration for you")

    monkeypatch.setattr(bedrock_stub.server, "hypercorn_config", broken_config)
    stub = Stub()
    with pytest.raises(StubError, match="did not start: ValueError: no configuration for you") as raised:
        stub.start()
    assert isinstance(raised.value.__cause__, ValueError)
    stub.stop()


def test_start_raises_when_the_server_is_not_serving_within_its_timeout(monkeypatch):
    import bedrock_stub.server

    async def never_listening(app, config, shutdown_trigger, **options):
        await shutdown_trigger()

    monkeypatch.setattr(bedrock_stub.server.transport, "serve", never_listening)
    stub = Stub()
    with pytest.raises(StubError, match=r"was not serving within 0\.2 s"):
        stub.start(timeout=0.2)
    stub.stop()


def test_stop_re_raises_the_exception_the_server_died_of(monkeypatch):
    import bedrock_stub.server

    async def dies_on_shutdown(app, config, shutdown_trigger, *, on_listening, **options):
        on_listening()
        await shutdown_trigger()
        raise RuntimeError("the server thread died")

    monkeypatch.setattr(bedrock_stub.server.transport, "serve", dies_on_shutdown)
    stub = Stub().start()
    with pytest.raises(RuntimeError, match="the server thread died"):
        stub.stop()


def test_the_cli_on_a_taken_port_exits_non_zero_with_one_line():
    holder, port = _taken_port()
    with holder:
        finished = subprocess.run(
            [sys.executable, "-m", "bedrock_stub", "--port", str(port)], capture_output=True, text=True, timeout=60
        )
    assert finished.returncode != 0
    assert finished.stdout == ""
    assert finished.stderr.splitlines() == [f"error: cannot listen on 127.0.0.1:{port}: Address already in use"], (
        finished.stderr
    )


def test_the_cli_says_in_one_line_why_its_server_stopped(tmp_path):
    # The server fails once serving: its configuration names a certificate file that does not exist.
    script = (
        "import sys, bedrock_stub.server as server\n"
        "from bedrock_stub.cli import main\n"
        "made = server.hypercorn_config\n"
        "def config(*args, **kwargs):\n"
        "    value = made(*args, **kwargs)\n"
        f"    value.certfile = value.keyfile = {str(tmp_path / 'missing.pem')!r}\n"
        "    return value\n"
        "server.hypercorn_config = config\n"
        "sys.exit(main([]))\n"
    )
    finished = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=60)
    assert finished.returncode == 1
    [line] = finished.stderr.splitlines()
    assert line.startswith("error: the stub stopped: FileNotFoundError: ")
