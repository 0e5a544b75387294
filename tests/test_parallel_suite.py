"""Runs on a pool of workers: each run's journal holds its own requests only, one run's failure stays its own,
MIRROR_JOBS=1 keeps the sequential order, and results come back in that order whatever finishes first."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
from dataclasses import replace

import pytest

from bedrock_mirror import pipeline, process, registry, schedule
from bedrock_mirror.bench import suite as whole_suite
from bedrock_mirror.results import FAILED, PASSED
from bedrock_mirror.scenarios import scenario
from bedrock_mirror.schedule import Suite, worker_count
from tests.helpers import fake_language, fake_sample, wait_until
from tests.test_harness_hostile import alive, marker

# A bound on what no test here comes near (a sample's timeout is half of it); a run that waits on another gives up
# after WAIT seconds.
LIMIT = 60.0
WAIT = 15.0
PLAIN = (scenario("plain"),)


def waiting_for(path: str) -> str:
    """Python lines that wait (bounded) until `path` exists."""
    return (
        f"deadline = time.monotonic() + {WAIT}\n"
        f"while not pathlib.Path({path!r}).exists():\n"
        "    if time.monotonic() > deadline:\n"
        f"        sys.exit('waited in vain for {path}')\n"
        "    time.sleep(0.02)\n"
    )


def calling_script(marker: str, *, wait_for: str | None = None) -> str:
    """A program that announces it started, optionally waits (bounded) until another has, then calls the stub with
    `marker` as its prompt and prints the reply."""
    wait = "" if wait_for is None else waiting_for(wait_for)
    return (
        "import boto3, json, pathlib, sys, time\n"
        f"pathlib.Path({marker + '.started'!r}).write_text('yes')\n"
        + wait
        + "body = {'anthropic_version': 'bedrock-2023-05-31', 'max_tokens': 512,"
        f" 'messages': [{{'role': 'user', 'content': {marker!r}}}]}}\n"
        "reply = boto3.client('bedrock-runtime').invoke_model(\n"
        "    modelId='anthropic.claude-3-haiku-20240307-v1:0', body=json.dumps(body))\n"
        "print(json.loads(reply['body'].read())['content'][0]['text'])\n"
    )


def language_of(folder, sources: dict[str, str], name: str = "fake"):
    samples = []
    for sample_id, source in sources.items():
        (folder / f"{sample_id}.py").write_text(source)
        samples.append(fake_sample((sys.executable, f"{sample_id}.py"), id=sample_id, source=f"{sample_id}.py"))
    return replace(fake_language(folder, samples=samples), name=name)


def suite(languages, *, jobs: int, scenarios=PLAIN, log=None) -> Suite:
    return Suite(
        list(languages),
        scenarios,
        run_id="r",
        required=(),
        log=log or (lambda line: None),
        reply="the suite's reply",
        jobs=jobs,
        timeout=LIMIT / 2,
    )


def test_two_runs_at_once_keep_their_journals_apart(tmp_path):
    # Each waits until the other has started: they can only pass by running at the same time.
    language = language_of(
        tmp_path,
        {
            "first": calling_script("first", wait_for="second.started"),
            "second": calling_script("second", wait_for="first.started"),
        },
    )
    results = suite([language], jobs=2).run()
    assert [result.status for result in results] == [PASSED, PASSED], [result.reason for result in results]
    for result, own, other in zip(results, ("first", "second"), ("second", "first"), strict=True):
        assert len(result.journal) == 1, f"{result.sample}'s journal holds {len(result.journal)} requests"
        body = result.journal[0]["body"]
        assert own in body and other not in body
        assert result.extracted_text == "the suite's reply"


def test_the_suite_counts_the_cpu_its_runs_used(tmp_path):
    # Each run spins for 0.3 s of CPU: the two together cannot have used less than most of that.
    spin = "import time\nend = time.process_time() + 0.3\nwhile time.process_time() < end:\n    pass\n"
    language = language_of(tmp_path, {"one": spin, "two": spin})
    run = suite([language], jobs=2)
    run.run()
    assert 0.5 <= run.stats.children_cpu_s < LIMIT, run.stats
    assert f"{run.stats.children_cpu_s:.1f} s of CPU" in run.stats.describe()


def test_a_failing_run_does_not_touch_the_one_beside_it(tmp_path):
    language = language_of(
        tmp_path,
        {
            "fails": "import sys\nprint('ERROR: broken on purpose')\nsys.exit(3)\n",
            "works": calling_script("works"),
        },
    )
    results = suite([language], jobs=2).run()
    by_id = {result.sample: result for result in results}
    assert by_id["fails"].status == FAILED and "exited with code 3" in by_id["fails"].reason
    assert by_id["works"].status == PASSED, by_id["works"].reason
    assert len(by_id["works"].journal) == 1 and not by_id["fails"].journal


def test_a_fault_of_the_harness_in_one_run_fails_that_run_only(tmp_path, monkeypatch):
    language = language_of(tmp_path, {"doomed": calling_script("doomed"), "fine": calling_script("fine")})
    real = pipeline.execute_run

    def execute(planned, **options):
        if planned.samples[0].id == "doomed":
            raise RuntimeError("planted fault")
        return real(planned, **options)

    monkeypatch.setattr(schedule, "execute_run", execute)
    logged: list[str] = []
    results = suite([language], jobs=2, log=logged.append).run()
    by_id = {result.sample: result for result in results}
    assert by_id["doomed"].status == FAILED and "planted fault" in by_id["doomed"].reason
    assert by_id["fine"].status == PASSED, by_id["fine"].reason
    assert any("planted fault" in line for line in logged)


def test_one_job_keeps_the_sequential_order(tmp_path):
    folders = [tmp_path / "one", tmp_path / "two"]
    for folder in folders:
        folder.mkdir()
    languages = [
        language_of(folders[0], {"a": calling_script("a"), "b": calling_script("b")}, name="one"),
        language_of(folders[1], {"c": calling_script("c")}, name="two"),
    ]
    logged: list[str] = []
    scenarios = (scenario("plain"), scenario("text-fidelity"))
    jobs = worker_count({schedule.JOBS_VARIABLE: "1"})
    results = suite(languages, jobs=jobs, scenarios=scenarios, log=logged.append).run()
    assert [(result.sample, result.scenario) for result in results] == [
        ("a", "plain"),
        ("b", "plain"),
        ("a", "text-fidelity"),
        ("b", "text-fidelity"),
        ("c", "plain"),
        ("c", "text-fidelity"),
    ]
    assert all(result.status == PASSED for result in results), [result.reason for result in results]
    runs = [line.split(":")[:2] for line in logged if line.endswith(".py")]
    assert runs == [
        ["one", " plain"],
        ["one", " plain"],
        ["one", " text-fidelity"],
        ["one", " text-fidelity"],
        ["two", " plain"],
        ["two", " text-fidelity"],
    ]


def test_results_keep_the_sequential_order_whatever_finishes_first(tmp_path):
    # The first sample waits until the suite has logged the second's run as ended: it can only finish last.
    ended = tmp_path / "quick.ended"
    language = language_of(
        tmp_path,
        {
            "slow": "import pathlib, sys, time\n" + waiting_for(str(ended)) + calling_script("slow"),
            "quick": calling_script("quick"),
        },
    )
    logged: list[str] = []

    def log(line: str) -> None:
        logged.append(line)
        if line.endswith("quick.py"):
            ended.write_text("yes")

    results = suite([language], jobs=2, log=log).run()
    assert [result.sample for result in results] == ["slow", "quick"]
    assert all(result.status == PASSED for result in results), [result.reason for result in results]
    finished = [line for line in logged if line.endswith(".py")]
    assert finished[0].endswith("quick.py") and finished[1].endswith("slow.py")


@pytest.mark.parametrize("value, count", [("1", 1), ("3", 3), (" 2 ", 2)])
def test_mirror_jobs_sets_the_workers(value, count):
    assert worker_count({schedule.JOBS_VARIABLE: value}) == count


def test_the_default_is_one_worker_a_core_and_one_more(monkeypatch):
    monkeypatch.setattr(schedule.os, "cpu_count", lambda: 5)
    assert worker_count({}) == 6


@pytest.mark.parametrize("value", ["0", "-2", "two", "1.5"])
def test_a_worker_count_that_is_not_one_or_more_is_refused(value):
    with pytest.raises(ValueError, match="MIRROR_JOBS"):
        worker_count({schedule.JOBS_VARIABLE: value})


def test_suite_efficiency_is_the_floors_of_the_runs_over_wall_time_and_cores(monkeypatch):
    monkeypatch.setattr(whole_suite, "run_counts", lambda languages: {"python": 40, "go": 30})
    phases = {
        "python": {"build": "cached", "run_s": 9.0, "cells": 44},
        "go": {"build": "cached", "run_s": 1.0, "cells": 31},
        "php": {"build": "skipped", "run_s": 0.0, "cells": 0},
    }
    measured = whole_suite.efficiency(phases, {"python": 0.25, "go": 0.02, "php": 0.1}, wall_s=10.0, cores=2)
    # (40 x 0.25 + 30 x 0.02) / (10 x 2) = 10.6 / 20
    assert measured["value"] == 0.53 and measured["floor_sum_s"] == 10.6
    assert "php" not in measured["runs"]
    [wall, efficiency] = whole_suite.verdicts({"wall_s": 10.0, "efficiency": measured})
    assert wall["met"] is True and efficiency["met"] is False
    unfloored = whole_suite.efficiency(phases, {"python": 0.25}, wall_s=10.0, cores=2)
    assert unfloored["value"] is None and unfloored["no_floor"] == ["go"]


def test_the_bench_table_shows_the_suite_beside_its_targets():
    measured = {
        "runs": {"go": 30},
        "floors_s": {"go": 0.5},
        "floor_sum_s": 15.0,
        "cores": 2,
        "value": 0.75,
        "no_floor": [],
    }
    suite_data = {
        "runs": 3,
        "wall_s": 10.0,
        "walls_s": [9.5, 10.0, 11.0],
        "exit_codes": [0, 0, 0],
        "jobs": 2,
        "phases_of_last_run": {"go": {"build": "cached", "run_s": 19.0, "cells": 31}},
        "stats_of_last_run": {
            "jobs": 2,
            "runs": 30,
            "wall_s": 10.0,
            "runs_s": 19.0,
            "harness_cpu_s": 0.5,
            "children_cpu_s": 17.5,
        },
        "efficiency": measured,
    }
    text = "\n".join(whole_suite.markdown(suite_data))
    assert "| go | cached | 19.0 | 31 | 30 | 0.5 |" in text
    assert "= **0.75**" in text and "workers busy 95%" in text and "5% of one core" in text
    # 17.5 s of the runs' CPU and 0.5 s of the harness's, shared by 2 cores: 9 s at the least.
    assert "no schedule finishes in under **9.0 s**" in text
    verdicts = {verdict["target"]: verdict for verdict in whole_suite.verdicts(suite_data)}
    assert {target: verdict["met"] for target, verdict in verdicts.items()} == {
        "warm full nox < 30 s": True,
        "suite efficiency ≥ 0.7": True,
    }
    # The same bound is the warm run's measured reason, carried to the README's row.
    assert "no schedule on 2 cores finishes that in under 9.0 s" in verdicts["warm full nox < 30 s"]["detail"]


def test_plain_nox_runs_every_language_in_one_parallel_session_and_each_language_keeps_its_own():
    def listed(*arguments: str) -> list[str]:
        found = subprocess.run(
            [sys.executable, "-m", "nox", "-l", "--json", *arguments],
            cwd=registry.ROOT,
            capture_output=True,
            text=True,
            timeout=LIMIT,
        )
        assert found.returncode == 0, found.stderr
        return [session["name"] for session in json.loads(found.stdout)]

    assert listed() == ["all"]
    assert listed("-s", *registry.language_names()) == registry.language_names()


# --- process watching with runs side by side ---


def test_runs_started_side_by_side_never_take_each_other_for_leftovers(tmp_path):
    """A run starting while another is watched is, until it execs, a token-less child of the harness: it must not
    be killed as the other's orphan."""
    outcomes: list[process.ProcessResult] = []

    def runs() -> None:
        for _ in range(25):
            outcomes.append(process.run_process(["sh", "-c", "echo ok"], cwd=tmp_path, env=os.environ, timeout=10))

    threads = [threading.Thread(target=runs) for _ in range(3)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(LIMIT)
    assert not any(thread.is_alive() for thread in threads), "a run never ended"
    assert len(outcomes) == 75
    assert [(each.exit_code, each.stdout, each.leftover_processes) for each in outcomes] == [(0, "ok\n", 0)] * 75


def test_a_helper_the_harness_starts_during_a_run_is_not_the_runs(tmp_path):
    """Such as `go version -m`, run to read a build's SDK version while another run is in progress."""
    done: list[process.ProcessResult] = []
    started, go_on = tmp_path / "started", tmp_path / "go-on"
    # The run says it has started, then ends only once the helper is running.
    command = f"touch {started}; until [ -e {go_on} ]; do sleep 0.01; done; echo ok"
    run = threading.Thread(
        target=lambda: done.append(
            process.run_process(["sh", "-c", command], cwd=tmp_path, env=os.environ, timeout=LIMIT / 2)
        )
    )
    run.start()
    assert wait_until(started.exists, LIMIT), "the run never started"
    helper = subprocess.Popen(["sleep", str(LIMIT)])
    try:
        go_on.touch()
        run.join(LIMIT)
        assert helper.poll() is None, "the helper was killed"
    finally:
        helper.kill()
        helper.wait()
    assert done and done[0].leftover_processes == 0 and done[0].stdout == "ok\n"


def test_a_daemon_without_environment_is_killed_and_blamed_on_its_own_run_among_parallel_runs(tmp_path):
    """Two jobs, three runs: one sample starts a `setsid` daemon that empties its environment and execs sleep, then
    exits while a neighbour runs; the daemon is killed, that run fails naming it, the neighbours pass."""
    stray = marker()
    # It answers as the others do, then starts the daemon and exits at once: the daemon is never seen under it.
    daemon = calling_script("daemon", wait_for="one.started") + (
        f"subprocess.Popen(['setsid', 'sh', '-c', 'exec env -i sleep {stray}'], stdin=subprocess.DEVNULL,"
        " stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)\n"
        "sys.stdout.flush()\n"
        "os._exit(0)\n"
    )
    daemon = "import os, subprocess\n" + daemon
    language = language_of(
        tmp_path,
        # One is still running when the daemon's run has ended: it waits until two has the worker that run freed.
        {"daemon": daemon, "one": calling_script("one", wait_for="two.started"), "two": calling_script("two")},
    )
    try:
        results = suite([language], jobs=2).run()
        survivors = alive(stray)
    finally:
        for pid in alive(stray):
            os.kill(pid, 9)
    by_id = {result.sample: result for result in results}
    assert not survivors, "the daemon outlived the suite"
    assert by_id["daemon"].status == FAILED and "left 1 process(es)" in by_id["daemon"].reason
    assert "sleep" in by_id["daemon"].reason or "setsid" in by_id["daemon"].reason
    assert by_id["one"].status == PASSED, by_id["one"].reason
    assert by_id["two"].status == PASSED, by_id["two"].reason
