"""JavaScript: the SDK v3 samples, run by Node.js from the npm project in javascript/."""

from __future__ import annotations

from bedrock_stub import CONVERSE, CONVERSE_STREAM, INVOKE_MODEL, INVOKE_MODEL_STREAM

from ..extraction import Extraction
from .common import CLAUDE_3_HAIKU, NODE, NPM, NPM_CI
from .model import Check, ErrorPath, Floor, Installed, Language, Sample, Sdk

UPSTREAM = "javascriptv3/example_code/bedrock-runtime/models/anthropicClaude/"
# Where the InvokeModel module was last held before its removal upstream.
INVOKE_CLAUDE_3 = UPSTREAM + "invoke_claude_3.js@1cd0734e05f493674316679c214cc6b1a8dd5db1"

# The module's run-directly block (and the streaming runner, which copies it) logs the error and ends normally.
JS_ERROR = ErrorPath("{error}: {message}", exit_code=0)
# The getting-started script: a banner, then the reply on one line after "Response: ".
HELLO = "javascriptv3/example_code/bedrock-runtime/hello.js@d23f844452433c8ff8e15d5f4b3f79e601db7ed8"
HAIKU_4_5_GLOBAL = "global.anthropic.claude-haiku-4-5-20251001-v1:0"
# Its catch reports only an error named BedrockRuntimeServiceException; every modelled error has its own name, so
# it is rethrown unreported and Node ends the program with it uncaught (its name and message, a trace, exit 1).
HELLO_REPORTED = ErrorPath("ERROR: Can't invoke '{model_id}'. Reason: {message}", stream="stderr", exit_code=1)
HELLO_UNCAUGHT = ErrorPath("{error}: {message}", stream="stderr", exit_code=1)
# The Converse scripts log the error with the model id, then exit 1.
CONVERSE_ERROR = ErrorPath("ERROR: Can't invoke '{model_id}'. Reason: {error}: {message}", exit_code=1)

LANGUAGE = Language(
    name="javascript",
    title="JavaScript (SDK v3)",
    folder="javascript",
    tools=(NODE, NPM),
    sdk=Sdk(
        "@aws-sdk/client-bedrock-runtime",
        manifest="package-lock.json",
        installed=Installed("npm", "node_modules", "@aws-sdk/client-bedrock-runtime"),
        upgrade=(("npm", "install", "--no-audit", "--no-fund", "@aws-sdk/client-bedrock-runtime@latest"),),
    ),
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
            upstream=INVOKE_CLAUDE_3,
        ),
        Sample(
            id="javascript-stream",
            title="invokeModelWithResponseStream, through runners/stream_claude_3.js",
            source="models/anthropicClaude/invoke_claude_3.js",
            run=("node", "runners/stream_claude_3.js"),
            operation=INVOKE_MODEL_STREAM,
            model_id=CLAUDE_3_HAIKU,
            on_error=JS_ERROR,
            upstream=INVOKE_CLAUDE_3,
        ),
        Sample(
            id="javascript-converse",
            title="converse.js, run directly",
            source="models/anthropicClaude/converse.js",
            run=("node", "models/anthropicClaude/converse.js"),
            operation=CONVERSE,
            model_id=CLAUDE_3_HAIKU,
            on_error=CONVERSE_ERROR,
            upstream=UPSTREAM + "converse.js@a89efb220839b5db695376620ccabbcaa5320f1c",
        ),
        Sample(
            id="javascript-converse-stream",
            title="converseStream.js, run directly",
            source="models/anthropicClaude/converseStream.js",
            run=("node", "models/anthropicClaude/converseStream.js"),
            operation=CONVERSE_STREAM,
            model_id=CLAUDE_3_HAIKU,
            on_error=CONVERSE_ERROR,
            upstream=UPSTREAM + "converseStream.js@a89efb220839b5db695376620ccabbcaa5320f1c",
        ),
        Sample(
            id="javascript-hello",
            title="hello.js, run directly",
            source="hello.js",
            run=("node", "hello.js"),
            operation=CONVERSE,
            model_id=HAIKU_4_5_GLOBAL,
            extraction=Extraction(after_prefix="Response: "),
            on_error=HELLO_REPORTED,
            caught_errors=(),
            on_uncaught=HELLO_UNCAUGHT,
            upstream=HELLO,
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
