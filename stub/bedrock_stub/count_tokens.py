"""CountTokens: how many input tokens a request would use, for either form of input the service model allows.

`CountTokensInput` (botocore's service model) is a union of `invokeModel` — `{"body": <blob>}`, the native
InvokeModel body, which arrives base64-encoded in the JSON request as restJson1 encodes blobs — and `converse`
(`messages`, `system`, `toolConfig`, `additionalModelRequestFields`). The reply is `{"inputTokens": N}`. Both forms
are validated as the operation they stand for would validate them, and counted with the stub's four characters a
token.

Where the recordings show Bedrock stricter than the operation counted:
- CountTokens takes a foundation model's id or ARN (`FoundationModelVersionIdentifier` in the service model); an
  inference-profile id answers 400 "The provided model doesn't support counting tokens." (as Bedrock answered it for
  `us.anthropic.claude-sonnet-4-6`, maximhq/bifrost#2169).
- Server tools (a Messages body's tool with a `type` other than `custom`, such as `web_search_20250305`, or a
  Converse `systemTool`) are not counted: 400, in the stub's own words naming the tool.
"""

from __future__ import annotations

import base64
import binascii
from collections.abc import Iterable
from typing import Any

from .catalogue import PROFILE_PREFIXES
from .converse import conversation_from, not_valid_json
from .errors import validation_error
from .models import Finding, Model, parse_invocation
from .wire import parse_json_body

NOT_COUNTABLE_MODEL = "The provided model doesn't support counting tokens."


def count_input_tokens(model: Model, raw: bytes, *, strict: bool, model_id: str = "") -> tuple[int, list[Finding]]:
    """The input token count, and the conformance findings of the body counted (legacy prompts' rules)."""
    if is_inference_profile(model_id):
        raise validation_error(NOT_COUNTABLE_MODEL)
    request = parse_json_body(raw, refuse=not_valid_json)
    source: Any = request.get("input") if isinstance(request, dict) else None
    if not isinstance(source, dict) or len(source) != 1 or not ({"invokeModel", "converse"} & set(source)):
        raise validation_error(
            "1 validation error detected: Value at 'input' failed to satisfy constraint: "
            "Member must have exactly one of invokeModel or converse"
        )
    if "invokeModel" in source:
        encoded = source["invokeModel"].get("body") if isinstance(source["invokeModel"], dict) else None
        if not isinstance(encoded, str):
            raise validation_error(
                "1 validation error detected: Value null at 'input.invokeModel.body' failed to satisfy constraint: "
                "Member must not be null"
            )
        try:
            body = base64.b64decode(encoded, validate=True)
        except (binascii.Error, ValueError):  # ValueError: text outside ASCII
            raise validation_error("input.invokeModel.body is not valid base64.") from None
        invocation = parse_invocation(model, body, strict=strict)
        _refuse_server_tools(
            tool.get("type")
            for tool in invocation.body.get("tools") or []
            if isinstance(tool, dict) and tool.get("type") not in (None, "custom")
        )
        return invocation.input_tokens, invocation.findings
    converse = source["converse"]
    if not isinstance(converse, dict):
        raise validation_error("input.converse must be a JSON object.")
    conversation = conversation_from(model, converse, require_messages=True)
    tools = (converse.get("toolConfig") or {}).get("tools") or []
    _refuse_server_tools(
        tool["systemTool"].get("name") if isinstance(tool["systemTool"], dict) else tool["systemTool"]
        for tool in tools
        if isinstance(tool, dict) and "systemTool" in tool
    )
    return conversation.input_tokens, conversation.findings


def is_inference_profile(model_id: str) -> bool:
    """Whether a model id names an inference profile: a region-set prefix before the base id, or a profile ARN."""
    if model_id.startswith("arn:"):
        return ":inference-profile/" in model_id or ":application-inference-profile/" in model_id
    prefix, dot, _ = model_id.partition(".")
    return bool(dot) and prefix in PROFILE_PREFIXES


def _refuse_server_tools(names: Iterable[Any]) -> None:
    for name in names:
        raise validation_error(f"The tool {name} is a server tool, which counting tokens doesn't support.")
