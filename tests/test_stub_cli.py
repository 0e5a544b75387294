"""`python -m bedrock_stub`: prints its URL first, serves SDKs, stops cleanly on a signal."""

from __future__ import annotations

import json
import signal
import socket
import subprocess
import sys
from pathlib import Path
from types import SimpleNamespace

import pytest
from bedrock_stub.cli import bind_warning
from bedrock_stub.cli import run as run_console_script

from tests.helpers import HAIKU, bedrock_client, messages_body, process_sockets, wait_until
from tests.test_stub_flow import PLAIN_PATH, http1_request


def start(*args: str) -> tuple[subprocess.Popen[str], str]:
    process = subprocess.Popen(
        [sys.executable, "-m", "bedrock_stub", "--port", "0", *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    assert process.stdout is not None
    return process, process.stdout.readline().strip()


def stop(process: subprocess.Popen[str]) -> tuple[int, str]:
    process.send_signal(signal.SIGTERM)
    _, stderr = process.communicate(timeout=15)
    return process.returncode, stderr


def test_cli_serves_the_given_reply_and_exits_0_on_sigterm(tmp_path):
    journal = tmp_path / "journal.jsonl"
    process, url = start("--reply", "from the CLI", "--journal", str(journal))
    try:
        assert url.startswith("http://127.0.0.1:")
        body = json.loads(bedrock_client(url).invoke_model(modelId=HAIKU, body=messages_body())["body"].read())
        assert body["content"][0]["text"] == "from the CLI"
    finally:
        code, stderr = stop(process)
    assert code == 0, stderr
    assert json.loads(journal.read_text().splitlines()[0])["reply_text"] == "from the CLI"


def test_cli_injects_errors_for_the_next_n_requests():
    process, url = start("--error", "AccessDeniedException:1", "--error-message", "denied by the CLI")
    try:
        client = bedrock_client(url)
        with pytest.raises(client.exceptions.AccessDeniedException, match="denied by the CLI"):
            client.invoke_model(modelId=HAIKU, body=messages_body())
        client.invoke_model(modelId=HAIKU, body=messages_body())
    finally:
        assert stop(process)[0] == 0


def test_cli_strict_rejects_a_legacy_prompt_without_the_blank_line():
    process, url = start("--strict")
    try:
        client = bedrock_client(url)
        body = json.dumps({"prompt": "Human: hi\n\nAssistant:", "max_tokens_to_sample": 20})
        with pytest.raises(client.exceptions.ValidationException, match="prompt must start with"):
            client.invoke_model(modelId="anthropic.claude-v2", body=body)
    finally:
        stop(process)


def test_help_documents_every_option():
    result = subprocess.run(
        [sys.executable, "-m", "bedrock_stub", "--help"], capture_output=True, text=True, check=True
    )
    for option in (
        "--host",
        "--port",
        "--reply",
        "--journal",
        "--strict",
        "--error",
        "--error-message",
        "--error-operation",
        "--model",
        "--access-key-id",
        "--secret-access-key",
        "--stream-piece-chars",
        "--region",
        "--session-token",
        "--read-timeout",
        "--keep-alive-timeout",
        "--send-timeout",
        "--max-connections",
        "--journal-window",
    ):
        assert option in result.stdout


def test_bad_arguments_are_clear_errors():
    result = subprocess.run(
        [sys.executable, "-m", "bedrock_stub", "--error", "NoSuchException"], capture_output=True, text=True
    )
    assert result.returncode == 2 and "not a modeled error" in result.stderr


def test_stop_right_after_the_url_is_clean():
    process, url = start()
    assert url and stop(process)[0] == 0


@pytest.mark.parametrize(
    "host, loopback",
    [
        ("127.0.0.1", True),
        ("127.0.0.2", True),
        ("::1", True),
        ("localhost", True),
        ("0.0.0.0", False),
        ("192.168.1.5", False),
    ],
)
def test_a_non_loopback_bind_is_announced(host, loopback):
    # Decided without binding: the tests serve on loopback only.
    assert (bind_warning(host) is None) == loopback


def run_cli(*args: str | bytes) -> subprocess.CompletedProcess[str]:
    """Runs the CLI to its exit (bad arguments end it at once); bytes pass through as the shell would."""
    return subprocess.run(
        [sys.executable, "-m", "bedrock_stub", *args], capture_output=True, text=True, timeout=30, errors="replace"
    )


@pytest.mark.parametrize(
    "args, names",
    [
        (("--port", "70000"), "--port"),
        (("--port", "-1"), "--port"),
        (("--port", "http"), "--port"),
        (("--reply", b"caf\xe9 ok"), "--reply"),
        (("--error-message", b"\xff"), "--error-message"),
        (("--read-timeout", "0"), "--read-timeout"),
        (("--read-timeout", "nan"), "--read-timeout"),
        (("--keep-alive-timeout", "-3"), "--keep-alive-timeout"),
        (("--send-timeout", "0"), "--send-timeout"),
        (("--send-timeout", "-2"), "--send-timeout"),
        (("--send-timeout", "inf"), "--send-timeout"),
        (("--send-timeout", "soon"), "--send-timeout"),
        (("--max-connections", "0"), "--max-connections"),
        (("--journal-window", "0"), "--journal-window"),
        (("--region", "us east 1"), "--region"),
        (("--no-such-option",), "--no-such-option"),
        (("--stream-piece-chars", "0"), "--stream-piece-chars"),
    ],
)
def test_a_bad_option_is_one_line_naming_it_and_exit_2(args, names):
    result = run_cli(*args)
    assert result.returncode == 2, result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert names in lines[0] and "error" in lines[0]
    assert "Traceback" not in result.stderr


def test_a_journal_that_cannot_be_written_is_named(tmp_path):
    journal = tmp_path / "no-such-folder" / "journal.jsonl"
    result = run_cli("--journal", str(journal))
    assert result.returncode == 2
    [line] = result.stderr.strip().splitlines()
    assert "journal" in line and str(journal) in line and "listen" not in line


def test_the_cli_refuses_a_request_signed_for_another_region():
    process, url = start("--region", "eu-west-3")
    try:
        with pytest.raises(Exception, match="valid region, not 'us-east-1'"):
            bedrock_client(url).invoke_model(modelId=HAIKU, body=messages_body())
    finally:
        assert stop(process)[0] == 0


@pytest.mark.skipif(not Path("/proc/self/fd").is_dir(), reason="counting the stub's sockets needs /proc (Linux)")
def test_send_timeout_drops_a_client_that_takes_none_of_its_reply(tmp_path):
    # Eight megabytes: more than the socket buffers of both ends hold, so the reply waits for the client.
    rules = tmp_path / "rules.json"
    rules.write_text(json.dumps({"queue": [{"text": "x" * 8_000_000}]}))
    journal = tmp_path / "journal.jsonl"
    options = ["--send-timeout", "0.5", "--keep-alive-timeout", "600", "--no-max-tokens"]
    process, url = start(*options, "--rules", str(rules), "--journal", str(journal))
    try:
        before = process_sockets(process.pid)
        host, port = url.removeprefix("http://").split(":")
        with socket.socket() as client:
            client.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
            client.connect((host, int(port)))
            client.sendall(http1_request(SimpleNamespace(host=host, port=int(port), url=url), PLAIN_PATH))
            # The stub journals a request before its answer goes out.
            assert wait_until(lambda: journal.exists() and journal.stat().st_size > 0, 30)
            # The client never reads and keeps its end open: only the send timeout can drop the connection, and the
            # bound sits below the default of 10 s, so a stub that ignored the option would still hold it.
            assert wait_until(lambda: not process_sockets(process.pid) - before, 8)
    finally:
        code, stderr = stop(process)
    assert code == 0, stderr
    assert "Traceback" not in stderr, stderr


def test_the_cli_journals_a_bounded_window_by_default(tmp_path):
    from bedrock_stub import cli

    args = cli.build_parser().parse_args(["--journal", str(tmp_path / "j.jsonl")])
    assert args.journal_window == 10_000
    assert cli.build_parser().parse_args(["--journal-window", "5"]).journal_window == 5


def test_the_public_name_runs_the_same_cli_and_serves():
    process = subprocess.Popen(
        [sys.executable, "-m", "bedrock_stub", "--port", "0", "--reply", "by its public name"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    assert process.stdout is not None
    url = process.stdout.readline().strip()
    try:
        body = json.loads(bedrock_client(url).invoke_model(modelId=HAIKU, body=messages_body())["body"].read())
        assert body["content"][0]["text"] == "by its public name"
    finally:
        code, _ = stop(process)
    assert code == 0


def test_usage_and_errors_name_the_command_they_came_from(capsys, monkeypatch):
    wrong = subprocess.run(
        [sys.executable, "-m", "bedrock_stub", "--port", "not-a-port"], capture_output=True, text=True, timeout=60
    )
    assert wrong.returncode == 2 and "python -m bedrock_stub: error:" in wrong.stderr, wrong.stderr
    # The console script's entry point, as pip's generated `bedrock-stub` calls it.
    monkeypatch.setattr(sys, "argv", ["bedrock-stub", "--help"])
    with pytest.raises(SystemExit) as ended:
        run_console_script()
    assert ended.value.code == 0 and capsys.readouterr().out.startswith("usage: bedrock-stub ")
