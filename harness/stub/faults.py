"""Errors injected into the stub's replies, for every request or for the next N."""

from __future__ import annotations

import threading
from dataclasses import dataclass

from .errors import MODELED_ERRORS, BedrockError

INVOKE_MODEL = "InvokeModel"
INVOKE_MODEL_STREAM = "InvokeModelWithResponseStream"
CONVERSE = "Converse"
CONVERSE_STREAM = "ConverseStream"
COUNT_TOKENS = "CountTokens"
OPERATIONS = (INVOKE_MODEL, INVOKE_MODEL_STREAM)
# Operations whose reply is an event stream.
STREAMING_OPERATIONS = frozenset({INVOKE_MODEL_STREAM, CONVERSE_STREAM})


@dataclass
class Fault:
    error: str
    message: str | None = None
    remaining: int | None = None  # None: every matching request
    operation: str | None = None  # None: both operations
    # On the stream operation, an error SDKs know as a stream member arrives as an exception frame after HTTP 200.
    http_on_stream: bool = False

    def to_error(self) -> BedrockError:
        return BedrockError(self.error, self.message)

    @property
    def stream_member(self) -> str | None:
        return None if self.http_on_stream else MODELED_ERRORS[self.error].stream_member


class Faults:
    def __init__(self) -> None:
        self._faults: list[Fault] = []
        self._lock = threading.Lock()

    def inject(
        self,
        error: str,
        message: str | None = None,
        count: int | None = None,
        operation: str | None = None,
        http_on_stream: bool = False,
    ) -> Fault:
        if error not in MODELED_ERRORS:
            raise ValueError(
                f"{error!r} is not a modeled Bedrock Runtime error; choose one of: {', '.join(MODELED_ERRORS)}"
            )
        if operation is not None and operation not in OPERATIONS:
            raise ValueError(f"unknown operation {operation!r}; choose one of: {', '.join(OPERATIONS)}")
        if count is not None and count < 1:
            raise ValueError("count must be at least 1")
        fault = Fault(error, message, count, operation, http_on_stream)
        with self._lock:
            self._faults.append(fault)
        return fault

    def clear(self) -> None:
        with self._lock:
            self._faults.clear()

    def take(self, operation: str) -> Fault | None:
        """The first fault that applies to this request, counting it once."""
        with self._lock:
            for fault in self._faults:
                if fault.operation not in (None, operation):
                    continue
                if fault.remaining is not None:
                    fault.remaining -= 1
                    if fault.remaining == 0:
                        self._faults.remove(fault)
                return fault
        return None
