"""What the stub answers: the fixed reply, rules matched against the request, and a queue consumed in order.

A reply is text, a tool call (optionally after some text), or a modelled error. A request that enables extended
thinking also gets a reasoning block before the text: the reply's own `reasoning`, else the stub's (settable, by
default a sentence and a nonce drawn when the stub starts, like the reply). The answer to a request is chosen
in this order: the next queued reply, else the first rule that matches the request, else the fixed reply.

A rule's pattern is matched against the latest user turn by default: the texts and tool results of the last user
message, which is what an agent loop adds each round. So a rule that answers "call the tool" stops matching once the
tool's result comes back, and the loop ends. `match = "conversation"` matches every text the caller sent instead
(system prompt, all messages, tool results and tool specs, joined by newlines). `after_tool_result = true` makes a
rule match only a turn that carries a tool result (`false`: only one that carries none), and may stand alone
without a pattern: the scripted answer to the tool's result.

The reply is then shaped to the request as Claude's API documents it (Anthropic's Messages API reference, "stop
reasons"; Bedrock's Converse API reference, `StopReason`): a stop sequence found in the text ends it before the
sequence, with stop reason `stop_sequence` and the sequence named; text beyond `max_tokens` (estimated at four
characters a token, the stub's heuristic) is cut with stop reason `max_tokens`; a tool call ends with `tool_use`;
anything else with `end_turn`.

Rules files (`--rules FILE`) are JSON or TOML (read with tomllib), a list under `rules` and optionally `queue`:

    [[rules]]
    contains = "weather"                       # or: regex = "(?i)forecast"
    tool_use = { name = "get_weather", input = { city = "Paris" } }

    [[rules]]
    after_tool_result = true                   # the turn that brings the tool's result back
    text = "It is sunny in Paris."

    [[rules]]
    regex = "refuse me"
    error = "AccessDeniedException"
    message = "No access."

    [[queue]]
    text = "first answer"
    reasoning = "what the model thought first"  # sent only to requests that enable thinking
"""

from __future__ import annotations

import base64
import json
import logging
import math
import os
import reprlib
import secrets
import sys
import threading
from collections import deque
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal, cast

from .errors import MODELED_ERRORS, ModeledErrorName
from .operations import OPERATION_NAMES, ModelOperationName
from .wire import MAX_NESTING_DEPTH, safe_text

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - the project supports 3.10, where tomllib is absent
    tomllib = None

_BASE62 = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
# Maps every byte to a base62 character, so that an id is one translate() of random bytes.
_BYTE_TO_BASE62 = "".join(_BASE62[value % 62] for value in range(256)).encode("ascii")


def random_base62(length: int) -> str:
    return os.urandom(length).translate(_BYTE_TO_BASE62).decode("ascii")


DEFAULT_REASONING = (
    "The user asks what a 'hello world' program is for, in one line: it is the smallest program that shows a "
    "toolchain works, so I will say that."
)


def default_reasoning() -> str:
    """The fixed reasoning and a nonce drawn now, so that a sample cannot pass by printing a constant."""
    return f"{DEFAULT_REASONING} (stub reasoning {secrets.token_hex(3)})"


def thinking_signature() -> str:
    """An opaque signature shaped like the ones Claude attaches to a thinking block (base64, drawn per answer)."""
    return base64.b64encode(os.urandom(96)).decode("ascii")


def count_tokens_of_chars(chars: int) -> int:
    # Claude averages about four characters a token; the counts are informative only.
    return max(1, -(-chars // 4))


@dataclass(frozen=True)
class ToolCall:
    name: str
    input: dict[str, Any] = field(default_factory=dict)
    id: str | None = None  # None: an id is drawn per answer, shaped as the operation's ids are

    def __post_init__(self) -> None:
        if not isinstance(self.name, str) or not self.name:
            raise ValueError("tool_use.name must be a non-empty string")
        if self.id is not None and (not isinstance(self.id, str) or not self.id):
            raise ValueError(f"tool_use.id must be a non-empty string, not {_kind(self.id)}")
        if not isinstance(self.input, dict):
            raise ValueError(f"tool_use.input must be a table/object, not {_kind(self.input)}")
        violation = json_violation(self.input, "tool_use.input")
        if violation is not None:
            raise ValueError(violation)


@dataclass(frozen=True)
class Reply:
    text: str = ""
    tool_use: ToolCall | None = None
    error: ModeledErrorName | None = None
    message: str | None = None  # the error's message (None: the service's default wording)
    reasoning: str | None = None  # the thinking sent when a request enables it (None: the stub's reasoning)

    def __post_init__(self) -> None:
        for name in ("text", "message", "reasoning"):
            value = getattr(self, name)
            if value is not None and not isinstance(value, str):
                raise ValueError(f"{name} must be a string, not {_kind(value)}")
        if self.tool_use is not None and not isinstance(self.tool_use, ToolCall):
            raise ValueError("tool_use must be a ToolCall (or, in a rules file, a table with name, input and id)")
        if self.error is not None and self.error not in MODELED_ERRORS:
            raise ValueError(f"{self.error!r} is not a modeled error; choose one of: {', '.join(MODELED_ERRORS)}")


# How long one rule's regular expression may search a request's text; past it the request is answered with
# ModelTimeoutException. The `regex` engine stops a search at its timeout, and releases the GIL while it searches.
RULE_MATCH_SECONDS = 1.0
RULE_TIMEOUT_MESSAGE = "Model has timed out in processing the request."


class RuleTimeout(Exception):
    """A rule's regular expression ran past its time bound on a request's text."""


Match = Literal["latest", "conversation"]
MATCHES: tuple[Match, ...] = ("latest", "conversation")


@dataclass(frozen=True)
class Turn:
    """What rules read of a request: all its text, its latest user turn, and whether that turn is a tool result."""

    conversation: str
    latest: str
    after_tool_result: bool = False


@dataclass(frozen=True)
class Rule:
    reply: Reply
    contains: str | None = None
    regex: str | None = None
    operation: ModelOperationName | None = None  # None: every operation
    match: Match = "latest"
    after_tool_result: bool | None = None  # None: either; True: only a turn with a tool result; False: only without
    _pattern: Any = field(default=None, init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        if self.contains is not None and self.regex is not None:
            raise ValueError("a rule takes one of `contains` and `regex`, not both")
        if self.contains is None and self.regex is None and self.after_tool_result is None:
            raise ValueError("a rule needs `contains`, `regex` or `after_tool_result`")
        if self.match not in MATCHES:
            raise ValueError(f"`match` is one of {', '.join(MATCHES)}, not {self.match!r}")
        if self.after_tool_result is not None and not isinstance(self.after_tool_result, bool):
            raise ValueError("`after_tool_result` is true or false")
        for name in ("contains", "regex", "operation"):
            value = getattr(self, name)
            if value is not None and not isinstance(value, str):
                raise ValueError(f"a rule's {name} must be a string, not {_kind(value)}")
        if self.operation is not None and self.operation not in OPERATION_NAMES:
            raise ValueError(f"unknown operation {self.operation!r}; choose one of: {', '.join(OPERATION_NAMES)}")
        if not isinstance(self.reply, Reply):
            raise ValueError("a rule's reply must be a Reply")
        if self.regex is not None:
            # Imported by the first rule that needs it: the engine costs the stub's start about 16 ms otherwise.
            import regex as engine

            try:
                object.__setattr__(self, "_pattern", engine.compile(self.regex))
            except (engine.error, ValueError, OverflowError, RecursionError, MemoryError) as exc:
                raise ValueError(f"regex {self.regex[:80]!r} does not compile: {exc}") from None

    def matches(self, turn: Turn, operation: ModelOperationName, seconds: float = RULE_MATCH_SECONDS) -> bool:
        """Whether the request is this rule's; a regular expression that runs past `seconds` raises RuleTimeout."""
        if self.operation not in (None, operation):
            return False
        if self.after_tool_result is not None and self.after_tool_result != turn.after_tool_result:
            return False
        text = turn.latest if self.match == "latest" else turn.conversation
        if self.contains is not None:
            return self.contains in text
        if self._pattern is not None:
            try:
                return self._pattern.search(text, timeout=seconds, concurrent=True) is not None
            except TimeoutError:
                raise RuleTimeout(self.regex) from None
        return True


def _kind(value: Any) -> str:
    """A value's type as a rules file would name it."""
    return f"{type(value).__name__} {safe_text(reprlib.repr(value), 40)}"


def json_violation(value: Any, where: str) -> str | None:
    """Why a value from a rules file or the API cannot go out in a JSON reply (a TOML date, NaN, a non-string key,
    nesting beyond the wire's bound), or None. Walks without recursion."""
    pending: list[tuple[Any, str, int]] = [(value, where, 1)]
    while pending:
        item, place, depth = pending.pop()
        if depth > MAX_NESTING_DEPTH:
            return f"{place}: nested deeper than {MAX_NESTING_DEPTH} levels"
        if isinstance(item, dict):
            for key, member in item.items():
                if not isinstance(key, str):
                    return f"{place}: key {_kind(key)} is not a string"
                pending.append((member, f"{place}.{safe_text(key, 40)}", depth + 1))
        elif isinstance(item, list):
            pending.extend((member, f"{place}[{index}]", depth + 1) for index, member in enumerate(item))
        elif isinstance(item, float) and not math.isfinite(item):
            return f"{place}: {item} is not a JSON number (NaN and infinities have no JSON form)"
        elif isinstance(item, str):
            try:
                item.encode("utf-8")
            except UnicodeEncodeError:
                return f"{place}: a lone surrogate cannot be encoded as UTF-8"
        elif item is not None and not isinstance(item, (bool, int, float)):
            kind = type(item).__name__
            return f"{place}: a {kind} has no JSON form (write it as a string): {safe_text(reprlib.repr(item), 40)}"
    return None


# Why an answer ended, in Claude's words (Converse's StopReason uses the same ones); `guardrail_intervened` only on
# Converse, when a guardrail blocked the request or the answer.
StopReason = Literal["end_turn", "tool_use", "max_tokens", "stop_sequence", "guardrail_intervened"]


@dataclass(frozen=True)
class Answer:
    """A reply shaped to one request: what the model 'generated' and why it stopped."""

    text: str
    tool_use: ToolCall | None
    stop_reason: StopReason
    stop_sequence: str | None = None
    # The thinking block before the text, for a request that enabled extended thinking; None: no such block.
    reasoning: str | None = None
    signature: str = ""

    @property
    def output_tokens(self) -> int:
        tool_chars = len(json.dumps(self.tool_use.input)) if self.tool_use else 0
        return count_tokens_of_chars(len(self.text) + tool_chars + len(self.reasoning or ""))


def shape(
    reply: Reply, *, max_tokens: int | None, stop_sequences: Iterable[str] = (), reasoning: str | None = None
) -> Answer:
    """Cuts the reply at the first stop sequence, then at `max_tokens` (None: no limit); `reasoning` (the thinking
    to send, for a request that enabled it) comes whole, as Claude finishes thinking before it answers."""
    text = reply.text
    extra: dict[str, Any] = {}
    if reasoning is not None:
        extra = {"reasoning": reasoning, "signature": thinking_signature()}
    cuts = [(text.find(sequence), sequence) for sequence in stop_sequences if sequence and sequence in text]
    if cuts:
        position, sequence = min(cuts)
        return Answer(text[:position], None, "stop_sequence", sequence, **extra)
    if max_tokens is not None and count_tokens_of_chars(len(text)) > max_tokens:
        return Answer(text[: max_tokens * 4], None, "max_tokens", **extra)
    if reply.tool_use is not None:
        return Answer(text, reply.tool_use, "tool_use", **extra)
    return Answer(text, None, "end_turn", **extra)


class Replies:
    """The queue and the rules, safe to change from any thread while the stub serves."""

    def __init__(self, match_seconds: float = RULE_MATCH_SECONDS) -> None:
        self._lock = threading.Lock()
        self._queue: deque[Reply] = deque()
        self._rules: list[Rule] = []
        self.match_seconds = match_seconds
        self._timed_out: dict[int, Rule] = {}  # rules already reported as running past their bound

    def queue(self, reply: Reply) -> None:
        with self._lock:
            self._queue.append(reply)

    def add_rule(self, rule: Rule) -> None:
        with self._lock:
            self._rules.append(rule)

    def reset(self) -> None:
        with self._lock:
            self._queue.clear()
            self._rules.clear()

    @property
    def queued(self) -> int:
        with self._lock:
            return len(self._queue)

    @property
    def has_patterns(self) -> bool:
        """Whether choosing may search regular expressions (callers on an event loop then choose in a thread)."""
        with self._lock:
            return any(rule.regex is not None for rule in self._rules)

    def choose(self, turn: Turn, operation: ModelOperationName) -> Reply | None:
        """The queued or rule-given reply for a request, or None for the fixed reply. Rules are matched outside the
        lock, so that a slow one holds up no one changing the replies; one past its bound answers
        ModelTimeoutException and is reported once."""
        with self._lock:
            if self._queue:
                return self._queue.popleft()
            rules = list(self._rules)
        for rule in rules:
            try:
                if rule.matches(turn, operation, self.match_seconds):
                    return rule.reply
            except RuleTimeout:
                self._report_timeout(rule)
                return Reply(error="ModelTimeoutException", message=RULE_TIMEOUT_MESSAGE)
        return None

    def _report_timeout(self, rule: Rule) -> None:
        with self._lock:
            if id(rule) in self._timed_out:
                return
            self._timed_out[id(rule)] = rule
        logging.getLogger("bedrock_stub").warning(
            "rule regex %r ran past %s s on a request's text; such requests are answered ModelTimeoutException",
            safe_text(rule.regex or "", 80),
            self.match_seconds,
        )


def reply_from_mapping(spec: Mapping[str, Any]) -> Reply:
    """A reply from a rules file entry or keyword arguments: `text`, `tool_use` {name, input, id}, `error`,
    `message`, `reasoning`."""
    if not isinstance(spec, Mapping):
        raise ValueError(f"a rule or queued reply is a table/object, not {_kind(spec)}")
    unknown = set(spec) - {"text", "tool_use", "error", "message", "reasoning", *_RULE_KEYS}
    if unknown:
        known = "a reply has text, tool_use, error, message and reasoning"
        raise ValueError(f"unknown keys {sorted(map(str, unknown))}; {known}")
    tool = spec.get("tool_use")
    tool_use = None
    if tool is not None:
        if not isinstance(tool, Mapping) or not isinstance(tool.get("name"), str):
            raise ValueError("tool_use needs a name (and optionally input, a table/object, and id)")
        tool_input = tool.get("input", {})
        if not isinstance(tool_input, Mapping):
            raise ValueError(f"tool_use.input must be a table/object, not {_kind(tool_input)}")
        tool_use = ToolCall(tool["name"], dict(tool_input), tool.get("id"))
    error = spec.get("error")
    if error is not None and not isinstance(error, str):
        raise ValueError(f"error must be the name of a modeled error, not {_kind(error)}")
    return Reply(
        text=spec.get("text", ""),
        tool_use=tool_use,
        error=cast("ModeledErrorName | None", error),  # Reply refuses a name that is not one
        message=spec.get("message"),
        reasoning=spec.get("reasoning"),
    )


_RULE_KEYS = ("contains", "regex", "operation", "match", "after_tool_result")


def rule_from_mapping(entry: Mapping[str, Any]) -> Rule:
    """A rule from a rules file entry: its reply, and `contains`/`regex`, `operation`, `match`, `after_tool_result`."""
    if not isinstance(entry, Mapping):
        raise ValueError(f"a rule is a table/object, not {_kind(entry)}")
    return Rule(
        reply_from_mapping(entry),
        entry.get("contains"),
        entry.get("regex"),
        entry.get("operation"),
        entry.get("match", "latest"),
        entry.get("after_tool_result"),
    )


# A rules file is a few rules and replies; anything larger is a mistake (such as --rules /dev/zero).
MAX_RULES_FILE_BYTES = 16 * 1024 * 1024


def load_rules_file(path: Path) -> tuple[list[Rule], list[Reply]]:
    """Rules and queued replies from a JSON or TOML file (by its suffix; anything but .toml is read as JSON).
    Whatever the file holds, a problem raises ValueError (or OSError, if it cannot be read) saying what is wrong."""
    with path.open("rb") as file:
        raw = file.read(MAX_RULES_FILE_BYTES + 1)
    if len(raw) > MAX_RULES_FILE_BYTES:
        raise ValueError(f"larger than {MAX_RULES_FILE_BYTES // (1024 * 1024)} MiB; a rules file holds a few rules")
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise ValueError(f"not UTF-8 text (byte {exc.start})") from None
    try:
        if path.suffix.lower() == ".toml":
            if tomllib is None:
                raise ValueError("TOML rules files need Python 3.11 or later (tomllib); use JSON instead")
            document = tomllib.loads(text)
        else:
            document = json.loads(text, parse_constant=_refuse_constant)
    except RecursionError:
        raise ValueError("nested too deeply to read") from None
    if not isinstance(document, dict):
        raise ValueError("a rules file holds an object with `rules` and/or `queue` lists")
    unknown = set(document) - {"rules", "queue"}
    if unknown:
        raise ValueError(f"unknown top-level keys {sorted(unknown)}; expected `rules` and/or `queue`")
    entries = {name: document.get(name, []) for name in ("rules", "queue")}
    for name, items in entries.items():
        if not isinstance(items, list) or not all(isinstance(item, dict) for item in items):
            raise ValueError(f"`{name}` must be a list of tables/objects")
    rules, queue = [], []
    for index, entry in enumerate(entries["rules"]):
        try:
            rules.append(rule_from_mapping(entry))
        except ValueError as exc:
            raise ValueError(f"rules[{index}]: {exc}") from None
    for index, entry in enumerate(entries["queue"]):
        try:
            queue.append(reply_from_mapping(entry))
        except ValueError as exc:
            raise ValueError(f"queue[{index}]: {exc}") from None
    return rules, queue


def _refuse_constant(token: str) -> Any:
    raise ValueError(f"{token} is not a JSON value (NaN and infinities have no JSON form)")
