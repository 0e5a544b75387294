"""Prompt caching: a cache keyed by the prompt's prefix up to each cache point, with each model's minimum and TTL.

How Bedrock caches (AWS user guide, "Prompt caching for faster model inference"; Anthropic's "Prompt caching"):
- the prompt is read in the order tools, system, messages; a cache point (Converse `cachePoint` blocks, a Messages
  body's `cache_control` on a block) marks the end of a prefix to cache; at most four per request;
- a prefix shorter than the model's minimum is not cached (no error); the first request with a prefix writes it,
  a later one with the same prefix within the TTL reads it, and a read refreshes the TTL;
- the TTL is 5 minutes, or 1 hour when the point asks for `ttl: "1h"`;
- usage: Converse reports `cacheReadInputTokens`, `cacheWriteInputTokens` and, when the request has cache points,
  `cacheDetails` (writes per TTL, 1h before 5m, as botocore's `CacheDetailsList` documents); `inputTokens` counts
  only what was neither read nor written, and `totalTokens` adds all of them to the output (recordings of real
  Converse traffic, 2025-26: e.g. 10 input, 2 output, 1,500 written give 1,512). InvokeModel's Messages usage has
  `cache_creation_input_tokens` and `cache_read_input_tokens`. Recordings show both pairs on every reply of Claude
  3.7 Sonnet and later models, 0 when nothing was cached.
- minimum tokens per cache point (AWS's table of supported models, Anthropic's "Prompt caching"): 1,024 for Claude
  3.7 Sonnet, Sonnet 4 and 4.5, Opus 4 and 4.1; 2,048 for Claude 3.5 Haiku and Sonnet 4.6; 4,096 for Haiku 4.5
  and Opus 4.5 to 4.8. A model not in the table that knows extended thinking gets 1,024: the Claude 5 models, whose
  Bedrock minimums no source gives yet, and a model added with a models file.

Tokens are the stub's estimate (four characters a token), so a prefix of 1,024 tokens is about 4,096 characters.
"""

from __future__ import annotations

import hashlib
import json
import threading
import time
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Literal

from .catalogue import Model

Ttl = Literal["5m", "1h"]
TTL_SECONDS: dict[str, int] = {"5m": 300, "1h": 3600}
MAX_CACHE_POINTS = 4
# The name prefixes (a Messages reply's `model`) of the models that cache, with their minimum tokens per point;
# the first match wins, so the more specific prefix comes first (Opus 4 itself is `claude-opus-4-2025...`).
_MINIMUM_TOKENS: tuple[tuple[str, int], ...] = (
    ("claude-3-5-haiku", 2048),
    ("claude-3-7-sonnet", 1024),
    ("claude-sonnet-4-6", 2048),
    ("claude-sonnet-4", 1024),
    ("claude-opus-4-2025", 1024),
    ("claude-opus-4-1", 1024),
    ("claude-opus-4", 4096),
    ("claude-haiku-4", 4096),
)
# Entries the stub keeps at most: a client sending new prefixes for ever must not grow it without bound.
MAX_ENTRIES = 10_000


def minimum_tokens(model: Model) -> int | None:
    """The model's minimum tokens per cache point, or None if it does not cache."""
    for prefix, minimum in _MINIMUM_TOKENS:
        if model.name.startswith(prefix):
            return minimum
    return 1024 if model.thinking else None


def reports_cache_usage(model: Model) -> bool:
    """Whether replies carry the cache usage keys even when nothing was cached (Claude 3.7 Sonnet and later)."""
    return model.thinking


@dataclass(frozen=True)
class CachePoint:
    """The prompt up to a cache point: a digest of everything before it, its tokens, and the TTL it asks for."""

    digest: str
    tokens: int
    ttl: Ttl = "5m"


@dataclass(frozen=True)
class CacheUsage:
    read: int = 0
    write: int = 0
    writes_by_ttl: tuple[tuple[Ttl, int], ...] = ()


NOTHING_CACHED = CacheUsage()


class PrefixDigest:
    """Builds the cache points of one prompt as its parts are read in order."""

    def __init__(self, model: Model) -> None:
        self._hash = hashlib.sha256(model.model_id.encode())
        self.chars = 0
        self.points: list[CachePoint] = []

    def add(self, part: Any, chars: int) -> None:
        self._hash.update(json.dumps(part, sort_keys=True, default=str).encode("utf-8", "backslashreplace"))
        self.chars += chars

    def mark(self, ttl: Ttl, tokens: int) -> None:
        self.points.append(CachePoint(self._hash.hexdigest(), tokens, ttl))


@dataclass
class PromptCache:
    """The prefixes written and when each expires; `clock` is injectable so that tests need not wait."""

    clock: Callable[[], float] = time.monotonic
    _entries: OrderedDict[str, float] = field(default_factory=OrderedDict)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def use(self, model: Model, points: list[CachePoint]) -> CacheUsage:
        """Reads the longest cached prefix, writes the longer ones that reach the model's minimum."""
        minimum = minimum_tokens(model)
        if minimum is None or not points:
            return CacheUsage()
        now = self.clock()
        with self._lock:
            hit = -1
            for index in range(len(points) - 1, -1, -1):
                expiry = self._entries.get(points[index].digest)
                if expiry is not None and expiry > now:
                    hit = index
                    break
            read = points[hit].tokens if hit >= 0 else 0
            for point in points[: hit + 1]:
                if point.digest in self._entries:
                    self._store(point, now)
            covered = read
            writes: dict[Ttl, int] = {}
            for point in points[hit + 1 :]:
                if point.tokens < minimum or point.tokens <= covered:
                    continue
                writes[point.ttl] = writes.get(point.ttl, 0) + point.tokens - covered
                covered = point.tokens
                self._store(point, now)
        details = tuple((ttl, writes[ttl]) for ttl in ("1h", "5m") if ttl in writes)
        return CacheUsage(read, sum(writes.values()), details)

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()

    def _store(self, point: CachePoint, now: float) -> None:
        self._entries[point.digest] = now + TTL_SECONDS[point.ttl]
        self._entries.move_to_end(point.digest)
        while len(self._entries) > MAX_ENTRIES:
            self._entries.popitem(last=False)
