"""Which request headers carry secrets, and what is kept of them: one rule for the journal and for recordings.

A secret header keeps its name and shows `REDACTED` for its value, except what helps debugging and is not secret:
`Authorization`'s scheme (`Bearer REDACTED`), and for SigV4 its `Credential=` scope (access key id, date, region,
service; AWS logs the key id too, e.g. in CloudTrail) and `SignedHeaders=`, with `Signature=REDACTED`. A bearer key
keeps none of its characters: the journal's `auth_scheme` already says which kind of key it was.
"""

from __future__ import annotations

import re

REDACTED = "REDACTED"

# Headers whose value is or derives from a credential; a name holding one of the words is secret too.
_SECRET_HEADERS = frozenset({"authorization", "proxy-authorization", "x-amz-security-token", "cookie", "set-cookie"})
_SECRET_WORDS = ("token", "secret", "signature", "credential", "password", "api-key", "apikey")
# Headers of the `<scheme> <credentials>` form (RFC 9110, section 11.6), whose scheme is worth keeping.
_CREDENTIALS_HEADERS = frozenset({"authorization", "proxy-authorization"})
_SIGV4_SCHEME = "AWS4-HMAC-SHA256"
# A scheme is a word of letters (Bearer, Basic, Digest) or SigV4's name; a key seldom is either, so it is not kept.
# (Servers strip the whitespace around a header's value, so none is looked for before the scheme.)
_SCHEME = re.compile(r"(?:[A-Za-z]{1,32}|AWS4-HMAC-SHA256)(?=\s)")
# SigV4 as clients send it, up to the signature's value: cut there in one match, the common case.
_SIGV4_UP_TO_SIGNATURE = re.compile(
    r"AWS4-HMAC-SHA256\s+Credential=[^\s,]+\s*,\s*SignedHeaders=[^\s,]+\s*,\s*Signature=(?=[^\s,]*\s*$)"
)
# SigV4's parameters, each `Name=value`, between commas and spaces; what is not one of them is one piece too.
_SIGV4_PIECE = re.compile(r"[^\s,]+")
_KEPT_SIGV4_PARAMETERS = ("Credential=", "SignedHeaders=")
_PARAMETER_NAME = re.compile(r"[A-Za-z]+=")
# A SigV4 header is a few hundred characters; one far longer is not read piece by piece (each piece's REDACTED
# could make it several times longer).
_MAX_PIECEWISE_CHARS = 2048
_REMEMBERED_NAMES = 512
_REMEMBERED_NAME_CHARS = 64


class _SecretNames(dict[str, bool]):
    """Whether each header name is secret, remembered for the few names clients send over and over: a bounded
    number of short ones, so that hostile names fill nothing."""

    def __missing__(self, name: str) -> bool:
        lowered = name.lower()
        secret = lowered in _SECRET_HEADERS or any(word in lowered for word in _SECRET_WORDS)
        if len(self) < _REMEMBERED_NAMES and len(name) <= _REMEMBERED_NAME_CHARS:
            self[name] = secret
        return secret


_secret_names = _SecretNames()


def is_secret_header(name: str) -> bool:
    """Whether a header's value is or derives from a credential."""
    return _secret_names[name]


def redacted_value(name: str, value: str) -> str:
    """A secret header's value as it may be kept: `REDACTED`, with an `Authorization` header's scheme and SigV4's
    credential scope and signed headers left as sent; an empty value stays empty (that it was empty is no secret)."""
    if not value or value.isspace():
        return value
    if name.lower() not in _CREDENTIALS_HEADERS:
        return REDACTED
    sigv4 = _SIGV4_UP_TO_SIGNATURE.match(value)
    if sigv4 is not None:
        return sigv4.group() + REDACTED
    scheme = _SCHEME.match(value)
    if scheme is None:
        return REDACTED
    if scheme.group() != _SIGV4_SCHEME or len(value) > _MAX_PIECEWISE_CHARS:
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
    # On every request: the lookup is the dict's own, with no call of a Python function per header.
    secret = _secret_names.__getitem__
    return [(pair[0], redacted_value(*pair)) if secret(pair[0]) else pair for pair in headers]
