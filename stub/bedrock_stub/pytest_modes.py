"""Record and replay for the pytest fixture: a folder of recordings per test, chosen from the command line.

    pytest --bedrock-record recordings/ --bedrock-upstream https://bedrock-runtime.us-east-1.amazonaws.com
    pytest --bedrock-replay recordings/

Each test that uses `bedrock_stub` gets its own folder, `<DIR>/<module>/<test>/`, and the modes follow
pytest-recording's `--record-mode`: `none` replays only (the default with --bedrock-replay), `once` records a test
whose folder holds no recording yet and replays the others, `new_episodes` replays and records what is missing,
`all` records every test afresh (the default with --bedrock-record). The upstream's credentials come from botocore's
chain, read once when the session starts, before the fixture clears the AWS environment for each test.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

import pytest

from .recordings import RecordingError, safe_name
from .relay import Relay
from .upstream import Upstream

RecordMode = Literal["none", "once", "new_episodes", "all"]
RECORD_MODES: tuple[RecordMode, ...] = ("none", "once", "new_episodes", "all")


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("bedrock-stub", "record and replay for the bedrock_stub fixture")
    group.addoption("--bedrock-record", metavar="DIR", help="record each test's Bedrock calls in DIR/<module>/<test>/")
    group.addoption(
        "--bedrock-upstream",
        metavar="URL",
        help="where recorded calls go (no default; real Bedrock is a real account and costs money), e.g. "
        "https://bedrock-runtime.us-east-1.amazonaws.com",
    )
    group.addoption(
        "--bedrock-replay", metavar="DIR", help="answer each test's Bedrock calls from DIR/<module>/<test>/"
    )
    group.addoption(
        "--bedrock-record-mode",
        choices=RECORD_MODES,
        help="as pytest-recording's --record-mode: none, once, new_episodes or all (default: all when recording, "
        "none when replaying)",
    )


@dataclass(frozen=True)
class RecordingOptions:
    folder: Path
    mode: RecordMode
    upstream: Upstream | None

    def relay_for(self, folder: Path) -> Relay:
        """The relay of one test, whose recordings live in `folder`."""
        has_recordings = folder.is_dir() and any(folder.glob("*.json"))
        if self.mode == "all" or (self.mode == "once" and not has_recordings):
            assert self.upstream is not None
            if self.mode == "all" and folder.is_dir():
                for old in folder.glob("[0-9][0-9][0-9][0-9]-*.json"):
                    old.unlink()
            return Relay.recording(folder, self.upstream)
        if self.mode == "new_episodes":
            return Relay.replaying(folder, upstream=self.upstream, record_on_miss=True)
        # Without a folder, every request gets the "no recording matches" error.
        return Relay.replaying(folder) if folder.is_dir() else Relay("replay", folder)


def options_from(config: pytest.Config) -> RecordingOptions | None:
    record, replay = config.getoption("bedrock_record"), config.getoption("bedrock_replay")
    upstream_url, chosen = config.getoption("bedrock_upstream"), config.getoption("bedrock_record_mode")
    if record is None and replay is None:
        if upstream_url or chosen:
            raise pytest.UsageError("--bedrock-upstream and --bedrock-record-mode need --bedrock-record or -replay")
        return None
    if record is not None and replay is not None:
        raise pytest.UsageError("--bedrock-record or --bedrock-replay, not both (see --bedrock-record-mode)")
    mode: RecordMode = chosen or ("all" if record is not None else "none")
    if mode != "none" and not upstream_url:
        raise pytest.UsageError(f"record mode {mode} needs --bedrock-upstream URL: there is none by default")
    try:
        upstream = Upstream(upstream_url) if upstream_url else None
    except ValueError as exc:
        raise pytest.UsageError(f"--bedrock-upstream: {exc}") from None
    return RecordingOptions(Path(record or replay), mode, upstream)


def test_folder(root: Path, item: pytest.Item) -> Path:
    """`<root>/<module>/<test>`: each part reduced to safe characters, so no test name can lead out of the root."""
    module = safe_name(Path(str(item.fspath)).stem) if getattr(item, "fspath", None) else "tests"
    return root / module / safe_name(item.name, limit=120)


_OPTIONS = pytest.StashKey[RecordingOptions | None]()


def pytest_configure(config: pytest.Config) -> None:
    # Here, once: a bad combination is a usage error, and the credential chain is read before any test changes it.
    config.stash[_OPTIONS] = options_from(config)


@pytest.fixture(scope="session")
def bedrock_recording_options(pytestconfig: pytest.Config) -> RecordingOptions | None:
    """The session's record or replay options (None: the stub answers by itself)."""
    return pytestconfig.stash.get(_OPTIONS, None)


@pytest.fixture(autouse=True)
def _bedrock_recording(request: pytest.FixtureRequest) -> Iterator[None]:
    """Points the session's stub at this test's recordings while the test runs, when a mode is on."""
    if "bedrock_stub" not in request.fixturenames:
        yield
        return
    options: RecordingOptions | None = request.getfixturevalue("bedrock_recording_options")
    if options is None:
        yield
        return
    # The test's fixture first: its reset (to the stub as constructed) must come before the relay is set here.
    request.getfixturevalue("bedrock_stub")
    server = request.getfixturevalue("bedrock_stub_server")
    try:
        relay = options.relay_for(test_folder(options.folder, request.node))
    except (RecordingError, ValueError) as error:
        pytest.fail(f"bedrock-stub: {error}", pytrace=False)
    server.state.relay = relay
    try:
        yield
    finally:
        server.state.relay = None
