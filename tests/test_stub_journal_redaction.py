"""The journal keeps no secret of what real clients send: boto3 signing with a session token (accepted and refused),
boto3 with Bedrock API keys in AWS_BEARER_TOKEN_BEDROCK, httpx with cookies and secret-named headers; in memory and
in the `--journal` file, from Python and from the CLI. What helps debugging stays: SigV4's scope and signed headers,
each header's name, the bearer scheme."""

from __future__ import annotations

import json
import os
import signal
import ssl
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import boto3
import httpx
import pytest
from bedrock_stub import Stub
from bedrock_stub.redaction import REDACTED, redacted_value
from bedrock_stub.sigv4 import EXAMPLE_ACCESS_KEY_ID, EXAMPLE_SECRET_ACCESS_KEY, Credentials
from botocore.config import Config
from botocore.credentials import Credentials as BotocoreCredentials

from tests.helpers import HAIKU, messages_body

pytest.importorskip(
    "trustme", reason="botocore sends API keys over HTTPS only, which needs trustme (bedrock-stub[tls])"
)
token_generator = pytest.importorskip("aws_bedrock_token_generator", reason="needs aws-bedrock-token-generator")

# Made-up credentials, each long and unlike any other text of a request, so that finding one anywhere is a leak.
SESSION_TOKEN = "FwoGZXIvYXdzEXAMPLE-session-token-the-journal-must-not-keep"
LONG_TERM_KEY = "ABSKQmVkcm9ja0FQSUtleS1qb3VybmFsLXRlc3Q6bm90LWEtcmVhbC1rZXk="
COOKIE = "stub-session=cookie-value-the-journal-must-not-keep"
API_KEY_HEADER = "x-api-key-value-the-journal-must-not-keep"
QUERY_SECRETS = ("query-signature-the-journal-must-not-keep", "query-token-the-journal-must-not-keep")
ONE_ATTEMPT = Config(retries={"mode": "standard", "total_max_attempts": 1})


@dataclass
class Sent:
    """What the clients sent: each secret value, and each SigV4 `Authorization` header as it went out."""

    secrets: list[str] = field(default_factory=list)
    sigv4_authorizations: list[str] = field(default_factory=list)


class _StubCredentials:
    """A credential provider with the stub's key pair and session token, as aws-bedrock-token-generator takes one."""

    def load(self) -> BotocoreCredentials:
        return BotocoreCredentials(EXAMPLE_ACCESS_KEY_ID, EXAMPLE_SECRET_ACCESS_KEY, SESSION_TOKEN)


def _signing_client(url: str, ca_file: str, sent: Sent, secret: str = EXAMPLE_SECRET_ACCESS_KEY) -> Any:
    client = boto3.client(
        "bedrock-runtime",
        region_name="us-east-1",
        endpoint_url=url,
        verify=ca_file,
        aws_access_key_id=EXAMPLE_ACCESS_KEY_ID,
        aws_secret_access_key=secret,
        aws_session_token=SESSION_TOKEN,
        config=ONE_ATTEMPT,
    )

    def keep_authorization(request: Any, **_: Any) -> None:
        authorization = request.headers["Authorization"]
        authorization = authorization.decode() if isinstance(authorization, bytes) else authorization
        sent.sigv4_authorizations.append(authorization)
        sent.secrets.append(authorization.rpartition("Signature=")[2])

    client.meta.events.register("before-send.bedrock-runtime.*", keep_authorization)
    return client


def _bearer_client(url: str, ca_file: str, key: str, monkeypatch: pytest.MonkeyPatch) -> Any:
    """boto3 as a user of API keys runs it: the key in AWS_BEARER_TOKEN_BEDROCK and no AWS credentials at all."""
    for name in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN", "AWS_PROFILE"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("AWS_CONFIG_FILE", os.devnull)
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", os.devnull)
    monkeypatch.setenv("AWS_BEARER_TOKEN_BEDROCK", key)
    monkeypatch.setenv("AWS_CA_BUNDLE", ca_file)
    return boto3.Session().client("bedrock-runtime", region_name="us-east-1", endpoint_url=url, config=ONE_ATTEMPT)


def send_secrets(url: str, ca_file: str, monkeypatch: pytest.MonkeyPatch) -> Sent:
    """Requests carrying every kind of secret, answered or refused; returns what was sent."""
    sent = Sent(secrets=[SESSION_TOKEN, LONG_TERM_KEY, COOKIE.partition("=")[2], API_KEY_HEADER, *QUERY_SECRETS])
    reply = _signing_client(url, ca_file, sent).invoke_model(modelId=HAIKU, body=messages_body())
    assert reply["ResponseMetadata"]["HTTPStatusCode"] == 200
    # A refused signature is journaled too, and its value is as secret as a good one's.
    wrong = _signing_client(url, ca_file, sent, secret=EXAMPLE_SECRET_ACCESS_KEY[::-1])
    with pytest.raises(wrong.exceptions.ClientError, match="InvalidSignatureException"):
        wrong.invoke_model(modelId=HAIKU, body=messages_body())
    short_term_key = token_generator.provide_token(region="us-east-1", aws_credentials_provider=_StubCredentials())
    sent.secrets.append(short_term_key)
    for key in (LONG_TERM_KEY, short_term_key):
        reply = _bearer_client(url, ca_file, key, monkeypatch).invoke_model(modelId=HAIKU, body=messages_body())
        assert reply["ResponseMetadata"]["HTTPStatusCode"] == 200
    with httpx.Client(verify=ssl.create_default_context(cafile=ca_file)) as client:
        answer = client.post(
            f"{url}/model/{HAIKU}/invoke",
            params={"X-Amz-Signature": QUERY_SECRETS[0], "X-Amz-Security-Token": QUERY_SECRETS[1]},
            content=messages_body(),
            headers={"Cookie": COOKIE, "X-Api-Key": API_KEY_HEADER},
        )
    assert answer.status_code == 403  # no credentials the stub takes: refused, and journaled
    return sent


def assert_no_secret_and_still_useful(entries: list[dict[str, Any]], sent: Sent) -> None:
    text = json.dumps(entries)
    assert len(entries) == 5 and len(sent.sigv4_authorizations) == 2
    leaked = [secret for secret in sent.secrets if secret in text]
    assert not leaked, f"the journal keeps secrets: {leaked}"
    headers = [dict(entry["headers"]) for entry in entries]
    for kept, authorization in zip(headers[:2], sent.sigv4_authorizations, strict=True):
        # As sent up to the signature: the scheme, the credential scope and the signed headers.
        assert kept["authorization"] == authorization[: authorization.rindex("Signature=")] + f"Signature={REDACTED}"
        assert f"Credential={EXAMPLE_ACCESS_KEY_ID}/" in kept["authorization"]
        assert "/us-east-1/bedrock/aws4_request, SignedHeaders=" in kept["authorization"]
        assert "x-amz-security-token" in kept["authorization"]
        assert kept["x-amz-security-token"] == REDACTED
    assert [entry["signature"] for entry in entries[:2]] == ["valid", "mismatch"]
    assert [entry["auth_scheme"] for entry in entries[2:4]] == ["long-term-api-key", "short-term-api-key"]
    assert [kept["authorization"] for kept in headers[2:4]] == [f"Bearer {REDACTED}"] * 2
    assert (headers[4]["cookie"], headers[4]["x-api-key"]) == (REDACTED, REDACTED)


def test_the_journal_keeps_no_secret_in_memory_or_in_its_file(tmp_path, monkeypatch):
    journal = tmp_path / "journal.jsonl"
    credentials = Credentials(session_token=SESSION_TOKEN)
    with Stub(tls=True, credentials=credentials, api_keys=[LONG_TERM_KEY], journal_path=journal) as stub:
        sent = send_secrets(stub.url, str(stub.ca_file), monkeypatch)
        in_memory = [entry.to_dict() for entry in stub.journal.entries()]
    assert_no_secret_and_still_useful(in_memory, sent)
    assert_no_secret_and_still_useful([json.loads(line) for line in journal.read_text().splitlines()], sent)


def test_the_cli_journal_file_keeps_no_secret(tmp_path, monkeypatch):
    journal, ca_file = tmp_path / "journal.jsonl", tmp_path / "ca.pem"
    options = ["--tls", "--ca-file", str(ca_file), "--session-token", SESSION_TOKEN, "--api-key", LONG_TERM_KEY]
    process = subprocess.Popen(
        [sys.executable, "-m", "bedrock_stub", *options, "--journal", str(journal)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        assert process.stdout is not None
        sent = send_secrets(process.stdout.readline().strip(), str(ca_file), monkeypatch)
    finally:
        process.send_signal(signal.SIGTERM)
        _, stderr = process.communicate(timeout=15)
    assert process.returncode == 0, stderr
    assert_no_secret_and_still_useful([json.loads(line) for line in Path(journal).read_text().splitlines()], sent)


@pytest.mark.parametrize(
    ("name", "value", "kept"),
    [
        # No comma before the signature: whatever is not the scope or the signed headers still goes.
        (
            "authorization",
            "AWS4-HMAC-SHA256 Credential=AKID/x Signature=abc,junk",
            "AWS4-HMAC-SHA256 Credential=AKID/x Signature=REDACTED,REDACTED",
        ),
        # Far longer than any real one: not read piece by piece, so the kept text cannot grow with REDACTEDs.
        ("authorization", "AWS4-HMAC-SHA256 " + "a, " * 1000, "AWS4-HMAC-SHA256 REDACTED"),
        ("authorization", "Basic dXNlcjpwYXNzd29yZA==", "Basic REDACTED"),
        ("Proxy-Authorization", "bearer  key", "bearer REDACTED"),
        ("authorization", "ABSKa2V5LXdpdGhvdXQtc2NoZW1l", "REDACTED"),  # no scheme: nothing of the key is kept
        ("authorization", "sk-ant-key with-a-space", "REDACTED"),  # a first word that is not letters is no scheme
        ("authorization", "", ""),  # that it was empty is no secret, and says what the client did
        ("x-amz-security-token", "token", "REDACTED"),
        ("set-cookie", "a=b", "REDACTED"),
    ],
)
def test_what_is_kept_of_a_secret_value(name, value, kept):
    assert redacted_value(name, value) == kept
