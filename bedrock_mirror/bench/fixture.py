"""What a test costs with each way of faking Bedrock, measured the way a test suite feels it.

Three generated pytest files of N tests each, run by pytest in a subprocess, in one virtualenv (the bench group of
pyproject.toml with the stub installed from stub/), every test creating its boto3 client and making one call:

- `bedrock-stub`: the stub's pytest fixture (reset, the test's AWS environment), one Converse;
- `moto`: moto's in-process mock (`mock_aws`, with the fake credentials its documentation sets), one InvokeModel,
  since moto has no Converse;
- `pytest-httpserver`: its HTTP server answering the stub's own Converse reply bytes, the endpoint and keys set by
  monkeypatch, one Converse.

The figure per test is the suite's wall time minus the wall time of the same file with every test deselected (the
interpreter, the imports and collection), over N: it includes each fixture's one-time start. Beside it, the median
of pytest's own per-test durations (setup + call + teardown, from its JUnit XML), which leaves that start out. The
suites run interleaved, `rounds` times; figures are medians.
"""

from __future__ import annotations

import os
import statistics
import subprocess
import tempfile
import time
import xml.etree.ElementTree as ElementTree
from collections.abc import Callable
from pathlib import Path
from typing import Any, Literal

import nox.project

from ..registry import ROOT
from . import peers, tables
from .servers import fetch
from .shapes import CONVERSE, PLAIN, signed_headers

Contender = Literal["bedrock-stub", "moto", "pytest-httpserver"]
CONTENDERS: tuple[Contender, ...] = ("bedrock-stub", "moto", "pytest-httpserver")
# The contender the stub's fixture is held against, and how many times its cost it may be.
REFERENCE: Contender = "pytest-httpserver"
TARGET_RATIO = 2.0
SUITE_TIMEOUT = 600.0


def bench_requirements() -> tuple[str, ...]:
    return tuple(nox.project.dependency_groups(nox.project.load_toml(ROOT / "pyproject.toml"), "bench"))


def suites_tool() -> peers.Tool:
    """The virtualenv the suites run in: the bench group, and the stub from this checkout (editable)."""
    first, *rest = bench_requirements()
    return peers.Tool("fixture-suites", first, also=(*rest, "-e", str(ROOT / "stub")))


_HEAD = """\
import json
import re

import boto3
import pytest

MODEL = "anthropic.claude-3-haiku-20240307-v1:0"
MESSAGES = [{"role": "user", "content": [{"text": "Hello"}]}]
CASES = range(COUNT)


def converse():
    client = boto3.client("bedrock-runtime")
    reply = client.converse(modelId=MODEL, messages=MESSAGES)
    assert reply["output"]["message"]["content"][0]["text"]
"""

_SUITES: dict[Contender, str] = {
    "bedrock-stub": """

@pytest.mark.parametrize("case", CASES)
def test_converse(bedrock_stub, case):
    converse()
""",
    "moto": """
from moto import mock_aws

BODY = json.dumps(
    {"anthropic_version": "bedrock-2023-05-31", "max_tokens": 512, "messages": [{"role": "user", "content": "Hello"}]}
)


@pytest.fixture
def aws(monkeypatch):
    for name, value in {
        "AWS_ACCESS_KEY_ID": "testing",
        "AWS_SECRET_ACCESS_KEY": "testing",
        "AWS_SECURITY_TOKEN": "testing",
        "AWS_SESSION_TOKEN": "testing",
        "AWS_DEFAULT_REGION": "us-east-1",
    }.items():
        monkeypatch.setenv(name, value)
    with mock_aws():
        yield


@pytest.mark.parametrize("case", CASES)
def test_invoke_model(aws, case):
    client = boto3.client("bedrock-runtime")
    reply = client.invoke_model(modelId=MODEL, body=BODY)
    assert json.loads(reply["body"].read()) is not None
""",
    "pytest-httpserver": """
REPLY = REPLY_BYTES


@pytest.fixture
def endpoint(httpserver, monkeypatch):
    httpserver.expect_request(re.compile("/model/.+/converse"), method="POST").respond_with_data(
        REPLY, content_type="application/json"
    )
    monkeypatch.setenv("AWS_ENDPOINT_URL_BEDROCK_RUNTIME", httpserver.url_for("/").rstrip("/"))
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    monkeypatch.setenv("AWS_DEFAULT_REGION", "us-east-1")
    return httpserver


@pytest.mark.parametrize("case", CASES)
def test_converse(endpoint, case):
    converse()
""",
}


def suite_source(contender: Contender, count: int, reply: bytes) -> str:
    """The pytest file of `count` tests for one contender (`reply`: the bytes pytest-httpserver answers)."""
    return (_HEAD + _SUITES[contender]).replace("COUNT", str(count)).replace("REPLY_BYTES", repr(reply))


def converse_reply() -> bytes:
    """The stub's own answer to the bench's Converse request, for pytest-httpserver to answer with."""
    from bedrock_stub import Stub

    shape = next(shape for shape in PLAIN if shape.operation == CONVERSE)
    with Stub() as stub:
        status, _, body = fetch(stub.url, shape, signed_headers(stub.url, shape))
    if status != 200:
        raise RuntimeError(f"the stub answered the bench's Converse with {status}: {body[:200]!r}")
    return body


def per_test_durations(junit_xml: str) -> list[float]:
    """Each test's time (setup + call + teardown) from pytest's JUnit XML; failed or skipped tests raise."""
    root = ElementTree.fromstring(junit_xml)
    durations = []
    for case in root.iter("testcase"):
        problem = next((child for child in case if child.tag in ("failure", "error", "skipped")), None)
        if problem is not None:
            message = problem.get("message") or (problem.text or "").strip().splitlines()[-1:]
            raise RuntimeError(f"{case.get('name')}: {problem.tag}: {message}")
        durations.append(float(case.get("time", "0")))
    return durations


def summarise(count: int, walls: list[float], empty_walls: list[float], durations: list[float]) -> dict[str, Any]:
    """One contender's figures from its runs: per-test ms from the walls and from pytest's durations."""
    wall = statistics.median(walls)
    empty = statistics.median(empty_walls)
    return {
        "tests": count,
        "runs": len(walls),
        "suite_s": round(wall, 3),
        "empty_suite_s": round(empty, 3),
        "per_test_ms": round((wall - empty) / count * 1000, 2),
        "pytest_median_ms": round(statistics.median(durations) * 1000, 2) if durations else None,
    }


def ratios(contenders: dict[str, dict[str, Any]], figure: str = "per_test_ms") -> dict[str, float | None]:
    """The stub's per-test cost over each other contender's (lower is better: under 1 the stub is cheaper)."""
    stub = contenders.get("bedrock-stub", {}).get(figure)
    found: dict[str, float | None] = {}
    for name, measured in contenders.items():
        if name == "bedrock-stub":
            continue
        theirs = measured.get(figure)
        found[name] = round(stub / theirs, 2) if stub and theirs and theirs > 0 else None
    return found


def _environment(folder: Path) -> dict[str, str]:
    # No AWS setting of the caller's: nothing a suite does can reach a real account.
    environment = {key: value for key, value in os.environ.items() if not key.startswith("AWS_")}
    environment.pop("PYTHONPATH", None)
    empty = str(folder / "no-aws-config")
    environment.update(
        {"AWS_CONFIG_FILE": empty, "AWS_SHARED_CREDENTIALS_FILE": empty, "AWS_EC2_METADATA_DISABLED": "true"}
    )
    return environment


def _run(python: Path, folder: Path, suite: Path, *, empty: bool) -> tuple[float, str]:
    """One pytest run of `suite` in its own folder: the wall time, and the JUnit XML (none for the empty run)."""
    report = folder / f"{suite.stem}.xml"
    command = [str(python), "-m", "pytest", "-q", "-p", "no:cacheprovider", str(suite.name)]
    command += ["-k", "no_test_has_this_name"] if empty else [f"--junitxml={report}"]
    started = time.perf_counter()
    done = subprocess.run(
        command, cwd=folder, env=_environment(folder), capture_output=True, text=True, timeout=SUITE_TIMEOUT
    )
    wall = time.perf_counter() - started
    # 5: every test deselected, as the empty run asks.
    if done.returncode not in ((5,) if empty else (0,)):
        tail = (done.stdout + done.stderr).strip().splitlines()[-5:]
        raise RuntimeError(f"{suite.name}: pytest exited {done.returncode}: " + " / ".join(tail))
    return wall, "" if empty else report.read_text(encoding="utf-8")


def measure(
    count: int = 100,
    rounds: int = 3,
    cache: Path = peers.CACHE,
    log: Callable[[str], object] = print,
) -> dict[str, Any]:
    """Every contender's suite of `count` tests, `rounds` times interleaved; figures per contender, and ratios."""
    tool = suites_tool()
    problem = peers.install(tool, cache, log)
    if problem is not None:
        return {"skipped": problem}
    python = tool.executable("python", cache)
    versions = _versions(python, folder=tool.folder(cache))
    reply = converse_reply()
    walls: dict[Contender, list[float]] = {name: [] for name in CONTENDERS}
    empty_walls: dict[Contender, list[float]] = {name: [] for name in CONTENDERS}
    durations: dict[Contender, list[float]] = {name: [] for name in CONTENDERS}
    failures: dict[Contender, str] = {}
    with tempfile.TemporaryDirectory(prefix="mirror-bench-fixture-") as scratch:
        folder = Path(scratch)
        # A configuration of its own, so that pytest does not take the project's.
        (folder / "pytest.ini").write_text("[pytest]\n", encoding="utf-8")
        suites = {}
        for name in CONTENDERS:
            suites[name] = folder / f"test_{name.replace('-', '_')}.py"
            suites[name].write_text(suite_source(name, count, reply), encoding="utf-8")
        for round_index in range(rounds):
            order = CONTENDERS if round_index % 2 == 0 else tuple(reversed(CONTENDERS))
            log(f"fixture suites, round {round_index + 1} of {rounds}: {', '.join(order)}")
            for name in order:
                if name in failures:
                    continue
                try:
                    empty_walls[name].append(_run(python, folder, suites[name], empty=True)[0])
                    wall, report = _run(python, folder, suites[name], empty=False)
                    durations[name] += per_test_durations(report)
                    walls[name].append(wall)
                except (RuntimeError, subprocess.TimeoutExpired, ElementTree.ParseError) as exc:
                    failures[name] = str(exc)
    contenders: dict[str, dict[str, Any]] = {}
    for name in CONTENDERS:
        if name in failures or not walls[name]:
            contenders[name] = {"unavailable": failures.get(name, "not measured")}
        else:
            contenders[name] = summarise(count, walls[name], empty_walls[name], durations[name])
    return {
        "tests": count,
        "rounds": rounds,
        "versions": versions,
        "contenders": contenders,
        "ratios": ratios(contenders),
        "pytest_ratios": ratios(contenders, "pytest_median_ms"),
    }


def _versions(python: Path, folder: Path) -> dict[str, str]:
    """The versions installed in the suites' virtualenv, of the packages the comparison is about."""
    names = ("bedrock-stub", "moto", "pytest-httpserver", "pytest", "boto3")
    script = "import importlib.metadata as m, sys\nfor n in sys.argv[1:]: print(n, m.version(n))"
    done = subprocess.run([str(python), "-c", script, *names], capture_output=True, text=True, timeout=60)
    return dict(line.split(" ", 1) for line in done.stdout.splitlines() if " " in line)


def verdicts(fixture: dict[str, Any]) -> list[dict[str, Any]]:
    target = f"a test's cost with the stub's pytest fixture ≤ {TARGET_RATIO:g} x {REFERENCE}'s"
    if "skipped" in fixture:
        return [{"target": target, "figure": fixture["skipped"], "met": None}]
    contenders = fixture["contenders"]
    ratio = fixture["ratios"].get(REFERENCE)
    if ratio is None:
        why = contenders.get(REFERENCE, {}).get("unavailable") or contenders["bedrock-stub"].get(
            "unavailable", "not measured"
        )
        return [{"target": target, "figure": why, "met": None}]
    stub, reference = contenders["bedrock-stub"], contenders[REFERENCE]
    detail = (
        f"{stub['per_test_ms']:.0f} ms a test against {reference['per_test_ms']:.0f} ms (suite minus empty suite, "
        f"{fixture['tests']} tests); pytest's median per test {stub['pytest_median_ms']:.0f} against "
        f"{reference['pytest_median_ms']:.0f} ms ({fixture['pytest_ratios'].get(REFERENCE)} x)"
    )
    if "per_test_ms" in contenders.get("moto", {}):
        detail += f"; moto's mock_aws {contenders['moto']['per_test_ms']:.0f} ms"
    return [{"target": target, "figure": ratio, "met": ratio <= TARGET_RATIO, "detail": detail}]


def markdown(fixture: dict[str, Any], level: str = "##") -> list[str]:
    lines = ["", f"{level} A test's cost with each way of faking Bedrock (pytest, medians)", ""]
    if "skipped" in fixture:
        return [*lines, f"skipped: {fixture['skipped']}"]
    lines += [
        f"{fixture['tests']} tests a suite, each creating its boto3 client and making one call; {fixture['rounds']} "
        "runs of each suite, interleaved. Per test: (suite wall - the same suite with every test deselected) / "
        "tests, which includes the fixture's one-time start; pytest's median: setup + call + teardown of one test. "
        "stub/x: the stub's cost over x's (under 1, the stub is cheaper).",
        "",
    ]
    calls = {"bedrock-stub": "Converse", "moto": "InvokeModel", "pytest-httpserver": "Converse"}
    return lines + tables.contenders(
        fixture,
        "contenders",
        ("Per test ms", "pytest's median ms", "Suite s", "Empty suite s"),
        lambda measured: (
            measured["per_test_ms"],
            measured["pytest_median_ms"],
            measured["suite_s"],
            measured["empty_suite_s"],
        ),
        kind="Fake",
        ratio_column="stub/x",
        about=("Call", lambda name: calls.get(name, "")),
    )
