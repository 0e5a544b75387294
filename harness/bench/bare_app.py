"""`python -m harness.bench.bare_app`: Hypercorn serving a fixed reply, the benchmark's baseline for the stub.

It does what every server must (read the request, answer it) and nothing the stub adds (routing, signature
checks, validation, journal), on the same Hypercorn configuration, so stub/bare is the stub's own cost.
"""

from __future__ import annotations

import asyncio
import signal
import sys
from typing import Any

from hypercorn.asyncio import serve

from harness.stub.server import hypercorn_config, listening_socket


def make_app(body: bytes):
    headers = [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode())]

    async def app(scope: dict[str, Any], receive, send) -> None:
        if scope["type"] == "lifespan":
            while (await receive())["type"] != "lifespan.shutdown":
                await send({"type": "lifespan.startup.complete"})
            await send({"type": "lifespan.shutdown.complete"})
            return
        while (await receive()).get("more_body"):
            pass
        await send({"type": "http.response.start", "status": 200, "headers": headers})
        await send({"type": "http.response.body", "body": body})

    return app


async def _serve(body: bytes) -> None:
    sock = listening_socket("127.0.0.1", 0)
    shutdown = asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(signum, shutdown.set)
    print(f"http://127.0.0.1:{sock.getsockname()[1]}", flush=True)
    await serve(make_app(body), hypercorn_config(sock), shutdown_trigger=shutdown.wait)


if __name__ == "__main__":
    asyncio.run(_serve(sys.stdin.buffer.read() if not sys.stdin.isatty() else b"{}"))
