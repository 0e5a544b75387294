"""Errors injected into the stub's replies, for every request or for the next N.

Which errors an operation may answer with, and which of them can arrive inside its event stream, comes from the
operation table (`operations.py`, held equal to botocore's service model).
"""

from __future__ import annotations

import threading
from dataclasses import dataclass

from .errors import MODELED_ERRORS, BedrockError, ModeledErrorName, StreamErrorMember
from .operations import (
    CONVERSE,
    CONVERSE_STREAM,
    COUNT_TOKENS,
    INVOKE_MODEL,
    INVOKE_MODEL_STREAM,
    OPERATION_NAMES,
    OPERATIONS,
    STREAMING_OPERATIONS,
    ModelOperationName,
    OperationName,
)

__all__ = [
    "CONVERSE",
    "CONVERSE_STREAM",
    "COUNT_TOKENS",
    "INVOKE_MODEL",
    "INVOKE_MODEL_STREAM",
    "OPERATIONS",
    "STREAMING_OPERATIONS",
    "Fault",
    "Faults",
]


@dataclass
class Fault:
    error: ModeledErrorName
    message: str | None = None
    remaining: int | None = None  # None: every matching request
    operation: ModelOperationName | None = None  # None: every operation
    # On a stream operation, an error SDKs know as a stream member arrives as an exception frame after HTTP 200.
    http_on_stream: bool = False

    def to_error(self) -> BedrockError:
        return BedrockError(self.error, self.message)

    def stream_member(self, operation: ModelOperationName) -> StreamErrorMember | None:
        """The exception frame's member name on this operation, or None when the error is an HTTP reply."""
        if self.http_on_stream:
            return None
        return OPERATIONS[operation].stream_member(self.error)


class Faults:
    def __init__(self) -> None:
        self._faults: list[Fault] = []
        self._lock = threading.Lock()

    def inject(
        self,
        error: ModeledErrorName,
        message: str | None = None,
        count: int | None = None,
        operation: ModelOperationName | None = None,
        http_on_stream: bool = False,
    ) -> Fault:
        if error not in MODELED_ERRORS:
            raise ValueError(
                f"{error!r} is not a modeled Bedrock Runtime error; choose one of: {', '.join(MODELED_ERRORS)}"
            )
        if operation is not None:
            if operation not in OPERATIONS:
                raise ValueError(f"unknown operation {operation!r}; choose one of: {', '.join(OPERATION_NAMES)}")
            chosen = OPERATIONS[operation]
            if error not in chosen.errors and chosen.stream_member(error) is None:
                raise ValueError(f"{operation} does not answer {error}; its modeled errors: {', '.join(chosen.errors)}")
        if count is not None and count < 1:
            raise ValueError("count must be at least 1")
        fault = Fault(error, message, count, operation, http_on_stream)
        with self._lock:
            self._faults.append(fault)
        return fault

    def clear(self) -> None:
        with self._lock:
            self._faults.clear()

    def take(self, operation: OperationName) -> Fault | None:
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
