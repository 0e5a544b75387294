"""The requests the benchmark sends: one signed body per operation, and how to find the text in each reply."""

from __future__ import annotations

import json
import logging
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from bedrock_stub import CONVERSE, CONVERSE_STREAM, INVOKE_MODEL, INVOKE_MODEL_STREAM, OPERATIONS

MODEL_PATH = "/model/anthropic.claude-3-haiku-20240307-v1%3A0/"
PROMPT = "Describe a 'hello world' program in one line."
INVOKE_BODY = json.dumps(
    {
        "anthropic_version": "bedrock-2023-05-31",
        "max_tokens": 512,
        "messages": [{"role": "user", "content": PROMPT}],
    }
).encode()
CONVERSE_BODY = json.dumps(
    {"messages": [{"role": "user", "content": [{"text": PROMPT}]}], "inferenceConfig": {"maxTokens": 512}}
).encode()
EVENT_STREAM = "application/vnd.amazon.eventstream"

# botocore logs each canonical request at DEBUG, which nox turns on: one signature a server and shape is noise there.
logging.getLogger("botocore.auth").setLevel(logging.WARNING)


def _messages_text(reply: dict[str, Any]) -> str:
    return "".join(block.get("text", "") for block in reply.get("content") or [] if isinstance(block, dict))


def _converse_text(reply: dict[str, Any]) -> str:
    content = ((reply.get("output") or {}).get("message") or {}).get("content") or []
    return "".join(block.get("text", "") for block in content if isinstance(block, dict))


@dataclass(frozen=True)
class Shape:
    """One operation as the benchmark calls it: its path, its body and, for a plain reply, where the text is."""

    operation: str
    body: bytes
    text_of: Callable[[dict[str, Any]], str] | None = None

    @property
    def segment(self) -> str:
        return OPERATIONS[self.operation].segment

    @property
    def path(self) -> str:
        return MODEL_PATH + self.segment

    @property
    def streams(self) -> bool:
        return OPERATIONS[self.operation].streams


# Loaded with h2load for throughput.
PLAIN = (Shape(INVOKE_MODEL, INVOKE_BODY, _messages_text), Shape(CONVERSE, CONVERSE_BODY, _converse_text))
# Timed to their first and last event.
STREAMED = (Shape(INVOKE_MODEL_STREAM, INVOKE_BODY), Shape(CONVERSE_STREAM, CONVERSE_BODY))
SHAPES = PLAIN + STREAMED


def signed_headers(url: str, shape: Shape) -> dict[str, str]:
    """Headers of a request signed as an SDK signs it, with the stub's default credentials, for this server."""
    import botocore.auth
    import botocore.awsrequest
    import botocore.credentials
    from bedrock_stub import EXAMPLE_ACCESS_KEY_ID, EXAMPLE_SECRET_ACCESS_KEY

    request = botocore.awsrequest.AWSRequest(
        method="POST", url=url + shape.path, data=shape.body, headers={"Content-Type": "application/json"}
    )
    botocore.auth.SigV4Auth(
        botocore.credentials.Credentials(EXAMPLE_ACCESS_KEY_ID, EXAMPLE_SECRET_ACCESS_KEY), "bedrock", "us-east-1"
    ).add_auth(request)
    return dict(request.headers.items())
