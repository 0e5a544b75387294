"""The bench's figures a test suite feels (fixture cost, start to first answer, memory), the Speed table's rows for
them and the bench's HTML page: computed from small synthetic inputs here; the real measurements are `nox -s bench`'s
(two end-to-end tests run each part once, tiny)."""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from bedrock_mirror.bench import fixture, run, speed, startup

JUNIT = """<?xml version="1.0" encoding="utf-8"?><testsuites><testsuite name="pytest" tests="3">
<testcase classname="test_x" name="test_converse[0]" time="0.250" />
<testcase classname="test_x" name="test_converse[1]" time="0.010" />
<testcase classname="test_x" name="test_converse[2]" time="0.012" />
</testsuite></testsuites>"""


def test_pytests_per_test_durations_are_read_from_its_junit_xml_and_a_failed_test_is_an_error():
    assert fixture.per_test_durations(JUNIT) == [0.25, 0.01, 0.012]
    failed = JUNIT.replace('time="0.010" />', 'time="0.010"><failure message="boom">trace</failure></testcase>')
    with pytest.raises(RuntimeError, match=r"test_converse\[1\]: failure: boom"):
        fixture.per_test_durations(failed)


def _fixture_part(contenders: dict[str, dict[str, object]]) -> dict[str, object]:
    return {
        "tests": 100,
        "rounds": 3,
        "versions": {"moto": "5.2.5", "pytest-httpserver": "1.2.1"},
        "contenders": contenders,
        "ratios": fixture.ratios(contenders),
        "pytest_ratios": fixture.ratios(contenders, "pytest_median_ms"),
    }


def test_a_fixtures_cost_per_test_is_the_suite_over_its_empty_run_and_the_stub_is_held_to_twice_the_reference():
    # 100 tests: 3.0 s against 1.0 s empty is 20 ms a test; pytest's median leaves out the 250 ms first test.
    stub = fixture.summarise(100, [3.1, 3.0, 2.9], [1.0, 1.1, 0.9], [0.25, 0.01, 0.012])
    assert stub["per_test_ms"] == 20.0 and stub["pytest_median_ms"] == 12.0
    reference = fixture.summarise(100, [2.0], [1.0], [0.008])
    moto = fixture.summarise(100, [41.0], [1.0], [0.4])
    contenders = {"bedrock-stub": stub, "moto": moto, "pytest-httpserver": reference}
    assert fixture.ratios(contenders) == {"moto": 0.05, "pytest-httpserver": 2.0}
    [verdict] = fixture.verdicts(_fixture_part(contenders))
    assert verdict["figure"] == 2.0 and verdict["met"] is True
    assert verdict["detail"] == (
        "20 ms a test against 10 ms (suite minus empty suite, 100 tests); pytest's median per test 12 against 8 ms "
        "(1.5 x); moto's mock_aws 400 ms"
    )
    contenders["bedrock-stub"] = fixture.summarise(100, [3.1], [1.0], [0.02])
    [verdict] = fixture.verdicts(_fixture_part(contenders))
    assert verdict["figure"] == 2.1 and verdict["met"] is False
    # A reference that could not run leaves the target unmeasured, saying why.
    contenders["pytest-httpserver"] = {"unavailable": "pytest exited 4"}
    [verdict] = fixture.verdicts(_fixture_part(contenders))
    assert verdict == {"target": verdict["target"], "figure": "pytest exited 4", "met": None}


def test_the_generated_suites_are_python_with_the_requested_count_and_the_replys_bytes():
    reply = b'{"output": {"message": {"content": [{"text": "hi \\u00e9"}]}}}'
    for name in fixture.CONTENDERS:
        source = fixture.suite_source(name, 7, reply)
        compile(source, f"test_{name}.py", "exec")
        assert "CASES = range(7)" in source
    assert repr(reply) in fixture.suite_source("pytest-httpserver", 1, reply)
    # The bench group is what the suites install, with the stub from this checkout.
    tool = fixture.suites_tool()
    assert {"moto==5.2.5", "pytest-httpserver==1.2.1"} <= set(tool.requirements)
    assert tool.requirements[-2:] == ("-e", str(fixture.ROOT / "stub"))


def test_start_times_are_medians_beside_the_stub_clis_and_its_target_is_half_a_second():
    times = {"bedrock-stub CLI": [0.4, 0.3, 0.6], "Stub() in process": [0.7, 0.5, 0.6], "moto": [1.2, 1.5, 0.9]}
    measured = startup.summarise_starts({**times, "ministack": []}, {"ministack": "exited with status 1"})
    assert measured["servers"]["bedrock-stub CLI"] == {"runs": 3, "median_s": 0.4, "min_s": 0.3, "max_s": 0.6}
    assert measured["servers"]["ministack"] == {"unavailable": "exited with status 1"}
    assert measured["ratios"] == {"moto": 3.0, "ministack": None}
    found = {verdict["target"]: (verdict["figure"], verdict["met"]) for verdict in startup.verdicts(measured)}
    assert found == {
        "start to first answer ≤ 0.5 s (bedrock-stub CLI)": (0.4, True),
        "start to first answer ≤ 0.5 s (Stub() in process)": (0.6, False),
    }
    lines = startup.markdown(measured, None)
    assert "| moto |  | 3 | 1.2 | 0.9 | 1.5 | 3.0 |" in lines
    assert "| ministack |  | — | — | — | — | exited with status 1 |" in lines
    lines = startup.markdown({**measured, "versions": {"moto": "moto[server]==5.2.5"}}, None)
    assert "| moto | moto[server]==5.2.5 | 3 | 1.2 | 0.9 | 1.5 | 3.0 |" in lines


def test_the_resident_memory_of_a_process_group_counts_its_children():
    child = "import subprocess, sys; subprocess.Popen([sys.executable, '-c', 'input()']); print(1, flush=True); input()"
    process = subprocess.Popen(
        [sys.executable, "-c", child], stdin=subprocess.PIPE, stdout=subprocess.PIPE, start_new_session=True
    )
    try:
        assert process.stdout is not None and process.stdout.readline().strip() == b"1"
        status = Path(f"/proc/{process.pid}/status").read_text().splitlines()
        alone = int(next(line for line in status if line.startswith("VmRSS:")).split()[1])
        assert startup.group_rss_kib(process.pid) > alone > 0
    finally:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait()


def test_only_selects_parts_and_refuses_unknown_ones(capsys):
    assert run._parts("memory, fixture") == ("fixture", "memory")
    with pytest.raises(SystemExit):
        run.main(["--only", "fixture,warp"])
    assert "choose from load, profile, samples, suite, fixture, startup, memory (not warp)" in capsys.readouterr().err


def _figures_run(when: str) -> dict[str, object]:
    fixture_figures = _fixture_part(
        {
            "bedrock-stub": fixture.summarise(100, [3.0], [1.0], [0.012]),
            "pytest-httpserver": fixture.summarise(100, [2.0], [1.0], [0.008]),
        }
    )
    starts = startup.summarise_starts({"bedrock-stub CLI": [0.4], "Stub() in process": [0.3], "moto": [1.2]}, {})
    data = {"cores": 2, "when": when, "fixture": fixture_figures, "startup": starts, "partial": True}
    data["parts"] = ["fixture", "startup"]
    data["verdicts"] = run.verdicts(data)
    return data


def test_a_run_of_some_parts_replaces_their_rows_and_keeps_the_rest_of_the_speed_file(tmp_path):
    path = tmp_path / "speed.json"
    old_rows = [
        {"target": "warm full nox < 30 s", "figure": "43.9", "met": False},
        {
            "target": "a test's cost with the stub's pytest fixture ≤ 2 x pytest-httpserver's",
            "figure": "old",
            "met": None,
        },
    ]
    path.write_text(json.dumps({"cores": 2, "when": "2026-11-25", "rows": old_rows}))
    speed.write(_figures_run("2026-12-03 12:00:00"), path)
    written = json.loads(path.read_text())
    assert written["when"] == "2026-11-25"
    assert [row["target"] for row in written["rows"]] == [
        "warm full nox < 30 s",
        "a test's cost with the stub's pytest fixture ≤ 2 x pytest-httpserver's",
        "start to first answer ≤ 0.5 s",
    ]
    assert written["rows"][0] == old_rows[0]
    assert written["rows"][1] == {
        "target": "a test's cost with the stub's pytest fixture ≤ 2 x pytest-httpserver's",
        "figure": "2, 20 ms a test against 10 ms (suite minus empty suite, 100 tests); pytest's median per test 12 "
        "against 8 ms (1.5 x) (bench of 2026-12-03: fixture, startup alone)",
        "met": True,
    }
    assert written["rows"][2]["figure"].startswith("0.3 to 0.4, met in 2 of 2")
    table = speed.figures_table(path)
    assert table.startswith("Measured by `nox -s bench` on 2026-12-03 (2 cores")
    assert "| bedrock-stub |  | Converse | 20.0 | 12.0 | 3.0 | 1.0 |  |" in table
    assert "| moto |  | 1 | 1.2 | 1.2 | 1.2 | 3.0 |" in table


needs_h2load = pytest.mark.skipif(shutil.which("h2load") is None, reason="h2load is not on PATH (nghttp2-client)")


@pytest.mark.end_to_end
@needs_h2load
def test_the_start_and_memory_parts_run_alone(tmp_path, monkeypatch):
    monkeypatch.setenv("MIRROR_OUT", str(tmp_path))
    data = run.main(["--only", "startup,memory", "--start-runs", "1", "--memory-requests", "50"], log=lambda _: None)
    assert data["parts"] == ["startup", "memory"] and "stub" not in data
    for name in startup.STUB_NAMES:
        assert data["startup"]["servers"][name]["median_s"] > 0, data["startup"]
    assert data["memory"]["servers"]["bedrock-stub CLI"]["answered"] == 50, data["memory"]
    assert "## Start to first answer" in (tmp_path / "bench.md").read_text()


@pytest.mark.end_to_end
def test_the_fixture_suites_run_and_pass(tmp_path, monkeypatch):
    monkeypatch.setenv("MIRROR_OUT", str(tmp_path))
    data = run.main(["--only", "fixture", "--fixture-tests", "2", "--fixture-rounds", "1"], log=lambda _: None)
    if "skipped" in data["fixture"]:
        pytest.skip(data["fixture"]["skipped"])
    for name in fixture.CONTENDERS:
        assert data["fixture"]["contenders"][name]["tests"] == 2, data["fixture"]


def synthetic_run() -> dict[str, object]:
    """A bench.json of every part, with known figures: one server unavailable on a cell, with markup in its reason."""
    plain = []
    for operation in ("InvokeModel", "Converse"):
        for protocol in ("http/1.1", "h2c"):
            for clients in (1, 16, 64):
                servers = {
                    "stub": {"requests_per_second": 2000.0 + clients, "p50_ms": 0.5, "p99_ms": 1.5},
                    "bare": {"requests_per_second": 2500.0, "p50_ms": 0.4, "p99_ms": 1.0},
                    "ministack": {"requests_per_second": 1000.0, "p50_ms": 1.0, "p99_ms": 3.0},
                }
                if protocol == "h2c":
                    servers["ministack"] = {"unavailable": "<script>alert(1)</script> no h2c"}
                ratios = {name: None for name in servers if name != "stub"}
                plain.append(
                    {"operation": operation, "protocol": protocol, "clients": clients, "requests": 2000}
                    | {"servers": servers, "ratios": ratios}
                )
    streams = [
        {
            "operation": operation,
            "protocol": "http/1.1",
            "servers": {
                "stub": {"first_event_ms": 2.0, "last_event_ms": 6.0},
                "bare": {"first_event_ms": 1.6, "last_event_ms": 2.4},
            },
            "first_ratios": {"bare": 0.8},
            "last_ratios": {"bare": 0.4},
        }
        for operation in ("InvokeModelWithResponseStream", "ConverseStream")
    ]
    data = _figures_run("2026-12-03 12:00:00")
    data["parts"] = ["load", "samples", "suite", "fixture", "startup", "memory"]
    data["stub"] = {"servers": ["stub", "bare", "ministack"], "plain": plain, "streams": streams, "peers": {}}
    data["samples"] = [
        {"language": "python", "runs": 5, "samples": ["python"], "sample_s": 0.21, "floor_s": 0.2, "overhead_ms": 2.0}
        | {"note": ""},
        {"language": "php", "runs": 0, "samples": ["php"], "sample_s": None, "floor_s": None, "overhead_ms": None}
        | {"note": "php is not installed"},
    ]
    data["suite"] = {
        "runs": 1,
        "wall_s": 40.0,
        "walls_s": [40.0],
        "exit_codes": [0],
        "jobs": 3,
        "phases_of_last_run": {
            "python": {"build": "cached", "run_s": 12.5, "cells": 20},
            "go": {"build": "cached", "run_s": 5.0, "cells": 10},
        },
        "stats_of_last_run": {},
        "efficiency": {"value": None, "skipped": "no floors"},
    }
    data["memory"] = {
        "requests": 10000,
        "servers": {
            "bedrock-stub CLI": {
                "requests": 10000,
                "answered": 10000,
                "start_mib": 45.0,
                "after_mib": 50.0,
                "growth_mib": 5.0,
            },
            "moto": {"unavailable": "moto did not answer"},
        },
        "ratios": {"moto": None},
    }
    data["verdicts"] = run.verdicts(data)
    return data


def test_the_page_draws_every_part_escaped_and_fetches_nothing(tmp_path):
    from bedrock_mirror.bench import page

    html = page.render(synthetic_run())
    # Four throughput and four latency charts (2 operations x 2 protocols), streams, fixture, start, memory,
    # samples, suite.
    assert html.count('<figure class="chart">') == 14
    assert "<script>" not in html and "&lt;script&gt;alert(1)&lt;/script&gt; no h2c" in html
    assert "http://" not in html.replace('xmlns="http://www.w3.org/2000/svg"', "")
    assert 'data-value="0.5"' in html  # the start-up target's line
    # A bar's length is its value on its chart's scale: stub 2,001 req/s against bare's 2,500 on the same chart.
    first_chart = html.split('<figure class="chart">')[1]
    widths = {
        series: float(first_chart.split(f'data-series="{series}"')[0].rsplit('width="', 1)[1].split('"')[0])
        for series in ("stub", "bare")
    }
    assert widths["stub"] / widths["bare"] == pytest.approx(2001 / 2500, rel=1e-3)
    assert page.write(synthetic_run(), tmp_path).read_text(encoding="utf-8") == page.render(synthetic_run())
