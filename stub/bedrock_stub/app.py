"""The ASGI app: routes Bedrock Runtime requests, checks signatures, renders replies and errors on the wire."""

from __future__ import annotations

import asyncio
import functools
import itertools
import json
import logging
import os
import random
import threading
import time
from collections import deque
from collections.abc import Awaitable, Callable, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import TYPE_CHECKING, Any, Protocol, cast
from urllib.parse import unquote

from . import eventstream
from .converse import converse_reply, converse_stream_events, parse_conversation
from .count_tokens import count_input_tokens
from .errors import BedrockError, ErrorName, StreamErrorMember, validation_error
from .faults import Faults
from .guardrails import (
    Guardrails,
    GuardrailUse,
    Source,
    Verdict,
    apply_guardrail,
    converse_guardrail,
    converse_input_texts,
    invoke_guardrail,
)
from .journal import Journal, JournalEntry, body_for_journal
from .models import Catalogue, Finding, Model, parse_invocation, reply_body, stream_events
from .operations import (
    APPLY_GUARDRAIL,
    BY_SEGMENT,
    CONVERSE,
    CONVERSE_STREAM,
    COUNT_TOKENS,
    INVOKE_MODEL,
    INVOKE_MODEL_STREAM,
    Operation,
    OperationName,
    guardrail_path,
)
from .prompt_cache import PromptCache
from .relay import Relay
from .replies import Answer, Replies, Reply, StopReason, Turn, default_reasoning, shape
from .schemas import Constraints, fit_reply
from .sigv4 import DEFAULT_REGION, EXAMPLE_SECRET_ACCESS_KEY, Credentials, SignatureStatus, first_values, verify
from .wire import safe_text

if TYPE_CHECKING:
    from hypercorn.typing import ASGIReceiveCallable, ASGISendCallable, HTTPScope, Scope, WebsocketScope, WWWScope

LOG = logging.getLogger("bedrock_stub")
MAX_BODY_BYTES = 25_000_000
# Exceptions the stub failed on that no one has claimed yet (the pytest plugin claims them per test).
_FAILURES_KEPT = 100
# Verdicts of a request signed with keys other than the stub's.
_OTHER_KEYS: frozenset[SignatureStatus] = frozenset({"unknown-access-key", "mismatch"})
EVENT_STREAM = "application/vnd.amazon.eventstream"
_EVENT_STREAM = EVENT_STREAM.encode()
# Seconds before a streamed reply's head: far below any real network round trip plus first token, yet long enough
# for a client on the same machine to get the CPU back and finish writing its request.
STREAM_HEAD_DELAY = 0.005
# One encoder for every reply: json.dumps with options would build a new one per call.
_JSON = json.JSONEncoder(ensure_ascii=False, separators=(",", ":")).encode

# Inside the app, ASGI messages are plain dicts read and built by key; Hypercorn's TypedDicts type its entry point.
Receive = Callable[[], Awaitable[dict[str, Any]]]
Send = Callable[[dict[str, Any]], Awaitable[None]]


@dataclass
class StubState:
    """What a running stub answers with; changing a field takes effect on the next request."""

    reply: str
    # The thinking sent to requests that enable extended thinking, unless their reply brings its own.
    reasoning: str = field(default_factory=default_reasoning)
    strict: bool = False
    verify_signatures: bool = True
    credentials: Credentials = field(default_factory=Credentials)
    catalogue: Catalogue = field(default_factory=Catalogue)
    stream_piece_chars: int = 12
    faults: Faults = field(default_factory=Faults)
    journal: Journal = field(default_factory=Journal)
    replies: Replies = field(default_factory=Replies)
    # False lets a reply run past the request's max_tokens (for bodies larger than a small limit allows).
    honour_max_tokens: bool = True
    # Bedrock pads every stream event's JSON with a random-length `p` member; clients must ignore it.
    pad_events: bool = True
    # Seconds a streamed reply's head waits once the request is read: no real reply comes back quicker, and a
    # client still finishing its request (the SDK for Go's HTTP/1.1 writer) drops the connection if it does.
    stream_head_delay: float = STREAM_HEAD_DELAY
    # Seconds from a request's arrival within which its whole body must have come; None waits for ever.
    read_timeout: float | None = 10.0
    # The regions requests may be signed for (None: any), as AWS's endpoint for one region accepts only its own.
    regions: frozenset[str] | None = frozenset({DEFAULT_REGION})
    # Long-term Bedrock API keys accepted as `Authorization: Bearer <key>` (short-term ones are checked by signature).
    api_keys: frozenset[str] = frozenset()
    # Prefixes written by requests with cache points, and when each expires.
    prompt_cache: PromptCache = field(default_factory=PromptCache)
    # The guardrails requests may name, and the words each blocks.
    guardrails: Guardrails = field(default_factory=Guardrails)
    # Record or replay mode: requests are answered from recordings or an upstream instead (relay.py).
    relay: Relay | None = None


class _Exchange:
    """One request in flight and what the journal will say about it."""

    def __init__(self, scope: WWWScope, journal: Journal) -> None:
        self.journal = journal
        self.recorded = False
        self.started = time.perf_counter()
        # Latin-1 maps every byte to a character, so no header or path can fail to decode.
        self.headers = [
            (name.decode("latin-1").lower(), value.decode("latin-1")) for name, value in scope.get("headers", [])
        ]
        raw_path = scope.get("raw_path") or scope.get("path", "/").encode("utf-8", "backslashreplace")
        self.raw_path = raw_path.decode("latin-1")
        # Each name's first value, for the lookups every request makes (framing, length, signature).
        self.first = first_values(self.headers)
        self.entry = JournalEntry(
            seq=0,
            time=_timestamp(),
            http_version=scope.get("http_version", "1.1"),
            method=scope["method"] if scope["type"] == "http" else "GET",  # a WebSocket handshake is a GET
            path=self.raw_path,
            operation=None,
            model_id=None,
            headers=self.headers,
            body=None,
            body_bytes=0,
            body_truncated=False,
            signature="not-checked",
            status=0,
            request_id=_request_id(),
        )

    def finish(self) -> None:
        """Journals the exchange once, before the client can have its answer, so that it finds its entry."""
        if not self.recorded:
            self.recorded = True
            self.entry.latency_ms = round((time.perf_counter() - self.started) * 1000, 3)
            self.journal.record(self.entry)


# The journal's time of the current second, formatted once a second rather than once a request.
_stamp: tuple[int, str] = (-1, "")


def _timestamp() -> str:
    """Now in UTC as ISO 8601 to the millisecond, as `datetime.isoformat(timespec="milliseconds")` writes it."""
    global _stamp
    now = time.time()
    second = int(now)
    stamp = _stamp
    if stamp[0] != second:
        stamp = _stamp = (second, datetime.fromtimestamp(second, timezone.utc).strftime("%Y-%m-%dT%H:%M:%S"))
    return f"{stamp[1]}.{int((now - second) * 1000):03d}+00:00"


# Request ids need to be unique, not secret: a seeded generator spares a system call per request.
_random = random.Random(os.urandom(32))
_random_bits = _random.getrandbits
# A forked child would otherwise repeat its parent's ids.
os.register_at_fork(after_in_child=lambda: _random.seed(os.urandom(32)))


# The version (4) and variant (RFC 9562) bits of a UUID, set on 128 random bits.
_UUID_CLEAR = ~((0xF << 76) | (0x3 << 62))
_UUID_SET = (0x4 << 76) | (0x2 << 62)


def _request_id() -> str:
    """A random (version 4) UUID, as Bedrock's request ids are, without building a `uuid.UUID`."""
    digits = f"{(_random_bits(128) & _UUID_CLEAR) | _UUID_SET:032x}"
    return f"{digits[:8]}-{digits[8:12]}-{digits[12:16]}-{digits[16:20]}-{digits[20:]}"


@functools.lru_cache(maxsize=256)
def _model_id(segment: str) -> str:
    # Clients send the same few model ids over and over.
    return unquote(segment)


class BedrockRuntimeApp:
    def __init__(self, state: StubState) -> None:
        self.state = state
        self._failures: deque[BaseException] = deque(maxlen=_FAILURES_KEPT)
        self._told_keys = False

    def take_failures(self) -> list[BaseException]:
        """The exceptions requests failed on since the last call, oldest first (each got a 500)."""
        failures = []
        while self._failures:
            failures.append(self._failures.popleft())
        return failures

    async def __call__(self, scope: Scope, asgi_receive: ASGIReceiveCallable, asgi_send: ASGISendCallable) -> None:
        receive, send = cast("Receive", asgi_receive), cast("Send", asgi_send)
        if scope["type"] == "lifespan":
            await _serve_lifespan(receive, send)
        elif scope["type"] == "http":
            await self._serve_http(scope, receive, send)
        elif scope["type"] == "websocket":
            await self._refuse_websocket(scope, receive, send)

    async def _serve_http(self, scope: HTTPScope, receive: Receive, send: Send) -> None:
        exchange = _Exchange(scope, self.state.journal)
        failure: BedrockError | None = _ambiguous_framing(exchange)
        deadline: _Deadline | None = None
        try:
            if failure is None:
                seconds = self.state.read_timeout
                if seconds is not None:
                    deadline = _Deadline(receive, seconds)
                    receive = deadline.receive
                await self._handle(scope, exchange, receive, send)
        except BedrockError as error:
            failure = error
        except Exception as exc:
            # Only a bug of the stub's gets here: answer as Bedrock would, never drop the client (tests assert no 500).
            failure = BedrockError("InternalServerException", f"stub failure: {_describe(exc)}")
            self._failures.append(exc)
        finally:
            if deadline is not None:
                deadline.cancel()
        try:
            if failure is not None:
                await _send_error(send, exchange, failure)
        finally:
            exchange.finish()

    async def _refuse_websocket(self, scope: WebsocketScope, receive: Receive, send: Send) -> None:
        """Bedrock Runtime has no WebSocket operation: the upgrade gets the unknown-operation reply over HTTP."""
        exchange = _Exchange(scope, self.state.journal)
        error = BedrockError("UnknownOperationException")
        status, headers, body = _render_error(exchange, error)
        _journal_error(exchange, status, error)
        try:
            await receive()  # websocket.connect
            exchange.finish()
            if "websocket.http.response" in scope.get("extensions", {}):
                await send({"type": "websocket.http.response.start", "status": status, "headers": headers})
                await send({"type": "websocket.http.response.body", "body": body})
            else:
                # Without the extension ASGI can only deny the handshake; the server answers 403.
                await send({"type": "websocket.close"})
        except Exception:
            pass
        finally:
            exchange.finish()

    async def _handle(self, scope: HTTPScope, exchange: _Exchange, receive: Receive, send: Send) -> None:
        entry = exchange.entry
        segments = exchange.raw_path.split("/")
        operation = BY_SEGMENT.get(segments[3]) if len(segments) == 4 and segments[1] == "model" else None
        guardrail = guardrail_path(exchange.raw_path) if operation is None else None
        if (operation is None and guardrail is None) or scope["method"] != "POST" or not segments[2]:
            await _drain(receive)
            raise BedrockError("UnknownOperationException")
        name: OperationName = APPLY_GUARDRAIL if operation is None else operation.name
        entry.operation = name
        entry.model_id = None if operation is None else _model_id(segments[2])
        body = await _read_body(receive, exchange.first.get("content-length"))
        entry.body, entry.body_truncated, entry.body_sha256 = body_for_journal(body)
        entry.body_bytes = len(body)
        state = self.state
        relay = state.relay
        if state.verify_signatures and not (relay is not None and relay.takes_bearer(exchange.first)):
            query = scope.get("query_string", b"").decode("latin-1")
            verdict = verify(
                scope["method"],
                exchange.raw_path,
                query,
                exchange.headers,
                body,
                state.credentials,
                regions=state.regions,
                first=exchange.first,
                api_keys=state.api_keys,
            )
            entry.signature = verdict.status
            entry.auth_scheme = verdict.scheme
            if verdict.error is not None:
                if verdict.status in _OTHER_KEYS:
                    self._tell_keys()
                raise verdict.error
        if relay is not None:
            query = scope.get("query_string", b"").decode("latin-1")
            await relay.answer(exchange, name, body, query, send, guardrail=guardrail)
            return
        fault = state.faults.take(name)
        if guardrail is not None:
            if fault is not None:
                raise fault.to_error()
            reply = apply_guardrail(body, guardrail.identifier, guardrail.version, state.guardrails)
            await self._send_json(send, exchange, reply)
            return
        assert operation is not None
        broken: _StreamBreak | None = None
        if fault is not None:
            member = fault.stream_member(operation.name) if operation.streams else None
            if member is None:
                raise fault.to_error()
            broken = _StreamBreak(member, fault.to_error())
        model = state.catalogue.resolve(_model_id(segments[2]), operation=operation.name)
        handler = _HANDLERS[operation.name]
        await handler(self, send, exchange, operation, model, body, broken)

    def _tell_keys(self) -> None:
        """Says once which keys the stub expects: a client signing with others gets Bedrock's error, no more."""
        if self._told_keys:
            return
        self._told_keys = True
        credentials = self.state.credentials
        secret = (
            "AWS's documented example secret key"
            if credentials.secret_access_key == EXAMPLE_SECRET_ACCESS_KEY
            else "the secret key it was given"
        )
        LOG.warning(
            "a request was signed with other keys than the stub's, and got Bedrock's error: sign with access key "
            "id %s and %s (said once)",
            credentials.access_key_id,
            secret,
        )

    async def _count_tokens(
        self,
        send: Send,
        exchange: _Exchange,
        operation: Operation,
        model: Model,
        body: bytes,
        broken: _StreamBreak | None,
    ) -> None:
        tokens, exchange.entry.findings = count_input_tokens(
            model, body, strict=self.state.strict, model_id=exchange.entry.model_id or ""
        )
        await self._send_json(send, exchange, {"inputTokens": tokens})

    async def _converse(
        self,
        send: Send,
        exchange: _Exchange,
        operation: Operation,
        model: Model,
        body: bytes,
        broken: _StreamBreak | None,
    ) -> None:
        state = self.state
        conversation = parse_conversation(model, body)
        use = converse_guardrail(conversation.body.get("guardrailConfig"), state.guardrails)
        cache = state.prompt_cache.use(model, conversation.cache_points)

        def frames(answer: Answer, verdict: Verdict | None) -> Iterator[bytes]:
            events = converse_stream_events(
                conversation, answer, state.stream_piece_chars, exchange.started, cache, _trace(verdict)
            )
            return (eventstream.event_frame(kind, payload, pad=state.pad_events) for kind, payload in events)

        def reply(answer: Answer, verdict: Verdict | None) -> dict[str, Any]:
            return converse_reply(conversation, answer, _elapsed_ms(exchange), cache, _trace(verdict))

        guard = None if use is None else (use, converse_input_texts(conversation.body))
        await self._respond(
            send, exchange, operation, conversation, broken, frames, reply, keep_on_break=2, guard=guard
        )

    async def _invoke(
        self,
        send: Send,
        exchange: _Exchange,
        operation: Operation,
        model: Model,
        body: bytes,
        broken: _StreamBreak | None,
    ) -> None:
        state = self.state
        echoed = _echoed_headers(exchange)
        use = invoke_guardrail(exchange.first, state.guardrails)
        invocation = parse_invocation(model, body, strict=state.strict)
        cache = state.prompt_cache.use(model, invocation.cache_points)

        def frames(answer: Answer, verdict: Verdict | None) -> Iterator[bytes]:
            metrics = {"invocationLatency": _elapsed_ms(exchange), "firstByteLatency": _elapsed_ms(exchange)}
            events = stream_events(invocation, answer, state.stream_piece_chars, metrics, cache)
            return (eventstream.chunk_frame(event, pad=state.pad_events) for event in events)

        def reply(answer: Answer, verdict: Verdict | None) -> dict[str, Any]:
            body = reply_body(invocation, answer, cache)
            if verdict is not None:
                body["amazon-bedrock-guardrailAction"] = "INTERVENED" if verdict.intervened else "NONE"
                if verdict.trace is not None:
                    body["amazon-bedrock-trace"] = verdict.trace
            return body

        guard = None if use is None else (use, [invocation.text])
        await self._respond(
            send, exchange, operation, invocation, broken, frames, reply, keep_on_break=3, headers=echoed, guard=guard
        )

    async def _respond(
        self,
        send: Send,
        exchange: _Exchange,
        operation: Operation,
        request: _ModelRequest,
        broken: _StreamBreak | None,
        frames: Callable[[Answer, Verdict | None], Iterator[bytes]],
        reply: Callable[[Answer, Verdict | None], dict[str, Any]],
        *,
        keep_on_break: int,
        headers: list[tuple[bytes, bytes]] | None = None,
        guard: tuple[GuardrailUse, list[str]] | None = None,
    ) -> None:
        """Answers a parsed InvokeModel or Converse request, plain or streamed; the frames are encoded as they go
        out, so that the first event leaves before the last is built. `headers` go out with the reply's own; `guard`
        is the request's guardrail and the texts it assesses before the model (the answer is assessed after)."""
        exchange.entry.findings = request.findings
        verdict: Verdict | None = None
        if guard is None:
            answer, broken = await self._answer(operation, request, broken)
        else:
            use, texts = guard
            before = use.assess("INPUT", texts)
            if before.intervened:
                answer, verdict = _blocked(operation, use, "INPUT"), Verdict(True, use.trace_of(before))
            else:
                answer, broken = await self._answer(operation, request, broken)
                after = use.assess("OUTPUT", [answer.text])
                verdict = Verdict(after.intervened, use.trace_of(after if after.intervened else before, answer.text))
                if after.intervened:
                    answer = _blocked(operation, use, "OUTPUT")
        if operation.streams:
            await self._send_frames(
                send, exchange, frames(answer, verdict), answer, broken, keep_on_break, headers or []
            )
        else:
            await self._send_json(
                send,
                exchange,
                reply(answer, verdict),
                answer=answer,
                input_tokens=request.input_tokens,
                extra=headers or [],
            )

    async def _answer(
        self, operation: Operation, request: _ModelRequest, broken: _StreamBreak | None
    ) -> tuple[Answer, _StreamBreak | None]:
        """The scripted or fixed reply for this request, shaped to its limits; a scripted error is raised here."""
        state = self.state
        turn = Turn(request.text, request.latest_text, request.after_tool_result)
        replies = state.replies
        if replies.has_patterns:
            # A regular expression may search for up to its bound: off the event loop, so others are answered.
            scripted = await asyncio.to_thread(replies.choose, turn, operation.name)
        else:
            scripted = replies.choose(turn, operation.name)
        reply = fit_reply(scripted or Reply(text=state.reply), request.constraints, scripted=scripted is not None)
        if reply.error is not None:
            error = BedrockError(reply.error, reply.message)
            member = operation.stream_member(reply.error) if operation.streams else None
            if member is None:
                raise error
            broken = broken or _StreamBreak(member, error)
        limit = request.max_tokens if state.honour_max_tokens else None
        reasoning = (state.reasoning if reply.reasoning is None else reply.reasoning) if request.thinking else None
        if reasoning is not None and not request.thinking_shown:
            reasoning = ""  # `thinking.display` "omitted": the block comes back empty, signature kept
        return shape(reply, max_tokens=limit, stop_sequences=request.stop_sequences, reasoning=reasoning), broken

    async def _send_json(
        self,
        send: Send,
        exchange: _Exchange,
        reply: dict[str, Any],
        *,
        answer: Answer | None = None,
        input_tokens: int | None = None,
        extra: list[tuple[bytes, bytes]] | None = None,
    ) -> None:
        body = _JSON(reply).encode("utf-8")
        headers = [
            (b"x-amzn-requestid", exchange.entry.request_id.encode()),
            (b"content-type", b"application/json"),
            (b"content-length", b"%d" % len(body)),
            *(extra or ()),
        ]
        if answer is not None and exchange.entry.operation == INVOKE_MODEL:
            headers += [
                (b"x-amzn-bedrock-invocation-latency", b"%d" % _elapsed_ms(exchange)),
                (b"x-amzn-bedrock-input-token-count", str(input_tokens).encode()),
                (b"x-amzn-bedrock-output-token-count", b"%d" % answer.output_tokens),
            ]
        if answer is not None:
            exchange.entry.reply_text = answer.text
        exchange.entry.status = 200
        # Before the headers: an SDK may return to its caller as soon as they arrive.
        exchange.finish()
        await send({"type": "http.response.start", "status": 200, "headers": headers})
        await send({"type": "http.response.body", "body": body})

    async def _send_frames(
        self,
        send: Send,
        exchange: _Exchange,
        frames: Iterable[bytes],
        answer: Answer,
        broken: _StreamBreak | None,
        keep_on_break: int,
        extra: list[tuple[bytes, bytes]],
    ) -> None:
        """Streams the frames; a break sends the first `keep_on_break` of them, then the exception frame."""
        accept = exchange.first.get("x-amzn-bedrock-accept") or "application/json"
        headers = [(b"x-amzn-requestid", exchange.entry.request_id.encode()), (b"content-type", _EVENT_STREAM), *extra]
        if exchange.entry.operation == INVOKE_MODEL_STREAM:
            headers.append((b"x-amzn-bedrock-content-type", accept.encode("latin-1")))
        if self.state.stream_head_delay > 0:
            await asyncio.sleep(self.state.stream_head_delay)
        await send({"type": "http.response.start", "status": 200, "headers": headers})
        exchange.entry.status = 200
        try:
            await self._send_body(send, exchange, frames, answer, broken, keep_on_break)
        except OSError:
            # ASGI servers raise an OSError from `send` once the client has gone: the rest has nowhere to go.
            return

    async def _send_body(
        self,
        send: Send,
        exchange: _Exchange,
        frames: Iterable[bytes],
        answer: Answer,
        broken: _StreamBreak | None,
        keep_on_break: int,
    ) -> None:
        if broken is not None:
            # Fail after the first content so that a client sees a stream that breaks mid-way.
            for frame in itertools.islice(frames, keep_on_break):
                await send({"type": "http.response.body", "body": frame, "more_body": True})
            exchange.entry.error_type = broken.error.kind.name
            exchange.entry.error_message = broken.error.message
            exchange.finish()
            frame = eventstream.exception_frame(broken.member, broken.error.body())
            await send({"type": "http.response.body", "body": frame})
            return
        for chunk in _batched(frames):
            await send({"type": "http.response.body", "body": chunk, "more_body": True})
        exchange.entry.reply_text = answer.text
        exchange.finish()
        await send({"type": "http.response.body", "body": b""})


# Every event of a stub's reply is ready at once: after the first, which leaves alone so that a client sees the stream
# start as soon as it can, the rest leave in writes of up to this many bytes (each write costs the server ~25 µs).
STREAM_WRITE_BYTES = 64 * 1024


def _batched(frames: Iterable[bytes]) -> Iterator[bytes]:
    """The frames as writes: the first alone, then the others joined up to `STREAM_WRITE_BYTES` each."""
    frames = iter(frames)
    first = next(frames, None)
    if first is None:
        return
    yield first
    pending: list[bytes] = []
    size = 0
    for frame in frames:
        pending.append(frame)
        size += len(frame)
        if size >= STREAM_WRITE_BYTES:
            yield b"".join(pending)
            pending, size = [], 0
    if pending:
        yield b"".join(pending)


class _ModelRequest(Protocol):
    """What a parsed InvokeModel body (`Invocation`) and a parsed Converse body (`Conversation`) both tell."""

    findings: list[Finding]
    input_tokens: int
    text: str
    thinking: bool
    thinking_shown: bool
    constraints: Constraints
    latest_text: str
    after_tool_result: bool

    @property
    def max_tokens(self) -> int: ...

    @property
    def stop_sequences(self) -> list[str]: ...


@dataclass(frozen=True)
class _StreamBreak:
    """A modelled error that arrives inside the stream, as the operation's `member` exception frame."""

    member: StreamErrorMember
    error: BedrockError


# Each operation's handler, after the shared start (route, body, signature, injected fault, model).
_HANDLERS = {
    COUNT_TOKENS: BedrockRuntimeApp._count_tokens,
    CONVERSE: BedrockRuntimeApp._converse,
    CONVERSE_STREAM: BedrockRuntimeApp._converse,
    INVOKE_MODEL: BedrockRuntimeApp._invoke,
    INVOKE_MODEL_STREAM: BedrockRuntimeApp._invoke,
}


def _blocked(operation: Operation, use: GuardrailUse, source: Source) -> Answer:
    """The guardrail's blocked message as the answer: `guardrail_intervened` on Converse, `end_turn` in a Messages
    body (whose stop reasons are Claude's; the intervention shows in `amazon-bedrock-guardrailAction`)."""
    reason: StopReason = "guardrail_intervened" if operation.name in (CONVERSE, CONVERSE_STREAM) else "end_turn"
    return Answer(use.guardrail.blocked_message(source), None, reason)


def _trace(verdict: Verdict | None) -> dict[str, Any] | None:
    return None if verdict is None else verdict.trace


# InvokeModel's request headers that its reply echoes, with the values the service model allows
# (`InvokeModelRequest` and `InvokeModelResponse`: X-Amzn-Bedrock-Service-Tier, -PerformanceConfig-Latency).
_ECHOED_HEADERS = {
    "x-amzn-bedrock-service-tier": ("serviceTier", ("priority", "default", "flex", "reserved")),
    "x-amzn-bedrock-performanceconfig-latency": ("performanceConfigLatency", ("standard", "optimized")),
}


def _echoed_headers(exchange: _Exchange) -> list[tuple[bytes, bytes]]:
    echoed = []
    for name, (member, allowed) in _ECHOED_HEADERS.items():
        value = exchange.first.get(name)
        if value is None:
            continue
        if value not in allowed:
            raise validation_error(
                f"1 validation error detected: Value '{safe_text(value)}' at '{member}' failed to satisfy constraint: "
                f"Member must satisfy enum value set: [{', '.join(allowed)}]"
            )
        echoed.append((name.encode(), value.encode("latin-1")))
    return echoed


def _common_headers(exchange: _Exchange) -> list[tuple[bytes, bytes]]:
    return [(b"x-amzn-requestid", exchange.entry.request_id.encode())]


def _elapsed_ms(exchange: _Exchange) -> int:
    return max(1, round((time.perf_counter() - exchange.started) * 1000))


class _UnreadBody(BedrockError):
    """A refusal before the body was read in full: over HTTP/1.x the connection cannot carry another request."""


class _StalledBody(_UnreadBody):
    def __init__(self, seconds: float) -> None:
        super().__init__(
            "ValidationException", f"The request body was not received in full within {seconds:g} seconds."
        )


def _ambiguous_framing(exchange: _Exchange) -> _UnreadBody | None:
    """Both Content-Length and Transfer-Encoding: two readings of where the body ends, so no reading is safe."""
    if not exchange.entry.http_version.startswith("1"):
        return None
    first = exchange.first
    if "transfer-encoding" in first and "content-length" in first:
        return _UnreadBody("ValidationException", "A request must not carry both Content-Length and Transfer-Encoding.")
    return None


# The loop running on each thread: on Python 3.11 every asyncio.get_running_loop() is a getpid() system call.
_loops: dict[int, asyncio.AbstractEventLoop] = {}


def _running_loop() -> asyncio.AbstractEventLoop:
    thread = threading.get_ident()
    loop = _loops.get(thread)
    if loop is None or not loop.is_running():
        loop = _loops[thread] = asyncio.get_running_loop()
    return loop


class _Deadline:
    """`receive` that gives up once the request has been reading its body for `seconds` in all.

    One timer for the whole request: it cancels the task only while the task waits in `receive`.
    """

    __slots__ = ("_expired", "_receive", "_task", "_timer", "_waiting", "seconds")

    def __init__(self, receive: Receive, seconds: float) -> None:
        self._receive = receive
        self.seconds = seconds
        loop = _running_loop()
        self._task = asyncio.current_task(loop)
        self._waiting = False
        self._expired = False
        self._timer = loop.call_at(loop.time() + seconds, self._expire)

    def _expire(self) -> None:
        self._expired = True
        if self._waiting and self._task is not None:
            self._task.cancel()

    async def receive(self) -> dict[str, Any]:
        if self._expired:
            raise _StalledBody(self.seconds)
        self._waiting = True
        try:
            return await self._receive()
        except asyncio.CancelledError:
            if not self._expired:
                raise
            # Take back only the timer's own cancellation; any other still stands.
            if self._task is not None and hasattr(self._task, "uncancel"):
                self._task.uncancel()
            raise _StalledBody(self.seconds) from None
        finally:
            self._waiting = False

    def cancel(self) -> None:
        self._timer.cancel()


def _body_too_large() -> BedrockError:
    return validation_error(
        "1 validation error detected: Value at 'body' failed to satisfy constraint: "
        f"Member must have length less than or equal to {MAX_BODY_BYTES}"
    )


async def _read_body(receive: Receive, declared: str | None) -> bytes:
    """The whole body; `declared` is the request's Content-Length, if it has one."""
    if declared is not None and declared.isdigit() and int(declared) > MAX_BODY_BYTES:
        raise _body_too_large()
    chunks: list[bytes] = []
    size = 0
    while True:
        message = await receive()
        if message["type"] == "http.disconnect":
            break
        chunk = message.get("body", b"")
        size += len(chunk)
        if size > MAX_BODY_BYTES:
            raise _body_too_large()
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


# What the client gets if even rendering the error failed: fixed bytes, nothing left to go wrong.
_LAST_RESORT: tuple[int, ErrorName, bytes] = (
    500,
    "InternalServerException",
    b'{"message":"The server encountered an internal error."}',
)


async def _send_error(send: Send, exchange: _Exchange, error: BedrockError) -> None:
    """Answers with the error; cannot raise, whatever the error holds or the connection's state."""
    try:
        status, headers, body = _render_error(exchange, error)
        _journal_error(exchange, status, error)
        exchange.finish()
    except Exception:
        status, name, body = _LAST_RESORT
        headers = [(b"content-type", b"application/json"), (b"x-amzn-errortype", name.encode())]
    try:
        await send({"type": "http.response.start", "status": status, "headers": headers})
        await send({"type": "http.response.body", "body": body})
    except Exception:
        pass  # the response had begun, or the client is gone: nothing more can reach it


def _render_error(exchange: _Exchange, error: BedrockError) -> tuple[int, list[tuple[bytes, bytes]], bytes]:
    try:
        status, name = error.kind.status, error.kind.name
        # A lone surrogate cannot be UTF-8: escaped as `\udxxx`, which inside a JSON string is the same text.
        body = json.dumps(error.body(), ensure_ascii=False).encode("utf-8", "backslashreplace")
    except Exception:
        status, name, body = _LAST_RESORT
    headers = _common_headers(exchange) + [
        (b"content-type", b"application/json"),
        (b"content-length", str(len(body)).encode()),
        (b"x-amzn-errortype", name.encode("ascii", "replace")),
    ]
    if isinstance(error, _UnreadBody) and exchange.entry.http_version.startswith("1"):
        headers.append((b"connection", b"close"))
    return status, headers, body


def _journal_error(exchange: _Exchange, status: int, error: BedrockError) -> None:
    exchange.entry.status = status
    exchange.entry.error_type = getattr(getattr(error, "kind", None), "name", "InternalServerException")
    exchange.entry.error_message = safe_text(str(getattr(error, "message", "")), 2000)


def _describe(exc: BaseException) -> str:
    try:
        return safe_text(repr(exc))
    except Exception:
        return type(exc).__name__


async def _serve_lifespan(receive: Receive, send: Send) -> None:
    while True:
        message = await receive()
        if message["type"] == "lifespan.startup":
            await send({"type": "lifespan.startup.complete"})
        elif message["type"] == "lifespan.shutdown":
            await send({"type": "lifespan.shutdown.complete"})
            return
