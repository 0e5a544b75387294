"""Lets responses in flight finish after a client's GOAWAY, as HTTP/2 allows (RFC 9113, section 6.8).

The AWS SDK for JavaScript's HTTP/2 handler sends GOAWAY(NO_ERROR) as soon as the response headers of an
isolated-session request arrive (every Bedrock Runtime call: the client disables concurrent streams), then goes on
reading the body. On any received GOAWAY, h2 4 moves its connection to CLOSED and drops its outbound buffer, and
Hypercorn closes the connection, so a reply longer than one flow-control window (64 KiB) was cut off mid-body.

Here a client's NO_ERROR GOAWAY only tells the server that no new stream will come: the responses in flight go on,
and the client closes the connection once it has read them. Any other GOAWAY keeps the libraries' behaviour. Only
the stub's own connections (`transport.StubH2Protocol`) use this class; h2 itself is left as it is.
"""

from __future__ import annotations

from typing import Any

import h2.connection
import h2.errors
import h2.events


class GracefulH2Connection(h2.connection.H2Connection):
    """A server-side h2 connection that keeps serving its open streams after a client's GOAWAY(NO_ERROR)."""

    def _receive_goaway_frame(self, frame: Any) -> tuple[list[Any], list[Any]]:
        if self.config.client_side or frame.error_code != h2.errors.ErrorCodes.NO_ERROR:
            return super()._receive_goaway_frame(frame)
        event = h2.events.ConnectionTerminated()
        event.error_code = h2.errors.ErrorCodes.NO_ERROR
        event.last_stream_id = frame.last_stream_id
        event.additional_data = frame.additional_data or None
        return [], [event]


def without_graceful_goaway(events: list[h2.events.Event], streams_open: bool) -> list[h2.events.Event]:
    """The events to act on: a NO_ERROR GOAWAY does not close the connection while streams are open."""
    if not streams_open:
        return events
    return [
        event
        for event in events
        if not (isinstance(event, h2.events.ConnectionTerminated) and event.error_code == h2.errors.ErrorCodes.NO_ERROR)
    ]
