"""Request bodies off the wire: one JSON parser for every operation that cannot fail on hostile input.

Whatever a client sends, `parse_json_body` returns a parsed value or raises a ValidationException with a message
that is plain, short and encodable text: never RecursionError, ValueError, OverflowError or a string holding a lone
surrogate that would make the reply itself impossible to encode.
"""

from __future__ import annotations

import base64
import binascii
import json
import math
import re
from collections.abc import Callable
from typing import Any

from .errors import BedrockError, malformed_input

# Deeper than any real request nests; the rest of the stub (messages that quote a value, the journal) may recurse
# over what was parsed, so the bound stays well inside Python's recursion limit.
MAX_NESTING_DEPTH = 128
# An integer with more digits than this cannot be a float either (the largest double has 309 digits).
_MAX_INTEGER_DIGITS = 309
# A `\uD800`-`\uDFFF` escape: the only way valid UTF-8 JSON text can produce a surrogate once parsed.
_SURROGATE_ESCAPE = re.compile(rb"\\u[dD][89a-fA-F]")
_LONE_SURROGATE = re.compile("[\ud800-\udfff]")


class _Refusal(Exception):
    """Raised from inside the JSON decoder's hooks; carries the violation to report."""


def parse_json_body(raw: bytes, refuse: Callable[[str], BedrockError] = malformed_input) -> Any:
    """Parses a request body as Bedrock's JSON reader would accept it, or raises `refuse(violation)`.

    The default words the error as InvokeModel's schema check does (`Malformed input request: #: ...`); an
    operation with other wording passes its own, which gets a short `<where>: <what>` violation text.
    """
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise refuse(f"#: body is not valid UTF-8 (byte {exc.start})") from None
    try:
        if text.startswith("\ufeff"):
            # What json.loads says of it; the shared decoder below is only told of the text.
            raise json.JSONDecodeError("Unexpected UTF-8 BOM (decode using utf-8-sig)", text, 0)
        value = _DECODER.decode(text)
    except json.JSONDecodeError as exc:
        raise refuse(f"#: invalid JSON at line {exc.lineno} column {exc.colno}: {exc.msg}") from None
    except _Refusal as refusal:
        raise refuse(str(refusal)) from None
    except RecursionError:
        raise refuse(_too_deep()) from None
    # Brackets bound the depth from above, and surrogate escapes are rare: most bodies skip the walk entirely.
    has_escapes = _SURROGATE_ESCAPE.search(raw) is not None
    if has_escapes or raw.count(b"[") + raw.count(b"{") > MAX_NESTING_DEPTH:
        violation = _structure_violation(value, check_text=has_escapes)
        if violation is not None:
            raise refuse(violation)
    return value


def safe_text(text: str, limit: int = 200) -> str:
    """Shortens text for a message and escapes what cannot be encoded (lone surrogates) as `\\udxxx`."""
    if len(text) > limit:
        text = text[:limit] + "..."
    return text.encode("utf-8", "backslashreplace").decode("utf-8")


def _integer(token: str) -> int:
    if len(token.lstrip("-")) > _MAX_INTEGER_DIGITS:
        raise _Refusal(f"#: number {_shorten(token)} is out of range ({len(token.lstrip('-'))} digits)")
    return int(token)


def _float(token: str) -> float:
    value = float(token)
    if not math.isfinite(value):
        raise _Refusal(f"#: number {_shorten(token)} is out of range")
    return value


def _constant(token: str) -> float:
    raise _Refusal(f"#: invalid JSON: {token} is not a JSON value (NaN and Infinity are not part of JSON)")


# One decoder for every body: json.loads with hooks would build a new one (and its scanner) per call.
_DECODER = json.JSONDecoder(parse_int=_integer, parse_float=_float, parse_constant=_constant)


def _shorten(token: str) -> str:
    return token if len(token) <= 24 else f"{token[:12]}...{token[-6:]}"


def _structure_violation(value: Any, *, check_text: bool) -> str | None:
    """Walks the parsed value without recursion: depth within bounds, and no lone surrogate in any string."""
    pending: list[tuple[Any, str, int]] = [(value, "#", 1)]
    while pending:
        item, where, depth = pending.pop()
        if isinstance(item, (dict, list)) and depth > MAX_NESTING_DEPTH:
            return _too_deep(where)
        if isinstance(item, dict):
            for key, member in item.items():
                if check_text and _LONE_SURROGATE.search(key):
                    return _lone_surrogate(where, key)
                pending.append((member, f"{where}/{safe_text(key, 40)}", depth + 1))
        elif isinstance(item, list):
            pending.extend((member, f"{where}/{index}", depth + 1) for index, member in enumerate(item))
        elif check_text and isinstance(item, str) and _LONE_SURROGATE.search(item):
            return _lone_surrogate(where, item)
    return None


def _too_deep(where: str = "#") -> str:
    return f"{_shorten(where)}: JSON nesting exceeds the maximum depth of {MAX_NESTING_DEPTH}"


def _lone_surrogate(where: str, text: str) -> str:
    character = _LONE_SURROGATE.search(text)
    code = f"\\u{ord(character.group()):04x}" if character else "a surrogate"
    return f"{_shorten(where)}: invalid JSON: unpaired surrogate {code} in a string"


def number_text(value: int | float) -> str:
    """A parsed JSON number as an error message quotes it: as a double where it fits one, else its digits (an
    integer of 309 digits parses, but converting it to a float raises OverflowError)."""
    try:
        return str(float(value))
    except OverflowError:
        return _shorten(str(value))


def blob_violation(value: Any) -> str | None:
    """Why a JSON value cannot be a blob member (restJson1 sends bytes as standard base64 text), or None."""
    if not isinstance(value, str):
        return "Member must be base64-encoded bytes"
    try:
        base64.b64decode(value, validate=True)
    except (binascii.Error, ValueError):
        # ValueError: text outside ASCII, which b64decode refuses before it looks at the alphabet.
        return "Member must be valid base64-encoded bytes"
    return None
