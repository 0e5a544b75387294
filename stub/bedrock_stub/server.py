"""Runs the stub app on Hypercorn: in a background thread for Python callers, or in the foreground for the CLI."""

from __future__ import annotations

import asyncio
import dataclasses
import ipaddress
import logging
import os
import secrets
import socket
import threading
from collections.abc import Iterable
from pathlib import Path
from types import TracebackType
from typing import Any

from hypercorn.config import Config

from . import event_loop, limits, transport
from .app import STREAM_HEAD_DELAY, BedrockRuntimeApp, StubState
from .catalogue import load_models_file
from .errors import ModeledErrorName
from .faults import Fault
from .guardrails import DEFAULT_BLOCKED_MESSAGE, Guardrail
from .journal import Journal, JournalEntry
from .models import CATALOGUE, Catalogue, Model
from .operations import ModelOperationName
from .recordings import MatchRule
from .relay import Relay, relay_for
from .replies import Match, Reply, Rule, ToolCall, default_reasoning, reply_from_mapping
from .sigv4 import DEFAULT_REGION, Credentials
from .tls import make_tls_files
from .upstream import Upstream, close_clients_of_this_loop
from .wire import safe_text

# Seconds a request may take to arrive in full, and an idle connection may stay open.
DEFAULT_TIMEOUT = 10.0
# Seconds start() waits for the server to be serving.
DEFAULT_START_TIMEOUT = 10.0
# Entries the in-memory journal keeps when requests also go to a file (the file keeps every one).
DEFAULT_JOURNAL_WINDOW = 10_000

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


class StubError(RuntimeError):
    """The stub's server did not start, or stopped on an error of its own; the cause is chained."""


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
        reasoning: str | None = None,
        strict: bool = False,
        credentials: Credentials | None = None,
        journal_path: Path | None = None,
        models: Iterable[Model] | str | os.PathLike[str] = CATALOGUE,
        verify_signatures: bool = True,
        stream_piece_chars: int = 12,
        honour_max_tokens: bool = True,
        pad_events: bool = True,
        stream_head_delay: float = STREAM_HEAD_DELAY,
        region: str = DEFAULT_REGION,
        regions: Iterable[str] | None = None,
        any_region: bool = False,
        api_keys: Iterable[str] = (),
        tls: bool = False,
        ca_file: str | os.PathLike[str] | None = None,
        read_timeout: float | None = DEFAULT_TIMEOUT,
        keep_alive_timeout: float = DEFAULT_TIMEOUT,
        max_connections: int | None = None,
        journal_window: int | None = None,
        upstream: str | Upstream | None = None,
        record: Path | str | None = None,
        replay: Path | str | None = None,
        record_on_miss: bool = False,
        replay_timing: bool = False,
        match: MatchRule | None = None,
        send_timeout: float = transport.DEFAULT_SEND_TIMEOUT,
    ) -> None:
        """`read_timeout`: seconds a request's body may take to arrive (None: no limit); `keep_alive_timeout`:
        seconds a connection may sit idle, also before its first request is complete; `max_connections`: open
        connections at once (default: 512, fewer under a low open-file limit); `journal_window`: entries the
        in-memory journal keeps (default: all, or 10,000 when `journal_path` is given). `reasoning`: the thinking
        sent to requests that enable extended thinking (default: a fixed sentence and a nonce drawn now).
        `region` / `regions`: the region, or regions, requests may be signed for (and short-term API keys made
        for); `any_region`: accept every region. `api_keys`: long-term Bedrock API keys accepted as
        `Authorization: Bearer <key>`. `tls`: serve HTTPS (HTTP/1.1 and HTTP/2 by ALPN) with a certificate from a
        CA made now (needs `trustme`: `bedrock-stub[tls]`); `ca_file` also writes that CA there (`stub.ca_file`
        says where it is in any case).
        `models`: the models served, or the path of a models file (JSON or TOML) whose entries add to the
        catalogue or override its fields (see `catalogue.load_models_file`).
        `stream_head_delay`: seconds a streamed reply's head waits after its request (0: none), as a real one
        never arrives at once; without it the SDK for Go, on the same machine, can drop its own connection.
        `send_timeout`: seconds a connection, or an HTTP/2 stream, may take none of its reply before it is dropped.
        `record`/`replay`: a folder of recordings to write (from `upstream`, a URL) or to answer from; see relay.py.
        """
        self.tls_files = make_tls_files(host, None if ca_file is None else Path(ca_file)) if tls else None
        if isinstance(models, (str, os.PathLike)):
            models = load_models_file(Path(models))
        if journal_window is None and journal_path is not None:
            journal_window = DEFAULT_JOURNAL_WINDOW
        # What reset() returns to: every setting as constructed, the drawn reply and reasoning included.
        self._settings = _Settings(
            reply=default_reply() if reply is None else reply,
            reasoning=default_reasoning() if reasoning is None else reasoning,
            strict=strict,
            verify_signatures=verify_signatures,
            credentials=credentials or Credentials(),
            models=tuple(models),
            stream_piece_chars=stream_piece_chars,
            honour_max_tokens=honour_max_tokens,
            pad_events=pad_events,
            stream_head_delay=stream_head_delay,
            read_timeout=read_timeout,
            region=region,
            regions=None if any_region else frozenset(regions if regions is not None else (region,)),
            api_keys=frozenset(api_keys),
            max_connections=max_connections or limits.default_connection_limit(),
            keep_alive_timeout=keep_alive_timeout,
            send_timeout=send_timeout,
            relay=relay_for(
                upstream=upstream,
                record=record,
                replay=replay,
                record_on_miss=record_on_miss,
                replay_timing=replay_timing,
                match=match,
            ),
        )
        self.connection_limit = limits.ConnectionLimit(self._settings.max_connections)
        self.keep_alive_timeout = keep_alive_timeout
        self.send_timeout = send_timeout
        self.state = self._settings.new_state(Journal(journal_path, window=journal_window))
        self.app = BedrockRuntimeApp(self.state)
        self.host = host
        try:
            self._socket = listening_socket(host, port)
        except OSError as exc:
            raise OSError(exc.errno, f"cannot listen on {host}:{port}: {exc.strerror or exc}") from exc
        self.port = self._socket.getsockname()[1]
        self._thread: threading.Thread | None = None
        self._loop: asyncio.AbstractEventLoop | None = None
        self._shutdown: asyncio.Event | None = None
        self._ready = threading.Event()
        self._failure: BaseException | None = None

    @property
    def url(self) -> str:
        host = f"[{self.host}]" if ":" in self.host else self.host
        return f"{'https' if self.tls_files else 'http'}://{host}:{self.port}"

    @property
    def ca_file(self) -> Path | None:
        """The CA to trust for this stub's HTTPS (None without TLS)."""
        return None if self.tls_files is None else self.tls_files.ca_file

    @property
    def reply(self) -> str:
        return self.state.reply

    @reply.setter
    def reply(self, text: str) -> None:
        self.state.reply = text

    @property
    def reasoning(self) -> str:
        return self.state.reasoning

    @reasoning.setter
    def reasoning(self, text: str) -> None:
        self.state.reasoning = text

    @property
    def strict(self) -> bool:
        return self.state.strict

    @strict.setter
    def strict(self, value: bool) -> None:
        self.state.strict = value

    @property
    def region(self) -> str:
        """The region SDKs sign for: the one given, or the first of `regions` (any one, with `any_region`)."""
        regions = self.state.regions
        if regions is None or self._settings.region in regions:
            return self._settings.region
        return min(regions)

    @property
    def credentials(self) -> Credentials:
        return self.state.credentials

    def take_failures(self) -> list[BaseException]:
        """The exceptions the stub failed on since the last call (each answered InternalServerException)."""
        return self.app.take_failures()

    @property
    def journal(self) -> Journal:
        return self.state.journal

    def journal_since(self, mark: int) -> list[JournalEntry]:
        return self.state.journal.since(mark)

    def inject_error(
        self,
        error: ModeledErrorName,
        message: str | None = None,
        count: int | None = None,
        operation: ModelOperationName | None = None,
        http_on_stream: bool = False,
    ) -> Fault:
        """Answers the next `count` requests (all, if None) with a modeled Bedrock error."""
        return self.state.faults.inject(error, message, count, operation, http_on_stream)

    def clear_errors(self) -> None:
        self.state.faults.clear()

    def add_rule(
        self,
        *,
        contains: str | None = None,
        regex: str | None = None,
        text: str = "",
        tool_use: ToolCall | dict[str, Any] | None = None,
        error: ModeledErrorName | None = None,
        message: str | None = None,
        operation: ModelOperationName | None = None,
        reasoning: str | None = None,
        match: Match = "latest",
        after_tool_result: bool | None = None,
    ) -> Rule:
        """Answers requests whose latest user turn holds `contains` (or matches `regex`) with this reply; first
        match wins. `match="conversation"` reads every text of the request instead; `after_tool_result=True` matches
        only a turn that brings a tool result back (and needs no pattern), `False` only one that does not."""
        reply = _reply(text, tool_use, error, message, reasoning)
        rule = Rule(reply, contains, regex, operation, match, after_tool_result)
        self.state.replies.add_rule(rule)
        return rule

    def add_guardrail(
        self,
        identifier: str,
        *,
        versions: tuple[str, ...] = ("DRAFT",),
        blocked_words: tuple[str, ...] = (),
        blocked_input_message: str = DEFAULT_BLOCKED_MESSAGE,
        blocked_output_message: str = DEFAULT_BLOCKED_MESSAGE,
    ) -> Guardrail:
        """Lets requests name this guardrail (Converse's guardrailConfig, InvokeModel's headers, ApplyGuardrail);
        it intervenes on input or output that holds one of `blocked_words`. Unknown guardrails get Bedrock's error."""
        guardrail = Guardrail(identifier, versions, blocked_words, blocked_input_message, blocked_output_message)
        return self.state.guardrails.add(guardrail)

    def queue_reply(
        self,
        text: str = "",
        *,
        tool_use: ToolCall | dict[str, Any] | None = None,
        error: ModeledErrorName | None = None,
        message: str | None = None,
        reasoning: str | None = None,
    ) -> Reply:
        """Answers the next request with this reply (queued replies go out in order, before any rule); `reasoning`
        is its thinking, for a request that enables extended thinking (None: the stub's reasoning)."""
        reply = _reply(text, tool_use, error, message, reasoning)
        self.state.replies.queue(reply)
        return reply

    def reset(self) -> None:
        """Returns every setting to how the stub was constructed (reply, reasoning, strictness, credentials,
        regions, models, limits, ...), forgets rules, queued replies, injected errors, guardrails, the prompt cache
        and unclaimed failures, and empties the in-memory journal (its file keeps every entry; marks stay valid)."""
        fresh = self._settings.new_state(self.state.journal)
        for name in (field.name for field in dataclasses.fields(StubState)):
            setattr(self.state, name, getattr(fresh, name))
        self.state.journal.clear()
        self.connection_limit.maximum = self._settings.max_connections
        self.keep_alive_timeout = self._settings.keep_alive_timeout
        self.send_timeout = self._settings.send_timeout
        self.app.take_failures()

    def start(self, timeout: float = DEFAULT_START_TIMEOUT) -> Stub:
        """Serves in a daemon thread; returns once it serves, or raises StubError saying why it does not."""
        self._failure = None
        self._ready.clear()
        self._thread = threading.Thread(target=self._run_in_thread, name=f"bedrock-stub-{self.port}", daemon=True)
        self._thread.start()
        if not self._ready.wait(timeout=timeout):
            raise StubError(f"the stub at {self.url} was not serving within {timeout:g} s")
        if self._failure is not None:
            failure, self._failure = self._failure, None
            self._thread.join(timeout=timeout)
            self._thread = None
            raise StubError(f"the stub at {self.url} did not start: {_describe(failure)}") from failure
        return self

    def stop(self) -> None:
        """Stops serving; re-raises the exception the server died of, if it did."""
        try:
            if self._loop is not None and self._shutdown is not None and not self._loop.is_closed():
                self._loop.call_soon_threadsafe(self._shutdown.set)
            if self._thread is not None:
                self._thread.join(timeout=10)
                self._thread = None
        finally:
            self._socket.close()
            self.state.journal.close()
            if self.tls_files is not None:
                self.tls_files.remove()
        failure, self._failure = self._failure, None
        if failure is not None:
            raise failure

    def __enter__(self) -> Stub:
        return self.start()

    def __exit__(
        self, kind: type[BaseException] | None, error: BaseException | None, trace: TracebackType | None
    ) -> None:
        self.stop()

    def _run_in_thread(self) -> None:
        try:
            event_loop.run(self.serve())
        except BaseException as exc:
            self._failure = exc
        finally:
            self._ready.set()

    async def serve(self, shutdown: asyncio.Event | None = None) -> None:
        """Serves until `shutdown` is set (or stop() is called)."""
        self._loop = asyncio.get_running_loop()
        self._shutdown = shutdown or asyncio.Event()
        config = hypercorn_config(self._socket, keep_alive_timeout=self.keep_alive_timeout)
        if self.tls_files is not None:
            # Hypercorn serves TLS on the bound socket and offers h2 and http/1.1 by ALPN.
            config.certfile = str(self.tls_files.cert_file)
            config.keyfile = str(self.tls_files.key_file)
        # Running out of descriptors makes asyncio report every failed accept; one line per condition is enough.
        previous_handler = self._loop.get_exception_handler()
        self._loop.set_exception_handler(limits.AcceptErrorHandler())
        try:
            await transport.serve(
                self.app,
                config,
                self._shutdown_trigger,
                limit=self.connection_limit,
                send_timeout=self.send_timeout,
                on_listening=self._ready.set,
            )
        finally:
            self._loop.set_exception_handler(previous_handler)
            # A recorder's HTTP client belongs to this loop: its connections upstream end with the server.
            await close_clients_of_this_loop()

    async def _shutdown_trigger(self) -> None:
        assert self._shutdown is not None and self._loop is not None
        await self._shutdown.wait()
        if self.tls_files is not None:
            # asyncio waits up to 30 seconds for each idle client's TLS close_notify (its ssl_shutdown_timeout),
            # which pooled SDK connections never send: shut down what is still open before the graceful time runs
            # out (the connections would then be dropped and cancelled).
            self._loop.call_later(TLS_SHUTDOWN_GRACE, self.connection_limit.abort_all)


# Seconds a TLS stub's connections may take to close once it stops, before they are shut down (under the
# graceful_timeout set in hypercorn_config).
TLS_SHUTDOWN_GRACE = 0.5


@dataclasses.dataclass(frozen=True)
class _Settings:
    """A stub's settings as constructed, from which reset() rebuilds its state."""

    reply: str
    reasoning: str
    strict: bool
    verify_signatures: bool
    credentials: Credentials
    models: tuple[Model, ...]
    stream_piece_chars: int
    honour_max_tokens: bool
    pad_events: bool
    stream_head_delay: float
    read_timeout: float | None
    region: str
    regions: frozenset[str] | None
    api_keys: frozenset[str]
    max_connections: int
    keep_alive_timeout: float
    send_timeout: float
    # Record or replay: the same relay (and its recordings) before and after a reset.
    relay: Relay | None

    def new_state(self, journal: Journal) -> StubState:
        """A state as constructed: fields not named here take StubState's own defaults, fresh."""
        return StubState(
            reply=self.reply,
            reasoning=self.reasoning,
            strict=self.strict,
            verify_signatures=self.verify_signatures,
            credentials=self.credentials,
            catalogue=Catalogue(self.models),
            stream_piece_chars=self.stream_piece_chars,
            journal=journal,
            honour_max_tokens=self.honour_max_tokens,
            pad_events=self.pad_events,
            stream_head_delay=self.stream_head_delay,
            read_timeout=self.read_timeout,
            regions=self.regions,
            api_keys=self.api_keys,
            relay=self.relay,
        )


def _describe(exc: BaseException) -> str:
    return safe_text(f"{type(exc).__name__}: {exc}" if str(exc) else type(exc).__name__)


def _reply(
    text: str,
    tool_use: ToolCall | dict[str, Any] | None,
    error: ModeledErrorName | None,
    message: str | None,
    reasoning: str | None = None,
) -> Reply:
    if isinstance(tool_use, dict):
        tool_use = reply_from_mapping({"tool_use": tool_use}).tool_use
    return Reply(text=text, tool_use=tool_use, error=error, message=message, reasoning=reasoning)


def listening_socket(host: str, port: int) -> socket.socket:
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind((host, port))
    sock.listen(1024)
    sock.setblocking(False)
    return sock


def hypercorn_config(
    sock: socket.socket,
    *,
    keep_alive_timeout: float = DEFAULT_TIMEOUT,
) -> Config:
    config = Config()
    # Hypercorn takes the already-listening socket by descriptor, which lets port 0 be known before serving.
    # It gets a duplicate descriptor of its own, since it closes what it serves on and so do we.
    config.bind = [f"fd://{os.dup(sock.fileno())}"]
    config.loglevel = "WARNING"
    config.accesslog = None
    config.graceful_timeout = 1.0
    # Also closes a connection that never completes its first request's head: Hypercorn counts it as idle.
    config.keep_alive_timeout = keep_alive_timeout
    # No read_timeout: it would cut a streamed reply over HTTP/1.1, during which the client sends nothing.
    config.backlog = limits.ACCEPT_BATCH
    # Hypercorn closes a connection after 1,000 requests by default; SDK clients and load tools keep theirs.
    config.keep_alive_max_requests = 1_000_000
    return config
