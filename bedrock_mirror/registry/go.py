"""Go: the SDK for Go v2 samples in one module, each run by a small command beside it."""

from __future__ import annotations

from bedrock_stub import CONVERSE, INVOKE_MODEL, INVOKE_MODEL_STREAM
from bedrock_stub.models import PROMPT_START_RULE

from ..extraction import Extraction
from .common import CLAUDE_2, CLAUDE_3_HAIKU
from .model import Check, ErrorPath, Floor, Installed, Language, Sample, Sdk, Step, Tool

GO = Tool("go", "Go 1.24 or later", "Debian: apt-get install golang-go, or a Go release for your system")
GOFMT = Tool("gofmt", "gofmt, which comes with Go", "it is installed with Go")

UPSTREAM = "gov2/bedrock-runtime"
# The last commit that held the InvokeModel and InvokeModelWithResponseStream examples (the next one removed them).
INVOKE_EXAMPLES_COMMIT = "1cd0734e05f493674316679c214cc6b1a8dd5db1"

# The commands the build makes, one per runner.
COMMANDS = ("invoke_claude", "invoke_claude_stream", "converse_claude")

# Where a call fails, the examples only log why and carry on with the nil output, so the next line that reads it
# panics. The runners, like upstream's scenarios (scenarios/scenario_invoke_models.go at INVOKE_EXAMPLES_COMMIT,
# scenarios/scenario_converse.go), call the example under a deferred recover that logs the panic, so the program
# logs the example's line, then this one, and ends with status 0.
RECOVERED_EXIT_CODE = 0
RECOVERED_PANIC = "Something went wrong with the demo: runtime error: invalid memory address or nil pointer dereference"

# The runners print the Region first, on standard output, as upstream's cmd/main.go does.
REGION = "us-east-1"
REGION_LINE = f"Using AWS region: {REGION}"
# The scenarios log the trimmed answer behind this label; Go's logger writes to standard error.
CLAUDE_LABEL = Extraction(after_prefix="Claude     : ", stream="stderr")


def logged_then_recovered(line: str, operation: str) -> ErrorPath:
    """The example's log line, around the SDK's text for the failed operation, before the recovered panic."""
    return ErrorPath(
        line + "Here's why: operation error Bedrock Runtime: " + operation + ", *{error}: {message}",
        stream="stderr",
        exit_code=RECOVERED_EXIT_CODE,
    )


LANGUAGE = Language(
    name="go",
    title="Go (SDK for Go v2)",
    folder="go",
    tools=(GO,),
    sdk=Sdk(
        "github.com/aws/aws-sdk-go-v2/service/bedrockruntime",
        manifest="go.mod",
        installed=Installed("go-binary", "bin/invoke_claude", "github.com/aws/aws-sdk-go-v2/service/bedrockruntime"),
        upgrade=(("go", "get", "github.com/aws/aws-sdk-go-v2/service/bedrockruntime@latest"), ("go", "mod", "tidy")),
    ),
    steps=(
        Step("download", commands=(("go", "mod", "download"),), inputs=("go.mod", "go.sum")),
        Step(
            "build",
            commands=(
                *(("go", "build", "-o", f"bin/{command}", f"./cmd/{command}") for command in COMMANDS),
                ("go", "build", "-o", "bin/hello", "./hello"),
                ("go", "build", "-o", "bin/hello_claude2", "./hello_claude2"),
            ),
            inputs=("go.mod", "go.sum", "*/*.go", "*/*/*.go"),
            outputs=(*(f"bin/{command}" for command in COMMANDS), "bin/hello", "bin/hello_claude2"),
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
            # ProcessError's message for any error but an unknown host or an unresolved model.
            extraction=CLAUDE_LABEL,
            on_error=logged_then_recovered('Couldn\'t invoke model: "{model_id}". ', "InvokeModel"),
            expected_findings=(PROMPT_START_RULE,),
            upstream=f"{UPSTREAM}/actions/invoke_model.go@{INVOKE_EXAMPLES_COMMIT}",
        ),
        Sample(
            id="go-stream",
            title="InvokeModelWithResponseStreamWrapper.InvokeModelWithResponseStream, "
            "through cmd/invoke_claude_stream",
            source="actions/invoke_model_with_response_stream.go",
            run=("bin/invoke_claude_stream",),
            operation=INVOKE_MODEL_STREAM,
            model_id=CLAUDE_2,
            # The example prints the pieces on standard output, after the runner's Region line. Only an error
            # answered before the stream starts reaches this path. The example never asks the event stream for its
            # error, so an exception frame inside the stream just ends the loop: the text before it is printed and
            # the program exits 0 without a word (tests/test_go_samples.py holds that).
            extraction=Extraction(after=REGION_LINE),
            on_error=logged_then_recovered("Couldn't invoke Anthropic Claude. ", "InvokeModelWithResponseStream"),
            ignores_stream_errors=True,
            expected_findings=(PROMPT_START_RULE,),
            upstream=f"{UPSTREAM}/actions/invoke_model_with_response_stream.go@{INVOKE_EXAMPLES_COMMIT}",
        ),
        Sample(
            id="go-converse",
            title="ConverseWrapper.ConverseClaude, through cmd/converse_claude",
            source="actions/converse.go",
            run=("bin/converse_claude",),
            operation=CONVERSE,
            model_id=CLAUDE_3_HAIKU,
            extraction=CLAUDE_LABEL,
            on_error=logged_then_recovered('Couldn\'t invoke model: "{model_id}". ', "Converse"),
            upstream=f"{UPSTREAM}/actions/converse.go@ee9be1b447b7036892505d36dea33b2e2409b422",
        ),
        Sample(
            id="go-hello",
            title="hello/hello.go, the getting-started program",
            source="hello/hello.go",
            run=("bin/hello",),
            operation=CONVERSE,
            model_id="global.anthropic.claude-haiku-4-5-20251001-v1:0",
            # It prints the Region, model and prompt first, then the reply after "Response: ".
            extraction=Extraction(after_prefix="Response: "),
            # log.Fatalf: the line on standard error (with the logger's date and time), then exit 1.
            on_error=ErrorPath(
                "ERROR: Can't invoke '{model_id}'. Reason: operation error Bedrock Runtime: Converse, *{error}: "
                "{message}",
                stream="stderr",
                exit_code=1,
            ),
            upstream=f"{UPSTREAM}/hello/hello.go@d23f844452433c8ff8e15d5f4b3f79e601db7ed8",
        ),
        Sample(
            id="go-hello-claude2",
            title="hello_claude2/hello.go, the earlier getting-started program",
            source="hello_claude2/hello.go",
            run=("bin/hello_claude2",),
            operation=INVOKE_MODEL,
            model_id=CLAUDE_2,
            # fmt.Println puts a space between its two arguments: the completion follows the label's line and a space.
            extraction=Extraction(after_prefix="Response from Anthropic Claude:\n "),
            # Any error but an unknown host or an unresolved model: one line on standard output, then exit 1.
            on_error=ErrorPath(
                "Error: Couldn't invoke Anthropic Claude. Here's why: operation error Bedrock Runtime: InvokeModel, "
                "*{error}: {message}",
                exit_code=1,
            ),
            expected_findings=(PROMPT_START_RULE,),
            upstream=f"{UPSTREAM}/hello/hello.go@{INVOKE_EXAMPLES_COMMIT}",
        ),
    ),
    floor=Floor(("{cache}/go-floor",), build=(("go", "build", "-o", "{cache}/go-floor", "{floors}/floor.go"),)),
    checks=(
        Check("gofmt", ("gofmt", "-l", "."), tools=(GOFMT,), fails_on_output=True),
        Check("go vet", ("go", "vet", "./..."), tools=(GO,)),
    ),
)
