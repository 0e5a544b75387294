"""Answers requests from recordings, or from an upstream while recording them: the stub's record and replay modes.

Every operation the stub serves is relayed alike, ApplyGuardrail (which names a guardrail, not a model) with them.
Record: the request goes to the upstream (re-signed, see upstream.py), its reply comes back to the client as it
arrives (a stream frame by frame, never buffered) and is written to the folder as one recording once complete.
Replay: the request is answered from the matching recording (see recordings.py for the rule), with its status,
headers and body or events; `timing` keeps the recorded pacing. A request no recording matches gets a
ValidationException naming the closest recording and what differs, or, with `record_on_miss`, goes upstream and is
recorded. The journal names the recording that answered (`JournalEntry.recording`).
"""

from __future__ import annotations

import asyncio
import base64
import json
import logging
import re
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, Literal, Protocol

from . import eventstream
from .errors import BedrockError
from .operations import GuardrailRef, OperationName
from .recordings import (
    Body,
    MatchRule,
    Recording,
    RecordingError,
    RecordingSet,
    RecordingWriter,
    StreamEvent,
    ensure_folder,
    kept_headers,
    load_directory,
    reply_text,
    stream_event,
)
from .sigv4 import DEFAULT_REGION
from .upstream import HOP_BY_HOP, Upstream, UpstreamError

Send = Callable[[dict[str, Any]], Awaitable[None]]
Mode = Literal["record", "replay"]
EVENT_STREAM = "application/vnd.amazon.eventstream"
_log = logging.getLogger("bedrock_stub")
_SCOPE_REGION = re.compile(r"Credential=[^/,\s]+/\d{8}/([a-z0-9-]+)/")


class Exchange(Protocol):
    """What the app knows of the request in flight (app._Exchange)."""

    entry: Any
    headers: list[tuple[str, str]]
    first: dict[str, str]
    raw_path: str
    started: float

    def finish(self) -> None: ...


@dataclass
class Relay:
    """How a stub answers when it records or replays. Build one with `Relay.recording` or `Relay.replaying`."""

    mode: Mode
    folder: Path
    upstream: Upstream | None = None
    recordings: RecordingSet = field(default_factory=RecordingSet)
    record_on_miss: bool = False
    timing: bool = False
    writer: RecordingWriter | None = None

    @classmethod
    def recording(cls, folder: Path, upstream: Upstream) -> Relay:
        ensure_folder(folder)
        return cls("record", folder, upstream, writer=RecordingWriter(folder, upstream.secrets()))

    @classmethod
    def replaying(
        cls,
        folder: Path,
        *,
        rule: MatchRule | None = None,
        timing: bool = False,
        upstream: Upstream | None = None,
        record_on_miss: bool = False,
    ) -> Relay:
        """Raises RecordingError (one line) when a recording in `folder` cannot be used."""
        if record_on_miss and upstream is None:
            raise ValueError("recording on a miss needs an upstream")
        if record_on_miss:
            ensure_folder(folder)
        recordings = RecordingSet(rule or MatchRule(), load_directory(folder))
        writer = RecordingWriter(folder, upstream.secrets()) if record_on_miss and upstream is not None else None
        return cls("replay", folder, upstream, recordings, record_on_miss, timing, writer)

    def takes_bearer(self, first: dict[str, str]) -> bool:
        """A caller's Bedrock API key is for the upstream: the stub cannot check it, only forward it."""
        return self.upstream is not None and first.get("authorization", "").lower().startswith("bearer ")

    async def answer(
        self,
        exchange: Exchange,
        operation: OperationName,
        body: bytes,
        query: str,
        send: Send,
        *,
        guardrail: GuardrailRef | None = None,
    ) -> None:
        """Answers the request, which names the journal entry's model, or `guardrail` (ApplyGuardrail)."""
        entry = exchange.entry
        target = str(guardrail) if guardrail is not None else entry.model_id
        if self.mode == "replay":
            found = self.recordings.find(operation, target, Body.of(body))
            if found is not None:
                await self._replay(exchange, found, send)
                return
            if not self.record_on_miss:
                message = self.recordings.explain_miss(operation, target, Body.of(body))
                raise BedrockError("ValidationException", message)
        await self._record(exchange, operation, guardrail, body, query, _signed_region(exchange.first), send)

    # ----------------------------------------------------------------------------------------------------------
    # Replay

    async def _replay(self, exchange: Exchange, recording: Recording, send: Send) -> None:
        entry = exchange.entry
        entry.recording = recording.name
        entry.status = recording.status
        entry.error_type = recording.error_type
        headers = [
            (name.encode("latin-1"), value.encode("latin-1"))
            for name, value in recording.reply_headers.items()
            if name not in HOP_BY_HOP
        ]
        if recording.events is not None:
            await send({"type": "http.response.start", "status": recording.status, "headers": headers})
            for event in recording.events:
                await self._pace(exchange, event.at_ms)
                if event.kind != "event":
                    entry.error_type = _error_name(event)
                    entry.error_message = event.message or _message_of(event.payload)
                await send({"type": "http.response.body", "body": encode_event(event), "more_body": True})
            entry.reply_text = reply_text(recording)
            exchange.finish()
            await send({"type": "http.response.body", "body": b""})
            return
        body = recording.reply_body.to_bytes() if recording.reply_body is not None else b""
        headers.append((b"content-length", b"%d" % len(body)))
        if recording.status >= 300 and recording.reply_body is not None and recording.reply_body.is_json:
            entry.error_message = _message_of(recording.reply_body.json)
        entry.reply_text = reply_text(recording)
        await self._pace(exchange, recording.elapsed_ms)
        exchange.finish()
        await send({"type": "http.response.start", "status": recording.status, "headers": headers})
        await send({"type": "http.response.body", "body": body})

    async def _pace(self, exchange: Exchange, at_ms: float) -> None:
        if self.timing:
            wait = exchange.started + at_ms / 1000 - time.perf_counter()
            if wait > 0:
                await asyncio.sleep(wait)

    # ----------------------------------------------------------------------------------------------------------
    # Record

    async def _record(
        self,
        exchange: Exchange,
        operation: OperationName,
        guardrail: GuardrailRef | None,
        body: bytes,
        query: str,
        region: str,
        send: Send,
    ) -> None:
        assert self.upstream is not None
        entry = exchange.entry
        sent_at = time.perf_counter()
        try:
            async with self.upstream.send(
                "POST", exchange.raw_path, query, exchange.headers, body, region=region
            ) as reply:
                headers = [(name, value) for name, value in reply.headers if name not in HOP_BY_HOP]
                recording = Recording(
                    operation=operation,
                    model_id=entry.model_id,
                    guardrail=guardrail,
                    method="POST",
                    path=exchange.raw_path + (f"?{query}" if query else ""),
                    request_headers=kept_headers(exchange.headers),
                    request_body=Body.of(body),
                    status=reply.status,
                    reply_headers=kept_headers(headers),
                    elapsed_ms=0.0,
                    recorded_at=datetime.now(timezone.utc).isoformat(timespec="seconds"),
                )
                entry.status = reply.status
                wire_headers = [(name.encode("latin-1"), value.encode("latin-1")) for name, value in headers]
                if _header(reply.headers, "content-type") == EVENT_STREAM:
                    await self._pass_stream(exchange, recording, reply, wire_headers, sent_at, send)
                    return
                data = b"".join([chunk async for chunk in reply.chunks])
        except UpstreamError as error:
            if entry.status:
                # The reply had begun: the client sees its stream end; the journal says why.
                entry.error_message = str(error)
                exchange.finish()
                return
            raise BedrockError("InternalServerException", f"bedrock-stub: {error}") from None
        recording.reply_body = Body.of(data)
        recording.elapsed_ms = round((time.perf_counter() - sent_at) * 1000, 1)
        self._complete(exchange, recording)
        # The upstream's own bytes, not the recording's re-encoding of them.
        await send({"type": "http.response.start", "status": recording.status, "headers": wire_headers})
        await send({"type": "http.response.body", "body": data})

    async def _pass_stream(
        self,
        exchange: Exchange,
        recording: Recording,
        reply: Any,
        headers: list[tuple[bytes, bytes]],
        sent_at: float,
        send: Send,
    ) -> None:
        """Passes each piece on as it arrives, decoding the frames it completes for the recording; the recording
        is complete before the piece that ends the stream (or breaks it with an exception) reaches the client."""
        await send({"type": "http.response.start", "status": reply.status, "headers": headers})
        from botocore.eventstream import EventStreamBuffer  # only recording needs botocore's decoder

        decoder: EventStreamBuffer | None = EventStreamBuffer()
        events = recording.events = []
        done = False
        async for chunk in reply.chunks:
            at_ms = round((time.perf_counter() - sent_at) * 1000, 1)
            if decoder is not None:
                decoder.add_data(chunk)
                try:
                    events.extend(stream_event(message.headers, message.payload, at_ms) for message in decoder)
                except Exception as exc:  # the client still gets every byte; the recording stops here
                    _log.error("recording: an undecodable stream frame: %s", exc)
                    decoder = None
            if not done and events and events[-1].kind != "event":
                done = True
                recording.elapsed_ms = at_ms
                self._complete(exchange, recording)
            await send({"type": "http.response.body", "body": chunk, "more_body": True})
        if not done:
            recording.elapsed_ms = round((time.perf_counter() - sent_at) * 1000, 1)
            self._complete(exchange, recording)
        await send({"type": "http.response.body", "body": b""})

    def _complete(self, exchange: Exchange, recording: Recording) -> None:
        """Writes the recording and journals the exchange."""
        assert self.writer is not None
        entry = exchange.entry
        entry.error_type = recording.error_type
        broken = next((event for event in recording.events or () if event.kind != "event"), None)
        if broken is not None:
            entry.error_type, entry.error_message = _error_name(broken), broken.message or _message_of(broken.payload)
        elif recording.reply_body is not None and recording.status >= 300 and recording.reply_body.is_json:
            entry.error_message = _message_of(recording.reply_body.json)
        entry.reply_text = reply_text(recording)
        bearer = exchange.first.get("authorization", "")
        bearer_key = bearer[7:].strip() if bearer.lower().startswith("bearer ") else ""
        try:
            path = self.writer.write(recording, [bearer_key] if bearer_key else [])
            entry.recording = path.name
            if self.mode == "replay":
                self.recordings.add(recording)
        except (OSError, RecordingError) as exc:
            _log.error("recording %s %s not written: %s", recording.operation, recording.target, exc)
        exchange.finish()


def _signed_region(first: dict[str, str]) -> str:
    """The region the caller signed for (its credential scope), which the upstream's signature then uses unless
    the upstream's host names its own."""
    match = _SCOPE_REGION.search(first.get("authorization", ""))
    return match.group(1) if match else DEFAULT_REGION


def _header(headers: list[tuple[str, str]], name: str) -> str | None:
    return next((value for key, value in headers if key == name), None)


def _message_of(payload: Any) -> str | None:
    if isinstance(payload, dict):
        for key in ("message", "Message"):
            if isinstance(payload.get(key), str):
                return str(payload[key])
    return None


def _error_name(event: StreamEvent) -> str:
    return event.name[:1].upper() + event.name[1:] if event.kind == "exception" else event.name


def encode_event(event: StreamEvent) -> bytes:
    """A recorded event as an event-stream frame again, padded as Bedrock pads (the recording drops the padding)."""
    if event.kind == "error":
        return eventstream.error_frame(event.name, event.message or "")
    if event.payload_base64 is not None:
        payload = base64.b64decode(event.payload_base64)
    elif event.kind == "event" and event.name == "chunk":
        inner = json.dumps(event.payload, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
        wrapped = {"bytes": base64.b64encode(inner).decode("ascii"), "p": eventstream.padding()}
        payload = json.dumps(wrapped).encode("ascii")
    else:
        value = event.payload
        if event.kind == "event" and isinstance(value, dict):
            value = {**value, "p": eventstream.padding()}
        payload = json.dumps(value, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
    if event.kind == "exception":
        headers = {":exception-type": event.name, ":content-type": "application/json", ":message-type": "exception"}
    else:
        headers = {":event-type": event.name, ":content-type": "application/json", ":message-type": "event"}
    return eventstream.encode_message(headers, payload)


def relay_for(
    *,
    upstream: str | Upstream | None = None,
    record: Path | str | None = None,
    replay: Path | str | None = None,
    record_on_miss: bool = False,
    replay_timing: bool = False,
    match: MatchRule | None = None,
) -> Relay | None:
    """The relay a stub's options ask for, or None for the stub's own answers; raises ValueError (RecordingError
    for a bad recording) when the options do not fit together."""
    if record is None and replay is None:
        if upstream is not None:
            raise ValueError("an upstream is used only to record: give a folder to record into, or to replay from")
        return None
    if record is not None and replay is not None:
        raise ValueError("record or replay, not both (replay with record-on-miss records what is missing)")
    if upstream is not None and not isinstance(upstream, Upstream):
        upstream = Upstream(upstream)
    if record is not None:
        if upstream is None:
            raise ValueError("recording needs an upstream URL: there is none by default")
        return Relay.recording(Path(record), upstream)
    assert replay is not None
    if record_on_miss and upstream is None:
        raise ValueError("record-on-miss needs an upstream URL: there is none by default")
    return Relay.replaying(
        Path(replay), rule=match, timing=replay_timing, upstream=upstream, record_on_miss=record_on_miss
    )
