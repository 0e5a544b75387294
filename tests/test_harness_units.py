"""The harness's own logic: probing, steps, running, judging, the environment, strictness and the report."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from bedrock_stub import Credentials

from bedrock_mirror import pipeline, registry, report, steps
from bedrock_mirror.environment import sample_environment, scrubbed
from bedrock_mirror.extraction import Extraction
from bedrock_mirror.process import run_process
from bedrock_mirror.registry import Step, Tool
from bedrock_mirror.results import FAILED, PASSED, SKIPPED, SampleResult, read_results, write_result
from bedrock_mirror.strictness import required_languages
from bedrock_mirror.versions import pinned_version
from tests.helpers import fake_language, fake_sample, journal_entry, run_suite

# --- probing and steps ---


def test_a_missing_toolchain_is_a_skip_that_names_it(tmp_path):
    tool = Tool("no-such-compiler-xyz", "the Xyz compiler 9", "apt-get install xyz")
    language = fake_language(tmp_path, tools=[tool], samples=[fake_sample(("x",))])
    [result] = run_suite([language])
    assert result.status == SKIPPED
    assert "`no-such-compiler-xyz` (the Xyz compiler 9) is not on PATH" in result.reason
    assert "apt-get install xyz" in result.reason


def test_a_missing_toolchain_fails_when_the_language_is_required(tmp_path):
    language = fake_language(
        tmp_path, tools=[Tool("no-such-compiler-xyz", "Xyz", "get it")], samples=[fake_sample(("x",))]
    )
    [result] = run_suite([language], required=["fake"])
    assert result.status == FAILED and result.reason.startswith("required (MIRROR_REQUIRE) but cannot run")


def test_a_failing_build_is_reported_with_its_output(tmp_path, fp, monkeypatch):
    monkeypatch.setattr(steps, "STAMP_DIR", tmp_path / "stamps")
    fp.register(["fake-build", "--all"], returncode=3, stdout="compiling\n", stderr="error: boom at line 7\n")
    language = fake_language(
        tmp_path,
        steps=[Step("build", commands=(("fake-build", "--all"),))],
        samples=[fake_sample(("x",)), fake_sample(("y",), id="second")],
    )
    results = run_suite([language])
    assert [result.status for result in results] == [FAILED, FAILED]
    assert "build step: `fake-build --all` exited with code 3" in results[0].reason
    assert "error: boom at line 7" in results[0].reason


def test_steps_are_skipped_while_their_inputs_are_unchanged(tmp_path):
    (tmp_path / "manifest.txt").write_text("v1")
    marker = tmp_path / "built"
    command = (sys.executable, "-c", f"open({str(marker)!r}, 'a').write('x')")
    language = fake_language(
        tmp_path, steps=[Step("build", commands=(command,), inputs=("manifest.txt",), outputs=("built",))]
    )
    stamps = tmp_path / "stamps"
    assert [o.skipped for o in steps.run_steps(language, os.environ, print, stamps)] == [False]
    assert [o.skipped for o in steps.run_steps(language, os.environ, print, stamps)] == [True]
    (tmp_path / "manifest.txt").write_text("v2")
    assert [o.skipped for o in steps.run_steps(language, os.environ, print, stamps)] == [False]
    marker.unlink()
    assert [o.skipped for o in steps.run_steps(language, os.environ, print, stamps)] == [False]
    assert marker.read_text() == "x"


def test_a_step_reruns_when_its_toolchain_is_replaced(tmp_path, monkeypatch):
    tools = tmp_path / "bin"
    tools.mkdir()
    jvm = tools / "fake-jvm"
    jvm.write_text("#!/bin/sh\n# build 1\n")
    jvm.chmod(0o755)
    monkeypatch.setenv("PATH", f"{tools}{os.pathsep}{os.environ['PATH']}")
    (tmp_path / "app.jar").write_text("classes")
    marker = tmp_path / "archive"
    command = (sys.executable, "-c", f"open({str(marker)!r}, 'a').write('x')")
    step = Step("archive", commands=(command,), inputs=("app.jar",), outputs=("archive",), toolchain=("fake-jvm",))
    language = fake_language(tmp_path, steps=[step])
    stamps = tmp_path / "stamps"
    assert [o.skipped for o in steps.run_steps(language, os.environ, print, stamps)] == [False]
    assert [o.skipped for o in steps.run_steps(language, os.environ, print, stamps)] == [True]
    jvm.write_text("#!/bin/sh\n# build 2, one byte longer\n")
    assert [o.skipped for o in steps.run_steps(language, os.environ, print, stamps)] == [False]
    assert marker.read_text() == "xx"


# --- running and judging ---


def test_a_non_zero_exit_is_reported_with_its_output(fp):
    fp.register(["fake-sample"], returncode=1, stdout="ERROR: nothing works\n")
    [result] = run_suite([fake_language(Path("/"), samples=[fake_sample(("fake-sample",))])], timeout=5)
    assert result.status == FAILED
    assert "exited with code 1" in result.reason and "never called the stub" in result.reason
    assert result.stdout == "ERROR: nothing works\n" and result.exit_code == 1


def test_printing_the_reply_without_calling_the_stub_fails(fp):
    reply = "The reply, guessed rather than asked for."
    fp.register(["fake-sample"], stdout=reply + "\n")
    [result] = run_suite([fake_language(Path("/"), samples=[fake_sample(("fake-sample",))])], reply=reply, timeout=5)
    assert result.status == FAILED and result.reason == "it never called the stub"
    assert result.extracted_text == reply


def test_a_sample_that_calls_the_stub_and_prints_the_reply_passes(tmp_path):
    script = tmp_path / "sample.py"
    script.write_text(
        "import boto3, json\n"
        "client = boto3.client('bedrock-runtime')\n"
        "body = {'anthropic_version': 'bedrock-2023-05-31', 'max_tokens': 512,"
        " 'messages': [{'role': 'user', 'content': 'hi'}]}\n"
        "reply = client.invoke_model(modelId='anthropic.claude-3-haiku-20240307-v1:0', body=json.dumps(body))\n"
        "print(json.loads(reply['body'].read())['content'][0]['text'])\n"
    )
    [result] = run_suite([fake_language(tmp_path, samples=[fake_sample((sys.executable, str(script)))])], timeout=30)
    assert result.status == PASSED, result.reason + result.stderr
    assert result.journal[0]["signature"] == "valid"


def test_a_request_for_another_model_is_not_the_samples_own(stub, tmp_path):
    entry = journal_entry(model_id="anthropic.claude-v2")
    process = run_process([sys.executable, "-c", f"print({stub.reply!r})"], cwd=tmp_path, env=os.environ, timeout=10)
    sample = fake_sample(("x",))
    result = pipeline.judge(
        pipeline.base_result(fake_language(tmp_path), sample, "r"), sample, process, stub.reply, [entry]
    )
    assert result.status == FAILED
    assert "saw no InvokeModel request for anthropic.claude-3-haiku-20240307-v1:0" in result.reason


def test_a_refused_signature_fails_the_run(stub, tmp_path):
    sample = fake_sample(("x",))
    entry = journal_entry(signature="mismatch", status=403, error_type="InvalidSignatureException")
    process = run_process([sys.executable, "-c", "print('x')"], cwd=tmp_path, env=os.environ, timeout=10)
    result = pipeline.judge(pipeline.base_result(fake_language(tmp_path), sample, "r"), sample, process, "x", [entry])
    assert result.status == FAILED and "403 InvalidSignatureException (signature: mismatch)" in result.reason


def _alive(marker: str) -> bool:
    return subprocess.run(["pgrep", "-f", marker], capture_output=True).returncode == 0


def test_a_hang_is_killed_at_the_timeout_with_its_whole_process_group(tmp_path):
    marker = f"sleep {300 + os.getpid() % 1000}.5"
    result = run_process(["sh", "-c", f"{marker} & echo started; {marker}"], cwd=tmp_path, env=os.environ, timeout=1.0)
    assert result.timed_out and result.exit_code is None
    assert "timed out after" in result.describe_failure()
    assert result.stdout == "started\n"
    # The run ends only once its processes are killed: nothing to wait for.
    assert not _alive(marker), "a child of the timed-out sample outlived it"


def test_a_missing_program_is_reported_not_raised(tmp_path):
    result = run_process(["no-such-program-xyz"], cwd=tmp_path, env=os.environ, timeout=5)
    assert not result.ok and result.describe_failure() == "`no-such-program-xyz` was not found"


# --- the sample's environment ---

CALLERS_AWS = {
    "AWS_PROFILE": "production",
    "AWS_ACCESS_KEY_ID": "AKIAREALLOOKINGKEY01",
    "AWS_SECRET_ACCESS_KEY": "r" * 40,
    "AWS_SESSION_TOKEN": "FwoGZXIvYXdzEReal",
    "AWS_BEARER_TOKEN_BEDROCK": "bedrock-api-key-real",
    "AWS_ENDPOINT_URL": "https://bedrock-runtime.us-east-1.amazonaws.com",
    "AWS_REGION": "eu-west-1",
    "AWS_CONFIG_FILE": "/home/me/.aws/config",
    "AWS_SHARED_CREDENTIALS_FILE": "/home/me/.aws/credentials",
    "AWS_CONTAINER_CREDENTIALS_FULL_URI": "http://169.254.170.2/creds",
    "AWS_ROLE_ARN": "arn:aws:iam::1:role/r",
    "AWS_WEB_IDENTITY_TOKEN_FILE": "/var/run/token",
    "HOME": "/home/me",
    "PATH": "/usr/bin",
}


def test_the_sample_environment_holds_nothing_of_the_callers_aws_setup(tmp_path):
    env = sample_environment("http://127.0.0.1:9", Credentials(), tmp_path, base=CALLERS_AWS)
    leaked = {name: value for name, value in env.items() if value in CALLERS_AWS.values() and name != "PATH"}
    assert leaked == {}
    assert {name for name in env if name.startswith("AWS_")} == {
        "AWS_ENDPOINT_URL_BEDROCK_RUNTIME",
        "AWS_ACCESS_KEY_ID",
        "AWS_SECRET_ACCESS_KEY",
        "AWS_REGION",
        "AWS_DEFAULT_REGION",
        "AWS_CONFIG_FILE",
        "AWS_SHARED_CREDENTIALS_FILE",
        "AWS_EC2_METADATA_DISABLED",
    }
    assert env["AWS_ACCESS_KEY_ID"] == "AKIDEXAMPLE" and env["HOME"] == str(tmp_path)
    credentials_file = Path(env["AWS_SHARED_CREDENTIALS_FILE"]).read_text()
    assert credentials_file.startswith("[default]\n") and "AKIDEXAMPLE" in credentials_file
    assert "[" not in credentials_file[1:].replace("[default]", "")


def test_a_real_sample_process_sees_no_caller_credentials(tmp_path, monkeypatch):
    for name, value in CALLERS_AWS.items():
        if name not in ("HOME", "PATH"):
            monkeypatch.setenv(name, value)
    dump = tmp_path / "dump.py"
    dump.write_text("import json, os\nprint(json.dumps(dict(os.environ)))\n")
    [result] = run_suite([fake_language(tmp_path, samples=[fake_sample((sys.executable, str(dump)))])], timeout=30)
    seen = json.loads(result.stdout)
    assert not {value for value in seen.values()} & {
        value for name, value in CALLERS_AWS.items() if name not in ("HOME", "PATH")
    }
    assert seen["AWS_ENDPOINT_URL_BEDROCK_RUNTIME"].startswith("http://127.0.0.1:")


def test_scrubbing_is_case_insensitive():
    assert scrubbed({"aws_secret_access_key": "x", "Aws_Profile": "y", "KEEP": "z"}) == {"KEEP": "z"}


# --- extraction, strictness, versions ---


@pytest.mark.parametrize(
    "extraction, stdout, expected",
    [
        (Extraction(), "the reply\n", "the reply"),
        (Extraction(), "two\nlines\n", "two\nlines"),
        (Extraction(), "", ""),
        (Extraction(after="Final:"), "noise\nFinal:\nthe reply\nmore\n", "the reply\nmore"),
        (Extraction(after="Final:"), "noise\nnot Final:\nx\n", None),
        (Extraction(after="BEGIN", before="END"), "a\nBEGIN\nx\ny\nEND\nb\n", "x\ny"),
        (Extraction(after="BEGIN", before="END"), "BEGIN\nx\n", None),
    ],
)
def test_extraction(extraction, stdout, expected):
    assert extraction.extract(stdout) == expected


def test_strictness_names_required_languages():
    known = ["python", "go"]
    assert required_languages(known, {}) == set()
    assert required_languages(known, {"MIRROR_REQUIRE": "all"}) == {"python", "go"}
    assert required_languages(known, {"MIRROR_REQUIRE": "go, python"}) == {"python", "go"}
    with pytest.raises(ValueError, match="unknown languages: golang"):
        required_languages(known, {"MIRROR_REQUIRE": "golang"})


@pytest.mark.parametrize(
    "name, text, package, version",
    [
        ("requirements.txt", "boto3==1.2.3\n", "boto3", "1.2.3"),
        (
            "package-lock.json",
            json.dumps({"packages": {"node_modules/@aws-sdk/x": {"version": "3.1.0"}}}),
            "@aws-sdk/x",
            "3.1.0",
        ),
        ("go.mod", "require (\n\tgithub.com/aws/aws-sdk-go-v2 v1.39.0\n)\n", "github.com/aws/aws-sdk-go-v2", "v1.39.0"),
        ("pom.xml", "<artifactId>bom</artifactId>\n  <version>2.31.0</version>", "bom", "2.31.0"),
        ("composer.json", json.dumps({"require": {"aws/aws-sdk-php": "3.381.0"}}), "aws/aws-sdk-php", "3.381.0"),
        (
            "App.csproj",
            '<PackageReference Include="AWSSDK.BedrockRuntime" Version="[4.0.7.1]" />',
            "AWSSDK.BedrockRuntime",
            "4.0.7.1",
        ),
    ],
)
def test_pinned_versions_are_read_from_each_ecosystems_manifest(tmp_path, name, text, package, version):
    (tmp_path / name).write_text(text)
    assert pinned_version(tmp_path / name, package) == version


# --- the registry and the report ---


def test_the_registry_is_consistent():
    ids = [sample.id for _, sample in registry.all_samples()]
    assert len(ids) == len(set(ids))
    assert len(registry.language_names()) == len(set(registry.language_names()))
    for language, sample in registry.all_samples():
        assert (language.path / sample.source).is_file(), sample.source
        assert (language.path / language.sdk.manifest).is_file(), language.sdk.manifest
        assert pinned_version(language.path / language.sdk.manifest, language.sdk.package), language.name
        for part in sample.run[1:]:
            part = part.rpartition("=")[2]  # an option's value, such as -XX:SharedArchiveFile=<path>
            if "/" in part or part.endswith((".py", ".js", ".php", ".mjs")):
                built = {".venv", "target", "bin", "output"}  # made by the build steps, absent before them
                assert (language.path / part).exists() or built & set(Path(part).parts), part


def result(
    sample: str, status: str = PASSED, text: str | None = "reply", run_id: str = "r1", scenario: str = "plain"
) -> SampleResult:
    language = next(language for language, s in registry.all_samples() if s.id == sample)
    return SampleResult(
        scenario=scenario,
        sample=sample,
        language=language.name,
        title="",
        sdk="sdk",
        sdk_version="1",
        status=status,
        run_id=run_id,
        expected_text="reply",
        extracted_text=text,
    )


def by_key(*results: SampleResult) -> dict[tuple[str, str], SampleResult]:
    return {item.key: item for item in results}


def test_the_report_passes_when_every_sample_that_ran_agrees():
    first, second = (sample.id for _, sample in registry.all_samples()[:2])
    built = report.build_report(by_key(result(first), result(second)))
    assert built.ok and "pass" in built.markdown()


def test_the_report_fails_when_a_sample_prints_a_different_text():
    first, second = (sample.id for _, sample in registry.all_samples()[:2])
    built = report.build_report(by_key(result(first), result(second, text="something else")))
    assert not built.ok and any("disagree" in problem for problem in built.problems)


def test_the_report_fails_when_a_sample_breaks_other_rules_than_its_registry_entry_says():
    """The rules an example breaks are part of its entry: the same ones pass, one more or one fewer fails."""
    language, sample = next(
        (language, sample) for language, sample in registry.all_samples() if sample.expected_findings
    )
    other = next(s.id for lang, s in registry.all_samples() if lang is language and not s.expected_findings)
    as_expected = result(sample.id)
    as_expected.findings = list(sample.expected_findings)
    assert report.build_report(by_key(as_expected, result(other))).ok
    for findings in ([*sample.expected_findings, "a rule it never broke"], list(sample.expected_findings[1:])):
        changed = result(sample.id)
        changed.findings = findings
        built = report.build_report(by_key(changed, result(other)))
        assert not built.ok and any("its registry entry expects" in problem for problem in built.problems)
    unexpected = result(other)
    unexpected.findings = ["a rule it never broke"]
    assert not report.build_report(by_key(as_expected, unexpected)).ok


def test_the_report_fails_on_a_failed_sample_and_never_shows_a_skip_as_passed():
    first, second = (sample.id for _, sample in registry.all_samples()[:2])
    skipped = result(second, status=SKIPPED, text=None)
    skipped.reason = "`node` is not on PATH"
    built = report.build_report(by_key(result(first, status=FAILED), skipped))
    assert not built.ok
    row = next(line for line in built.markdown().splitlines() if f"| {second} |" in line)
    assert "skipped" in row and "pass" not in row
    assert any("skipped: `node` is not on PATH" in note for note in built.notes)


def test_results_round_trip_through_their_files(tmp_path):
    first = registry.all_samples()[0][1].id
    write_result(result(first, scenario="long-reply"), tmp_path)
    assert read_results(tmp_path)[(first, "long-reply")].text_matches


def test_the_report_writes_markdown_json_and_junit(tmp_path):
    import xml.etree.ElementTree as ElementTree

    first, second = (sample.id for _, sample in registry.all_samples()[:2])
    failing = result(second, status=FAILED, scenario="access-denied")
    failing.reason = "no line of its stdout contains 'ERROR'"
    for item in (result(first), result(first, scenario="access-denied"), failing):
        write_result(item, tmp_path)
    built = report.write_report(tmp_path)
    assert not built.ok
    data = json.loads((tmp_path / "report.json").read_text())
    assert {(item["sample"], item["scenario"]) for item in data["results"]} == {
        (first, "plain"),
        (first, "access-denied"),
        (second, "access-denied"),
    }
    cases = ElementTree.parse(tmp_path / "report.junit.xml").getroot().iter("testcase")
    failures = {(case.get("classname"), case.get("name")) for case in cases if case.find("failure") is not None}
    assert failures == {(f"{failing.language}.{second}", "access-denied")}
    assert "**FAIL**" in (tmp_path / "report.md").read_text()


def test_only_a_group_we_started_is_ever_killed(tmp_path):
    from bedrock_mirror.process import own_process_group

    child = subprocess.Popen(["sleep", "5"], start_new_session=True)
    try:
        assert own_process_group(child.pid) == child.pid
    finally:
        child.kill()
        child.wait()
    shared_group = subprocess.Popen(["sleep", "5"])
    try:
        assert own_process_group(shared_group.pid) is None  # ours, but it leads no group of its own
    finally:
        shared_group.kill()
        shared_group.wait()
    assert own_process_group(1) is None
    assert own_process_group(os.getpid()) is None


def test_what_each_sdk_sends_names_checksums_as_sent_not_by_value():
    first, second = (sample.id for _, sample in registry.all_samples()[:2])
    with_checksum, without = result(first), result(second)
    for item, headers in (
        (with_checksum, [("x-amz-content-sha256", "ab" * 32), ("user-agent", "one/1")]),
        (without, [("user-agent", "other/2")]),
    ):
        own = next(s for _, s in registry.all_samples() if s.id == item.sample)
        item.journal = [
            {
                "operation": own.operation,
                "model_id": own.model_id,
                "body": "{}",
                "headers": headers,
                "http_version": "1.1",
            }
        ]
    lines = report.what_each_sdk_sends(by_key(with_checksum, without))
    row = next(line for line in lines if line.startswith(f"| {first} |"))
    assert "| sent |" in row and "abab" not in row
    assert "| — |" in next(line for line in lines if line.startswith(f"| {second} |"))
