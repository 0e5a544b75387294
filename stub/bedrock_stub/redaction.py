"""Which request headers carry secrets, and what is kept of them: one rule for the journal and for recordings.

A secret header keeps its name and shows `REDACTED` for its value, except what helps debugging and is not secret:
`Authorization`'s scheme (`Bearer REDACTED`), and for SigV4 its `Credential=` scope (access key id, date, region,
service; AWS logs the key id too, e.g. in CloudTrail) and `SignedHeaders=`, with `Signature=REDACTED`. A bearer key
keeps none of its characters: the journal's `auth_scheme` already says which kind of key it was.
"""

from __future__ import annotations

import functools
import re

REDACTED = "REDACTED"

# Headers whose value is or derives from a credential; a name holding one of the words is secret too.
_SECRET_HEADERS = frozenset({"authorization", "proxy-authorization", "x-amz-security-token", "cookie", "set-cookie"})
_SECRET_WORDS = ("token", "secret", "signature", "credential", "password", "api-key", "apikey")
# Headers of the `<scheme> <credentials>` form (RFC 9110, section 11.6), whose scheme is worth keeping.
_CREDENTIALS_HEADERS = frozenset({"authorization", "proxy-authorization"})
_SIGV4_SCHEME = "AWS4-HMAC-SHA256"
# A scheme is a word of letters (Bearer, Basic, Digest) or SigV4's name; a key seldom is either, so it is not kept.
_SCHEME = re.compile(r"\s*(?:[A-Za-z]+|AWS4-HMAC-SHA256)(?=\s)")
# SigV4's parameters, each `Name=value`, between commas and spaces; what is not one of them is one piece too.
_SIGV4_PIECE = re.compile(r"[^\s,]+")
_KEPT_SIGV4_PARAMETERS = ("Credential=", "SignedHeaders=")
_PARAMETER_NAME = re.compile(r"[A-Za-z]+=")
_CACHED_NAME_CHARS = 64


def is_secret_header(name: str) -> bool:
    """Whether a header's value is or derives from a credential."""
    # Clients send the same few names over and over; a hostile long one is not kept in the cache.
    return _secret_name_cached(name) if len(name) <= _CACHED_NAME_CHARS else _secret_name(name)


def _secret_name(name: str) -> bool:
    name = name.lower()
    return name in _SECRET_HEADERS or any(word in name for word in _SECRET_WORDS)


_secret_name_cached = functools.lru_cache(maxsize=512)(_secret_name)


def redacted_value(name: str, value: str) -> str:
    """A secret header's value as it may be kept: `REDACTED`, with an `Authorization` header's scheme and SigV4's
    credential scope and signed headers left as sent; an empty value stays empty (that it was empty is no secret)."""
    if not value.strip():
        return value
    if name.lower() not in _CREDENTIALS_HEADERS:
        return REDACTED
    scheme = _SCHEME.match(value)
    if scheme is None:
        return REDACTED
    if scheme.group().strip() != _SIGV4_SCHEME:
        return scheme.group() + " " + REDACTED
    return scheme.group() + _SIGV4_PIECE.sub(_sigv4_piece, value[scheme.end() :])


def _sigv4_piece(piece: re.Match[str]) -> str:
    text = piece.group()
    if text.startswith(_KEPT_SIGV4_PARAMETERS):
        return text
    parameter = _PARAMETER_NAME.match(text)
    return parameter.group() + REDACTED if parameter else REDACTED


def redacted_headers(headers: list[tuple[str, str]]) -> list[tuple[str, str]]:
    """The headers with every secret value redacted (`redacted_value`); names, order and the rest as sent."""
    return [(name, redacted_value(name, value)) if is_secret_header(name) else (name, value) for name, value in headers]
