"""Runs the benchmark and writes it as a table (Markdown) and JSON under the output folder."""

from __future__ import annotations

import json
import os
import shutil
import statistics
import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any, Literal, get_args

from bedrock_stub import Stub
from bedrock_stub.models import CATALOGUE

from .. import registry
from ..results import output_dir
from . import fixture as fixture_cost
from . import page, startup, tables
from . import peers as peer_tools
from . import suite as whole_suite
from .bare_app import encode_replies
from .compare import TLS_PROTOCOLS, Contender, streams, survey, throughput
from .load import H2LOAD_MISSING
from .peers import PEERS, prepare
from .profiling import RATE as RATE_PROFILED
from .profiling import profile_stub
from .samples import SampleTiming, time_language
from .servers import STUB_COMMAND, TLS_OPTION, Server
from .shapes import EVENT_STREAM, PLAIN, SHAPES, STREAMED, Shape

CONCURRENCY = (1, 16, 64)
# The parts of a run, in the order they run; `--only` picks some of them.
Part = Literal["load", "profile", "samples", "suite", "fixture", "startup", "memory"]
PARTS: tuple[Part, ...] = get_args(Part)
TARGETS = {
    "stub_vs_bare": 0.8,
    "stub_vs_ministack": 2.0,
    # Streamed replies, timed one request at a time: how soon the first event and the last arrive beside bare's.
    "stream_first_vs_bare": 0.8,
    "stream_last_vs_bare": 0.6,
    "overhead_ms": 50.0,
    "sample_vs_floor": 1.3,
    # The absolute allowance for the request itself, for runtimes whose floor is a few milliseconds.
    "sample_over_floor_s": 0.010,
}
TARGET_PEER = "ministack"
# The fixed-reply apps the stub is measured beside, on the same Hypercorn: the first is the target's reference.
BARE_APPS = {"bare": "bedrock_mirror.bench.bare_starlette", "bare-raw": "bedrock_mirror.bench.bare_app"}


@dataclass(frozen=True)
class Count:
    """A whole-number option: how many of something a run does (at least 1, or 0 where 0 skips its part)."""

    flag: str
    default: int
    what: str
    zero_skips: bool = False

    @property
    def dest(self) -> str:
        return self.flag.removeprefix("--").replace("-", "_")

    def keywords(self) -> dict[str, Any]:
        skips = "; 0 skips" if self.zero_skips else ""
        return {"type": int, "default": self.default, "help": f"{self.what} (default {self.default}{skips})"}


@dataclass(frozen=True)
class Switch:
    """An option that turns on a part a run leaves out by default."""

    flag: str
    what: str

    def keywords(self) -> dict[str, Any]:
        return {"action": "store_true", "help": self.what}


# The options of `nox -s bench --` but `--only`, in the order its help lists them.
OPTIONS: tuple[Count | Switch, ...] = (
    Count("--requests", 2000, "requests per load cell and server"),
    Count("--rounds", 2, "times each server is loaded on each cell, interleaved"),
    Count("--stream-requests", 50, "streamed requests per operation and server"),
    Switch(
        "--peers",
        "also install (pinned, into .cache/bench-peers/) and measure the peers: "
        + ", ".join(peer.requirement for peer in PEERS),
    ),
    Switch(
        "--profile",
        "also sample the stub with py-spy under load, one operation at a time; writes "
        "out/bench-profile-<operation>.txt (collapsed stacks)",
    ),
    Count("--profile-requests", 2000, "requests per operation and protocol profiled"),
    Count("--sample-runs", 5, "warm runs of every program, beside as many of its language's floor", zero_skips=True),
    Count("--suite-runs", 3, "warm full `nox` runs", zero_skips=True),
    Count("--fixture-tests", 100, "tests in each generated fixture suite"),
    Count("--fixture-rounds", 3, "runs of each fixture suite, interleaved"),
    Count("--start-runs", 7, "starts of each server to its first answer"),
    Count("--memory-requests", 10_000, "requests before a server's memory is read"),
)


def _contender(
    name: str, server: Server, shapes: Sequence[Shape], *, h2c: bool = True
) -> tuple[Contender, dict[str, bytes]]:
    contender = Contender(name, server)
    return contender, survey(contender, shapes, h2c=h2c and shutil.which("h2load") is not None)


def stub_load(options: Any, folder: Path, log: Callable[[str], None] = print) -> dict[str, Any]:
    """The stub, the bare app and (with --peers) its peers: throughput under h2load, and streamed replies timed."""
    servers: list[Server] = []
    peer_status: dict[str, dict[str, Any]] = {}
    try:
        stub_server = Server("stub", [*STUB_COMMAND], log=folder / "bench-stub.log")
        servers.append(stub_server)
        stub, replies = _contender("stub", stub_server, SHAPES)
        bare_replies = {
            shape.segment: (EVENT_STREAM if shape.streams else "application/json", replies[shape.operation])
            for shape in SHAPES
            if shape.operation in replies
        }
        contenders = [stub]
        # `bare` (Starlette) is the reference of the stub's target; `bare-raw` (no framework) is shown beside it.
        for name, module in BARE_APPS.items():
            bare_server = Server(
                name,
                [sys.executable, "-m", module],
                stdin=encode_replies(bare_replies),
                log=folder / f"bench-{name}.log",
            )
            servers.append(bare_server)
            contenders.append(_contender(name, bare_server, SHAPES)[0])
        if options.peers:
            for peer in PEERS:
                log(f"peer {peer.requirement} ...")
                server, problem = prepare(peer, folder, cache=peer_tools.CACHE, log=log)
                if server is None:
                    peer_status[peer.name] = {"requirement": peer.requirement, "problem": problem}
                    continue
                servers.append(server)
                contender, _ = _contender(peer.name, server, SHAPES)
                contenders.append(contender)
                peer_status[peer.name] = {
                    "requirement": peer.requirement,
                    "url": server.url,
                    "cannot": {
                        f"{operation} over {protocol}": why for (operation, protocol), why in contender.cannot.items()
                    },
                    "notes": contender.notes,
                }
        for contender in contenders:
            for (operation, protocol), why in contender.cannot.items():
                log(f"{contender.name}: {operation} over {protocol}: {why}")
        if shutil.which("h2load") is None:
            plain: Any = {"skipped": H2LOAD_MISSING}
        else:
            plain = throughput(contenders, PLAIN, CONCURRENCY, options.requests, options.rounds, log=log)
            plain += tls_throughput(options, folder, bare_replies, [contender.name for contender in contenders], log)
        streamed = streams(contenders, STREAMED, options.stream_requests, options.rounds, log=log)
    finally:
        for server in reversed(servers):
            server.stop()
    return {
        "servers": [contender.name for contender in contenders],
        "plain": plain,
        "streams": streamed,
        "peers": peer_status if options.peers else {"skipped": "not measured: run with --peers"},
    }


def tls_throughput(
    options: Any,
    folder: Path,
    bare_replies: dict[str, tuple[str, bytes]],
    names: list[str],
    log: Callable[[str], None] = print,
) -> list[dict[str, Any]]:
    """The stub with `--tls` beside the bare app serving HTTPS the same way (Hypercorn's TLS, ALPN): throughput rows
    like the cleartext ones, the servers not measured over TLS marked so."""
    servers: list[Server] = []
    try:
        servers.append(Server("stub over TLS", [*STUB_COMMAND, TLS_OPTION], log=folder / "bench-stub-tls.log"))
        bare = [sys.executable, "-m", BARE_APPS["bare"], TLS_OPTION]
        servers.append(
            Server("bare over TLS", bare, stdin=encode_replies(bare_replies), log=folder / "bench-bare-tls.log")
        )
        contenders = [Contender(name, server) for name, server in zip(("stub", "bare"), servers, strict=True)]
        for contender in contenders:
            survey(contender, PLAIN, h2c=False)
            # What a server cannot answer over HTTP/1.1 it cannot answer over either protocol on TLS.
            contender.cannot = {
                (operation, label): why
                for (operation, protocol), why in contender.cannot.items()
                if protocol == "http/1.1"
                for _, label in TLS_PROTOCOLS
            }
        rows = throughput(
            contenders, PLAIN, CONCURRENCY, options.requests, options.rounds, log=log, protocols=TLS_PROTOCOLS
        )
    finally:
        for server in reversed(servers):
            server.stop()
    for row in rows:
        for name in names:
            row["servers"].setdefault(name, {"unavailable": "not measured over TLS"})
            if name != "stub":
                row["ratios"].setdefault(name, None)
    return rows


def _clients(count: int) -> str:
    return f"{count} client" if count == 1 else f"{count} clients"


def _why(servers: dict[str, dict[str, Any]], name: str) -> str | None:
    for who in ("stub", name):
        if "unavailable" in servers.get(who, {}):
            return f"{who}: {servers[who]['unavailable']}"
    return None


def load_verdicts(load: dict[str, Any]) -> list[dict[str, Any]]:
    """Every load target with its figure; `met` is None where the figure could not be measured."""
    found: list[dict[str, Any]] = []
    bare_target = TARGETS["stub_vs_bare"]
    peers_measured = "skipped" not in load["peers"]
    peer_problem = (load["peers"].get(TARGET_PEER) or {}).get("problem") if peers_measured else None

    def add(target: str, ratio: float | None, why: str | None, threshold: float) -> None:
        if ratio is None:
            found.append({"target": target, "figure": why or "not measured", "met": None})
        else:
            found.append({"target": target, "figure": ratio, "met": ratio >= threshold})

    if "skipped" in load["plain"]:
        found.append({"target": "stub ≥ 0.8 x bare (throughput)", "figure": load["plain"]["skipped"], "met": None})
    for row in load["plain"] if isinstance(load["plain"], list) else []:
        cell = f"{row['operation']}, {row['protocol']}, {_clients(row['clients'])}"
        add(f"stub ≥ 0.8 x bare ({cell})", row["ratios"].get("bare"), _why(row["servers"], "bare"), bare_target)
        if peers_measured and row["protocol"] not in dict(TLS_PROTOCOLS).values():
            add(
                f"stub ≥ 2 x {TARGET_PEER} ({cell})",
                row["ratios"].get(TARGET_PEER),
                peer_problem or _why(row["servers"], TARGET_PEER),
                TARGETS["stub_vs_ministack"],
            )
    plain_rows = load["plain"] if isinstance(load["plain"], list) else []
    bare_over_peer = [
        row["servers"]["bare"]["requests_per_second"] / row["servers"][TARGET_PEER]["requests_per_second"]
        for row in plain_rows
        if row["servers"].get(TARGET_PEER, {}).get("requests_per_second")
        and row["servers"].get("bare", {}).get("requests_per_second")
    ]
    against_peer = [verdict for verdict in found if verdict["target"].startswith(f"stub ≥ 2 x {TARGET_PEER}")]
    if bare_over_peer and against_peer:
        # How far the same server with no work of the stub's gets: the ceiling the 2x target is measured against.
        low, high = min(bare_over_peer), max(bare_over_peer)
        against_peer[0]["detail"] = f"the bare app itself is {low:.2f} to {high:.2f} x {TARGET_PEER}"
    # The ministack target is one of throughput: streamed replies are held to the bare app's times only.
    for row in load["streams"]:
        for edge in ("first", "last"):
            threshold = TARGETS[f"stream_{edge}_vs_bare"]
            add(
                f"streamed {edge} event ≥ {threshold} x bare ({row['operation']})",
                row[f"{edge}_ratios"].get("bare"),
                _why(row["servers"], "bare"),
                threshold,
            )
    if not peers_measured:
        found.append({"target": f"stub ≥ 2 x {TARGET_PEER}", "figure": load["peers"]["skipped"], "met": None})
    return found


def verdicts(data: dict[str, Any]) -> list[dict[str, Any]]:
    found = load_verdicts(data["stub"]) if "stub" in data else []
    overhead_counted: set[str] = set()
    for timing in data.get("samples", []):
        language = timing["language"]
        if timing["overhead_ms"] is not None and language not in overhead_counted:
            # The harness's overhead is its own, the same whichever program runs: once per language.
            overhead_counted.add(language)
            overheads = [t["overhead_ms"] for t in data["samples"] if t["language"] == language and t["overhead_ms"]]
            overhead = round(statistics.median(overheads), 1)
            found.append(
                {
                    "target": f"harness overhead < 50 ms ({language})",
                    "figure": overhead,
                    "met": overhead < TARGETS["overhead_ms"],
                }
            )
        if timing["floor_s"] and timing["sample_s"]:
            ratio = round(timing["sample_s"] / timing["floor_s"], 2)
            over_ms = round((timing["sample_s"] - timing["floor_s"]) * 1000, 1)
            allowed = max(
                TARGETS["sample_vs_floor"] * timing["floor_s"], timing["floor_s"] + TARGETS["sample_over_floor_s"]
            )
            found.append(
                {
                    "target": f"sample ≤ max(1.3 x floor, floor + 10 ms) ({', '.join(timing['samples'])})",
                    "figure": f"{ratio} x floor, {over_ms} ms over it",
                    "met": timing["sample_s"] <= allowed,
                }
            )
    found += whole_suite.verdicts(data.get("suite", {}))
    if "fixture" in data:
        found += fixture_cost.verdicts(data["fixture"])
    if "startup" in data:
        found += startup.verdicts(data["startup"])
    return found


def _cell(measured: dict[str, Any], *figures: str) -> str:
    if "unavailable" in measured:
        return "—"
    return " / ".join(
        f"{measured[figure]:.0f}" if figure == "requests_per_second" else f"{measured[figure]}" for figure in figures
    )


def _ratio(value: float | None) -> str:
    return "—" if value is None else f"{value:.2f}"


def _throughput_cells(cell: dict[str, Any], names: list[str], others: list[str]) -> list[object]:
    servers = cell["servers"]
    return [
        cell["operation"],
        cell["protocol"],
        cell["clients"],
        cell["requests"],
        *(_cell(servers[name], "requests_per_second") for name in names),
        *(_ratio(cell["ratios"].get(name)) for name in others),
        *(_cell(servers[name], "p50_ms", "p99_ms") for name in names),
    ]


def _stream_cells(cell: dict[str, Any], names: list[str], others: list[str]) -> list[object]:
    servers = cell["servers"]
    return [
        cell["operation"],
        *(_cell(servers[name], "first_event_ms", "last_event_ms") for name in names),
        *(f"{_ratio(cell['first_ratios'].get(name))}, {_ratio(cell['last_ratios'].get(name))}" for name in others),
    ]


def load_markdown(load: dict[str, Any]) -> list[str]:
    names = load["servers"]
    others = [name for name in names if name != "stub"]
    lines = ["## Stub beside the bare app and its peers (h2load, loopback, medians)", ""]
    if isinstance(load["plain"], dict):
        lines.append(f"skipped: {load['plain']['skipped']}")
    else:
        lines += [
            "Requests a second, then p50 / p99 latency in ms; stub/x is the stub's throughput over x's. "
            "bare: Hypercorn + Starlette returning the stub's reply, the reference of the 0.8 x target; "
            "bare-raw: the same reply from a raw ASGI callable (no framework), shown for comparison, no target. "
            "Rows over TLS: the stub with `--tls` beside bare serving HTTPS the same way (Hypercorn's TLS, ALPN).",
            "",
            *tables.table(
                [
                    "Operation",
                    "Protocol",
                    "Clients",
                    "Requests",
                    *(f"{name} req/s" for name in names),
                    *(f"stub/{name}" for name in others),
                    *(f"{name} p50 / p99 ms" for name in names),
                ],
                (_throughput_cells(cell, names, others) for cell in load["plain"]),
            ),
        ]
    lines += [
        "",
        "Streamed replies over HTTP/1.1, one request at a time: ms to the first / last byte of the event stream "
        "(x/stub: how many times faster the stub is).",
        "",
        *tables.table(
            [
                "Operation",
                *(f"{name} first / last ms" for name in names),
                *(f"{name}/stub first, last" for name in others),
            ],
            (_stream_cells(cell, names, others) for cell in load["streams"]),
        ),
    ]
    unavailable = {
        (name, measured["unavailable"])
        for row in (load["plain"] if isinstance(load["plain"], list) else []) + load["streams"]
        for name, measured in row["servers"].items()
        if "unavailable" in measured
    }
    peers = load["peers"]
    lines += ["", "### Peers", ""]
    if "skipped" in peers:
        lines.append(peers["skipped"])
    for name, status in peers.items() if "skipped" not in peers else ():
        if status.get("problem"):
            lines.append(f"- **{name}** ({status['requirement']}): {status['problem']}")
        else:
            lines.append(f"- **{name}** ({status['requirement']}), {status['url']}")
        lines += [f"  - {note}" for note in status.get("notes", [])]
    lines += [f"- {name} cannot answer: {why}" for name, why in sorted(unavailable)]
    return lines


def profile_markdown(profile: dict[str, Any]) -> list[str]:
    lines = ["", "## Where the stub's time goes (py-spy, ms of CPU a request)", ""]
    if "skipped" in profile:
        return [*lines, f"skipped: {profile['skipped']}"]
    operations = profile["operations"]
    names = list(operations)
    parts: list[str] = []
    for summary in operations.values():
        parts += [c["category"] for c in summary["categories"] if c["category"] not in parts]
    lines += [
        f"Each operation on a stub of its own, then on the bare app answering the stub's reply, under py-spy "
        f"({RATE_PROFILED} samples a second, busy time only), "
        f"{profile['clients']} clients, over HTTP/1.1 then h2c; share of the busy time in brackets.",
        "",
        *tables.head(["Part", *names]),
    ]
    for part in parts:
        cells = []
        for summary in operations.values():
            found = next((c for c in summary["categories"] if c["category"] == part), None)
            cells.append(f"{found['ms_per_request']} ({found['share']:.0%})" if found else "")
        lines.append(tables.row([part, *cells]))
    busy = {"stub": list(operations.values()), "bare app": [summary["bare"] for summary in operations.values()]}
    for label, summaries in busy.items():
        totals = [f"**{summary['busy_ms_per_request']}** ({summary['requests']} requests)" for summary in summaries]
        lines.append(tables.row([f"**{label}, all (busy)**", *totals]))
    lines += ["", "Stub functions that cost most (with what they call outside the stub), share of the busy time:", ""]
    for name, summary in operations.items():
        top = ", ".join(f"`{f['function']}` {f['share']:.0%}" for f in summary["stub_functions"][:6])
        lines.append(f"- {name}: {top}; raw stacks `{summary['raw']}`")
    return lines


def markdown(data: dict[str, Any]) -> str:
    lines = [f"# Benchmark ({data['cores']} cores, {data['when']})", ""]
    if "stub" in data:
        lines += load_markdown(data["stub"])
    if data.get("profile"):
        lines += profile_markdown(data["profile"])
    if "fixture" in data:
        lines += fixture_cost.markdown(data["fixture"])
    lines += startup.markdown(data.get("startup"), data.get("memory"))
    if "samples" not in data:
        pass
    elif not data["samples"]:
        lines += ["", "## Samples (warm, medians)", "", "not measured (--sample-runs 0)"]
    else:
        lines += ["", "## Samples (warm, medians)", ""]
        lines += [
            "| Language | Samples (one program) | Runs | Sample s | Floor s | Sample/floor | Harness overhead ms "
            "| Note |",
            "|---|---|---|---|---|---|---|---|",
        ]
    for timing in data.get("samples", []):
        ratio = f"{timing['sample_s'] / timing['floor_s']:.2f}" if timing["sample_s"] and timing["floor_s"] else ""
        lines.append(
            f"| {timing['language']} | {', '.join(timing['samples'])} | {timing['runs']} | "
            f"{timing['sample_s'] or ''} | {timing['floor_s'] or ''} | {ratio} | {timing['overhead_ms'] or ''} | "
            f"{timing['note']} |"
        )
    lines += whole_suite.markdown(data.get("suite", {}))
    counted = [v["met"] for v in data["verdicts"]]
    summary = (
        f"{counted.count(True)} of {len(counted)} met, {counted.count(False)} not met, "
        f"{counted.count(None)} not measurable here (the figure says why)."
    )
    lines += ["", "## Targets", "", summary, "", *tables.targets(data["verdicts"], unmeasured="n/a")]
    return "\n".join(lines) + "\n"


def _parts(text: str) -> tuple[Part, ...]:
    import argparse

    chosen = [part.strip() for part in text.split(",") if part.strip()]
    unknown = [part for part in chosen if part not in PARTS]
    if unknown or not chosen:
        raise argparse.ArgumentTypeError(f"choose from {', '.join(PARTS)} (not {', '.join(unknown) or 'nothing'})")
    return tuple(part for part in PARTS if part in chosen)


def main(arguments: list[str], log: Callable[[str], None] = print) -> dict[str, Any]:
    import argparse

    parser = argparse.ArgumentParser(prog="nox -s bench --")
    for option in OPTIONS:
        parser.add_argument(option.flag, **option.keywords())
    parser.add_argument(
        "--only",
        type=_parts,
        default=PARTS,
        metavar="PART[,PART...]",
        help="run only these parts: " + ", ".join(PARTS) + " (default: all; profile still needs --profile)",
    )
    options = parser.parse_args(arguments)
    counts = [
        getattr(options, option.dest) for option in OPTIONS if isinstance(option, Count) and not option.zero_skips
    ]
    if min(counts) < 1:
        parser.error("every count (--requests, --rounds, --fixture-tests, ...) must be at least 1")
    data: dict[str, Any] = {
        "cores": os.cpu_count(),
        "when": time.strftime("%Y-%m-%d %H:%M:%S"),
        "models": len(CATALOGUE),
    }
    folder = output_dir()
    folder.mkdir(parents=True, exist_ok=True)
    only = set(options.only)
    data["parts"] = [part for part in PARTS if part in only]
    # A run of some parts only: docs/speed.json keeps the other rows of the last run (speed.write).
    data["partial"] = tuple(options.only) != PARTS
    if "load" in only:
        log(f"stub under load ({options.requests} requests a cell, {options.rounds} rounds)...")
        data["stub"] = stub_load(options, folder, log=log)
    if options.profile and "profile" in only:
        log(f"profiling the stub ({options.profile_requests} requests a cell)...")
        data["profile"] = profile_stub(folder, options.profile_requests, log=log)
    if "samples" in only:
        data["samples"] = []
    if options.sample_runs and "samples" in only:
        log("samples against their floors...")
        with Stub(regions=registry.regions()) as stub:
            runs = options.sample_runs
            timings: list[SampleTiming] = [
                timing for language in registry.LANGUAGES for timing in time_language(language, stub, runs)
            ]
        data["samples"] = [{**asdict(timing), "ratio": timing.ratio} for timing in timings]
    if "suite" in only:
        if options.suite_runs:
            log("warm full nox...")
        data["suite"] = (
            whole_suite.measure(options.suite_runs, data.get("samples", []), data["cores"])
            if options.suite_runs
            else {}
        )
    if "fixture" in only:
        log(f"fixture suites ({options.fixture_tests} tests, {options.fixture_rounds} rounds)...")
        data["fixture"] = fixture_cost.measure(options.fixture_tests, options.fixture_rounds, log=log)
    if only & {"startup", "memory"}:
        if options.peers:
            for peer in PEERS:
                problem = peer_tools.install(peer, log=log)
                if problem:
                    log(problem)
        starters = startup.starters(with_peers=options.peers)
        if "startup" in only:
            log(f"start to first answer ({options.start_runs} starts each)...")
            data["startup"] = startup.start_times(starters, options.start_runs, folder, log=log)
        if "memory" in only:
            if shutil.which("h2load") is None:
                data["memory"] = {"skipped": H2LOAD_MISSING}
            else:
                data["memory"] = startup.memory(starters, options.memory_requests, folder, log=log)
    data["verdicts"] = verdicts(data)
    (folder / "bench.json").write_text(json.dumps(data, indent=1), encoding="utf-8")
    (folder / "bench.md").write_text(markdown(data), encoding="utf-8")
    page.write(data, folder)
    return data
