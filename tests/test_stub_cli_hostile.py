"""The command refuses what it cannot serve with one line and exit status 2: never a traceback, never a hang."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest


def run_stub(*args: str) -> subprocess.CompletedProcess[str]:
    """The command with these arguments; each case must end by itself well within the bound."""
    return subprocess.run(
        [sys.executable, "-m", "bedrock_stub", *args], capture_output=True, text=True, timeout=60, check=False
    )


def assert_refused_in_one_line(result: subprocess.CompletedProcess[str], says: str) -> None:
    assert result.returncode == 2, result.stderr
    assert "Traceback" not in result.stderr
    assert result.stdout == ""
    lines = result.stderr.splitlines()
    assert len(lines) == 1, result.stderr
    assert says in lines[0]


@pytest.mark.parametrize(
    "name, text, says",
    [
        ("bad.toml", '[[rules]]\nregex = "(unclosed"\ntext = "x"\n', "does not compile"),
        ("deep.json", "[" * 100_000 + "]" * 100_000, "nested too deeply"),
        ("deep.toml", "a = " + "[" * 100_000 + "]" * 100_000 + "\n", "nested too deeply"),
        (
            "when.toml",
            '[[rules]]\ncontains = "x"\ntool_use = { name = "t", input = { at = 1979-05-27T07:32:00Z } }\n',
            "has no JSON form",
        ),
        ("five.toml", '[[rules]]\ncontains = 5\ntext = "x"\n', "contains must be a string"),
        (
            "nan.json",
            '{"rules": [{"contains": "x", "tool_use": {"name": "t", "input": {"n": NaN}}}]}',
            "NaN is not a JSON value",
        ),
        ("id.toml", '[[rules]]\ncontains = "x"\ntool_use = { name = "t", id = 12345 }\n', "tool_use.id must be"),
    ],
)
def test_a_rules_file_the_stub_cannot_serve(tmp_path, name, text, says):
    path = tmp_path / name
    path.write_text(text)
    assert_refused_in_one_line(run_stub("--rules", str(path)), says)


def test_rules_from_an_endless_device():
    assert_refused_in_one_line(run_stub("--rules", "/dev/zero"), "/dev/zero is a device, not a regular file")


def test_a_rules_file_too_large_to_read(tmp_path):
    huge = tmp_path / "huge.json"
    with huge.open("wb") as file:
        file.truncate(17 * 1024 * 1024)  # sparse: seventeen mebibytes of zeros, read only up to the bound
    assert_refused_in_one_line(run_stub("--rules", str(huge)), "larger than 16 MiB")


@pytest.mark.parametrize("option", ["--rules", "--models", "--ca-file"])
def test_a_file_option_on_a_fifo_is_refused_at_once(tmp_path, option):
    # Reading (or writing) a FIFO would block the start until another process opened its other end.
    fifo = tmp_path / "file.fifo"
    os.mkfifo(fifo)
    arguments = [option, str(fifo)] + (["--tls"] if option == "--ca-file" else [])
    assert_refused_in_one_line(run_stub(*arguments), f"argument {option}: {fifo} is a FIFO, not a regular file")


@pytest.mark.parametrize("option", ["--rules", "--models"])
def test_a_file_option_on_a_folder_is_refused(tmp_path, option):
    assert_refused_in_one_line(run_stub(option, str(tmp_path)), f"{tmp_path} is a folder, not a regular file")


def test_a_journal_window_beyond_reason():
    assert_refused_in_one_line(run_stub("--journal-window", "99999999999999999999999999"), "entries allowed")


def test_a_journal_on_a_fifo_is_refused_at_once(tmp_path):
    fifo = tmp_path / "journal.fifo"
    os.mkfifo(fifo)
    assert_refused_in_one_line(run_stub("--journal", str(fifo)), "is a FIFO")


def test_a_journal_on_a_device_is_refused(tmp_path):
    assert_refused_in_one_line(run_stub("--journal", "/dev/zero"), "not a regular file")


@pytest.mark.parametrize("host", ["", " "])
def test_an_empty_host_does_not_bind_every_interface(host):
    assert_refused_in_one_line(run_stub("--host", host), "would listen on every interface")


def test_a_journal_on_a_regular_file_still_serves(tmp_path):
    """The checks refuse only what they name: a normal journal file gets the stub to print its URL."""
    journal = tmp_path / "journal.jsonl"
    process = subprocess.Popen(
        [sys.executable, "-m", "bedrock_stub", "--journal", str(journal), "--journal-window", "10000000"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        assert process.stdout is not None
        assert process.stdout.readline().startswith("http://127.0.0.1:")
    finally:
        process.terminate()
        process.wait(timeout=30)
    assert Path(journal).exists()
