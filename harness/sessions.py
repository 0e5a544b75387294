"""What the nox sessions do; noxfile.py only names them."""

from __future__ import annotations

from typing import Any

from . import registry
from .pipeline import run_language
from .report import write_report
from .results import FAILED, SKIPPED, output_dir, write_result
from .shared_stub import RUN_ID, shared_stub
from .strictness import required_languages


def language_session(session: Any, name: str) -> None:
    """Builds and runs one language's samples against the run's stub, and records each result."""
    language = registry.language(name)
    try:
        required = name in required_languages(registry.language_names())
    except ValueError as error:
        session.error(str(error))
    results = run_language(language, shared_stub, run_id=RUN_ID, required=required, log=session.log)
    for result in results:
        write_result(result)
        session.log(
            f"{result.sample}: {result.status}"
            + (f" — {result.reason}" if result.reason else "")
            + (
                f" [build {result.build_seconds:.1f}s, run {result.run_seconds:.2f}s]"
                if result.status != SKIPPED
                else ""
            )
        )
        for finding in result.findings:
            session.log(f"{result.sample}: conformance finding: {finding}")
    failed = [result for result in results if result.status == FAILED]
    if failed:
        session.error("; ".join(f"{result.sample}: {result.reason}" for result in failed))
    if results and all(result.status == SKIPPED for result in results):
        session.skip(results[0].reason)


def report_session(session: Any) -> None:
    """Prints the parity table of the latest results and fails if any sample failed or the samples disagree."""
    report = write_report()
    print(report.markdown(), end="")
    session.log(f"written to {output_dir() / 'report.md'}")
    if not report.ok:
        session.error("the parity report found problems: " + "; ".join(report.problems))
