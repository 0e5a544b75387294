"""One stub for a whole nox run, started on first use and stopped when the process exits."""

from __future__ import annotations

import atexit
import os
import time

from .stub import Stub

_stub: Stub | None = None
RUN_ID = os.environ.get("MIRROR_RUN_ID") or time.strftime("%Y%m%dT%H%M%S") + f"-{os.getpid()}"


def shared_stub() -> Stub:
    """The run's stub; MIRROR_STRICT_STUB=1 makes it reject what real Bedrock's documented rules reject."""
    global _stub
    if _stub is None:
        _stub = Stub(strict=os.environ.get("MIRROR_STRICT_STUB") == "1").start()
        atexit.register(_stub.stop)
    return _stub
