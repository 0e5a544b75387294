"""`bedrock-stub check DIR`: sends every recorded request to the stub's own logic and reports where its answer
differs from the recorded one, in what a stub is expected to match.

Compared, per exchange: the status; for errors, the error type and message; for replies, the keys and value types
of the body (usage fields named apart), and the stop reason; for streams, the sequence of event types (a run of
deltas, or of whole content blocks, counts once) and each event type's keys and value types. Not compared: generated
text, ids, token counts and other values, the `p` padding, the members of a tool call's input, and the shape of a
content block of a kind only one side produced. What the model chose to say (the text, a tool call, the reasoning)
is queued on the stub before each request, so that the stub answers in kind and only the service's part differs.
Reads this package's recordings (`*.json`, any depth) and the cassettes vcrpy and pytest-recording write (`*.yaml`,
`*.yml`, and JSON cassettes). Prints a Markdown summary; exit status 0 when nothing differs, 1 when something
does, 2 when the input cannot be read.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

from botocore.eventstream import EventStreamBuffer

from .cassettes import read_cassette
from .recordings import FORMAT, Body, Recording, RecordingError, read_recording, stream_event

EVENT_STREAM = "application/vnd.amazon.eventstream"
# Transport and identity headers the stub sets itself or that would only confuse it.
_NOT_SENT = frozenset({"host", "content-length", "authorization", "x-amz-date", "x-amz-content-sha256", "expect"})
_STOP_KEYS = ("stop_reason", "stopReason")
_USAGE_KEYS = ("usage", "amazon-bedrock-invocationMetrics", "metrics")


# What a difference is found in: the aspects the module's summary lists, each a row of the report's "By aspect".
Aspect = Literal[
    "status",
    "error type",
    "error message",
    "reply keys",
    "usage fields",
    "value types",
    "event sequence",
    "stop reason",
]


@dataclass(frozen=True)
class Difference:
    aspect: Aspect
    detail: str


@dataclass
class Outcome:
    recording: Recording
    source: str
    differences: list[Difference] = field(default_factory=list)


@dataclass
class Answer:
    """The stub's answer to a recorded request, read as a recording reads."""

    status: int
    headers: dict[str, str]
    body: Body | None = None
    events: list[Any] | None = None


# ---------------------------------------------------------------------------------------------------------------
# Input


def collect(folder: Path) -> tuple[list[Recording], int]:
    """Every recording and cassette exchange under `folder`, and how many interactions were not Bedrock Runtime's."""
    if not folder.is_dir():
        raise RecordingError(f"{folder}: not a folder of recordings or cassettes")
    recordings: list[Recording] = []
    skipped = 0
    for path in sorted(folder.rglob("*")):
        if path.suffix not in (".json", ".yaml", ".yml") or not (path.is_file() or path.is_symlink()):
            continue
        if path.suffix == ".json" and _is_own_format(path, folder):
            recording = read_recording(path, root=folder)
            recording.name = str(path.relative_to(folder))
            recordings.append(recording)
            continue
        found, left_out = read_cassette(path, root=folder)
        for recording in found:
            recording.name = f"{path.relative_to(folder)}{recording.name[len(path.name) :]}"
        recordings += found
        skipped += left_out
    return recordings, skipped


def _is_own_format(path: Path, root: Path) -> bool:
    """A JSON file that says it is one of this package's recordings (or fails to parse: read_recording says why)."""
    try:
        path.resolve().relative_to(root.resolve())
        with path.open("rb") as handle:
            head = handle.read(4096)
    except (OSError, ValueError):
        return True
    return FORMAT.encode() in head or b'"interactions"' not in head


# ---------------------------------------------------------------------------------------------------------------
# Asking the stub


def ask(url: str, recording: Recording, http: Any) -> Answer:
    headers = {
        name: value for name, value in recording.request_headers.items() if name not in _NOT_SENT and name[:1] != ":"
    }
    headers.setdefault("content-type", "application/json")
    response = http.request(
        recording.method, url + recording.path, body=recording.request_body.to_bytes(), headers=headers, retries=False
    )
    reply_headers = {name.lower(): value for name, value in response.headers.items()}
    if reply_headers.get("content-type", "").startswith(EVENT_STREAM):
        decoder = EventStreamBuffer()
        decoder.add_data(response.data)
        events = [stream_event(message.headers, message.payload, 0.0) for message in decoder]
        return Answer(response.status, reply_headers, events=events)
    return Answer(response.status, reply_headers, body=Body.of(response.data))


# ---------------------------------------------------------------------------------------------------------------
# Comparing


def _type_name(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, (int, float)):
        return "number"
    if isinstance(value, str):
        return "string"
    return "array" if isinstance(value, list) else "object"


def _block_kind(block: Any) -> str | None:
    """A content block's kind: its `type` (Messages API) or its one member (Converse's union)."""
    if isinstance(block, dict):
        if isinstance(block.get("type"), str):
            return str(block["type"])
        members = [key for key in block if key != "p"]
        if len(members) == 1:
            return str(members[0])
    return None


def shape(value: Any, where: str = "") -> dict[str, str]:
    """Every path of a JSON value with its type; list items merge under `[]`, content blocks under `[<kind>]`."""
    found: dict[str, str] = {where or "(body)": _type_name(value)}
    if isinstance(value, dict):
        for key, member in value.items():
            if key == "p" and not where:
                continue
            path = f"{where}.{key}" if where else key
            if key == "input" and isinstance(member, (dict, str)) and re.search(r"(tool_use|toolUse)\]?$", where):
                found[path] = _type_name(member)  # a tool call's arguments are generated
                continue
            found.update(shape(member, path))
    elif isinstance(value, list):
        for item in value:
            kind = _block_kind(item) if where.endswith("content") else None
            found.update(shape(item, f"{where}[{kind or ''}]"))
    return found


def _kinds(paths: dict[str, str]) -> set[str]:
    return {match.group(1) for path in paths for match in re.finditer(r"content\[([^\]]+)\]", path)}


def compare_shapes(recorded: Any, answered: Any, where: str) -> Iterator[Difference]:
    old, new = shape(recorded), shape(answered)
    only_one_side = _kinds(old) ^ _kinds(new)

    def compared(path: str) -> bool:
        return not any(f"content[{kind}]" in path for kind in only_one_side)

    def aspect(path: str) -> Aspect:
        return "usage fields" if any(key in path.split(".")[0:3] for key in _USAGE_KEYS) else "reply keys"

    prefix = f"{where}: " if where else ""
    for path in sorted(old.keys() - new.keys()):
        if compared(path) and _parent(path) in new:
            yield Difference(aspect(path), f"{prefix}`{path}` is in the recording, not in the stub's answer")
    for path in sorted(new.keys() - old.keys()):
        if compared(path) and _parent(path) in old:
            yield Difference(aspect(path), f"{prefix}`{path}` is in the stub's answer, not in the recording")
    for path in sorted(old.keys() & new.keys()):
        if old[path] != new[path] and compared(path) and "null" not in (old[path], new[path]):
            yield Difference(
                "value types", f"{prefix}`{path}` is {old[path]} in the recording, {new[path]} in the stub's"
            )


def _parent(path: str) -> str:
    """The path one level up (a missing object is reported once, not once per member)."""
    cut = max(path.rfind("."), path.rfind("["))
    return path[:cut] if cut > 0 else "(body)"


def _stop_reasons(value: Any) -> list[str]:
    found: list[str] = []
    if isinstance(value, dict):
        for key, member in value.items():
            if key in _STOP_KEYS and isinstance(member, str):
                found.append(member)
            else:
                found += _stop_reasons(member)
    elif isinstance(value, list):
        for item in value:
            found += _stop_reasons(item)
    return found


def _event_name(event: Any) -> str:
    if event.kind == "exception":
        return f"exception {event.name}"
    if event.kind == "error":
        return f"error {event.name}"
    if event.name == "chunk" and isinstance(event.payload, dict) and isinstance(event.payload.get("type"), str):
        return str(event.payload["type"])
    return str(event.name)


def event_sequence(events: list[Any]) -> list[str]:
    """The event types in order, with a repeated run (deltas, or whole content blocks) kept once."""
    names = [_event_name(event) for event in events]
    changed = True
    while changed:
        changed = False
        for width in (1, 2, 3):
            index = 0
            while index + 2 * width <= len(names):
                if names[index : index + width] == names[index + width : index + 2 * width]:
                    del names[index + width : index + 2 * width]
                    changed = True
                else:
                    index += 1
    return names


def _error_of(status: int, headers: dict[str, str], body: Body | None) -> tuple[str | None, str | None]:
    kind = headers.get("x-amzn-errortype", "").split(":", 1)[0] or None
    message = None
    if body is not None and body.is_json and isinstance(body.json, dict):
        raw = body.json.get("message", body.json.get("Message"))
        message = raw if isinstance(raw, str) else None
    return kind, message


def compare(recording: Recording, answer: Answer) -> list[Difference]:
    found: list[Difference] = []
    if recording.status != answer.status:
        kind, message = _error_of(answer.status, answer.headers, answer.body)
        said = f" ({kind}: {message})" if kind else ""
        found.append(Difference("status", f"recorded {recording.status}, the stub answered {answer.status}{said}"))
        return found
    if recording.status >= 300:
        old_kind, old_message = _error_of(recording.status, recording.reply_headers, recording.reply_body)
        new_kind, new_message = _error_of(answer.status, answer.headers, answer.body)
        # Some cassette writers drop headers; a side that does not say is not compared.
        if old_kind and new_kind and old_kind != new_kind:
            found.append(Difference("error type", f"recorded {old_kind}, the stub answered {new_kind}"))
        elif old_message is not None and old_message != new_message:
            found.append(Difference("error message", f"recorded {old_message!r}, the stub said {new_message!r}"))
        return found
    if recording.events is None or answer.events is None:
        if (recording.events is None) != (answer.events is None):
            found.append(Difference("reply keys", "one side streamed and the other did not"))
            return found
        old = recording.reply_body.json if recording.reply_body and recording.reply_body.is_json else None
        new = answer.body.json if answer.body and answer.body.is_json else None
        found += compare_shapes(old, new, "")
        found += _compare_stops(_stop_reasons(old), _stop_reasons(new))
        return found
    old_sequence, new_sequence = event_sequence(recording.events), event_sequence(answer.events)
    if old_sequence != new_sequence:
        found.append(
            Difference(
                "event sequence", f"recorded {' → '.join(old_sequence)}; the stub sent {' → '.join(new_sequence)}"
            )
        )
    old_events, new_events = _events_by_name(recording.events), _events_by_name(answer.events)
    for name in [name for name in old_events if name in new_events]:
        found += compare_shapes(old_events[name], new_events[name], f"event {name}")
    for event in recording.events:
        if event.kind != "event":
            twin = next((other for other in answer.events if _event_name(other) == _event_name(event)), None)
            if twin is not None and (twin.message or _message(twin.payload)) != (
                event.message or _message(event.payload)
            ):
                found.append(
                    Difference(
                        "error message",
                        f"{_event_name(event)}: recorded {event.message or _message(event.payload)!r}, "
                        f"the stub said {twin.message or _message(twin.payload)!r}",
                    )
                )
    stops = _compare_stops(
        _stop_reasons([event.payload for event in recording.events]),
        _stop_reasons([event.payload for event in answer.events]),
    )
    return found + stops


def _message(payload: Any) -> str | None:
    return payload.get("message") if isinstance(payload, dict) else None


def _events_by_name(events: list[Any]) -> dict[str, Any]:
    """Each event type's payloads merged into a list, so that its shape is the union over the stream."""
    merged: dict[str, list[Any]] = {}
    for event in events:
        merged.setdefault(_event_name(event), []).append(event.payload)
    return merged


def _compare_stops(old: list[str], new: list[str]) -> list[Difference]:
    if old != new:
        return [
            Difference("stop reason", f"recorded {', '.join(old) or 'none'}; the stub gave {', '.join(new) or 'none'}")
        ]
    return []


# ---------------------------------------------------------------------------------------------------------------
# What the model chose to say


@dataclass
class Script:
    """A recorded reply's generated content, which the stub is told to answer with, so that only the service's
    contract is left to compare: the text, a tool call (the first), the reasoning."""

    text: list[str] = field(default_factory=list)
    reasoning: list[str] = field(default_factory=list)
    tool_name: str | None = None
    tool_input: list[str] = field(default_factory=list)
    tool_arguments: Any = None

    def queue_on(self, stub: Any) -> None:
        tool = None
        if self.tool_name is not None:
            arguments = self.tool_arguments
            if arguments is None:
                try:
                    arguments = json.loads("".join(self.tool_input) or "{}")
                except ValueError:
                    arguments = {}
            tool = {"name": self.tool_name, "input": arguments if isinstance(arguments, dict) else {}}
        stub.queue_reply("".join(self.text), tool_use=tool, reasoning="".join(self.reasoning) or None)


def script_of(recording: Recording) -> Script | None:
    """The generated content of a successful recorded reply, or None for an error."""
    if recording.status != 200:
        return None
    script = Script()
    if recording.events is not None:
        for event in recording.events:
            if event.kind == "event" and isinstance(event.payload, dict):
                _script_event(script, event.payload)
        return script
    body = recording.reply_body.json if recording.reply_body is not None and recording.reply_body.is_json else None
    if not isinstance(body, dict):
        return script
    content: Any = body.get("content")
    if not isinstance(content, list):
        output: dict[str, Any] = body["output"] if isinstance(body.get("output"), dict) else {}
        message: dict[str, Any] = output["message"] if isinstance(output.get("message"), dict) else {}
        content = message["content"] if isinstance(message.get("content"), list) else []
    if isinstance(body.get("completion"), str):
        script.text.append(body["completion"])
    for block in content:
        if isinstance(block, dict):
            _script_block(script, block)
    return script


def _script_block(script: Script, block: dict[str, Any]) -> None:
    if isinstance(block.get("text"), str):
        script.text.append(block["text"])
    tool: dict[str, Any] = block["toolUse"] if isinstance(block.get("toolUse"), dict) else block
    if (tool is not block or block.get("type") == "tool_use") and script.tool_name is None:
        script.tool_name = str(tool.get("name", "tool"))
        script.tool_arguments = tool.get("input")
    reasoning = block.get("reasoningContent")
    if isinstance(reasoning, dict) and isinstance(reasoning.get("reasoningText"), dict):
        script.reasoning.append(str(reasoning["reasoningText"].get("text", "")))
    if block.get("type") == "thinking" and isinstance(block.get("thinking"), str):
        script.reasoning.append(block["thinking"])


def _script_event(script: Script, payload: dict[str, Any]) -> None:
    """One stream event's share: Converse's (contentBlockStart/Delta) or a Messages chunk's."""
    start = payload.get("start") or payload.get("content_block")
    if isinstance(start, dict):
        tool: dict[str, Any] = start["toolUse"] if isinstance(start.get("toolUse"), dict) else start
        if (tool is not start or start.get("type") == "tool_use") and script.tool_name is None:
            script.tool_name = str(tool.get("name", "tool"))
    delta = payload.get("delta")
    if isinstance(delta, dict):
        if isinstance(delta.get("text"), str):
            script.text.append(delta["text"])
        if isinstance(delta.get("partial_json"), str):
            script.tool_input.append(delta["partial_json"])
        if isinstance(delta.get("thinking"), str):
            script.reasoning.append(delta["thinking"])
        tool_delta = delta.get("toolUse")
        if isinstance(tool_delta, dict) and isinstance(tool_delta.get("input"), str):
            script.tool_input.append(tool_delta["input"])
        reasoning = delta.get("reasoningContent")
        if isinstance(reasoning, dict) and isinstance(reasoning.get("text"), str):
            script.reasoning.append(reasoning["text"])
    if isinstance(payload.get("completion"), str):
        script.text.append(payload["completion"])


# ---------------------------------------------------------------------------------------------------------------
# Running and reporting


def check(recordings: list[Recording]) -> list[Outcome]:
    """Asks a stub of its own (signatures not checked, no padding) each recorded request."""
    import urllib3

    from .server import Stub

    outcomes: list[Outcome] = []
    with Stub(verify_signatures=False, stream_head_delay=0, pad_events=False) as stub:
        http = urllib3.PoolManager(timeout=urllib3.Timeout(connect=10, read=60))
        for recording in recordings:
            # The recorded text, tool call and reasoning, so that what differs is the service's part only.
            stub.reset()
            script = script_of(recording)
            if script is not None:
                script.queue_on(stub)
            answer = ask(stub.url, recording, http)
            outcomes.append(Outcome(recording, recording.name, compare(recording, answer)))
        http.clear()
    return outcomes


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def is_claude(model_id: str | None) -> bool:
    """Whether a model id (base, profile or ARN) names one of Anthropic's models, the only ones the stub serves
    (None, ApplyGuardrail's, names no model)."""
    return model_id is not None and ("anthropic." in model_id or "claude" in model_id)


def markdown(folder: Path, outcomes: list[Outcome], skipped: int, other_models: int = 0) -> str:
    differing = [outcome for outcome in outcomes if outcome.differences]
    left_out = [f"{skipped} interaction(s) not with Bedrock Runtime"] if skipped else []
    if other_models:
        left_out.append(f"{other_models} exchange(s) with models other than Claude (--all-models checks them)")
    lines = [
        f"# Contract check: {folder}",
        "",
        f"{len(outcomes)} exchange(s) checked against the stub's own answers: {len(outcomes) - len(differing)} match, "
        f"{len(differing)} differ" + (f"; left out: {'; '.join(left_out)}." if left_out else "."),
        "",
        "| exchange | operation | model | status | result |",
        "|---|---|---|---|---|",
    ]
    for outcome in outcomes:
        recording = outcome.recording
        result = f"{len(outcome.differences)} difference(s)" if outcome.differences else "matches"
        lines.append(
            f"| {_cell(outcome.source)} | {recording.operation} | {_cell(recording.target)} | {recording.status} "
            f"| {result} |"
        )
    if differing:
        lines += ["", "## Differences"]
        for outcome in differing:
            lines += ["", f"### {outcome.source}", ""]
            lines += [f"- {difference.aspect}: {difference.detail}" for difference in outcome.differences]
        lines += ["", "## By aspect", "", "| aspect | exchanges |", "|---|---|"]
        aspects: dict[Aspect, int] = {}
        for outcome in differing:
            for aspect in dict.fromkeys(difference.aspect for difference in outcome.differences):
                aspects[aspect] = aspects.get(aspect, 0) + 1
        lines += [f"| {aspect} | {count} |" for aspect, count in sorted(aspects.items())]
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None, prog: str = "bedrock-stub check") -> int:
    parser = argparse.ArgumentParser(
        prog=prog,
        description="Send every recorded request (this package's recordings, vcrpy or pytest-recording cassettes) to "
        "the stub's own logic and report where its answers differ from the recorded ones: status, error type and "
        "message, reply keys and value types, usage fields, stop reasons, stream event sequence and event keys. "
        "Exit status 1 when anything differs.",
    )
    parser.add_argument("folder", type=Path, metavar="DIR", help="a folder of recordings or cassettes (read in depth)")
    parser.add_argument("--markdown", type=Path, metavar="FILE", help="also write the summary to this file")
    parser.add_argument(
        "--all-models",
        action="store_true",
        help="also check exchanges with models other than Anthropic's (the stub serves Claude only, so each of "
        "those differs from the start)",
    )
    args = parser.parse_args(argv)
    try:
        recordings, skipped = collect(args.folder)
    except RecordingError as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    others = [recording for recording in recordings if not is_claude(recording.model_id)]
    if others and not args.all_models:
        recordings = [recording for recording in recordings if is_claude(recording.model_id)]
    if not recordings:
        print(f"error: {args.folder}: no Bedrock Runtime exchanges with Claude found in it", file=sys.stderr)
        return 2
    outcomes = check(recordings)
    summary = markdown(args.folder, outcomes, skipped, 0 if args.all_models else len(others))
    print(summary, end="")
    if args.markdown is not None:
        try:
            args.markdown.write_text(summary, encoding="utf-8")
        except OSError as exc:
            print(f"error: cannot write {args.markdown}: {exc.strerror or exc}", file=sys.stderr)
            return 2
    return 1 if any(outcome.differences for outcome in outcomes) else 0
