"""A local Amazon Bedrock Runtime stub: `python -m bedrock_stub`, or `with Stub() as stub:` from Python."""

from .errors import MODELED_ERRORS, BedrockError
from .journal import JournalEntry
from .models import CATALOGUE, Catalogue, Model
from .operations import (
    CONVERSE,
    CONVERSE_STREAM,
    COUNT_TOKENS,
    INVOKE_MODEL,
    INVOKE_MODEL_STREAM,
    OPERATIONS,
    STREAMING_OPERATIONS,
    Operation,
)
from .replies import Reply, Rule, ToolCall
from .server import DEFAULT_SENTENCE, Stub, StubError, default_reply, is_loopback
from .sigv4 import EXAMPLE_ACCESS_KEY_ID, EXAMPLE_SECRET_ACCESS_KEY, Credentials

__all__ = [
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
    "BedrockError",
    "Catalogue",
    "Credentials",
    "JournalEntry",
    "Model",
    "Operation",
    "Reply",
    "Rule",
    "Stub",
    "StubError",
    "ToolCall",
    "default_reply",
    "is_loopback",
]
