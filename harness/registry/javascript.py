"""JavaScript: the SDK v3 samples, run by Node.js from the npm project in javascript/."""

from __future__ import annotations

from ..extraction import Extraction
from ..stub import INVOKE_MODEL, INVOKE_MODEL_STREAM
from .common import CLAUDE_3_HAIKU, NODE, NPM, NPM_CI
from .model import Check, ErrorPath, Floor, Language, Sample, Sdk

# The module's run-directly block logs the error and ends normally; the streaming runner exits 1.
JS_ERROR = ErrorPath("{error}: {message}", exit_code=0)

LANGUAGE = Language(
    name="javascript",
    title="JavaScript (SDK v3)",
    folder="javascript",
    tools=(NODE, NPM),
    sdk=Sdk("@aws-sdk/client-bedrock-runtime", manifest="package-lock.json"),
    steps=(NPM_CI,),
    samples=(
        Sample(
            id="javascript",
            title="invoke_claude_3.js, run directly",
            source="models/anthropicClaude/invoke_claude_3.js",
            run=("node", "models/anthropicClaude/invoke_claude_3.js"),
            operation=INVOKE_MODEL,
            model_id=CLAUDE_3_HAIKU,
            on_error=JS_ERROR,
            extraction=Extraction(after="Final structured response:"),
        ),
        Sample(
            id="javascript-stream",
            title="invokeModelWithResponseStream, through runners/stream_claude_3.js",
            source="models/anthropicClaude/invoke_claude_3.js",
            run=("node", "runners/stream_claude_3.js"),
            operation=INVOKE_MODEL_STREAM,
            model_id=CLAUDE_3_HAIKU,
            on_error=ErrorPath("{error}: {message}", exit_code=1),
        ),
    ),
    floor=Floor(
        (
            "node",
            "--input-type=module",
            "-e",
            "const { BedrockRuntimeClient } = await import('@aws-sdk/client-bedrock-runtime'); "
            "new BedrockRuntimeClient({ region: 'us-east-1' }); console.log('floor');",
        )
    ),
    checks=(Check("prettier", ("node_modules/.bin/prettier", "--check", "."), tools=(NODE,), after_steps=True),),
)
