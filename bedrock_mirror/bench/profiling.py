"""`nox -s bench -- --profile`: where the stub's time goes per request, sampled by py-spy under a bounded load."""

from __future__ import annotations

import re
import shutil
import signal
import sys
from collections import Counter
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from .bare_app import encode_replies
from .load import H2LOAD_MISSING, LoadError, drive
from .peers import CACHE, PROFILER, install
from .servers import STUB_COMMAND, Server, ServerError, answers
from .shapes import EVENT_STREAM, SHAPES, Shape, signed_headers

RATE = 250  # samples a second
CLIENTS = 16

# The first frame from the leaf up that matches names the part of the stub a sample belongs to. asyncio's frames are
# looked through (a socket write on behalf of h11 is h11's; a wait_for inside the app is the app's), and count as
# the event loop's only when nothing above them matches.


def _files(*prefixes: str) -> re.Pattern[str]:
    """A frame `function (path:line)` whose path is, or ends in, one of these (py-spy shortens library paths)."""
    return re.compile(r"\((?:[^()]*/)?(?:" + "|".join(prefixes) + ")")


CATEGORIES: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("start-up (imports)", re.compile(r"<frozen importlib|_find_and_load")),
    ("JSON (encode, decode)", _files(r"json/")),
    ("SigV4 check", _files(r"bedrock_stub/sigv4\.py")),
    ("journal", _files(r"bedrock_stub/journal\.py")),
    (
        "validation, reply, event stream",
        _files(r"bedrock_stub/(?:models|converse|replies|catalogue|eventstream)\.py"),
    ),
    ("fault and limit checks", _files(r"bedrock_stub/(?:faults|limits|graceful_goaway|errors|wire)\.py")),
    ("ASGI app (routing, headers, body)", _files(r"bedrock_stub/app\.py")),
    ("HTTP/1.1 (h11, Hypercorn's h11 protocol)", _files(r"h11/", r"hypercorn/protocol/h11\.py")),
    (
        "HTTP/2 (h2, hpack, Hypercorn's h2 protocol)",
        _files(r"(?:h2|hpack|hyperframe|priority)/", r"hypercorn/protocol/h2"),
    ),
    ("Hypercorn ASGI plumbing", _files(r"hypercorn/")),
)
EVENT_LOOP = ("event loop and sockets", _files(r"asyncio/", r"selectors\.py", r"socket\.py"))
# Frames that hold the server's own HTTP work: a stub frame above one of them is a wrapper, not the cost.
_SERVER_WORK = _files(r"h11/", r"h2/", r"hpack/", r"hyperframe/", r"hypercorn/")
# The stub's own code, less the entry points that only start the server (the root of every stack).
_STUB = re.compile(r"\((?:[^()]*/)?bedrock_stub/(?!__main__\.py|cli\.py|server\.py)")


def categorise(stack: str) -> str:
    frames = stack.split(";")
    start_up, pattern = CATEGORIES[0]
    if any(pattern.search(frame) for frame in frames):
        return start_up  # anything run while a module loads, however deep
    for frame in reversed(frames):
        for name, pattern in CATEGORIES:
            if pattern.search(frame):
                return name
    name, pattern = EVENT_LOOP
    return name if any(pattern.search(frame) for frame in frames) else "other"


FRAME = re.compile(r"^(?P<function>.*) \((?P<file>.*?):?(?P<line>\d*)\)$")


def summarise(raw: str, requests: int, rate: int = RATE) -> dict[str, Any]:
    """Samples per category and per stub function (self time) from py-spy's raw (collapsed stack) output."""
    by_category: Counter[str] = Counter()
    by_function: Counter[str] = Counter()
    for line in raw.splitlines():
        stack, _, count = line.rpartition(" ")
        if not stack or not count.isdigit():
            continue
        category = categorise(stack)
        by_category[category] += int(count)
        if category == "start-up (imports)":
            continue
        # The innermost frame of the stub's own code, unless the server's HTTP work lies below it.
        for frame in reversed(stack.split(";")):
            if _SERVER_WORK.search(frame):
                break
            if _STUB.search(frame):
                match = FRAME.match(frame)
                label = (
                    f"{match['function']} (bedrock_stub/{match['file'].rpartition('bedrock_stub/')[2]})"
                    if match
                    else frame
                )
                by_function[label] += int(count)
                break
    serving = sum(count for name, count in by_category.items() if name != "start-up (imports)")
    per_request_ms = serving / rate * 1000 / requests if requests else 0.0
    return {
        "rate": rate,
        "requests": requests,
        "samples": serving,
        "busy_ms_per_request": round(per_request_ms, 3),
        "categories": [
            {
                "category": name,
                "samples": count,
                "share": round(count / serving, 3) if serving else 0.0,
                "ms_per_request": round(count / rate * 1000 / requests, 3) if requests else 0.0,
            }
            for name, count in by_category.most_common()
            if name != "start-up (imports)"
        ],
        "stub_functions": [
            {"function": name, "samples": count, "share": round(count / serving, 3) if serving else 0.0}
            for name, count in by_function.most_common(12)
        ],
    }


def profile_stub(
    folder: Path,
    requests: int,
    shapes: Sequence[Shape] = SHAPES,
    cache: Path = CACHE,
    log: Callable[[str], object] = print,
) -> dict[str, Any]:
    """For each shape: the stub, then the bare app answering the stub's reply, under py-spy, loaded with
    `requests` over each protocol, summed up by part."""
    if shutil.which("h2load") is None:
        return {"skipped": H2LOAD_MISSING}
    problem = install(PROFILER, cache, log)
    if problem is not None:
        return {"skipped": problem}
    operations = {}
    for shape in shapes:
        replies: dict[str, tuple[str, bytes]] = {}
        stub = _profile(folder, shape, requests, cache, [*STUB_COMMAND], replies)
        if "skipped" in stub:
            return stub
        if not replies:
            return {"skipped": f"the profiled stub did not answer {shape.operation}"}
        bare = _profile(
            folder,
            shape,
            requests,
            cache,
            [sys.executable, "-m", "bedrock_mirror.bench.bare_app"],
            stdin=encode_replies(replies),
        )
        if "skipped" in bare:
            return bare
        operations[shape.operation] = {**stub, "bare": bare}
    return {"clients": CLIENTS, "operations": operations}


def _profile(
    folder: Path,
    shape: Shape,
    requests: int,
    cache: Path,
    server_command: list[str],
    replies: dict[str, tuple[str, bytes]] | None = None,
    stdin: bytes = b"",
) -> dict[str, Any]:
    """One server under py-spy and h2load; fills `replies` with the server's answer, when given."""
    name = "bare" if "bedrock_mirror.bench.bare_app" in server_command else "stub"
    raw = folder / f"bench-profile-{name}-{shape.segment}.txt"
    raw.unlink(missing_ok=True)
    py_spy = [str(PROFILER.executable("py-spy", cache)), "record", "--format", "raw", "--rate", str(RATE)]
    command = [*py_spy, "--nonblocking", "--output", str(raw), "--", *server_command]
    log_path = folder / "bench-profile.log"
    try:
        server = Server(f"{name} under py-spy", command, stdin=stdin, log=log_path)
    except ServerError as exc:
        return {"skipped": f"py-spy could not run the {name} ({exc}); it needs ptrace (CAP_SYS_PTRACE in a container)"}
    served = 0
    cells = []
    try:
        headers = signed_headers(server.url, shape)
        if replies is not None:
            body, problem, _ = answers(server.url, shape, headers)
            if body is None:
                return {"skipped": f"the profiled {name}: {problem}"}
            replies[shape.segment] = (EVENT_STREAM if shape.streams else "application/json", body)
        for http2 in (False, True):
            try:
                result = drive(
                    server.url, shape.path, shape.body, headers, http2=http2, clients=CLIENTS, requests=requests
                )
            except LoadError as exc:
                return {"skipped": f"the load on the profiled {name} failed: {exc}"}
            served += result.succeeded
            cells.append({"protocol": result.protocol, "requests": result.succeeded, "rps": result.requests_per_second})
    finally:
        # SIGINT to the group: the server shuts down, py-spy writes what it sampled.
        server.stop(signal.SIGINT)
    if not raw.exists():
        return {"skipped": f"py-spy wrote no profile (see {log_path})"}
    summary = summarise(raw.read_text(), served)
    summary["cells"] = cells
    summary["raw"] = str(raw)
    return summary
