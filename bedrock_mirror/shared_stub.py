"""What every run of one nox process shares: its id, its reply, and whether the plain scenario's stub is strict."""

from __future__ import annotations

import os
import time

from bedrock_stub import default_reply

_reply: str | None = None
RUN_ID = os.environ.get("MIRROR_RUN_ID") or time.strftime("%Y%m%dT%H%M%S") + f"-{os.getpid()}"


def strict_stub() -> bool:
    """MIRROR_STRICT_STUB=1: the plain scenario's stub rejects what real Bedrock's documented rules reject."""
    return os.environ.get("MIRROR_STRICT_STUB") == "1"


def run_reply() -> str:
    """The reply of this process's runs, drawn once: every run answers with it, so the samples' texts compare."""
    global _reply
    if _reply is None:
        _reply = default_reply()
    return _reply
