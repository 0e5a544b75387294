"""What the stub's models do: the catalogue, request validation and the replies (no HTTP here)."""

from __future__ import annotations

import json
import math
import os
import string
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any

from .errors import BedrockError, malformed_input, validation_error

ANTHROPIC_VERSION = "bedrock-2023-05-31"
MESSAGES = "messages"
TEXT_COMPLETIONS = "text-completions"

# Prefixes of cross-region inference profiles: `us.anthropic...` names the same model.
_PROFILE_PREFIXES = ("us.", "eu.", "apac.", "global.", "us-gov.", "jp.", "au.", "ca.")


@dataclass(frozen=True)
class Model:
    model_id: str
    name: str  # the `model` field of a Messages reply
    max_output_tokens: int
    text_completions: bool = False
    messages: bool = True


CATALOGUE: tuple[Model, ...] = (
    Model("anthropic.claude-3-haiku-20240307-v1:0", "claude-3-haiku-20240307", 4096),
    Model("anthropic.claude-3-sonnet-20240229-v1:0", "claude-3-sonnet-20240229", 4096),
    Model("anthropic.claude-3-5-sonnet-20240620-v1:0", "claude-3-5-sonnet-20240620", 8192),
    Model("anthropic.claude-v2", "claude-2.0", 4096, text_completions=True),
    Model("anthropic.claude-v2:1", "claude-2.1", 4096, text_completions=True),
    Model("anthropic.claude-instant-v1", "claude-instant-1.2", 4096, text_completions=True),
)

INVALID_MODEL_ID = "The provided model identifier is invalid."


class Catalogue:
    def __init__(self, models: Iterable[Model] = CATALOGUE) -> None:
        self._by_id = {model.model_id: model for model in models}

    def __iter__(self) -> Iterator[Model]:
        return iter(self._by_id.values())

    def resolve(self, model_id: str) -> Model:
        """Maps a model id, ARN or inference-profile id to a model, as Bedrock does."""
        candidate = model_id
        if candidate.startswith("arn:"):
            # arn:aws:bedrock:<region>:<account>:foundation-model/<id> (or inference-profile/<id>)
            _, _, resource = candidate.partition("/")
            candidate = resource
        if candidate not in self._by_id:
            for prefix in _PROFILE_PREFIXES:
                if candidate.startswith(prefix) and candidate[len(prefix) :] in self._by_id:
                    candidate = candidate[len(prefix) :]
                    break
        model = self._by_id.get(candidate)
        if model is None:
            raise validation_error(INVALID_MODEL_ID)
        return model


@dataclass
class Invocation:
    """A validated request: which model, which API, and the rules it broke that Bedrock tolerates here."""

    model: Model
    api: str
    body: dict[str, Any]
    findings: list[str] = field(default_factory=list)
    input_tokens: int = 0


_MESSAGES_KEYS = {
    "anthropic_version",
    "anthropic_beta",
    "max_tokens",
    "messages",
    "system",
    "temperature",
    "top_p",
    "top_k",
    "stop_sequences",
    "tools",
    "tool_choice",
    "metadata",
    "thinking",
}
_COMPLETIONS_KEYS = {
    "prompt",
    "max_tokens_to_sample",
    "temperature",
    "top_p",
    "top_k",
    "stop_sequences",
    "anthropic_version",
}
PROMPT_START_RULE = 'Invalid prompt: prompt must start with "\\n\\nHuman:" turn after an optional system prompt'
PROMPT_END_RULE = 'Invalid prompt: prompt must end with "\\n\\nAssistant:" turn'


def parse_invocation(model: Model, raw: bytes, *, strict: bool) -> Invocation:
    """Validates a native request body the way Bedrock does for an Anthropic model."""
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise malformed_input(f"#: body is not valid UTF-8 (byte {exc.start})") from None
    try:
        body = json.loads(text)
    except json.JSONDecodeError as exc:
        raise malformed_input(f"#: invalid JSON at line {exc.lineno} column {exc.colno}: {exc.msg}") from None
    if not isinstance(body, dict):
        raise malformed_input(f"#: expected type: JSONObject, found: {_json_type(body)}")
    wants_completions = "prompt" in body and "messages" not in body
    if wants_completions and not model.text_completions:
        raise validation_error(f'"{model.name}" is not supported on this API. Please use the Messages API instead.')
    if model.text_completions and "messages" not in body:
        return _parse_text_completions(model, body, strict)
    return _parse_messages(model, body)


def _parse_messages(model: Model, body: dict[str, Any]) -> Invocation:
    violations = [
        f"#: required key [{key}] not found"
        for key in ("anthropic_version", "max_tokens", "messages")
        if key not in body
    ]
    violations += [f"#: extraneous key [{key}] is not permitted" for key in body if key not in _MESSAGES_KEYS]
    if violations:
        raise malformed_input(*violations)
    if body["anthropic_version"] != ANTHROPIC_VERSION:
        raise malformed_input(f"#/anthropic_version: {body['anthropic_version']} is not a valid enum value")
    _check_integer(body, "max_tokens", minimum=1)
    _check_number(body, "temperature", 0, 1)
    _check_number(body, "top_p", 0, 1)
    messages = body["messages"]
    if not isinstance(messages, list):
        raise malformed_input(f"#/messages: expected type: JSONArray, found: {_json_type(messages)}")
    if not messages:
        raise malformed_input("#/messages: expected minimum item count: 1, found: 0")
    input_chars = 0
    for index, message in enumerate(messages):
        input_chars += _check_message(index, message)
    if messages[0]["role"] != "user":
        raise validation_error('messages: first message must use the "user" role')
    if body["max_tokens"] > model.max_output_tokens:
        raise validation_error(
            f"max_tokens: {body['max_tokens']} > {model.max_output_tokens}, which is the maximum "
            f"allowed number of output tokens for {model.name}"
        )
    return Invocation(model, MESSAGES, body, input_tokens=count_tokens_of_chars(input_chars))


def _check_message(index: int, message: Any) -> int:
    where = f"#/messages/{index}"
    if not isinstance(message, dict):
        raise malformed_input(f"{where}: expected type: JSONObject, found: {_json_type(message)}")
    missing = [f"{where}: required key [{key}] not found" for key in ("role", "content") if key not in message]
    if missing:
        raise malformed_input(*missing)
    if message["role"] not in ("user", "assistant"):
        raise malformed_input(f"{where}/role: {message['role']} is not a valid enum value")
    content = message["content"]
    if isinstance(content, str):
        return len(content)
    if not isinstance(content, list):
        raise malformed_input(f"{where}/content: expected type: JSONArray, found: {_json_type(content)}")
    chars = 0
    for block_index, block in enumerate(content):
        block_where = f"{where}/content/{block_index}"
        if not isinstance(block, dict) or "type" not in block:
            raise malformed_input(f"{block_where}: required key [type] not found")
        if block["type"] == "text":
            if not isinstance(block.get("text"), str):
                raise malformed_input(f"{block_where}: required key [text] not found")
            chars += len(block["text"])
    return chars


def _parse_text_completions(model: Model, body: dict[str, Any], strict: bool) -> Invocation:
    violations = [f"#: required key [{key}] not found" for key in ("prompt", "max_tokens_to_sample") if key not in body]
    violations += [f"#: extraneous key [{key}] is not permitted" for key in body if key not in _COMPLETIONS_KEYS]
    if violations:
        raise malformed_input(*violations)
    prompt = body["prompt"]
    if not isinstance(prompt, str):
        raise malformed_input(f"#/prompt: expected type: String, found: {_json_type(prompt)}")
    _check_integer(body, "max_tokens_to_sample", minimum=1)
    _check_number(body, "temperature", 0, 1)
    _check_number(body, "top_p", 0, 1)
    findings = []
    if "\n\nHuman:" not in prompt:
        findings.append(PROMPT_START_RULE)
    if not prompt.endswith("\n\nAssistant:"):
        findings.append(PROMPT_END_RULE)
    if strict and findings:
        raise validation_error(findings[0])
    return Invocation(model, TEXT_COMPLETIONS, body, findings, input_tokens=count_tokens_of_chars(len(prompt)))


def _check_integer(body: dict[str, Any], key: str, *, minimum: int) -> None:
    value = body.get(key)
    if value is None and key not in body:
        return
    if isinstance(value, bool) or not isinstance(value, int):
        raise malformed_input(f"#/{key}: expected type: Integer, found: {_json_type(value)}")
    if value < minimum:
        raise malformed_input(f"#/{key}: {value} is not greater or equal to {minimum}")


def _check_number(body: dict[str, Any], key: str, low: float, high: float) -> None:
    if key not in body:
        return
    value = body[key]
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise malformed_input(f"#/{key}: expected type: Number, found: {_json_type(value)}")
    if not math.isfinite(value) or value < low:
        raise malformed_input(f"#/{key}: {value} is not greater or equal to {low}")
    if value > high:
        raise malformed_input(f"#/{key}: {value} is not less or equal to {high}")


def _json_type(value: Any) -> str:
    names = {
        dict: "JSONObject",
        list: "JSONArray",
        str: "String",
        bool: "Boolean",
        int: "Integer",
        float: "BigDecimal",
        type(None): "Null",
    }
    return names.get(type(value), type(value).__name__)


def count_tokens_of_chars(chars: int) -> int:
    # Claude averages about four characters a token; the counts are informative only.
    return max(1, math.ceil(chars / 4))


_BASE62 = string.digits + string.ascii_uppercase + string.ascii_lowercase
# Maps every byte to a base62 character, so that an id is one translate() of random bytes.
_BYTE_TO_BASE62 = "".join(_BASE62[value % 62] for value in range(256)).encode("ascii")


def message_id() -> str:
    """An id shaped like Bedrock's: msg_bdrk_01 and 22 random base62 characters."""
    return "msg_bdrk_01" + os.urandom(22).translate(_BYTE_TO_BASE62).decode("ascii")


def reply_body(invocation: Invocation, text: str) -> dict[str, Any]:
    """The InvokeModel reply in the model's native format."""
    if invocation.api == TEXT_COMPLETIONS:
        return {"type": "completion", "completion": text, "stop_reason": "stop_sequence", "stop": "\n\nHuman:"}
    return {
        "id": message_id(),
        "type": "message",
        "role": "assistant",
        "model": invocation.model.name,
        "content": [{"type": "text", "text": text}],
        "stop_reason": "end_turn",
        "stop_sequence": None,
        "usage": {"input_tokens": invocation.input_tokens, "output_tokens": count_tokens_of_chars(len(text))},
    }


def split_text(text: str, piece_chars: int) -> list[str]:
    """Cuts the reply into the pieces that stream as deltas (at least one, possibly empty)."""
    if not text:
        return [""]
    return [text[start : start + piece_chars] for start in range(0, len(text), piece_chars)]


def stream_events(invocation: Invocation, pieces: list[str], metrics: dict[str, int]) -> list[dict[str, Any]]:
    """The model's native stream events for a reply cut into `pieces`, in Bedrock's order."""
    output_tokens = count_tokens_of_chars(sum(len(piece) for piece in pieces))
    final_metrics = {
        "amazon-bedrock-invocationMetrics": {
            "inputTokenCount": invocation.input_tokens,
            "outputTokenCount": output_tokens,
            **metrics,
        }
    }
    if invocation.api == TEXT_COMPLETIONS:
        events: list[dict[str, Any]] = [
            {"type": "completion", "completion": piece, "stop_reason": None, "stop": None} for piece in pieces
        ]
        events[-1] = {**events[-1], "stop_reason": "stop_sequence", "stop": "\n\nHuman:", **final_metrics}
        return events
    start = {
        "type": "message_start",
        "message": {
            "id": message_id(),
            "type": "message",
            "role": "assistant",
            "model": invocation.model.name,
            "content": [],
            "stop_reason": None,
            "stop_sequence": None,
            "usage": {"input_tokens": invocation.input_tokens, "output_tokens": 1},
        },
    }
    return [
        start,
        {"type": "content_block_start", "index": 0, "content_block": {"type": "text", "text": ""}},
        *(
            {"type": "content_block_delta", "index": 0, "delta": {"type": "text_delta", "text": piece}}
            for piece in pieces
        ),
        {"type": "content_block_stop", "index": 0},
        {
            "type": "message_delta",
            "delta": {"stop_reason": "end_turn", "stop_sequence": None},
            "usage": {"output_tokens": output_tokens},
        },
        {"type": "message_stop", **final_metrics},
    ]


__all__ = [
    "CATALOGUE",
    "BedrockError",
    "Catalogue",
    "Invocation",
    "Model",
    "parse_invocation",
    "reply_body",
    "split_text",
    "stream_events",
]
