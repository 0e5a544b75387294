"""The replies and failures every sample is run under, and what each registry entry is expected to do in each."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

from bedrock_stub import CATALOGUE, Catalogue, Stub, ToolCall
from bedrock_stub.models import INVALID_MODEL_ID
from bedrock_stub.replies import random_base62

from .registry import ErrorPath, Language, Sample

PLAIN = "plain"
# Accented letters, CJK, an emoji, double quotes, a backslash, a tab and newlines.
FIDELITY_TEXT = 'Ça marche: «héllo» — 世界 你好 🙂👍 "double quotes" back\\slash\ttab\nsecond line\n  indented third'
LONG_REPLY_CHARS = 100_000
ExpectationKind = Literal["reply", "error", "stream-cut", "not-applicable"]


def long_reply() -> str:
    line = "A long reply arrives whole, every character in place: 0123456789 abcdefghijklmnopqrstuvwxyz.\n"
    text = (line * (LONG_REPLY_CHARS // len(line) + 1))[:LONG_REPLY_CHARS]
    return text.rstrip("\n") + " (end)"


@dataclass(frozen=True)
class Expectation:
    """`reply`: prints the stub's reply; `error`: its error path runs; `stream-cut`: prints the text before a
    broken stream and ends normally; `not-applicable`: `why` says why."""

    kind: ExpectationKind
    why: str = ""
    error: str | None = None
    message: str | None = None
    path: ErrorPath | None = None
    retried: bool = False  # the SDK must have retried (the journal shows more than one attempt)
    # False where another snippet of the same program run is expected to fail, so the exit code is not this one's.
    check_exit: bool = True
    # The model's tool call must have been answered: a later request carries the tool's result.
    tool_round_trip: bool = False

    def describe(self) -> str:
        if self.kind == "error":
            return f"its error path reports {self.error}"
        if self.kind == "stream-cut":
            return "prints the text before the stream broke off and ends normally (it ignores the stream's error)"
        if self.kind == "reply" and self.tool_round_trip:
            return "calls its tool, sends the result back, and prints the final reply"
        if self.kind == "reply":
            return "prints the reply" + (" after retrying" if self.retried else "")
        return f"not applicable: {self.why}"


@dataclass(frozen=True)
class Scenario:
    name: str
    description: str
    # What it returns is ignored (the stub's own methods return what they set up).
    arrange: Callable[[Stub], object] = lambda stub: None
    expect: Callable[[Language, Sample], Expectation] = lambda language, sample: Expectation("reply")
    streaming_only: bool = False
    # Builds the scenario's stub from the samples one run serves (for a catalogue without their models).
    stub_options: Callable[[list[Sample]], dict[str, Any]] = field(default=lambda samples: {})
    # Arranges the stub for the samples one run serves, after `arrange` (the replies a tool round trip scripts).
    arrange_for: Callable[[Stub, Sequence[Sample]], None] = lambda stub, samples: None

    def expectation(self, language: Language, sample: Sample) -> Expectation:
        if self.streaming_only and not sample.streams:
            return Expectation("not-applicable", why="the sample does not stream")
        return self.expect(language, sample)


def error_expected(sample: Sample, error: str, message: str) -> Expectation:
    return Expectation("error", error=error, message=message, path=sample.error_path(error))


ACCESS_DENIED_MESSAGE = "You don't have access to the model with the specified model ID."
VALIDATION_MESSAGE = "Malformed input request: #/temperature: 2 is not less or equal to 1, please reformat your input."
THROTTLE_MESSAGE = "Too many requests, please wait before trying again."
STREAM_ERROR_MESSAGE = "The model stream broke off after the first event."


def _set_reply(text: str) -> Callable[[Stub], None]:
    def arrange(stub: Stub) -> None:
        stub.reply = text

    return arrange


def _throttled_then_fine(language: Language, sample: Sample) -> Expectation:
    # One throttle a run: only the run's first request meets it; a later snippet of the same run is answered.
    first_of_run = next(candidate for candidate in language.samples if candidate.run == sample.run)
    if sample is not first_of_run:
        return Expectation("reply")
    if language.retries_throttling:
        return Expectation("reply", retried=True)
    return error_expected(sample, "ThrottlingException", THROTTLE_MESSAGE)


def _long_reply(stub: Stub) -> None:
    stub.reply = long_reply()
    # The samples ask for far fewer tokens than this; the scenario exists to carry a large body whole.
    stub.state.honour_max_tokens = False


def _stream_breaks(language: Language, sample: Sample) -> Expectation:
    if sample.ignores_stream_errors:
        return Expectation("stream-cut", error="ModelStreamErrorException", message=STREAM_ERROR_MESSAGE)
    return error_expected(sample, "ModelStreamErrorException", STREAM_ERROR_MESSAGE)


def _catalogue_without_models_of(samples: list[Sample]) -> dict[str, Any]:
    """A catalogue without the models the samples call, whatever form of id names them: a base id, an inference
    profile (`global.`, `us.`, ...) or an ARN. Bedrock answers an id whose model it does not serve, profiles
    included, with "The provided model identifier is invalid.", the catalogue's own refusal."""
    catalogue = Catalogue()
    behind = {catalogue.model_behind(sample.model_id) for sample in samples}
    return {"models": [model for model in CATALOGUE if model not in behind]}


def _many_deltas(stub: Stub) -> None:
    stub.state.stream_piece_chars = 1
    stub.reply = FIDELITY_TEXT


# The id of the model's tool call in a tool round trip (drawn once, shaped as Converse's are), so that the judge
# can find the call's result in the requests that follow.
TOOL_USE_ID = "tooluse_" + random_base62(22)
TOOL_PREAMBLE = "I'll look up the current weather there with the Weather_Tool."


def _tool_round_trip(stub: Stub, samples: Sequence[Sample]) -> None:
    """The model first calls the sample's tool (after a sentence, as Claude does), then answers the stub's reply."""
    tool = next((sample.tool for sample in samples if sample.tool is not None), None)
    if tool is None:
        return
    stub.queue_reply(TOOL_PREAMBLE, tool_use=ToolCall(tool.name, dict(tool.input), TOOL_USE_ID))
    stub.queue_reply(stub.reply)


def _uses_tool(language: Language, sample: Sample) -> Expectation:
    if sample.tool is None:
        return Expectation("not-applicable", why="the sample offers the model no tool")
    return Expectation("reply", tool_round_trip=True)


SCENARIOS: tuple[Scenario, ...] = (
    Scenario(PLAIN, "the default reply: a fixed sentence and a nonce drawn when the stub starts"),
    Scenario(
        "text-fidelity",
        "a reply with accents, CJK, emoji, quotes, a backslash, a tab and newlines",
        arrange=_set_reply(FIDELITY_TEXT),
    ),
    Scenario("long-reply", f"a reply of {LONG_REPLY_CHARS:,} characters", arrange=_long_reply),
    Scenario(
        "access-denied",
        "every request is refused with AccessDeniedException",
        arrange=lambda stub: stub.inject_error("AccessDeniedException", ACCESS_DENIED_MESSAGE),
        expect=lambda language, sample: error_expected(sample, "AccessDeniedException", ACCESS_DENIED_MESSAGE),
    ),
    Scenario(
        "validation-error",
        "every request is refused with ValidationException",
        # Bedrock checks a request before a stream opens, so the stream operations get an HTTP 400 too (as boto3
        # and Go SDK users report it for InvokeModelWithResponseStream).
        arrange=lambda stub: stub.inject_error("ValidationException", VALIDATION_MESSAGE, http_on_stream=True),
        expect=lambda language, sample: error_expected(sample, "ValidationException", VALIDATION_MESSAGE),
    ),
    Scenario(
        "throttled-then-fine",
        "the first request is throttled, the next ones answered",
        # Bedrock throttles before a stream starts, so the stream operation gets an HTTP 429 too.
        arrange=lambda stub: stub.inject_error("ThrottlingException", THROTTLE_MESSAGE, count=1, http_on_stream=True),
        expect=_throttled_then_fine,
    ),
    Scenario(
        "model-not-found",
        "the stub's catalogue lacks the sample's model",
        expect=lambda language, sample: error_expected(sample, "ValidationException", INVALID_MODEL_ID),
        stub_options=_catalogue_without_models_of,
    ),
    Scenario(
        "stream-many-deltas", "the reply streamed one character a delta", arrange=_many_deltas, streaming_only=True
    ),
    Scenario(
        "stream-exception",
        "a modelStreamErrorException frame after the first events",
        arrange=lambda stub: stub.inject_error("ModelStreamErrorException", STREAM_ERROR_MESSAGE),
        expect=_stream_breaks,
        streaming_only=True,
    ),
    Scenario(
        "tool-round-trip",
        "the model calls the sample's tool, then answers once the tool's result comes back",
        expect=_uses_tool,
        arrange_for=_tool_round_trip,
    ),
)


def scenario(name: str) -> Scenario:
    for candidate in SCENARIOS:
        if candidate.name == name:
            return candidate
    raise KeyError(f"no scenario {name!r}; known: {', '.join(scenario_names())}")


def scenario_names() -> list[str]:
    return [candidate.name for candidate in SCENARIOS]
