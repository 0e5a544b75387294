"""Fixtures: a live stub per test, a boto3 client aimed at it, one raw HTTP client for the session; the Hypothesis
profiles (helpers live in tests/helpers.py)."""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest
from bedrock_stub import Stub
from hypothesis import settings

from tests.helpers import DEEP_MAX_EXAMPLES, QUICK_MAX_EXAMPLES, bedrock_client

# `quick` unless `--hypothesis-profile=deep` is given (CI gives it): see tests/helpers.py's `examples`.
settings.register_profile("quick", max_examples=QUICK_MAX_EXAMPLES)
settings.register_profile("deep", max_examples=DEEP_MAX_EXAMPLES)
settings.load_profile("quick")


@pytest.fixture
def stub() -> Iterator[Stub]:
    with Stub() as running:
        yield running


@pytest.fixture
def client(stub: Stub):
    return bedrock_client(stub.url)


@pytest.fixture(scope="session")
def http() -> Iterator[httpx.Client]:
    """An HTTP/1.1 client for raw requests, one for the whole session: making a client costs more than a request
    to the stub (an SSL context each), which property tests send hundreds of."""
    with httpx.Client(timeout=10) as client:
        yield client


@pytest.fixture(autouse=True)
def _unguarded_fake_processes(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> None:
    """Under pytest-subprocess's fake processes (`fp`), commands are matched as the test registered them, so they
    are started without the run guard that wraps real ones."""
    if "fp" in request.fixturenames:
        from bedrock_mirror import process

        monkeypatch.setattr(process, "guarded", lambda command, report_fd: list(command))
