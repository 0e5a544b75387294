"""Fixtures: a live stub per test, and a boto3 client aimed at it (helpers live in tests/helpers.py)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from bedrock_stub import Stub

from tests.helpers import bedrock_client


@pytest.fixture
def stub() -> Iterator[Stub]:
    with Stub() as running:
        yield running


@pytest.fixture
def client(stub: Stub):
    return bedrock_client(stub.url)


@pytest.fixture(autouse=True)
def _unguarded_fake_processes(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> None:
    """Under pytest-subprocess's fake processes (`fp`), commands are matched as the test registered them, so they
    are started without the run guard that wraps real ones."""
    if "fp" in request.fixturenames:
        from bedrock_mirror import process

        monkeypatch.setattr(process, "guarded", lambda command, report_fd: list(command))
