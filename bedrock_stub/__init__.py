"""A local Amazon Bedrock Runtime for tests: the stub's public API under a name that says what it is.

`from bedrock_stub import Stub` starts one from Python; installed, the package also registers a pytest plugin
(`bedrock_stub.pytest_plugin`) whose `bedrock_stub` fixture points every AWS SDK in the test at a shared stub.
"""

from harness.stub import (
    CATALOGUE,
    CONVERSE,
    CONVERSE_STREAM,
    COUNT_TOKENS,
    EXAMPLE_ACCESS_KEY_ID,
    EXAMPLE_SECRET_ACCESS_KEY,
    INVOKE_MODEL,
    INVOKE_MODEL_STREAM,
    MODELED_ERRORS,
    OPERATIONS,
    STREAMING_OPERATIONS,
    BedrockError,
    Catalogue,
    Credentials,
    JournalEntry,
    Model,
    Operation,
    Reply,
    Rule,
    Stub,
    ToolCall,
)

__all__ = [
    "CATALOGUE",
    "CONVERSE",
    "CONVERSE_STREAM",
    "COUNT_TOKENS",
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
    "ToolCall",
]
