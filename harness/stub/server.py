"""Runs the stub app on Hypercorn: in a background thread for Python callers, or in the foreground for the CLI."""

from __future__ import annotations

import asyncio
import ipaddress
import logging
import os
import secrets
import socket
import threading
from collections.abc import Iterable
from pathlib import Path
from types import TracebackType

from hypercorn.asyncio import serve
from hypercorn.config import Config

from . import graceful_goaway
from .app import BedrockRuntimeApp, StubState
from .faults import Fault
from .journal import Journal, JournalEntry
from .models import CATALOGUE, Catalogue, Model
from .sigv4 import Credentials

graceful_goaway.install()

# The HTTP/2 libraries log every frame at DEBUG, which drowns the output of hosts (like nox) that enable DEBUG.
for _chatty in ("hpack", "h2", "hypercorn.error", "hypercorn.access"):
    logging.getLogger(_chatty).setLevel(logging.WARNING)

DEFAULT_SENTENCE = (
    "A 'hello world' program is the smallest complete program in a language: it prints a greeting "
    "to show that the toolchain and runtime work."
)


def default_reply() -> str:
    """The fixed sentence and a nonce drawn now, so that no sample can pass by printing a constant."""
    return f"{DEFAULT_SENTENCE} (stub reply {secrets.token_hex(3)})"


def is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


class Stub:
    """A local Bedrock Runtime endpoint that unmodified AWS SDKs reach through AWS_ENDPOINT_URL_BEDROCK_RUNTIME.

    Use as a context manager (`with Stub() as stub: ... stub.url`), or start()/stop().
    """

    def __init__(
        self,
        *,
        host: str = "127.0.0.1",
        port: int = 0,
        reply: str | None = None,
        strict: bool = False,
        credentials: Credentials | None = None,
        journal_path: Path | None = None,
        models: Iterable[Model] = CATALOGUE,
        verify_signatures: bool = True,
        stream_piece_chars: int = 12,
    ) -> None:
        self.state = StubState(
            reply=default_reply() if reply is None else reply,
            strict=strict,
            verify_signatures=verify_signatures,
            credentials=credentials or Credentials(),
            catalogue=Catalogue(models),
            stream_piece_chars=stream_piece_chars,
            journal=Journal(journal_path),
        )
        self.app = BedrockRuntimeApp(self.state)
        self._socket = listening_socket(host, port)
        self.host = host
        self.port = self._socket.getsockname()[1]
        self._thread: threading.Thread | None = None
        self._loop: asyncio.AbstractEventLoop | None = None
        self._shutdown: asyncio.Event | None = None
        self._ready = threading.Event()

    @property
    def url(self) -> str:
        host = f"[{self.host}]" if ":" in self.host else self.host
        return f"http://{host}:{self.port}"

    @property
    def reply(self) -> str:
        return self.state.reply

    @reply.setter
    def reply(self, text: str) -> None:
        self.state.reply = text

    @property
    def strict(self) -> bool:
        return self.state.strict

    @strict.setter
    def strict(self, value: bool) -> None:
        self.state.strict = value

    @property
    def credentials(self) -> Credentials:
        return self.state.credentials

    @property
    def journal(self) -> Journal:
        return self.state.journal

    def journal_since(self, mark: int) -> list[JournalEntry]:
        return self.state.journal.since(mark)

    def inject_error(
        self,
        error: str,
        message: str | None = None,
        count: int | None = None,
        operation: str | None = None,
        http_on_stream: bool = False,
    ) -> Fault:
        """Answers the next `count` requests (all, if None) with a modeled Bedrock error."""
        return self.state.faults.inject(error, message, count, operation, http_on_stream)

    def clear_errors(self) -> None:
        self.state.faults.clear()

    def start(self) -> Stub:
        """Serves in a daemon thread; the socket already listens, so clients may connect at once."""
        self._thread = threading.Thread(target=self._run_in_thread, name=f"bedrock-stub-{self.port}", daemon=True)
        self._thread.start()
        self._ready.wait(timeout=10)
        return self

    def stop(self) -> None:
        if self._loop is not None and self._shutdown is not None:
            self._loop.call_soon_threadsafe(self._shutdown.set)
        if self._thread is not None:
            self._thread.join(timeout=10)
            self._thread = None
        self._socket.close()
        self.state.journal.close()

    def __enter__(self) -> Stub:
        return self.start()

    def __exit__(
        self, kind: type[BaseException] | None, error: BaseException | None, trace: TracebackType | None
    ) -> None:
        self.stop()

    def _run_in_thread(self) -> None:
        asyncio.run(self.serve())

    async def serve(self, shutdown: asyncio.Event | None = None) -> None:
        """Serves until `shutdown` is set (or stop() is called)."""
        self._loop = asyncio.get_running_loop()
        self._shutdown = shutdown or asyncio.Event()
        self._ready.set()
        await serve(self.app, hypercorn_config(self._socket), shutdown_trigger=self._shutdown.wait)


def listening_socket(host: str, port: int) -> socket.socket:
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind((host, port))
    sock.listen(1024)
    sock.setblocking(False)
    return sock


def hypercorn_config(sock: socket.socket) -> Config:
    config = Config()
    # Hypercorn takes the already-listening socket by descriptor, which lets port 0 be known before serving.
    # It gets a duplicate descriptor of its own, since it closes what it serves on and so do we.
    config.bind = [f"fd://{os.dup(sock.fileno())}"]
    config.loglevel = "WARNING"
    config.accesslog = None
    config.graceful_timeout = 1.0
    config.keep_alive_timeout = 30.0
    # Hypercorn closes a connection after 1,000 requests by default; SDK clients and load tools keep theirs.
    config.keep_alive_max_requests = 1_000_000
    return config
