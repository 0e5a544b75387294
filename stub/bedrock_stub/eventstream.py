"""Encodes AWS event-stream messages: the mirror image of botocore's eventstream decoder.

Real Bedrock pads the JSON of every stream event with a member `p`, a prefix of "abc...xyzABC...XYZ0...9" whose
length varies from event to event, on both stream operations: beside `bytes` in the payload of an
InvokeModelWithResponseStream chunk, and inside each ConverseStream event (captured streams quoted in the test
fixtures of public Bedrock stream decoders show both, e.g. `{"bytes":"eyJ0...","p":"abcdefghijklmnopqrstuvwxyzAB"}`
and `{"contentBlockIndex":0,"delta":{"text":" German"},"p":"abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWX"}`).
SDKs skip members their model does not declare, so the stub pads too.
"""

from __future__ import annotations

import base64
import functools
import json
import random
import struct
from binascii import crc32
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from .converse import ConverseStreamEvent
    from .errors import StreamErrorMember

_PRELUDE = struct.Struct(">II")
_CRC = struct.Struct(">I")
_STRING_TYPE = 7
_PADDING_ALPHABET = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"
_PADDINGS = tuple(_PADDING_ALPHABET[:length] for length in range(1, len(_PADDING_ALPHABET) + 1))
# The padding's length only has to vary: a seeded generator spares a system call per event.
_choose = random.Random().choice
_JSON = json.JSONEncoder(ensure_ascii=False, separators=(",", ":")).encode
_EVENT = ((":event-type", ""), (":content-type", "application/json"), (":message-type", "event"))


def padding() -> str:
    """A `p` value: a prefix of the alphabet, of random length, as Bedrock sends."""
    return _choose(_PADDINGS)


def encode_message(headers: dict[str, str], payload: bytes) -> bytes:
    """One frame: prelude, prelude CRC, string headers, payload, message CRC."""
    return _frame(_encoded_headers(tuple(headers.items())), payload)


def _frame(encoded_headers: bytes, payload: bytes) -> bytes:
    total_length = _PRELUDE.size + _CRC.size + len(encoded_headers) + len(payload) + _CRC.size
    prelude = _PRELUDE.pack(total_length, len(encoded_headers))
    head = prelude + _CRC.pack(crc32(prelude))
    # The message CRC runs on from the head's, so the frame is joined once.
    return b"".join((head, encoded_headers, payload, _CRC.pack(crc32(payload, crc32(encoded_headers, crc32(head))))))


@functools.lru_cache(maxsize=256)
def _encoded_headers(headers: tuple[tuple[str, str], ...]) -> bytes:
    # A stream repeats the same few header sets, so each is encoded once.
    return b"".join(_encode_header(name, value) for name, value in headers)


def _encode_header(name: str, value: str) -> bytes:
    name_bytes = name.encode("utf-8")
    value_bytes = value.encode("utf-8")
    return (
        struct.pack(">B", len(name_bytes))
        + name_bytes
        + struct.pack(">BH", _STRING_TYPE, len(value_bytes))
        + value_bytes
    )


_EVENT_HEADERS: dict[str, bytes] = {}


def _event_headers(event_type: str) -> bytes:
    encoded = _EVENT_HEADERS.get(event_type)
    if encoded is None:
        # A stream's event types are the operation's few union members, so this stays small.
        encoded = _EVENT_HEADERS[event_type] = _encoded_headers(((":event-type", event_type), *_EVENT[1:]))
    return encoded


def chunk_frame(event: dict[str, Any], *, pad: bool = False) -> bytes:
    """A `chunk` event carrying one model event, base64-encoded as Bedrock sends it."""
    encoded = base64.b64encode(_JSON(event).encode("utf-8")).decode("ascii")
    # Base64 and the padding alphabet need no JSON escaping, so the payload is written out directly.
    part = f'{{"bytes":"{encoded}","p":"{padding()}"}}' if pad else f'{{"bytes":"{encoded}"}}'
    return _frame(_event_headers("chunk"), part.encode("ascii"))


def event_frame(event_type: ConverseStreamEvent, payload: dict[str, Any], *, pad: bool = False) -> bytes:
    """An event of the stream's union member `event_type` (ConverseStream's `messageStart`, ...), JSON payload."""
    if pad:
        payload = {**payload, "p": padding()}
    return _frame(_event_headers(event_type), _JSON(payload).encode("utf-8"))


def exception_frame(stream_member: StreamErrorMember, body: dict[str, Any]) -> bytes:
    """A modeled error mid-stream; `stream_member` is the lowerCamel member name SDKs dispatch on."""
    payload = json.dumps(body, ensure_ascii=False).encode("utf-8")
    return encode_message(
        {":exception-type": stream_member, ":content-type": "application/json", ":message-type": "exception"}, payload
    )


def error_frame(code: str, message: str) -> bytes:
    """An unmodeled error mid-stream."""
    return encode_message({":message-type": "error", ":error-code": code, ":error-message": message}, b"")
