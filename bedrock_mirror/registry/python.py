"""Python: the boto3 samples, each a script run in the folder's own virtualenv."""

from __future__ import annotations

from bedrock_stub import CONVERSE, CONVERSE_STREAM, INVOKE_MODEL, INVOKE_MODEL_STREAM

from ..extraction import AfterLastLine
from .common import CLAUDE_3_HAIKU, PYTHON3, WEATHER_TOOL
from .model import Check, ErrorPath, Floor, Installed, Language, Sample, Sdk, Step

UPSTREAM = "python/example_code/bedrock-runtime/models/anthropic_claude"
TOOL_USE_UPSTREAM = "python/example_code/bedrock-runtime/cross-model-scenarios/tool_use_demo"
# The last commit that held the InvokeModel examples (the next one removed them).
INVOKE_EXAMPLES_COMMIT = "1cd0734e05f493674316679c214cc6b1a8dd5db1"


def caught_by_script(operation: str) -> ErrorPath:
    """The scripts' own `except` line, around botocore's text for the error.

    botocore names an error that arrives inside a stream by its lowerCamel stream member
    (`modelStreamErrorException`), so the name in parentheses is left open.
    """
    return ErrorPath(
        "ERROR: Can't invoke '{model_id}'. Reason: An error occurred (*) when calling the "
        + operation
        + " operation: {message}"
    )


LANGUAGE = Language(
    name="python",
    title="Python (boto3)",
    folder="python",
    tools=(PYTHON3,),
    sdk=Sdk(
        "boto3",
        manifest="requirements.txt",
        installed=Installed("python-venv", ".venv", "boto3"),
        upgrade=((".venv/bin/python", "-m", "pip", "install", "--quiet", "--upgrade", "boto3"),),
    ),
    steps=(
        Step(
            "install",
            commands=(
                ("python3", "-m", "venv", ".venv"),
                (".venv/bin/python", "-m", "pip", "install", "--quiet", "-r", "requirements.txt"),
            ),
            inputs=("requirements.txt",),
            outputs=(".venv/bin/python",),
        ),
    ),
    samples=(
        Sample(
            id="python",
            title="invoke_model.py",
            source="invoke_model.py",
            run=(".venv/bin/python", "invoke_model.py"),
            operation=INVOKE_MODEL,
            model_id=CLAUDE_3_HAIKU,
            on_error=ErrorPath(
                "ERROR: Can't invoke '{model_id}'. Reason: An error occurred ({error}) when calling the InvokeModel "
                "operation: {message}"
            ),
            upstream=f"{UPSTREAM}/invoke_model.py@{INVOKE_EXAMPLES_COMMIT}",
        ),
        Sample(
            id="python-stream",
            title="invoke_model_with_response_stream.py",
            source="invoke_model_with_response_stream.py",
            run=(".venv/bin/python", "invoke_model_with_response_stream.py"),
            operation=INVOKE_MODEL_STREAM,
            model_id=CLAUDE_3_HAIKU,
            # The script has no handler: botocore's exception ends it with a traceback.
            on_error=ErrorPath(
                "An error occurred (*) when calling the InvokeModelWithResponseStream operation: {message}",
                stream="stderr",
            ),
            upstream=f"{UPSTREAM}/invoke_model_with_response_stream.py@{INVOKE_EXAMPLES_COMMIT}",
        ),
        Sample(
            id="python-converse",
            title="converse.py",
            source="converse.py",
            run=(".venv/bin/python", "converse.py"),
            operation=CONVERSE,
            model_id=CLAUDE_3_HAIKU,
            on_error=caught_by_script("Converse"),
            upstream=f"{UPSTREAM}/converse.py@a89efb220839b5db695376620ccabbcaa5320f1c",
        ),
        Sample(
            id="python-converse-stream",
            title="converse_stream.py",
            source="converse_stream.py",
            run=(".venv/bin/python", "converse_stream.py"),
            operation=CONVERSE_STREAM,
            model_id=CLAUDE_3_HAIKU,
            on_error=caught_by_script("ConverseStream"),
            upstream=f"{UPSTREAM}/converse_stream.py@a89efb220839b5db695376620ccabbcaa5320f1c",
        ),
        Sample(
            id="python-document",
            title="document_understanding.py (a PDF through Converse)",
            source="document_understanding.py",
            run=(".venv/bin/python", "document_understanding.py"),
            operation=CONVERSE,
            model_id=CLAUDE_3_HAIKU,
            on_error=caught_by_script("Converse"),
            upstream=f"{UPSTREAM}/document_understanding.py@b08a0c572003d7e7fab36a8394926a5552bb1cfc",
        ),
        Sample(
            id="python-tool-use",
            title="tool_use_demo/tool_use_demo.py (a weather assistant: Converse with a tool)",
            source="tool_use_demo/tool_use_demo.py",
            run=(".venv/bin/python", "tool_use_demo/tool_use_demo.py"),
            operation=CONVERSE,
            model_id=CLAUDE_3_HAIKU,
            # One weather question, then `x` to leave, as a user types them.
            stdin="What's the weather like in Paris?\nx\n",
            tool=WEATHER_TOOL,
            # Each answer is printed under the label; a line of dashes comes before the next question.
            extraction=AfterLastLine(after="\x1b[0;90mThe model's response:\x1b[0m", before="-" * 80),
            # The demo catches nothing: botocore's exception ends it with a traceback.
            on_error=ErrorPath(
                "An error occurred ({error}) when calling the Converse operation: {message}", stream="stderr"
            ),
            upstream=f"{TOOL_USE_UPSTREAM}/tool_use_demo.py@ebd9c823b5357f2fe6b6761979d592902b7dd92d",
        ),
    ),
    floor=Floor(
        (
            ".venv/bin/python",
            "-c",
            "import boto3; boto3.client('bedrock-runtime', region_name='us-east-1'); print('floor')",
        )
    ),
    checks=(
        Check("ruff format", ("ruff", "format", "--check", ".")),
        Check("ruff check", ("ruff", "check", "--select", "E,F,I", ".")),
    ),
)
