"""The stub's own HTTP server, assembled from Hypercorn's parts with subclasses that only the stub uses.

Hypercorn's `serve()` fixes its connection and protocol classes. The stub needs a connection cap that idle
connections make room under, a graceful GOAWAY, HTTP/2 streams that wait for their flow-control window with bounded
buffering, a deadline for clients that stop reading, and a prompt end on shutdown; so it builds the same parts
here: `StubTCPServer` per connection, `StubProtocolWrapper` choosing HTTP/1.1 or `StubH2Protocol`, and `serve()`
accepting connections. Hypercorn and h2 stay as they are for every other user in the process.
"""

from __future__ import annotations

import asyncio
import contextlib
import socket
from collections.abc import Awaitable, Callable
from typing import Any

import h2.errors
import h2.events
import h2.exceptions
from hypercorn.app_wrappers import ASGIWrapper
from hypercorn.asyncio.task_group import TaskGroup
from hypercorn.asyncio.tcp_server import TCPServer
from hypercorn.asyncio.worker_context import WorkerContext
from hypercorn.config import Config
from hypercorn.events import Closed, Event, RawData, Updated
from hypercorn.protocol import ProtocolWrapper
from hypercorn.protocol.h2 import BUFFER_HIGH_WATER, BUFFER_LOW_WATER, BufferCompleteError, H2Protocol, StreamBuffer
from hypercorn.protocol.h11 import H2CProtocolRequiredError, H2ProtocolAssumedError
from hypercorn.typing import (
    AppWrapper,
    ASGIFramework,
    ASGIReceiveCallable,
    ASGISendCallable,
    ASGISendEvent,
    ConnectionState,
    Scope,
)
from hypercorn.utils import parse_socket_addr

from .graceful_goaway import GracefulH2Connection, without_graceful_goaway
from .limits import ConnectionLimit, shut_down

# Seconds a connection (or an HTTP/2 stream) may go without its client taking any of the reply's bytes.
DEFAULT_SEND_TIMEOUT = 10.0
# Seconds, after connections got their last chance to finish on shutdown, for cancelled ones to wind down.
_CANCEL_GRACE = 0.25

Stalled = Callable[[], Awaitable[None]]


class ClientDisconnected(ConnectionResetError):
    """Raised by `send` once the client has reset the stream or closed the connection, as ASGI asks of servers."""


class StubASGIWrapper(ASGIWrapper):
    """Calls the app with a `send` that raises ClientDisconnected once the request's stream is closed, so that a
    reply whose client has gone stops its work at the next message (Hypercorn would drop the messages silently)."""

    async def __call__(
        self,
        scope: Scope,
        receive: ASGIReceiveCallable,
        send: ASGISendCallable,
        sync_spawn: Callable[..., Any],
        call_soon: Callable[..., Any],
    ) -> None:
        stream = getattr(send, "__self__", None)  # Hypercorn's HTTPStream, whose `closed` says the client went

        async def send_while_open(message: ASGISendEvent) -> None:
            if getattr(stream, "closed", False) and message["type"] == "http.response.body":
                raise ClientDisconnected()
            await send(message)

        await self.app(scope, receive, send_while_open)


class BoundedStreamBuffer(StreamBuffer):
    """An HTTP/2 stream's outgoing bytes: a writer waits while two frames are queued, until the client's window lets
    them go, and gives up (`stalled`) when none go for `timeout` seconds.

    Hypercorn's own buffer lets a writer on as soon as the send task takes a chunk shorter than half the mark, also
    a chunk of nothing when the window is shut, so a stream with no window buffered its whole reply.
    """

    def __init__(self, event_class: Any, timeout: float, stalled: Stalled) -> None:
        super().__init__(event_class)
        self._timeout = timeout
        self._stalled = stalled
        self._taken = 0

    async def push(self, data: bytes) -> None:
        if self._complete:
            raise BufferCompleteError()
        self.buffer.extend(data)
        await self._is_empty.clear()
        while len(self.buffer) >= BUFFER_HIGH_WATER and not self._complete:
            await self._paused.clear()
            await self._wait_for_progress(self._paused)
        if self._complete:
            raise BufferCompleteError()

    async def drain(self) -> None:
        while self.buffer and not self._complete:
            await self._wait_for_progress(self._is_empty)
        await self._is_empty.wait()

    async def pop(self, max_length: int) -> bytes:
        data = bytes(self.buffer[:max_length])
        del self.buffer[:max_length]
        self._taken += len(data)
        if len(self.buffer) < BUFFER_LOW_WATER:
            await self._paused.set()
        if not self.buffer:
            await self._is_empty.set()
        return data

    async def _wait_for_progress(self, event: Any) -> None:
        taken = self._taken
        try:
            await asyncio.wait_for(event.wait(), self._timeout)
        except asyncio.TimeoutError:
            if self._taken == taken:
                await self._stalled()
                await self.close()


class StubH2Protocol(H2Protocol):
    """Hypercorn's HTTP/2 protocol with a graceful GOAWAY, bounded stream buffers, and streams whose reset or
    closed connection releases their writer at once."""

    def __init__(self, *args: Any, send_timeout: float) -> None:
        super().__init__(*args)
        library = self.connection
        self.connection = GracefulH2Connection(config=library.config)
        self.connection.DEFAULT_MAX_INBOUND_FRAME_SIZE = library.DEFAULT_MAX_INBOUND_FRAME_SIZE
        self.connection.local_settings = library.local_settings
        self._send_timeout = send_timeout

    async def _handle_events(self, events: list[h2.events.Event]) -> None:
        await super()._handle_events(without_graceful_goaway(events, bool(self.streams)))

    async def _create_stream(self, request: h2.events.RequestReceived) -> None:
        await super()._create_stream(request)
        # The stream's app task has been created but has not run yet, so nothing is in the library's buffer.
        stream_id = request.stream_id
        if stream_id in self.stream_buffers:
            self.stream_buffers[stream_id] = BoundedStreamBuffer(
                self.context.event_class, self._send_timeout, lambda: self._give_up(stream_id)
            )

    async def _close_stream(self, stream_id: int) -> None:
        buffer = self.stream_buffers.get(stream_id)
        await super()._close_stream(stream_id)
        if buffer is not None:
            # A writer waiting for a window that will never open goes on (and finds the stream gone) now.
            await buffer.close()

    async def _give_up(self, stream_id: int) -> None:
        """Resets a stream whose client took none of its bytes for the send timeout."""
        with contextlib.suppress(h2.exceptions.ProtocolError, KeyError):
            self.connection.reset_stream(stream_id, h2.errors.ErrorCodes.CANCEL)
            await self._flush()
        await self._close_stream(stream_id)


class StubProtocolWrapper(ProtocolWrapper):
    """Picks HTTP/1.1 or the stub's HTTP/2 protocol, also when a connection turns out to be HTTP/2 later."""

    def __init__(self, *args: Any, send_timeout: float) -> None:
        super().__init__(*args)
        self._send_timeout = send_timeout
        if isinstance(self.protocol, H2Protocol):
            self.protocol = self._h2()

    def _h2(self) -> StubH2Protocol:
        return StubH2Protocol(
            self.app,
            self.config,
            self.context,
            self.task_group,
            self.state,
            self.ssl,
            self.client,
            self.server,
            self.send,
            send_timeout=self._send_timeout,
        )

    async def handle(self, event: Event) -> None:
        try:
            await self.protocol.handle(event)
        except H2ProtocolAssumedError as error:
            self.protocol = self._h2()
            await self.protocol.initiate()
            if error.data:
                await self.protocol.handle(RawData(data=error.data))
        except H2CProtocolRequiredError as error:
            self.protocol = self._h2()
            await self.protocol.initiate(error.headers, error.settings)
            if error.data:
                await self.protocol.handle(RawData(data=error.data))


class StubTCPServer(TCPServer):
    """One client connection: counted against the cap (and closed to make room there while idle between
    requests), served by the stub's protocols, and dropped when its client takes none of the reply for the send
    timeout or has gone."""

    def __init__(
        self,
        app: AppWrapper,
        loop: asyncio.AbstractEventLoop,
        config: Config,
        context: WorkerContext,
        reader: asyncio.StreamReader,
        writer: asyncio.StreamWriter,
        *,
        limit: ConnectionLimit,
        send_timeout: float,
    ) -> None:
        super().__init__(app, loop, config, context, {}, reader, writer)
        self._limit = limit
        self._send_timeout = send_timeout
        self._client_closed = False
        # The socket beneath a TLS connection, whose read side a close shuts (None without TLS).
        self._tls_socket = writer.get_extra_info("socket") if writer.get_extra_info("ssl_object") is not None else None

    def abort(self) -> None:
        """Drops the connection now: its reader ends and its streams close, so its replies' work ends."""
        self.writer.transport.abort()

    def evict(self) -> None:
        """Closes the connection, idle between requests, to make room for a new one: HTTP/2 says so first with a
        GOAWAY; unsent bytes (a client that stopped reading) are dropped rather than waited for.

        Over TLS the descriptor is let go at once (see `_close_transport`), rather than 30 seconds past the cap."""
        protocol = getattr(self, "protocol", None)
        h2_protocol = getattr(protocol, "protocol", None)
        if isinstance(h2_protocol, H2Protocol):
            with contextlib.suppress(h2.exceptions.ProtocolError):
                h2_protocol.connection.close_connection()
                self._write(h2_protocol.connection.data_to_send())
        if self.has_unsent():
            self.writer.transport.abort()
        else:
            self._close_transport()

    def _close_transport(self) -> None:
        """Closes the connection once what was written has gone out; over TLS, sends close_notify and does not wait
        for the client's, as TLS allows (RFC 8446, 6.1).

        Pooled clients never send theirs, and asyncio and uvloop would hold the descriptor for their 30-second TLS
        shutdown timeout. Shutting the socket's read side ends that wait on the loop's next read, while the GOAWAY
        and close_notify still go out before the socket closes (an abort would drop them)."""
        transport = self.writer.transport
        if transport.is_closing():
            return  # closed before: its socket may be gone, and its descriptor's number someone else's
        transport.close()
        if self._tls_socket is not None:
            shut_down(self._tls_socket, socket.SHUT_RD)
            # Bytes queued beneath TLS for a client that stopped reading hold the close: no longer than a send may.
            self.loop.call_later(self._send_timeout, transport.abort)

    def has_unsent(self) -> bool:
        return bool(self.writer.transport.get_write_buffer_size())

    async def run(self) -> None:
        if not self._limit.acquire(self):
            await self._limit.refuse(self.reader, self.writer)
            return
        raw = self.writer.get_extra_info("socket")
        self._limit.sockets.add(raw)
        try:
            await self._serve()
        finally:
            self._limit.sockets.discard(raw)
            self._limit.release(self)

    async def _serve(self) -> None:
        sock = self.writer.get_extra_info("socket")
        try:
            client = parse_socket_addr(sock.family, sock.getpeername())
            server = parse_socket_addr(sock.family, sock.getsockname())
            ssl_object = self.writer.get_extra_info("ssl_object")
            alpn = ssl_object.selected_alpn_protocol() if ssl_object is not None else "http/1.1"
            async with TaskGroup(self.loop) as task_group:
                self._task_group = task_group
                self.protocol = StubProtocolWrapper(
                    self.app,
                    self.config,
                    self.context,
                    task_group,
                    ConnectionState(self.state),
                    ssl_object is not None,
                    client,
                    server,
                    self.protocol_send,
                    alpn,
                    send_timeout=self._send_timeout,
                )
                await self.protocol.initiate()
                await self.idle_task.restart(task_group, self._idle_timeout)
                await self._read_data()
        except OSError:
            pass
        finally:
            await self._close()

    async def _read_data(self) -> None:
        await super()._read_data()
        # The client has closed: no idle timer keeps the connection waiting for its streams' ends.
        self._client_closed = True
        await self.idle_task.stop()

    async def _initiate_server_close(self) -> None:
        """Closes a connection idle for the keep-alive timeout (over TLS without waiting for the client)."""
        await self.protocol.handle(Closed())
        self._close_transport()

    async def _close(self) -> None:
        """Closes, waiting for unsent bytes to leave only while the client takes some within the send timeout."""
        transport = self.writer.transport
        with contextlib.suppress(NotImplementedError, OSError, RuntimeError):
            self.writer.write_eof()
        try:
            self._close_transport()
            await asyncio.wait_for(self.writer.wait_closed(), self._send_timeout)
        except asyncio.TimeoutError:
            transport.abort()
        except (ConnectionError, RuntimeError):
            pass
        finally:
            await self.idle_task.stop()

    async def protocol_send(self, event: Event) -> None:
        if isinstance(event, Updated):
            if self._client_closed:
                return
            self._limit.mark_idle(self, event.idle)
        if not isinstance(event, RawData):
            await super().protocol_send(event)
            return
        async with self.send_lock:
            gone = self._write(event.data)
            if not gone:
                gone = not await self._drain()
        if gone:
            await self.protocol.handle(Closed())

    def _write(self, data: bytes) -> bool:
        """Writes unless the client is gone (writing into a closed transport logs a warning per write)."""
        transport = self.writer.transport
        if transport.is_closing():
            return True
        try:
            self.writer.write(data)
        except (ConnectionError, RuntimeError):
            return True
        return False

    async def _drain(self) -> bool:
        """Waits while the client is behind; False once it has gone or took nothing for the send timeout."""
        transport = self.writer.transport
        try:
            if transport.get_write_buffer_size() <= transport.get_write_buffer_limits()[1]:
                await self.writer.drain()
            else:
                await asyncio.wait_for(self.writer.drain(), self._send_timeout)
        except asyncio.TimeoutError:
            transport.abort()
            return False
        except (ConnectionError, RuntimeError):
            return False
        return True


async def serve(
    app: ASGIFramework,
    config: Config,
    shutdown_trigger: Callable[[], Awaitable[Any]],
    *,
    limit: ConnectionLimit,
    send_timeout: float = DEFAULT_SEND_TIMEOUT,
    on_listening: Callable[[], None] | None = None,
) -> None:
    """Serves `app` on the sockets of `config` until `shutdown_trigger` returns; then connections get
    `config.graceful_timeout` seconds to finish and are cancelled."""
    loop = asyncio.get_running_loop()
    context = WorkerContext(None)
    framework = StubASGIWrapper(app)
    connections: dict[asyncio.Task[Any], StubTCPServer] = {}

    async def on_connection(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        server = StubTCPServer(framework, loop, config, context, reader, writer, limit=limit, send_timeout=send_timeout)
        task = asyncio.current_task()
        if task is not None:
            connections[task] = server
            task.add_done_callback(connections.pop)
        try:
            await server.run()
        except BaseException:
            # A connection cut short by the shutdown has nothing left to report.
            if not context.terminated.is_set():
                raise

    sockets = config.create_sockets()
    servers: list[asyncio.Server] = []
    try:
        ssl = config.create_ssl_context() if config.ssl_enabled else None
        for sock in sockets.secure_sockets:
            servers.append(
                await asyncio.start_server(
                    on_connection,
                    sock=sock,
                    backlog=config.backlog,
                    ssl=ssl,
                    ssl_handshake_timeout=config.ssl_handshake_timeout,
                )
            )
        for sock in sockets.insecure_sockets:
            servers.append(await asyncio.start_server(on_connection, sock=sock, backlog=config.backlog))
        if on_listening is not None:
            on_listening()
        await shutdown_trigger()
    finally:
        await context.terminated.set()
        for server in servers:
            server.close()
        for sock in [*sockets.secure_sockets, *sockets.insecure_sockets]:
            sock.close()
        await _end_connections(connections, config.graceful_timeout)


async def _end_connections(connections: dict[asyncio.Task[Any], StubTCPServer], grace: float) -> None:
    """Gives open connections `grace` seconds to finish their replies, then drops them, then cancels what is left."""
    if not connections:
        return
    _, pending = await asyncio.wait(set(connections), timeout=grace)
    for task in pending:
        server = connections.get(task)
        if server is not None:
            server.abort()
    if pending:
        _, pending = await asyncio.wait(pending, timeout=_CANCEL_GRACE)
    for task in pending:
        task.cancel()
    if pending:
        await asyncio.wait(pending, timeout=_CANCEL_GRACE)
