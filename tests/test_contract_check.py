"""`bedrock-stub check`: recordings of a stub with one field deliberately changed show that field and nothing else;
cassettes written by vcrpy itself are read and checked the same way."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from bedrock_stub import Stub, contract
from bedrock_stub.recordings import FORMAT
from botocore.exceptions import ClientError

from tests.helpers import HAIKU, bedrock_client
from tests.test_record_replay import UPSTREAM_KEYS, _converse_request, _messages, chain_keys  # noqa: F401

KNOWN_REPLY = "The upstream's own words, which the check must not compare."


def drive_plain(url: str) -> None:
    """The five operations, and a request Bedrock refuses (no max_tokens), through boto3."""
    client = bedrock_client(url)
    client.converse(**_converse_request("Converse, please."))
    list(client.converse_stream(**_converse_request("ConverseStream, please."))["stream"])
    client.invoke_model(modelId=HAIKU, body=_messages("InvokeModel, please.")).get("body").read()
    list(client.invoke_model_with_response_stream(modelId=HAIKU, body=_messages("A stream, please."))["body"])
    client.count_tokens(modelId=HAIKU, input={"invokeModel": {"body": _messages("Count me.").encode()}})
    refused = json.dumps({"anthropic_version": "bedrock-2023-05-31", "messages": [{"role": "user", "content": "x"}]})
    with pytest.raises(ClientError, match="required key \\[max_tokens\\] not found"):
        client.invoke_model(modelId=HAIKU, body=refused)


def record(folder: Path) -> None:
    with (
        Stub(reply=KNOWN_REPLY, credentials=UPSTREAM_KEYS) as upstream,
        Stub(upstream=upstream.url, record=folder) as recorder,
    ):
        drive_plain(recorder.url)


def test_recordings_of_the_stub_itself_match_it(tmp_path, chain_keys):  # noqa: F811
    folder = tmp_path / "recordings"
    record(folder)
    summary_file = tmp_path / "summary.md"
    result = subprocess.run(
        [sys.executable, "-m", "bedrock_stub", "check", str(folder), "--markdown", str(summary_file)],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "6 exchange(s) checked against the stub's own answers: 6 match, 0 differ." in result.stdout
    assert summary_file.read_text() == result.stdout
    assert result.stdout.count("| matches |") == 6


def test_a_deliberately_changed_field_is_reported_and_nothing_else(tmp_path, chain_keys, monkeypatch, capsys):  # noqa: F811
    import bedrock_stub.app as app

    original = app.converse_reply

    def without_total_tokens(*args, **kwargs):
        reply = original(*args, **kwargs)
        del reply["usage"]["totalTokens"]
        return reply

    monkeypatch.setattr(app, "converse_reply", without_total_tokens)
    folder = tmp_path / "recordings"
    record(folder)
    monkeypatch.undo()
    code = contract.main([str(folder)])
    summary = capsys.readouterr().out
    assert code == 1
    outcomes = contract.check(contract.collect(folder)[0])
    found = [(outcome.recording.operation, difference) for outcome in outcomes for difference in outcome.differences]
    assert found == [
        (
            "Converse",
            contract.Difference("usage fields", "`usage.totalTokens` is in the stub's answer, not in the recording"),
        )
    ]
    assert "- usage fields: `usage.totalTokens` is in the stub's answer, not in the recording" in summary


def test_a_changed_error_message_and_stream_event_are_reported(tmp_path, chain_keys):  # noqa: F811
    folder = tmp_path / "recordings"
    record(folder)
    refused = next(folder.glob("0006-*.json"))
    data = json.loads(refused.read_text())
    data["reply"]["body"]["message"] = "Something else entirely."
    refused.write_text(json.dumps(data))
    stream = next(folder.glob("0002-*.json"))
    data = json.loads(stream.read_text())
    metadata = next(event for event in data["reply"]["events"] if event["event"] == "metadata")
    metadata["payload"]["usage"]["cacheReadInputTokens"] = 0
    stream.write_text(json.dumps(data))
    outcomes = {outcome.recording.name: outcome.differences for outcome in contract.check(contract.collect(folder)[0])}
    assert outcomes[refused.name] == [
        contract.Difference(
            "error message",
            "recorded 'Something else entirely.', the stub said 'Malformed input request: #: required key "
            "[max_tokens] not found, please reformat your input and try again.'",
        )
    ]
    assert outcomes[stream.name] == [
        contract.Difference(
            "usage fields",
            "event metadata: `[].usage.cacheReadInputTokens` is in the recording, not in the stub's answer",
        )
    ]
    assert sum(map(len, outcomes.values())) == 2


def test_cassettes_written_by_vcrpy_are_checked(tmp_path):
    vcr = pytest.importorskip("vcr", reason="needs vcrpy (the test group of pyproject.toml pins it)")
    recorder = vcr.VCR(cassette_library_dir=str(tmp_path), filter_headers=["authorization"], record_mode="once")
    with Stub(reply=KNOWN_REPLY) as upstream, recorder.use_cassette("bedrock.yaml"):
        drive_plain(upstream.url)
    cassette = tmp_path / "bedrock.yaml"
    assert "AWS4-HMAC-SHA256" not in cassette.read_text()
    recordings, skipped = contract.collect(tmp_path)
    assert ([recording.operation for recording in recordings], skipped) == (
        ["Converse", "ConverseStream", "InvokeModel", "InvokeModelWithResponseStream", "CountTokens", "InvokeModel"],
        0,
    )
    assert all(not outcome.differences for outcome in contract.check(recordings))
    yaml = pytest.importorskip("yaml")
    data = yaml.safe_load(cassette.read_text())
    body = data["interactions"][5]["response"]["body"]
    body["string"] = body["string"].replace("required key [max_tokens] not found", "max_tokens is missing")
    cassette.write_text(yaml.safe_dump(data))
    differing = [outcome for outcome in contract.check(contract.collect(tmp_path)[0]) if outcome.differences]
    assert [(outcome.source, [d.aspect for d in outcome.differences]) for outcome in differing] == [
        ("bedrock.yaml #6", ["error message"])
    ]


@pytest.mark.parametrize(
    ("name", "content", "expected"),
    [
        ("c.yaml", "interactions: [", "not valid YAML"),
        ("c.yaml", "interactions: 3", "not a cassette (no list of interactions)"),
        (
            "c.yaml",
            "interactions:\n- request: {uri: 'https://x/model/m/invoke'}\n  response: {status: {code: 'x'}}",
            "interaction 1: status 'x' is not an HTTP status",
        ),
        ("r.json", json.dumps({"format": FORMAT, "operation": "Converse"}), "model_id is missing"),
        ("r.json", '{"format": "' + FORMAT + '", "reply": ', "not valid JSON"),
    ],
)
def test_check_refuses_a_bad_file_in_one_line(tmp_path, name, content, expected):
    (tmp_path / name).write_text(content)
    result = subprocess.run(
        [sys.executable, "-m", "bedrock_stub", "check", str(tmp_path)], capture_output=True, text=True, timeout=60
    )
    assert (result.returncode, result.stdout) == (2, "")
    assert result.stderr.startswith(f"error: {tmp_path / name}: ") and expected in result.stderr
    assert result.stderr.count("\n") == 1


def test_a_recorded_tool_call_is_checked_against_the_stubs_own(tmp_path, chain_keys):  # noqa: F811
    folder = tmp_path / "recordings"
    weather = {"name": "get_weather", "input": {"city": "Bergen"}}
    tools = {"tools": [{"toolSpec": {"name": "get_weather", "inputSchema": {"json": {"type": "object"}}}}]}
    with (
        Stub(credentials=UPSTREAM_KEYS) as upstream,
        Stub(upstream=upstream.url, record=folder) as recorder,
    ):
        upstream.add_rule(contains="weather", text="Looking.", tool_use=weather)
        client = bedrock_client(recorder.url)
        list(client.converse_stream(**_converse_request("The weather?"), toolConfig=tools)["stream"])
        client.converse(**_converse_request("The weather, once more?"), toolConfig=tools)
    outcomes = contract.check(contract.collect(folder)[0])
    assert [outcome.differences for outcome in outcomes] == [[], []]
    script = contract.script_of(outcomes[0].recording)
    assert (script.tool_name, json.loads("".join(script.tool_input)), "".join(script.text)) == (
        "get_weather",
        {"city": "Bergen"},
        "Looking.",
    )


def test_check_refuses_a_cassette_that_leads_out_of_the_folder(tmp_path):
    outside = tmp_path / "outside.yaml"
    outside.write_text("interactions: []\n")
    folder = tmp_path / "cassettes"
    folder.mkdir()
    (folder / "linked.yaml").symlink_to(outside)
    result = subprocess.run(
        [sys.executable, "-m", "bedrock_stub", "check", str(folder)], capture_output=True, text=True, timeout=60
    )
    assert (result.returncode, result.stdout) == (2, "")
    assert result.stderr == f"error: {folder / 'linked.yaml'}: refused: it leads outside {folder}\n"
