"""The Open-Meteo forecast API, served on loopback for the samples whose weather tool calls it.

The tool-use samples fetch `https://api.open-meteo.com/v1/forecast` with their own HTTP clients (requests in
Python, reqwest in Rust). They are run unchanged: each client's standard settings lead it here instead. Both send
an HTTPS request through the proxy named by `HTTPS_PROXY` (an HTTP CONNECT tunnel), and both trust the CA bundle
named by the usual variable (`REQUESTS_CA_BUNDLE` for requests; `SSL_CERT_FILE`, read by OpenSSL, under reqwest's
default native-tls backend). This module is that proxy: it accepts a tunnel to the API's host only, ends the TLS
inside it with a certificate for that host from a CA of its own (trustme), and answers with h11 as the API does.
No request ever leaves the machine: any other host is refused (403), a request h11 cannot read gets a 4xx, and
every read of a client is bounded in time.

The answer has the shape Open-Meteo documents for `current_weather=true` (https://open-meteo.com/en/docs: the
request's coordinates, `generationtime_ms`, `utc_offset_seconds`, `timezone`, `timezone_abbreviation`,
`elevation`, `current_weather_units` and `current_weather` with `time`, `interval`, `temperature`, `windspeed`,
`winddirection`, `is_day` and `weathercode`); a coordinate that is missing or out of range gets the API's HTTP 400
with `{"error": true, "reason": ...}`. `generationtime_ms` carries a nonce drawn when the service starts, so a
test can find this service's answer wherever a sample forwards it.
"""

from __future__ import annotations

import asyncio
import atexit
import contextlib
import json
import os
import secrets
import shutil
import ssl
import sys
import tempfile
import threading
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import TypeVar
from urllib.parse import parse_qs, urlsplit

import h11
import trustme

HOST = "api.open-meteo.com"
FORECAST_PATH = "/v1/forecast"
# Every read of a client is bounded, so that a client that stalls cannot hold a connection open forever.
READ_TIMEOUT_SECONDS = 30.0
_MAX_REQUEST_BYTES = 64 * 1024
_Event = TypeVar("_Event")


@dataclass(frozen=True)
class WeatherRequest:
    """A forecast request the service answered: its query's parameters and the status it got."""

    path: str
    query: dict[str, str]
    status: int


def _coordinate(query: dict[str, str], name: str, limit: float) -> tuple[float | None, str | None]:
    raw = query.get(name)
    if raw is None:
        return None, f"Parameter '{name}' is required."
    try:
        value = float(raw)
    except ValueError:
        return None, f"Cannot initialize Float from invalid String value {raw} for key {name}"
    if not -limit <= value <= limit:
        return None, f"{name.capitalize()} must be in range of -{limit:g} to {limit:g}°. Given: {value}."
    return value, None


class WeatherService:
    """A CONNECT proxy on 127.0.0.1 for the forecast API's host, answering it locally over TLS."""

    def __init__(self, folder: Path) -> None:
        self.nonce = f"0.{secrets.randbelow(10**9):09d}7"
        self._ca = trustme.CA()
        folder.mkdir(parents=True, exist_ok=True)
        self.ca_file = folder / "weather-ca.pem"
        self._ca.cert_pem.write_to_path(str(self.ca_file))
        self._tls = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        self._ca.issue_cert(HOST).configure_cert(self._tls)
        self._tls.set_alpn_protocols(["http/1.1"])
        self._lock = threading.Lock()
        self._requests: list[WeatherRequest] = []
        self._bundles: dict[tuple[str, ...], Path] = {}
        self._loop = asyncio.new_event_loop()
        self._server: asyncio.Server | None = None
        self._thread = threading.Thread(target=self._loop.run_forever, name="weather-service", daemon=True)
        self.port = 0

    def start(self) -> WeatherService:
        self._thread.start()
        started = asyncio.run_coroutine_threadsafe(
            asyncio.start_server(self._connection, "127.0.0.1", 0), self._loop
        ).result(timeout=30)
        self._server = started
        self.port = started.sockets[0].getsockname()[1]
        return self

    def stop(self) -> None:
        if self._server is not None:
            server = self._server

            async def close() -> None:
                server.close()
                current = asyncio.current_task()
                for task in asyncio.all_tasks():
                    if task is not current:
                        task.cancel()
                await server.wait_closed()

            asyncio.run_coroutine_threadsafe(close(), self._loop).result(timeout=30)
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(timeout=30)

    @property
    def proxy_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def environment(self, base: Mapping[str, str]) -> dict[str, str]:
        """The variables that lead requests and reqwest here, and make them trust this service's CA; a CA bundle
        the environment already names stays trusted too (a bundle of both is written beside this one)."""
        earlier = tuple(dict.fromkeys(base[name] for name in ("SSL_CERT_FILE", "REQUESTS_CA_BUNDLE") if base.get(name)))
        trusted = self._bundle_with(earlier) if earlier else self.ca_file
        return {
            "HTTPS_PROXY": self.proxy_url,
            "https_proxy": self.proxy_url,
            "REQUESTS_CA_BUNDLE": str(trusted),
            "SSL_CERT_FILE": str(trusted),
        }

    def _bundle_with(self, earlier: tuple[str, ...]) -> Path:
        """This CA and the earlier bundles in one file, written once (whole, then renamed into place) for each set
        of earlier bundles, as runs on other threads may read it meanwhile."""
        with self._lock:
            bundle = self._bundles.get(earlier)
            if bundle is None:
                bundle = self.ca_file.with_name(f"weather-ca-and-earlier-{len(self._bundles)}.pem")
                pems = [self.ca_file.read_text(encoding="ascii")]
                for path in earlier:
                    # A bundle the environment names but that cannot be read trusts nothing anyway.
                    with contextlib.suppress(OSError):
                        pems.append(Path(path).read_text(encoding="utf-8", errors="replace"))
                partial = bundle.with_suffix(".partial")
                partial.write_text("\n".join(pems), encoding="utf-8")
                os.replace(partial, bundle)
                self._bundles[earlier] = bundle
            return bundle

    def requests_seen(self) -> list[WeatherRequest]:
        with self._lock:
            return list(self._requests)

    def answer(self, target: str) -> tuple[int, dict[str, object]]:
        """The API's status and JSON body for a request target (path and query)."""
        parts = urlsplit(target)
        query = {name: values[-1] for name, values in parse_qs(parts.query).items()}
        status, body = self._forecast(parts.path, query)
        with self._lock:
            self._requests.append(WeatherRequest(parts.path, query, status))
        return status, body

    def _forecast(self, path: str, query: dict[str, str]) -> tuple[int, dict[str, object]]:
        if path != FORECAST_PATH:
            return 404, {"error": True, "reason": "Not Found"}
        latitude, problem = _coordinate(query, "latitude", 90)
        if problem is None:
            longitude, problem = _coordinate(query, "longitude", 180)
        if problem is not None or latitude is None or longitude is None:
            return 400, {"error": True, "reason": problem}
        now = datetime.now(timezone.utc)
        body: dict[str, object] = {
            "latitude": latitude,
            "longitude": longitude,
            "generationtime_ms": float(self.nonce),
            "utc_offset_seconds": 0,
            "timezone": "GMT",
            "timezone_abbreviation": "GMT",
            "elevation": 38.0,
        }
        if query.get("current_weather") in ("true", "True"):
            body["current_weather_units"] = {
                "time": "iso8601",
                "interval": "seconds",
                "temperature": "°C",
                "windspeed": "km/h",
                "winddirection": "°",
                "is_day": "",
                "weathercode": "wmo code",
            }
            body["current_weather"] = {
                "time": now.replace(minute=now.minute - now.minute % 15).strftime("%Y-%m-%dT%H:%M"),
                "interval": 900,
                "temperature": 12.4,
                "windspeed": 9.7,
                "winddirection": 248,
                "is_day": 1,
                "weathercode": 3,
            }
        return 200, body

    async def _connection(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            if await self._accept_tunnel(reader, writer):
                writer = await _start_tls(reader, writer, self._tls)
                await self._serve(reader, writer)
        except _Malformed as malformed:
            # A request h11 cannot read gets the status it suggests (400, or 431 for an oversized head).
            with contextlib.suppress(OSError, ssl.SSLError, h11.ProtocolError):
                await _respond(writer, malformed.connection, malformed.status, b"Malformed request.\n")
        except (OSError, ssl.SSLError, h11.ProtocolError, asyncio.TimeoutError, asyncio.CancelledError):
            pass  # the client went away or spoke nonsense; its connection just ends
        finally:
            writer.close()
            with contextlib.suppress(OSError, ssl.SSLError):
                await writer.wait_closed()

    async def _accept_tunnel(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> bool:
        """Answers the proxy request: a tunnel to the API's host is accepted, anything else refused."""
        proxy = h11.Connection(h11.SERVER, max_incomplete_event_size=_MAX_REQUEST_BYTES)
        request = await _next(proxy, reader, h11.Request)
        if request is None:
            return False
        if request.method != b"CONNECT" or request.target.decode("ascii", "replace") != f"{HOST}:443":
            # Only the API's host is served; nothing is forwarded anywhere.
            await _respond(writer, proxy, 403, b"This proxy serves " + HOST.encode() + b":443 only.\n")
            return False
        writer.write(proxy.send(h11.Response(status_code=200, headers=[], reason=b"Connection established")))
        await writer.drain()
        return True

    async def _serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        """Answers the requests inside the tunnel, one after another on the kept-alive connection."""
        inner = h11.Connection(h11.SERVER, max_incomplete_event_size=_MAX_REQUEST_BYTES)
        while True:
            asked = await _next(inner, reader, h11.Request)
            if asked is None:
                return
            if await _next(inner, reader, h11.EndOfMessage) is None:
                return
            status, body = self.answer(asked.target.decode("ascii", "replace"))
            answer = json.dumps(body, ensure_ascii=False).encode("utf-8")
            await _respond(writer, inner, status, answer, b"application/json; charset=utf-8")
            if inner.our_state is not h11.DONE or inner.their_state is not h11.DONE:
                return
            inner.start_next_cycle()


async def _start_tls(
    reader: asyncio.StreamReader, writer: asyncio.StreamWriter, context: ssl.SSLContext
) -> asyncio.StreamWriter:
    """Ends TLS on the tunnel: the reader then gets the plain text, and the returned writer encrypts."""
    if sys.version_info >= (3, 11):
        await writer.start_tls(context, ssl_handshake_timeout=READ_TIMEOUT_SECONDS)
        return writer
    # Python 3.10 has no StreamWriter.start_tls: the same, through the event loop.
    loop = asyncio.get_running_loop()
    protocol = writer.transport.get_protocol()
    transport = await loop.start_tls(
        writer.transport, protocol, context, server_side=True, ssl_handshake_timeout=READ_TIMEOUT_SECONDS
    )
    if transport is None:
        raise ConnectionError("the client left during the TLS handshake")
    return asyncio.StreamWriter(transport, protocol, reader, loop)


class _Malformed(Exception):
    """A request that cannot be read, with the connection to answer it on and the status to answer."""

    def __init__(self, connection: h11.Connection, status: int) -> None:
        super().__init__(status)
        self.connection = connection
        self.status = status


async def _next(connection: h11.Connection, reader: asyncio.StreamReader, wanted: type[_Event]) -> _Event | None:
    """The next event of the wanted kind (skipping request body data), or None when the client is done."""
    while True:
        try:
            event = connection.next_event()
        except h11.RemoteProtocolError as error:
            raise _Malformed(connection, error.error_status_hint) from error
        if event is h11.NEED_DATA:
            data = await asyncio.wait_for(reader.read(65536), READ_TIMEOUT_SECONDS)
            connection.receive_data(data)
            continue
        if isinstance(event, wanted):
            return event
        if isinstance(event, h11.Data):
            continue
        return None


async def _respond(
    writer: asyncio.StreamWriter,
    connection: h11.Connection,
    status: int,
    body: bytes,
    content_type: bytes = b"text/plain; charset=utf-8",
) -> None:
    headers = [(b"content-type", content_type), (b"content-length", str(len(body)).encode("ascii"))]
    writer.write(connection.send(h11.Response(status_code=status, headers=headers)))
    writer.write(connection.send(h11.Data(data=body)))
    writer.write(connection.send(h11.EndOfMessage()))
    await writer.drain()


_SERVICE: WeatherService | None = None
_SERVICE_LOCK = threading.Lock()


def weather_service() -> WeatherService:
    """The one service of this process, started on first use (every tool-using run shares it); its CA lives in a
    folder of its own, so that processes running side by side keep theirs apart."""
    global _SERVICE
    with _SERVICE_LOCK:
        if _SERVICE is None:
            folder = Path(tempfile.mkdtemp(prefix="mirror-weather-"))
            atexit.register(shutil.rmtree, folder, ignore_errors=True)
            _SERVICE = WeatherService(folder).start()
        return _SERVICE
