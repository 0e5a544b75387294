"""The journal's memory is bounded in bytes: large bodies are cut (their length and hash kept), old entries leave."""

from __future__ import annotations

import asyncio
import hashlib
import json
import os
from pathlib import Path

import pytest
from bedrock_stub.app import BedrockRuntimeApp, StubState
from bedrock_stub.journal import BODY_KEEP_BYTES, Journal, body_for_journal, entry_bytes

from tests.helpers import asgi_scope, journal_entry, signed_headers

INVOKE = "/model/anthropic.claude-3-haiku-20240307-v1%3A0/invoke"
MB = 1024 * 1024


def resident_bytes() -> int:
    pages = int(Path("/proc/self/statm").read_text().split()[1])
    return pages * os.sysconf("SC_PAGE_SIZE")


def test_a_body_beyond_the_kept_size_is_cut_with_its_length_and_hash():
    body = json.dumps({"text": "é" * BODY_KEEP_BYTES}).encode()
    text, truncated, digest = body_for_journal(body)
    assert truncated
    assert digest == hashlib.sha256(body).hexdigest()
    assert text is not None and body.startswith(text.encode()) and len(text.encode()) > BODY_KEEP_BYTES - 4


def test_a_small_body_is_kept_whole_without_a_hash():
    assert body_for_journal(b'{"a": 1}') == ('{"a": 1}', False, None)


def test_old_entries_leave_once_the_kept_bytes_pass_the_bound():
    journal = Journal(max_bytes=10 * MB)
    for index in range(100):
        journal.record(journal_entry(body="x" * MB, request_id=str(index)))
    kept = journal.entries()
    assert 1 <= len(kept) <= 10
    assert sum(entry_bytes(entry) for entry in kept) <= 10 * MB
    assert kept[-1].request_id == "99" and kept[-1].seq == 100
    assert [entry.seq for entry in journal.since(95)] == [96, 97, 98, 99, 100]


def test_a_cleared_journal_counts_its_bytes_from_nothing():
    """The fixture clears the journal before each test: what it held before must not push out what comes after."""
    journal = Journal(max_bytes=3 * MB)
    for index in range(3):
        journal.record(journal_entry(body="x" * MB, request_id=f"before-{index}"))
    journal.clear()
    for index in range(2):
        journal.record(journal_entry(body="x" * MB, request_id=f"after-{index}"))
    assert [entry.request_id for entry in journal.entries()] == ["after-0", "after-1"]


def test_the_window_in_entries_still_applies_within_the_bytes():
    journal = Journal(window=3)
    for index in range(10):
        journal.record(journal_entry(request_id=str(index)))
    assert [entry.request_id for entry in journal.entries()] == ["7", "8", "9"]


@pytest.mark.parametrize("window", [0, 10**30])
def test_a_window_beyond_reason_is_refused(window):
    with pytest.raises(ValueError, match="the journal window must be from 1 to"):
        Journal(window=window)


def test_resident_memory_grows_less_than_100_mb_over_10000_badly_signed_256_kb_requests():
    """Bounded in count; memory is read every 500 requests, so that an unbounded journal fails early."""
    body = b"{" + b" " * (256 * 1024 - 2) + b"}"
    headers = signed_headers("http://127.0.0.1:1" + INVOKE, body, secret="not-the-stub-secret")
    scope = asgi_scope(INVOKE, body)
    scope["headers"] = [(name.lower().encode(), value.encode()) for name, value in headers.items()] + [
        (b"content-length", str(len(body)).encode())
    ]
    app = BedrockRuntimeApp(StubState(reply="unused"))
    statuses: set[int] = set()

    async def one() -> None:
        delivered = False

        async def receive() -> dict:
            nonlocal delivered
            if delivered:
                return {"type": "http.disconnect"}
            delivered = True
            return {"type": "http.request", "body": body, "more_body": False}

        async def send(message: dict) -> None:
            if message["type"] == "http.response.start":
                statuses.add(message["status"])

        await app(scope, receive, send)

    async def run() -> None:
        start = resident_bytes()
        for index in range(1, 10_001):
            await one()
            if index % 500 == 0:
                grown = resident_bytes() - start
                assert grown < 100 * MB, f"resident memory grew {grown // MB} MB after {index} requests"

    asyncio.run(run())
    assert statuses == {403}
    kept = app.state.journal.entries()
    assert kept[-1].signature != "valid" and kept[-1].body_bytes == len(body)
