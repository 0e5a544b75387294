"""Lets responses in flight finish after a client's GOAWAY, as HTTP/2 allows (RFC 9113, section 6.8).

The AWS SDK for JavaScript's HTTP/2 handler sends GOAWAY(NO_ERROR) as soon as the response headers of an
isolated-session request arrive (every Bedrock Runtime call: the client disables concurrent streams), then goes on
reading the body. On any received GOAWAY, h2 4.4 moves its connection to CLOSED and drops its outbound buffer, and
Hypercorn 0.18 closes the connection, so a reply longer than one flow-control window (64 KiB) was cut off mid-body.

Here a client's NO_ERROR GOAWAY only tells the server that no new stream will come: the responses in flight go on,
and the client closes the connection once it has read them. Any other GOAWAY keeps the libraries' behaviour.
"""

from __future__ import annotations

import functools
from typing import Any

import h2.connection
import h2.errors
import h2.events
from hypercorn.protocol.h2 import H2Protocol


@functools.cache
def install() -> None:
    """Patches h2's and Hypercorn's GOAWAY handling once per process (both are pinned in pyproject.toml)."""
    receive_goaway = h2.connection.H2Connection._receive_goaway_frame
    handle_events = H2Protocol._handle_events

    def _receive_goaway_frame(self: h2.connection.H2Connection, frame: Any) -> tuple[list[Any], list[Any]]:
        if self.config.client_side or frame.error_code != h2.errors.ErrorCodes.NO_ERROR:
            return receive_goaway(self, frame)
        event = h2.events.ConnectionTerminated()
        event.error_code = h2.errors.ErrorCodes.NO_ERROR
        event.last_stream_id = frame.last_stream_id
        event.additional_data = frame.additional_data or None
        return [], [event]

    async def _handle_events(self: H2Protocol, events: list[h2.events.Event]) -> None:
        graceful = [
            event
            for event in events
            if isinstance(event, h2.events.ConnectionTerminated)
            and event.error_code == h2.errors.ErrorCodes.NO_ERROR
            and self.streams
        ]
        await handle_events(self, [event for event in events if event not in graceful])

    h2.connection.H2Connection._receive_goaway_frame = _receive_goaway_frame  # type: ignore[method-assign]
    H2Protocol._handle_events = _handle_events  # type: ignore[method-assign]
