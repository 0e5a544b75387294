"""The lint session's machinery: per-file and all-files checks, checks that fail on output, actionlint."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

from bedrock_mirror import lint
from bedrock_mirror.registry import Check, Language, Sdk, Tool
from bedrock_mirror.results import FAILED, PASSED, SKIPPED


def language_at(folder: Path, *checks: Check) -> Language:
    return Language(
        name="fake", title="Fake", folder=str(folder), tools=(), sdk=Sdk("x", "x.txt"), steps=(), checks=checks
    )


def test_file_placeholders_expand_per_file_or_all_at_once(tmp_path):
    for name in ("a.php", "sub/b.php", "vendor/c.php"):
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text("<?php\n")
    language = language_at(tmp_path)
    per_file = lint.expand(Check("l", ("php", "-l", "{file}"), files="**/*.php"), language)
    all_at_once = lint.expand(Check("c", ("phpcs", "{files}"), files="**/*.php"), language)
    assert per_file == [("php", "-l", "a.php"), ("php", "-l", "sub/b.php")]  # vendor/ is not ours
    assert all_at_once == [("phpcs", "a.php", "sub/b.php")]


def test_a_check_that_lists_offenders_fails_on_output(tmp_path):
    language = language_at(
        tmp_path,
        Check("lists", ("echo", "bad.go"), fails_on_output=True),
        Check("quiet", ("true",), fails_on_output=True),
    )
    outcomes = lint.run_checks(language, required=False, log=print, env=os.environ)
    assert [(outcome.check, outcome.status) for outcome in outcomes] == [("lists", FAILED), ("quiet", PASSED)]


def test_a_missing_tool_skips_unless_required(tmp_path):
    check = Check("x", ("no-such-linter",), tools=(Tool("no-such-linter", "a linter", "get it"),))
    assert lint.run_checks(language_at(tmp_path, check), required=False, log=print)[0].status == SKIPPED
    assert lint.run_checks(language_at(tmp_path, check), required=True, log=print)[0].status == FAILED


@pytest.mark.skipif(shutil.which("go") is None, reason="`go` is not on PATH: actionlint is installed with go install")
def test_actionlint_passes_a_sound_workflow_and_fails_a_broken_one(tmp_path, monkeypatch):
    workflows = tmp_path / ".github" / "workflows"
    workflows.mkdir(parents=True)
    monkeypatch.setattr(lint, "ROOT", tmp_path)
    sound = "on: push\njobs:\n  build:\n    runs-on: ubuntu-latest\n    steps:\n      - run: echo hello\n"
    (workflows / "ci.yml").write_text(sound)
    assert lint.check_workflows(required=True, log=print, env=os.environ).status == PASSED
    (workflows / "ci.yml").write_text(
        sound.replace("runs-on: ubuntu-latest", "runs-on: ubuntu-latest\n    needs: nope")
    )
    broken = lint.check_workflows(required=True, log=print, env=os.environ)
    assert broken.status == FAILED and "nope" in broken.detail


def test_the_workflow_runs_a_job_for_every_registered_language():
    """GitHub cannot read the registry, so the workflow names the languages again; this keeps the two equal."""
    import re

    from bedrock_mirror import registry

    workflow = (lint.ROOT / ".github" / "workflows" / "ci.yml").read_text()
    matrix = re.search(r"^\s+language: \[(.*)\]$", workflow, re.MULTILINE)
    assert matrix is not None
    assert [name.strip() for name in matrix.group(1).split(",")] == registry.language_names()


def test_the_workflow_runs_the_end_to_end_tests_as_ci_run_does():
    """Both leave out the grid of every language x scenario, which the language jobs (plain `nox` in .ci/run) run
    once and the report checks; the test they deselect must exist, or the grid would run twice again unnoticed."""
    import yaml

    workflow = yaml.safe_load((lint.ROOT / ".github" / "workflows" / "ci.yml").read_text(encoding="utf-8"))
    in_workflow = [
        step["run"]
        for job in workflow["jobs"].values()
        for step in job["steps"]
        if step.get("run", "").startswith("nox -s e2e")
    ]
    ci_run = (lint.ROOT / ".ci" / "run").read_text(encoding="utf-8").splitlines()
    assert in_workflow == [line for line in ci_run if line.startswith("nox -s e2e")]
    [command] = in_workflow
    deselected = command.split("--deselect ", 1)[1].split()[0]
    path, name = deselected.split("::")
    assert f"\ndef {name}(" in (lint.ROOT / path).read_text(encoding="utf-8"), f"{deselected} names no test"
