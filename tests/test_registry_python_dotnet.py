"""The Python and .NET registry entries held to their sources: the call each program makes, its model, its markers,
its upstream origin, and the .NET solution's projects and pins."""

from __future__ import annotations

import ast
import re

import botocore.session
import pytest
from bedrock_stub import CONVERSE, CONVERSE_STREAM, INVOKE_MODEL, INVOKE_MODEL_STREAM

from bedrock_mirror import idioms, registry

PYTHON = registry.language("python")
DOTNET = registry.language("dotnet")
BOTH = [(language, sample) for language in (PYTHON, DOTNET) for sample in language.samples]
IDS = [sample.id for _, sample in BOTH]

UPSTREAM_FOLDERS = {
    "python": (
        "python/example_code/bedrock-runtime/models/anthropic_claude/",
        "python/example_code/bedrock-runtime/cross-model-scenarios/tool_use_demo/",
    ),
    "dotnet": ("dotnetv3/Bedrock-runtime/Models/AnthropicClaude/", "dotnetv3/Bedrock-runtime/Actions/"),
}


def boto3_calls(path) -> list[str]:
    """The Bedrock Runtime operations a script calls as `client.<method>(...)`, named as the service model does."""
    client = botocore.session.get_session().create_client(
        "bedrock-runtime", region_name="us-east-1", aws_access_key_id="x", aws_secret_access_key="x"
    )
    mapping = client.meta.method_to_api_mapping
    tree = ast.parse(path.read_text(encoding="utf-8"))
    return [
        mapping[node.func.attr]
        for node in ast.walk(tree)
        if isinstance(node, ast.Call)
        and isinstance(node.func, ast.Attribute)
        # `client.converse(...)`, or a client kept on an object (`self.bedrockRuntimeClient.converse(...)`)
        and (
            (isinstance(node.func.value, ast.Name) and node.func.value.id == "client")
            or (isinstance(node.func.value, ast.Attribute) and node.func.value.attr.lower().endswith("client"))
        )
        and node.func.attr in mapping
    ]


def string_assigned_to(path, name: str) -> str:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    [value] = [
        node.value.value
        for node in ast.walk(tree)
        if isinstance(node, ast.Assign)
        and [getattr(target, "id", None) for target in node.targets] == [name]
        and isinstance(node.value, ast.Constant)
    ]
    return value


def model_of(path) -> str:
    """The model id a script calls: `model_id = "..."`, or the tool-use demo's `MODEL_ID = SupportedModels.X.value`
    and the member's string."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    chosen = [
        node.value.value.attr
        for node in ast.walk(tree)
        if isinstance(node, ast.Assign)
        and [getattr(target, "id", None) for target in node.targets] == ["MODEL_ID"]
        and isinstance(node.value, ast.Attribute)
        and isinstance(node.value.value, ast.Attribute)
    ]
    return string_assigned_to(path, chosen[0]) if chosen else string_assigned_to(path, "model_id")


@pytest.mark.parametrize("sample", PYTHON.samples, ids=[sample.id for sample in PYTHON.samples])
def test_each_python_script_makes_the_registered_call_for_the_registered_model(sample):
    path = PYTHON.path / sample.source
    assert boto3_calls(path) == [sample.operation]
    assert model_of(path) == sample.model_id
    assert sample.run == (".venv/bin/python", sample.source)


DOTNET_CALLS = {
    INVOKE_MODEL: "InvokeModelAsync",
    INVOKE_MODEL_STREAM: "InvokeModelWithResponseStreamAsync",
    CONVERSE: "ConverseAsync",
    CONVERSE_STREAM: "ConverseStreamAsync",
}


@pytest.mark.parametrize("sample", DOTNET.samples, ids=[sample.id for sample in DOTNET.samples])
def test_each_dotnet_program_makes_the_registered_call_for_the_registered_model(sample):
    source = (DOTNET.path / sample.source).read_text(encoding="utf-8")
    assert re.findall(r"client\.(\w+Async)\(", source) == [DOTNET_CALLS[sample.operation]]
    assert re.findall(r'var modelId = "([^"]+)";', source) == [sample.model_id]


@pytest.mark.parametrize("sample", DOTNET.samples, ids=[sample.id for sample in DOTNET.samples])
def test_each_dotnet_program_runs_with_the_region_its_client_is_built_for(sample):
    source = (DOTNET.path / sample.source).read_text(encoding="utf-8")
    # RegionEndpoint.USWest2 is us-west-2: the harness must give the program and serve that region.
    named = re.findall(r"new AmazonBedrockRuntimeClient\(RegionEndpoint\.([A-Z]{2})([A-Z][a-z]+)(\d+)\)", source)
    assert ["-".join(part.lower() for part in parts) for parts in named] == [sample.region]
    assert sample.region in registry.regions()


@pytest.mark.parametrize("language, sample", BOTH, ids=IDS)
def test_each_source_marks_each_step_once(language, sample):
    steps = [region.step for region in idioms.regions_of(language, language.path / sample.source)]
    assert sorted(steps) == sorted(idioms.STEPS)


@pytest.mark.parametrize("language, sample", BOTH, ids=IDS)
def test_each_sample_names_where_it_comes_from(language, sample):
    path, _, commit = sample.upstream.partition("@")
    assert path.startswith(UPSTREAM_FOLDERS[language.name])
    # The commit it was mirrored from (for the InvokeModel examples, removed upstream, the last that held them).
    assert re.fullmatch(r"[0-9a-f]{40}", commit)


def test_the_samples_cover_the_three_operations_in_both_languages():
    for language in (PYTHON, DOTNET):
        operations = {sample.operation for sample in language.samples}
        assert {INVOKE_MODEL, INVOKE_MODEL_STREAM, CONVERSE, CONVERSE_STREAM} <= operations, language.name
    assert len({sample.id for _, sample in registry.all_samples()}) == len(registry.all_samples())


def test_the_document_example_reads_a_pdf_that_is_there():
    [sample] = [sample for sample in PYTHON.samples if sample.source == "document_understanding.py"]
    opened = [
        node.args[0].value
        for node in ast.walk(ast.parse((PYTHON.path / sample.source).read_text(encoding="utf-8")))
        if isinstance(node, ast.Call) and getattr(node.func, "id", None) == "open"
    ]
    assert opened and all((PYTHON.path / name).read_bytes().startswith(b"%PDF-") for name in opened)


def solution_projects() -> list[str]:
    solution = next(DOTNET.path.glob("*.sln")).read_text(encoding="utf-8")
    return re.findall(r'^Project\("\{[0-9A-F-]+\}"\) = "[^"]+", "([^"]+\.csproj)"', solution, re.MULTILINE)


def test_the_solution_holds_every_project_and_only_those():
    listed = sorted(path.replace("\\", "/") for path in solution_projects())
    on_disk = sorted(path.relative_to(DOTNET.path).as_posix() for path in DOTNET.path.glob("*/*.csproj"))
    assert listed == on_disk and len(listed) == len(DOTNET.samples)


def test_every_project_pins_the_version_the_readme_explains_and_runs_its_own_build_output():
    # dotnet/README.md says why this one version; every project of the solution must use it, exactly.
    [explained] = re.findall(r"^## Why AWSSDK\.BedrockRuntime (\S+)$", (DOTNET.path / "README.md").read_text(), re.M)
    for project in DOTNET.path.glob("*/*.csproj"):
        pins = re.findall(r'<PackageReference Include="AWSSDK\.BedrockRuntime" Version="([^"]+)"', project.read_text())
        assert pins == [f"[{explained}]"], project
    for sample in DOTNET.samples:
        project = sample.source.split("/")[0]
        assert (DOTNET.path / project / f"{project}.csproj").is_file()
        assert sample.run == ("dotnet", f"{project}/bin/Release/net8.0/{project}.dll")
        assert sample.run[1] in {output for step in DOTNET.steps for output in step.outputs}


def test_dotnet_steps_build_the_solution_once_and_leave_no_build_server():
    commands = [command for step in DOTNET.steps for command in step.commands]
    assert [command[:2] for command in commands] == [("dotnet", "restore"), ("dotnet", "build")]
    for command in commands:
        assert command[2].endswith(".sln") and (DOTNET.path / command[2]).is_file()
        assert "--disable-build-servers" in command and "-nodeReuse:false" in command
