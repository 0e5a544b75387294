"""Checks a request's AWS Signature Version 4 by recomputing it (the tests hold it equal to botocore's signer).

Refusals carry the wording AWS's front end uses, as clients report it:
- a credential scope naming another region: InvalidSignatureException "Credential should be scoped to a valid
  region, not 'us-west-1'. " (aws/aws-sdk-java#1097, aws/aws-sdk-ruby#508; the raw reply quoted in
  cognitect-labs/aws-api#27 keeps the trailing space);
- a date beyond the 15-minute skew: "Signature expired: <date> is now earlier than <date> (<date> - 15 min.)", or
  from the future "Signature not yet current: <date> is still later than <date> (<date> + 15 min.)" (the latter
  quoted in serverless/enterprise#11, with that service's 5-minute window);
- a session token the account does not know, or none where one is needed: UnrecognizedClientException "The
  security token included in the request is invalid."
`Authorization: Bearer ...` (a Bedrock API key) is checked by `api_keys.py`; every verdict says which scheme the
request used, for the journal.
"""

from __future__ import annotations

import calendar
import functools
import hashlib
import hmac
import re
import time
from collections.abc import Collection
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from typing import Literal
from urllib.parse import quote

from .errors import BedrockError

# The example key pair of AWS's SigV4 documentation: obviously not a real account.
EXAMPLE_ACCESS_KEY_ID = "AKIDEXAMPLE"
EXAMPLE_SECRET_ACCESS_KEY = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY"
SIGNING_SERVICE = "bedrock"
DEFAULT_REGION = "us-east-1"
MAX_CLOCK_SKEW = timedelta(minutes=15)
UNSIGNED_PAYLOAD = "UNSIGNED-PAYLOAD"

_AUTHORIZATION = re.compile(
    r"AWS4-HMAC-SHA256\s+Credential=(?P<credential>[^,\s]+)\s*,\s*SignedHeaders=(?P<signed>[^,\s]+)\s*,"
    r"\s*Signature=(?P<signature>[0-9a-f]{64})\s*$"
)


@dataclass(frozen=True)
class Credentials:
    access_key_id: str = EXAMPLE_ACCESS_KEY_ID
    secret_access_key: str = EXAMPLE_SECRET_ACCESS_KEY
    # Temporary credentials come with a token that every request must carry; long-term keys have none.
    session_token: str | None = None


# How a request authenticated: SigV4, a Bedrock API key (short-term, long-term, or a bearer token that is
# neither), or not at all.
AuthScheme = Literal["sigv4", "short-term-api-key", "long-term-api-key", "bearer", "none"]

# A signature's or key's verdict, as the journal shows it: "valid", or why the request is refused (a short-term
# key's reasons come from api_keys.check_short_term_key).
SignatureStatus = Literal[
    "valid",
    "missing",
    "malformed",
    "mismatch",
    "unknown-access-key",
    "unknown-session-token",
    "wrong-region",
    "wrong-service",
    "not-yet-current",
    "payload-hash-mismatch",
    "unknown-api-key",
    "bad-key-format",
    "not-base64",
    "another-host",
    "another-action",
    "another-service",
    "expired",
]


@dataclass(frozen=True)
class Verdict:
    """`valid`, or the reason a request is refused; `error` is the reply real AWS gives for it."""

    status: SignatureStatus
    error: BedrockError | None = None
    scheme: AuthScheme = "sigv4"

    @property
    def valid(self) -> bool:
        return self.status == "valid"


def verify(
    method: str,
    raw_path: str,
    query: str,
    headers: list[tuple[str, str]],
    body: bytes,
    credentials: Credentials,
    now: datetime | None = None,
    regions: Collection[str] | None = (DEFAULT_REGION,),
    first: dict[str, str] | None = None,
    api_keys: Collection[str] = (),
) -> Verdict:
    """Checks one request's signature for one of `regions` (None: any region), or its Bedrock API key (a
    short-term one against `credentials`, a long-term one among `api_keys`); `headers` are lower-case names as
    received, and `first`, if the caller has it, the first value of each name (`first_values(headers)`)."""
    if first is None:
        first = first_values(headers)
    authorization = first.get("authorization")
    if authorization is None:
        return Verdict("missing", BedrockError("MissingAuthenticationTokenException"), "none")
    if authorization[:7].lower() == "bearer ":
        return _verify_api_key(authorization[7:].strip(), credentials, regions, api_keys, now)
    match = _AUTHORIZATION.match(authorization.strip())
    if match is None:
        return _refuse("malformed", "Authorization header requires 'Credential', 'SignedHeaders' and 'Signature'.")
    scope = match["credential"].split("/")
    if len(scope) != 5 or scope[4] != "aws4_request":
        return _refuse("malformed", f"Credential should be scoped to a valid region, not '{match['credential']}'.")
    access_key_id, scope_date, scope_region, service, _ = scope
    if access_key_id != credentials.access_key_id:
        return Verdict("unknown-access-key", BedrockError("UnrecognizedClientException"))
    if first.get("x-amz-security-token") != credentials.session_token:
        return Verdict("unknown-session-token", BedrockError("UnrecognizedClientException"))
    if regions is not None and scope_region not in regions:
        return _refuse("wrong-region", f"Credential should be scoped to a valid region, not '{scope_region}'. ")
    if service != SIGNING_SERVICE:
        return _refuse("wrong-service", f"Credential should be scoped to correct service: '{SIGNING_SERVICE}'.")
    amz_date = first.get("x-amz-date") or ""
    signed_epoch = _amz_date_epoch(amz_date)
    if signed_epoch is None:
        return _refuse("malformed", "Authorization requires a valid X-Amz-Date header.")
    if scope_date != amz_date[:8]:
        return _refuse("malformed", f"Date in Credential scope does not match YYYYMMDD from X-Amz-Date: {scope_date}.")
    # Seconds since the epoch, so that the common case builds no datetime; the refusals' wording needs them.
    now_epoch = time.time() if now is None else now.timestamp()
    if now_epoch - signed_epoch > _MAX_SKEW_SECONDS:
        now = now or datetime.now(timezone.utc)
        return _refuse(
            "expired",
            f"Signature expired: {amz_date} is now earlier than "
            f"{(now - MAX_CLOCK_SKEW):%Y%m%dT%H%M%SZ} ({now:%Y%m%dT%H%M%SZ} - 15 min.)",
        )
    if signed_epoch - now_epoch > _MAX_SKEW_SECONDS:
        now = now or datetime.now(timezone.utc)
        return _refuse(
            "not-yet-current",
            f"Signature not yet current: {amz_date} is still later than "
            f"{(now + MAX_CLOCK_SKEW):%Y%m%dT%H%M%SZ} ({now:%Y%m%dT%H%M%SZ} + 15 min.)",
        )
    signed_names = tuple(match["signed"].split(";"))
    if "host" not in signed_names and ":authority" not in signed_names:
        return _refuse("malformed", "'Host' or ':authority' must be a 'SignedHeader' in the AWS Authorization.")
    content_sha256 = first.get("x-amz-content-sha256")
    if content_sha256 not in (None, UNSIGNED_PAYLOAD) and content_sha256 != hashlib.sha256(body).hexdigest():
        return _refuse(
            "payload-hash-mismatch", "The provided 'x-amz-content-sha256' header does not match what was computed."
        )

    payload_hash = content_sha256 or hashlib.sha256(body).hexdigest()
    canonical = canonical_request(method, raw_path, query, headers, signed_names, payload_hash)
    scope_text = f"{scope_date}/{scope_region}/{SIGNING_SERVICE}/aws4_request"
    string_to_sign = f"AWS4-HMAC-SHA256\n{amz_date}\n{scope_text}\n{hashlib.sha256(canonical.encode()).hexdigest()}"
    expected = _signer(credentials.secret_access_key, scope_date, scope_region).sign(string_to_sign.encode())
    if not hmac.compare_digest(expected, match["signature"]):
        return Verdict("mismatch", BedrockError("InvalidSignatureException"))
    return Verdict("valid")


def _verify_api_key(
    key: str,
    credentials: Credentials,
    regions: Collection[str] | None,
    api_keys: Collection[str],
    now: datetime | None,
) -> Verdict:
    # Imported on first use: api_keys builds on this module's signer.
    from . import api_keys as keys

    if any(hmac.compare_digest(key.encode(), known.encode()) for known in api_keys):
        return Verdict("valid", scheme="long-term-api-key")
    if key.startswith(keys.SHORT_TERM_PREFIX) and len(key) <= keys.MAX_KEY_CHARS:
        reason = keys.check_short_term_key(
            key,
            credentials.access_key_id,
            credentials.secret_access_key,
            credentials.session_token,
            regions,
            None if now is None else now.timestamp(),
        )
        if reason is None:
            return Verdict("valid", scheme="short-term-api-key")
        return Verdict(reason, keys.ApiKeyRefusal(keys.NOT_VALID), "short-term-api-key")
    if key.startswith(keys.LONG_TERM_PREFIX):
        return Verdict("unknown-api-key", keys.ApiKeyRefusal(keys.NOT_VALID), "long-term-api-key")
    return Verdict("bad-key-format", keys.ApiKeyRefusal(keys.BAD_FORMAT), "bearer")


def first_values(headers: list[tuple[str, str]]) -> dict[str, str]:
    """The first value of each header name, as a lookup would find it, from one pass over the headers."""
    return dict(reversed(headers))


def canonical_request(
    method: str,
    raw_path: str,
    query: str,
    headers: list[tuple[str, str]],
    signed_names: tuple[str, ...],
    payload_hash: str,
) -> str:
    """SigV4's canonical request, built as botocore builds it (the tests hold the two equal)."""
    path = _canonical_path(raw_path)
    pairs = sorted(part.partition("=")[::2] for part in query.split("&")) if query else []
    canonical_query = "&".join(f"{key}={value}" for key, value in pairs)
    names = sorted(set(signed_names))
    wanted = {"host" if name == ":authority" else name for name in names}
    values: dict[str, list[str]] = {}
    for header_name, value in headers:
        if header_name in wanted:
            values.setdefault(header_name, []).append(" ".join(value.split()))
    lines = []
    for name in names:
        # Over HTTP/2 the server sees `:authority` as `host`; a client may sign it under either name.
        lines.append(f"{name}:{','.join(values.get('host' if name == ':authority' else name, ()))}")
    signed = ";".join(names)
    return "\n".join((method.upper(), path, canonical_query, "\n".join(lines) + "\n", signed, payload_hash))


@functools.lru_cache(maxsize=256)
def _canonical_path(raw_path: str) -> str:
    # The path arrives still percent-encoded and is encoded once more: `%3A` becomes `%253A`.
    return quote(_without_dot_segments(raw_path), safe="/~")


def _without_dot_segments(path: str) -> str:
    """The path as botocore's signer normalises it (dot segments and empty segments removed)."""
    if path.startswith("/") and "//" not in path and "/." not in path:
        return path  # nothing to remove: the usual case, answered without importing botocore.utils (slow at start)
    from botocore.utils import normalize_url_path

    return str(normalize_url_path(path))


_AMZ_DATE = re.compile(r"(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z")
_MAX_SKEW_SECONDS = MAX_CLOCK_SKEW.total_seconds()


@functools.lru_cache(maxsize=64)
def _amz_date_epoch(text: str) -> int | None:
    """X-Amz-Date as seconds since the epoch; requests signed in the same second share the result."""
    signed_at = _parse_amz_date(text)
    return None if signed_at is None else calendar.timegm(signed_at.utctimetuple())


def _parse_amz_date(text: str) -> datetime | None:
    """X-Amz-Date's basic ISO 8601 form (20150830T123600Z); strptime would cost more than the whole check."""
    match = _AMZ_DATE.fullmatch(text)
    if match is None:
        return None
    try:
        year, month, day, hour, minute, second = (int(part) for part in match.groups())
        return datetime(year, month, day, hour, minute, second, tzinfo=timezone.utc)
    except ValueError:
        return None


@functools.lru_cache(maxsize=64)
def _signing_key(secret: str, date: str, region: str) -> bytes:
    """The day's derived key; AWS derives it once per day and scope too."""
    key = ("AWS4" + secret).encode()
    for part in (date, region, SIGNING_SERVICE, "aws4_request"):
        key = hmac.new(key, part.encode(), hashlib.sha256).digest()
    return key


class _Signer:
    """HMAC-SHA256 under one derived key, from hash states primed with the key's pads (RFC 2104) once.

    Copying a primed state spares OpenSSL 3 its per-call lookup of the digest, which `hmac.digest` pays each time:
    the largest single cost of checking a signature in a loaded stub.
    """

    def __init__(self, key: bytes) -> None:
        block = key.ljust(64, b"\0")
        self._inner = hashlib.sha256(bytes(byte ^ 0x36 for byte in block))
        self._outer = hashlib.sha256(bytes(byte ^ 0x5C for byte in block))

    def sign(self, message: bytes) -> str:
        inner = self._inner.copy()
        inner.update(message)
        outer = self._outer.copy()
        outer.update(inner.digest())
        return outer.hexdigest()


@functools.lru_cache(maxsize=64)
def _signer(secret: str, date: str, region: str) -> _Signer:
    return _Signer(_signing_key(secret, date, region))


def _refuse(status: SignatureStatus, message: str) -> Verdict:
    return Verdict(status, BedrockError("InvalidSignatureException", message))


def _header(headers: list[tuple[str, str]], name: str) -> str | None:
    for header_name, value in headers:
        if header_name == name:
            return value
    return None
