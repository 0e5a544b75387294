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
