"""The request journal: one record per request, readable in-process and appended to a JSON-lines file."""

from __future__ import annotations

import json
import threading
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

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
    def __init__(self, path: Path | None = None) -> None:
        self._entries: list[JournalEntry] = []
        self._lock = threading.Lock()
        self._file = path.open("a", encoding="utf-8") if path else None

    def record(self, entry: JournalEntry) -> None:
        with self._lock:
            entry.seq = len(self._entries) + 1
            self._entries.append(entry)
            if self._file:
                self._file.write(json.dumps(entry.to_dict(), ensure_ascii=False) + "\n")
                self._file.flush()

    def mark(self) -> int:
        """A position to read new entries from later (see `since`)."""
        with self._lock:
            return len(self._entries)

    def since(self, mark: int) -> list[JournalEntry]:
        with self._lock:
            return self._entries[mark:]

    def entries(self) -> list[JournalEntry]:
        return self.since(0)

    def close(self) -> None:
        if self._file:
            self._file.close()
            self._file = None
