"""`python -m bedrock_mirror.bench.bare_app`: Hypercorn serving fixed replies, the benchmark's baseline for the stub.

It does what every server must (read the request, answer it) and nothing the stub adds (signature checks,
validation, journal), on the same Hypercorn configuration and event loop, so stub/bare is the stub's own cost.
Standard input is a JSON object: for each last path segment (`invoke`, `converse`, ...), the `content_type` and
base64 `body` to answer with; any other path gets the first of them. `--tls` serves HTTPS instead.
"""

from __future__ import annotations

import asyncio
import base64
import json
import signal
import sys

from bedrock_stub import event_loop
from bedrock_stub.server import hypercorn_config, listening_socket
from bedrock_stub.tls import make_tls_files
from hypercorn.asyncio import serve
from hypercorn.typing import ASGIFramework, ASGIReceiveCallable, ASGISendCallable, HTTPResponseStartEvent, Scope


def make_app(replies: dict[str, tuple[str, bytes]]) -> ASGIFramework:
    answers: dict[str, tuple[list[tuple[bytes, bytes]], bytes]] = {
        segment: ([(b"content-type", content_type.encode()), (b"content-length", str(len(body)).encode())], body)
        for segment, (content_type, body) in replies.items()
    }
    fallback = next(iter(answers.values()))

    async def app(scope: Scope, receive: ASGIReceiveCallable, send: ASGISendCallable) -> None:
        if scope["type"] == "lifespan":
            while (await receive())["type"] != "lifespan.shutdown":
                await send({"type": "lifespan.startup.complete"})
            await send({"type": "lifespan.shutdown.complete"})
            return
        while (await receive()).get("more_body"):
            pass
        headers, body = answers.get(scope["path"].rpartition("/")[2], fallback)
        start: HTTPResponseStartEvent = {
            "type": "http.response.start",
            "status": 200,
            "headers": headers,
            "trailers": False,
        }
        await send(start)
        await send({"type": "http.response.body", "body": body, "more_body": False})

    return app


def encode_replies(replies: dict[str, tuple[str, bytes]]) -> bytes:
    """The standard input the bare app reads."""
    return json.dumps(
        {
            segment: {"content_type": content_type, "body": base64.b64encode(body).decode()}
            for segment, (content_type, body) in replies.items()
        }
    ).encode()


def decode_replies(data: bytes) -> dict[str, tuple[str, bytes]]:
    replies = json.loads(data or b"{}") or {"invoke": {"content_type": "application/json", "body": "e30="}}
    return {segment: (reply["content_type"], base64.b64decode(reply["body"])) for segment, reply in replies.items()}


async def serve_app(app: ASGIFramework, *, tls: bool = False) -> None:
    """Serves `app` on the stub's Hypercorn configuration, on a free loopback port whose URL it prints, until
    signalled; with `tls`, over HTTPS as the stub's `--tls` serves (a CA made now, HTTP/2 and HTTP/1.1 by ALPN)."""
    sock = listening_socket("127.0.0.1", 0)
    config = hypercorn_config(sock)
    files = make_tls_files("127.0.0.1") if tls else None
    if files is not None:
        config.certfile, config.keyfile = str(files.cert_file), str(files.key_file)
    shutdown = asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(signum, shutdown.set)
    print(f"{'https' if tls else 'http'}://127.0.0.1:{sock.getsockname()[1]}", flush=True)
    try:
        await serve(app, config, shutdown_trigger=shutdown.wait)
    finally:
        if files is not None:
            files.remove()


def read_replies() -> dict[str, tuple[str, bytes]]:
    return decode_replies(sys.stdin.buffer.read() if not sys.stdin.isatty() else b"")


def wants_tls() -> bool:
    """`--tls` on the command line: serve HTTPS, as the stub does with the same option."""
    return "--tls" in sys.argv[1:]


if __name__ == "__main__":
    # On the stub's own loop (uvloop where installed), so that stub/bare compares the apps, not the loops.
    event_loop.run(serve_app(make_app(read_replies()), tls=wants_tls()))
