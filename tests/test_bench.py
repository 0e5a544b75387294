"""The shipped benchmark runs end to end and writes its table and JSON. It asserts shape, never speed."""

from __future__ import annotations

import json
import re
import shutil
import sys
from types import SimpleNamespace

import pytest
from bedrock_stub import CONVERSE, CONVERSE_STREAM, INVOKE_MODEL, INVOKE_MODEL_STREAM

from bedrock_mirror.bench import peers, profiling, run
from bedrock_mirror.bench.compare import Contender, survey
from bedrock_mirror.bench.servers import ServerError
from bedrock_mirror.bench.shapes import PLAIN, SHAPES, STREAMED
from bedrock_mirror.registry import ROOT

needs_h2load = pytest.mark.skipif(shutil.which("h2load") is None, reason="h2load is not on PATH (nghttp2-client)")


def _options(**changes):
    options = dict(requests=20, rounds=1, stream_requests=2, peers=False)
    options.update(changes)
    return SimpleNamespace(**options)


@pytest.mark.end_to_end
def test_the_benchmark_runs_and_reports_every_part(tmp_path, monkeypatch):
    monkeypatch.setenv("MIRROR_OUT", str(tmp_path))
    data = run.main(
        ["--requests", "40", "--rounds", "1", "--stream-requests", "2", "--sample-runs", "1", "--suite-runs", "0"]
        + ["--only", "load,samples,suite"],
        log=lambda message: None,
    )
    written = json.loads((tmp_path / "bench.json").read_text())
    assert written["cores"]
    load = written["stub"]
    if shutil.which("h2load"):
        cells = {(row["operation"], row["protocol"], row["clients"]) for row in load["plain"]}
        assert cells == {
            (operation, protocol, clients)
            for operation in (INVOKE_MODEL, CONVERSE)
            for protocol in ("http/1.1", "h2c", "http/1.1 over TLS", "h2 over TLS")
            for clients in run.CONCURRENCY
        }
        for row in load["plain"]:
            assert row["servers"]["stub"]["requests_per_second"] > 0, row
            assert row["servers"]["bare"]["requests_per_second"] > 0, row
            assert row["ratios"]["bare"] > 0
    else:
        assert "nghttp2-client" in load["plain"]["skipped"]
    assert [row["operation"] for row in load["streams"]] == [INVOKE_MODEL_STREAM, CONVERSE_STREAM]
    for row in load["streams"]:
        stub = row["servers"]["stub"]
        assert stub["requests"] == 2 and 0 < stub["first_event_ms"] <= stub["last_event_ms"], row
    # Without --peers the peer target is listed, not measured, and not counted as met.
    peer_rows = [v for v in written["verdicts"] if "ministack" in v["target"]]
    assert peer_rows == [{"target": "stub ≥ 2 x ministack", "figure": "not measured: run with --peers", "met": None}]
    # Every sample is timed, each program (the samples one run command serves) once, in the registry's order.
    timed = [sample for timing in data["samples"] for sample in timing["samples"]]
    assert timed == [sample.id for language in run.registry.LANGUAGES for sample in language.samples]
    markdown = (tmp_path / "bench.md").read_text()
    assert "## Targets" in markdown and "Stub beside the bare app" in markdown and "| n/a |" in markdown


def test_shapes_cover_both_operation_families_plain_and_streamed():
    assert {shape.operation for shape in PLAIN} == {INVOKE_MODEL, CONVERSE}
    assert {shape.operation for shape in STREAMED} == {INVOKE_MODEL_STREAM, CONVERSE_STREAM}
    converse = next(shape for shape in PLAIN if shape.operation == CONVERSE)
    assert converse.path.endswith("/converse")
    assert json.loads(converse.body)["inferenceConfig"] == {"maxTokens": 512}
    assert converse.text_of({"output": {"message": {"content": [{"text": "a"}, {"text": "b"}]}}}) == "ab"


def _failing_peers(tmp_path):
    """A peer whose install fails (no index to install from) and one that installs but answers every POST 501."""
    cache = tmp_path / "cache"
    unreachable = peers.Peer(
        "ministack",
        "ministack==1.5.33",
        pip_options=("--no-index",),
        command=lambda folder, port: [sys.executable, "-c", "pass"],
    )
    not_bedrock = peers.Peer(
        "plain-http",
        "plain-http==0",
        command=lambda folder, port: [sys.executable, "-m", "http.server", "--bind", "127.0.0.1", str(port)],
    )
    not_bedrock.folder(cache).mkdir(parents=True)
    (not_bedrock.folder(cache) / peers.MARKER).write_text(not_bedrock.requirement + "\n")
    return cache, (unreachable, not_bedrock)


# It makes a virtualenv and measures a load: end-to-end.
@pytest.mark.end_to_end
@needs_h2load
def test_peers_that_fail_to_install_or_to_answer_are_reported_not_fatal(tmp_path, monkeypatch):
    cache, failing = _failing_peers(tmp_path)
    monkeypatch.setattr(peers, "CACHE", cache)
    monkeypatch.setattr(run, "PEERS", failing)
    monkeypatch.setattr(run, "CONCURRENCY", (1,))
    load = run.stub_load(_options(peers=True), tmp_path, log=lambda message: None)

    assert "did not install" in load["peers"]["ministack"]["problem"]
    assert load["servers"] == ["stub", "bare", "bare-raw", "plain-http"]
    cannot = load["peers"]["plain-http"]["cannot"]
    assert cannot[f"{INVOKE_MODEL} over http/1.1"].startswith(f"no {INVOKE_MODEL}: HTTP 501")
    for row in load["plain"]:
        assert row["servers"]["stub"]["requests_per_second"] > 0
        over_tls = row["protocol"].endswith("over TLS")
        assert ("not measured over TLS" if over_tls else "HTTP 501") in row["servers"]["plain-http"]["unavailable"]
        assert row["ratios"]["plain-http"] is None
    verdicts = run.load_verdicts(load)
    against_ministack = [v for v in verdicts if "ministack" in v["target"]]
    assert against_ministack and all(v["met"] is None for v in against_ministack)
    # The peers are not served over TLS: the HTTPS cells are the stub's beside bare's alone.
    assert not [v for v in against_ministack if "TLS" in v["target"]]
    assert [v for v in verdicts if v["target"].startswith("stub ≥ 0.8 x bare (") and "over TLS" in v["target"]]
    assert all("did not install" in v["figure"] for v in against_ministack)
    markdown = "\n".join(run.load_markdown(load))
    assert "plain-http cannot answer" in markdown and "did not install" in markdown


def test_a_peer_that_exits_at_start_is_reported(tmp_path):
    cache = tmp_path / "cache"
    peer = peers.Peer("quits", "quits==0", command=lambda folder, port: [sys.executable, "-c", "raise SystemExit(3)"])
    peer.folder(cache).mkdir(parents=True)
    (peer.folder(cache) / peers.MARKER).write_text(peer.requirement + "\n")
    server, problem = peers.prepare(peer, tmp_path, cache=cache, log=lambda message: None)
    assert server is None and "exited with status 3" in problem
    with pytest.raises(ServerError, match="exited with status 3"):
        peers.start(peer, tmp_path, cache=cache)


@pytest.mark.parametrize("peer", peers.PEERS, ids=lambda peer: peer.name)
def test_installed_peers_answer_what_the_report_says(peer, tmp_path):
    if not peers.installed(peer):
        pytest.skip(f"{peer.requirement} is not installed in {peer.folder()} (`nox -s bench -- --peers` installs it)")
    server = peers.start(peer, tmp_path)
    try:
        contender = Contender(peer.name, server)
        replies = survey(contender, SHAPES, h2c=shutil.which("h2load") is not None)
    finally:
        server.stop()
    if peer.name == "ministack":
        assert set(replies) == {shape.operation for shape in SHAPES}
        assert not contender.notes
    else:
        # moto serves InvokeModel with an empty JSON object, and no other Bedrock Runtime operation.
        assert set(replies) == {INVOKE_MODEL}
        assert contender.notes and "no text" in contender.notes[0]
        assert contender.cannot[(CONVERSE, "http/1.1")].startswith(f"no {CONVERSE}: HTTP 500")


RAW = "\n".join(
    [
        "<module> (stub/bedrock_stub/__init__.py:16);_find_and_load (<frozen importlib._bootstrap>:1176) 40",
        "run (/usr/lib/python3.11/asyncio/base_events.py:1);verify (/w/stub/bedrock_stub/sigv4.py:70);"
        "quote (/usr/lib/python3.11/urllib/parse.py:800) 30",
        "run (/usr/lib/python3.11/asyncio/base_events.py:1);handle (/v/hypercorn/protocol/h11.py:100);"
        "next_event (/v/h11/_connection.py:5) 20",
        "_handle (/w/stub/bedrock_stub/app.py:150);loads (/usr/lib/python3.11/json/__init__.py:346) 10",
        "run (/usr/lib/python3.11/asyncio/base_events.py:1);bounded (/w/stub/bedrock_stub/app.py:330);"
        "wait_for (/usr/lib/python3.11/asyncio/tasks.py:476) 5",
        "run (/usr/lib/python3.11/asyncio/base_events.py:1);"
        "_run_once (/usr/lib/python3.11/asyncio/base_events.py:1900) 5",
    ]
)


def test_the_profile_summary_sorts_samples_into_the_stubs_parts():
    summary = profiling.summarise(RAW, requests=100, rate=250)
    shares = {c["category"]: (c["samples"], c["share"]) for c in summary["categories"]}
    assert shares == {
        "SigV4 check": (30, 0.429),
        "HTTP/1.1 (h11, Hypercorn's h11 protocol)": (20, 0.286),
        "JSON (encode, decode)": (10, 0.143),
        # asyncio inside the app is the app's; only asyncio with nothing of ours above it is the event loop's.
        "ASGI app (routing, headers, body)": (5, 0.071),
        "event loop and sockets": (5, 0.071),
    }
    # 70 busy samples at 250 a second over 100 requests: 2.8 ms a request; start-up imports are left out.
    assert summary["samples"] == 70 and summary["busy_ms_per_request"] == 2.8
    assert [f["function"] for f in summary["stub_functions"]] == [
        "verify (bedrock_stub/sigv4.py)",
        "_handle (bedrock_stub/app.py)",
        "bounded (bedrock_stub/app.py)",
    ]


@needs_h2load
def test_the_profile_option_samples_a_loaded_stub(tmp_path):
    if not peers.installed(peers.PROFILER):
        pytest.skip(f"{peers.PROFILER.requirement} is not installed in {peers.PROFILER.folder()} (`--profile` does)")
    # Enough requests that every part gets sampled at 250 a second, however fast the stub becomes.
    profile = profiling.profile_stub(tmp_path, 600, log=lambda message: None)
    if "skipped" in profile and "ptrace" in profile["skipped"]:
        pytest.skip(profile["skipped"])
    assert list(profile["operations"]) == [shape.operation for shape in SHAPES], profile
    for shape in SHAPES:
        summary = profile["operations"][shape.operation]
        assert summary["requests"] == 1200 and summary["busy_ms_per_request"] > 0, summary
        assert summary["bare"]["requests"] == 1200 and summary["bare"]["busy_ms_per_request"] > 0, summary
        assert (tmp_path / f"bench-profile-stub-{shape.segment}.txt").exists()
        bare_parts = {c["category"] for c in summary["bare"]["categories"]}
        assert not bare_parts & {"SigV4 check", "journal", "ASGI app (routing, headers, body)"}, bare_parts
        parts = {c["category"] for c in summary["categories"]}
        assert {"ASGI app (routing, headers, body)", "HTTP/1.1 (h11, Hypercorn's h11 protocol)"} <= parts, parts


def test_the_speed_table_groups_each_targets_cells_and_says_what_was_not_measured(tmp_path):
    from bedrock_mirror.bench import speed

    verdicts = [
        {"target": "stub ≥ 0.8 x bare (InvokeModel, HTTP/1.1, 1 client)", "figure": 0.75, "met": False},
        {"target": "stub ≥ 0.8 x bare (Converse, h2c, 1 client)", "figure": 0.81, "met": True},
        {"target": "stub ≥ 2 x ministack", "figure": "--peers not given", "met": None},
        {"target": "sample ≤ max(1.3 x floor, floor + 10 ms) (go-stream)", "figure": "1.9 x floor", "met": False},
        {"target": "sample ≤ max(1.3 x floor, floor + 10 ms) (python)", "figure": "1.0 x floor", "met": True},
        {"target": "warm full nox < 30 s", "figure": 43.9, "met": False},
    ]
    path = speed.write({"cores": 2, "when": "today", "verdicts": verdicts}, tmp_path / "speed.json")
    table = speed.table(path).splitlines()
    assert table[0].startswith("Targets, and the figures of the last `nox -s bench` (today, 2 cores")
    why = f"[why]({speed.SPEED_DOC}#"
    assert table[4:] == [
        f"| stub ≥ 0.8 x bare | 0.75 to 0.81, met in 1 of 2 | **no** | {why}the-stub-beside-the-bare-app) |",
        "| stub ≥ 2 x ministack | not measured: --peers not given | not measured |  |",
        f"| sample ≤ max(1.3 x floor, floor + 10 ms) | met in 1 of 2, not met: go-stream | **no** | {why}"
        "examples-beside-their-floor) |",
        f"| warm full nox < 30 s | 43.9 | **no** | {why}the-whole-suite) |",
    ]


def _github_anchor(heading: str) -> str:
    """The anchor GitHub gives a markdown heading: lower case, punctuation dropped, spaces as hyphens."""
    text = re.sub(r"[^\w\- ]", "", heading.strip().lower())
    return text.replace(" ", "-")


def test_every_missed_target_in_the_readme_links_to_its_measured_reason():
    from bedrock_mirror.bench import speed

    doc = (ROOT / speed.SPEED_DOC).read_text(encoding="utf-8")
    anchors = {_github_anchor(line.lstrip("#")) for line in doc.splitlines() if line.startswith("#")}
    assert set(speed.WHY_SECTIONS.values()) <= anchors, set(speed.WHY_SECTIONS.values()) - anchors
    summary = json.loads(speed.SPEED_FILE.read_text(encoding="utf-8"))
    missed = [row["target"] for row in summary["rows"] if row["met"] is False]
    assert [target for target in missed if speed.why_section(target) is None] == []


def test_streamed_replies_are_held_to_their_own_targets_and_not_to_ministacks_throughput():
    stream_row = {
        "operation": "ConverseStream",
        "servers": {"stub": {}, "bare": {}, "ministack": {}},
        "first_ratios": {"bare": 0.79, "ministack": 3.0},
        "last_ratios": {"bare": 0.61, "ministack": 3.0},
    }
    verdicts = run.load_verdicts({"plain": [], "streams": [stream_row], "peers": {}})
    assert {verdict["target"]: verdict["met"] for verdict in verdicts} == {
        "streamed first event ≥ 0.8 x bare (ConverseStream)": False,
        "streamed last event ≥ 0.6 x bare (ConverseStream)": True,
    }


def test_the_readme_speed_table_is_the_last_bench_runs():
    from bedrock_mirror import readme_tables
    from bedrock_mirror.bench import speed

    readme = readme_tables.README.read_text(encoding="utf-8")
    assert speed.table() in readme


def test_the_ministack_target_says_how_far_the_bare_app_itself_gets_beside_ministack():
    def row(bare: float, ministack: float) -> dict:
        servers = {
            "stub": {"requests_per_second": bare * 0.7},
            "bare": {"requests_per_second": bare},
            "ministack": {"requests_per_second": ministack},
        }
        ratios = {"bare": 0.7, "ministack": bare * 0.7 / ministack}
        return {"operation": "Converse", "protocol": "h2c", "clients": 1, "servers": servers, "ratios": ratios}

    verdicts = run.load_verdicts({"plain": [row(1800.0, 1000.0), row(1500.0, 1000.0)], "streams": [], "peers": {}})
    details = [v["detail"] for v in verdicts if "ministack" in v["target"] and v.get("detail")]
    assert details == ["the bare app itself is 1.50 to 1.80 x ministack"]
