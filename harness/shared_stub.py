"""What every run of one nox process shares: its id, its reply, and (for callers that want one) a stub started on
first use and stopped when the process exits."""

from __future__ import annotations

import atexit
import os
import time

from .stub import Stub, default_reply

_stub: Stub | None = None
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


def shared_stub() -> Stub:
    """One stub for the whole process, answering `run_reply()`."""
    global _stub
    if _stub is None:
        _stub = Stub(reply=run_reply(), strict=strict_stub()).start()
        atexit.register(_stub.stop)
    return _stub
