"""C#: the AWSSDK.BedrockRuntime samples, built with the .NET SDK."""

from __future__ import annotations

from ..stub import INVOKE_MODEL
from .common import CLAUDE_3_HAIKU
from .model import Check, ErrorPath, Language, Sample, Sdk, Step, Tool

DOTNET = Tool(
    "dotnet",
    "the .NET 8 SDK",
    "install the .NET 8 SDK (Microsoft's dotnet-sdk-8.0 package for your system, or its dotnet-install script)",
)

LANGUAGE = Language(
    name="dotnet",
    title=".NET (AWSSDK.BedrockRuntime)",
    folder="dotnet",
    tools=(DOTNET,),
    sdk=Sdk("AWSSDK.BedrockRuntime", manifest="InvokeModel.csproj"),
    steps=(
        Step(
            "restore",
            commands=(("dotnet", "restore"),),
            inputs=("InvokeModel.csproj", "packages.lock.json"),
            outputs=("obj/project.assets.json",),
            unavailable="AWSSDK.BedrockRuntime (pinned in dotnet/InvokeModel.csproj) could not be restored: "
            "run `dotnet restore` in dotnet/ where NuGet is reachable",
        ),
        Step(
            "build",
            commands=(("dotnet", "build", "--no-restore", "--nologo", "-c", "Release"),),
            inputs=("InvokeModel.csproj", "*.cs", "obj/project.assets.json"),
            outputs=("bin/Release/net8.0/InvokeModel.dll",),
        ),
    ),
    samples=(
        Sample(
            id="dotnet",
            title="Program.cs (top-level program)",
            source="Program.cs",
            run=("dotnet", "bin/Release/net8.0/InvokeModel.dll"),
            operation=INVOKE_MODEL,
            model_id=CLAUDE_3_HAIKU,
            # The seed rethrows after its error line, so the runtime ends the process with an unhandled exception.
            on_error=ErrorPath("ERROR: Can't invoke '{model_id}'. Reason: {message}", exit_code=None),
        ),
    ),
    checks=(
        Check(
            "C# syntax (tree-sitter)",
            ("python", "-m", "harness.checks.csharp_syntax", "{files}"),
            files="*.cs",
        ),
    ),
)
