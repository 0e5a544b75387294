"""The servers the benchmark loads, each in a process of its own, and the checks that they answer a request shape."""

from __future__ import annotations

import http.client
import json
import os
import selectors
import signal
import socket
import ssl
import statistics
import subprocess
import sys
import time
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from ..registry import ROOT
from .load import LoadError, drive
from .shapes import EVENT_STREAM, Shape

# The stub as the bench starts it. Its own work is measured, so its deliberate wait before a streamed reply's head
# (which keeps the Go SDK's request-body race from firing on loopback) is switched off.
STUB_COMMAND = (sys.executable, "-m", "bedrock_stub", "--port", "0", "--stream-head-delay", "0")
# Servers that take it (the stub, the bare apps) serve HTTPS with it, from a CA made at their start.
TLS_OPTION = "--tls"


class ServerError(RuntimeError):
    """A server that did not start, or stopped answering."""


def free_port() -> int:
    """A loopback port free now, for servers that cannot be told to pick one and say which."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class Server:
    """A server process of its own (so that it does not share a GIL with the load generator), in its own group.

    Its URL is either the first line starting with `http://` or `https://` on its standard output, or, when `port`
    is given, `http://127.0.0.1:<port>` once that port accepts connections. Output other than the URL goes to `log`.
    """

    def __init__(
        self,
        name: str,
        command: list[str],
        *,
        stdin: bytes = b"",
        env: dict[str, str] | None = None,
        port: int | None = None,
        log: Path | None = None,
        ready_timeout: float = 60.0,
    ) -> None:
        self.name = name
        self.log = log
        log_file = open(log, "wb") if log is not None else subprocess.DEVNULL  # noqa: SIM115 (closed in stop)
        self._log_file = log_file
        try:
            self.process = subprocess.Popen(
                command,
                stdin=subprocess.PIPE,
                stdout=subprocess.PIPE if port is None else log_file,
                stderr=log_file,
                cwd=ROOT,
                env=env,
                start_new_session=True,
            )
        except OSError as exc:
            self._close_log()
            raise ServerError(f"{name} did not start: {exc.strerror or exc}") from None
        assert self.process.stdin is not None
        self.process.stdin.write(stdin)
        self.process.stdin.close()
        try:
            self.url = self._announced_url(ready_timeout) if port is None else self._await_port(port, ready_timeout)
        except ServerError:
            self.stop()
            raise

    def _announced_url(self, timeout: float) -> str:
        assert self.process.stdout is not None
        descriptor = self.process.stdout.fileno()
        deadline = time.monotonic() + timeout
        seen = b""
        with selectors.DefaultSelector() as selector:
            selector.register(descriptor, selectors.EVENT_READ)
            # Raw reads, not readline: a buffered reader could hold the URL while select() waits for more.
            while time.monotonic() < deadline and selector.select(timeout=max(0.0, deadline - time.monotonic())):
                chunk = os.read(descriptor, 4096)
                if not chunk:
                    self.process.wait(timeout=5)
                    raise ServerError(f"{self.name} exited with status {self.process.returncode} before serving")
                seen += chunk
                for line in seen.decode(errors="replace").splitlines(keepends=True):
                    if line.startswith(("http://", "https://")) and line.endswith("\n"):
                        return line.strip()
        raise ServerError(f"{self.name} printed no URL within {timeout:.0f} s")

    def _await_port(self, port: int, timeout: float) -> str:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise ServerError(
                    f"{self.name} exited with status {self.process.returncode} before serving{self._log_tail()}"
                )
            with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
                if probe.connect_ex(("127.0.0.1", port)) == 0:
                    return f"http://127.0.0.1:{port}"
            time.sleep(0.2)
        raise ServerError(f"{self.name} did not listen on 127.0.0.1:{port} within {timeout:.0f} s{self._log_tail()}")

    def _log_tail(self) -> str:
        if self.log is None or not self.log.exists():
            return ""
        lines = self.log.read_text(errors="replace").strip().splitlines()
        return f" (last output: {lines[-1][:200]})" if lines else ""

    def _close_log(self) -> None:
        if not isinstance(self._log_file, int):
            self._log_file.close()

    def stop(self, signum: int = signal.SIGTERM) -> None:
        """Signals the server's process group and waits for it; kills the group if it lingers."""
        stop_group(self.process, signum)
        self._close_log()


def _connection(url: str, timeout: float = 10.0) -> http.client.HTTPConnection:
    parts = urlsplit(url)
    if parts.scheme == "https":
        # A loopback server's certificate from a CA made at its start: the bench measures, it does not authenticate.
        unverified = ssl.create_default_context()
        unverified.check_hostname = False
        unverified.verify_mode = ssl.CERT_NONE
        return http.client.HTTPSConnection(
            parts.hostname or "127.0.0.1", parts.port, timeout=timeout, context=unverified
        )
    return http.client.HTTPConnection(parts.hostname or "127.0.0.1", parts.port, timeout=timeout)


def fetch(url: str, shape: Shape, headers: dict[str, str]) -> tuple[int, str, bytes]:
    """One request over HTTP/1.1: status, content type and body."""
    connection = _connection(url)
    try:
        connection.request("POST", shape.path, body=shape.body, headers=headers)
        response = connection.getresponse()
        return response.status, response.getheader("content-type") or "", response.read()
    finally:
        connection.close()


def _describe(status: int, body: bytes) -> str:
    head = body[:80].decode("utf-8", "replace").replace("\n", " ").replace("|", "/").strip()
    return f"HTTP {status}" + (f" `{head}`" if head else "")


def answers(url: str, shape: Shape, headers: dict[str, str]) -> tuple[bytes | None, str | None, str]:
    """Whether a server answers `shape` over HTTP/1.1 as Bedrock would: (body or None, why not, a note)."""
    try:
        status, content_type, body = fetch(url, shape, headers)
    except (OSError, http.client.HTTPException) as exc:
        return None, f"no answer over HTTP/1.1 ({exc.__class__.__name__}: {exc})", ""
    if status != 200:
        return None, f"no {shape.operation}: {_describe(status, body)}", ""
    if shape.streams:
        if not content_type.startswith(EVENT_STREAM):
            return None, f"no {shape.operation}: answers {content_type or 'no content type'}, not an event stream", ""
        return body, None, ""
    try:
        text = shape.text_of(json.loads(body)) if shape.text_of else ""
    except (ValueError, AttributeError, TypeError):
        return None, f"no {shape.operation}: the reply is not JSON ({_describe(status, body)})", ""
    return body, None, "" if text else f"{shape.operation} answers 200 with no text ({_describe(status, body)})"


def answers_h2c(url: str, shape: Shape, headers: dict[str, str]) -> str | None:
    """Why a server cannot answer `shape` over cleartext HTTP/2 (prior knowledge, as h2load speaks it), or None."""
    try:
        result = drive(url, shape.path, shape.body, headers, http2=True, clients=1, requests=1, timeout=30)
    except LoadError as exc:
        return f"no h2c: {exc}"
    return None if result.succeeded == 1 else "no h2c: the request got no 2xx over cleartext HTTP/2"


def stream_times(url: str, shape: Shape, headers: dict[str, str], count: int) -> tuple[list[float], list[float]]:
    """Seconds to the first and to the last byte of `count` streamed replies, one after another on one connection."""
    first, last = [], []
    connection = _connection(url)
    try:
        for _ in range(count):
            started = time.perf_counter()
            connection.request("POST", shape.path, body=shape.body, headers=headers)
            response = connection.getresponse()
            if response.status != 200:
                raise ServerError(f"{shape.operation}: HTTP {response.status}")
            if not response.read1(65536):
                raise ServerError(f"{shape.operation}: an empty stream")
            first.append(time.perf_counter() - started)
            while response.read1(65536):
                pass
            last.append(time.perf_counter() - started)
            response.read()  # marks a Content-Length reply finished, so that the connection takes the next request
    except (OSError, http.client.HTTPException) as exc:
        raise ServerError(f"{shape.operation}: {exc.__class__.__name__}: {exc}") from None
    finally:
        connection.close()
    return first, last


def median_ms(values: list[float]) -> float:
    return round(statistics.median(values) * 1000, 2)


def stop_group(process: subprocess.Popen[Any], signum: int = signal.SIGTERM) -> None:
    """Signals a server's process group and waits for it, killing the group if it lingers; closes its output."""
    if process.poll() is None:
        try:
            os.killpg(process.pid, signum)
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait(timeout=15)
        except ProcessLookupError:
            pass
    if process.stdout is not None:
        process.stdout.close()
