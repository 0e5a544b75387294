"""What the tests share: model ids, request bodies, clients and signed raw requests aimed at a stub, fake registry
entries, an ASGI scope, languages built once per test session, and property tests' example budgets."""

from __future__ import annotations

import contextlib
import dataclasses
import functools
import json
import os
import sys
import time
from collections.abc import Callable, Collection, Iterable
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

import boto3
import botocore.auth
import botocore.awsrequest
import botocore.credentials
import pytest
from bedrock_stub import EXAMPLE_ACCESS_KEY_ID, EXAMPLE_SECRET_ACCESS_KEY, JournalEntry, default_reply
from botocore.config import Config
from hypothesis import settings

from bedrock_mirror import pipeline, registry
from bedrock_mirror.environment import ENDPOINT_VARIABLE
from bedrock_mirror.registry import ErrorPath, Language, Sample, Sdk, Step, Tool
from bedrock_mirror.results import SampleResult
from bedrock_mirror.scenarios import PLAIN, Scenario, scenario
from bedrock_mirror.schedule import Suite
from bedrock_mirror.strictness import required_languages

HAIKU = "anthropic.claude-3-haiku-20240307-v1:0"
CLAUDE_V2 = "anthropic.claude-v2"
# Property tests' budgets. tests/conftest.py registers two Hypothesis profiles: `deep` (CI's,
# `--hypothesis-profile=deep`) runs each property test on its full budget, the default `quick` on a fifth of it.
DEEP_MAX_EXAMPLES = 100
QUICK_MAX_EXAMPLES = 20


def examples(deep: int) -> int:
    """A property test's `max_examples`: `deep` under the deep profile, a fifth of it (at least one) under `quick`."""
    return max(1, deep * settings().max_examples // DEEP_MAX_EXAMPLES)


# Non-ASCII, quotes, a backslash, a tab and newlines: what a faithful sample must print unchanged.
TRICKY_REPLY = 'Grüße, 世界 🙂 — "quoted" \\ back\tslash\nsecond line\nthird'


# A fake sample's source: calls the stub with boto3 (configured by the environment alone) and keeps the text.
CALL_THE_STUB = (
    "import boto3, json, sys\n"
    "body = {'anthropic_version': 'bedrock-2023-05-31', 'max_tokens': 512,"
    " 'messages': [{'role': 'user', 'content': 'hi'}]}\n"
    "reply = boto3.client('bedrock-runtime').invoke_model(\n"
    "    modelId='anthropic.claude-3-haiku-20240307-v1:0', body=json.dumps(body))\n"
    "text = json.loads(reply['body'].read())['content'][0]['text']\n"
)


def journal_entry(**changes: Any) -> JournalEntry:
    """A journal entry as the stub records it, with the given fields changed."""
    entry = JournalEntry(
        seq=1,
        time="",
        http_version="1.1",
        method="POST",
        path="/",
        operation="InvokeModel",
        model_id=HAIKU,
        headers=[],
        body=None,
        body_bytes=0,
        body_truncated=False,
        signature="valid",
        status=200,
    )
    return dataclasses.replace(entry, **changes)


def fake_sample(run: tuple[str, ...], **changes: Any) -> Sample:
    """A registry entry for a program of the test's own."""
    sample = Sample(
        id="fake-sample",
        title="fake",
        source="x",
        run=run,
        operation="InvokeModel",
        model_id=HAIKU,
        on_error=ErrorPath("ERROR"),
    )
    return dataclasses.replace(sample, **changes)


def fake_language(
    folder: Path | str, *, tools: Iterable[Tool] = (), steps: Iterable[Step] = (), samples: Iterable[Sample] = ()
) -> Language:
    """A language whose folder, toolchain, steps and samples are the test's own."""
    return Language(
        name="fake",
        title="Fake",
        folder=str(folder),
        tools=tuple(tools),
        sdk=Sdk("fake-sdk", manifest="requirements.txt"),
        steps=tuple(steps),
        samples=tuple(samples),
    )


def script_samples(folder: Path, sources: dict[str, str]) -> tuple[Sample, ...]:
    """One fake entry per Python script, run with the project's Python (which has boto3)."""
    samples = []
    for sample_id, source in sources.items():
        script = folder / f"{sample_id}.py"
        script.write_text(source)
        samples.append(fake_sample((sys.executable, str(script)), id=sample_id, source=script.name))
    return tuple(samples)


def messages_body(text: str = "Describe the purpose of a 'hello world' program in one line.", **extra: object) -> str:
    body = {
        "anthropic_version": "bedrock-2023-05-31",
        "max_tokens": 512,
        "messages": [{"role": "user", "content": [{"type": "text", "text": text}]}],
        **extra,
    }
    return json.dumps(body)


def completions_body(prompt: str = "\n\nHuman: Hi\n\nAssistant:", **extra: object) -> str:
    return json.dumps({"prompt": prompt, "max_tokens_to_sample": 200, "temperature": 0.5, **extra})


def bedrock_client(url: str, secret: str = EXAMPLE_SECRET_ACCESS_KEY, access_key: str = EXAMPLE_ACCESS_KEY_ID) -> Any:
    """A boto3 Bedrock Runtime client aimed at `url`."""
    # One attempt: retried errors would otherwise hit the stub several times per call.
    return boto3.client(
        "bedrock-runtime",
        region_name="us-east-1",
        endpoint_url=url,
        aws_access_key_id=access_key,
        aws_secret_access_key=secret,
        config=Config(retries={"mode": "standard", "total_max_attempts": 1}),
    )


def anthropic_bedrock_client(url: str) -> Any:
    """The Anthropic SDK's Bedrock client aimed at `url`, signing with the stub's keys, one attempt a call; the test
    is skipped, saying what to install, where the SDK is missing."""
    import pytest

    anthropic = pytest.importorskip("anthropic", reason="needs the anthropic package: pip install 'anthropic[bedrock]'")
    return anthropic.AnthropicBedrock(
        base_url=url,
        aws_access_key=EXAMPLE_ACCESS_KEY_ID,
        aws_secret_key=EXAMPLE_SECRET_ACCESS_KEY,
        aws_region="us-east-1",
        max_retries=0,
    )


def signed_headers(
    url: str,
    body: bytes,
    *,
    secret: str = EXAMPLE_SECRET_ACCESS_KEY,
    access_key: str = EXAMPLE_ACCESS_KEY_ID,
    service: str = "bedrock",
    when: datetime | None = None,
    content_type: str | None = "application/json",
) -> dict[str, str]:
    """Headers of a request signed by botocore (at `when`, or now), for sending with a raw HTTP client."""
    headers = {"Content-Type": content_type} if content_type else {}
    request = botocore.awsrequest.AWSRequest(method="POST", url=url, data=body, headers=headers)
    signer = botocore.auth.SigV4Auth(botocore.credentials.Credentials(access_key, secret), service, "us-east-1")
    if when is None:
        signer.add_auth(request)
    else:
        stamp = when.strftime("%Y%m%dT%H%M%SZ")
        request.context["timestamp"] = stamp
        request.headers["X-Amz-Date"] = stamp
        canonical = signer.canonical_request(request)
        signature = signer.signature(signer.string_to_sign(request, canonical), request)
        names = signer.signed_headers(signer.headers_to_sign(request))
        request.headers["Authorization"] = (
            f"AWS4-HMAC-SHA256 Credential={signer.scope(request)}, SignedHeaders={names}, Signature={signature}"
        )
    return dict(request.headers.items())


def now() -> datetime:
    return datetime.now(timezone.utc)


@functools.cache
def _prepared(name: str) -> pipeline.Preparation:
    return pipeline.prepare(registry.language(name), log=lambda message: None)


def ready_language(language: Language) -> None:
    """Installs and builds a language once per test session; skips the test (or fails it, where MIRROR_REQUIRE
    names the language) when the language cannot run here."""
    preparation = _prepared(language.name)
    if preparation.failure:
        pytest.fail(f"{language.name} did not build: {preparation.failure}")
    if preparation.skip_reason:
        if language.name in required_languages(registry.language_names()):
            pytest.fail(f"{language.name} is required (MIRROR_REQUIRE) but cannot run: {preparation.skip_reason}")
        pytest.skip(preparation.skip_reason)


def run_suite(
    languages: Iterable[Language],
    *,
    scenarios: Iterable[Scenario] = (scenario(PLAIN),),
    required: Collection[str] = (),
    reply: str | None = None,
    timeout: float | None = None,
    jobs: int = 2,
    log: Callable[[str], None] = lambda line: None,
    verbose: bool = True,
) -> list[SampleResult]:
    """The languages run as nox runs them: one suite, its pool of workers, a stub of its own for every run."""
    suite = Suite(
        list(languages),
        tuple(scenarios),
        run_id="test",
        required=required,
        log=log,
        reply=reply or default_reply(),
        jobs=jobs,
        timeout=timeout,
        verbose=verbose,
    )
    return suite.run()


def stub_url_of(process: Any) -> str:
    """The stub a fake process (pytest-subprocess's) was pointed at, read from the environment the harness gave it."""
    return str(process.kwargs["env"][ENDPOINT_VARIABLE])


def asgi_scope(
    path: str, body: bytes, *, method: str = "POST", content_type: str = "application/json"
) -> dict[str, Any]:
    """An HTTP/1.1 ASGI scope for a request to `path` carrying `body`, for driving the stub's app without a server."""
    return {
        "type": "http",
        "http_version": "1.1",
        "method": method,
        "path": path,
        "raw_path": path.encode(),
        "query_string": b"",
        "headers": [(b"content-type", content_type.encode()), (b"content-length", str(len(body)).encode())],
    }


def wait_until(condition: Callable[[], bool], within: float) -> bool:
    """Whether `condition` became true within `within` seconds (checked every 10 ms): a bounded wait on a state."""
    deadline = time.monotonic() + within
    while not condition():
        if time.monotonic() > deadline:
            return False
        time.sleep(0.01)
    return True


def process_sockets(pid: int) -> set[str]:
    """A process's open sockets, as `socket:[inode]`, from its descriptor table in /proc (Linux)."""
    found = set()
    for descriptor in Path(f"/proc/{pid}/fd").iterdir():
        with contextlib.suppress(OSError):  # a descriptor closed while listed
            link = os.readlink(descriptor)
            if link.startswith("socket:"):
                found.add(link)
    return found
