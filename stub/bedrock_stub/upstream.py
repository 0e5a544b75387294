"""Forwards a request to a real Bedrock Runtime endpoint (or any upstream), signed anew for it.

A request that reached the stub was signed for the stub's own example keys; the upstream gets it re-signed with
SigV4 (`botocore.auth.SigV4Auth`, service `bedrock`) using credentials from botocore's usual chain (environment,
shared files and profiles, SSO, container and instance roles), resolved once when the upstream is set up. A request
that carries a Bedrock API key (`Authorization: Bearer ...`) is forwarded with that key as it came. The HTTP client
is httpx (HTTP/2 where the upstream offers it), installed with the `record` extra; replies are read as they
arrive, so a stream passes through event by event. The client belongs to the event loop it was opened on: the
server serving on that loop closes it as it stops (`close_clients_of_this_loop`), and its connections with it.
"""

from __future__ import annotations

import asyncio
import logging
import re
import threading
import weakref
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

SIGNING_SERVICE = "bedrock"
# The region of an AWS endpoint's host name: bedrock-runtime.us-west-2.amazonaws.com, ...-fips.us-east-1...
_REGION_IN_HOST = re.compile(r"^bedrock-runtime(?:-fips)?\.([a-z]{2}(?:-[a-z0-9]+)+)\.amazonaws\.com(?:\.cn)?$")
# Headers the stub does not pass on: the old signature and everything the HTTP client sets itself.
_NOT_FORWARDED = frozenset(
    {
        "authorization",
        "x-amz-date",
        "x-amz-security-token",
        "x-amz-content-sha256",
        "host",
        "content-length",
        "transfer-encoding",
        "connection",
        "keep-alive",
        "expect",
        "te",
        "upgrade",
        "accept-encoding",
        "proxy-authorization",
        "http2-settings",
    }
)
# Reply headers that describe the upstream connection rather than the answer.
HOP_BY_HOP = frozenset({"connection", "keep-alive", "transfer-encoding", "content-length", "te", "upgrade", "date"})
_log = logging.getLogger("bedrock_stub")


class UpstreamError(Exception):
    """The upstream could not be reached, or a request cannot be signed for it."""


def check_url(url: str) -> str:
    """The upstream's base URL, checked: http or https, a host, no path beyond `/`, no credentials inside."""
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ValueError(f"{url!r} is not an http:// or https:// URL with a host")
    if parts.username or parts.password:
        raise ValueError("an upstream URL must not carry credentials")
    if parts.path not in ("", "/") or parts.query or parts.fragment:
        raise ValueError(f"{url!r}: give the endpoint alone, e.g. https://bedrock-runtime.us-east-1.amazonaws.com")
    return f"{parts.scheme}://{parts.netloc}"


def region_of(url: str) -> str | None:
    return (match := _REGION_IN_HOST.match(urlsplit(url).hostname or "")) and match.group(1)


def chain_credentials() -> Any:
    """Credentials from botocore's usual chain, or None where it finds none."""
    from botocore.session import Session  # imported when recording, not when the stub starts

    return Session().get_credentials()


@dataclass
class UpstreamReply:
    status: int
    headers: list[tuple[str, str]]
    chunks: AsyncIterator[bytes]


class Upstream:
    """Where recorded requests go. `credentials`: botocore credentials, or None to resolve botocore's chain now
    (None again if it finds none: then only callers that bring a Bedrock API key can be forwarded)."""

    def __init__(
        self, url: str, *, region: str | None = None, credentials: Any = None, resolve_chain: bool = True
    ) -> None:
        self.url = check_url(url)
        self.region = region or region_of(self.url)
        self.credentials = credentials if credentials is not None or not resolve_chain else chain_credentials()
        self._client: Any = None
        self._client_loop: asyncio.AbstractEventLoop | None = None

    def secrets(self) -> list[str]:
        """The credential values a recording must never hold."""
        if self.credentials is None:
            return []
        frozen = self.credentials.get_frozen_credentials()
        return [value for value in (frozen.secret_key, frozen.token, frozen.access_key) if value]

    def _http(self) -> Any:
        if self._client is None:
            try:
                import httpx
            except ModuleNotFoundError:
                raise UpstreamError(
                    "recording needs httpx: pip install 'bedrock-stub[record]' (or httpx[http2])"
                ) from None
            try:
                import h2  # noqa: F401  (httpx speaks HTTP/2 only with it)

                http2 = True
            except ModuleNotFoundError:
                http2 = False
            # No overall timeout: a long stream is normal; a silent upstream still ends at the read timeout.
            timeout = httpx.Timeout(connect=10.0, read=300.0, write=60.0, pool=60.0)
            self._client = httpx.AsyncClient(http2=http2, timeout=timeout, follow_redirects=False, trust_env=False)
            self._client_loop = asyncio.get_running_loop()
            with _OPEN_LOCK:
                _OPEN.add(self)
        return self._client

    def signed_headers(
        self, method: str, raw_path: str, query: str, headers: list[tuple[str, str]], body: bytes, region: str
    ) -> list[tuple[str, str]]:
        """The headers to send upstream: the caller's own, less its signature, signed anew (or its bearer key)."""
        forwarded = [(name, value) for name, value in headers if name not in _NOT_FORWARDED and name[:1] != ":"]
        forwarded.append(("accept-encoding", "identity"))
        authorization = next((value for name, value in headers if name == "authorization"), "")
        if authorization.lower().startswith("bearer "):
            return [*forwarded, ("authorization", authorization)]
        if self.credentials is None:
            raise UpstreamError(
                "no AWS credentials for the upstream: botocore's chain (environment, profile, SSO) found none, "
                "and the request carries no Bedrock API key"
            )
        from botocore.auth import SigV4Auth
        from botocore.awsrequest import AWSRequest
        from botocore.credentials import Credentials as BotocoreCredentials

        url = self.url + raw_path + (f"?{query}" if query else "")
        request = AWSRequest(method=method, url=url, data=body, headers=dict(forwarded))
        frozen = self.credentials.get_frozen_credentials()
        credentials = BotocoreCredentials(frozen.access_key, frozen.secret_key, frozen.token)
        SigV4Auth(credentials, SIGNING_SERVICE, self.region or region).add_auth(request)
        return list(request.headers.items())

    @asynccontextmanager
    async def send(
        self,
        method: str,
        raw_path: str,
        query: str,
        headers: list[tuple[str, str]],
        body: bytes,
        *,
        region: str,
    ) -> AsyncIterator[UpstreamReply]:
        """Sends the request upstream; the reply's body is read as the caller iterates its chunks."""
        signed = self.signed_headers(method, raw_path, query, headers, body, region)
        client = self._http()
        import httpx

        url = httpx.URL(self.url + raw_path + (f"?{query}" if query else ""))
        # The path goes as it came, still percent-encoded: the signature covers it in that form.
        request = client.build_request(
            method,
            url,
            headers=[(name.encode("latin-1"), value.encode("latin-1")) for name, value in signed],
            content=body,
        )
        try:
            response = await client.send(request, stream=True)
        except httpx.HTTPError as exc:
            raise UpstreamError(f"the upstream {self.url} could not be reached: {exc or type(exc).__name__}") from None
        try:
            raw = response.headers.raw
            received = [(name.decode("latin-1").lower(), value.decode("latin-1")) for name, value in raw]
            yield UpstreamReply(response.status_code, received, _chunks(response))
        finally:
            await response.aclose()

    @property
    def is_open(self) -> bool:
        """Whether an HTTP client (and the connections it pools) is open; the next request opens one if not."""
        return self._client is not None

    async def aclose(self) -> None:
        """Closes the HTTP client and its connections, on the loop that opened it."""
        client, self._client, self._client_loop = self._client, None, None
        with _OPEN_LOCK:
            _OPEN.discard(self)
        if client is not None:
            await client.aclose()


# The upstreams with an open client, each to be closed by the server serving on the loop that opened it.
_OPEN: weakref.WeakSet[Upstream] = weakref.WeakSet()
_OPEN_LOCK = threading.Lock()  # stubs in other threads open clients of their own meanwhile


async def close_clients_of_this_loop() -> None:
    """Closes every upstream client opened on the running loop: a server's last step, whoever set its relay (the
    stub as constructed, or the pytest plugin for one test)."""
    loop = asyncio.get_running_loop()
    with _OPEN_LOCK:
        opened_here = [upstream for upstream in _OPEN if upstream._client_loop is loop]
    for upstream in opened_here:
        try:
            await upstream.aclose()
        except Exception as exc:  # the server is stopping: a connection that fails to close is still let go
            _log.warning("the upstream %s's client did not close cleanly: %s", upstream.url, exc)


async def _chunks(response: Any) -> AsyncIterator[bytes]:
    import httpx

    try:
        async for chunk in response.aiter_raw():
            if chunk:
                yield chunk
    except httpx.HTTPError as exc:
        raise UpstreamError(f"the upstream's reply broke off: {exc or type(exc).__name__}") from None
