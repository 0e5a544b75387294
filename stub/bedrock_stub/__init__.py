"""A local Amazon Bedrock Runtime stub: `python -m bedrock_stub`, or `with Stub() as stub:` from Python."""

from .errors import MODELED_ERRORS, BedrockError, ErrorName, ModeledErrorName
from .journal import JournalEntry
from .models import CATALOGUE, Catalogue, Finding, Model
from .operations import (
    APPLY_GUARDRAIL,
    CONVERSE,
    CONVERSE_STREAM,
    COUNT_TOKENS,
    INVOKE_MODEL,
    INVOKE_MODEL_STREAM,
    OPERATIONS,
    STREAMING_OPERATIONS,
    ModelOperationName,
    Operation,
    OperationName,
)
from .replies import Reply, Rule, ToolCall
from .server import DEFAULT_SENTENCE, Stub, StubError, default_reply, is_loopback
from .sigv4 import EXAMPLE_ACCESS_KEY_ID, EXAMPLE_SECRET_ACCESS_KEY, AuthScheme, Credentials, SignatureStatus

__all__ = [
    "APPLY_GUARDRAIL",
    "CATALOGUE",
    "CONVERSE",
    "CONVERSE_STREAM",
    "COUNT_TOKENS",
    "DEFAULT_SENTENCE",
    "EXAMPLE_ACCESS_KEY_ID",
    "EXAMPLE_SECRET_ACCESS_KEY",
    "INVOKE_MODEL",
    "INVOKE_MODEL_STREAM",
    "MODELED_ERRORS",
    "OPERATIONS",
    "STREAMING_OPERATIONS",
    "AuthScheme",
    "BedrockError",
    "Catalogue",
    "Credentials",
    "ErrorName",
    "Finding",
    "JournalEntry",
    "Model",
    "ModelOperationName",
    "ModeledErrorName",
    "Operation",
    "OperationName",
    "Reply",
    "Rule",
    "SignatureStatus",
    "Stub",
    "StubError",
    "ToolCall",
    "default_reply",
    "is_loopback",
]
