"""What the stub's models do with InvokeModel bodies: validation and the native replies (no HTTP here).

The catalogue lives in `catalogue.py` and is re-exported here for existing callers.

Extended thinking, as Anthropic documents it ("Building with extended thinking"; the `ThinkingBlock`,
`ThinkingDelta` and `SignatureDelta` types of the `anthropic` SDK) and Bedrock serves it: a Messages body with
`thinking: {"type": "enabled", "budget_tokens": N}` gets a reply whose content starts with
`{"type": "thinking", "thinking": ..., "signature": ...}` before the text block; its stream sends that block first
(`content_block_start` with an empty thinking block, `thinking_delta`s, one `signature_delta`,
`content_block_stop`), then the text block at index 1. The rules checked, with the messages Bedrock users report
where one was found:
- only models with the catalogue's `thinking` flag know the key; the others refuse it as any unknown key;
- `type` is `enabled` or `disabled`, and `enabled` needs `budget_tokens` of at least 1,024 (Anthropic's minimum:
  "thinking.enabled.budget_tokens: Input should be greater than or equal to 1024", as an Anthropic-compatible API
  answered it in tingly-dev/tingly-box#569; a missing budget and a wrong `type` get pydantic's wording too);
- `max_tokens` must be greater than `budget_tokens` ("`max_tokens` must be greater than
  `thinking.budget_tokens`", Anthropic's message);
- `temperature` only 1 ("temperature may only be set to 1 when thinking is enabled.", as Bedrock returned it in
  Aider-AI/aider#3720 and MartialBE/one-hub#529), `top_k` unset and `top_p` from 0.95 to 1 (Anthropic's
  "Feature compatibility" notes; those two messages are the stub's own, in the same style).
Converse puts the same errors behind "The model returned the following errors: ", as it does for every error the
model itself reports.

What the thinking block shows follows `thinking.display`, "summarized" or "omitted" (Anthropic's "Controlling
thinking display"). Omitted, the block keeps its signature and carries an empty `thinking`, and a stream sends its
`content_block_start` and `signature_delta` with no `thinking_delta` between them; Converse's `reasoningText` then
has an empty `text` and ConverseStream only the signature delta. The default is "omitted" on the models the
catalogue marks `omits_thinking` (Opus 4.7 and later, Sonnet 5, Fable 5), "summarized" on the others, as Bedrock
serves them: Opus 4.8 through `us.` profiles streamed empty thinking unless `display: "summarized"` was sent, which a
raw InvokeModel honoured (anthropics/claude-agent-sdk-typescript#373, 2026-07-10); Sonnet 5 through
`global.anthropic.claude-sonnet-5` the same (anthropics/claude-code#79060, 2026-07-19, InvokeModelWithResponseStream;
crmne/ruby_llm#868, 2026-08-10, and Boise-State-Development/agentcore-public-stack#721, 2026-07-24, Converse
`reasoningText` with an empty text and a signature); Opus 4.7 (anomalyco/opencode#23166, 2026-04-17), Opus 5 and
5.5 (stdapi-ai/stdapi.ai#285, 2026-09-22) likewise; Sonnet 4.6 still sends its summary unasked (#373). Another
value is refused in the schema check's words (the stub's own message: no recording of one was found).

Prompt caching in a Messages body: `cache_control: {"type": "ephemeral", "ttl"?: "5m"|"1h"}` on a tool, a system
block or a content block ends a prefix to cache (Anthropic's "Prompt caching"; AWS's prompt caching guide for
InvokeModel); `prompt_cache.py` holds the cache. A wrong type or TTL is refused as the schema check words any bad
enum value, more than four points with Claude's "A maximum of 4 blocks with cache_control may be provided. Found
N." The reply's usage then carries `cache_creation_input_tokens` and `cache_read_input_tokens` (always, for the
models `prompt_cache.reports_cache_usage` names), and `input_tokens` counts only the rest.

Custom tools' `input_schema` and `tool_choice` (`auto`, `any`, `tool` {name}, `none`) are checked as `schemas.py`
says; a forced choice is answered with a `tool_use` block alone. `output_config` (the Anthropic SDK's
`OutputConfigParam`: `effort` low..max, `format` {type json_schema, schema}) asks for structured output: the reply's
text is JSON that validates against the schema, as with Converse's `outputConfig.textFormat`.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from dataclasses import dataclass, field, replace
from datetime import date, datetime, timezone
from typing import Any, Final, Literal

from .catalogue import CATALOGUE, INVALID_MODEL_ID, Catalogue, Model
from .errors import BedrockError, malformed_input, validation_error
from .prompt_cache import (
    MAX_CACHE_POINTS,
    NOTHING_CACHED,
    TTL_SECONDS,
    CachePoint,
    CacheUsage,
    PrefixDigest,
    reports_cache_usage,
)
from .replies import Answer, count_tokens_of_chars, random_base62
from .schemas import FORCED_WITH_THINKING, NO_CONSTRAINTS, Constraints, checked_schema, valid_schema
from .wire import blob_violation, parse_json_body

MIN_THINKING_BUDGET = 1024
THINKING_DOCS = "https://docs.claude.com/en/docs/build-with-claude/extended-thinking"
BUDGET_TOO_SMALL = f"thinking.enabled.budget_tokens: Input should be greater than or equal to {MIN_THINKING_BUDGET}"
BUDGET_MISSING = "thinking.enabled.budget_tokens: Field required"
ENABLED_NOT_SUPPORTED = (
    '"thinking.type.enabled" is not supported for this model. '
    'Use "thinking.type.adaptive" and "output_config.effort" to control thinking behavior.'
)
ThinkingDisplay = Literal["summarized", "omitted"]
THINKING_DISPLAYS: tuple[ThinkingDisplay, ...] = ("summarized", "omitted")
MAX_TOKENS_NOT_ABOVE_BUDGET = (
    "`max_tokens` must be greater than `thinking.budget_tokens`. Please consult our documentation at "
    f"{THINKING_DOCS}#max-tokens-and-context-window-size"
)
THINKING_TEMPERATURE = "temperature may only be set to 1 when thinking is enabled."
THINKING_TOP_K = "top_k must be unset when thinking is enabled."
THINKING_TOP_P = "top_p must be greater than or equal to 0.95 or unset when thinking is enabled."


_DATED_ID = re.compile(r"-\d{8}-")


def takes_adaptive_thinking(model: Model) -> bool:
    """Whether the model takes `thinking: {"type": "adaptive"}` (no budget: the model decides how much to think).

    Anthropic's "Adaptive thinking" page names Opus 4.6 and Sonnet 4.6 and later; real Bedrock accepted it from
    Sonnet 4.6 through Converse's additionalModelRequestFields, with `output_config: {"effort": "high"}` beside it
    (pydantic/pydantic-ai, tests/models/cassettes/test_bedrock/test_bedrock_model_thinking_part_anthropic_adaptive.yaml
    and ..._adaptive_effort.yaml, 2026-05-21). Those are the models whose Bedrock ids carry no date (the 4.6
    generation on, as catalogue.py says), which also covers a later model added with a models file."""
    return model.thinking and _DATED_ID.search(model.model_id) is None


def thinking_enabled(
    thinking: Any,
    *,
    max_tokens: int,
    temperature: Any = None,
    top_p: Any = None,
    top_k: Any = None,
    prefix: str = "",
    adaptive: bool = False,
    adaptive_only: bool = False,
) -> bool:
    """Whether a valid `thinking` object enables extended thinking; a broken one or a clashing setting raises
    ValidationException (its message after `prefix`). The caller has checked that the model knows the key, and says
    whether it also takes adaptive thinking, or takes only that (`Model.adaptive_only`, catalogue.py's sources)."""
    if thinking is None:
        return False
    kind = thinking.get("type") if isinstance(thinking, dict) else None
    if kind not in ("enabled", "disabled") and not (adaptive and kind == "adaptive"):
        raise validation_error(
            f"{prefix}thinking: Input tag '{kind}' found using 'type' does not match any of the expected tags: "
            "'enabled', 'disabled'"
        )
    if kind == "disabled":
        return False
    if kind == "enabled" and adaptive_only:
        raise validation_error(prefix + ENABLED_NOT_SUPPORTED)
    if kind == "adaptive":
        # No budget to check; the sampling settings are held to thinking's rules as when it is enabled.
        _check_thinking_sampling(temperature, top_p, top_k, prefix)
        return True
    budget = thinking.get("budget_tokens")
    if budget is None:
        raise validation_error(prefix + BUDGET_MISSING)
    if isinstance(budget, bool) or not isinstance(budget, int) or budget < MIN_THINKING_BUDGET:
        raise validation_error(prefix + BUDGET_TOO_SMALL)
    if max_tokens <= budget:
        raise validation_error(prefix + MAX_TOKENS_NOT_ABOVE_BUDGET)
    _check_thinking_sampling(temperature, top_p, top_k, prefix)
    return True


def thinking_shown(thinking: Any, model: Model, prefix: str = "") -> bool:
    """Whether the reply's thinking block carries the thinking text: `thinking.display` when the request sets it,
    else the model's default (`Model.omits_thinking`). Call it once `thinking_enabled` has accepted `thinking`."""
    display: object = thinking.get("display") if isinstance(thinking, dict) else None
    if display is None:
        return not model.omits_thinking
    if display not in THINKING_DISPLAYS:
        raise validation_error(
            f"{prefix}thinking.{thinking.get('type')}.display: Input should be "
            + " or ".join(f"'{value}'" for value in THINKING_DISPLAYS)
        )
    return display == "summarized"


def _check_thinking_sampling(temperature: Any, top_p: Any, top_k: Any, prefix: str) -> None:
    if temperature is not None and temperature != 1:
        raise validation_error(prefix + THINKING_TEMPERATURE)
    if top_k is not None:
        raise validation_error(prefix + THINKING_TOP_K)
    if top_p is not None and not 0.95 <= top_p <= 1:
        raise validation_error(prefix + THINKING_TOP_P)


ANTHROPIC_VERSION = "bedrock-2023-05-31"
# The first Anthropic API version; later ones are later dates (Anthropic's "Versions" page).
FIRST_API_VERSION = date(2023, 6, 1)
# The two request bodies Anthropic's models take on InvokeModel: the Messages API's and the legacy Text Completions'.
Api = Literal["messages", "text-completions"]
MESSAGES: Final = "messages"
TEXT_COMPLETIONS: Final = "text-completions"


@dataclass
class Invocation:
    """A validated request: which model, which API, and the rules it broke that Bedrock tolerates here."""

    model: Model
    api: Api
    body: dict[str, Any]
    findings: list[Finding] = field(default_factory=list)
    input_tokens: int = 0
    text: str = ""  # every text the caller sent, for reply rules
    thinking: bool = False  # the request enabled extended thinking
    thinking_shown: bool = True  # the thinking block carries its text (`thinking.display`)
    cache_points: list[CachePoint] = field(default_factory=list)
    constraints: Constraints = NO_CONSTRAINTS  # tool choice and strict tools
    latest_text: str = ""  # the last user turn's texts and tool results, for reply rules (a legacy prompt: all)
    after_tool_result: bool = False  # the last user message carries a tool result

    @property
    def max_tokens(self) -> int:
        # parse_invocation has checked it is an integer.
        limit: int = self.body["max_tokens_to_sample" if self.api == TEXT_COMPLETIONS else "max_tokens"]
        return limit

    @property
    def stop_sequences(self) -> list[str]:
        sequences = self.body.get("stop_sequences") or []
        return [item for item in sequences if isinstance(item, str)]


MESSAGES_KEYS = {
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
    "user_profile_id",
    "output_config",
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
# A legacy prompt's rules, as Bedrock words them: findings the journal records, or the refusal in strict mode.
Finding = Literal[
    'Invalid prompt: prompt must start with "\\n\\nHuman:" turn after an optional system prompt',
    'Invalid prompt: prompt must end with "\\n\\nAssistant:" turn',
]
PROMPT_START_RULE: Final = 'Invalid prompt: prompt must start with "\\n\\nHuman:" turn after an optional system prompt'
PROMPT_END_RULE: Final = 'Invalid prompt: prompt must end with "\\n\\nAssistant:" turn'


def parse_invocation(model: Model, raw: bytes, *, strict: bool) -> Invocation:
    """Validates a native request body the way Bedrock does for an Anthropic model."""
    body = parse_json_body(raw)
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
    violations += [
        f"#: extraneous key [{key}] is not permitted"
        for key in body
        if key not in MESSAGES_KEYS or (key == "thinking" and not model.thinking)
    ]
    if violations:
        raise malformed_input(*violations)
    if not is_accepted_version(body["anthropic_version"]):
        raise validation_error(f"Invalid API version: {body['anthropic_version']}")
    _check_integer(body, "max_tokens", minimum=1)
    _check_number(body, "temperature", 0, 1)
    _check_number(body, "top_p", 0, 1)
    _check_strings(body, "stop_sequences")
    messages = body["messages"]
    if not isinstance(messages, list):
        raise malformed_input(f"#/messages: expected type: JSONArray, found: {_json_type(messages)}")
    if not messages:
        raise malformed_input("#/messages: expected minimum item count: 1, found: 0")
    texts = _system_texts(body.get("system"))
    for index, message in enumerate(messages):
        texts += _check_message(index, message)
    if messages[0]["role"] != "user":
        raise validation_error('messages: first message must use the "user" role')
    if body["max_tokens"] > model.max_output_tokens:
        raise validation_error(
            f"max_tokens: {body['max_tokens']} > {model.max_output_tokens}, which is the maximum "
            f"allowed number of output tokens for {model.name}"
        )
    thinking = thinking_enabled(
        body.get("thinking"),
        max_tokens=body["max_tokens"],
        temperature=body.get("temperature"),
        top_p=body.get("top_p"),
        top_k=body.get("top_k"),
        adaptive=takes_adaptive_thinking(model),
        adaptive_only=model.adaptive_only,
    )
    constraints = _tool_constraints(body)
    if thinking and constraints.forces_tool:
        raise validation_error(FORCED_WITH_THINKING)
    text_schema = _output_format(body.get("output_config"))
    if text_schema is not None:
        constraints = replace(constraints, text_schema=text_schema)
    text = "\n".join(texts)
    return Invocation(
        model,
        MESSAGES,
        body,
        input_tokens=count_tokens_of_chars(len(text)),
        text=text,
        thinking=thinking,
        thinking_shown=not thinking or thinking_shown(body["thinking"], model),
        cache_points=_cache_points(model, body),
        constraints=constraints,
        **_latest_turn(messages),
    )


def _latest_turn(messages: list[Any]) -> dict[str, Any]:
    """The last user message as rules read it: its texts, and whether it brings a tool result."""
    for message in reversed(messages):
        if message["role"] == "user":
            content = message["content"]
            blocks = [{"type": "text", "text": content}] if isinstance(content, str) else content
            return {
                "latest_text": "\n".join(_check_message(0, {"role": "user", "content": blocks})),
                "after_tool_result": any(
                    isinstance(block, dict) and block.get("type") == "tool_result" for block in blocks
                ),
            }
    return {}


_TOOL_CHOICES = ("auto", "any", "tool", "none")
EFFORTS = ("low", "medium", "high", "xhigh", "max")


def _output_format(config: Any) -> dict[str, Any] | None:
    """`output_config` (the Anthropic SDK's `OutputConfigParam`): `effort`, and `format` {type json_schema, schema}
    for structured output, whose schema the reply's text then validates against."""
    if config is None:
        return None
    if not isinstance(config, dict):
        raise malformed_input(f"#/output_config: expected type: JSONObject, found: {_json_type(config)}")
    unknown = [
        f"#/output_config: extraneous key [{key}] is not permitted" for key in config if key not in ("effort", "format")
    ]
    if unknown:
        raise malformed_input(*unknown)
    effort = config.get("effort")
    if effort is not None and effort not in EFFORTS:
        raise malformed_input(f"#/output_config/effort: {effort} is not a valid enum value")
    output_format = config.get("format")
    if output_format is None:
        return None
    if not isinstance(output_format, dict) or output_format.get("type") != "json_schema":
        kind = output_format.get("type") if isinstance(output_format, dict) else output_format
        raise malformed_input(f"#/output_config/format/type: {kind} is not a valid enum value")
    if "schema" not in output_format:
        raise malformed_input("#/output_config/format: required key [schema] not found")
    return valid_schema(output_format["schema"], model_where="output_config.format.schema")


def _tool_constraints(body: dict[str, Any]) -> Constraints:
    """A Messages body's custom tools (their `input_schema`s, `strict`) and its `tool_choice`."""
    tools = body.get("tools")
    if tools is None:
        tools = []
    if not isinstance(tools, list):
        raise malformed_input(f"#/tools: expected type: JSONArray, found: {_json_type(tools)}")
    schemas: dict[str, dict[str, Any]] = {}
    strict: set[str] = set()
    for index, tool in enumerate(tools):
        if not isinstance(tool, dict):
            raise malformed_input(f"#/tools/{index}: expected type: JSONObject, found: {_json_type(tool)}")
        if tool.get("type") not in (None, "custom"):
            continue  # a server or client tool of Anthropic's, whose schema is Anthropic's own
        name = tool.get("name")
        if not isinstance(name, str) or "input_schema" not in tool:
            missing = "name" if not isinstance(name, str) else "input_schema"
            raise malformed_input(f"#/tools/{index}: required key [{missing}] not found")
        schema = tool["input_schema"]
        if not isinstance(schema, dict) or schema.get("type") != "object":
            raise validation_error(f"tools.{index}.custom.input_schema.type: Input should be 'object'")
        schemas[name] = checked_schema(schema, where="", model_where=f"tools.{index}.custom.input_schema")
        if tool.get("strict") is True:
            strict.add(name)
    choice = body.get("tool_choice")
    if choice is None:
        return Constraints(schemas, frozenset(strict))
    kind = choice.get("type") if isinstance(choice, dict) else None
    if kind not in _TOOL_CHOICES:
        raise malformed_input(f"#/tool_choice/type: {kind} is not a valid enum value")
    if kind in ("auto", "none"):
        return Constraints(schemas, frozenset(strict))
    if not schemas:
        raise validation_error("tool_choice may only be specified while providing tools.")
    forced = ""
    if kind == "tool":
        forced = choice.get("name")
        if not isinstance(forced, str):
            raise malformed_input("#/tool_choice: required key [name] not found")
        if forced not in schemas:
            raise validation_error(f"Tool '{forced}' not found in provided tools")
    return Constraints(schemas, frozenset(strict), forced)


def _cache_points(model: Model, body: dict[str, Any]) -> list[CachePoint]:
    """The body's `cache_control` points in Claude's order (tools, system, messages), each with its prefix."""
    digest = PrefixDigest(model)
    parts: list[tuple[str, Any]] = []
    tools = body.get("tools")
    if isinstance(tools, list):
        parts += [(f"#/tools/{index}", tool) for index, tool in enumerate(tools)]
    system = body.get("system")
    if isinstance(system, list):
        parts += [(f"#/system/{index}", block) for index, block in enumerate(system)]
    elif isinstance(system, str):
        parts.append(("#/system", system))
    for index, message in enumerate(body["messages"]):
        parts.append((f"#/messages/{index}", {"role": message["role"]}))
        content = message["content"]
        if isinstance(content, str):
            parts.append((f"#/messages/{index}/content", content))
        else:
            parts += [(f"#/messages/{index}/content/{position}", block) for position, block in enumerate(content)]
    if not any(isinstance(part, dict) and "cache_control" in part for _, part in parts):
        return []  # no point to mark: the prefixes' digests would go unused
    for where, part in parts:
        marked = dict(part) if isinstance(part, dict) else part
        control = marked.pop("cache_control", None) if isinstance(marked, dict) else None
        digest.add(marked, _part_chars(marked))
        if control is None:
            continue
        if not isinstance(control, dict) or control.get("type") != "ephemeral":
            value = control.get("type") if isinstance(control, dict) else control
            raise malformed_input(f"{where}/cache_control/type: {value} is not a valid enum value")
        ttl = control.get("ttl", "5m")
        if ttl not in TTL_SECONDS:
            raise malformed_input(f"{where}/cache_control/ttl: {ttl} is not a valid enum value")
        digest.mark(ttl, count_tokens_of_chars(digest.chars))
    if len(digest.points) > MAX_CACHE_POINTS:
        raise validation_error(
            f"A maximum of {MAX_CACHE_POINTS} blocks with cache_control may be provided. Found {len(digest.points)}."
        )
    return digest.points


def _part_chars(part: Any) -> int:
    """The characters a tool or block adds to the prompt, as the token count reads them."""
    if isinstance(part, str):
        return len(part)
    if not isinstance(part, dict):
        return 0
    if part.get("type") == "text" and isinstance(part.get("text"), str):
        return len(part["text"])
    if part.get("type") == "tool_use":
        return len(json.dumps(part.get("input", {})))
    if part.get("type") == "tool_result":
        inner = part.get("content")
        if isinstance(inner, str):
            return len(inner)
        if isinstance(inner, list):
            return sum(
                len(item["text"]) for item in inner if isinstance(item, dict) and isinstance(item.get("text"), str)
            )
        return 0
    if isinstance(part.get("text"), str):
        return len(part["text"])
    return 0


def _check_message(index: int, message: Any) -> list[str]:
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
        return [content]
    if not isinstance(content, list):
        raise malformed_input(f"{where}/content: expected type: JSONArray, found: {_json_type(content)}")
    texts = []
    for block_index, block in enumerate(content):
        block_where = f"{where}/content/{block_index}"
        if not isinstance(block, dict) or "type" not in block:
            raise malformed_input(f"{block_where}: required key [type] not found")
        if block["type"] == "text":
            if not isinstance(block.get("text"), str):
                raise malformed_input(f"{block_where}: required key [text] not found")
            texts.append(block["text"])
        elif block["type"] == "tool_result":
            inner = block.get("content")
            if isinstance(inner, str):
                texts.append(inner)
            elif isinstance(inner, list):
                texts += [
                    item["text"] for item in inner if isinstance(item, dict) and isinstance(item.get("text"), str)
                ]
                for item_index, item in enumerate(inner):
                    if isinstance(item, dict) and item.get("type") in ("image", "document"):
                        _check_base64_source(f"{block_where}/content/{item_index}", item)
        elif block["type"] == "tool_use":
            texts.append(json.dumps(block.get("input", {})))
        elif block["type"] in ("image", "document"):
            _check_base64_source(block_where, block)
    return texts


def _system_texts(system: Any) -> list[str]:
    """The system prompt as a string or a list of text blocks."""
    if system is None:
        return []
    if isinstance(system, str):
        return [system]
    if not isinstance(system, list):
        raise malformed_input(f"#/system: expected type: JSONArray, found: {_json_type(system)}")
    texts = []
    for index, block in enumerate(system):
        if not isinstance(block, dict) or not isinstance(block.get("text"), str):
            raise malformed_input(f"#/system/{index}: required key [text] not found")
        texts.append(block["text"])
    return texts


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
    _check_strings(body, "stop_sequences")
    findings: list[Finding] = []
    if "\n\nHuman:" not in prompt:
        findings.append(PROMPT_START_RULE)
    if not prompt.endswith("\n\nAssistant:"):
        findings.append(PROMPT_END_RULE)
    if strict and findings:
        raise validation_error(findings[0])
    return Invocation(
        model,
        TEXT_COMPLETIONS,
        body,
        findings,
        input_tokens=count_tokens_of_chars(len(prompt)),
        text=prompt,
        latest_text=prompt,
    )


def is_accepted_version(value: Any) -> bool:
    """`bedrock-2023-05-31`, or an Anthropic API version (a date, `2023-06-01` or later) as current SDKs send.

    The Anthropic Python SDK's Bedrock client sets `anthropic_version` to its own API version when the caller gives
    none (`anthropic/lib/bedrock/_client.py`: `setdefault("anthropic_version", ANTHROPIC_API_VERSION)`, which is
    "2026-10-21" in 2.14.0; 1.x sent "bedrock-2023-05-31"). A date after today cannot be a released version.
    Anything else is refused with Bedrock's "Invalid API version: <value>" (boto/boto3#4218).
    """
    if value == ANTHROPIC_VERSION:
        return True
    if not isinstance(value, str) or len(value) != 10:
        return False
    try:
        return FIRST_API_VERSION <= date.fromisoformat(value) <= datetime.now(timezone.utc).date()
    except ValueError:
        return False


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
    # Compared as parsed: an integer beyond a double's range stays an int (math.isfinite would overflow on it).
    if value < low:
        raise malformed_input(f"#/{key}: {value} is not greater or equal to {low}")
    if value > high:
        raise malformed_input(f"#/{key}: {value} is not less or equal to {high}")


def _check_strings(body: dict[str, Any], key: str) -> None:
    """A list of strings, as the schema declares `stop_sequences` (a lone string is not split into characters)."""
    if key not in body:
        return
    value = body[key]
    if not isinstance(value, list):
        raise malformed_input(f"#/{key}: expected type: JSONArray, found: {_json_type(value)}")
    wrong = [
        f"#/{key}/{index}: expected type: String, found: {_json_type(item)}"
        for index, item in enumerate(value)
        if not isinstance(item, str)
    ]
    if wrong:
        raise malformed_input(*wrong[:3])


def _check_base64_source(where: str, block: dict[str, Any]) -> None:
    """An image or document block's `source` of type base64 carries its bytes as base64 text in `data`."""
    source = block.get("source")
    if not isinstance(source, dict):
        raise malformed_input(f"{where}: required key [source] not found")
    if source.get("type") != "base64":
        return
    violation = blob_violation(source.get("data"))
    if violation is not None:
        raise validation_error(f"{where[2:].replace('/', '.')}.source.data: {violation}")


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


def message_id() -> str:
    """An id shaped like Bedrock's: msg_bdrk_01 and 22 random base62 characters."""
    return "msg_bdrk_01" + random_base62(22)


def tool_use_id() -> str:
    """A tool call id shaped like Bedrock's Messages replies: toolu_bdrk_01 and 22 random base62 characters."""
    return "toolu_bdrk_01" + random_base62(22)


def _content(answer: Answer) -> list[dict[str, Any]]:
    content: list[dict[str, Any]] = []
    if answer.reasoning is not None:
        content.append({"type": "thinking", "thinking": answer.reasoning, "signature": answer.signature})
    if answer.text or answer.tool_use is None:
        content.append({"type": "text", "text": answer.text})
    if answer.tool_use is not None:
        tool = answer.tool_use
        content.append({"type": "tool_use", "id": tool.id or tool_use_id(), "name": tool.name, "input": tool.input})
    return content


def messages_usage(invocation: Invocation, output_tokens: int, cache: CacheUsage) -> dict[str, int]:
    """A Messages reply's usage: the uncached input, the output, and the cache's reads and writes."""
    usage = {
        "input_tokens": max(0, invocation.input_tokens - cache.read - cache.write),
        "output_tokens": output_tokens,
    }
    if reports_cache_usage(invocation.model) or cache.read or cache.write:
        usage["cache_creation_input_tokens"] = cache.write
        usage["cache_read_input_tokens"] = cache.read
    return usage


def reply_body(invocation: Invocation, answer: Answer, cache: CacheUsage = NOTHING_CACHED) -> dict[str, Any]:
    """The InvokeModel reply in the model's native format."""
    if invocation.api == TEXT_COMPLETIONS:
        stop = answer.stop_sequence if answer.stop_reason == "stop_sequence" else "\n\nHuman:"
        reason = "max_tokens" if answer.stop_reason == "max_tokens" else "stop_sequence"
        return {"type": "completion", "completion": answer.text, "stop_reason": reason, "stop": stop}
    return {
        "id": message_id(),
        "type": "message",
        "role": "assistant",
        "model": invocation.model.name,
        "content": _content(answer),
        "stop_reason": answer.stop_reason,
        "stop_sequence": answer.stop_sequence,
        "usage": messages_usage(invocation, answer.output_tokens, cache),
    }


def split_text(text: str, piece_chars: int) -> Iterator[str]:
    """Cuts the reply into the pieces that stream as deltas (at least one, possibly empty), as they are read."""
    if not text:
        yield ""
        return
    for start in range(0, len(text), piece_chars):
        yield text[start : start + piece_chars]


def stream_events(
    invocation: Invocation,
    answer: Answer,
    piece_chars: int,
    metrics: dict[str, int],
    cache: CacheUsage = NOTHING_CACHED,
) -> Iterator[dict[str, Any]]:
    """The model's native stream events for an answer, text and tool input cut into pieces, in Bedrock's order.

    Built as they are read: a long reply's thousands of events never exist at once, and a stream whose client goes
    stops building them.
    """
    output_tokens = answer.output_tokens
    final_metrics = {
        "amazon-bedrock-invocationMetrics": {
            "inputTokenCount": invocation.input_tokens,
            "outputTokenCount": output_tokens,
            **metrics,
        }
    }
    if invocation.api == TEXT_COMPLETIONS:
        pieces = split_text(answer.text, piece_chars)
        piece = next(pieces)
        for following in pieces:
            yield {"type": "completion", "completion": piece, "stop_reason": None, "stop": None}
            piece = following
        last = reply_body(invocation, answer)
        yield {
            "type": "completion",
            "completion": piece,
            "stop_reason": last["stop_reason"],
            "stop": last["stop"],
            **final_metrics,
        }
        return
    yield {
        "type": "message_start",
        "message": {
            "id": message_id(),
            "type": "message",
            "role": "assistant",
            "model": invocation.model.name,
            "content": [],
            "stop_reason": None,
            "stop_sequence": None,
            "usage": messages_usage(invocation, 1, cache),
        },
    }
    index = 0
    if answer.reasoning is not None:
        block: dict[str, Any] = {"type": "thinking", "thinking": "", "signature": ""}
        yield {"type": "content_block_start", "index": 0, "content_block": block}
        # Omitted thinking (an empty text) streams no thinking_delta at all.
        for piece in split_text(answer.reasoning, piece_chars) if answer.reasoning else ():
            yield {"type": "content_block_delta", "index": 0, "delta": {"type": "thinking_delta", "thinking": piece}}
        yield {
            "type": "content_block_delta",
            "index": 0,
            "delta": {"type": "signature_delta", "signature": answer.signature},
        }
        yield {"type": "content_block_stop", "index": 0}
        index = 1
    if answer.text or answer.tool_use is None:
        yield {"type": "content_block_start", "index": index, "content_block": {"type": "text", "text": ""}}
        for piece in split_text(answer.text, piece_chars):
            yield {"type": "content_block_delta", "index": index, "delta": {"type": "text_delta", "text": piece}}
        yield {"type": "content_block_stop", "index": index}
        index += 1
    if answer.tool_use is not None:
        tool = answer.tool_use
        block = {"type": "tool_use", "id": tool.id or tool_use_id(), "name": tool.name, "input": {}}
        yield {"type": "content_block_start", "index": index, "content_block": block}
        for piece in split_text(json.dumps(tool.input, ensure_ascii=False), piece_chars):
            yield {
                "type": "content_block_delta",
                "index": index,
                "delta": {"type": "input_json_delta", "partial_json": piece},
            }
        yield {"type": "content_block_stop", "index": index}
    yield {
        "type": "message_delta",
        "delta": {"stop_reason": answer.stop_reason, "stop_sequence": answer.stop_sequence},
        "usage": {"output_tokens": output_tokens},
    }
    yield {"type": "message_stop", **final_metrics}


__all__ = [
    "CATALOGUE",
    "INVALID_MODEL_ID",
    "BedrockError",
    "Catalogue",
    "Invocation",
    "Model",
    "parse_invocation",
    "reply_body",
    "split_text",
    "stream_events",
]
