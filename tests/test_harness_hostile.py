"""Samples that try to outlive their run or break the reports: processes that leave their group and tree (setsid,
a double fork, a daemon with or without the sample's output pipes) and output no report format allows."""

from __future__ import annotations

import contextlib
import json
import os
import subprocess
import sys
import threading
import time
import xml.etree.ElementTree as ElementTree
from collections.abc import Iterator
from pathlib import Path

import pytest

from bedrock_mirror import process, registry, report
from bedrock_mirror.process import run_process
from bedrock_mirror.results import FAILED, write_result
from tests.helpers import CALL_THE_STUB, fake_language, run_suite, script_samples

if not Path("/proc/self/stat").exists():
    pytest.skip("these tests find processes through /proc, which this system does not have", allow_module_level=True)

# Seconds a sample may run in these tests.
TIMEOUT = 5.0
# A run still going this long after its timeout is stuck on what holds its pipe: the watchdog then kills that holder
# (which ends the run) and the test fails. Far above any machine's slowness; a working run never meets it.
STUCK_AFTER = TIMEOUT + 60.0


def marker() -> str:
    """A sleep argument no other process uses, to find a stray process by."""
    return f"{600 + os.getpid() % 300}.{time.monotonic_ns() % 100000:05d}"


def alive(argument: str) -> list[int]:
    listed = subprocess.run(["pgrep", "-f", f"sleep {argument}"], capture_output=True, text=True)
    return [int(pid) for pid in listed.stdout.split()]


@contextlib.contextmanager
def watchdog(argument: str) -> Iterator[list[int]]:
    """Yields the list of stray processes the watchdog had to kill because the run was stuck on them (empty when the
    run ended on its own)."""
    rescued: list[int] = []

    def rescue() -> None:
        for pid in alive(argument):
            rescued.append(pid)
            os.kill(pid, 9)

    timer = threading.Timer(STUCK_AFTER, rescue)
    timer.start()
    try:
        yield rescued
    finally:
        timer.cancel()


@pytest.fixture
def stray():
    """A marker for the test's stray process; anything still running under it at the end is killed and fails (a run
    returns only once what it left is killed, so there is nothing to wait for)."""
    argument = marker()
    yield argument
    survivors = alive(argument)
    for pid in survivors:
        os.kill(pid, 9)
    assert not survivors, f"a stray process outlived the run: {survivors}"


# Each program prints its line, starts a process that detaches from the sample in its own way, and exits at once.
DETACHING = {
    # A new session that keeps the sample's standard output open: the pipe never closes while it runs.
    "setsid-keeps-stdout": "setsid sleep {arg} & echo started",
    # A daemon in the classic sense: a new session, its standard streams redirected, nothing shared.
    "daemon-redirected": "setsid sh -c 'exec sleep {arg}' </dev/null >/dev/null 2>&1 & echo started",
    # Fork, setsid, fork again, intermediate exits: the grandchild is nobody's child any more.
    "double-fork": (
        sys.executable + " -c 'import os, sys\n"
        "if os.fork() == 0:\n"
        "    os.setsid()\n"
        "    if os.fork() == 0:\n"
        '        os.execvp("sleep", ["sleep", sys.argv[1]])\n'
        "    os._exit(0)\n"
        "os.wait()' {arg}; echo started"
    ),
    # A daemon that also empties its environment, so that nothing it inherited marks it.
    "daemon-without-environment": "env -i setsid sleep {arg} </dev/null >/dev/null 2>&1 & echo started",
}


@pytest.mark.parametrize("way", sorted(DETACHING))
def test_a_process_that_detaches_is_found_killed_and_reported(tmp_path, stray, way):
    command = ["sh", "-c", DETACHING[way].format(arg=stray)]
    result = run_process(command, cwd=tmp_path, env=os.environ, timeout=TIMEOUT)
    assert not result.timed_out, "the run waited on the detached process instead of ending with the sample"
    assert result.exit_code == 0 and result.stdout == "started\n"
    assert result.leftover_processes >= 1, "the detached process was not found"
    assert any("left" in item and "(killed)" in item for item in result.misbehaviour())
    assert not alive(stray), "the detached process is still running"


def weakened_guard(monkeypatch, folder, line: str, instead: str = "pass") -> None:
    """Runs use a copy of the run guard with one of its lines replaced, to show what that line prevents."""
    source = process._GUARD.read_text()
    assert line in source
    guard = folder / "run_guard.py"
    guard.write_text(source.replace(line, instead))
    monkeypatch.setattr(process, "_GUARD", guard)


@pytest.mark.parametrize("way", ["double-fork", "daemon-redirected"])
def test_without_the_subreaper_the_same_process_escapes(tmp_path, monkeypatch, way):
    """The tests above can fail: with the harness no subreaper (and not looking while the sample runs), these
    detachments go unseen and keep running."""
    argument = marker()
    monkeypatch.setattr(process._SUBREAPER, "_prctl", None)
    monkeypatch.setattr(process._Tree, "scan", lambda self: None)
    # The run's guard as it is, but no subreaper: what it orphans goes past it.
    weakened_guard(
        monkeypatch, tmp_path, "ctypes.CDLL(None, use_errno=True).prctl(_PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0)"
    )
    try:
        # The sample exits only once the detached process is in a session of its own (the double fork waits for it).
        in_own_session = '& until [ "$(ps -o sid= -p $!)" != "$(ps -o sid= -p $$)" ]; do sleep 0.01; done; echo'
        command = DETACHING[way].format(arg=argument).replace("& echo", in_own_session)
        result = run_process(["sh", "-c", command], cwd=tmp_path, env=os.environ, timeout=30)
        assert not result.timed_out
        assert result.leftover_processes == 0 and alive(argument)
    finally:
        for pid in alive(argument):
            os.kill(pid, 9)


def test_a_hanging_sample_whose_child_keeps_stdout_ends_within_the_timeout(tmp_path, stray):
    """The sample hangs and its escaped child holds the pipe: the run still ends at the timeout."""
    command = ["sh", "-c", f"setsid sleep {stray} & echo started; sleep 120"]
    with watchdog(stray) as rescued:
        result = run_process(command, cwd=tmp_path, env=os.environ, timeout=TIMEOUT)
    assert not rescued, "the run kept reading the pipe its escaped child holds after the timeout"
    assert result.timed_out
    assert result.stdout == "started\n"
    assert result.leftover_processes == 1 and "outside its process group" in result.misbehaviour()[0]


def test_output_is_read_with_a_deadline_even_if_a_holder_of_the_pipe_is_never_found(tmp_path, monkeypatch):
    """Reading stops at the deadline whatever keeps the pipe open: here nothing is killed at the end at all."""
    argument = marker()
    monkeypatch.setattr(process._Tree, "end", lambda self, group, exclude_group: set())
    monkeypatch.setattr(process, "members_of_group", lambda group: [])
    weakened_guard(monkeypatch, tmp_path, "killed = _kill_the_rest()", "killed = {}")
    try:
        with watchdog(argument) as rescued:
            command = ["sh", "-c", f"sleep {argument} & echo started"]
            result = run_process(command, cwd=tmp_path, env=os.environ, timeout=3)
        assert not rescued, "the run kept reading a pipe held open after its deadline"
        assert alive(argument), "the holder of the pipe should still be running for this test to mean anything"
        assert result.stdout == "started\n"
    finally:
        for pid in alive(argument):
            os.kill(pid, 9)


def test_a_daemonizing_sample_fails_its_run_with_the_leftover_named(tmp_path, stray):
    """Through the whole pipeline: the sample printed the right text, but what it left running fails it."""
    source = (
        CALL_THE_STUB
        + "import subprocess\n"
        + f"subprocess.Popen(['setsid', 'sleep', '{stray}'], stdin=subprocess.DEVNULL,"
        " stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)\n" + "print(text)\n"
    )
    [result] = run_suite([fake_language(tmp_path, samples=script_samples(tmp_path, {"daemonizes": source}))])
    assert result.status == FAILED
    assert "timed out" not in result.reason, "the run waited for the daemon instead of ending with the sample"
    assert "process(es) running after it exited (killed): sleep" in result.reason


def test_the_next_run_does_not_count_a_stray_of_the_previous_one(tmp_path, stray):
    """A process left by one run is gone before the next starts, so it cannot make requests in its name."""
    first = run_process(
        ["sh", "-c", f"setsid sleep {stray} >/dev/null 2>&1 &"], cwd=tmp_path, env=os.environ, timeout=5
    )
    assert first.leftover_processes == 1
    second = run_process(["sh", "-c", "echo clean"], cwd=tmp_path, env=os.environ, timeout=5)
    assert second.leftover_processes == 0 and second.stdout == "clean\n"


def test_a_process_of_the_harness_itself_is_never_taken_for_a_leftover(tmp_path):
    """A process the harness started on its own before a run is not the run's."""
    before = subprocess.Popen(["sleep", "30"])
    try:
        result = run_process(["sh", "-c", "echo hi"], cwd=tmp_path, env=os.environ, timeout=5)
        assert result.leftover_processes == 0
        assert before.poll() is None, "the harness's own child was killed"
    finally:
        before.kill()
        before.wait()


def test_the_subreaper_is_only_held_during_a_run(tmp_path):
    """Outside a run, orphans of unrelated code go to init as usual."""
    import ctypes

    run_process(["true"], cwd=tmp_path, env=os.environ, timeout=5)
    flag = ctypes.c_int(-1)
    ctypes.CDLL(None, use_errno=True).prctl(37, ctypes.byref(flag), 0, 0, 0)  # PR_GET_CHILD_SUBREAPER
    assert flag.value == 0
    assert process.TOKEN_VARIABLE not in os.environ


# --- output no report format allows ---

HOSTILE = (
    b"NUL\x00 ESC\x1b[31m BEL\x07 VT\x0b FF\x0c DEL\x7f C1\xc2\x85 "
    b"bad utf-8 \xff\xfe\xc3 lone surrogate \xed\xa0\x80 "
    b"pipe | table | cells\r\nnew line ]]> <tag> & `tick` ``two``\n"
)


def test_any_bytes_a_sample_prints_keep_every_report_valid(tmp_path):
    source = (
        f"import sys\nsys.stdout.buffer.write({HOSTILE!r})\nsys.stderr.buffer.write({HOSTILE[::-1]!r})\nsys.exit(4)\n"
    )
    [result] = run_suite([fake_language(tmp_path, samples=script_samples(tmp_path, {"hostile": source}))])
    assert result.status == FAILED and "\x00" in result.stdout and "\x1b" in result.stderr
    # Shown in the registry's rows, so that every report writer handles it: once as a failed run, once as a failed
    # build whose output lands in the reason (and so in the Markdown).
    language, sample = registry.all_samples()[0]
    result.sample, result.language = sample.id, language.name
    result.reason += " | " + HOSTILE.decode("utf-8", errors="surrogateescape")  # what a careless decode gives
    result.stderr += "\udc80"
    out = tmp_path / "out"
    write_result(result, out)
    built = report.write_report(out)
    assert not built.ok

    root = ElementTree.parse(out / "report.junit.xml").getroot()
    [failure] = [case.find("failure") for case in root.iter("testcase") if case.find("failure") is not None]
    assert "\\x00" in failure.text and "\\x1b" in failure.text and "\ufffd" in failure.text
    assert "\\x00" in failure.get("message")

    data = json.loads((out / "report.json").read_text(encoding="utf-8"))
    [record] = data["results"]
    assert "\x00" in record["stdout"]  # JSON keeps what was printed, escaped by the encoder
    assert "\udc80" not in record["stderr"] and "\ufffd" in record["stderr"]

    markdown = (out / "report.md").read_text(encoding="utf-8")
    assert not any(character in markdown for character in "\x00\x1b\x07\x0b\x0c\x7f\x85\r")
    header = next(line for line in markdown.splitlines() if line.startswith("| Language |"))
    for line in markdown.splitlines():
        if line.startswith(f"| {language.title} | {sample.id} |"):
            assert _cells(line) == _cells(header), line
    problems = markdown.split("## Problems\n\n", 1)[1].split("\n\n", 1)[0].splitlines()
    assert problems and all(line.startswith("- ") for line in problems), problems
    assert "pipe \\| table" in problems[0]


def _cells(line: str) -> int:
    """How many cells a Markdown table row has (escaped pipes are not separators)."""
    return len(line.replace("\\|", "").strip().strip("|").split("|"))


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("a\x00b", "a\\x00b"),
        ("esc\x1b[0m", "esc\\x1b[0m"),
        ("tab\tnew\nline\r", "tab\tnew\nline\r"),
        ("\ud800 lone", "\\ud800 lone"),
        ("\ufffe\uffff", "\\ufffe\\uffff"),
        ("ünïcödé 🙂", "ünïcödé 🙂"),
    ],
)
def test_xml_text_escapes_exactly_what_xml_forbids(text, expected):
    assert report.xml_text(text) == expected
    ElementTree.fromstring(f"<a>{report.xml_text(text).replace('&', '&amp;').replace('<', '&lt;')}</a>")


def test_a_markdown_cell_stays_one_cell_on_one_line():
    assert report.markdown_inline("a|b\nc\r\nd\x1b") == "a\\|b c d\\x1b"
