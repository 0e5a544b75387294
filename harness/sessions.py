"""What the nox sessions do; noxfile.py only names them."""

from __future__ import annotations

import argparse
import os
from typing import Any

from . import idioms, registry
from .environment import scrubbed
from .lint import REQUIRE_CHECKS_VARIABLE, check_workflows, run_checks
from .pipeline import run_language
from .report import write_report
from .results import FAILED, PASSED, SKIPPED, output_dir, write_result
from .scenarios import PLAIN, SCENARIOS, Scenario, scenario, scenario_names
from .shared_stub import RUN_ID, shared_stub
from .strictness import required_languages


def _scenarios_from(posargs: list[str]) -> tuple[Scenario, ...]:
    parser = argparse.ArgumentParser(prog="nox -s <language> --", add_help=True)
    parser.add_argument(
        "--scenario",
        action="append",
        choices=scenario_names(),
        help="run under this scenario only (repeatable; default: every scenario)",
    )
    names = parser.parse_args(posargs).scenario
    return tuple(scenario(name) for name in names) if names else SCENARIOS


def language_session(session: Any, name: str) -> None:
    """Builds and runs one language's samples against the stub, and records each result."""
    _run_languages(session, [registry.language(name)], _scenarios_from(list(session.posargs)))


def _run_languages(session: Any, languages: list[registry.Language], scenarios: tuple[Scenario, ...]) -> None:
    try:
        required = required_languages(registry.language_names())
    except ValueError as error:
        session.error(str(error))
    results = []
    for language in languages:
        results += run_language(
            language,
            shared_stub,
            run_id=RUN_ID,
            required=language.name in required,
            log=session.log,
            scenarios=scenarios,
        )
    for result in results:
        write_result(result)
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
    failed = [result for result in results if result.status == FAILED]
    if failed:
        session.error("; ".join(f"{result.sample} / {result.scenario}: {result.reason}" for result in failed))
    if results and all(result.status == SKIPPED for result in results):
        session.skip(results[0].reason)


def lint_session(session: Any) -> None:
    """Runs every language's static checks; a missing tool skips a check unless MIRROR_REQUIRE_CHECKS names it."""
    try:
        required = required_languages(registry.language_names(), variable=REQUIRE_CHECKS_VARIABLE)
    except ValueError as error:
        session.error(str(error))
    # The session's own virtualenv (ruff, tree-sitter) comes first on PATH.
    env = scrubbed(os.environ)
    env["PATH"] = os.pathsep.join([*session.bin_paths, env.get("PATH", "")])
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


def bench_session(session: Any) -> None:
    from .bench.run import main, markdown

    data = main(list(session.posargs), log=session.log)
    print(markdown(data), end="")
    session.log(f"written to {output_dir()}: bench.md, bench.json")


def write_idioms() -> Any:
    return idioms.write()


def report_session(session: Any) -> None:
    """Prints the parity table of the latest results and fails if any sample failed or the samples disagree."""
    report = write_report()
    print(report.markdown(), end="")
    session.log(f"written to {output_dir()}: report.md, report.json, report.junit.xml")
    if not report.ok:
        session.error("the parity report found problems: " + "; ".join(report.problems))
