"""Go: the SDK for Go v2 samples in one module, each run by a small command beside it."""

from __future__ import annotations

from ..stub import INVOKE_MODEL
from ..stub.models import PROMPT_START_RULE
from .common import CLAUDE_2
from .model import Check, ErrorPath, Floor, Language, Sample, Sdk, Step, Tool

GO = Tool("go", "Go 1.24 or later", "Debian: apt-get install golang-go, or a Go release for your system")
GOFMT = Tool("gofmt", "gofmt, which comes with Go", "it is installed with Go")

LANGUAGE = Language(
    name="go",
    title="Go (SDK for Go v2)",
    folder="go",
    tools=(GO,),
    sdk=Sdk("github.com/aws/aws-sdk-go-v2/service/bedrockruntime", manifest="go.mod"),
    steps=(
        Step("download", commands=(("go", "mod", "download"),), inputs=("go.mod", "go.sum")),
        Step(
            "build",
            commands=(("go", "build", "-o", "bin/invoke_claude", "./cmd/invoke_claude"),),
            inputs=("go.mod", "go.sum", "*/*.go", "*/*/*.go"),
            outputs=("bin/invoke_claude",),
        ),
    ),
    samples=(
        Sample(
            id="go",
            title="InvokeModelWrapper.InvokeClaude, through cmd/invoke_claude",
            source="actions/invoke_model.go",
            run=("bin/invoke_claude",),
            operation=INVOKE_MODEL,
            model_id=CLAUDE_2,
            on_error=ErrorPath(
                "ERROR: Can't invoke '{model_id}'. Reason: operation error Bedrock Runtime: *{error}: {message}",
                stream="stderr",
            ),
            expected_findings=(PROMPT_START_RULE,),
        ),
    ),
    floor=Floor(("{cache}/go-floor",), build=(("go", "build", "-o", "{cache}/go-floor", "{floors}/floor.go"),)),
    checks=(
        Check("gofmt", ("gofmt", "-l", "."), tools=(GOFMT,), fails_on_output=True),
        Check("go vet", ("go", "vet", "./..."), tools=(GO,)),
    ),
)
