"""The stub serves on uvloop where it is installed and on asyncio's own loop where it is not, started either way
(the CLI, `Stub()` in a thread), and answers a real client on both."""

from __future__ import annotations

import importlib.util
import json
import signal
import subprocess
import sys
from pathlib import Path

import nox.project
import pytest
from bedrock_stub import event_loop
from packaging.requirements import Requirement

from tests.helpers import HAIKU, bedrock_client, messages_body

ROOT = Path(__file__).resolve().parent.parent
UVLOOP_MISSING = "uvloop is not installed here (pip install 'bedrock-stub[fast]'), so the stub cannot serve on it"

# Runs the stub the way argv[2] names, with uvloop importable or not (argv[1]), and reports on standard error the
# class of the loop that serves it, seen from inside the running server.
RUN_AND_REPORT = """
import asyncio, sys
if sys.argv[1] == "hidden":
    sys.modules["uvloop"] = None  # an import of it now fails, as where it is not installed
from bedrock_stub import server
from bedrock_stub.cli import main

serve = server.Stub.serve

async def reporting(self, *args):
    loop = type(asyncio.get_running_loop())
    print(f"loop: {loop.__module__}.{loop.__qualname__}", file=sys.stderr, flush=True)
    await serve(self, *args)

server.Stub.serve = reporting
if sys.argv[2] == "cli":
    sys.exit(main(["--port", "0", "--reply", "on some loop"]))
with server.Stub(reply="on some loop") as stub:
    print(stub.url, flush=True)
    sys.stdin.read()  # until the test closes it
"""


def _serve_and_ask(uvloop: str, how: str) -> str:
    """Starts the stub in a process of its own, asks it once with boto3, stops it; returns what it reported."""
    process = subprocess.Popen(
        [sys.executable, "-c", RUN_AND_REPORT, uvloop, how],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        assert process.stdout is not None
        url = process.stdout.readline().strip()
        assert url.startswith("http://127.0.0.1:"), process.stderr.read() if process.stderr else url
        reply = bedrock_client(url).invoke_model(modelId=HAIKU, body=messages_body())
        assert json.loads(reply["body"].read())["content"][0]["text"] == "on some loop"
    finally:
        if how == "cli":
            process.send_signal(signal.SIGTERM)
        _, stderr = process.communicate(timeout=30)
    assert process.returncode == 0, stderr
    return stderr


@pytest.mark.parametrize("how", ["cli", "thread"])
def test_the_stub_serves_on_uvloop_where_it_is_installed(how):
    if importlib.util.find_spec("uvloop") is None:
        pytest.skip(UVLOOP_MISSING)
    assert "loop: uvloop.Loop" in _serve_and_ask("present", how)


@pytest.mark.parametrize("how", ["cli", "thread"])
def test_the_stub_serves_on_asyncio_where_uvloop_is_missing(how):
    stderr = _serve_and_ask("hidden", how)
    assert "loop: asyncio." in stderr and "uvloop" not in stderr


def test_the_loop_kind_says_which_loop_the_stub_runs_on():
    expected = "asyncio" if importlib.util.find_spec("uvloop") is None else "uvloop"
    assert event_loop.loop_kind() == expected

    async def running() -> str:
        import asyncio

        return type(asyncio.get_running_loop()).__module__

    assert event_loop.run(running()).split(".")[0] == expected


def test_the_harness_pins_the_stubs_fast_extra_within_its_range():
    # nox's reader, as tests/test_packaging.py reads them: tomllib from Python 3.11, tomli on 3.10.
    root = nox.project.load_toml(ROOT / "pyproject.toml")["project"]
    stub = nox.project.load_toml(ROOT / "stub" / "pyproject.toml")["project"]
    [need] = map(Requirement, stub["optional-dependencies"]["fast"])
    [pinned] = [req for req in map(Requirement, root["dependencies"]) if req.name == need.name]
    [version] = [spec.version for spec in pinned.specifier if spec.operator == "=="]
    assert need.specifier.contains(version) and pinned.marker == need.marker
