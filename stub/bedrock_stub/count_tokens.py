"""CountTokens: how many input tokens a request would use, for either form of input the service model allows.

`CountTokensInput` (botocore's service model) is a union of `invokeModel` — `{"body": <blob>}`, the native
InvokeModel body, which arrives base64-encoded in the JSON request as restJson1 encodes blobs — and `converse`
(`messages`, `system`, `toolConfig`, `additionalModelRequestFields`). The reply is `{"inputTokens": N}`. Both forms
are validated as the operation they stand for would validate them, and counted with the stub's four characters a
token.
"""

from __future__ import annotations

import base64
import binascii
from typing import Any

from .converse import conversation_from, not_valid_json
from .errors import validation_error
from .models import Model, parse_invocation
from .wire import parse_json_body


def count_input_tokens(model: Model, raw: bytes, *, strict: bool) -> tuple[int, list[str]]:
    """The input token count, and the conformance findings of the body counted (legacy prompts' rules)."""
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
        except binascii.Error:
            raise validation_error("input.invokeModel.body is not valid base64.") from None
        invocation = parse_invocation(model, body, strict=strict)
        return invocation.input_tokens, invocation.findings
    converse = source["converse"]
    if not isinstance(converse, dict):
        raise validation_error("input.converse must be a JSON object.")
    conversation = conversation_from(model, converse, require_messages=True)
    return conversation.input_tokens, conversation.findings
