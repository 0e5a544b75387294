"""`python -m harness.stub`: prints its URL first, serves SDKs, stops cleanly on a signal."""

from __future__ import annotations

import json
import signal
import subprocess
import sys

import pytest
from conftest import HAIKU, bedrock_client, messages_body

from harness.stub.__main__ import bind_warning


def start(*args: str) -> tuple[subprocess.Popen[str], str]:
    process = subprocess.Popen(
        [sys.executable, "-m", "harness.stub", "--port", "0", *args],
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
        [sys.executable, "-m", "harness.stub", "--help"], capture_output=True, text=True, check=True
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
    ):
        assert option in result.stdout


def test_bad_arguments_are_clear_errors():
    result = subprocess.run(
        [sys.executable, "-m", "harness.stub", "--error", "NoSuchException"], capture_output=True, text=True
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
