"""The PHP and .NET sessions' branches, with their tools faked: tool missing, SDK missing, build failure, success."""

from __future__ import annotations

import dataclasses
import json
import shutil

import pytest

from bedrock_mirror import pipeline, registry, steps
from bedrock_mirror.results import FAILED, PASSED, SKIPPED
from tests.helpers import HAIKU, bedrock_client, messages_body, run_suite, stub_url_of

NO_BUILD_SERVERS = ["--disable-build-servers", "-nodeReuse:false"]
DOTNET_RESTORE = ["dotnet", "restore", "BedrockRuntimeExamples.sln", *NO_BUILD_SERVERS]
DOTNET_BUILD = [
    "dotnet",
    "build",
    "BedrockRuntimeExamples.sln",
    "--no-restore",
    "--nologo",
    "-c",
    "Release",
    *NO_BUILD_SERVERS,
]
DOTNET_RUN = ["dotnet", "InvokeModel/bin/Release/net8.0/InvokeModel.dll"]
COMPOSER_INSTALL = ["composer", "install", "--no-interaction", "--no-progress"]


@pytest.fixture
def isolated(tmp_path, monkeypatch):
    """A copy of a language's folder, its own stamps, and every tool 'installed'."""
    monkeypatch.setattr(steps, "STAMP_DIR", tmp_path / "stamps")
    monkeypatch.setattr(pipeline.shutil, "which", lambda command, path=None: f"/usr/bin/{command}")

    def copy(name: str) -> registry.Language:
        language = registry.language(name)
        folder = tmp_path / name
        shutil.copytree(language.path, folder, ignore=shutil.ignore_patterns("vendor", "bin", "obj"))
        return dataclasses.replace(language, folder=str(folder))

    return copy


def answering_sample(text_from_body=lambda body: body["content"][0]["text"]):
    """A fake sample process that really calls the stub the harness points it at, as the built program would, and
    prints the text."""

    def run(process):
        client = bedrock_client(stub_url_of(process))
        body = json.loads(client.invoke_model(modelId=HAIKU, body=messages_body())["body"].read())
        process.stdout.seek(0, 2)
        process.stdout.write((text_from_body(body) + "\n").encode())

    return run


def invoke_model_only(language):
    """The language with its InvokeModel program only: the fake process answers as that program would."""
    return dataclasses.replace(language, samples=tuple(s for s in language.samples if s.operation == "InvokeModel"))


def only(language, sample_id):
    """The language with one of its samples: the fake process answers as that sample's program would."""
    return dataclasses.replace(language, samples=tuple(s for s in language.samples if s.id == sample_id))


def run(language):
    return run_suite([language], timeout=30)


@pytest.mark.parametrize("name, tool", [("php", "php"), ("dotnet", "dotnet")])
def test_a_missing_tool_is_a_skip_naming_it(isolated, monkeypatch, name, tool):
    language = isolated(name)
    monkeypatch.setattr(pipeline.shutil, "which", lambda command, path=None: None)
    results = run(language)
    assert results and all(result.status == SKIPPED and f"`{tool}`" in result.reason for result in results)


def test_php_without_the_sdk_is_a_skip_naming_it_and_the_command(isolated, fp):
    fp.register(COMPOSER_INSTALL, returncode=1, stderr="curl error 6 while downloading packages.json\n")
    results = run(isolated("php"))
    assert len(results) == len(registry.language("php").samples)
    for result in results:
        assert result.status == SKIPPED
        assert "aws/aws-sdk-php" in result.reason and "`composer install`" in result.reason
        assert "curl error 6" in result.reason


def test_php_without_composer_is_a_skip_naming_both(isolated, tmp_path, monkeypatch):
    language = isolated("php")
    monkeypatch.setenv("PATH", str(tmp_path / "no-programs-here"))
    results = run(language)
    assert len(results) == len(registry.language("php").samples)
    for result in results:
        assert result.status == SKIPPED
        assert "aws/aws-sdk-php" in result.reason and "`composer` was not found" in result.reason


def test_php_uses_an_existing_vendor_folder_without_composer(isolated, fp):
    language = only(isolated("php"), "php")
    (language.path / "vendor").mkdir()
    (language.path / "vendor" / "autoload.php").write_text("<?php\n")
    fp.register(["php", "run_invoke_claude.php"], callback=answering_sample())
    [result] = run(language)
    assert result.status == PASSED, result.reason
    assert [list(call) for call in fp.calls] == [["php", "run_invoke_claude.php"]]


def test_php_success_path_runs_exactly_these_commands(isolated, fp):
    language = only(isolated("php"), "php")

    def composer_installs(process):
        (language.path / "vendor").mkdir()
        (language.path / "vendor" / "autoload.php").write_text("<?php\n")

    fp.register(COMPOSER_INSTALL, callback=composer_installs)
    fp.register(["php", "run_invoke_claude.php"], callback=answering_sample())
    [result] = run(language)
    assert result.status == PASSED, result.reason
    assert [list(call) for call in fp.calls] == [COMPOSER_INSTALL, ["php", "run_invoke_claude.php"]]


def test_dotnet_restore_failure_is_a_skip_naming_the_package(isolated, fp):
    fp.register(DOTNET_RESTORE, returncode=1, stdout="error NU1301: Unable to load the service index\n")
    results = run(isolated("dotnet"))
    assert len(results) == len(registry.language("dotnet").samples)
    for result in results:
        assert result.status == SKIPPED and "AWSSDK.BedrockRuntime" in result.reason and "NU1301" in result.reason


def test_dotnet_build_failure_is_a_failure_with_its_output(isolated, fp):
    fp.register(DOTNET_RESTORE)
    fp.register(DOTNET_BUILD, returncode=1, stdout="Program.cs(12,5): error CS1002: ; expected\n")
    results = run(isolated("dotnet"))
    assert results and all(result.status == FAILED for result in results)
    assert all("build step" in result.reason and "error CS1002" in result.reason for result in results)


def test_dotnet_success_path_runs_exactly_these_commands(isolated, fp):
    fp.register(DOTNET_RESTORE)
    fp.register(DOTNET_BUILD)
    fp.register(DOTNET_RUN, callback=answering_sample())
    [result] = run(invoke_model_only(isolated("dotnet")))
    assert result.status == PASSED, result.reason
    assert [list(call) for call in fp.calls] == [DOTNET_RESTORE, DOTNET_BUILD, DOTNET_RUN]


def test_a_program_that_prints_something_else_fails_even_though_it_called_the_stub(isolated, fp):
    fp.register(DOTNET_RESTORE)
    fp.register(DOTNET_BUILD)
    fp.register(DOTNET_RUN, callback=answering_sample(lambda body: body["content"][0]["text"].upper()))
    [result] = run(invoke_model_only(isolated("dotnet")))
    assert result.status == FAILED and "differs from the stub's reply" in result.reason
