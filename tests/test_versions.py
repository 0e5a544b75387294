"""The SDK column shows what ran: each language's installed version, read from its build, with the pin beside it
when they differ."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import zipfile
from dataclasses import replace
from pathlib import Path

import pytest

from bedrock_mirror import pipeline, registry, report
from bedrock_mirror.results import write_result
from bedrock_mirror.versions import installed_version, language_pin, sent_version, shown_version

ROOT = Path(__file__).resolve().parent.parent
FAKE = "9.87.6"  # a version no registry entry pins


def in_folder(name: str, folder: Path) -> registry.Language:
    """The registry's entry for a language, with its manifest copied into `folder` and nothing built there."""
    language = registry.language(name)
    manifest = folder / language.sdk.manifest
    manifest.parent.mkdir(parents=True, exist_ok=True)
    shutil.copy(language.path / language.sdk.manifest, manifest)
    return replace(language, folder=str(folder))


# What each ecosystem's installer leaves behind, with FAKE as the installed version.
def _python(folder: Path, name: str) -> None:
    info = folder / ".venv/lib/python3.12/site-packages" / f"{name}-{FAKE}.dist-info"
    info.mkdir(parents=True)
    (info / "METADATA").write_text(f"Metadata-Version: 2.1\nName: {name}\nVersion: {FAKE}\n")


def _npm(folder: Path, name: str) -> None:
    package = folder / "node_modules" / name
    package.mkdir(parents=True)
    (package / "package.json").write_text(json.dumps({"name": name, "version": FAKE}))


def _jar(folder: Path, name: str) -> None:
    (folder / "target/lib").mkdir(parents=True)
    for jar in (f"{name}-{FAKE}.jar", f"{name}-extras-1.0.jar", "other-2.0.jar"):
        (folder / "target/lib" / jar).write_bytes(b"PK")


def _composer(folder: Path, name: str) -> None:
    (folder / "vendor/composer").mkdir(parents=True)
    packages = [{"name": "guzzlehttp/guzzle", "version": "7.9.2"}, {"name": name, "version": FAKE}]
    (folder / "vendor/composer/installed.json").write_text(json.dumps({"packages": packages, "dev": True}))


def _nuget(folder: Path, name: str) -> None:
    assets = folder / registry.language("dotnet").sdk.installed.path
    assets.parent.mkdir(parents=True, exist_ok=True)
    assets.write_text(json.dumps({"version": 3, "libraries": {"AWSSDK.Core/4.0.0": {}, f"{name}/{FAKE}": {}}}))


INSTALLS = {"python": _python, "javascript": _npm, "abap": _npm, "java": _jar, "php": _composer, "dotnet": _nuget}


@pytest.mark.parametrize("name", sorted(INSTALLS))
def test_the_installed_version_is_read_from_what_the_build_left(tmp_path, name):
    language = in_folder(name, tmp_path)
    assert language.sdk.installed is not None, f"{name} has no installed-version reader in its registry entry"
    assert installed_version(language) is None  # nothing built yet
    INSTALLS[name](tmp_path, language.sdk.installed.name)
    assert installed_version(language) == FAKE


def test_every_language_says_where_its_installed_version_is_read():
    assert [language.name for language in registry.LANGUAGES if language.sdk.installed is None] == []


def test_java_with_two_versions_in_its_lib_folder_reads_the_one_its_application_jar_names(tmp_path):
    """What `nox -s drift` leaves: the pinned jars beside the newest ones; the Class-Path says which one runs."""
    java = in_folder("java", tmp_path)
    name = java.sdk.installed.name
    _jar(tmp_path, name)
    (tmp_path / "target/lib" / f"{name}-1.0.0.jar").write_bytes(b"PK")
    assert installed_version(java) is None  # two versions and no application jar: nothing to tell them apart
    # The manifest as Maven's jar plugin writes it: lines wrapped at 72 bytes, continued after a space.
    class_path = f"Class-Path: lib/other-2.0.jar lib/{name}-extras-1.0.jar lib/{name}-{FAKE}.jar lib/x-1.jar"
    wrapped = "\r\n ".join(class_path[i : i + 70] for i in range(0, len(class_path), 70))
    with zipfile.ZipFile(tmp_path / "target" / "app.jar", "w") as application:
        application.writestr("META-INF/MANIFEST.MF", f"Manifest-Version: 1.0\r\n{wrapped}\r\n\r\n")
    assert installed_version(java) == FAKE


def test_go_reads_the_version_built_into_the_binary():
    go = registry.language("go")
    binary = go.path / go.sdk.installed.path
    if shutil.which("go") is None or not binary.is_file():
        pytest.skip(f"needs `go` on PATH and a built {binary.relative_to(ROOT)} (run `nox -s go`)")
    listed = subprocess.run(["go", "version", "-m", str(binary)], capture_output=True, text=True, check=True).stdout
    expected = re.search(rf"^\s*dep\s+{re.escape(go.sdk.package)}\s+(\S+)", listed, re.MULTILINE)
    assert expected is not None
    assert installed_version(go) == expected.group(1)


def test_the_sdk_column_follows_the_installed_version_not_the_pin(tmp_path):
    """An existing vendor/ of another version than composer.json pins: the report says what ran."""
    php = in_folder("php", tmp_path / "php")
    pin = json.loads((tmp_path / "php/composer.json").read_text())["require"]["aws/aws-sdk-php"]
    _composer(tmp_path / "php", "aws/aws-sdk-php")
    sample = php.samples[0]
    result = pipeline.base_result(php, sample, "r")
    assert (result.sdk_version, result.sdk_installed, result.sdk_pinned) == (FAKE, FAKE, pin)
    out = tmp_path / "out"
    write_result(result, out)
    markdown = report.write_report(out).markdown()
    row = next(line for line in markdown.splitlines() if line.startswith(f"| {php.title} | {sample.id} |"))
    assert f"| aws/aws-sdk-php {FAKE} (pinned {pin}) |" in row
    data = json.loads((out / "report.json").read_text())["results"][0]
    assert (data["sdk_version"], data["sdk_installed"], data["sdk_pinned"]) == (FAKE, FAKE, pin)


def test_without_a_build_the_pin_is_shown_as_a_pin(tmp_path):
    php = in_folder("php", tmp_path)
    result = pipeline.base_result(php, php.samples[0], "r")
    assert result.sdk_installed is None and result.sdk_version == language_pin(php)
    assert report.sdk_version_cell(result) == f"{language_pin(php)} (pinned; no build to read)"


@pytest.mark.parametrize(
    ("pinned", "installed", "shown"),
    [
        ("3.381.0", "3.321.8", "3.321.8 (pinned 3.381.0)"),
        ("1.44.8", "1.44.8", "1.44.8"),
        ("v1.63.12", "v1.63.12", "v1.63.12"),
        (None, "2.0", "2.0"),
        ("1.0", None, "1.0 (pinned; no build to read)"),
        (None, None, "?"),
    ],
)
def test_shown_version(pinned, installed, shown):
    assert shown_version(pinned, installed) == shown


def test_a_result_written_before_these_fields_existed_still_reads(tmp_path):
    from bedrock_mirror.results import read_results, sealed

    folder = tmp_path / "results"
    folder.mkdir()
    old = {"scenario": "plain", "sample": "python", "language": "python", "title": "t", "sdk": "boto3"}
    # Written by the harness (sealed with the folder's key) as an older and a newer version wrote records.
    older = sealed({**old, "sdk_version": "1.0", "status": "passed"}, tmp_path)
    (folder / "python--plain.json").write_text(json.dumps(older))
    newer = sealed({**old, "sample": "go", "sdk_version": "1", "status": "passed", "a_newer_field": 1}, tmp_path)
    (folder / "go--plain.json").write_text(json.dumps(newer))
    results = read_results(tmp_path)
    assert report.sdk_version_cell(results[("python", "plain")]) == "1.0"
    assert results[("go", "plain")].status == "passed"


# User-Agent headers as the SDKs sent them to the stub (from its journal of this project's runs).
GO_USER_AGENT = (
    "aws-sdk-go-v2/1.48.0 ua/2.1 os/linux lang/go#1.26.8 md/GOOS#linux md/GOARCH#amd64 api/bedrockruntime#1.63.12 m/E,g"
)
JAVA_USER_AGENT = (
    "aws-sdk-java/2.57.8 md/io#async md/http#NettyNio ua/2.1 api/Bedrock_Runtime#2.57.x os/Linux#6.18.44 "
    "lang/java#25.0.2 m/D,AJ,N,g"
)


@pytest.mark.parametrize(
    "headers, version",
    [
        # Go's service client is a module of its own: its version is the api/ token's, not the core's.
        ((GO_USER_AGENT, None), "1.63.12"),
        # Java's api/ token says only 2.57.x: the product token's full version.
        ((JAVA_USER_AGENT, None), "2.57.8"),
        # Rust puts the api/ token, with a slash, in x-amz-user-agent.
        (
            ("aws-sdk-rust/1.3.9 os/linux lang/rust/1.91.0", "aws-sdk-rust/1.3.9 ua/2.1 api/bedrockruntime/1.120.0"),
            "1.120.0",
        ),
        (("curl/8.5.0", None), None),
        ((None, None), None),
    ],
)
def test_the_sent_version_is_read_from_the_user_agent(headers, version):
    assert sent_version(headers) == version


def test_an_example_run_with_another_sdk_than_its_pin_is_reported_with_the_one_that_ran(tmp_path):
    import boto3

    from tests.helpers import CALL_THE_STUB, fake_language, run_suite, script_samples

    [result] = run_suite([fake_language(tmp_path, samples=script_samples(tmp_path, {"ran": CALL_THE_STUB}))])
    # boto3 names itself in its User-Agent: the version that sent the request is the one installed here.
    assert result.sdk_sent == boto3.__version__
    pinned_elsewhere = replace(result, sdk_pinned="1.0.0", sdk_installed=None)
    cell = report.sdk_version_cell(pinned_elsewhere)
    assert cell.startswith(boto3.__version__ + " ") and "1.0.0" in cell
    built_the_same = replace(result, sdk_pinned="1.0.0", sdk_installed=boto3.__version__)
    assert report.sdk_version_cell(built_the_same) == shown_version("1.0.0", boto3.__version__)
