"""Encodes AWS event-stream messages: the mirror image of botocore's eventstream decoder."""

from __future__ import annotations

import base64
import json
import struct
from binascii import crc32
from typing import Any

_PRELUDE = struct.Struct(">II")
_CRC = struct.Struct(">I")
_STRING_TYPE = 7


def encode_message(headers: dict[str, str], payload: bytes) -> bytes:
    """One frame: prelude, prelude CRC, string headers, payload, message CRC."""
    encoded_headers = b"".join(_encode_header(name, value) for name, value in headers.items())
    total_length = _PRELUDE.size + _CRC.size + len(encoded_headers) + len(payload) + _CRC.size
    prelude = _PRELUDE.pack(total_length, len(encoded_headers))
    without_crc = prelude + _CRC.pack(crc32(prelude)) + encoded_headers + payload
    return without_crc + _CRC.pack(crc32(without_crc))


def _encode_header(name: str, value: str) -> bytes:
    name_bytes = name.encode("utf-8")
    value_bytes = value.encode("utf-8")
    return (
        struct.pack(">B", len(name_bytes))
        + name_bytes
        + struct.pack(">BH", _STRING_TYPE, len(value_bytes))
        + value_bytes
    )


def chunk_frame(event: dict[str, Any]) -> bytes:
    """A `chunk` event carrying one model event, base64-encoded as Bedrock sends it."""
    model_json = json.dumps(event, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
    payload = json.dumps({"bytes": base64.b64encode(model_json).decode("ascii")}).encode("ascii")
    return encode_message(
        {":event-type": "chunk", ":content-type": "application/json", ":message-type": "event"}, payload
    )


def exception_frame(stream_member: str, body: dict[str, Any]) -> bytes:
    """A modeled error mid-stream; `stream_member` is the lowerCamel member name SDKs dispatch on."""
    payload = json.dumps(body, ensure_ascii=False).encode("utf-8")
    return encode_message(
        {":exception-type": stream_member, ":content-type": "application/json", ":message-type": "exception"}, payload
    )


def error_frame(code: str, message: str) -> bytes:
    """An unmodeled error mid-stream."""
    return encode_message({":message-type": "error", ":error-code": code, ":error-message": message}, b"")
