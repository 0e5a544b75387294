"""Every request's SigV4 signature is checked; refusals are the 403s real AWS gives."""

from __future__ import annotations

import base64
import re
import string
import typing
from datetime import datetime, timedelta, timezone

import boto3
import httpx
import pytest
from bedrock_stub import EXAMPLE_ACCESS_KEY_ID, EXAMPLE_SECRET_ACCESS_KEY, Credentials, Stub, sigv4
from bedrock_stub.sigv4 import SignatureStatus
from botocore.auth import SigV4Auth
from botocore.awsrequest import AWSRequest, HTTPHeaders
from botocore.config import Config
from botocore.credentials import Credentials as BotocoreCredentials
from hypothesis import given, settings
from hypothesis import strategies as st

from tests.helpers import HAIKU, bedrock_client, examples, messages_body, now, signed_headers

PATH = "/model/anthropic.claude-3-haiku-20240307-v1%3A0/invoke"


def post(stub: Stub, headers: dict[str, str], body: bytes | None = None, *, http2: bool = False) -> httpx.Response:
    with httpx.Client(http1=not http2, http2=http2) as raw:
        return raw.post(stub.url + PATH, content=messages_body().encode() if body is None else body, headers=headers)


def refusal(response: httpx.Response) -> tuple[int, str]:
    return response.status_code, response.headers["x-amzn-errortype"]


@pytest.mark.parametrize("http2", [False, True], ids=["http1.1", "h2c"])
def test_a_botocore_signed_raw_request_is_accepted(stub, http2):
    body = messages_body().encode()
    assert post(stub, signed_headers(stub.url + PATH, body), body, http2=http2).status_code == 200
    assert stub.journal.entries()[-1].signature == "valid"


def test_unsigned_request_is_refused(stub):
    assert refusal(post(stub, {"Content-Type": "application/json"})) == (403, "MissingAuthenticationTokenException")


def test_unknown_access_key_is_unrecognized(stub):
    client = bedrock_client(stub.url, access_key="AKIAIOSFODNN7EXAMPLE")
    with pytest.raises(client.exceptions.ClientError) as caught:
        client.invoke_model(modelId=HAIKU, body=messages_body())
    assert caught.value.response["Error"] == {
        "Code": "UnrecognizedClientException",
        "Message": "The security token included in the request is invalid.",
    }
    assert caught.value.response["ResponseMetadata"]["HTTPStatusCode"] == 403


def test_wrong_secret_is_an_invalid_signature(stub):
    client = bedrock_client(stub.url, secret="not-the-secret")
    with pytest.raises(client.exceptions.ClientError) as caught:
        client.invoke_model(modelId=HAIKU, body=messages_body())
    assert caught.value.response["Error"]["Code"] == "InvalidSignatureException"
    assert caught.value.response["Error"]["Message"].startswith(
        "The request signature we calculated does not match the signature you provided."
    )


def test_a_body_changed_after_signing_is_refused(stub):
    body = messages_body().encode()
    headers = signed_headers(stub.url + PATH, body)
    assert refusal(post(stub, headers, body.replace(b"512", b"513"))) == (403, "InvalidSignatureException")
    assert stub.journal.entries()[-1].signature == "mismatch"


def test_a_signature_for_another_service_is_refused(stub):
    body = messages_body().encode()
    response = post(stub, signed_headers(stub.url + PATH, body, service="s3"), body)
    assert refusal(response) == (403, "InvalidSignatureException")
    assert "correct service: 'bedrock'" in response.json()["message"]


def test_an_expired_signature_is_refused(stub):
    body = messages_body().encode()
    response = post(stub, signed_headers(stub.url + PATH, body, when=now() - timedelta(minutes=20)), body)
    assert refusal(response) == (403, "InvalidSignatureException")
    assert response.json()["message"].startswith("Signature expired:")


def test_a_false_payload_hash_is_refused(stub):
    body = messages_body().encode()
    headers = signed_headers(stub.url + PATH, body)
    headers["X-Amz-Content-SHA256"] = "0" * 64
    assert refusal(post(stub, headers, body)) == (403, "InvalidSignatureException")


def test_garbled_authorization_is_refused(stub):
    headers = {"Authorization": "AWS4-HMAC-SHA256 garbage", "X-Amz-Date": "20260101T000000Z"}
    assert refusal(post(stub, headers)) == (403, "InvalidSignatureException")


def test_credentials_of_its_own_can_be_set():
    with Stub(credentials=Credentials("AKIDSTUBTEST", "stub-secret")) as stub:
        bedrock_client(stub.url, access_key="AKIDSTUBTEST", secret="stub-secret").invoke_model(
            modelId=HAIKU, body=messages_body()
        )
        with pytest.raises(Exception, match="UnrecognizedClientException"):
            bedrock_client(stub.url).invoke_model(modelId=HAIKU, body=messages_body())


# --- the stub's canonical request is botocore's, for any request ---


class _BotocoreWithTheseHeaders(SigV4Auth):
    """botocore's signer, signing exactly the headers the client named."""

    def __init__(self, signed: HTTPHeaders) -> None:
        super().__init__(BotocoreCredentials("AKIDEXAMPLE", "secret"), "bedrock", "us-east-1")
        self._signed = signed

    def headers_to_sign(self, request: AWSRequest) -> HTTPHeaders:
        return self._signed


NAMES = st.sampled_from(
    [
        "host",
        "content-type",
        "x-amz-date",
        "x-amz-user-agent",
        "amz-sdk-request",
        "accept",
        "x-amzn-bedrock-trace",
        "content-length",
    ]
)
VALUES = st.text(alphabet=string.ascii_letters + string.digits + " \t;=,/:-_.", min_size=1, max_size=30).filter(
    lambda value: value.strip()
)
MODEL_IDS = st.text(alphabet=string.ascii_letters + string.digits + ":/.-_~ %", min_size=1, max_size=40)


@settings(max_examples=examples(200), deadline=None)
@given(
    model_id=MODEL_IDS,
    headers=st.lists(st.tuples(NAMES, VALUES), min_size=1, max_size=8),
    query=st.lists(
        st.tuples(
            st.text(string.ascii_lowercase, min_size=1, max_size=5),
            st.text(string.ascii_lowercase + string.digits, max_size=5),
        ),
        max_size=3,
    ),
    body=st.binary(max_size=64),
)
def test_the_canonical_request_is_botocores(model_id, headers, query, body):
    from urllib.parse import quote

    raw_path = f"/model/{quote(model_id, safe='')}/invoke"
    query_text = "&".join(f"{key}={value}" for key, value in query)
    names = tuple(dict.fromkeys(name for name, _ in headers))
    payload_hash = sigv4.hashlib.sha256(body).hexdigest()
    mine = sigv4.canonical_request("POST", raw_path, query_text, headers, names, payload_hash)
    signed = HTTPHeaders()
    for name, value in headers:
        signed.add_header(name, value)
    request = AWSRequest(
        method="POST", url=f"http://127.0.0.1{raw_path}" + (f"?{query_text}" if query_text else ""), data=body
    )
    request.headers["X-Amz-Content-SHA256"] = payload_hash
    assert mine == _BotocoreWithTheseHeaders(signed).canonical_request(request)


# --- region, session token and clock skew, worded as AWS words them ---


def regional_client(url: str, region: str, token: str | None = None):
    client = boto3.client(
        "bedrock-runtime",
        region_name=region,
        endpoint_url=url,
        aws_access_key_id=EXAMPLE_ACCESS_KEY_ID,
        aws_secret_access_key=EXAMPLE_SECRET_ACCESS_KEY,
        aws_session_token=token,
        config=Config(retries={"mode": "standard", "total_max_attempts": 1}),
    )
    return client


def test_a_request_signed_for_another_region_is_refused(stub):
    client = regional_client(stub.url, "eu-west-1")
    with pytest.raises(client.exceptions.ClientError) as caught:
        client.invoke_model(modelId=HAIKU, body=messages_body())
    assert caught.value.response["Error"] == {
        "Code": "InvalidSignatureException",
        "Message": "Credential should be scoped to a valid region, not 'eu-west-1'. ",
    }
    assert caught.value.response["ResponseMetadata"]["HTTPStatusCode"] == 403
    assert stub.journal.entries()[-1].signature == "wrong-region"


def test_a_stub_for_another_region_serves_that_region_only():
    with Stub(region="eu-west-1") as stub:
        regional_client(stub.url, "eu-west-1").invoke_model(modelId=HAIKU, body=messages_body())
        with pytest.raises(Exception, match="valid region, not 'us-east-1'"):
            bedrock_client(stub.url).invoke_model(modelId=HAIKU, body=messages_body())


def test_a_session_token_the_stub_was_not_given_is_unrecognized(stub):
    client = regional_client(stub.url, "us-east-1", token="FwoGZXIvYXdzEXAMPLETOKEN")
    with pytest.raises(client.exceptions.ClientError) as caught:
        client.invoke_model(modelId=HAIKU, body=messages_body())
    assert caught.value.response["Error"] == {
        "Code": "UnrecognizedClientException",
        "Message": "The security token included in the request is invalid.",
    }
    assert caught.value.response["ResponseMetadata"]["HTTPStatusCode"] == 403


def test_a_stub_given_a_session_token_requires_that_token():
    token = "FwoGZXIvYXdzEXAMPLETOKEN"
    with Stub(credentials=Credentials(EXAMPLE_ACCESS_KEY_ID, EXAMPLE_SECRET_ACCESS_KEY, token)) as stub:
        regional_client(stub.url, "us-east-1", token=token).invoke_model(modelId=HAIKU, body=messages_body())
        for wrong in (None, token + "x"):
            with pytest.raises(Exception, match="UnrecognizedClientException"):
                regional_client(stub.url, "us-east-1", token=wrong).invoke_model(modelId=HAIKU, body=messages_body())


def test_a_signature_from_the_future_is_not_yet_current(stub):
    body = messages_body().encode()
    response = post(stub, signed_headers(stub.url + PATH, body, when=now() + timedelta(minutes=20)), body)
    assert refusal(response) == (403, "InvalidSignatureException")
    assert re.fullmatch(
        r"Signature not yet current: \d{8}T\d{6}Z is still later than \d{8}T\d{6}Z \(\d{8}T\d{6}Z \+ 15 min\.\)",
        response.json()["message"],
    ), response.json()["message"]


def test_skew_messages_name_the_dates_as_aws_does():
    when = datetime(2026, 1, 2, 3, 4, 5, tzinfo=timezone.utc)
    url = "http://127.0.0.1" + PATH
    body = b"{}"
    late = [(k.lower(), v) for k, v in signed_headers(url, body, when=when + timedelta(minutes=16)).items()]
    early = [(k.lower(), v) for k, v in signed_headers(url, body, when=when - timedelta(minutes=16)).items()]
    assert sigv4.verify("POST", PATH, "", late, body, Credentials(), now=when).error.message == (
        "Signature not yet current: 20260102T032005Z is still later than 20260102T031905Z (20260102T030405Z + 15 min.)"
    )
    assert sigv4.verify("POST", PATH, "", early, body, Credentials(), now=when).error.message == (
        "Signature expired: 20260102T024805Z is now earlier than 20260102T024905Z (20260102T030405Z - 15 min.)"
    )
    # Within the window either way: the signature is checked, and holds.
    near = [("host", "127.0.0.1")]
    near += [(k.lower(), v) for k, v in signed_headers(url, body, when=when + timedelta(minutes=14)).items()]
    assert sigv4.verify("POST", PATH, "", near, body, Credentials(), now=when).valid


@settings(max_examples=examples(50), deadline=None)
@given(key=st.binary(min_size=32, max_size=32), message=st.binary(max_size=300))
def test_the_primed_signer_computes_hmac_sha256(key, message):
    import hashlib
    import hmac

    assert sigv4._Signer(key).sign(message) == hmac.new(key, message, hashlib.sha256).hexdigest()


# --- the journal's verdicts: the closed set sigv4.SignatureStatus, each one reached by a request ---


def _signed_with_session_token(url: str, body: bytes) -> dict[str, str]:
    request = AWSRequest(method="POST", url=url, data=body, headers={"Content-Type": "application/json"})
    credentials = BotocoreCredentials(EXAMPLE_ACCESS_KEY_ID, EXAMPLE_SECRET_ACCESS_KEY, "a-token-the-stub-lacks")
    SigV4Auth(credentials, "bedrock", "us-east-1").add_auth(request)
    return dict(request.headers.items())


def _short_term_key(url: str) -> str:
    return "bedrock-api-key-" + base64.b64encode(url.encode()).decode()


def _tampered(headers: dict[str, str], name: str, value: str) -> dict[str, str]:
    return {**headers, name: value}


# Each verdict with a request that earns it: (headers, body sent) from the URL and the body signed.
_REQUESTS_BY_VERDICT = {
    "valid": lambda url, body: (signed_headers(url, body), body),
    "missing": lambda url, body: ({"Content-Type": "application/json"}, body),
    "malformed": lambda url, body: ({"Authorization": "AWS4-HMAC-SHA256 garbage"}, body),
    "mismatch": lambda url, body: (signed_headers(url, body), body.replace(b"512", b"513")),
    "unknown-access-key": lambda url, body: (signed_headers(url, body, access_key="AKIAIOSFODNN7EXAMPLE"), body),
    "unknown-session-token": lambda url, body: (_signed_with_session_token(url, body), body),
    "wrong-region": lambda url, body: (
        {k: v.replace("/us-east-1/", "/eu-west-1/") for k, v in signed_headers(url, body).items()},
        body,
    ),
    "wrong-service": lambda url, body: (signed_headers(url, body, service="s3"), body),
    "expired": lambda url, body: (signed_headers(url, body, when=now() - timedelta(minutes=20)), body),
    "not-yet-current": lambda url, body: (signed_headers(url, body, when=now() + timedelta(minutes=20)), body),
    "payload-hash-mismatch": lambda url, body: (
        _tampered(signed_headers(url, body), "X-Amz-Content-SHA256", "0" * 64),
        body,
    ),
    "unknown-api-key": lambda url, body: ({"Authorization": "Bearer ABSKbm90LWEta2V5"}, body),
    "bad-key-format": lambda url, body: ({"Authorization": "Bearer sk-not-a-bedrock-key"}, body),
    "not-base64": lambda url, body: ({"Authorization": "Bearer bedrock-api-key-%%%"}, body),
    "another-host": lambda url, body: ({"Authorization": "Bearer " + _short_term_key("example.com/?a=b")}, body),
    "another-action": lambda url, body: (
        {"Authorization": "Bearer " + _short_term_key("bedrock.amazonaws.com/?Action=AssumeRole&Version=1")},
        body,
    ),
    "another-service": lambda url, body: (
        {
            "Authorization": "Bearer "
            + _short_term_key(
                "bedrock.amazonaws.com/?Action=CallWithBearerToken&X-Amz-Algorithm=AWS4-HMAC-SHA256"
                f"&X-Amz-Credential={EXAMPLE_ACCESS_KEY_ID}%2F20260101%2Fus-east-1%2Fsts%2Faws4_request"
                "&X-Amz-Date=20260101T000000Z&X-Amz-Expires=43200&X-Amz-SignedHeaders=host&X-Amz-Signature=00&Version=1"
            )
        },
        body,
    ),
}


def test_every_signature_verdict_is_one_a_request_earns_and_the_journal_shows():
    # The table covers the closed set exactly: a verdict added to the type needs a request here, and one no
    # request can earn has no place in it.
    assert set(_REQUESTS_BY_VERDICT) == set(typing.get_args(SignatureStatus))
    body = messages_body().encode()
    shown = {}
    with Stub() as stub, httpx.Client() as raw:
        for verdict, request in _REQUESTS_BY_VERDICT.items():
            headers, sent = request(stub.url + PATH, body)
            status = raw.post(stub.url + PATH, content=sent, headers=headers).status_code
            shown[verdict] = (stub.journal.entries()[-1].signature, status == 200)
    assert shown == {verdict: (verdict, verdict == "valid") for verdict in _REQUESTS_BY_VERDICT}


@settings(max_examples=300, deadline=None)
@given(st.lists(st.sampled_from(["", ".", "..", "model", "a.b", ".x", "%2E", "invoke"]), max_size=8))
def test_the_canonical_path_removes_segments_as_botocores_signer_does(segments):
    from botocore.utils import normalize_url_path

    path = "/" + "/".join(segments)
    # The stub answers most paths without botocore.utils; every path must come out as botocore's signer makes it.
    assert sigv4._canonical_path(path) == sigv4.quote(normalize_url_path(path), safe="/~")


def test_importing_the_stub_leaves_the_slow_optional_libraries_unimported():
    import subprocess
    import sys

    slow = "{'botocore', 'jsonschema', 'httpx', 'regex'}"
    code = f"import sys, bedrock_stub.cli; print(sorted({{m.split('.')[0] for m in sys.modules}} & {slow}))"
    found = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout.strip()
    # botocore's signer, jsonschema, httpx and the regex engine are imported when a request or a rule needs them
    # (signing with an odd path, a schema, recording, a rule's regex), not at start, where they would cost most of the
    # stub's start-up time.
    assert found == "[]"
