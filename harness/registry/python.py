"""Python: the boto3 samples, each a script run in the folder's own virtualenv."""

from __future__ import annotations

from ..stub import INVOKE_MODEL
from .common import CLAUDE_3_HAIKU, PYTHON3
from .model import Check, ErrorPath, Floor, Language, Sample, Sdk, Step

BOTO3_ERROR = ErrorPath(
    "ERROR: Can't invoke '{model_id}'. Reason: An error occurred ({error}) when calling the InvokeModel operation: "
    "{message}"
)

LANGUAGE = Language(
    name="python",
    title="Python (boto3)",
    folder="python",
    tools=(PYTHON3,),
    sdk=Sdk("boto3", manifest="requirements.txt"),
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
            on_error=BOTO3_ERROR,
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
