"""The ASGI app: routes Bedrock Runtime requests, checks signatures, renders replies and errors on the wire."""

from __future__ import annotations

import json
import time
import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import Any
from urllib.parse import unquote

from . import eventstream
from .errors import BedrockError, validation_error
from .faults import INVOKE_MODEL, INVOKE_MODEL_STREAM, Fault, Faults
from .journal import Journal, JournalEntry, body_for_journal
from .models import (
    Catalogue,
    Invocation,
    count_tokens_of_chars,
    parse_invocation,
    reply_body,
    split_text,
    stream_events,
)
from .sigv4 import Credentials, verify

MAX_BODY_BYTES = 25_000_000
EVENT_STREAM = "application/vnd.amazon.eventstream"
_ROUTES = {"invoke": INVOKE_MODEL, "invoke-with-response-stream": INVOKE_MODEL_STREAM}

Scope = dict[str, Any]
Receive = Callable[[], Awaitable[dict[str, Any]]]
Send = Callable[[dict[str, Any]], Awaitable[None]]


@dataclass
class StubState:
    """What a running stub answers with; changing a field takes effect on the next request."""

    reply: str
    strict: bool = False
    verify_signatures: bool = True
    credentials: Credentials = field(default_factory=Credentials)
    catalogue: Catalogue = field(default_factory=Catalogue)
    stream_piece_chars: int = 12
    faults: Faults = field(default_factory=Faults)
    journal: Journal = field(default_factory=Journal)


class _Exchange:
    """One request in flight and what the journal will say about it."""

    def __init__(self, scope: Scope, journal: Journal) -> None:
        self.journal = journal
        self.recorded = False
        self.started = time.perf_counter()
        self.headers = [(name.decode("latin-1").lower(), value.decode("latin-1")) for name, value in scope["headers"]]
        self.raw_path = scope.get("raw_path", scope["path"].encode()).decode("latin-1")
        self.entry = JournalEntry(
            seq=0,
            time=datetime.now(timezone.utc).isoformat(timespec="milliseconds"),
            http_version=scope.get("http_version", "1.1"),
            method=scope["method"],
            path=self.raw_path,
            operation=None,
            model_id=None,
            headers=self.headers,
            body=None,
            body_bytes=0,
            body_truncated=False,
            signature="not-checked",
            status=0,
            request_id=str(uuid.uuid4()),
        )

    def finish(self) -> None:
        """Journals the exchange once, before the client can have its answer, so that it finds its entry."""
        if not self.recorded:
            self.recorded = True
            self.entry.latency_ms = round((time.perf_counter() - self.started) * 1000, 3)
            self.journal.record(self.entry)


class BedrockRuntimeApp:
    def __init__(self, state: StubState) -> None:
        self.state = state

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "lifespan":
            await _serve_lifespan(receive, send)
        elif scope["type"] == "http":
            await self._serve_http(scope, receive, send)

    async def _serve_http(self, scope: Scope, receive: Receive, send: Send) -> None:
        exchange = _Exchange(scope, self.state.journal)
        try:
            await self._handle(scope, exchange, receive, send)
        except BedrockError as error:
            await _send_error(send, exchange, error)
        except Exception as exc:
            # Only a bug of the stub's gets here: answer as Bedrock would, never drop the client (tests assert no 500).
            await _send_error(send, exchange, BedrockError("InternalServerException", f"stub failure: {exc!r}"))
        finally:
            exchange.finish()

    async def _handle(self, scope: Scope, exchange: _Exchange, receive: Receive, send: Send) -> None:
        entry = exchange.entry
        segments = exchange.raw_path.split("/")
        operation = _ROUTES.get(segments[3]) if len(segments) == 4 and segments[1] == "model" else None
        if operation is None or scope["method"] != "POST" or not segments[2]:
            await _drain(receive)
            raise BedrockError("UnknownOperationException")
        entry.operation = operation
        entry.model_id = unquote(segments[2])
        body = await _read_body(receive, exchange.headers)
        entry.body, entry.body_truncated = body_for_journal(body)
        entry.body_bytes = len(body)
        state = self.state
        if state.verify_signatures:
            query = scope.get("query_string", b"").decode("latin-1")
            verdict = verify(scope["method"], exchange.raw_path, query, exchange.headers, body, state.credentials)
            entry.signature = verdict.status
            if verdict.error is not None:
                raise verdict.error
        fault = state.faults.take(operation)
        if fault is not None and not (operation == INVOKE_MODEL_STREAM and fault.stream_member):
            raise fault.to_error()
        model = state.catalogue.resolve(entry.model_id)
        invocation = parse_invocation(model, body, strict=state.strict)
        entry.findings = invocation.findings
        reply = state.reply
        if operation == INVOKE_MODEL:
            await self._send_reply(send, exchange, invocation, reply)
        else:
            await self._send_stream(send, exchange, invocation, reply, fault)

    async def _send_reply(self, send: Send, exchange: _Exchange, invocation: Invocation, reply: str) -> None:
        body = json.dumps(reply_body(invocation, reply), ensure_ascii=False).encode("utf-8")
        output_tokens = count_tokens_of_chars(len(reply))
        headers = _common_headers(exchange) + [
            (b"content-type", b"application/json"),
            (b"content-length", str(len(body)).encode()),
            (b"x-amzn-bedrock-invocation-latency", str(_elapsed_ms(exchange)).encode()),
            (b"x-amzn-bedrock-input-token-count", str(invocation.input_tokens).encode()),
            (b"x-amzn-bedrock-output-token-count", str(output_tokens).encode()),
        ]
        exchange.entry.status = 200
        exchange.entry.reply_text = reply
        # Before the headers: an SDK may return to its caller as soon as they arrive.
        exchange.finish()
        await send({"type": "http.response.start", "status": 200, "headers": headers})
        await send({"type": "http.response.body", "body": body})

    async def _send_stream(
        self, send: Send, exchange: _Exchange, invocation: Invocation, reply: str, fault: Fault | None
    ) -> None:
        accept = _find(exchange.headers, "x-amzn-bedrock-accept") or "application/json"
        headers = _common_headers(exchange) + [
            (b"content-type", EVENT_STREAM.encode()),
            (b"x-amzn-bedrock-content-type", accept.encode("latin-1")),
        ]
        await send({"type": "http.response.start", "status": 200, "headers": headers})
        exchange.entry.status = 200
        pieces = split_text(reply, self.state.stream_piece_chars)
        metrics = {"invocationLatency": _elapsed_ms(exchange), "firstByteLatency": _elapsed_ms(exchange)}
        events = stream_events(invocation, pieces, metrics)
        if fault is not None:
            # Fail after the first content so that a client sees a stream that breaks mid-way.
            sent = events[: min(len(events), 3)]
            for event in sent:
                await send({"type": "http.response.body", "body": eventstream.chunk_frame(event), "more_body": True})
            error = fault.to_error()
            frame = eventstream.exception_frame(fault.stream_member or "", error.body())
            exchange.entry.error_type = error.kind.name
            exchange.entry.error_message = error.message
            exchange.finish()
            await send({"type": "http.response.body", "body": frame})
            return
        for event in events:
            await send({"type": "http.response.body", "body": eventstream.chunk_frame(event), "more_body": True})
        exchange.entry.reply_text = reply
        exchange.finish()
        await send({"type": "http.response.body", "body": b""})


def _common_headers(exchange: _Exchange) -> list[tuple[bytes, bytes]]:
    return [(b"x-amzn-requestid", exchange.entry.request_id.encode())]


def _elapsed_ms(exchange: _Exchange) -> int:
    return max(1, round((time.perf_counter() - exchange.started) * 1000))


def _find(headers: list[tuple[str, str]], name: str) -> str | None:
    return next((value for header_name, value in headers if header_name == name), None)


async def _read_body(receive: Receive, headers: list[tuple[str, str]]) -> bytes:
    too_large = validation_error(
        "1 validation error detected: Value at 'body' failed to satisfy constraint: "
        f"Member must have length less than or equal to {MAX_BODY_BYTES}"
    )
    declared = _find(headers, "content-length")
    if declared is not None and declared.isdigit() and int(declared) > MAX_BODY_BYTES:
        raise too_large
    chunks: list[bytes] = []
    size = 0
    while True:
        message = await receive()
        if message["type"] == "http.disconnect":
            break
        chunk = message.get("body", b"")
        size += len(chunk)
        if size > MAX_BODY_BYTES:
            raise too_large
        chunks.append(chunk)
        if not message.get("more_body", False):
            break
    return b"".join(chunks)


async def _drain(receive: Receive) -> None:
    """Reads and drops a body we will not use, so that the connection stays usable."""
    size = 0
    while size <= MAX_BODY_BYTES:
        message = await receive()
        if message["type"] == "http.disconnect" or not message.get("more_body", False):
            return
        size += len(message.get("body", b""))


async def _send_error(send: Send, exchange: _Exchange, error: BedrockError) -> None:
    body = json.dumps(error.body(), ensure_ascii=False).encode("utf-8")
    headers = _common_headers(exchange) + [
        (b"content-type", b"application/json"),
        (b"content-length", str(len(body)).encode()),
        (b"x-amzn-errortype", error.kind.name.encode()),
    ]
    exchange.entry.status = error.status
    exchange.entry.error_type = error.kind.name
    exchange.entry.error_message = error.message
    exchange.finish()
    try:
        await send({"type": "http.response.start", "status": error.status, "headers": headers})
        await send({"type": "http.response.body", "body": body})
    except Exception:
        pass


async def _serve_lifespan(receive: Receive, send: Send) -> None:
    while True:
        message = await receive()
        if message["type"] == "lifespan.startup":
            await send({"type": "lifespan.startup.complete"})
        elif message["type"] == "lifespan.shutdown":
            await send({"type": "lifespan.shutdown.complete"})
            return
