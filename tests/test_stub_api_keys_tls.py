"""Bedrock API keys over HTTPS, and the regions a stub serves, driven by real clients: boto3 with
AWS_BEARER_TOKEN_BEDROCK (keys made by aws-bedrock-token-generator from the stub's credentials, and long-term
keys), boto3 with SigV4, httpx over HTTP/2, the JavaScript SDK over TLS and HTTP/2."""

from __future__ import annotations

import base64
import json
import os
import signal
import ssl
import subprocess
import sys
from collections.abc import Iterator
from datetime import datetime, timedelta, timezone
from types import SimpleNamespace

import boto3
import httpx
import pytest
from bedrock_stub import Stub, cli
from bedrock_stub.sigv4 import EXAMPLE_ACCESS_KEY_ID, EXAMPLE_SECRET_ACCESS_KEY
from botocore.config import Config
from botocore.credentials import Credentials as BotocoreCredentials

from tests.helpers import HAIKU, messages_body
from tests.test_real_clients import js_client  # noqa: F401  (the fixture that installs the JavaScript client)

pytest_plugins = ["pytester"]
pytest.importorskip("trustme", reason="HTTPS tests need trustme (bedrock-stub[tls])")
token_generator = pytest.importorskip("aws_bedrock_token_generator", reason="needs aws-bedrock-token-generator")

LONG_TERM_KEY = "ABSKQmVkcm9ja0FQSUtleS1zdHViLWF0LTEyMzQ1Njc4OTAxMjpub3QtYS1yZWFsLWtleQ=="
MESSAGES = [{"role": "user", "content": [{"text": "hi"}]}]
NOT_VALID = "Authentication failed: Please make sure your API Key is valid."
BAD_FORMAT = "Invalid API Key format: Must start with pre-defined prefix"


class _StubCredentials:
    """A credential provider holding the stub's key pair, as aws-bedrock-token-generator takes one."""

    def load(self) -> BotocoreCredentials:
        return BotocoreCredentials(EXAMPLE_ACCESS_KEY_ID, EXAMPLE_SECRET_ACCESS_KEY)


def short_term_key(region: str = "us-east-1", **options) -> str:
    return token_generator.provide_token(region=region, aws_credentials_provider=_StubCredentials(), **options)


def trusting(stub: Stub) -> ssl.SSLContext:
    return ssl.create_default_context(cafile=stub.ca_file)


@pytest.fixture(scope="module")
def tls_stub() -> Iterator[Stub]:
    with Stub(tls=True, api_keys=[LONG_TERM_KEY], regions=["us-east-1", "us-west-2"]) as running:
        yield running


def bearer_client(stub: Stub | SimpleNamespace, key: str, monkeypatch: pytest.MonkeyPatch, region: str = "us-east-1"):
    """boto3 as a user of API keys runs it: the key in AWS_BEARER_TOKEN_BEDROCK and no AWS credentials at all."""
    for name in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN", "AWS_PROFILE"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("AWS_CONFIG_FILE", os.devnull)
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", os.devnull)
    monkeypatch.setenv("AWS_BEARER_TOKEN_BEDROCK", key)
    monkeypatch.setenv("AWS_CA_BUNDLE", str(stub.ca_file))
    monkeypatch.setenv("AWS_ENDPOINT_URL_BEDROCK_RUNTIME", stub.url)
    return boto3.Session().client(
        "bedrock-runtime", region_name=region, config=Config(retries={"mode": "standard", "total_max_attempts": 1})
    )


@pytest.mark.parametrize("kind", ["short-term-api-key", "long-term-api-key"])
def test_boto3_with_a_bedrock_api_key_over_https(tls_stub, monkeypatch, kind):
    key = short_term_key() if kind == "short-term-api-key" else LONG_TERM_KEY
    client = bearer_client(tls_stub, key, monkeypatch)
    tls_stub.queue_reply(f"answered with a {kind}")
    response = client.converse(modelId="global.anthropic.claude-sonnet-4-6", messages=MESSAGES)
    assert response["output"]["message"]["content"] == [{"text": f"answered with a {kind}"}]
    reply = json.loads(client.invoke_model(modelId=HAIKU, body=messages_body())["body"].read())
    assert reply["type"] == "message"
    entry = tls_stub.journal.entries()[-1]
    assert (entry.auth_scheme, entry.signature, entry.status, entry.http_version) == (kind, "valid", 200, "1.1")
    assert entry.header("authorization") == "Bearer REDACTED"  # the journal keeps the scheme, never the key


def test_boto3_with_sigv4_over_https_and_in_a_second_served_region(tls_stub, monkeypatch):
    monkeypatch.setenv("AWS_CA_BUNDLE", str(tls_stub.ca_file))
    for region in ("us-east-1", "us-west-2"):
        client = boto3.client(
            "bedrock-runtime",
            region_name=region,
            endpoint_url=tls_stub.url,
            aws_access_key_id=EXAMPLE_ACCESS_KEY_ID,
            aws_secret_access_key=EXAMPLE_SECRET_ACCESS_KEY,
            config=Config(retries={"mode": "standard", "total_max_attempts": 1}),
        )
        tls_stub.queue_reply(f"signed for {region}")
        response = client.converse(modelId=HAIKU, messages=MESSAGES)
        assert response["output"]["message"]["content"] == [{"text": f"signed for {region}"}]
        entry = tls_stub.journal.entries()[-1]
        assert (entry.auth_scheme, entry.signature) == ("sigv4", "valid")
        assert f"/{region}/bedrock/aws4_request" in entry.header("authorization")


def test_a_region_outside_the_set_keeps_aws_errors(tls_stub, monkeypatch):
    monkeypatch.setenv("AWS_CA_BUNDLE", str(tls_stub.ca_file))
    client = boto3.client(
        "bedrock-runtime",
        region_name="eu-west-1",
        endpoint_url=tls_stub.url,
        aws_access_key_id=EXAMPLE_ACCESS_KEY_ID,
        aws_secret_access_key=EXAMPLE_SECRET_ACCESS_KEY,
        config=Config(retries={"mode": "standard", "total_max_attempts": 1}),
    )
    with pytest.raises(client.exceptions.ClientError) as caught:
        client.converse(modelId=HAIKU, messages=MESSAGES)
    error = caught.value.response["Error"]
    assert (error["Code"], error["Message"]) == (
        "InvalidSignatureException",
        "Credential should be scoped to a valid region, not 'eu-west-1'. ",
    )
    # A short-term key made for a region the stub does not serve is refused as Bedrock refuses a foreign key.
    keyed = bearer_client(tls_stub, short_term_key(region="eu-west-1"), monkeypatch)
    with pytest.raises(keyed.exceptions.AccessDeniedException, match=NOT_VALID):
        keyed.converse(modelId=HAIKU, messages=MESSAGES)
    assert tls_stub.journal.entries()[-1].signature == "wrong-region"


def test_any_region_accepts_every_region():
    with Stub(any_region=True) as stub:
        for region in ("ap-south-2", "eu-central-1"):
            client = boto3.client(
                "bedrock-runtime",
                region_name=region,
                endpoint_url=stub.url,
                aws_access_key_id=EXAMPLE_ACCESS_KEY_ID,
                aws_secret_access_key=EXAMPLE_SECRET_ACCESS_KEY,
            )
            client.converse(modelId=HAIKU, messages=MESSAGES)
            assert stub.journal.entries()[-1].status == 200


def _expired_key(monkeypatch: pytest.MonkeyPatch) -> str:
    # The generator signs with botocore's clock; set it back thirteen hours, past the twelve-hour maximum.
    past = datetime.now(timezone.utc).replace(tzinfo=None) - timedelta(hours=13)
    monkeypatch.setattr("botocore.auth.get_current_datetime", lambda: past)
    key = short_term_key()
    monkeypatch.undo()
    return key


def _other_service_key(monkeypatch: pytest.MonkeyPatch) -> str:
    # The generator's own token shape, signed for STS instead of Bedrock.
    monkeypatch.setattr("aws_bedrock_token_generator.token_generator.SERVICE_NAME", "sts")
    key = short_term_key()
    monkeypatch.undo()
    return key


def _other_credentials_key() -> str:
    other = BotocoreCredentials("AKIAIOSFODNN7EXAMPLE", "not-the-stubs-secret")
    return token_generator.BedrockTokenGenerator().get_token(other, "us-east-1")


def _tampered_key() -> str:
    url = base64.b64decode(short_term_key().removeprefix("bedrock-api-key-")).decode()
    url = url.replace("X-Amz-Expires=43200", "X-Amz-Expires=43199")
    return "bedrock-api-key-" + base64.b64encode(url.encode()).decode()


@pytest.mark.parametrize(
    ("make_key", "message", "status"),
    [
        (lambda mp: _expired_key(mp), NOT_VALID, "expired"),
        (lambda mp: _other_service_key(mp), NOT_VALID, "another-service"),
        (lambda mp: _other_credentials_key(), NOT_VALID, "unknown-access-key"),
        (lambda mp: _tampered_key(), NOT_VALID, "mismatch"),
        (lambda mp: "bedrock-api-key-" + "%%%not base64", NOT_VALID, "not-base64"),
        (lambda mp: "bedrock-api-key-" + base64.b64encode(b"\xff\xfe").decode(), NOT_VALID, "not-base64"),
        (lambda mp: "bedrock-api-key-" + base64.b64encode(b"example.com/?a=b").decode(), NOT_VALID, "another-host"),
        (lambda mp: "ABSKbm90LWEta2V5", NOT_VALID, "unknown-api-key"),
        (lambda mp: "sk-proj-an-openai-key", BAD_FORMAT, "bad-key-format"),
        (lambda mp: "ghp_a-github-token", BAD_FORMAT, "bad-key-format"),
        (lambda mp: "bedrock-api-key-" + "A" * 10_000, BAD_FORMAT, "bad-key-format"),
    ],
    ids=[
        "expired",
        "other-service",
        "other-credentials",
        "tampered",
        "not-base64",
        "not-utf8",
        "other-host",
        "unknown-long-term",
        "openai",
        "github",
        "oversized",
    ],
)
def test_a_bad_api_key_gets_bedrocks_403(tls_stub, monkeypatch, make_key, message, status):
    key = make_key(monkeypatch)
    client = bearer_client(tls_stub, key, monkeypatch)
    with pytest.raises(client.exceptions.AccessDeniedException) as caught:
        client.converse(modelId=HAIKU, messages=MESSAGES)
    assert caught.value.response["Error"]["Message"] == message
    assert caught.value.response["ResponseMetadata"]["HTTPStatusCode"] == 403
    entry = tls_stub.journal.entries()[-1]
    assert (entry.status, entry.signature) == (403, status)


@pytest.mark.parametrize(
    "authorization", ["Bearer", "Bearer ", "bearer bedrock-api-key-", "Bearer " + "x" * 10_000, "Basic Zm9v"]
)
def test_malformed_authorization_headers_get_a_4xx(tls_stub, authorization):
    with httpx.Client(verify=trusting(tls_stub), http2=True) as client:
        response = client.post(
            f"{tls_stub.url}/model/{HAIKU}/converse",
            content=json.dumps({"messages": MESSAGES}),
            headers={"authorization": authorization},
        )
    assert 400 <= response.status_code < 500, response.text


def test_httpx_negotiates_http2_by_alpn(tls_stub):
    with httpx.Client(verify=trusting(tls_stub), http2=True) as client:
        response = client.post(
            f"{tls_stub.url}/model/{HAIKU}/converse",
            content=json.dumps({"messages": MESSAGES}),
            headers={"authorization": f"Bearer {LONG_TERM_KEY}"},
        )
    assert (response.http_version, response.status_code) == ("HTTP/2", 200)
    assert tls_stub.journal.entries()[-1].http_version == "2"


def test_the_javascript_sdk_over_https_and_http2_with_node_extra_ca_certs(tls_stub, js_client):  # noqa: F811
    tls_stub.queue_reply("answered over HTTP/2 and TLS")
    env = {
        "PATH": os.environ["PATH"],
        "HOME": str(js_client),
        "AWS_ENDPOINT_URL_BEDROCK_RUNTIME": tls_stub.url,
        "AWS_ACCESS_KEY_ID": EXAMPLE_ACCESS_KEY_ID,
        "AWS_SECRET_ACCESS_KEY": EXAMPLE_SECRET_ACCESS_KEY,
        "AWS_REGION": "us-east-1",
        "AWS_CONFIG_FILE": os.devnull,
        "AWS_SHARED_CREDENTIALS_FILE": os.devnull,
        "NODE_EXTRA_CA_CERTS": str(tls_stub.ca_file),
        "NODE_NO_WARNINGS": "1",
    }
    result = subprocess.run(
        ["node", "converse.mjs", "converse", HAIKU, "hi"],
        cwd=js_client,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    parsed = json.loads(result.stdout.strip().splitlines()[-1])
    assert parsed.get("content") == [{"text": "answered over HTTP/2 and TLS"}], parsed
    entry = tls_stub.journal.entries()[-1]
    assert (entry.http_version, entry.auth_scheme, entry.signature) == ("2", "sigv4", "valid")


def test_the_ca_file_option_writes_the_authority_that_signs_the_server(tmp_path):
    ca_file = tmp_path / "stub-ca.pem"
    with Stub(tls=True, ca_file=ca_file) as stub:
        assert stub.ca_file == ca_file and stub.url.startswith("https://127.0.0.1:")
        with httpx.Client(verify=ssl.create_default_context(cafile=ca_file)) as client:
            assert client.post(f"{stub.url}/model/{HAIKU}/converse", content=b"{}").status_code == 403
        with httpx.Client(verify=True) as client, pytest.raises(httpx.ConnectError):
            client.post(f"{stub.url}/model/{HAIKU}/converse", content=b"{}")


def test_the_command_refuses_bad_region_and_key_options(capsys):
    for argv in (["--region", "us-east-1,Mars"], ["--api-key", "has space"]):
        with pytest.raises(SystemExit) as exited:
            cli.main(argv)
        assert exited.value.code == 2
    assert cli.main(["--ca-file", "x.pem"]) == 2
    errors = capsys.readouterr().err.splitlines()
    assert len(errors) == 3 and "'Mars' is not a region name" in errors[0] and "needs --tls" in errors[2]


def test_bearer_keys_need_https_in_botocore_so_plain_http_stays_sigv4(monkeypatch):
    # Why --tls exists: botocore refuses to send a bearer token to an http:// endpoint.
    with Stub() as stub:
        client = bearer_client(stub, LONG_TERM_KEY, monkeypatch)
        monkeypatch.setenv("AWS_ENDPOINT_URL_BEDROCK_RUNTIME", stub.url)
        with pytest.raises(Exception, match="HTTPS"):
            client.converse(modelId=HAIKU, messages=MESSAGES)


def test_the_command_serves_https_regions_keys_and_a_models_file(tmp_path, monkeypatch):
    models = tmp_path / "models.json"
    models.write_text(
        json.dumps(
            {
                "models": [
                    {
                        "model_id": "anthropic.claude-opus-5-5",
                        "max_output_tokens": 128000,
                        "profiles": ["global"],
                        "profile_only": True,
                    }
                ]
            }
        )
    )
    ca_file = tmp_path / "ca.pem"
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "bedrock_stub",
            "--tls",
            "--ca-file",
            str(ca_file),
            "--region",
            "us-east-1,us-west-2",
            "--api-key",
            LONG_TERM_KEY,
            "--models",
            str(models),
            "--reply",
            "from the command",
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        assert process.stdout is not None and process.stderr is not None
        url = process.stdout.readline().strip()
        assert url.startswith("https://127.0.0.1:")
        hints = [process.stderr.readline() for _ in range(5)]
        assert str(ca_file) in hints[0]
        assert [hint.split()[1].partition("=")[0] for hint in hints[1:4]] == [
            "AWS_CA_BUNDLE",
            "NODE_EXTRA_CA_CERTS",
            "SSL_CERT_FILE",
        ]
        assert "keytool -importcert" in hints[4] and "javax.net.ssl.trustStore" in hints[4]
        running = SimpleNamespace(url=url, ca_file=ca_file)
        client = bearer_client(running, LONG_TERM_KEY, monkeypatch, region="us-west-2")
        response = client.converse(modelId="global.anthropic.claude-opus-5-5", messages=MESSAGES)
        assert response["output"]["message"]["content"] == [{"text": "from the command"}]
    finally:
        process.send_signal(signal.SIGTERM)
        _, stderr = process.communicate(timeout=15)
    assert process.returncode == 0, stderr


def test_the_pytest_fixture_trusts_a_tls_stub(pytester):
    pytester.makeconftest(
        """
import pytest

@pytest.fixture(scope="session")
def bedrock_stub_options():
    return {"tls": True, "reply": "over https"}
"""
    )
    pytester.makepyfile(
        """
import os, boto3

def test_boto3_reaches_the_https_stub(bedrock_stub):
    assert bedrock_stub.url.startswith("https://")
    assert os.environ["AWS_CA_BUNDLE"] == str(bedrock_stub.ca_file)
    reply = boto3.client("bedrock-runtime").converse(
        modelId="anthropic.claude-3-haiku-20240307-v1:0",
        messages=[{"role": "user", "content": [{"text": "hi"}]}],
    )
    assert reply["output"]["message"]["content"] == [{"text": "over https"}]
"""
    )
    pytester.runpytest_subprocess("-p", "no:cacheprovider").assert_outcomes(passed=1)


def test_the_region_option_takes_a_list_or_any():
    parser = cli.build_parser()
    assert parser.parse_args(["--region", "us-east-1,us-west-2"]).region == ("us-east-1", "us-west-2")
    assert parser.parse_args(["--region", "any"]).region is None
    assert parser.parse_args([]).region == ("us-east-1",)
