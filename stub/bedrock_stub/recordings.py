"""Recordings of real exchanges: the file format, what is scrubbed before writing, loading, and request matching.

One exchange is one JSON file, `NNNN-<Operation>-<model>.json` (ApplyGuardrail's names its guardrail and version
instead), written so that a diff of two recordings reads like a diff of two answers: the request body and the reply
body as JSON, a stream as its decoded events (a chunk's base64 model event decoded to JSON, Bedrock's random `p`
padding dropped) each with the milliseconds since the request left. Before a file is written, headers that carry
credentials are dropped, account ids inside ARNs become `000000000000`, and any credential value the recorder knows
is replaced wherever it still appears.

A request matches a recording on its operation, model id (ApplyGuardrail's: its guardrail and version) and body, the
body compared as parsed JSON (key order and spacing never matter, account ids masked as in the file); `MatchRule`
leaves out any of the three, or body members by path (`inferenceConfig.temperature`). Several recordings of one
request answer in the order they were recorded, starting over once each has answered (a throttled attempt and its
retry replay as they happened).
"""

from __future__ import annotations

import base64
import binascii
import json
import os
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal
from urllib.parse import unquote

from .operations import (
    APPLY_GUARDRAIL,
    BY_SEGMENT,
    OPERATION_NAMES,
    GuardrailRef,
    ModelOperationName,
    OperationName,
    guardrail_path,
)
from .redaction import REDACTED, is_secret_header

FORMAT = "bedrock-stub/recording-v1"
# A recording larger than this is refused unread: the largest request Bedrock takes is 25 MB, and a reply is smaller.
MAX_RECORDING_BYTES = 64 * 1024 * 1024
MASKED_ACCOUNT = "000000000000"
# The operations a recording may hold: every one the stub serves.
RECORDED_OPERATIONS: tuple[OperationName, ...] = (*OPERATION_NAMES, APPLY_GUARDRAIL)
# `model` is what the request names: its model, or for ApplyGuardrail its guardrail and version.
MatchPart = Literal["operation", "model", "body"]
MATCH_PARTS: tuple[MatchPart, ...] = ("operation", "model", "body")
# An event-stream message's type (`:message-type`): an event, a modelled exception, or an unmodelled error.
StreamEventKind = Literal["event", "exception", "error"]
STREAM_EVENT_KINDS: tuple[StreamEventKind, ...] = ("event", "exception", "error")

# Transport headers that say nothing about the answer and would differ on every replay.
_TRANSPORT_HEADERS = frozenset(
    {"host", ":authority", "content-length", "transfer-encoding", "connection", "keep-alive", "te", "upgrade", "date"}
)
# An account id inside an ARN, also when the ARN is percent-encoded in a path (`arn%3Aaws%3Abedrock%3A...`).
_ARN_ACCOUNT = re.compile(r"(arn(?::|%3[aA])aws[a-z-]*(?::|%3[aA])[a-z0-9-]+(?::|%3[aA])[a-z0-9-]*(?::|%3[aA]))\d{12}")
_NAME_UNSAFE = re.compile(r"[^A-Za-z0-9._-]+")


class RecordingError(ValueError):
    """A recording that cannot be used; the message is one line naming the file and what is wrong."""


@dataclass
class StreamEvent:
    """One event-stream message: an event (`event` names its union member, `chunk` for InvokeModel's), a modelled
    exception, or an unmodelled error; `payload` is its JSON, or `payload_base64` when it is not JSON."""

    at_ms: float
    kind: StreamEventKind
    name: str
    payload: Any = None
    payload_base64: str | None = None
    message: str | None = None  # an unmodelled error's text

    def to_dict(self) -> dict[str, Any]:
        data: dict[str, Any] = {"at_ms": self.at_ms, self.kind: self.name}
        if self.kind == "error":
            data["message"] = self.message or ""
        elif self.payload_base64 is not None:
            data["payload_base64"] = self.payload_base64
        else:
            data["payload"] = self.payload
        return data


@dataclass
class Recording:
    """One exchange: the request as it reached the stub, and the reply as the upstream gave it."""

    operation: OperationName
    model_id: str | None  # None for ApplyGuardrail, which names a guardrail instead
    method: str
    path: str
    request_headers: dict[str, str]
    request_body: Body
    status: int
    reply_headers: dict[str, str]
    elapsed_ms: float
    reply_body: Body | None = None
    events: list[StreamEvent] | None = None
    recorded_at: str = ""
    name: str = ""  # the file name it was read from or written to
    guardrail: GuardrailRef | None = None  # ApplyGuardrail's

    @property
    def target(self) -> str:
        """What the request names: its model id, or ApplyGuardrail's guardrail and version."""
        return str(self.guardrail) if self.guardrail is not None else self.model_id or ""

    @property
    def error_type(self) -> str | None:
        """The reply's `X-Amzn-ErrorType`, without the `:<url>` some front ends append."""
        value = self.reply_headers.get("x-amzn-errortype")
        return value.split(":", 1)[0] if value else None

    def to_dict(self) -> dict[str, Any]:
        reply: dict[str, Any] = {"status": self.status, "headers": self.reply_headers, "elapsed_ms": self.elapsed_ms}
        if self.events is not None:
            reply["events"] = [event.to_dict() for event in self.events]
        elif self.reply_body is not None:
            reply.update(self.reply_body.to_dict())
        named: dict[str, Any] = {"model_id": self.model_id}
        if self.guardrail is not None:
            named = {"guardrail": {"identifier": self.guardrail.identifier, "version": self.guardrail.version}}
        return {
            "format": FORMAT,
            "operation": self.operation,
            **named,
            "recorded_at": self.recorded_at,
            "request": {
                "method": self.method,
                "path": self.path,
                "headers": self.request_headers,
                **self.request_body.to_dict(),
            },
            "reply": reply,
        }


@dataclass(frozen=True)
class Body:
    """A body as JSON when it parses as JSON, else as text, else as base64."""

    json: Any = None
    text: str | None = None
    base64: str | None = None
    is_json: bool = False

    @classmethod
    def of(cls, raw: bytes) -> Body:
        if not raw:
            return cls(text="")
        try:
            text = raw.decode("utf-8")
        except UnicodeDecodeError:
            return cls(base64=base64.b64encode(raw).decode("ascii"))
        try:
            return cls(json=json.loads(text), is_json=True)
        except (ValueError, RecursionError):
            return cls(text=text)

    def to_bytes(self) -> bytes:
        if self.is_json:
            return json.dumps(self.json, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
        if self.base64 is not None:
            return base64.b64decode(self.base64)
        return (self.text or "").encode("utf-8")

    def to_dict(self) -> dict[str, Any]:
        if self.is_json:
            return {"body": self.json}
        if self.base64 is not None:
            return {"body_base64": self.base64}
        return {"body_text": self.text or ""}


def operation_and_model(raw_path: str) -> tuple[ModelOperationName, str] | None:
    """The operation and model id a `/model/{modelId}/<segment>` path names, or None."""
    segments = raw_path.split("?", 1)[0].split("/")
    if len(segments) != 4 or segments[1] != "model" or not segments[2]:
        return None
    operation = BY_SEGMENT.get(segments[3])
    return None if operation is None else (operation.name, unquote(segments[2]))


# ---------------------------------------------------------------------------------------------------------------
# Scrubbing


def mask_accounts(text: str) -> str:
    """Account ids inside ARNs become 000000000000 (plain and percent-encoded ARNs alike)."""
    return _ARN_ACCOUNT.sub(lambda match: match.group(1) + MASKED_ACCOUNT, text)


def kept_headers(headers: Iterable[tuple[str, str]]) -> dict[str, str]:
    """Headers worth keeping in a file: no credentials, no transport details; repeated names joined by ", "."""
    kept: dict[str, str] = {}
    for name, value in headers:
        name = name.lower()
        if is_secret_header(name) or name in _TRANSPORT_HEADERS or name.startswith(":"):
            continue
        kept[name] = f"{kept[name]}, {value}" if name in kept else value
    return kept


def scrubbed_text(recording: Recording, secrets: Iterable[str] = ()) -> str:
    """The recording as the text of its file, with ARN accounts masked and every known secret value replaced."""
    text = json.dumps(recording.to_dict(), ensure_ascii=False, indent=2) + "\n"
    text = mask_accounts(text)
    for secret in secrets:
        # Short values could collide with ordinary text; every real credential is longer.
        if secret and len(secret) >= 8:
            for form in {secret, json.dumps(secret)[1:-1]}:
                text = text.replace(form, REDACTED)
    return text


# ---------------------------------------------------------------------------------------------------------------
# Stream events


def stream_event(headers: dict[str, Any], payload: bytes, at_ms: float) -> StreamEvent:
    """A decoded event-stream message as a recording keeps it (a chunk's model event decoded, padding dropped)."""
    message_type = str(headers.get(":message-type", "event"))
    if message_type == "error":
        return StreamEvent(
            at_ms, "error", str(headers.get(":error-code", "")), message=str(headers.get(":error-message", ""))
        )
    if message_type == "exception":
        kind: StreamEventKind = "exception"
        name = str(headers.get(":exception-type", ""))
    else:
        kind, name = "event", str(headers.get(":event-type", ""))
    body = Body.of(payload)
    if not body.is_json:
        return StreamEvent(at_ms, kind, name, payload_base64=base64.b64encode(payload).decode("ascii"))
    value = body.json
    if isinstance(value, dict):
        value = {key: member for key, member in value.items() if key != "p"}
        if kind == "event" and name == "chunk" and isinstance(value.get("bytes"), str):
            try:
                inner = json.loads(base64.b64decode(value["bytes"], validate=True))
            except (ValueError, binascii.Error):
                inner = None
            if inner is not None:
                return StreamEvent(at_ms, kind, name, payload=inner)
    return StreamEvent(at_ms, kind, name, payload=value)


# ---------------------------------------------------------------------------------------------------------------
# Reading


def read_recording(path: Path, root: Path | None = None) -> Recording:
    """One recording file, checked field by field; anything wrong raises RecordingError with one line."""
    where = str(path)
    if root is not None:
        try:
            path.resolve().relative_to(root.resolve())
        except ValueError:
            raise RecordingError(f"{where}: refused: it leads outside {root}") from None
    try:
        size = path.stat().st_size
    except OSError as exc:
        raise RecordingError(f"{where}: cannot be read: {exc.strerror or exc}") from None
    if size > MAX_RECORDING_BYTES:
        raise RecordingError(f"{where}: refused: {size} bytes, more than a recording may hold ({MAX_RECORDING_BYTES})")
    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError as exc:
        raise RecordingError(f"{where}: not UTF-8 text (byte {exc.start})") from None
    except OSError as exc:
        raise RecordingError(f"{where}: cannot be read: {exc.strerror or exc}") from None
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise RecordingError(f"{where}: not valid JSON (line {exc.lineno} column {exc.colno}: {exc.msg})") from None
    except (ValueError, RecursionError):
        raise RecordingError(f"{where}: not valid JSON (nested too deeply or a number out of range)") from None
    try:
        recording = recording_from_dict(data)
    except _Invalid as invalid:
        raise RecordingError(f"{where}: {invalid}") from None
    recording.name = path.name
    return recording


class _Invalid(Exception):
    pass


def _get(data: dict[str, Any], key: str, kind: type | tuple[type, ...], where: str) -> Any:
    if key not in data:
        raise _Invalid(f"{where}{key} is missing")
    value = data[key]
    # bool is an int to Python, never to a recording.
    if not isinstance(value, kind) or (isinstance(value, bool) and bool not in _as_tuple(kind)):
        raise _Invalid(f"{where}{key} must be {_describe(kind)}, not {_json_type(value)}")
    return value


def _as_tuple(kind: type | tuple[type, ...]) -> tuple[type, ...]:
    return kind if isinstance(kind, tuple) else (kind,)


def _describe(kind: type | tuple[type, ...]) -> str:
    names = {dict: "an object", list: "a list", str: "a string", int: "a whole number", float: "a number"}
    return " or ".join(dict.fromkeys(names.get(each, each.__name__) for each in _as_tuple(kind)))


def _json_type(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true/false"
    return {dict: "an object", list: "a list", str: "a string", int: "a number", float: "a number"}.get(
        type(value), type(value).__name__
    )


def _headers(data: dict[str, Any], where: str) -> dict[str, str]:
    headers = _get(data, "headers", dict, where)
    for name, value in headers.items():
        if not isinstance(value, str):
            raise _Invalid(f"{where}headers.{name} must be a string, not {_json_type(value)}")
    return {name.lower(): value for name, value in headers.items()}


def _body(data: dict[str, Any], where: str) -> Body:
    if "body" in data:
        return Body(json=data["body"], is_json=True)
    if "body_base64" in data:
        value = _get(data, "body_base64", str, where)
        try:
            base64.b64decode(value, validate=True)
        except (ValueError, binascii.Error):
            raise _Invalid(f"{where}body_base64 is not base64") from None
        return Body(base64=value)
    if "body_text" in data:
        return Body(text=_get(data, "body_text", str, where))
    raise _Invalid(f"{where}body is missing (body, body_text or body_base64)")


def recording_from_dict(data: Any) -> Recording:
    if not isinstance(data, dict):
        raise _Invalid(f"a recording must be a JSON object, not {_json_type(data)}")
    if data.get("format") != FORMAT:
        raise _Invalid(f"format must be {FORMAT!r}, not {str(data.get('format'))[:60]!r}")
    operation = _get(data, "operation", str, "")
    if operation not in RECORDED_OPERATIONS:
        raise _Invalid(f"operation {operation[:60]!r} is not one of {', '.join(RECORDED_OPERATIONS)}")
    model_id: str | None = None
    guardrail: GuardrailRef | None = None
    if operation == APPLY_GUARDRAIL:
        guardrail = _guardrail(data)
    else:
        model_id = _get(data, "model_id", str, "")
        if not model_id or len(model_id) > 2048:
            raise _Invalid("model_id must be 1 to 2048 characters")
    request = _get(data, "request", dict, "")
    method = _get(request, "method", str, "request.")
    path = _get(request, "path", str, "request.")
    if guardrail is not None:
        if guardrail_path(path) is None:
            raise _Invalid(f"request.path {path[:80]!r} is not the path of ApplyGuardrail on a guardrail")
    else:
        named = operation_and_model(path)
        if named is None or named[0] != operation:
            raise _Invalid(f"request.path {path[:80]!r} is not the path of {operation} on a model")
    reply = _get(data, "reply", dict, "")
    status = _get(reply, "status", int, "reply.")
    if not 100 <= status <= 599:
        raise _Invalid(f"reply.status must be a whole number from 100 to 599, not {status}")
    elapsed = _get(reply, "elapsed_ms", (int, float), "reply.")
    if elapsed < 0:
        raise _Invalid("reply.elapsed_ms must not be negative")
    recording = Recording(
        operation=operation,
        model_id=model_id,
        method=method,
        path=path,
        request_headers=_headers(request, "request."),
        request_body=_body(request, "request."),
        status=status,
        reply_headers=_headers(reply, "reply."),
        elapsed_ms=float(elapsed),
        recorded_at=str(data.get("recorded_at", "")),
        guardrail=guardrail,
    )
    if "events" in reply:
        recording.events = [_event(item, index) for index, item in enumerate(_get(reply, "events", list, "reply."))]
    else:
        recording.reply_body = _body(reply, "reply.")
    return recording


def _guardrail(data: dict[str, Any]) -> GuardrailRef:
    guardrail = _get(data, "guardrail", dict, "")
    identifier = _get(guardrail, "identifier", str, "guardrail.")
    version = _get(guardrail, "version", str, "guardrail.")
    if not identifier or len(identifier) > 2048 or not version or len(version) > 64:
        raise _Invalid("guardrail.identifier must be 1 to 2048 characters, guardrail.version 1 to 64")
    return GuardrailRef(identifier, version)


def _event(item: Any, index: int) -> StreamEvent:
    where = f"reply.events[{index}]."
    if not isinstance(item, dict):
        raise _Invalid(f"reply.events[{index}] must be an object, not {_json_type(item)}")
    at_ms = _get(item, "at_ms", (int, float), where)
    if at_ms < 0:
        raise _Invalid(f"{where}at_ms must not be negative")
    kinds = [kind for kind in STREAM_EVENT_KINDS if kind in item]
    if len(kinds) != 1:
        raise _Invalid(f"reply.events[{index}] must have exactly one of event, exception or error")
    kind = kinds[0]
    name = _get(item, kind, str, where)
    if kind == "error":
        return StreamEvent(float(at_ms), kind, name, message=_get(item, "message", str, where))
    if "payload_base64" in item:
        return StreamEvent(float(at_ms), kind, name, payload_base64=_get(item, "payload_base64", str, where))
    if "payload" not in item:
        raise _Invalid(f"{where}payload is missing")
    return StreamEvent(float(at_ms), kind, name, payload=item["payload"])


def load_directory(folder: Path) -> list[Recording]:
    """Every `*.json` recording directly inside `folder`, in name order; the first bad one raises RecordingError."""
    if not folder.is_dir():
        raise RecordingError(f"{folder}: not a folder of recordings")
    return [read_recording(path, root=folder) for path in sorted(folder.glob("*.json"))]


# ---------------------------------------------------------------------------------------------------------------
# Writing


def safe_name(text: str, limit: int = 80) -> str:
    """A file name part made of letters, digits, `.`, `_` and `-` only: no separator, no `..` can survive it."""
    name = _NAME_UNSAFE.sub("_", text).strip("._-")[:limit]
    return name.replace("..", "_") or "x"


class RecordingWriter:
    """Writes recordings into one folder as NNNN-<Operation>-<model>.json, numbered on from what is there."""

    def __init__(self, folder: Path, secrets: Iterable[str] = ()) -> None:
        self.folder = folder
        self.secrets = tuple(secrets)
        self._next: int | None = None

    def _number(self) -> int:
        if self._next is None:
            numbers = [int(path.name[:4]) for path in self.folder.glob("[0-9][0-9][0-9][0-9]-*.json")]
            self._next = max(numbers, default=0) + 1
        number = self._next
        self._next += 1
        return number

    def write(self, recording: Recording, extra_secrets: Iterable[str] = ()) -> Path:
        self.folder.mkdir(parents=True, exist_ok=True)
        text = scrubbed_text(recording, (*self.secrets, *extra_secrets))
        model = safe_name(mask_accounts(recording.target))
        while True:
            path = self.folder / f"{self._number():04d}-{safe_name(recording.operation)}-{model}.json"
            try:
                # "x": never follow or replace what is already there (a file, or a link planted to lead elsewhere).
                with path.open("x", encoding="utf-8") as handle:
                    handle.write(text)
            except FileExistsError:
                continue
            recording.name = path.name
            return path


# ---------------------------------------------------------------------------------------------------------------
# Matching


@dataclass(frozen=True)
class MatchRule:
    """What a request must share with a recording to be answered by it."""

    parts: tuple[MatchPart, ...] = MATCH_PARTS
    ignore: tuple[str, ...] = ()  # body members left out, as dotted paths (`inferenceConfig.temperature`)

    @classmethod
    def parse(cls, parts: str | None = None, ignore: Iterable[str] = ()) -> MatchRule:
        chosen = tuple(part.strip() for part in parts.split(",") if part.strip()) if parts else MATCH_PARTS
        unknown = [part for part in chosen if part not in MATCH_PARTS]
        if unknown:
            raise ValueError(f"cannot match on {', '.join(unknown)}; choose from {', '.join(MATCH_PARTS)}")
        return cls(tuple(chosen), tuple(ignore))  # type: ignore[arg-type]


@dataclass(frozen=True)
class RequestKey:
    """A request as matching sees it."""

    operation: OperationName
    target: str  # the model id, or ApplyGuardrail's guardrail and version, accounts masked
    body: Any  # parsed JSON with accounts masked and ignored members removed, or the text of a non-JSON body


def request_key(operation: OperationName, target: str, body: Body, rule: MatchRule) -> RequestKey:
    if body.is_json:
        value = json.loads(mask_accounts(json.dumps(body.json)))
        for path in rule.ignore:
            _remove(value, path.split("."))
    else:
        value = mask_accounts(body.text if body.text is not None else body.base64 or "")
    return RequestKey(operation, mask_accounts(target), value)


def _remove(value: Any, path: list[str]) -> None:
    if not path:
        return
    if isinstance(value, list):
        for item in value:
            _remove(item, path)
    elif isinstance(value, dict):
        if len(path) == 1:
            value.pop(path[0], None)
        elif path[0] in value:
            _remove(value[path[0]], path[1:])


def differences(recorded: RequestKey, asked: RequestKey, rule: MatchRule, limit: int = 3) -> list[str]:
    """What keeps a request from matching a recording, in a few plain lines."""
    found: list[str] = []
    if "operation" in rule.parts and recorded.operation != asked.operation:
        found.append(f"operation: recorded {recorded.operation}, asked {asked.operation}")
    if "model" in rule.parts and recorded.target != asked.target:
        what = "guardrail" if asked.operation == APPLY_GUARDRAIL else "model"
        found.append(f"{what}: recorded {recorded.target}, asked {asked.target}")
    if "body" in rule.parts:
        found += list(_value_differences(recorded.body, asked.body, "body"))
    if len(found) > limit:
        found = [*found[:limit], f"and {len(found) - limit} more"]
    return found


def _value_differences(recorded: Any, asked: Any, where: str) -> Iterator[str]:
    if isinstance(recorded, dict) and isinstance(asked, dict):
        for key in recorded.keys() | asked.keys():
            if key not in asked:
                yield f"{where}.{key}: recorded, not asked"
            elif key not in recorded:
                yield f"{where}.{key}: asked, not recorded"
            else:
                yield from _value_differences(recorded[key], asked[key], f"{where}.{key}")
    elif isinstance(recorded, list) and isinstance(asked, list) and len(recorded) == len(asked):
        for index, (old, new) in enumerate(zip(recorded, asked, strict=True)):
            yield from _value_differences(old, new, f"{where}[{index}]")
    elif recorded != asked or type(recorded) is not type(asked):
        yield f"{where}: recorded {_short(recorded)}, asked {_short(asked)}"


def _short(value: Any) -> str:
    text = json.dumps(value, ensure_ascii=False)
    return text if len(text) <= 60 else text[:57] + "..."


@dataclass
class RecordingSet:
    """The recordings a replaying stub answers from, and which of them answered last for each request."""

    rule: MatchRule = field(default_factory=MatchRule)
    recordings: list[Recording] = field(default_factory=list)
    _keys: list[RequestKey] = field(default_factory=list)
    _served: dict[int, int] = field(default_factory=dict)

    def __post_init__(self) -> None:
        recordings, self.recordings = self.recordings, []
        for recording in recordings:
            self.add(recording)

    def add(self, recording: Recording) -> None:
        self.recordings.append(recording)
        self._keys.append(request_key(recording.operation, recording.target, recording.request_body, self.rule))

    def _matches(self, recorded: RequestKey, asked: RequestKey) -> bool:
        parts = self.rule.parts
        return (
            ("operation" not in parts or recorded.operation == asked.operation)
            and ("model" not in parts or recorded.target == asked.target)
            and ("body" not in parts or recorded.body == asked.body)
        )

    def find(self, operation: OperationName, target: str, body: Body) -> Recording | None:
        """The next recording (in recorded order, starting over when all have answered) matching the request, which
        names `target`: its model id, or ApplyGuardrail's guardrail and version (`Recording.target`)."""
        asked = request_key(operation, target, body, self.rule)
        matching = [index for index, key in enumerate(self._keys) if self._matches(key, asked)]
        if not matching:
            return None
        served = self._served.get(matching[0], 0)
        self._served[matching[0]] = served + 1
        return self.recordings[matching[served % len(matching)]]

    def explain_miss(self, operation: OperationName, target: str, body: Body) -> str:
        """Why no recording matched: the closest one and what differs from it."""
        asked = request_key(operation, target, body, self.rule)
        if not self.recordings:
            return f"No recording matches this request ({operation} {target}): there are no recordings."

        def distance(index: int) -> tuple[int, int, int]:
            key = self._keys[index]
            body_differences = len(list(_value_differences(key.body, asked.body, "body")))
            return (key.operation != asked.operation, key.target != asked.target, body_differences)

        closest = min(range(len(self.recordings)), key=distance)
        what = "; ".join(differences(self._keys[closest], asked, self.rule)) or "nothing"
        return (
            f"No recording matches this request ({operation} {target}). "
            f"Closest: {self.recordings[closest].name}; it differs in {what}."
        )


def reply_text(recording: Recording) -> str | None:
    """The generated text of a recorded reply (the journal's reply_text), from a body or from stream deltas."""
    if recording.status != 200:
        return None
    if recording.events is not None:
        pieces: list[str] = []
        for event in recording.events:
            payload: dict[str, Any] = event.payload if isinstance(event.payload, dict) else {}
            delta: dict[str, Any] = payload["delta"] if isinstance(payload.get("delta"), dict) else {}
            if event.name == "chunk":
                text = delta.get("text") if payload.get("type") == "content_block_delta" else payload.get("completion")
            elif event.name == "contentBlockDelta":
                text = delta.get("text")
            else:
                text = None
            if isinstance(text, str):
                pieces.append(text)
        return "".join(pieces)
    body = recording.reply_body.json if recording.reply_body is not None and recording.reply_body.is_json else None
    if not isinstance(body, dict):
        return None
    if isinstance(body.get("completion"), str):
        return str(body["completion"])
    content = body.get("content")
    if not isinstance(content, list):
        message = body.get("output", {}).get("message", {}) if isinstance(body.get("output"), dict) else {}
        content = message.get("content") if isinstance(message, dict) else None
    if not isinstance(content, list):
        return None
    texts = [block.get("text") for block in content if isinstance(block, dict)]
    return "".join(text for text in texts if isinstance(text, str))


def ensure_folder(folder: Path) -> Path:
    """Creates a folder for recordings (and its parents); refuses a path that exists and is not a folder."""
    if folder.exists() and not folder.is_dir():
        raise RecordingError(f"{folder}: exists and is not a folder")
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise RecordingError(f"{folder}: cannot be created: {exc.strerror or exc}") from None
    if not os.access(folder, os.W_OK):
        raise RecordingError(f"{folder}: cannot be written to")
    return folder
