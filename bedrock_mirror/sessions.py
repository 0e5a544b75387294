"""What the nox sessions do; noxfile.py only names them."""

from __future__ import annotations

import argparse
import hashlib
import json
import logging
import os
import shutil
import sys
from collections.abc import Mapping
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

from bedrock_stub.recordings import load_directory
from bedrock_stub.upstream import Upstream

from . import registry
from .environment import scrubbed
from .lint import REQUIRE_CHECKS_VARIABLE, check_workflows, run_checks
from .registry import ROOT, Step
from .report import write_report
from .report_html import write_html_report
from .results import FAILED, PASSED, SKIPPED, SampleResult, drift_dir, output_dir, read_results, write_result
from .scenarios import PLAIN, SCENARIOS, Scenario, scenario, scenario_names
from .schedule import Suite, estimates_from, worker_count, write_suite_stats
from .shared_stub import RUN_ID, run_reply, strict_stub
from .strictness import required_languages
from .versions import language_pin

if TYPE_CHECKING:
    from nox import Session

# Where `--sdk latest` builds: a copy of each language folder, so that the pinned build stays as it is.
DRIFT_ROOT = ROOT / ".cache" / "drift"
# Where `nox -s record` writes by default; `nox -- --replay DIR` reads.
RECORDINGS = ROOT / "recordings"
# What a build makes inside a language folder; the copy keeps its own, so they are not copied over it.
_BUILD_OUTPUTS = (".venv", "node_modules", "target", "bin", "obj", "vendor", "output", "__pycache__", ".gradle")


# nox looks for uv in every session that makes a virtualenv and says so when it finds none: no news, as these
# sessions make theirs with venv (noxfile.py).
UV_ABSENT_NOTICE = "uv binary not found."


def hush_nox_notices() -> None:
    logging.getLogger("nox").addFilter(lambda record: record.getMessage() != UV_ABSENT_NOTICE)


# Written into a session's virtualenv after it installed the project: what it installed, from which pyproject.toml.
INSTALL_STAMP = "bedrock-mirror-install.json"


def install_project(session: Session, *groups: str) -> None:
    """Installs the project (editable) and its named dependency groups into the session's virtualenv, unless that
    same install from the same pyproject.toml is already there: the editable install keeps every source change live,
    pyproject.toml declares all else, and pip's check of a warm environment costs seconds (it rebuilds the editable
    project's metadata) that a test run need not pay. `nox -N` makes a new virtualenv, and so installs again."""
    from nox.project import dependency_groups, load_toml

    pyproject = ROOT / "pyproject.toml"
    arguments = [
        "-e",
        ".",
        *(requirement for group in groups for requirement in dependency_groups(load_toml(pyproject), group)),
    ]
    wanted = json.dumps(
        {"pip install": arguments, "pyproject.toml": hashlib.sha256(pyproject.read_bytes()).hexdigest()}
    )
    stamp = Path(session.bin).parent / INSTALL_STAMP
    if stamp.is_file() and stamp.read_text(encoding="utf-8") == wanted:
        session.log(f"{', '.join(groups)}: installed from this pyproject.toml already (`nox -N` reinstalls)")
        return
    stamp.unlink(missing_ok=True)
    session.install(*arguments)
    stamp.write_text(wanted, encoding="utf-8")


def _options_from(posargs: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="nox -s <language> --", add_help=True)
    parser.add_argument(
        "--scenario",
        action="append",
        choices=scenario_names(),
        help="run under this scenario only (repeatable; default: every scenario)",
    )
    parser.add_argument(
        "-v",
        "--verbose",
        action="store_true",
        help="show everything: each build step's command, each run's log, each cell's result (default: progress, "
        "failing cells and skipped languages only)",
    )
    parser.add_argument(
        "--sdk",
        choices=("pinned", "latest"),
        default="pinned",
        help="latest: build a copy of the language folder (.cache/drift/) with the SDK's newest release and run "
        "the samples with it; the report shows it beside the pin",
    )
    parser.add_argument(
        "--replay",
        type=Path,
        metavar="DIR",
        help="answer every sample from the recordings in DIR (see `nox -s record`) instead of the stub's own "
        "answers; the plain scenario only",
    )
    return parser.parse_args(posargs)


def _scenarios_from(posargs: list[str]) -> tuple[Scenario, ...]:
    options = _options_from(posargs)
    if options.replay is not None:
        # Recordings hold what the service answered; the other scenarios arrange the stub's own faults.
        return (scenario(PLAIN),)
    return tuple(scenario(name) for name in options.scenario) if options.scenario else SCENARIOS


def language_session(session: Session, name: str) -> None:
    """Builds and runs one language's samples against the stub, and records each result."""
    options = _options_from(list(session.posargs))
    _run_languages(
        session,
        [registry.language(name)],
        _scenarios_from(list(session.posargs)),
        latest=options.sdk == "latest",
        verbose=options.verbose,
    )


def drift_session(session: Session) -> None:
    """Runs every language's samples with its SDK's newest release; `nox -s report` then sets them beside the pins."""
    options = _options_from(list(session.posargs))
    _run_languages(
        session,
        list(registry.LANGUAGES),
        _scenarios_from(list(session.posargs)),
        latest=True,
        verbose=options.verbose,
    )


def drift_copy(language: registry.Language, root: Path | None = None) -> registry.Language | None:
    """The language built from a copy of its folder whose SDK is moved to the newest release its registry has.

    The copy runs the language's own steps, the SDK's upgrade commands, then the steps again: each step is
    skipped while its inputs are unchanged, so only what the upgrade touched is rebuilt. None when the language
    has no newer release to try (an emulated SDK).
    """
    if not language.sdk.upgrade:
        return None
    copy = (root or DRIFT_ROOT) / language.name
    _refresh_copy(language.path, copy)
    upgrade = Step(
        "upgrade",
        commands=language.sdk.upgrade,
        timeout=900.0,
        unavailable=f"the newest release of {language.sdk.package} could not be fetched",
    )
    return replace(language, folder=str(copy), steps=(*language.steps, upgrade, *language.steps))


def _build_outputs(directory: str, names: list[str]) -> set[str]:
    """The names in `directory` that are build output, not sources: cargo keeps programs' sources in src/bin."""
    ignored = shutil.ignore_patterns(*_BUILD_OUTPUTS)(directory, names)
    return ignored - {"bin"} if Path(directory).name == "src" else ignored


def _refresh_copy(source: Path, copy: Path) -> None:
    """Brings `copy` up to date with `source`, but leaves alone each file whose source is unchanged since the last
    refresh: so the manifests the upgrade moved stay moved, and a warm run rebuilds nothing."""
    record = copy / ".drift-sources.json"
    try:
        last = json.loads(record.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        last = {}
    now: dict[str, str] = {}

    def copy_changed(source_file: str, target: str) -> str:
        relative = str(Path(source_file).relative_to(source))
        now[relative] = hashlib.sha256(Path(source_file).read_bytes()).hexdigest()
        if last.get(relative) != now[relative] or not Path(target).exists():
            shutil.copy2(source_file, target)
        return target

    copy.mkdir(parents=True, exist_ok=True)
    shutil.copytree(
        source,
        copy,
        symlinks=True,
        dirs_exist_ok=True,
        ignore=_build_outputs,
        copy_function=copy_changed,
    )
    record.write_text(json.dumps(now, indent=0), encoding="utf-8")


def all_session(session: Session) -> None:
    """Runs every language under every scenario on a pool of workers (MIRROR_JOBS), then prints the report."""
    options = _options_from(list(session.posargs))
    results = _run_suite(
        session,
        list(registry.LANGUAGES),
        _scenarios_from(list(session.posargs)),
        latest=options.sdk == "latest",
        verbose=options.verbose,
    )
    failed = [result for result in results if result.status == FAILED]
    report = write_report()
    write_html_report(report=report)
    print(report.markdown(), end="")
    session.log(f"written to {output_dir()}: report.md, report.json, report.junit.xml, report.html")
    problems = [f"{result.sample} / {result.scenario}: {result.reason}" for result in failed]
    if not report.ok:
        problems.append("the parity report found problems: " + "; ".join(report.problems))
    if problems:
        session.error("; ".join(problems))


def _run_languages(
    session: Session,
    languages: list[registry.Language],
    scenarios: tuple[Scenario, ...],
    *,
    latest: bool = False,
    verbose: bool = True,
) -> None:
    results = _run_suite(session, languages, scenarios, latest=latest, verbose=verbose)
    failed = [result for result in results if result.status == FAILED]
    if failed:
        session.error("; ".join(f"{result.sample} / {result.scenario}: {result.reason}" for result in failed))
    if results and all(result.status == SKIPPED for result in results):
        session.skip(results[0].reason)


def _run_suite(
    session: Session,
    languages: list[registry.Language],
    scenarios: tuple[Scenario, ...],
    *,
    latest: bool = False,
    verbose: bool = True,
    stub_options: Mapping[str, Any] | None = None,
) -> list[SampleResult]:
    """Runs the languages' runs on a pool of workers, writes every result (and logs each one when `verbose`), and
    returns them.

    `stub_options`: further `Stub` keywords for every run (default: `--replay DIR` from the session's arguments)."""
    try:
        required = required_languages(registry.language_names())
        jobs = worker_count()
        if stub_options is None:
            stub_options = _replay_options(_options_from(list(session.posargs)).replay)
    except ValueError as error:  # RecordingError too: one line naming the recording
        session.error(str(error))
    folder = drift_dir() if latest else output_dir()
    targets = []
    for language in languages:
        target = drift_copy(language) if latest else language
        if target is None:
            session.log(
                f"{language.name}: no newer release of {language.sdk.package} to try (its registry entry "
                "has no upgrade commands)"
            )
            continue
        targets.append(target)
    suite = Suite(
        targets,
        scenarios,
        run_id=RUN_ID,
        required=required,
        log=session.log,
        reply=run_reply(),
        jobs=jobs,
        strict=strict_stub(),
        stamp_dir=DRIFT_ROOT / "stamps" if latest else None,
        estimates=estimates_from(read_results(folder)) if jobs > 1 else None,
        verbose=verbose,
        stub_options=stub_options,
    )
    results = suite.run()
    if latest:
        pins = {language.name: language_pin(language) for language in languages}
        for result in results:
            result.sdk_channel, result.sdk_pinned = "latest", pins[result.language]
    for result in results:
        write_result(result, folder if latest else None)
        if not verbose:
            continue
        timing = (
            f" [build {result.build_seconds:.1f}s, run {result.run_seconds:.2f}s]"
            if result.status in (PASSED, FAILED)
            else ""
        )
        session.log(
            f"{result.sample} / {result.scenario}: {result.status}"
            + (f" — {result.reason}" if result.reason else "")
            + timing
        )
        if result.scenario == PLAIN:
            for finding in result.findings:
                session.log(f"{result.sample}: conformance finding: {finding}")
    # Where nothing ran (every language skipped), the skip lines above and nox's own say all there is.
    if verbose or suite.stats.runs:
        if not verbose:
            session.log(suite.progress.summary())
        session.log(suite.stats.describe())
    write_suite_stats(suite.stats, folder)
    return results


def _replay_options(folder: Path | None) -> dict[str, Any]:
    """The stub keywords that replay `folder`, checked once here rather than by every run's stub."""
    if folder is None:
        return {}
    load_directory(folder)
    return {"replay": folder}


def record_session(session: Session) -> None:
    """Records every example's calls against a real endpoint, once the user has said yes to what it costs."""
    parser = argparse.ArgumentParser(prog="nox -s record --")
    parser.add_argument(
        "--upstream", required=True, metavar="URL", help="e.g. https://bedrock-runtime.us-east-1.amazonaws.com"
    )
    parser.add_argument(
        "--dir", type=Path, default=RECORDINGS, metavar="DIR", help="where the recordings go (default: recordings/)"
    )
    parser.add_argument("--language", action="append", choices=registry.language_names(), help="only this language")
    parser.add_argument("--yes", action="store_true", help="go ahead without asking (needed when not interactive)")
    options = parser.parse_args(list(session.posargs))
    session.warn(
        f"recording sends every example's requests to {options.upstream}: against real Bedrock that calls a real "
        "AWS account with your own credentials (botocore's chain) and can cost money"
    )
    if not options.yes:
        if not sys.stdin.isatty():
            session.error("not recording: standard input is not a terminal, so no one can agree; pass --yes")
        if input("Record against it? Type yes: ").strip().lower() != "yes":
            session.error("not recording: the answer was not yes")
    try:
        stub_options: dict[str, Any] = {"upstream": Upstream(options.upstream), "record": options.dir}
    except ValueError as error:
        session.error(f"--upstream: {error}")
    names = options.language or registry.language_names()
    languages = [registry.language(name) for name in names]
    results = _run_suite(session, languages, (scenario(PLAIN),), stub_options=stub_options)
    session.log(f"recorded into {options.dir}; replay with: nox -- --replay {options.dir}")
    failed = [result for result in results if result.status == FAILED]
    if failed:
        session.error("; ".join(f"{result.sample}: {result.reason}" for result in failed))


def lint_session(session: Session) -> None:
    """Runs every language's static checks; a missing tool skips a check unless MIRROR_REQUIRE_CHECKS names it."""
    try:
        required = required_languages(registry.language_names(), variable=REQUIRE_CHECKS_VARIABLE)
    except ValueError as error:
        session.error(str(error))
    # The session's own virtualenv (ruff, tree-sitter) comes first on PATH; the checks run on the machine's own Java
    # (lint.run_checks says why).
    env = scrubbed(os.environ, java_21=False)
    env["PATH"] = os.pathsep.join([*(session.bin_paths or ()), env.get("PATH", "")])
    outcomes = []
    for language in registry.LANGUAGES:
        outcomes += run_checks(language, required=language.name in required, log=session.log, env=env)
    every_check_required = len(required) == len(registry.LANGUAGES)
    outcomes.append(check_workflows(required=every_check_required, log=session.log, env=env))
    for outcome in outcomes:
        session.log(
            f"{outcome.language} / {outcome.check}: {outcome.status}"
            + (f"\n{outcome.detail}" if outcome.detail else "")
        )
    failed = [outcome for outcome in outcomes if outcome.status == FAILED]
    if failed:
        session.error("failed checks: " + ", ".join(f"{outcome.language} / {outcome.check}" for outcome in failed))


def bench_session(session: Session) -> None:
    from . import readme_tables
    from .bench import speed
    from .bench.run import main, markdown

    data = main(list(session.posargs), log=session.log)
    print(markdown(data), end="")
    speed.write(data)
    session.log(f"written {speed.SPEED_FILE} and the tables of " + ", ".join(map(str, readme_tables.write())))
    profiled = ", bench-profile-*.txt" if "operations" in data.get("profile", {}) else ""
    session.log(f"written to {output_dir()}: bench.md, bench.json, bench.html{profiled}")


def write_idioms() -> list[Path]:
    # Imported here: only this session needs Pygments.
    from . import idioms, readme_tables

    return [*idioms.write(), *readme_tables.write()]


def report_session(session: Session) -> None:
    """Prints the parity table of the latest results and fails if any sample failed or the samples disagree."""
    report = write_report()
    write_html_report(report=report)
    print(report.markdown(), end="")
    session.log(f"written to {output_dir()}: report.md, report.json, report.junit.xml, report.html")
    if not report.ok:
        session.error("the parity report found problems: " + "; ".join(report.problems))


def upstream_session(session: Session) -> None:
    """Compares every mirrored file with upstream's HEAD; fails on what upstream changed since the last review."""
    from . import upstream

    parser = argparse.ArgumentParser(prog="nox -s upstream --")
    parser.add_argument(
        "--source", required=True, help="a clone of awsdocs/aws-doc-sdk-examples, or its URL (cloned where reachable)"
    )
    options = parser.parse_args(session.posargs)
    text, report = upstream.main(options.source)
    print(text)
    written = output_dir() / "upstream.md"
    written.parent.mkdir(parents=True, exist_ok=True)
    written.write_text(text + "\n", encoding="utf-8")
    session.log(f"written to {written}")
    if not report.ok:
        changed = [finding.mirrored.path for finding in report.new_findings()] + report.new_unmirrored
        session.error("upstream changed since the last review: " + ", ".join(changed))
