"""The harness under failure: every misbehaving sample is reported as such, the others still run, nothing is left
behind, and two runs at once do not collide."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

from bedrock_mirror import pipeline, registry
from bedrock_mirror.process import MAX_OUTPUT_BYTES, run_process
from bedrock_mirror.results import FAILED, PASSED
from tests.helpers import CALL_THE_STUB, fake_language, run_suite, script_samples

ROOT = Path(__file__).resolve().parent.parent


def marker() -> str:
    """A sleep command no other process runs, to find leftovers by."""
    return f"sleep {400 + os.getpid() % 500}.{time.monotonic_ns() % 1000:03d}"


def alive(command_line: str) -> bool:
    return subprocess.run(["pgrep", "-f", command_line], capture_output=True).returncode == 0


def script_language(folder: Path, sources: dict[str, str]):
    return fake_language(folder, samples=script_samples(folder, sources))


def test_a_sample_that_leaves_a_child_running_is_reported_at_once_and_the_child_killed(tmp_path):
    sleeper = marker()
    source = CALL_THE_STUB + f"import subprocess\nsubprocess.Popen({sleeper.split()!r})\nprint(text)\n"
    [result] = run_suite([script_language(tmp_path, {"leaves-a-child": source})], timeout=60)
    assert result.status == FAILED
    assert "left 1 process(es) running after it exited (killed)" in result.reason
    assert "timed out" not in result.reason, "the run waited for the child instead of ending with the sample"
    assert result.extracted_text == result.expected_text
    assert not alive(sleeper)


def test_a_flood_of_output_is_bounded_and_reported(tmp_path):
    flood = CALL_THE_STUB + "import sys\nprint(text)\nsys.stdout.write('x' * 12_000_000)\n"
    [result] = run_suite([script_language(tmp_path, {"floods": flood})], timeout=60)
    assert result.status == FAILED and "flooded its output" in result.reason
    assert len(result.stdout.encode()) <= MAX_OUTPUT_BYTES


def test_a_hanging_sample_is_killed_and_the_others_still_run(tmp_path):
    sleeper = marker()
    child_started = tmp_path / "child-started"
    samples = {
        "hangs": (
            f"import pathlib, subprocess, time\nsubprocess.Popen({sleeper.split()!r})\n"
            f"pathlib.Path({str(child_started)!r}).touch()\ntime.sleep(300)\n"
        ),
        "fails": "import sys\nprint('ERROR: something broke')\nsys.exit(3)\n",
        "never-calls": "print('A reply I made up')\n",
        "works": CALL_THE_STUB + "print(text)\n",
    }
    # Every run gets this long: about ten times what a loaded machine needs to start Python and boto3 and call the
    # stub (the hanging sample's run costs all of it, beside the others, so it is not longer than that).
    results = run_suite([script_language(tmp_path, samples)], timeout=12)
    by_id = {result.sample: result for result in results}
    assert "timed out after" in by_id["hangs"].reason
    assert child_started.exists(), "the hanging sample was killed before it had started its child"
    assert "exited with code 3" in by_id["fails"].reason and "ERROR: something broke" in by_id["fails"].stdout
    assert "never called the stub" in by_id["never-calls"].reason
    assert by_id["works"].status == PASSED
    assert not alive(sleeper), "the hanging sample's child outlived it"


def test_no_process_of_a_run_outlives_it(tmp_path):
    sleeper = marker()
    result = run_process(
        ["sh", "-c", f"({sleeper} &) ; {sleeper} & echo done"], cwd=tmp_path, env=os.environ, timeout=10
    )
    assert result.stdout == "done\n" and result.leftover_processes >= 1
    # The run ends only once what it left is killed: nothing to wait for here.
    assert not alive(sleeper)


def test_the_callers_aws_files_and_variables_never_reach_a_sample(tmp_path, monkeypatch):
    """Plants real-looking credentials where SDKs look, and proves the sample resolves only the stub's dummies."""
    home = tmp_path / "home"
    (home / ".aws").mkdir(parents=True)
    (home / ".aws" / "credentials").write_text(
        "[default]\naws_access_key_id = AKIAIOSFODNN7PLANTED\naws_secret_access_key = planted/secret/key\n"
        "[production]\naws_access_key_id = AKIAPRODUCTIONPLANT\naws_secret_access_key = prod/secret\n"
    )
    (home / ".aws" / "config").write_text("[default]\nregion = eu-west-3\n[profile production]\nregion = us-west-2\n")
    monkeypatch.setenv("HOME", str(home))
    monkeypatch.setenv("AWS_PROFILE", "production")
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "AKIAENVPLANTED000000")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "env/planted/secret")
    monkeypatch.setenv("AWS_SESSION_TOKEN", "planted-session-token")
    monkeypatch.setenv("AWS_ENDPOINT_URL", "https://bedrock-runtime.us-east-1.amazonaws.com")
    reveal = (
        "import boto3, json, os\n"
        "session = boto3.Session()\n"
        "credentials = session.get_credentials().get_frozen_credentials()\n"
        "print(json.dumps({'key': credentials.access_key, 'token': credentials.token,"
        " 'region': session.region_name, 'environment': dict(os.environ)}))\n"
    )
    [result] = run_suite([script_language(tmp_path, {"reveal": reveal})], timeout=60)
    seen = json.loads(result.stdout)
    assert (seen["key"], seen["token"], seen["region"]) == ("AKIDEXAMPLE", None, "us-east-1")
    planted = "PLANTED|planted|PRODUCTION|production|amazonaws.com"
    assert not [
        name for name, value in seen["environment"].items() if any(word in value for word in planted.split("|"))
    ]
    assert seen["environment"]["HOME"] != str(home)


@pytest.mark.end_to_end
def test_two_runs_at_once_do_not_collide(tmp_path):
    go = registry.language("go")
    if pipeline.missing_tools(go):
        pytest.skip("go is not installed")
    (ROOT / ".cache" / "harness" / "go-build.sha256").unlink(missing_ok=True)  # both runs want to build
    runs = []
    for index in range(2):
        env = {**os.environ, "MIRROR_OUT": str(tmp_path / f"out{index}")}
        runs.append(
            subprocess.Popen(
                # Verbose: the progress output names each build step's command, or that the step is up to date.
                [sys.executable, "-m", "nox", "-s", "go", "--", "--scenario", "plain", "-v"],
                cwd=ROOT,
                env=env,
                stdout=subprocess.PIPE,
                stderr=subprocess.STDOUT,
                text=True,
            )
        )
    outputs = [run.communicate(timeout=300)[0] for run in runs]
    assert [run.returncode for run in runs] == [0, 0], outputs
    for index in range(2):
        record = json.loads((tmp_path / f"out{index}" / "results" / "go--plain.json").read_text())
        assert record["status"] == PASSED
    assert sum("go: build: go build" in output for output in outputs) == 1, "the second run should find it built"
    assert sum("go: build is up to date" in output for output in outputs) == 1, outputs
