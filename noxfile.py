"""Sessions: one per language (generated from bedrock_mirror.registry), all of them at once, the parity report;
plus tests and lint.

`nox` runs `all`: every language's runs on a pool of workers, then the report. See README.md.
"""

from __future__ import annotations

import nox

try:
    from bedrock_mirror import registry, sessions
except ModuleNotFoundError as missing:
    raise SystemExit(
        f"noxfile.py needs the harness and its dependencies in nox's own environment (missing: {missing.name}).\n"
        "Run once, from this folder:  python3 -m pip install -e .   (README.md, 'Quick start')"
    ) from None

nox.needs_version = ">=2025.2.9"
nox.options.default_venv_backend = "venv"
nox.options.reuse_venv = "yes"
nox.options.sessions = ["all"]

sessions.hush_nox_notices()


def _language_session(language: registry.Language) -> None:
    def run(session: nox.Session) -> None:
        sessions.language_session(session, language.name)

    run.__doc__ = f"Build {language.title} and run its samples under every scenario (-- --scenario NAME, --sdk latest)."
    nox.session(name=language.name, venv_backend="none")(run)


for _language in registry.LANGUAGES:
    _language_session(_language)


@nox.session(name="all", venv_backend="none")
def all_languages(session: nox.Session) -> None:
    """Every language under every scenario, in parallel (MIRROR_JOBS workers), then the report."""
    sessions.all_session(session)


@nox.session(venv_backend="none")
def drift(session: nox.Session) -> None:
    """Run every language with its SDK's newest release, in .cache/drift/ (then `nox -s report`: pinned vs newest)."""
    sessions.drift_session(session)


@nox.session(venv_backend="none", default=False)
def record(session: nox.Session) -> None:
    """Record every example against a real endpoint (-- --upstream URL [--yes]): a real account and cost; not in CI."""
    sessions.record_session(session)


@nox.session(venv_backend="none")
def idioms(session: nox.Session) -> None:
    """Regenerate docs/idioms.md and .html (each step of each operation in every language) and the README's tables."""
    session.log("written " + ", ".join(str(path) for path in sessions.write_idioms()))


@nox.session(venv_backend="none")
def bench(session: nox.Session) -> None:
    """Measure the stub (load, fixture cost, start, memory; -- --peers: beside its peers), samples, a warm nox.

    `-- --only PART,...` runs some parts; the results go to out/bench.md, .json and .html."""
    sessions.bench_session(session)


@nox.session(venv_backend="none")
def upstream(session: nox.Session) -> None:
    """What changed upstream since each example was mirrored (-- --source CLONE_OR_URL of aws-doc-sdk-examples)."""
    sessions.upstream_session(session)


@nox.session(venv_backend="none")
def report(session: nox.Session) -> None:
    """Print the parity table of the latest results, write out/report.html; fail if a sample failed or two disagree."""
    sessions.report_session(session)


@nox.session
def tests(session: nox.Session) -> None:
    """Run every test that needs no toolchain build (the stub, the harness, the reports); pytest args after --."""
    sessions.install_project(session, "test")
    # One worker per core (pytest-xdist): most tests wait on a stub or a process of their own.
    session.run("pytest", "-m", "not end_to_end and not soak", "-n", "auto", *session.posargs)


@nox.session
def e2e(session: nox.Session) -> None:
    """Run the end-to-end tests (each language built with its toolchain, its samples run against the stub) and the
    stub's soak."""
    sessions.install_project(session, "test")
    session.run("pytest", "-m", "end_to_end or soak", *session.posargs)


@nox.session
def lint(session: nox.Session) -> None:
    """Check the harness and the stub with ruff and mypy, and each sample with its ecosystem's formatter or parser."""
    sessions.install_project(session, "lint")
    # The harness, this file and the tests' helpers ([tool.mypy] in pyproject.toml).
    session.run("mypy")
    # The stub, a library others type-check against: strict.
    session.run("mypy", "--strict", "stub/bedrock_stub")
    session.run("ruff", "check", "bedrock_mirror", "stub", "tests", "noxfile.py")
    session.run("ruff", "format", "--check", "bedrock_mirror", "stub", "tests", "noxfile.py")
    sessions.lint_session(session)
