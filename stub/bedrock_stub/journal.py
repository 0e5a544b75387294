"""The request journal: one record per request, readable in-process and appended to a JSON-lines file.

Entries keep no secret: each header that carries a credential is redacted as it is recorded (`redaction.py`).
"""

from __future__ import annotations

import contextlib
import errno
import hashlib
import itertools
import json
import logging
import os
import stat
import threading
from collections import deque
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal, TextIO

from .redaction import redacted_headers

if TYPE_CHECKING:
    from .models import Finding
    from .operations import OperationName
    from .sigv4 import AuthScheme, SignatureStatus

# Bodies are kept whole up to this size; beyond it the journal keeps the start, the full length and a SHA-256.
BODY_KEEP_BYTES = 256 * 1024
# What the in-memory journal may hold, in bytes of the bodies, replies and headers it keeps: beyond it the oldest
# entries leave, whatever the window in entries allows (the file, when there is one, keeps every entry).
DEFAULT_JOURNAL_BYTES = 64 * 1024 * 1024
# More entries than memory could hold even if each were tiny; a larger window is a mistake, refused.
MAX_JOURNAL_WINDOW = 10_000_000
# A kept entry's cost beyond its texts (the record and its fields), counted so that small entries add up too.
_ENTRY_OVERHEAD_BYTES = 1024


@dataclass
class JournalEntry:
    seq: int
    time: str
    http_version: str
    method: str
    path: str
    operation: OperationName | None
    model_id: str | None
    headers: list[tuple[str, str]]
    body: str | None
    body_bytes: int
    body_truncated: bool
    signature: SignatureStatus | Literal["not-checked"]
    status: int
    error_type: str | None = None
    error_message: str | None = None
    reply_text: str | None = None
    findings: list[Finding] = field(default_factory=list)
    latency_ms: float = 0.0
    request_id: str = ""
    # The SHA-256 (hex) of the whole body when the journal kept only its start (`body_truncated`), else None.
    body_sha256: str | None = None
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


def body_for_journal(body: bytes) -> tuple[str | None, bool, str | None]:
    """The body as the journal keeps it: its text (None if not UTF-8), whether it was cut, and the whole body's
    SHA-256 when it was."""
    truncated = len(body) > BODY_KEEP_BYTES
    digest = hashlib.sha256(body).hexdigest() if truncated else None
    try:
        return body[:BODY_KEEP_BYTES].decode("utf-8"), truncated, digest
    except UnicodeDecodeError as exc:
        if truncated and exc.start >= BODY_KEEP_BYTES - 3:
            # The cut fell inside a character: keep the whole characters before it.
            return body[: exc.start].decode("utf-8", "replace"), truncated, digest
        return None, truncated, digest


def entry_bytes(entry: JournalEntry) -> int:
    """About how much memory a kept entry holds: its texts, its headers and a fixed overhead."""
    texts = (entry.body, entry.reply_text, entry.error_message, entry.path)
    size = _ENTRY_OVERHEAD_BYTES + sum(len(text) for text in texts if text)
    # map() over the flattened pairs: a generator's frame per header costs more than the lengths themselves.
    return size + sum(map(len, itertools.chain.from_iterable(entry.headers)))


def open_journal_file(path: Path) -> TextIO:
    """Opens a journal file to append to; ValueError for what is not a regular file, as a FIFO would block the
    stub's start until a reader came (it is opened without blocking, then checked)."""
    try:
        descriptor = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT | os.O_NONBLOCK, 0o644)
    except OSError as exc:
        if exc.errno == errno.ENXIO:
            raise ValueError(f"{path} is a FIFO; the journal is written to a regular file") from None
        raise
    if not stat.S_ISREG(os.fstat(descriptor).st_mode):
        os.close(descriptor)
        raise ValueError(f"{path} is not a regular file; the journal is written to one")
    os.set_blocking(descriptor, True)
    # A lone surrogate (from a request's JSON escapes) is written as its `\\udxxx` escape, still valid JSON.
    return open(descriptor, "a", encoding="utf-8", errors="backslashreplace")


class Journal:
    """Every request in order; memory keeps the latest `window` entries (None: no count) within `max_bytes` (see
    `entry_bytes`), and the file keeps all.

    `seq` numbers and marks count every request ever recorded, so they stay valid as old entries leave the window.
    """

    def __init__(
        self, path: Path | None = None, window: int | None = None, max_bytes: int = DEFAULT_JOURNAL_BYTES
    ) -> None:
        if window is not None and not 1 <= window <= MAX_JOURNAL_WINDOW:
            raise ValueError(f"the journal window must be from 1 to {MAX_JOURNAL_WINDOW:,} entries")
        if max_bytes < 1:
            raise ValueError("the journal's memory bound must be at least 1 byte")
        self.window = window
        self.max_bytes = max_bytes
        self._entries: deque[JournalEntry] = deque(maxlen=window)
        self._sizes: deque[int] = deque()
        self._bytes = 0
        self._recorded = 0
        self._lock = threading.Lock()
        self._file = open_journal_file(path) if path else None
        self._path = path

    def record(self, entry: JournalEntry) -> None:
        # A new list: the request's own headers stay as sent for whoever still reads them.
        entry.headers = redacted_headers(entry.headers)
        with self._lock:
            self._recorded += 1
            entry.seq = self._recorded
            if self.window is not None and len(self._entries) == self.window:
                self._bytes -= self._sizes.popleft()  # the deque drops its oldest entry as this one arrives
            size = entry_bytes(entry)
            self._entries.append(entry)
            self._sizes.append(size)
            self._bytes += size
            while self._bytes > self.max_bytes and len(self._entries) > 1:
                self._entries.popleft()
                self._bytes -= self._sizes.popleft()
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

    def clear(self) -> None:
        """Forgets the entries held in memory; numbering goes on, so earlier marks stay valid."""
        with self._lock:
            self._entries.clear()
            self._sizes.clear()
            self._bytes = 0

    def close(self) -> None:
        if self._file:
            with contextlib.suppress(OSError):
                self._file.close()
            self._file = None
