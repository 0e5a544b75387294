"""C#: the AWSSDK.BedrockRuntime samples, one small project each in one solution, built with the .NET SDK."""

from __future__ import annotations

from bedrock_stub import CONVERSE, CONVERSE_STREAM, INVOKE_MODEL, INVOKE_MODEL_STREAM

from .common import CLAUDE_3_HAIKU
from .model import Check, ErrorPath, Installed, Language, Sample, Sdk, Step, Tool

DOTNET = Tool(
    "dotnet",
    "the .NET 8 SDK",
    "install the .NET 8 SDK (Microsoft's dotnet-sdk-8.0 package for your system, or its dotnet-install script)",
)
SOLUTION = "BedrockRuntimeExamples.sln"
# Every project of the solution: a folder holding <name>.csproj and its program (a top-level Program.cs, or the
# getting-started program's class with its Main).
PROJECTS = ("InvokeModel", "InvokeModelWithResponseStream", "Converse", "ConverseStream", "HelloBedrockRuntime")
# No MSBuild node or compiler server may outlive a step: the harness waits for every child of a run.
NO_BUILD_SERVERS = ("--disable-build-servers", "-nodeReuse:false")

# dotnetv4/ upstream holds the same four programs, pinned to AWSSDK.BedrockRuntime 4.0.7.1 as here.
UPSTREAM = "dotnetv3/Bedrock-runtime/Models/AnthropicClaude"
# The last commit that held the InvokeModel examples (the next one removed them).
INVOKE_EXAMPLES_COMMIT = "1cd0734e05f493674316679c214cc6b1a8dd5db1"
# The commit the Converse programs were mirrored from (the last to change them).
CONVERSE_EXAMPLES_COMMIT = "334b57561134eb5b7fa52b5d2525eb26367f40cc"
# The getting-started program: Claude Haiku 4.5 through its global profile, signed for us-west-2, since d23f844
# (#7987), which replaced the Claude 2 version; dotnetv4/ holds the same program.
HELLO = "dotnetv3/Bedrock-runtime/Actions/HelloBedrockRuntime.cs@d23f844452433c8ff8e15d5f4b3f79e601db7ed8"
HAIKU_4_5_GLOBAL = "global.anthropic.claude-haiku-4-5-20251001-v1:0"

# Every program prints its error line and rethrows, so the runtime ends it with an unhandled exception.
RETHROWN = ErrorPath("ERROR: Can't invoke '{model_id}'. Reason: {message}", exit_code=None)
# While a stream is read, the SDK raises an error frame as BedrockRuntimeEventStreamException, which is no
# AmazonBedrockRuntimeException, so the catch misses it; the modeled error is its inner exception. An error before
# the stream (an HTTP error) is caught and rethrown. Either way the runtime's unhandled-exception report names the
# modeled exception and its message, and the same error can arrive either way (ValidationException), so that
# report is what the streaming programs are judged by.
STREAM_UNHANDLED = ErrorPath("Amazon.BedrockRuntime.Model.{error}: {message}", stream="stderr", exit_code=None)


def program(sample_id: str, project: str, operation: str, upstream: str, on_error: ErrorPath = RETHROWN) -> Sample:
    return Sample(
        id=sample_id,
        title=f"{project}/Program.cs (top-level program)",
        source=f"{project}/Program.cs",
        run=("dotnet", f"{project}/bin/Release/net8.0/{project}.dll"),
        operation=operation,
        model_id=CLAUDE_3_HAIKU,
        on_error=on_error,
        upstream=upstream,
    )


LANGUAGE = Language(
    name="dotnet",
    title=".NET (AWSSDK.BedrockRuntime)",
    folder="dotnet",
    tools=(DOTNET,),
    sdk=Sdk(
        "AWSSDK.BedrockRuntime",
        manifest="InvokeModel/InvokeModel.csproj",
        installed=Installed("nuget-assets", "InvokeModel/obj/project.assets.json", "AWSSDK.BedrockRuntime"),
        # Every project pins the SDK, so an upgrade moves them all together.
        upgrade=tuple(
            ("dotnet", "add", f"{project}/{project}.csproj", "package", "AWSSDK.BedrockRuntime") for project in PROJECTS
        ),
    ),
    steps=(
        Step(
            "restore",
            commands=(("dotnet", "restore", SOLUTION, *NO_BUILD_SERVERS),),
            inputs=(SOLUTION, "*/*.csproj", "*/packages.lock.json"),
            outputs=tuple(f"{project}/obj/project.assets.json" for project in PROJECTS),
            unavailable="AWSSDK.BedrockRuntime (pinned in each dotnet/*/*.csproj) could not be restored: "
            f"run `dotnet restore {SOLUTION}` in dotnet/ where NuGet is reachable",
        ),
        Step(
            "build",
            commands=(("dotnet", "build", SOLUTION, "--no-restore", "--nologo", "-c", "Release", *NO_BUILD_SERVERS),),
            inputs=(SOLUTION, "*/*.csproj", "*/*.cs", "*/obj/project.assets.json"),
            outputs=tuple(f"{project}/bin/Release/net8.0/{project}.dll" for project in PROJECTS),
        ),
    ),
    samples=(
        program(
            "dotnet",
            "InvokeModel",
            INVOKE_MODEL,
            f"{UPSTREAM}/InvokeModel/InvokeModel.cs@{INVOKE_EXAMPLES_COMMIT}",
        ),
        program(
            "dotnet-stream",
            "InvokeModelWithResponseStream",
            INVOKE_MODEL_STREAM,
            f"{UPSTREAM}/InvokeModelWithResponseStream/InvokeModelWithResponseStream.cs@{INVOKE_EXAMPLES_COMMIT}",
            on_error=STREAM_UNHANDLED,
        ),
        program("dotnet-converse", "Converse", CONVERSE, f"{UPSTREAM}/Converse/Converse.cs@{CONVERSE_EXAMPLES_COMMIT}"),
        program(
            "dotnet-converse-stream",
            "ConverseStream",
            CONVERSE_STREAM,
            f"{UPSTREAM}/ConverseStream/ConverseStream.cs@{CONVERSE_EXAMPLES_COMMIT}",
            on_error=STREAM_UNHANDLED,
        ),
        Sample(
            id="dotnet-hello",
            title="HelloBedrockRuntime/HelloBedrockRuntime.cs, the getting-started program",
            source="HelloBedrockRuntime/HelloBedrockRuntime.cs",
            run=("dotnet", "HelloBedrockRuntime/bin/Release/net8.0/HelloBedrockRuntime.dll"),
            operation=CONVERSE,
            model_id=HAIKU_4_5_GLOBAL,
            # Its client is built for RegionEndpoint.USWest2.
            region="us-west-2",
            # It prints the reply alone; every modeled error is an AmazonBedrockRuntimeException, caught and rethrown.
            on_error=RETHROWN,
            upstream=HELLO,
        ),
    ),
    checks=(
        Check(
            "C# syntax (tree-sitter)",
            ("python", "-m", "bedrock_mirror.checks.csharp_syntax", "{files}"),
            files="**/*.cs",
        ),
    ),
)
