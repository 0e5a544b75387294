"""`python -m bedrock_mirror.bench.bare_starlette`: `bare_app`'s fixed replies, from a Starlette app on Hypercorn.

This is the reference the stub's throughput target is set against: a plain web app as one would first write it
(a framework, a route, a request read, a response built), on the same Hypercorn configuration, interpreter and
event loop as the stub. Standard input and `--tls` are as `bare_app` reads them.
"""

from __future__ import annotations

from typing import cast

from bedrock_stub import event_loop
from hypercorn.typing import ASGIFramework
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from .bare_app import read_replies, serve_app, wants_tls


def make_app(replies: dict[str, tuple[str, bytes]]) -> Starlette:
    fallback = next(iter(replies.values()))

    async def answer(request: Request) -> Response:
        await request.body()
        content_type, body = replies.get(request.path_params["operation"], fallback)
        return Response(body, media_type=content_type)

    return Starlette(routes=[Route("/model/{model_id}/{operation}", answer, methods=["POST"])])


if __name__ == "__main__":
    # Starlette types ASGI messages as mappings, Hypercorn as TypedDicts: the same protocol, two spellings.
    event_loop.run(serve_app(cast(ASGIFramework, make_app(read_replies())), tls=wants_tls()))
