"""The request journal: one record per request, readable in-process and appended to a JSON-lines file."""

from __future__ import annotations

import contextlib
import itertools
import json
import logging
import threading
from collections import deque
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from .sigv4 import AuthScheme

# Bodies are kept whole up to this size; beyond it the journal keeps the start and says so.
BODY_KEEP_BYTES = 256 * 1024


@dataclass
class JournalEntry:
    seq: int
    time: str
    http_version: str
    method: str
    path: str
    operation: str | None
    model_id: str | None
    headers: list[tuple[str, str]]
    body: str | None
    body_bytes: int
    body_truncated: bool
    signature: str
    status: int
    error_type: str | None = None
    error_message: str | None = None
    reply_text: str | None = None
    findings: list[str] = field(default_factory=list)
    latency_ms: float = 0.0
    request_id: str = ""
    # How the request authenticated (`sigv4.AuthScheme`); "none" until its signature or key was checked.
    auth_scheme: AuthScheme = "none"
    # The recording that answered (replay), or that the exchange was written to (record).
    recording: str | None = None

    def header(self, name: str) -> str | None:
        for header_name, value in self.headers:
            if header_name == name.lower():
                return value
        return None

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def body_for_journal(body: bytes) -> tuple[str | None, bool]:
    kept = body[:BODY_KEEP_BYTES]
    try:
        return kept.decode("utf-8"), len(body) > BODY_KEEP_BYTES
    except UnicodeDecodeError:
        return None, len(body) > BODY_KEEP_BYTES


class Journal:
    """Every request in order; with a `window`, memory keeps only the latest that many (the file keeps all).

    `seq` numbers and marks count every request ever recorded, so they stay valid as old entries leave the window.
    """

    def __init__(self, path: Path | None = None, window: int | None = None) -> None:
        if window is not None and window < 1:
            raise ValueError("the journal window must be at least 1 entry")
        self.window = window
        self._entries: deque[JournalEntry] = deque(maxlen=window)
        self._recorded = 0
        self._lock = threading.Lock()
        # A lone surrogate (from a request's JSON escapes) is written as its `\\udxxx` escape, still valid JSON.
        self._file = path.open("a", encoding="utf-8", errors="backslashreplace") if path else None
        self._path = path

    def record(self, entry: JournalEntry) -> None:
        with self._lock:
            self._recorded += 1
            entry.seq = self._recorded
            self._entries.append(entry)
            if self._file:
                try:
                    self._file.write(json.dumps(entry.to_dict(), ensure_ascii=False) + "\n")
                    self._file.flush()
                except (OSError, ValueError, TypeError) as exc:
                    # The request is answered regardless; say so once and keep the in-memory journal.
                    logging.getLogger("bedrock_stub").error("journal %s: writing stopped: %s", self._path, exc)
                    self._file = None

    def mark(self) -> int:
        """A position to read new entries from later (see `since`)."""
        with self._lock:
            return self._recorded

    def since(self, mark: int) -> list[JournalEntry]:
        """Entries recorded after `mark`, as far as the window still holds them."""
        with self._lock:
            dropped = self._recorded - len(self._entries)
            start = max(0, mark - dropped)
            return list(itertools.islice(self._entries, start, None))

    def entries(self) -> list[JournalEntry]:
        return self.since(0)

    def close(self) -> None:
        if self._file:
            with contextlib.suppress(OSError):
                self._file.close()
            self._file = None
