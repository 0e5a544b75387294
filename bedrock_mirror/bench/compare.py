"""The stub beside the bare app and its peers: the same signed requests, the same client, servers interleaved.

Each round loads every server in turn on every cell (operation, protocol, clients), the second round in the
reverse order, so that a noisy neighbour on a shared machine weighs on all of them alike; figures are medians.
"""

from __future__ import annotations

import statistics
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, field
from typing import Any

from .load import LoadError, LoadResult, drive
from .servers import Server, ServerError, answers, answers_h2c, median_ms, stream_times
from .shapes import Shape, signed_headers

PROTOCOLS = ((False, "http/1.1"), (True, "h2c"))
# The same two over HTTPS (h2load offers h2 by ALPN, or only http/1.1 with --h1).
TLS_PROTOCOLS = ((False, "http/1.1 over TLS"), (True, "h2 over TLS"))


@dataclass
class Contender:
    """A server in the comparison, and the cells it cannot take part in, with why."""

    name: str
    server: Server
    cannot: dict[tuple[str, str], str] = field(default_factory=dict)  # (operation, protocol) -> why not
    notes: list[str] = field(default_factory=list)
    headers: dict[str, dict[str, str]] = field(default_factory=dict)  # operation -> signed headers

    def signed(self, shape: Shape) -> dict[str, str]:
        if shape.operation not in self.headers:
            self.headers[shape.operation] = signed_headers(self.server.url, shape)
        return self.headers[shape.operation]


def survey(contender: Contender, shapes: Sequence[Shape], *, h2c: bool = True) -> dict[str, bytes]:
    """Finds which shapes and protocols a server answers; returns its replies (HTTP/1.1) by operation."""
    replies: dict[str, bytes] = {}
    for shape in shapes:
        body, problem, note = answers(contender.server.url, shape, contender.signed(shape))
        if problem is not None:
            for _, protocol in PROTOCOLS:
                contender.cannot[(shape.operation, protocol)] = problem
            continue
        assert body is not None
        replies[shape.operation] = body
        if note:
            contender.notes.append(note)
        if h2c and not shape.streams:
            problem = answers_h2c(contender.server.url, shape, contender.signed(shape))
            if problem is not None:
                contender.cannot[(shape.operation, "h2c")] = problem
    return replies


def throughput(
    contenders: Sequence[Contender],
    shapes: Sequence[Shape],
    concurrency: Sequence[int],
    requests: int,
    rounds: int = 2,
    log: Callable[[str], object] = print,
    protocols: Sequence[tuple[bool, str]] = PROTOCOLS,
) -> list[dict[str, Any]]:
    """h2load over every cell, every server, `rounds` times interleaved; one row per cell with medians and ratios."""
    runs: dict[tuple[str, str, int, str], list[Any]] = {}
    failures: dict[tuple[str, str, int, str], str] = {}
    for round_index in range(rounds):
        order = list(contenders) if round_index % 2 == 0 else list(reversed(contenders))
        log(f"load round {round_index + 1} of {rounds}: {', '.join(c.name for c in order)}")
        for shape in shapes:
            for http2, protocol in protocols:
                for clients in concurrency:
                    count = max(requests, clients * 20)
                    for contender in order:
                        key = (shape.operation, protocol, clients, contender.name)
                        if (shape.operation, protocol) in contender.cannot or key in failures:
                            continue
                        result = _measure(contender, shape, http2, clients, count)
                        if isinstance(result, str):
                            failures[key] = f"{shape.operation} over {protocol}, {clients} client(s): {result}"
                            continue
                        runs.setdefault(key, []).append(result)
    rows = []
    for shape in shapes:
        for _, protocol in protocols:
            for clients in concurrency:
                servers: dict[str, dict[str, Any]] = {}
                for contender in contenders:
                    key = (shape.operation, protocol, clients, contender.name)
                    why = contender.cannot.get((shape.operation, protocol)) or failures.get(key)
                    if why is not None or key not in runs:
                        servers[contender.name] = {"unavailable": why or "not measured"}
                        continue
                    results = runs[key]
                    servers[contender.name] = {
                        "requests_per_second": round(statistics.median(r.requests_per_second for r in results), 1),
                        "p50_ms": round(statistics.median(r.p50_ms for r in results), 3),
                        "p99_ms": round(statistics.median(r.p99_ms for r in results), 3),
                        "runs": [asdict(r) for r in results],
                    }
                rows.append(
                    {
                        "operation": shape.operation,
                        "protocol": protocol,
                        "clients": clients,
                        "requests": max(requests, clients * 20),
                        "servers": servers,
                        "ratios": _ratios(servers, "requests_per_second"),
                    }
                )
    return rows


def _measure(contender: Contender, shape: Shape, http2: bool, clients: int, count: int) -> LoadResult | str:
    """One h2load run on one server: its result, or why it gave none."""
    try:
        result = drive(
            contender.server.url,
            shape.path,
            shape.body,
            contender.signed(shape),
            http2=http2,
            clients=clients,
            requests=count,
        )
    except LoadError as exc:
        return str(exc)
    if result.succeeded != result.requests:
        return f"only {result.succeeded} of {result.requests} requests answered"
    return result


def _ratios(servers: dict[str, dict[str, Any]], figure: str, inverse: bool = False) -> dict[str, float | None]:
    """The stub's figure over each other server's (or theirs over the stub's, for times: higher is better)."""
    stub = servers.get("stub", {}).get(figure)
    ratios: dict[str, float | None] = {}
    for name, measured in servers.items():
        if name == "stub":
            continue
        theirs = measured.get(figure)
        if stub is None or theirs is None or not (stub and theirs):
            ratios[name] = None
        else:
            ratios[name] = round(theirs / stub if inverse else stub / theirs, 3)
    return ratios


def streams(
    contenders: Sequence[Contender],
    shapes: Sequence[Shape],
    count: int,
    rounds: int = 2,
    log: Callable[[str], object] = print,
) -> list[dict[str, Any]]:
    """Time to the first and the last byte of streamed replies over HTTP/1.1, one request at a time, interleaved."""
    first: dict[tuple[str, str], list[float]] = {}
    last: dict[tuple[str, str], list[float]] = {}
    failures: dict[tuple[str, str], str] = {}
    per_round = max(1, count // rounds)
    for round_index in range(rounds):
        order = list(contenders) if round_index % 2 == 0 else list(reversed(contenders))
        for shape in shapes:
            for contender in order:
                key = (shape.operation, contender.name)
                if (shape.operation, "http/1.1") in contender.cannot or key in failures:
                    continue
                try:
                    firsts, lasts = stream_times(contender.server.url, shape, contender.signed(shape), per_round)
                except ServerError as exc:
                    failures[key] = str(exc)
                    continue
                first.setdefault(key, []).extend(firsts)
                last.setdefault(key, []).extend(lasts)
    rows = []
    for shape in shapes:
        servers: dict[str, dict[str, Any]] = {}
        for contender in contenders:
            key = (shape.operation, contender.name)
            why = contender.cannot.get((shape.operation, "http/1.1")) or failures.get(key)
            if why is not None or key not in first:
                servers[contender.name] = {"unavailable": why or "not measured"}
            else:
                servers[contender.name] = {
                    "requests": len(first[key]),
                    "first_event_ms": median_ms(first[key]),
                    "last_event_ms": median_ms(last[key]),
                }
        rows.append(
            {
                "operation": shape.operation,
                "protocol": "http/1.1",
                "servers": servers,
                "first_ratios": _ratios(servers, "first_event_ms", inverse=True),
                "last_ratios": _ratios(servers, "last_event_ms", inverse=True),
            }
        )
    return rows
