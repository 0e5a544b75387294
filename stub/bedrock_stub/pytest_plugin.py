"""pytest plugin: one stub for the whole session, returned to its starting settings before every test that asks for
`bedrock_stub`.

    def test_my_code_reads_the_reply(bedrock_stub):
        bedrock_stub.queue_reply("Paris")
        assert my_code.ask("Capital of France?") == "Paris"
        assert bedrock_stub.requests[-1].operation == "Converse"

The fixture sets the standard AWS variables for the test alone (endpoint, the stub's keys, region) and removes
every other AWS setting of the caller's (profile, session token, Bedrock API key, config files), so no SDK call
in a test can reach a real account. Override the `bedrock_stub_options` fixture to start the stub differently
(any keyword of `Stub`; with `{"tls": True}` the fixture also sets AWS_CA_BUNDLE to the stub's CA). Before each
test, `Stub.reset()` returns every setting (reply, reasoning, strictness, regions, models, limits, rules, queue,
injected errors, guardrails, journal) to how the session's stub was created. A request the stub fails on (it
answers InternalServerException) fails the test that sent it, in the test's own report, with the stub's exception
and traceback.
"""

from __future__ import annotations

from collections.abc import Generator, Iterator
from typing import Any

import pytest

from bedrock_stub import Stub
from bedrock_stub.journal import JournalEntry

# Record and replay for the fixture (--bedrock-record, --bedrock-replay): its options, hooks and per-test folders.
pytest_plugins = ["bedrock_stub.pytest_modes"]

# Settings that would point an SDK at a real account or another endpoint; the fixture removes them.
_CALLER_SETTINGS = (
    "AWS_PROFILE",
    "AWS_DEFAULT_PROFILE",
    "AWS_SESSION_TOKEN",
    "AWS_SECURITY_TOKEN",
    "AWS_BEARER_TOKEN_BEDROCK",
    "AWS_ENDPOINT_URL",
    "AWS_ROLE_ARN",
    "AWS_ROLE_SESSION_NAME",
    "AWS_WEB_IDENTITY_TOKEN_FILE",
    "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI",
    "AWS_CONTAINER_CREDENTIALS_FULL_URI",
    "AWS_CONTAINER_AUTHORIZATION_TOKEN",
    "AWS_IGNORE_CONFIGURED_ENDPOINT_URLS",
)


class BedrockStubFixture:
    """The shared stub as one test sees it: its requests only, and the stub's reply controls."""

    def __init__(self, stub: Stub) -> None:
        self.stub = stub
        self._mark = stub.journal.mark()

    @property
    def url(self) -> str:
        return self.stub.url

    @property
    def requests(self) -> list[JournalEntry]:
        """The journal entries of this test's requests, oldest first."""
        return self.stub.journal_since(self._mark)

    def check(self) -> None:
        """Re-raises the first exception the stub failed on since the last check (the client got a 500), with
        its own traceback; a note counts any others."""
        failures = self.stub.take_failures()
        if not failures:
            return
        first = failures[0]
        if len(failures) > 1 and hasattr(first, "add_note"):
            first.add_note(f"the Bedrock stub failed on {len(failures)} requests of this test; this is the first")
        raise first

    def __getattr__(self, name: str) -> Any:
        # reply, state, journal, inject_error, add_rule, queue_reply, reset, ... come from the stub itself.
        return getattr(self.stub, name)

    def __setattr__(self, name: str, value: Any) -> None:
        if name in ("stub", "_mark"):
            object.__setattr__(self, name, value)
        else:
            setattr(self.stub, name, value)


@pytest.fixture(scope="session")
def bedrock_stub_options() -> dict[str, Any]:
    """Keywords for `Stub(...)`; override this fixture to change how the session's stub starts."""
    return {}


@pytest.fixture(scope="session")
def bedrock_stub_server(bedrock_stub_options: dict[str, Any]) -> Iterator[Stub]:
    """The session's running stub (started on first use, stopped at the session's end)."""
    with Stub(**bedrock_stub_options) as stub:
        yield stub


@pytest.fixture
def bedrock_stub(
    bedrock_stub_server: Stub, monkeypatch: pytest.MonkeyPatch, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[BedrockStubFixture]:
    """The stub, reset, with this test's environment pointing every AWS SDK at it."""
    stub = bedrock_stub_server
    stub.reset()
    for name in _CALLER_SETTINGS:
        monkeypatch.delenv(name, raising=False)
    empty = tmp_path_factory.mktemp("bedrock-stub-aws") / "none"
    monkeypatch.setenv("AWS_CONFIG_FILE", str(empty))
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(empty))
    monkeypatch.setenv("AWS_EC2_METADATA_DISABLED", "true")
    monkeypatch.setenv("AWS_ENDPOINT_URL_BEDROCK_RUNTIME", stub.url)
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", stub.credentials.access_key_id)
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", stub.credentials.secret_access_key)
    if stub.credentials.session_token:
        monkeypatch.setenv("AWS_SESSION_TOKEN", stub.credentials.session_token)
    if stub.ca_file is not None:
        # A stub started with tls=True (through `bedrock_stub_options`): botocore trusts its CA from here.
        monkeypatch.setenv("AWS_CA_BUNDLE", str(stub.ca_file))
    monkeypatch.setenv("AWS_REGION", stub.region)
    monkeypatch.setenv("AWS_DEFAULT_REGION", stub.region)
    fixture = BedrockStubFixture(stub)
    yield fixture
    # Requests sent after the test's call (by other fixtures' teardown) fail here, in the teardown.
    fixture.check()


@pytest.hookimpl(wrapper=True)
def pytest_runtest_call(item: pytest.Item) -> Generator[None, object, object]:
    """Fails the test whose request the stub failed on, in its call phase, with the stub's own exception."""
    fixture = getattr(item, "funcargs", {}).get("bedrock_stub")
    try:
        result = yield
    except BaseException:
        if isinstance(fixture, BedrockStubFixture):
            # The stub's exception is what the test reports; the test's own error (often the SDK's 500) shows
            # above it, as the exception being handled.
            failures = fixture.stub.take_failures()
            if failures:
                raise failures[0]  # noqa: B904
        raise
    if isinstance(fixture, BedrockStubFixture):
        fixture.check()
    return result
