"""Reads the cassettes vcrpy and pytest-recording write (YAML, or JSON with `serializer="json"`) as recordings.

A cassette is `{"interactions": [{"request": {"method", "uri", "body", "headers"}, "response": {"status": {"code"},
"headers", "body": {"string"}}}], "version": 1}`, header values as lists, bodies as text or bytes (YAML `!!binary`).
Only Bedrock Runtime interactions (`/model/{modelId}/<operation>`) are taken; an event-stream reply is decoded into
its events, without timing (cassettes keep none). Secrets are dropped on reading as on recording.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from botocore.eventstream import EventStreamBuffer, ParserError

from .operations import STREAMING_OPERATIONS as STREAMING
from .recordings import (
    MAX_RECORDING_BYTES,
    Body,
    Recording,
    RecordingError,
    kept_headers,
    operation_and_model,
    stream_event,
)

EVENT_STREAM = "application/vnd.amazon.eventstream"


def read_cassette(path: Path, root: Path | None = None) -> tuple[list[Recording], int]:
    """The Bedrock Runtime exchanges of one cassette, and how many of its other interactions were left out."""
    data = _load(path, root)
    interactions = data.get("interactions") if isinstance(data, dict) else None
    if not isinstance(interactions, list):
        raise RecordingError(f"{path}: not a cassette (no list of interactions)")
    recordings: list[Recording] = []
    skipped = 0
    for index, interaction in enumerate(interactions, start=1):
        try:
            recording = _recording(interaction)
        except (TypeError, ValueError, KeyError, AttributeError, ParserError) as exc:
            raise RecordingError(f"{path}: interaction {index}: {_one_line(exc)}") from None
        if recording is None:
            skipped += 1
            continue
        recording.name = f"{path.name} #{index}"
        recordings.append(recording)
    return recordings, skipped


def _load(path: Path, root: Path | None) -> Any:
    if root is not None:
        try:
            path.resolve().relative_to(root.resolve())
        except ValueError:
            raise RecordingError(f"{path}: refused: it leads outside {root}") from None
    try:
        size = path.stat().st_size
        if size > MAX_RECORDING_BYTES:
            raise RecordingError(
                f"{path}: refused: {size} bytes, more than a cassette may hold ({MAX_RECORDING_BYTES})"
            )
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError as exc:
        raise RecordingError(f"{path}: not UTF-8 text (byte {exc.start})") from None
    except OSError as exc:
        raise RecordingError(f"{path}: cannot be read: {exc.strerror or exc}") from None
    if path.suffix == ".json":
        try:
            return json.loads(text)
        except (ValueError, RecursionError) as exc:
            raise RecordingError(f"{path}: not valid JSON ({_one_line(exc)})") from None
    try:
        import yaml  # type: ignore[import-untyped,unused-ignore]
    except ModuleNotFoundError:
        raise RecordingError(
            f"{path}: reading YAML cassettes needs PyYAML: pip install 'bedrock-stub[check]'"
        ) from None
    try:
        # The safe loader: a cassette is data, and may come from anywhere.
        return yaml.load(text, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))
    except (yaml.YAMLError, RecursionError, ValueError) as exc:
        raise RecordingError(f"{path}: not valid YAML ({_one_line(exc)})") from None


def _one_line(exc: BaseException) -> str:
    return " ".join(str(exc).split())[:200] or type(exc).__name__


def _headers(value: Any) -> list[tuple[str, str]]:
    if value is None:
        return []
    if not isinstance(value, dict):
        raise ValueError("headers must be a mapping")
    pairs = []
    for name, values in value.items():
        for each in values if isinstance(values, list) else [values]:
            # vcrpy keeps a header that arrived as bytes as bytes (YAML `!!binary`).
            text = each.decode("utf-8", "replace") if isinstance(each, bytes) else str(each)
            pairs.append((str(name).lower(), text))
    return pairs


def _body(message: dict[str, Any]) -> bytes:
    """A request's or reply's body: `body` as vcrpy writes it, or `parsed_body` (JSON kept parsed, as some
    projects' cassette serialisers write it)."""
    if "parsed_body" in message:
        return json.dumps(message["parsed_body"]).encode("utf-8")
    return _bytes(message.get("body"))


def _bytes(value: Any) -> bytes:
    if value is None:
        return b""
    if isinstance(value, bytes):
        return value
    if isinstance(value, str):
        return value.encode("utf-8")
    if isinstance(value, dict) and "string" in value:
        return _bytes(value["string"])
    raise ValueError(f"a body must be text or bytes, not {type(value).__name__}")


def _recording(interaction: Any) -> Recording | None:
    request, response = interaction["request"], interaction["response"]
    parts = urlsplit(str(request["uri"]))
    named = operation_and_model(parts.path)
    if named is None:
        return None
    operation, model_id = named
    status = response["status"]["code"] if isinstance(response["status"], dict) else response["status"]
    if not isinstance(status, int) or isinstance(status, bool) or not 100 <= status <= 599:
        raise ValueError(f"status {str(status)[:20]!r} is not an HTTP status")
    reply_headers = _headers(response.get("headers"))
    recording = Recording(
        operation=operation,
        model_id=model_id,
        method=str(request.get("method", "POST")),
        path=parts.path,
        request_headers=kept_headers(_headers(request.get("headers"))),
        request_body=Body.of(_body(request)),
        status=status,
        reply_headers=kept_headers(reply_headers),
        elapsed_ms=0.0,
    )
    body = _body(response)
    content_type = next((value for name, value in reply_headers if name == "content-type"), "")
    # Some cassette writers drop every header: a streaming operation's successful reply is a stream regardless.
    if content_type.startswith(EVENT_STREAM) or (not content_type and status == 200 and operation in STREAMING):
        decoder = EventStreamBuffer()
        decoder.add_data(body)
        recording.events = [stream_event(message.headers, message.payload, 0.0) for message in decoder]
    else:
        recording.reply_body = Body.of(body)
    return recording
