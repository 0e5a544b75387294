"""Converse and ConverseStream for Anthropic Claude: request validation, the reply and the stream's events.

Shapes come from botocore's service model (`ConverseRequest`, `ConverseResponse`, `ConverseStreamOutput`,
`ContentBlock`, `InferenceConfiguration`, `TokenUsage`, `ConverseMetrics`, `StopReason`). The reply is
`{"output": {"message": {"role": "assistant", "content": [...]}}, "stopReason", "usage", "metrics"}`; the stream
is `messageStart`, then per content block an optional `contentBlockStart` (tool use only: Bedrock sends none for
text), `contentBlockDelta`s (`text`, or `toolUse.input` as pieces of a JSON string) and `contentBlockStop`, then
`messageStop` and `metadata` (usage and `metrics.latencyMs`).

Validation messages are Bedrock's own, as users have reported them:
- "A conversation must start with a user message. Try again with a conversation that starts with a user message."
  (langgenius/dify#12340; the stub also gives it for an empty `messages` list).
- "A conversation must alternate between user and assistant roles. Make sure the conversation alternates between
  user and assistant roles and try again." (microsoft/semantic-kernel#10281, langchain-ai/langchain-aws#130).
- "The maximum tokens you requested exceeds the model limit of 4096. Try again with a maximum tokens value that is
  lower than 4096." (sigoden/aichat#813, vercel/ai#2772), with the model's own limit.
- Range and enum violations in Smithy's wording, "1 validation error detected: Value '2.0' at
  'inferenceConfig.temperature' failed to satisfy constraint: Member must have value less than or equal to 1" (the
  limits are the service model's: temperature and topP in [0, 1], maxTokens >= 1, roles user/assistant, image
  formats png/jpeg/gif/webp, document formats pdf/csv/doc/docx/xls/xlsx/html/txt/md).
- An empty content list and an empty text block: "The content field in the Message object at messages.0 is empty.
  Add a ContentBlock object to the content field and try again." and "The text field in the ContentBlock object at
  messages.0.content.0 is blank. Add text to the text field, and try again." (Bedrock's wording as seen in client
  bug reports; the positions are the request's). Recordings of real traffic (2025-26) show Bedrock accepting a
  text block of whitespace only and a conversation whose first message is the assistant's, so the stub does too;
  only an empty `messages` list gets "A conversation must start with a user message...".
- Reasoning sent back in history (`reasoningContent` with `reasoningText` {text, signature} or `redactedContent`,
  as every client returns it in a tool loop with thinking on) is accepted, as the recordings show.
- Media from S3 (`source.s3Location` on an image, document or video): Converse accepts it only for Amazon Nova;
  for Claude the request reaches the model without a source type and fails with Claude's own
  "messages.0.content.0.document.source.type: Field required" (strands-agents/harness-sdk#3610 quotes it).
- toolUse/toolResult blocks without `toolConfig`: "The toolConfig field must be defined when using toolUse and
  toolResult content blocks."
- The API reference's `Message.content` notes (images and documents only in user messages; a document needs a text
  block beside it) are checked with messages in the same style; their exact wording is the stub's.
- `additionalModelRequestFields` goes to the model: keys Claude's Messages body does not know are refused as the
  model's own error, "The model returned the following errors: Malformed input request: #: extraneous key [x] is
  not permitted, please reformat your input and try again."

Extended thinking comes as `additionalModelRequestFields: {"thinking": {"type": "enabled", "budget_tokens": N}}`
(AWS's "Extended thinking" examples for Converse), checked as `models.thinking_enabled` says against
`inferenceConfig` and the other additional fields. The reply's content then starts with
`{"reasoningContent": {"reasoningText": {"text", "signature"}}}` before the text block (the service model's
`ReasoningContentBlock` and `ReasoningTextBlock`); the stream sends block 0 as `contentBlockDelta`s with
`delta.reasoningContent.text`, then one with `delta.reasoningContent.signature` (`ReasoningContentBlockDelta`),
its `contentBlockStop`, then the text as block 1.

Without `inferenceConfig.maxTokens` the reply is limited to 4096 tokens (or the model's smaller limit): the cap
Converse applies by default (langchain-ai/openwiki#743). A request that enables thinking without `maxTokens` is
measured against the model's own output limit instead: recordings show Bedrock accepting budgets above 4096 so.

Prompt caching (`cachePoint` {type "default", ttl "5m"|"1h"} in tools, system and messages) is modelled in
`prompt_cache.py`; here the points are checked (the service model's enums; at most four, as Claude allows, in its
words behind "The model returned the following errors: "; a point must follow something to cache, so one that opens
the system prompt, the tools or a message's content is refused in the stub's words) and the prefix digests built.
`serviceTier` {type: priority|default|flex|reserved} and `performanceConfig` {latency: standard|optimized} are
checked against the service model's enums and echoed in the reply and the stream's `metadata`, as the service
model's `ConverseResponse` and `ConverseStreamMetadataEvent` carry them.

Replies carry the headers the recordings show for Converse: the request id, content type and length only (the
`x-amzn-bedrock-*` token-count and latency headers belong to InvokeModel).
"""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from dataclasses import dataclass, field, replace
from typing import Any, Literal

from .errors import BedrockError, malformed_input, validation_error
from .models import (
    EFFORTS,
    MESSAGES_KEYS,
    Finding,
    Model,
    split_text,
    takes_adaptive_thinking,
    thinking_enabled,
    thinking_shown,
)
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
from .schemas import FORCED_WITH_THINKING, NO_CONSTRAINTS, Constraints, checked_schema, parse_text_schema
from .wire import blob_violation, number_text, parse_json_body

DEFAULT_MAX_TOKENS = 4096
START_WITH_USER = (
    "A conversation must start with a user message. Try again with a conversation that starts with a user message."
)
ALTERNATE_ROLES = (
    "A conversation must alternate between user and assistant roles. Make sure the conversation alternates between "
    "user and assistant roles and try again."
)
MODEL_ERRORS = "The model returned the following errors: "
TOOL_CONFIG_MISSING = "The toolConfig field must be defined when using toolUse and toolResult content blocks."
_IMAGE_FORMATS = ("png", "jpeg", "gif", "webp")
_DOCUMENT_FORMATS = ("pdf", "csv", "doc", "docx", "xls", "xlsx", "html", "txt", "md")
_BLOCK_KINDS = (
    "text",
    "image",
    "document",
    "video",
    "audio",
    "toolUse",
    "toolResult",
    "guardContent",
    "cachePoint",
    "reasoningContent",
)
SERVICE_TIERS = ("priority", "default", "flex", "reserved")
LATENCIES = ("standard", "optimized")
TOO_MANY_CACHE_POINTS = "A maximum of {limit} blocks with cache_control may be provided. Found {found}."
# Keys Converse fills in itself, so additionalModelRequestFields may not carry them.
_CONVERSE_OWNED = {"anthropic_version", "messages", "system", "max_tokens", "temperature", "top_p", "stop_sequences"}


@dataclass
class Conversation:
    """A validated Converse request."""

    model: Model
    body: dict[str, Any]
    max_tokens: int
    stop_sequences: list[str]
    input_tokens: int
    text: str  # every text the caller sent, for reply rules
    findings: list[Finding] = field(default_factory=list)
    thinking: bool = False  # the request enabled extended thinking
    thinking_shown: bool = True  # the reasoning block carries its text (`thinking.display`, models.py)
    cache_points: list[CachePoint] = field(default_factory=list)
    # What the reply echoes: `serviceTier` and `performanceConfig` as the request gave them.
    echoed: dict[str, Any] = field(default_factory=dict)
    constraints: Constraints = NO_CONSTRAINTS  # tool choice, strict tools, structured output
    latest_text: str = ""  # the last user message's texts and tool results, for reply rules
    after_tool_result: bool = False  # the last user message carries a tool result


def _constraint(value: Any, where: str, rule: str) -> Exception:
    return validation_error(
        f"1 validation error detected: Value '{value}' at '{where}' failed to satisfy constraint: {rule}"
    )


def parse_conversation(model: Model, raw: bytes, *, default_max_tokens: int = DEFAULT_MAX_TOKENS) -> Conversation:
    """Validates a Converse (or ConverseStream) request body as Bedrock does for a Claude model."""
    body = _json_object(raw)
    return conversation_from(model, body, default_max_tokens=default_max_tokens, require_messages=True)


def conversation_from(
    model: Model, body: dict[str, Any], *, default_max_tokens: int = DEFAULT_MAX_TOKENS, require_messages: bool
) -> Conversation:
    texts: list[str] = []
    messages = body.get("messages", [])
    if not isinstance(messages, list):
        raise malformed_input(f"#/messages: expected type: JSONArray, found: {type(messages).__name__}")
    if require_messages and not messages:
        raise validation_error(START_WITH_USER)
    texts += _system_texts(body.get("system", []))
    uses_tools = False
    for index, message in enumerate(messages):
        if not isinstance(message, dict):
            raise _constraint(message, f"messages.{index + 1}.member", "Member must be a structure")
        role = message.get("role")
        if role not in ("user", "assistant"):
            raise _constraint(
                role, f"messages.{index + 1}.member.role", "Member must satisfy enum value set: [user, assistant]"
            )
        if index > 0 and messages[index - 1].get("role") == role:
            raise validation_error(ALTERNATE_ROLES)
        content = message.get("content")
        if not isinstance(content, list) or not content:
            raise validation_error(
                f"The content field in the Message object at messages.{index} is empty. "
                "Add a ContentBlock object to the content field and try again."
            )
        uses_tools |= _check_content(index, role, content, texts)
    if uses_tools and "toolConfig" not in body:
        raise validation_error(TOOL_CONFIG_MISSING)
    constraints = _check_tool_config(body.get("toolConfig"), texts)
    text_schema = _output_schema(body.get("outputConfig"))
    if text_schema is not None:
        constraints = replace(constraints, text_schema=text_schema)
    config = body.get("inferenceConfig") or {}
    if not isinstance(config, dict):
        raise malformed_input("#/inferenceConfig: expected type: JSONObject")
    max_tokens = config.get("maxTokens")
    if max_tokens is not None:
        if isinstance(max_tokens, bool) or not isinstance(max_tokens, int) or max_tokens < 1:
            raise _constraint(
                max_tokens, "inferenceConfig.maxTokens", "Member must have value greater than or equal to 1"
            )
        if max_tokens > model.max_output_tokens:
            limit = model.max_output_tokens
            raise validation_error(
                f"The maximum tokens you requested exceeds the model limit of {limit}. "
                f"Try again with a maximum tokens value that is lower than {limit}."
            )
    for key in ("temperature", "topP"):
        value = config.get(key)
        if value is None:
            continue
        where = f"inferenceConfig.{key}"
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            raise _constraint(value, where, "Member must be a number")
        if value < 0:
            raise _constraint(number_text(value), where, "Member must have value greater than or equal to 0")
        if value > 1:
            raise _constraint(number_text(value), where, "Member must have value less than or equal to 1")
    stop_sequences = config.get("stopSequences") or []
    if not isinstance(stop_sequences, list) or not all(isinstance(item, str) and item for item in stop_sequences):
        raise _constraint(stop_sequences, "inferenceConfig.stopSequences", "Member must contain non-empty strings")
    fields = body.get("additionalModelRequestFields")
    _check_additional_fields(model, fields)
    limit = max_tokens if max_tokens is not None else min(default_max_tokens, model.max_output_tokens)
    thinking = False
    shown = True
    if isinstance(fields, dict) and "thinking" in fields:
        if max_tokens is None:
            limit = model.max_output_tokens
        thinking = thinking_enabled(
            fields["thinking"],
            max_tokens=limit,
            temperature=config.get("temperature"),
            top_p=config.get("topP"),
            top_k=fields.get("top_k"),
            prefix=MODEL_ERRORS,
            adaptive=takes_adaptive_thinking(model),
            adaptive_only=model.adaptive_only,
        )
        shown = not thinking or thinking_shown(fields["thinking"], model, prefix=MODEL_ERRORS)
    if thinking and constraints.forces_tool:
        raise validation_error(MODEL_ERRORS + FORCED_WITH_THINKING)
    input_chars = sum(len(text) for text in texts)
    return Conversation(
        model=model,
        body=body,
        max_tokens=limit,
        stop_sequences=stop_sequences,
        input_tokens=count_tokens_of_chars(input_chars),
        text="\n".join(texts),
        thinking=thinking,
        thinking_shown=shown,
        cache_points=_cache_points(model, body),
        echoed=_echoed_settings(body),
        constraints=constraints,
        **_latest_turn(messages),
    )


def _latest_turn(messages: list[Any]) -> dict[str, Any]:
    """The last user message as rules read it: its texts, and whether it brings a tool result."""
    for message in reversed(messages):
        if message["role"] == "user":
            blocks = message["content"]
            return {
                "latest_text": "\n".join(text for block in blocks for text in _part_texts(block)),
                "after_tool_result": any(isinstance(block, dict) and "toolResult" in block for block in blocks),
            }
    return {}


def _echoed_settings(body: dict[str, Any]) -> dict[str, Any]:
    echoed: dict[str, Any] = {}
    tier = body.get("serviceTier")
    if tier is not None:
        kind = tier.get("type") if isinstance(tier, dict) else None
        if kind not in SERVICE_TIERS:
            raise _constraint(
                kind, "serviceTier.type", f"Member must satisfy enum value set: [{', '.join(SERVICE_TIERS)}]"
            )
        echoed["serviceTier"] = {"type": kind}
    performance = body.get("performanceConfig")
    if performance is not None:
        latency = performance.get("latency", "standard") if isinstance(performance, dict) else None
        if latency not in LATENCIES:
            raise _constraint(
                latency, "performanceConfig.latency", f"Member must satisfy enum value set: [{', '.join(LATENCIES)}]"
            )
        echoed["performanceConfig"] = {"latency": latency}
    return echoed


def _cache_ttl(point: Any, where: str) -> Any:
    """The TTL a `cachePoint` asks for, after checking it as the service model's `CachePointBlock` declares it."""
    if not isinstance(point, dict) or point.get("type") != "default":
        value = point.get("type") if isinstance(point, dict) else point
        raise _constraint(value, f"{where}.cachePoint.type", "Member must satisfy enum value set: [default]")
    ttl = point.get("ttl", "5m")
    if ttl not in TTL_SECONDS:
        raise _constraint(ttl, f"{where}.cachePoint.ttl", "Member must satisfy enum value set: [5m, 1h]")
    return ttl


def _cache_points(model: Model, body: dict[str, Any]) -> list[CachePoint]:
    """The request's cache points in Claude's order (tools, system, messages), each with its prefix's digest."""
    digest = PrefixDigest(model)
    sections: list[tuple[str, list[Any]]] = []
    tool_config = body.get("toolConfig")
    if isinstance(tool_config, dict) and isinstance(tool_config.get("tools"), list):
        sections.append(("toolConfig.tools", tool_config["tools"]))
    if isinstance(body.get("system"), list):
        sections.append(("system", body["system"]))
    messages = body.get("messages") or []
    sections += [(f"messages.{index}.content", message["content"]) for index, message in enumerate(messages)]
    if not any(isinstance(part, dict) and "cachePoint" in part for _, parts in sections for part in parts):
        return []  # no point to mark: the prefixes' digests would go unused
    for message in messages:
        digest.add(message["role"], 0)
    for where, parts in sections:
        for position, part in enumerate(parts):
            if not (isinstance(part, dict) and "cachePoint" in part):
                digest.add(part, sum(len(text) for text in _part_texts(part)))
                continue
            ttl = _cache_ttl(part["cachePoint"], f"{where}.{position}")
            if position == 0:
                raise validation_error(
                    f"The cachePoint at {where}.{position} has nothing before it to cache. "
                    "Place a cache point after the content it ends."
                )
            digest.mark(ttl, count_tokens_of_chars(digest.chars))
    if len(digest.points) > MAX_CACHE_POINTS:
        found = len(digest.points)
        raise validation_error(MODEL_ERRORS + TOO_MANY_CACHE_POINTS.format(limit=MAX_CACHE_POINTS, found=found))
    return digest.points


def _part_texts(part: Any) -> list[str]:
    """The texts a tool, system block or content block adds to the prompt, as the token count reads them."""
    if not isinstance(part, dict):
        return []
    if isinstance(part.get("text"), str):
        return [part["text"]]
    if isinstance(part.get("toolSpec"), dict):
        return [json.dumps(part["toolSpec"])]
    if isinstance(part.get("toolUse"), dict):
        return [json.dumps(part["toolUse"].get("input"))]
    result = part.get("toolResult")
    if isinstance(result, dict) and isinstance(result.get("content"), list):
        return [
            item["text"] if isinstance(item.get("text"), str) else json.dumps(item.get("json"))
            for item in result["content"]
            if isinstance(item, dict)
        ]
    document = part.get("document")
    if isinstance(document, dict) and isinstance(document.get("source"), dict):
        text = document["source"].get("text")
        return [text] if isinstance(text, str) else []
    return []


def not_valid_json(violation: str) -> BedrockError:
    """How the JSON-protocol operations refuse a body their JSON reader cannot take."""
    return validation_error(f"Request body is not valid JSON: {violation}")


def _json_object(raw: bytes) -> dict[str, Any]:
    body = parse_json_body(raw, refuse=not_valid_json)
    if not isinstance(body, dict):
        raise validation_error("Request body must be a JSON object.")
    return body


def _system_texts(system: Any) -> list[str]:
    if not isinstance(system, list):
        raise _constraint(system, "system", "Member must be a list of SystemContentBlock")
    texts = []
    for index, block in enumerate(system):
        if not isinstance(block, dict):
            raise _constraint(block, f"system.{index + 1}.member", "Member must be a structure")
        if "text" in block:
            if not isinstance(block["text"], str) or not block["text"].strip():
                raise _constraint(
                    "", f"system.{index + 1}.member.text", "Member must have length greater than or equal to 1"
                )
            texts.append(block["text"])
    return texts


def _check_content(index: int, role: str, content: list[Any], texts: list[str]) -> bool:
    uses_tools = False
    has_text = has_document = False
    for block_index, block in enumerate(content):
        where = f"messages.{index}.content.{block_index}"
        if not isinstance(block, dict) or not any(kind in block for kind in _BLOCK_KINDS):
            raise validation_error(f"The ContentBlock object at {where} is empty or of an unknown type.")
        if "text" in block:
            if not isinstance(block["text"], str) or not block["text"]:
                raise validation_error(
                    f"The text field in the ContentBlock object at {where} is blank. "
                    "Add text to the text field, and try again."
                )
            texts.append(block["text"])
            has_text = True
        elif "image" in block or "document" in block:
            kind: Literal["image", "document"] = "image" if "image" in block else "document"
            if role != "user":
                raise validation_error(
                    f"The {kind} in the ContentBlock object at {where} is in an assistant message. "
                    f"Only user messages can hold {kind}s."
                )
            media = block[kind]
            formats = _IMAGE_FORMATS if kind == "image" else _DOCUMENT_FORMATS
            if not isinstance(media, dict) or media.get("format") not in formats:
                value = media.get("format") if isinstance(media, dict) else media
                raise _constraint(
                    value,
                    f"messages.{index + 1}.member.content.{block_index + 1}.member.{kind}.format",
                    f"Member must satisfy enum value set: [{', '.join(formats)}]",
                )
            if not isinstance(media.get("source"), dict) or not media["source"]:
                raise validation_error(f"The {kind} source in the ContentBlock object at {where} is empty.")
            _check_media_bytes(media["source"], f"messages.{index + 1}.member.content.{block_index + 1}.member.{kind}")
            if "s3Location" in media["source"]:
                raise _s3_refused(where, kind)
            if kind == "document":
                has_document = True
                if not isinstance(media.get("name"), str) or not media["name"]:
                    raise _constraint(
                        None,
                        f"messages.{index + 1}.member.content.{block_index + 1}.member.document.name",
                        "Member must not be null",
                    )
                if isinstance(media["source"].get("text"), str):
                    texts.append(media["source"]["text"])
        elif "video" in block:
            video = block["video"]
            if isinstance(video, dict) and isinstance(video.get("source"), dict) and "s3Location" in video["source"]:
                raise _s3_refused(where, "video")
        elif "reasoningContent" in block:
            _check_reasoning(block["reasoningContent"], where)
        elif "toolUse" in block:
            uses_tools = True
            tool = block["toolUse"]
            if not isinstance(tool, dict) or not all(key in tool for key in ("toolUseId", "name", "input")):
                raise _constraint(tool, f"{where}.toolUse", "Member must have toolUseId, name and input")
            texts.append(json.dumps(tool["input"]))
        elif "toolResult" in block:
            uses_tools = True
            result = block["toolResult"]
            if not isinstance(result, dict) or "toolUseId" not in result or not isinstance(result.get("content"), list):
                raise _constraint(result, f"{where}.toolResult", "Member must have toolUseId and content")
            for item_index, item in enumerate(result["content"]):
                for kind in ("image", "document"):
                    media = item.get(kind) if isinstance(item, dict) else None
                    if isinstance(media, dict) and isinstance(media.get("source"), dict):
                        member = f"{where}.toolResult.content.{item_index}.{kind}"
                        _check_media_bytes(media["source"], member)
                if isinstance(item, dict) and isinstance(item.get("text"), str):
                    texts.append(item["text"])
                elif isinstance(item, dict) and "json" in item:
                    texts.append(json.dumps(item["json"]))
    if has_document and not has_text:
        raise validation_error(
            f"The message at messages.{index} holds a document but no text. "
            "Add a text ContentBlock beside the document."
        )
    return uses_tools


def _s3_refused(where: str, kind: Literal["image", "document", "video"]) -> BedrockError:
    return validation_error(f"{where}.{kind}.source.type: Field required")


def _check_reasoning(reasoning: Any, where: str) -> None:
    """A `ReasoningContentBlock` union: exactly one of `reasoningText` {text, signature?} and `redactedContent`."""
    members = [key for key in ("reasoningText", "redactedContent") if isinstance(reasoning, dict) and key in reasoning]
    if len(members) != 1 or len(reasoning) != 1:
        raise validation_error(f"The ContentBlock object at {where} is empty or of an unknown type.")
    if members[0] == "reasoningText":
        text = reasoning["reasoningText"]
        if not isinstance(text, dict) or not isinstance(text.get("text"), str):
            raise _constraint(None, f"{where}.reasoningContent.reasoningText.text", "Member must not be null")
        if not isinstance(text.get("signature", ""), str):
            raise _constraint(
                text["signature"], f"{where}.reasoningContent.reasoningText.signature", "Member must be a string"
            )
    elif not isinstance(reasoning["redactedContent"], str) or not reasoning["redactedContent"]:
        raise _constraint(None, f"{where}.reasoningContent.redactedContent", "Member must not be null")


def _check_media_bytes(source: dict[str, Any], where: str) -> None:
    """Bytes inline in an image or document source are a blob: base64 text on the wire."""
    if "bytes" in source:
        violation = blob_violation(source["bytes"])
        if violation is not None:
            raise _constraint("<bytes>", f"{where}.source.bytes", violation)


def _check_tool_config(tool_config: Any, texts: list[str]) -> Constraints:
    """The tools, their schemas and the tool choice, as the service model's `ToolConfiguration` declares them."""
    if tool_config is None:
        return NO_CONSTRAINTS
    tools = tool_config.get("tools") if isinstance(tool_config, dict) else None
    if not isinstance(tools, list) or not tools:
        raise _constraint(tools, "toolConfig.tools", "Member must have length greater than or equal to 1")
    schemas: dict[str, dict[str, Any]] = {}
    strict: set[str] = set()
    for index, tool in enumerate(tools):
        spec = tool.get("toolSpec") if isinstance(tool, dict) else None
        if spec is None:
            if isinstance(tool, dict) and ("cachePoint" in tool or "systemTool" in tool):
                continue
            raise _constraint(tool, f"toolConfig.tools.{index + 1}.member", "Member must hold a toolSpec")
        if not isinstance(spec, dict) or not isinstance(spec.get("name"), str) or "inputSchema" not in spec:
            raise _constraint(
                spec, f"toolConfig.tools.{index + 1}.member.toolSpec", "Member must have name and inputSchema"
            )
        where = f"toolConfig.tools.{index}.toolSpec.inputSchema.json"
        source = spec["inputSchema"]
        if not isinstance(source, dict) or "json" not in source:
            raise validation_error(f"The value at {where}.type must be one of the following: object.")
        schemas[spec["name"]] = checked_schema(
            source["json"], where=where, model_where=f"tools.{index}.custom.input_schema", prefix=MODEL_ERRORS
        )
        flag = spec.get("strict")
        if flag is not None and not isinstance(flag, bool):
            raise _constraint(flag, f"toolConfig.tools.{index + 1}.member.toolSpec.strict", "Member must be a boolean")
        if flag:
            strict.add(spec["name"])
        texts.append(json.dumps(spec))
    return Constraints(schemas, frozenset(strict), _forced_tool(tool_config.get("toolChoice"), schemas))


def _forced_tool(choice: Any, schemas: dict[str, dict[str, Any]]) -> str | None:
    """The tool a `toolChoice` forces: a name, "" for `any`, None for `auto` or no choice."""
    if choice is None:
        return None
    members = [key for key in ("auto", "any", "tool") if isinstance(choice, dict) and key in choice]
    if len(members) != 1 or len(choice) != 1:
        raise _constraint(choice, "toolConfig.toolChoice", "Member must have exactly one of auto, any or tool")
    if members[0] == "auto":
        return None
    if not schemas:
        raise validation_error(MODEL_ERRORS + "tool_choice may only be specified while providing tools.")
    if members[0] == "any":
        return ""
    named = choice["tool"].get("name") if isinstance(choice["tool"], dict) else None
    if not isinstance(named, str) or not named:
        raise _constraint(named, "toolConfig.toolChoice.tool.name", "Member must not be null")
    if named not in schemas:
        raise validation_error(MODEL_ERRORS + f"Tool '{named}' not found in provided tools")
    return named


def _output_schema(output_config: Any) -> dict[str, Any] | None:
    """`outputConfig.textFormat`'s JSON Schema, if the request asks for structured output."""
    if output_config is None:
        return None
    if not isinstance(output_config, dict):
        raise _constraint(output_config, "outputConfig", "Member must be a structure")
    effort = output_config.get("effort")
    if effort is not None and effort not in EFFORTS:
        raise _constraint(effort, "outputConfig.effort", f"Member must satisfy enum value set: [{', '.join(EFFORTS)}]")
    text_format = output_config.get("textFormat")
    if text_format is None:
        return None
    kind = text_format.get("type") if isinstance(text_format, dict) else None
    if kind != "json_schema":
        raise _constraint(kind, "outputConfig.textFormat.type", "Member must satisfy enum value set: [json_schema]")
    structure = text_format.get("structure")
    definition = structure.get("jsonSchema") if isinstance(structure, dict) else None
    if not isinstance(definition, dict) or "schema" not in definition:
        raise _constraint(None, "outputConfig.textFormat.structure.jsonSchema.schema", "Member must not be null")
    return parse_text_schema(
        definition["schema"], where="outputConfig.textFormat.structure.jsonSchema.schema", prefix=MODEL_ERRORS
    )


def _check_additional_fields(model: Model, fields: Any) -> None:
    if fields is None:
        return
    if not isinstance(fields, dict):
        raise validation_error("additionalModelRequestFields must be a JSON object.")
    unknown = [
        key
        for key in fields
        if key not in MESSAGES_KEYS or key in _CONVERSE_OWNED or (key == "thinking" and not model.thinking)
    ]
    if unknown:
        raise validation_error(
            MODEL_ERRORS + malformed_input(*(f"#: extraneous key [{key}] is not permitted" for key in unknown)).message
        )


def tool_use_id() -> str:
    """An id shaped like Converse's: `tooluse_` and 22 base62 characters."""
    return "tooluse_" + random_base62(22)


# Usage as recordings of real traffic show it, newest evidence first (pydantic/pydantic-ai,
# tests/models/cassettes/test_bedrock/*.yaml as of 2026-08-22, each dated by the commit that wrote it;
# traceloop/openllmetry, packages/opentelemetry-instrumentation-bedrock/tests/traces/cassettes/test_anthropic/
# test_anthropic_converse_stream_with_tool_use.yaml, 2025-10-09):
# - `serverToolUsage: {}` on every Converse reply and ConverseStream metadata event recorded from October 2025 on,
#   whatever the model (Claude 3 Sonnet to Sonnet 4.6, Nova, Llama, Mistral, gpt-oss); absent before;
# - Converse replies of Claude 3.7 Sonnet and later repeat the cache figures as `cacheReadInputTokenCount` and
#   `cacheWriteInputTokenCount` (every one, April 2025 to July 2026, e.g. test_bedrock_top_k_anthropic_variant.yaml);
# - ConverseStream metadata of those models carries no cache keys when nothing was cached
#   (test_bedrock_model_thinking_part_stream.yaml, Sonnet 4; test_bedrock_model_thinking_part_redacted_stream.yaml,
#   Claude 3.7 Sonnet);
# - `cacheDetails` when the request has cache points: from January 2026 on
#   (test_bedrock_cache_messages_with_document_as_last_content.yaml, 2026-01-31); December 2025 replies had none.
SERVER_TOOL_USAGE_KEY = "serverToolUsage"


def _usage(conversation: Conversation, answer: Answer, cache: CacheUsage, stream: bool = False) -> dict[str, Any]:
    output = answer.output_tokens
    uncached = max(0, conversation.input_tokens - cache.read - cache.write)
    usage: dict[str, Any] = {
        "inputTokens": uncached,
        "outputTokens": output,
        "totalTokens": uncached + cache.read + cache.write + output,
    }
    if (reports_cache_usage(conversation.model) and not stream) or cache.read or cache.write:
        usage["cacheReadInputTokens"] = cache.read
        usage["cacheWriteInputTokens"] = cache.write
        if not stream:
            usage["cacheReadInputTokenCount"] = cache.read
            usage["cacheWriteInputTokenCount"] = cache.write
    if conversation.cache_points:
        usage["cacheDetails"] = [{"ttl": ttl, "inputTokens": tokens} for ttl, tokens in cache.writes_by_ttl]
    usage[SERVER_TOOL_USAGE_KEY] = {}
    return usage


def converse_reply(
    conversation: Conversation,
    answer: Answer,
    latency_ms: int,
    cache: CacheUsage = NOTHING_CACHED,
    trace: dict[str, Any] | None = None,
) -> dict[str, Any]:
    content: list[dict[str, Any]] = []
    if answer.reasoning is not None:
        reasoning = {"text": answer.reasoning, "signature": answer.signature}
        content.append({"reasoningContent": {"reasoningText": reasoning}})
    if answer.text or answer.tool_use is None:
        content.append({"text": answer.text})
    if answer.tool_use is not None:
        tool = answer.tool_use
        content.append({"toolUse": {"toolUseId": tool.id or tool_use_id(), "name": tool.name, "input": tool.input}})
    return {
        "output": {"message": {"role": "assistant", "content": content}},
        "stopReason": answer.stop_reason,
        "usage": _usage(conversation, answer, cache),
        "metrics": {"latencyMs": latency_ms},
        **conversation.echoed,
        **({} if trace is None else {"trace": trace}),
    }


# The members of ConverseStream's output union that carry events (ConverseStreamOutput); its error members are
# errors.StreamErrorMember.
ConverseStreamEvent = Literal[
    "messageStart", "contentBlockStart", "contentBlockDelta", "contentBlockStop", "messageStop", "metadata"
]


def converse_stream_events(
    conversation: Conversation,
    answer: Answer,
    piece_chars: int,
    started: float,
    cache: CacheUsage = NOTHING_CACHED,
    trace: dict[str, Any] | None = None,
) -> Iterator[tuple[ConverseStreamEvent, dict[str, Any]]]:
    """(event type, payload) pairs of a ConverseStream reply, text and tool input cut into `piece_chars` pieces;
    built as they are read, so that a long reply's events never all exist at once."""
    yield "messageStart", {"role": "assistant"}
    index = 0
    if answer.reasoning is not None:
        # Omitted thinking (an empty text) streams the signature alone.
        for piece in split_text(answer.reasoning, piece_chars) if answer.reasoning else ():
            yield "contentBlockDelta", {"contentBlockIndex": 0, "delta": {"reasoningContent": {"text": piece}}}
        signature = {"reasoningContent": {"signature": answer.signature}}
        yield "contentBlockDelta", {"contentBlockIndex": 0, "delta": signature}
        yield "contentBlockStop", {"contentBlockIndex": 0}
        index = 1
    if answer.text or answer.tool_use is None:
        for piece in split_text(answer.text, piece_chars):
            yield "contentBlockDelta", {"contentBlockIndex": index, "delta": {"text": piece}}
        yield "contentBlockStop", {"contentBlockIndex": index}
        index += 1
    if answer.tool_use is not None:
        tool = answer.tool_use
        start = {"toolUse": {"toolUseId": tool.id or tool_use_id(), "name": tool.name}}
        yield "contentBlockStart", {"contentBlockIndex": index, "start": start}
        for piece in split_text(json.dumps(tool.input, ensure_ascii=False), piece_chars):
            yield "contentBlockDelta", {"contentBlockIndex": index, "delta": {"toolUse": {"input": piece}}}
        yield "contentBlockStop", {"contentBlockIndex": index}
    yield "messageStop", {"stopReason": answer.stop_reason}
    latency = max(1, round((time.perf_counter() - started) * 1000))
    metadata = {
        "usage": _usage(conversation, answer, cache, stream=True),
        "metrics": {"latencyMs": latency},
        **conversation.echoed,
    }
    if trace is not None:
        metadata["trace"] = trace
    yield "metadata", metadata
