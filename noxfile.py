"""Sessions: one per language (generated from harness.registry), then the parity report; plus tests and lint.

`nox` runs every language session and the report. See README.md.
"""

from __future__ import annotations

import nox

try:
    from harness import registry, sessions
except ModuleNotFoundError as missing:
    raise SystemExit(
        f"noxfile.py needs the harness and its dependencies in nox's own environment (missing: {missing.name}).\n"
        "Run once, from this folder:  python3 -m pip install -e .   (README.md, 'Quick start')"
    ) from None

nox.needs_version = ">=2025.2.9"
nox.options.default_venv_backend = "venv"
nox.options.reuse_venv = "yes"
nox.options.sessions = [*registry.language_names(), "report"]

PROJECT = nox.project.load_toml("pyproject.toml")


def _language_session(language: registry.Language) -> None:
    def run(session: nox.Session) -> None:
        sessions.language_session(session, language.name)

    run.__doc__ = f"Build {language.title} and run its samples under every scenario (-- --scenario NAME)."
    nox.session(name=language.name, venv_backend="none")(run)


for _language in registry.LANGUAGES:
    _language_session(_language)


@nox.session(venv_backend="none")
def idioms(session: nox.Session) -> None:
    """Regenerate docs/idioms.md, each step of the call in every language side by side."""
    session.log(f"written {sessions.write_idioms()}")


@nox.session(venv_backend="none")
def bench(session: nox.Session) -> None:
    """Measure the stub under load, each sample against its start-up floor, and a warm full nox (-- --help)."""
    sessions.bench_session(session)


@nox.session(venv_backend="none")
def report(session: nox.Session) -> None:
    """Print the parity table of the latest results; fail if any sample failed or two disagree."""
    sessions.report_session(session)


@nox.session
def tests(session: nox.Session) -> None:
    """Run the test suite (stub protocol, harness units, end-to-end runs)."""
    session.install("-e", ".", *nox.project.dependency_groups(PROJECT, "test"))
    session.run("pytest", *session.posargs)


@nox.session
def lint(session: nox.Session) -> None:
    """Check the harness with ruff, and each sample with its own ecosystem's formatter or parser."""
    session.install("-e", ".", *nox.project.dependency_groups(PROJECT, "lint"))
    session.run("ruff", "check", "harness", "tests", "noxfile.py")
    session.run("ruff", "format", "--check", "harness", "tests", "noxfile.py")
    sessions.lint_session(session)
