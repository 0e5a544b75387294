"""Record and replay: a stub plays the upstream, a recording stub sits in front of it, a replaying stub answers
the same calls from the recordings alone once the upstream is gone. Everything runs on 127.0.0.1."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from bedrock_stub import Credentials, Stub
from bedrock_stub.recordings import MatchRule, RecordingError, load_directory, read_recording
from bedrock_stub.relay import Relay
from bedrock_stub.upstream import Upstream
from botocore.exceptions import ClientError, EventStreamError

from tests.helpers import HAIKU, bedrock_client
from tests.test_real_clients import js_client, run_js  # noqa: F401  (js_client is a fixture)

UPSTREAM_KEYS = Credentials(
    "AKIAUPSTREAMEXAMPLE1", "upstream/Secret+Key0123456789abcdefEXAMPLE", "upstream-session-tok3n"
)
KNOWN_REPLY = "Recorded answers replay the same, word for word."
ACCOUNT_ARN = "arn:aws:iam::123456789012:role/recorder"


def _messages(text: str) -> str:
    return json.dumps(
        {
            "anthropic_version": "bedrock-2023-05-31",
            "max_tokens": 256,
            "messages": [{"role": "user", "content": [{"type": "text", "text": text}]}],
        }
    )


def _converse_request(text: str) -> dict[str, Any]:
    return {"modelId": HAIKU, "messages": [{"role": "user", "content": [{"text": text}]}]}


def _metadata(reply: dict[str, Any]) -> dict[str, Any]:
    meta = reply.pop("ResponseMetadata")
    return {"status": meta["HTTPStatusCode"], "request_id": meta["RequestId"]}


def _error(exc: ClientError) -> dict[str, Any]:
    return {"error": exc.response["Error"]["Code"], "message": exc.response["Error"]["Message"]}


def drive(url: str) -> dict[str, Any]:
    """Every call of the scenario through boto3, as the caller sees each result once parsed."""
    client = bedrock_client(url)
    results: dict[str, Any] = {}
    reply = client.converse(**_converse_request("Converse, please."))
    results["converse"] = [_metadata(reply), reply]
    reply = client.converse_stream(**_converse_request("ConverseStream, please."))
    results["converse_stream"] = [_metadata(reply), list(reply["stream"])]
    reply = client.invoke_model(modelId=HAIKU, body=_messages(f"InvokeModel for {ACCOUNT_ARN}, please."))
    results["invoke"] = [_metadata(reply), json.loads(reply["body"].read()), reply["contentType"]]
    reply = client.invoke_model_with_response_stream(modelId=HAIKU, body=_messages("A stream, please."))
    results["invoke_stream"] = [_metadata(reply), [json.loads(e["chunk"]["bytes"]) for e in reply["body"]]]
    reply = client.count_tokens(modelId=HAIKU, input={"invokeModel": {"body": _messages("Count me.").encode()}})
    results["count_tokens"] = [_metadata(reply), reply]
    try:
        client.invoke_model(modelId=HAIKU, body=_messages("This one is throttled."))
        results["error"] = "no error"
    except ClientError as exc:
        results["error"] = _error(exc)
    reply = client.converse_stream(**_converse_request("This stream breaks."))
    events: list[Any] = []
    try:
        events.extend(reply["stream"])
    except EventStreamError as exc:
        events.append(_error(exc))
    results["broken_stream"] = [_metadata(reply), events]
    return results


@pytest.fixture
def upstream():
    running = Stub(reply=KNOWN_REPLY, credentials=UPSTREAM_KEYS).start()
    running.add_rule(contains="throttled", error="ThrottlingException", message="Slow down, recorder.")
    running.add_rule(
        contains="breaks", error="ModelStreamErrorException", message="The stream broke.", operation="ConverseStream"
    )
    yield running
    if running._thread is not None:
        running.stop()


@pytest.fixture
def chain_keys(monkeypatch, tmp_path):
    """The recorder's botocore credential chain finds the upstream's keys in the environment."""
    for name in ("AWS_PROFILE", "AWS_BEARER_TOKEN_BEDROCK"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("AWS_CONFIG_FILE", str(tmp_path / "none"))
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(tmp_path / "none"))
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", UPSTREAM_KEYS.access_key_id)
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", UPSTREAM_KEYS.secret_access_key)
    monkeypatch.setenv("AWS_SESSION_TOKEN", UPSTREAM_KEYS.session_token or "")
    monkeypatch.setenv("AWS_EC2_METADATA_DISABLED", "true")


@pytest.fixture
def recorded(upstream, chain_keys, tmp_path) -> tuple[Path, dict[str, Any]]:
    """The scenario recorded through a recording stub; the upstream is stopped afterwards."""
    folder = tmp_path / "recordings"
    with Stub(upstream=upstream.url, record=folder) as recorder:
        results = drive(recorder.url)
        journal = recorder.journal.entries()
    upstream.stop()
    assert [entry.recording for entry in journal] == sorted(path.name for path in folder.iterdir())
    # The upstream saw every request, signed with its own keys (the recorder re-signed them).
    assert len(upstream.journal.entries()) == 7
    assert {entry.signature for entry in upstream.journal.entries()} == {"valid"}
    return folder, results


def test_the_recorder_passes_real_answers_through(recorded):
    _, results = recorded
    assert results["converse"][1]["output"]["message"]["content"] == [{"text": KNOWN_REPLY}]
    assert results["invoke"][1]["content"][0]["text"] == KNOWN_REPLY
    assert results["error"] == {"error": "ThrottlingException", "message": "Slow down, recorder."}
    assert results["broken_stream"][1][-1] == {"error": "modelStreamErrorException", "message": "The stream broke."}


def test_a_replaying_stub_answers_the_same_calls_alike(recorded):
    folder, results = recorded
    with Stub(replay=folder) as replayer:
        replayed = drive(replayer.url)
        journal = replayer.journal.entries()
    assert replayed == results
    # Each answer came from a recording; the journal says which.
    assert all(entry.recording and entry.recording.endswith(".json") for entry in journal)
    assert [entry.operation for entry in journal] == [
        json.loads((folder / e.recording).read_text())["operation"] for e in journal
    ]


def test_a_recording_reads_like_an_answer(recorded):
    folder, _ = recorded
    files = sorted(folder.iterdir())
    assert [path.name.split("-", 1)[1] for path in files] == [
        f"{operation}-anthropic.claude-3-haiku-20240307-v1_0.json"
        for operation in (
            "Converse",
            "ConverseStream",
            "InvokeModel",
            "InvokeModelWithResponseStream",
            "CountTokens",
            "InvokeModel",
            "ConverseStream",
        )
    ]
    stream = json.loads(files[3].read_text())
    assert stream["request"]["body"]["messages"][0]["content"][0]["text"] == "A stream, please."
    events = stream["reply"]["events"]
    assert [event["payload"]["type"] for event in events][:2] == ["message_start", "content_block_start"]
    assert all(event["event"] == "chunk" and event["at_ms"] >= 0 for event in events)
    assert all("p" not in event["payload"] for event in events)
    broken = json.loads(files[6].read_text())["reply"]["events"]
    assert broken[-1] == {
        "at_ms": broken[-1]["at_ms"],
        "exception": "modelStreamErrorException",
        "payload": {"message": "The stream broke.", "originalStatusCode": 500, "originalMessage": "The stream broke."},
    }
    error = json.loads(files[5].read_text())["reply"]
    assert (error["status"], error["headers"]["x-amzn-errortype"]) == (429, "ThrottlingException")


def test_no_secret_reaches_a_recording(recorded):
    folder, _ = recorded
    text = "\n".join(path.read_text() for path in folder.iterdir()).lower()
    for secret in (
        UPSTREAM_KEYS.secret_access_key,
        UPSTREAM_KEYS.session_token,
        UPSTREAM_KEYS.access_key_id,
        "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY",
        "authorization",
        "signature",
        "x-amz-security-token",
        "123456789012",
    ):
        assert secret.lower() not in text
    # The ARN stays readable, its account masked.
    assert "arn:aws:iam::000000000000:role/recorder" in text


def test_an_unmatched_request_names_the_closest_recording(recorded):
    folder, _ = recorded
    with Stub(replay=folder) as replayer, pytest.raises(ClientError) as raised:
        bedrock_client(replayer.url).converse(**_converse_request("Converse, pretty please."))
    error = _error(raised.value)
    assert error["error"] == "ValidationException"
    assert error["message"] == (
        f"No recording matches this request (Converse {HAIKU}). Closest: 0001-Converse-"
        "anthropic.claude-3-haiku-20240307-v1_0.json; it differs in body.messages[0].content[0].text: "
        'recorded "Converse, please.", asked "Converse, pretty please.".'
    )


def test_matching_can_leave_the_body_out(recorded):
    folder, _ = recorded
    with Stub(replay=folder, match=MatchRule.parse("operation,model")) as replayer:
        reply = bedrock_client(replayer.url).converse(**_converse_request("Anything at all"))
    assert reply["output"]["message"]["content"] == [{"text": KNOWN_REPLY}]


def test_record_on_miss_records_what_is_missing(tmp_path, chain_keys):
    folder = tmp_path / "recordings"
    folder.mkdir()
    with Stub(reply=KNOWN_REPLY, credentials=UPSTREAM_KEYS) as upstream:
        with Stub(replay=folder, upstream=upstream.url, record_on_miss=True) as replayer:
            client = bedrock_client(replayer.url)
            first = client.converse(**_converse_request("Once"))
            second = client.converse(**_converse_request("Once"))
        assert len(upstream.journal.entries()) == 1
    assert first["output"] == second["output"]
    assert [path.name for path in folder.iterdir()] == ["0001-Converse-anthropic.claude-3-haiku-20240307-v1_0.json"]


def test_recording_needs_an_upstream_written_out(tmp_path):
    with pytest.raises(ValueError, match="needs an upstream URL: there is none by default"):
        Stub(record=tmp_path)


# Hostile recordings: each refused with one line naming the file, nothing written outside the folder.


def _valid(folder: Path) -> dict[str, Any]:
    return {
        "format": "bedrock-stub/recording-v1",
        "operation": "InvokeModel",
        "model_id": HAIKU,
        "request": {"method": "POST", "path": "/model/x/invoke", "headers": {}, "body": {}},
        "reply": {"status": 200, "headers": {}, "elapsed_ms": 1, "body": {}},
    }


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        (
            '{"format": "bedrock-stub/recording-v1", "operation": "Conv',
            "not valid JSON (line 1 column 54: Unterminated string",
        ),
        (
            json.dumps({**_valid(Path()), "reply": {"status": "200", "headers": {}, "elapsed_ms": 1, "body": {}}}),
            "reply.status must be a whole number, not a string",
        ),
        (
            json.dumps({**_valid(Path()), "reply": {"status": 200, "headers": {"a": 1}, "elapsed_ms": 1, "body": {}}}),
            "reply.headers.a must be a string, not a number",
        ),
        (json.dumps({**_valid(Path()), "operation": "../../etc/passwd"}), "operation '../../etc/passwd' is not one of"),
        (json.dumps([1, 2]), "a recording must be a JSON object, not a list"),
        (json.dumps({**_valid(Path()), "operation": "ApplyGuardrail"}), "guardrail is missing"),
        (
            json.dumps(
                {**_valid(Path()), "operation": "ApplyGuardrail", "guardrail": {"identifier": "g", "version": ""}}
            ),
            "guardrail.version 1 to 64",
        ),
        (
            json.dumps(
                {**_valid(Path()), "operation": "ApplyGuardrail", "guardrail": {"identifier": "g", "version": "1"}}
            ),
            "request.path '/model/x/invoke' is not the path of ApplyGuardrail on a guardrail",
        ),
        ("[" * 100_000, "not valid JSON"),
        (b"\xff\xfe", "not UTF-8 text"),
    ],
)
def test_a_hostile_recording_is_refused_in_one_line(tmp_path, content, expected):
    path = tmp_path / "0001-x.json"
    path.write_bytes(content if isinstance(content, bytes) else content.encode())
    with pytest.raises(RecordingError) as raised:
        Stub(replay=tmp_path)
    message = str(raised.value)
    assert message.startswith(f"{path}: ") and expected in message and "\n" not in message


def test_a_huge_recording_is_refused_unread(tmp_path, monkeypatch):
    import bedrock_stub.recordings as recordings

    path = tmp_path / "0001-huge.json"
    with path.open("wb") as handle:
        handle.truncate(recordings.MAX_RECORDING_BYTES + 1)
    with pytest.raises(RecordingError, match=r"refused: 67108865 bytes, more than a recording may hold"):
        load_directory(tmp_path)


def test_a_link_out_of_the_folder_is_refused(tmp_path):
    outside = tmp_path / "outside.json"
    outside.write_text(json.dumps(_valid(tmp_path)))
    folder = tmp_path / "recordings"
    folder.mkdir()
    (folder / "0001-InvokeModel-x.json").symlink_to(outside)
    with pytest.raises(RecordingError, match="refused: it leads outside"):
        load_directory(folder)
    assert read_recording(outside).operation == "InvokeModel"


def test_recorded_names_cannot_leave_the_folder(tmp_path, chain_keys):
    folder = tmp_path / "deep" / "recordings"
    hostile = "../../../escaped/anthropic.claude-3-haiku-20240307-v1:0"
    with (
        Stub(reply=KNOWN_REPLY, credentials=UPSTREAM_KEYS) as upstream,
        Stub(upstream=upstream.url, record=folder) as recorder,
        pytest.raises(ClientError),
    ):
        bedrock_client(recorder.url).converse(**{**_converse_request("x"), "modelId": hostile})
    written = [path.relative_to(tmp_path) for path in tmp_path.rglob("*") if path.is_file()]
    assert [str(path.parent) for path in written] == ["deep/recordings"]
    assert ".." not in written[0].name and "/" not in written[0].name


def test_a_stream_passes_through_event_by_event(tmp_path, chain_keys):
    """The upstream replays a stream whose last event comes two seconds after the first: the client must hold the
    first event while the recorder is still waiting for the rest (nothing is written until the stream ends)."""
    paced = tmp_path / "paced"
    paced.mkdir()
    events = [
        {"at_ms": 0, "event": "messageStart", "payload": {"role": "assistant"}},
        {"at_ms": 0, "event": "contentBlockDelta", "payload": {"contentBlockIndex": 0, "delta": {"text": "Hi"}}},
        {"at_ms": 2000, "event": "contentBlockStop", "payload": {"contentBlockIndex": 0}},
        {"at_ms": 2000, "event": "messageStop", "payload": {"stopReason": "end_turn"}},
    ]
    recording = {
        "format": "bedrock-stub/recording-v1",
        "operation": "ConverseStream",
        "model_id": HAIKU,
        "request": {
            "method": "POST",
            "path": "/model/anthropic.claude-3-haiku-20240307-v1%3A0/converse-stream",
            "headers": {},
            "body": {"messages": [{"role": "user", "content": [{"text": "Slowly"}]}]},
        },
        "reply": {
            "status": 200,
            "headers": {"content-type": "application/vnd.amazon.eventstream"},
            "elapsed_ms": 2000,
            "events": events,
        },
    }
    (paced / "0001-ConverseStream-paced.json").write_text(json.dumps(recording))
    folder = tmp_path / "recordings"
    with (
        Stub(replay=paced, replay_timing=True, credentials=UPSTREAM_KEYS) as upstream,
        Stub(upstream=upstream.url, record=folder) as recorder,
    ):
        stream = bedrock_client(recorder.url).converse_stream(**_converse_request("Slowly"))["stream"]
        first = next(iter(stream))
        written_at_first_event = list(folder.iterdir())
        rest = list(stream)
    assert first == {"messageStart": {"role": "assistant"}}
    assert written_at_first_event == []
    assert [next(iter(event)) for event in rest] == ["contentBlockDelta", "contentBlockStop", "messageStop"]
    recorded = json.loads(next(folder.iterdir()).read_text())["reply"]["events"]
    assert recorded[-1]["at_ms"] >= 2000


# The AWS SDK for JavaScript v3, over HTTP/2, records and replays too.


def test_javascript_sdk_over_http2_records_and_replays(tmp_path, chain_keys, js_client):  # noqa: F811
    folder = tmp_path / "recordings"
    with Stub(reply=KNOWN_REPLY, credentials=UPSTREAM_KEYS) as upstream:
        upstream.add_rule(contains="breaks", error="ModelStreamErrorException", message="The stream broke.")
        with Stub(upstream=upstream.url, record=folder) as recorder:
            recorded = [run_js(js_client, recorder, operation, prompt) for operation, prompt in JS_CALLS]
            versions = {entry.http_version for entry in recorder.journal.entries()}
    with Stub(replay=folder) as replayer:
        replayed = [run_js(js_client, replayer, operation, prompt) for operation, prompt in JS_CALLS]
        recordings = [entry.recording for entry in replayer.journal.entries()]
    assert versions == {"2"}
    assert recorded[0]["content"] == [{"text": KNOWN_REPLY}]
    assert recorded[2] == {"error": "ModelStreamErrorException", "message": "The stream broke."}
    assert replayed == recorded
    assert recordings == sorted(path.name for path in folder.iterdir())


JS_CALLS = (("converse", "Hello from JavaScript"), ("stream", "Stream to JavaScript"), ("stream", "It breaks"))


# The command line


def _command(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "bedrock_stub", *args], capture_output=True, text=True, timeout=60, env=env
    )


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (["--record", "DIR"], "error: recording needs an upstream URL: there is none by default\n"),
        (["--upstream", "http://127.0.0.1:1"], "error: an upstream is used only to record: give a folder"),
        (["--replay", "DIR", "--record-on-miss"], "error: record-on-miss needs an upstream URL"),
        (["--replay", "DIR", "--match", "operation,colour"], "error: cannot match on colour; choose from"),
        (["--upstream", "ftp://x", "--record", "DIR"], "error: 'ftp://x' is not an http:// or https:// URL"),
    ],
)
def test_the_command_refuses_options_that_do_not_fit(tmp_path, args, expected):
    args = [str(tmp_path) if arg == "DIR" else arg for arg in args]
    result = _command(*args)
    assert (result.returncode, result.stdout) == (2, "")
    assert result.stderr.startswith(expected) and result.stderr.count("\n") == 1


def test_the_command_refuses_a_truncated_recording_in_one_line(tmp_path):
    (tmp_path / "0001-Converse-x.json").write_text('{"format": "bedrock-stub/recording-v1", "reply": {')
    result = _command("--replay", str(tmp_path))
    assert result.returncode == 2
    where = f"{tmp_path}/0001-Converse-x.json"
    assert (
        result.stderr
        == f"error: {where}: not valid JSON (line 1 column 51: Expecting property name enclosed in double quotes)\n"
    )


def test_the_command_replays_and_warns_before_calling_an_upstream(recorded, tmp_path):
    folder, results = recorded
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "bedrock_stub",
            "--replay",
            str(folder),
            "--upstream",
            "http://127.0.0.1:9",
            "--record-on-miss",
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        url = process.stdout.readline().strip()
        reply = bedrock_client(url).converse(**_converse_request("Converse, please."))
        assert reply["output"] == results["converse"][1]["output"]
    finally:
        process.send_signal(signal.SIGTERM)
        _, stderr = process.communicate(timeout=15)
    assert process.returncode == 0
    assert stderr.startswith("warning: requests are sent to http://127.0.0.1:9; against real Bedrock this calls a real")


# The pytest fixture's modes, run in a pytest of their own


FIXTURE_TESTS = """
import os

import boto3


def ask(text):
    client = boto3.client("bedrock-runtime")
    reply = client.converse(
        modelId="anthropic.claude-3-haiku-20240307-v1:0", messages=[{"role": "user", "content": [{"text": text}]}]
    )
    return reply["output"]["message"]["content"][0]["text"]


def test_first(bedrock_stub):
    assert ask(os.environ["PROMPT"]) == os.environ["EXPECTED"]
    assert bedrock_stub.requests[-1].recording.startswith("0001-Converse-")


def test_second(bedrock_stub):
    assert ask("Second test") == os.environ["EXPECTED"]
"""


def _pytest(folder: Path, *args: str, prompt: str = "First test", expected: str = KNOWN_REPLY):
    env = {
        "PATH": os.environ["PATH"],
        "HOME": str(folder),
        "PROMPT": prompt,
        "EXPECTED": expected,
        "AWS_CONFIG_FILE": str(folder / "none"),
        "AWS_SHARED_CREDENTIALS_FILE": str(folder / "none"),
        # What botocore's chain finds for the upstream; the fixture hides it from each test.
        "AWS_ACCESS_KEY_ID": UPSTREAM_KEYS.access_key_id,
        "AWS_SECRET_ACCESS_KEY": UPSTREAM_KEYS.secret_access_key,
        "AWS_SESSION_TOKEN": UPSTREAM_KEYS.session_token or "",
    }
    return subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "test_calls.py", *args],
        cwd=folder,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_the_fixture_records_a_folder_per_test_and_replays_it(tmp_path):
    project = tmp_path / "project"
    project.mkdir()
    (project / "test_calls.py").write_text(FIXTURE_TESTS)
    folder = tmp_path / "recordings"
    with Stub(reply=KNOWN_REPLY, credentials=UPSTREAM_KEYS) as upstream:
        recorded = _pytest(project, "--bedrock-record", str(folder), "--bedrock-upstream", upstream.url)
        assert recorded.returncode == 0, recorded.stdout + recorded.stderr
        assert len(upstream.journal.entries()) == 2
    assert sorted(str(path.relative_to(folder)) for path in folder.rglob("*.json")) == [
        "test_calls/test_first/0001-Converse-anthropic.claude-3-haiku-20240307-v1_0.json",
        "test_calls/test_second/0001-Converse-anthropic.claude-3-haiku-20240307-v1_0.json",
    ]
    replayed = _pytest(project, "--bedrock-replay", str(folder))
    assert replayed.returncode == 0, replayed.stdout + replayed.stderr
    missed = _pytest(project, "--bedrock-replay", str(folder), prompt="Another prompt")
    assert missed.returncode == 1
    assert "1 failed, 1 passed" in missed.stdout
    assert 'it differs in body.messages[0].content[0].text: recorded "First test", asked "Another prompt"' in (
        missed.stdout
    )


def test_the_fixture_refuses_recording_without_an_upstream(tmp_path):
    (tmp_path / "test_calls.py").write_text(FIXTURE_TESTS)
    result = _pytest(tmp_path, "--bedrock-record", str(tmp_path / "recordings"))
    assert result.returncode == 4
    assert "record mode all needs --bedrock-upstream URL: there is none by default" in result.stderr


# The mirror: its examples judged against recorded answers


def test_the_mirror_judges_a_sample_by_the_recorded_answer(tmp_path, chain_keys):
    """The suite as nox runs it, every run's stub recording from an upstream, then replaying what it recorded."""
    from bedrock_mirror.scenarios import PLAIN, scenario
    from bedrock_mirror.schedule import Suite
    from tests.helpers import CALL_THE_STUB, fake_language, script_samples

    language = fake_language(tmp_path, samples=script_samples(tmp_path, {"prints": CALL_THE_STUB + "print(text)\n"}))
    folder = tmp_path / "recordings"

    def run(**stub_options: Any) -> Any:
        suite = Suite(
            [language],
            (scenario(PLAIN),),
            run_id="r",
            required=(),
            log=print,
            reply="the stub's own",
            timeout=60,
            stub_options=stub_options,
        )
        [result] = suite.run()
        return result

    with Stub(reply=KNOWN_REPLY, credentials=UPSTREAM_KEYS) as upstream:
        recorded = run(upstream=upstream.url, record=folder)
    replayed = run(replay=folder)
    for result in (recorded, replayed):
        assert (result.status, result.reason) == ("passed", "")
        assert result.expected_text == result.extracted_text == KNOWN_REPLY
    assert [entry["recording"] for entry in replayed.journal] == [path.name for path in folder.iterdir()]


class _Session:
    """What the sessions use of nox's Session."""

    def __init__(self, *posargs: str) -> None:
        self.posargs = list(posargs)
        self.said: list[str] = []

    def warn(self, message: str) -> None:
        self.said.append(message)

    log = warn

    def error(self, message: str) -> None:
        raise RuntimeError(message)


def test_nox_record_says_what_it_costs_and_needs_yes_when_no_one_can_be_asked(monkeypatch):
    from bedrock_mirror import sessions

    monkeypatch.setattr(sys, "stdin", open(os.devnull))  # noqa: SIM115
    session = _Session("--upstream", "https://bedrock-runtime.us-east-1.amazonaws.com")
    with pytest.raises(RuntimeError, match="standard input is not a terminal, so no one can agree; pass --yes"):
        sessions.record_session(session)
    assert "calls a real AWS account with your own credentials (botocore's chain) and can cost money" in session.said[0]


def test_nox_replay_runs_the_plain_scenario_from_a_folder_it_has_checked(tmp_path):
    from bedrock_mirror import sessions

    assert [each.name for each in sessions._scenarios_from(["--replay", str(tmp_path)])] == ["plain"]
    assert sessions._replay_options(tmp_path) == {"replay": tmp_path}
    (tmp_path / "0001-x.json").write_text("{")
    with pytest.raises(RecordingError, match=r"0001-x\.json: not valid JSON"):
        sessions._replay_options(tmp_path)


def test_a_bedrock_api_key_is_forwarded_as_it_came_and_never_written(tmp_path, monkeypatch):
    """A caller with a Bedrock API key needs no credentials of the recorder's: the key goes upstream unchanged."""
    import httpx

    monkeypatch.setenv("AWS_CONFIG_FILE", str(tmp_path / "none"))
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(tmp_path / "none"))
    for name in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN", "AWS_PROFILE"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("AWS_EC2_METADATA_DISABLED", "true")
    key = "ABSKQmVkcm9ja0FQSUtleS1leGFtcGxlLWtleS1mb3ItdGVzdHM="
    folder = tmp_path / "recordings"
    body = json.loads(_messages("With a key"))
    # The upstream takes the key: accepting it proves it arrived unchanged (its journal keeps none of it).
    with (
        Stub(reply=KNOWN_REPLY, api_keys=[key]) as upstream,
        Stub(upstream=upstream.url, record=folder) as recorder,
    ):
        assert recorder.state.relay.upstream.credentials is None
        reply = httpx.post(
            f"{recorder.url}/model/{HAIKU}/invoke", json=body, headers={"Authorization": f"Bearer {key}"}
        )
        seen = upstream.journal.entries()[-1]
    assert reply.status_code == 200 and reply.json()["content"][0]["text"] == KNOWN_REPLY
    assert (seen.auth_scheme, seen.signature) == ("long-term-api-key", "valid")
    assert key not in next(folder.iterdir()).read_text()


def test_without_credentials_or_a_key_the_recorder_says_so(tmp_path, monkeypatch):
    monkeypatch.setenv("AWS_CONFIG_FILE", str(tmp_path / "none"))
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(tmp_path / "none"))
    for name in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN", "AWS_PROFILE"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("AWS_EC2_METADATA_DISABLED", "true")
    with Stub(upstream="http://127.0.0.1:9", record=tmp_path / "r") as recorder, pytest.raises(ClientError) as raised:
        bedrock_client(recorder.url).converse(**_converse_request("No keys"))
    assert _error(raised.value)["message"].startswith("bedrock-stub: no AWS credentials for the upstream")


def _sockets_to(port: int) -> int:
    """This process's TCP sockets connected to `port` on loopback: its descriptors that /proc/net/tcp lists so."""
    inodes = set()
    for descriptor in Path("/proc/self/fd").iterdir():
        try:
            link = os.readlink(descriptor)
        except FileNotFoundError:  # closed since the folder was listed
            continue
        if link.startswith("socket:["):
            inodes.add(link[len("socket:[") : -1])
    connected = 0
    for line in Path("/proc/self/net/tcp").read_text().splitlines()[1:]:
        _, _, remote, *_, inode = line.split()[:10]
        if int(remote.rsplit(":", 1)[1], 16) == port and inode in inodes:
            connected += 1
    return connected


@pytest.mark.skipif(not Path("/proc/self/net/tcp").exists(), reason="needs /proc (Linux) to list open sockets")
@pytest.mark.parametrize("relay_set", ["when constructed", "per test, as the pytest plugin sets it"])
def test_stopping_the_recorder_closes_its_connections_upstream(tmp_path, chain_keys, relay_set):
    with Stub(reply=KNOWN_REPLY, credentials=UPSTREAM_KEYS) as upstream:
        if relay_set == "when constructed":
            recorder = Stub(upstream=upstream.url, record=tmp_path / "recordings").start()
        else:
            recorder = Stub().start()
            recorder.state.relay = Relay.recording(tmp_path / "recordings", Upstream(upstream.url))
        try:
            bedrock_client(recorder.url).converse(**_converse_request("Keep the line open"))
            relayed_through = recorder.state.relay.upstream
            # The client pools its connection for the next request: open while the recorder serves.
            assert relayed_through.is_open and _sockets_to(upstream.port) == 1
            if relay_set != "when constructed":
                # The plugin takes its relay away after each test; the client stays open for the session's next one.
                recorder.state.relay = None
        finally:
            recorder.stop()
        assert _sockets_to(upstream.port) == 0
        assert not relayed_through.is_open


GUARDRAIL_ARN = "arn:aws:bedrock:us-east-1:123456789012:guardrail/gr1recorded"


def _apply_guardrail_calls(client: Any) -> list[Any]:
    """ApplyGuardrail as boto3 calls it: an intervention, a pass, an ARN for the identifier, and an unknown version."""
    results: list[Any] = []
    for identifier, version, source, text in (
        ("gr1recorded", "1", "INPUT", "Tell me about the forbidden topic."),
        ("gr1recorded", "DRAFT", "OUTPUT", "All fine here."),
        (GUARDRAIL_ARN, "1", "INPUT", "Forbidden, again."),
        ("gr1recorded", "7", "INPUT", "Which version?"),
    ):
        try:
            reply = client.apply_guardrail(
                guardrailIdentifier=identifier,
                guardrailVersion=version,
                source=source,
                content=[{"text": {"text": text}}],
            )
            results.append([_metadata(reply), reply])
        except ClientError as exc:
            results.append(_error(exc))
    return results


def test_apply_guardrail_is_recorded_and_replayed(tmp_path, chain_keys):
    folder = tmp_path / "recordings"
    with Stub(reply=KNOWN_REPLY, credentials=UPSTREAM_KEYS) as upstream:
        upstream.add_guardrail(
            "gr1recorded", versions=("DRAFT", "1"), blocked_words=("forbidden",), blocked_input_message="Not here."
        )
        with Stub(upstream=upstream.url, record=folder) as recorder:
            recorded = _apply_guardrail_calls(bedrock_client(recorder.url))
            journal = recorder.journal.entries()
        # Every call went upstream, re-signed with the upstream's keys.
        assert [(entry.operation, entry.signature) for entry in upstream.journal.entries()] == [
            ("ApplyGuardrail", "valid")
        ] * 4
    assert recorded[0][1]["action"] == "GUARDRAIL_INTERVENED" and recorded[0][1]["outputs"] == [{"text": "Not here."}]
    assert recorded[1][1]["action"] == "NONE" and recorded[2][1]["action"] == "GUARDRAIL_INTERVENED"
    assert recorded[3]["error"] == "ValidationException"
    names = sorted(path.name for path in folder.iterdir())
    assert names == [
        "0001-ApplyGuardrail-gr1recorded_version_1.json",
        "0002-ApplyGuardrail-gr1recorded_version_DRAFT.json",
        "0003-ApplyGuardrail-arn_aws_bedrock_us-east-1_000000000000_guardrail_gr1recorded_version_1.json",
        "0004-ApplyGuardrail-gr1recorded_version_7.json",
    ]
    assert [entry.recording for entry in journal] == names
    first = json.loads((folder / names[0]).read_text())
    assert first["guardrail"] == {"identifier": "gr1recorded", "version": "1"} and "model_id" not in first
    assert first["request"]["path"] == "/guardrail/gr1recorded/version/1/apply"
    assert first["request"]["body"]["content"] == [{"text": {"text": "Tell me about the forbidden topic."}}]
    assert "123456789012" not in (folder / names[2]).read_text()

    # The replaying stub knows no guardrail: each answer, the error included, comes from the recordings alone.
    with Stub(replay=folder) as replayer:
        client = bedrock_client(replayer.url)
        assert _apply_guardrail_calls(client) == recorded
        assert [entry.recording for entry in replayer.journal.entries()] == names
        with pytest.raises(ClientError) as missed:
            client.apply_guardrail(
                guardrailIdentifier="gr1recorded",
                guardrailVersion="2",
                source="INPUT",
                content=[{"text": {"text": "Tell me about the forbidden topic."}}],
            )
    assert _error(missed.value) == {
        "error": "ValidationException",
        "message": "No recording matches this request (ApplyGuardrail gr1recorded version 2). Closest: "
        f"{names[0]}; it differs in guardrail: recorded gr1recorded version 1, asked gr1recorded version 2.",
    }
