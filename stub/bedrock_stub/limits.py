"""Bounds on what clients can hold: connections at once, and log lines per condition rather than per event.

Hypercorn has no connection limit of its own. The stub's own connection handler (`transport.StubTCPServer`)
serves at most `ConnectionLimit.maximum` connections at once, so that a flood of idle or stalled connections cannot
use up the process's file descriptors. At the cap, a new connection first takes the place of the connection that has
been idle longest between requests (closed as HTTP allows a server to close an idle persistent connection, after a
GOAWAY on HTTP/2), as nginx reuses its keep-alive connections; only when none is idle is it answered with a fixed 503
ServiceUnavailableException and closed. A client that never reads its answers therefore holds a place only until
someone needs it, rather than until its keep-alive timeout.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import resource
import socket
import time
from collections.abc import Callable
from typing import Any, Protocol

LOG = logging.getLogger("bedrock_stub")
MAX_CONNECTIONS = 512
# Descriptors the process needs beside its connections: standard streams, the event loop, sockets, the journal.
_RESERVED_DESCRIPTORS = 32
# asyncio accepts up to the listen backlog in one go, before any of those connections can be refused.
ACCEPT_BATCH = 100
# Refused connections wait this long for the client to finish sending, so that it reads the 503 rather than a reset.
_REFUSAL_LINGER_SECONDS = 0.2

_REFUSAL_BODY = b'{"message":"The service is temporarily unavailable."}'
_REFUSAL = (
    b"HTTP/1.1 503 Service Unavailable\r\n"
    b"content-type: application/json\r\n"
    b"x-amzn-errortype: ServiceUnavailableException\r\n"
    b"content-length: " + str(len(_REFUSAL_BODY)).encode() + b"\r\n"
    b"connection: close\r\n\r\n" + _REFUSAL_BODY
)


def connection_limit_for(open_files: int) -> int:
    """The default bound: 512, or fewer when the open-file limit leaves less room.

    Measured under a flood, up to two accept batches are open before their refusal runs, and refusals linger
    (up to 64 at once): the bound keeps all of that, plus the process's own descriptors, within the limit.
    """
    room = open_files - _RESERVED_DESCRIPTORS - 3 * ACCEPT_BATCH
    return max(1, min(MAX_CONNECTIONS, room // 2))


def default_connection_limit() -> int:
    soft, _ = resource.getrlimit(resource.RLIMIT_NOFILE)
    return connection_limit_for(MAX_CONNECTIONS * 4 if soft == resource.RLIM_INFINITY else soft)


class RateLimitedLog:
    """Logs each condition at most once per `interval` seconds, saying how often it recurred in between."""

    def __init__(self, emit: Callable[[str], None] | None = None, interval: float = 60.0) -> None:
        self._emit = emit or LOG.warning
        self._interval = interval
        self._last: dict[str, float] = {}
        self._repeats: dict[str, int] = {}

    def __call__(self, condition: str, message: str) -> None:
        now = time.monotonic()
        last = self._last.get(condition)
        if last is not None and now - last < self._interval:
            self._repeats[condition] = self._repeats.get(condition, 0) + 1
            return
        self._last[condition] = now
        repeats = self._repeats.pop(condition, 0)
        self._emit(message + (f" ({repeats} more times since the last report)" if repeats else ""))


class Connection(Protocol):
    """A served connection as the limit sees it: it can be closed to make room while idle between requests."""

    def evict(self) -> None:
        """Closes the connection now (its client finds it closed, as after a keep-alive timeout)."""

    def has_unsent(self) -> bool:
        """Whether part of an answer still waits for its client to take it."""


class ConnectionLimit:
    """How many connections a server holds, and which of them sit idle between requests; lives on one event loop,
    so it needs no lock."""

    def __init__(self, maximum: int, log: RateLimitedLog | None = None) -> None:
        if maximum < 1:
            raise ValueError("the connection limit must be at least 1")
        self.maximum = maximum
        self.refused = 0
        self.evicted = 0
        self._held: set[Connection] = set()
        # Idle connections, longest idle first (a dict keeps insertion order).
        self._idle: dict[Connection, None] = {}
        self._lingering = 0
        self._log = log or RateLimitedLog()
        # The sockets of the connections served, so that a stopping server can drop the ones still open.
        self.sockets: set[Any] = set()
        soft, _ = resource.getrlimit(resource.RLIMIT_NOFILE)
        self._open_files = None if soft == resource.RLIM_INFINITY else soft

    @property
    def open(self) -> int:
        """Connections holding a place: served ones, less those closed to make room."""
        return len(self._held)

    @property
    def idle(self) -> int:
        return len(self._idle)

    def acquire(self, connection: Connection) -> bool:
        """Gives `connection` a place, closing the longest-idle connection if that is the only way; False (and
        the caller refuses it) when every place is taken by a connection in the middle of a request."""
        if len(self._held) >= self.maximum and self._idle:
            # Preferably one whose client has taken all it was sent: closing it loses nothing.
            done = next((idle for idle in self._idle if not idle.has_unsent()), None)
            victim = done or next(iter(self._idle))
            self.release(victim)
            self.evicted += 1
            victim.evict()
        if len(self._held) >= self.maximum:
            self.refused += 1
            self._log(
                "connection-limit",
                f"connection limit of {self.maximum} reached with no idle connection to close: new connections "
                "are answered 503 and closed",
            )
            return False
        self._held.add(connection)
        if self._open_files is not None and self.open > self._open_files - _RESERVED_DESCRIPTORS:
            # Said here as well as by the loop's accept errors: uvloop (libuv) closes what it cannot accept, silently.
            self._log(
                "descriptors",
                f"{self.open} connections open, near the open-file limit of {self._open_files}: connections beyond "
                "it cannot be accepted (raise the limit, or lower --max-connections)",
            )
        return True

    def release(self, connection: Connection) -> None:
        """Frees the connection's place (again: a connection closed to make room lets go of it at once)."""
        self._held.discard(connection)
        self._idle.pop(connection, None)

    def mark_idle(self, connection: Connection, idle: bool) -> None:
        """Notes that the connection waits for its client's next request (True), or serves one again (False)."""
        if not idle:
            self._idle.pop(connection, None)
        elif connection in self._held:
            self._idle.pop(connection, None)
            self._idle[connection] = None

    def abort_all(self) -> None:
        """Shuts down every connection still open: a TLS one would otherwise wait for its client's close_notify,
        and by then its TLS transport is detached, so the socket beneath is what can end the wait."""
        for raw in list(self.sockets):
            shut_down(raw, socket.SHUT_RDWR)

    async def refuse(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        """Answers 503 and closes; while many refusals linger at once, later ones are closed at once."""
        transport = writer.transport
        try:
            writer.write(_REFUSAL)
            if self._lingering >= min(64, self.maximum):
                transport.abort()
                return
            self._lingering += 1
            try:
                writer.write_eof()
                with contextlib.suppress(Exception):
                    await asyncio.wait_for(reader.read(65536), _REFUSAL_LINGER_SECONDS)
            finally:
                self._lingering -= 1
            transport.close()
        except Exception:
            transport.abort()


def shut_down(transport_socket: Any, how: int) -> None:
    """Shuts down one or both directions of a served connection's socket, given as its transport's `socket`.

    uvloop's transport sockets refuse `shutdown()`, so it is called on a duplicate descriptor: shutting down acts
    on the connection, whichever of its descriptors is used. A socket already gone is left as it is.
    """
    with contextlib.suppress(OSError, ValueError), socket.socket(fileno=os.dup(transport_socket.fileno())) as duplicate:
        duplicate.shutdown(how)


class AcceptErrorHandler:
    """An event-loop exception handler that reports running out of descriptors once, not once a second."""

    def __init__(self, log: RateLimitedLog | None = None) -> None:
        self._log = log or RateLimitedLog()

    def __call__(self, loop: asyncio.AbstractEventLoop, context: dict[str, Any]) -> None:
        message = str(context.get("message", ""))
        if "accept" in message:
            self._log("accept", f"{message}: {context.get('exception')!r}; new connections wait for descriptors")
        else:
            loop.default_exception_handler(context)
