"""Progress on long work: runs done of the total per language, what is building, failing cells as they happen, the
time left once every language has finished a run; quiet on what is not news, everything with -v."""

from __future__ import annotations

import logging
import sys
from dataclasses import replace

from bedrock_mirror import sessions, steps
from bedrock_mirror.progress import Progress
from bedrock_mirror.registry import Step, Tool
from bedrock_mirror.results import FAILED, PASSED, SampleResult
from bedrock_mirror.scenarios import scenario
from tests.helpers import CALL_THE_STUB, fake_language, fake_sample, run_suite, script_samples


def cell(status: str, sample: str = "s", reason: str = "") -> SampleResult:
    return SampleResult("plain", sample, "x", "t", "sdk", "1", status, reason=reason)  # type: ignore[arg-type]


class Clock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


def test_a_failing_cell_shows_the_moment_its_run_ends():
    lines: list[str] = []
    progress = Progress(["go"], jobs=2, log=lines.append, clock=Clock())
    progress.building("go")
    progress.planned("go", 3)
    progress.run_ended("go", [cell(FAILED, "go-stream", "printed another text")], 1.0, ["go: plain: x"], counted=True)
    assert lines == ["FAILED go-stream / plain: printed another text"]
    assert progress.status() == "[1/3 runs] go 1/3; 1 failed; about 1 s left"


def test_the_estimate_waits_for_one_run_of_every_language_then_shares_the_rest_among_the_workers():
    progress = Progress(["python", "java", "php"], jobs=2, log=lambda line: None, clock=Clock())
    for name in ("python", "java", "php"):
        progress.building(name)
    progress.planned("python", 10)
    progress.not_run("php", "`php` is not on PATH", failed=False)
    progress.run_ended("python", [cell(PASSED)], 2.0, [], counted=True)
    assert progress.estimate() is None  # java is still building
    assert "java building" in progress.status() and "left" not in progress.status()
    progress.planned("java", 4)
    assert progress.estimate() is None  # java has not finished a run yet
    progress.run_ended("java", [cell(PASSED)], 6.0, [], counted=True)
    # python: 9 runs of 2 s to go, java: 3 of 6 s, on 2 workers.
    assert progress.estimate() == (9 * 2.0 + 3 * 6.0) / 2
    assert progress.status() == "[2/14 runs] python 1/10, java 1/4; about 18 s left"


def test_status_lines_come_every_few_seconds_and_when_a_language_finishes():
    lines: list[str] = []
    clock = Clock()
    progress = Progress(["abap"], jobs=1, log=lines.append, clock=clock, every=5.0)
    progress.building("abap")
    progress.planned("abap", 3)
    progress.run_ended("abap", [cell(PASSED)], 1.0, [], counted=True)
    assert lines == []
    clock.now = 5.0
    progress.run_ended("abap", [cell(PASSED)], 1.0, [], counted=True)
    assert lines == ["[2/3 runs] abap 2/3; about 1 s left"]
    progress.run_ended("abap", [cell(PASSED)], 1.0, [], counted=True)
    assert lines[-1] == "[3/3 runs] abap 3/3"


def test_a_quiet_suite_says_one_line_per_skipped_language_and_each_failure_and_no_passing_cell(tmp_path):
    working = tmp_path / "working"
    working.mkdir()
    samples = script_samples(
        working, {"prints-it": CALL_THE_STUB + "print(text)\n", "breaks": "import sys\nsys.exit('broken')\n"}
    )
    missing = Tool("no-such-compiler-xyz", "the Xyz compiler", "apt-get install xyz")
    absent = fake_language(tmp_path, tools=[missing], samples=[fake_sample(("x",), id=f"x{i}") for i in range(30)])
    lines: list[str] = []
    results = run_suite(
        [fake_language(working, samples=samples), replace(absent, name="absent")],
        scenarios=(scenario("plain"), scenario("text-fidelity")),
        log=lines.append,
        verbose=False,
    )
    assert len(results) == 2 * 2 + 30 * 2
    assert [line for line in lines if line.startswith("absent")] == [f"absent: skipped: {missing.missing_message()}"]
    failures = sorted(line for line in lines if line.startswith("FAILED"))
    assert [line.split(":")[0] for line in failures] == ["FAILED breaks / plain", "FAILED breaks / text-fidelity"]
    assert not [line for line in lines if "prints-it" in line], lines
    assert lines[-1].startswith("[4/4 runs] fake 4/4; 2 failed"), lines
    assert len(lines) == 1 + 2 + 1, lines


def test_verbose_shows_every_run_as_well(tmp_path):
    samples = script_samples(tmp_path, {"prints-it": CALL_THE_STUB + "print(text)\n"})
    lines: list[str] = []
    run_suite([fake_language(tmp_path, samples=samples)], log=lines.append)
    assert any(line.endswith("prints-it.py") for line in lines), lines


def test_minus_v_asks_the_sessions_for_everything():
    assert sessions._options_from(["-v"]).verbose and sessions._options_from(["--verbose"]).verbose
    assert not sessions._options_from([]).verbose


def test_a_step_whose_program_is_absent_logs_no_command(tmp_path):
    lines: list[str] = []
    absent = Step("install", commands=(("no-such-installer-xyz", "install"),), inputs=("x",))
    present = Step("build", commands=((sys.executable, "-c", "pass"),))
    steps.run_steps(fake_language(tmp_path, steps=[absent]), {"PATH": "/nowhere"}, lines.append, tmp_path / "s")
    steps.run_steps(fake_language(tmp_path, steps=[present]), {"PATH": "/nowhere"}, lines.append, tmp_path / "s")
    assert lines == [f"fake: build: {sys.executable} -c pass"]


def test_nox_says_nothing_of_an_absent_uv(caplog):
    sessions.hush_nox_notices()
    with caplog.at_level(logging.INFO, logger="nox"):
        logging.getLogger("nox").info(sessions.UV_ABSENT_NOTICE)
        logging.getLogger("nox").info("Running session report")
    assert [record.getMessage() for record in caplog.records] == ["Running session report"]
