"""The registry's record types: a language, its toolchain, build steps, checks and samples."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

from bedrock_stub import STREAMING_OPERATIONS

from ..extraction import WHOLE_OUTPUT, Extraction

ROOT = Path(__file__).resolve().parent.parent.parent
# The region a sample's code signs for unless its record says otherwise (the documentation's examples mostly use it).
DEFAULT_REGION = "us-east-1"


@dataclass(frozen=True)
class Tool:
    """A program a language needs on PATH, and how a user gets it."""

    command: str
    needed_for: str
    how_to_install: str

    def missing_message(self) -> str:
        return f"`{self.command}` ({self.needed_for}) is not on PATH; install it: {self.how_to_install}"


@dataclass(frozen=True)
class Step:
    """An install or build command; skipped when its inputs and command are unchanged and its outputs exist."""

    name: str
    commands: tuple[tuple[str, ...], ...]
    inputs: tuple[str, ...] = ()
    outputs: tuple[str, ...] = ()
    timeout: float = 900.0
    # Skip the step whenever its outputs exist, whoever made them (a user's own install, an offline copy).
    satisfied_by_outputs: bool = False
    # If set, a failure of this step means the SDK cannot be had here: the language is skipped with this message.
    unavailable: str | None = None
    # Programs (looked up on PATH) whose installed build the outputs belong to: replacing one reruns the step.
    toolchain: tuple[str, ...] = ()


@dataclass(frozen=True)
class Check:
    """A static check of a sample's sources (formatter, linter, parser), run by `nox -s lint`.

    `{files}` in the command stands for every file matching `files` (relative to the language folder); `{file}`
    runs the command once per matching file (for tools that check only their first argument, like `php -l`).
    """

    name: str
    command: tuple[str, ...]
    tools: tuple[Tool, ...] = ()
    files: str | None = None
    after_steps: bool = False  # needs the language's install and build steps first
    fails_on_output: bool = False  # for tools that list offending files and still exit 0 (gofmt -l)


@dataclass(frozen=True)
class ErrorPath:
    """What the sample's own error handling prints when the service answers with an error.

    Some printed line contains `line`, which may use {model_id}, {error} (the error's name) and {message} (the
    service's message), and `*` for text that varies (request ids, status details). `exit_code` None means any
    non-zero code (an unhandled exception's code varies).
    """

    line: str
    stream: Literal["stdout", "stderr"] = "stdout"
    exit_code: int | None = 1
    # False where the handler prints a reason of its own instead of the service's message (Rust's "Unknown").
    prints_message: bool = True

    def expected_line(self, model_id: str, error: str, message: str) -> str:
        return self.line.format(model_id=model_id, error=error, message=message)

    def found_in(self, text: str, model_id: str, error: str, message: str) -> bool:
        """Whether some line of `text` holds the expected line's parts, in order."""
        parts = self.expected_line(model_id, error, message).split("*")
        for printed in text.splitlines():
            position = 0
            for part in parts:
                position = printed.find(part, position)
                if position < 0:
                    break
                position += len(part)
            else:
                return True
        return False


@dataclass(frozen=True)
class ToolUse:
    """A tool the sample offers the model: the call a tool round trip makes the model send (its name and input
    as the sample's tool specification asks for them)."""

    name: str
    input: tuple[tuple[str, str], ...]


@dataclass(frozen=True)
class Sample:
    id: str
    title: str
    source: str  # the documented code, relative to the language folder
    run: tuple[str, ...]
    operation: str
    model_id: str
    on_error: ErrorPath
    extraction: Extraction = WHOLE_OUTPUT
    # Documented request rules the sample breaks, which the stub records (and rejects under --strict).
    expected_findings: tuple[str, ...] = ()
    # Text only this sample's request body holds, where one run makes several requests to the same model.
    request_marker: str | None = None
    # `path@commit`: the documented file in awsdocs/aws-doc-sdk-examples and the commit it was mirrored from (for a
    # file since removed, the last commit that held it); `nox -s upstream` compares it with upstream's HEAD.
    upstream: str = ""
    # The service errors its own error handling catches (None: all of them), and what it does with the others.
    caught_errors: tuple[str, ...] | None = None
    on_uncaught: ErrorPath | None = None
    # True where the sample never asks its event stream for an error: a stream that breaks off ends its loop
    # quietly, so it prints the text that came before the break and ends normally.
    ignores_stream_errors: bool = False
    # What a user types, line by line, into a program that asks (None: its standard input is empty).
    stdin: str | None = None
    # The tool it offers the model, if any (the tool round trip scenario calls it).
    tool: ToolUse | None = None
    # The region its code signs for (the harness gives the process this region, and the stub serves it).
    region: str = DEFAULT_REGION

    @property
    def streams(self) -> bool:
        return self.operation in STREAMING_OPERATIONS

    def error_path(self, error: str) -> ErrorPath:
        caught = self.caught_errors is None or error in self.caught_errors
        return self.on_error if caught or self.on_uncaught is None else self.on_uncaught


@dataclass(frozen=True)
class Floor:
    """A language's start-up floor for the benchmark: its runtime starting, loading the SDK, building the client
    and printing, with no request. `{floors}` is bedrock_mirror/bench/floors, `{cache}` the benchmark's build folder."""

    run: tuple[str, ...]
    build: tuple[tuple[str, ...], ...] = ()


@dataclass(frozen=True)
class Installed:
    """Where the SDK version a build actually holds is read (bedrock_mirror/versions.py has one reader per `kind`).

    `path` is relative to the language folder; `name` is the package as that place spells it.
    """

    kind: Literal["python-venv", "npm", "jar", "go-binary", "composer", "nuget-assets", "cargo-deps"]
    path: str
    name: str


@dataclass(frozen=True)
class Sdk:
    package: str
    manifest: str  # where the pinned version is read, relative to the language folder
    installed: Installed | None = None  # where the version the build holds is read
    # Commands that move a copy of the language folder to the SDK's newest release (`--sdk latest`); none: it has
    # no newer release to try.
    upgrade: tuple[tuple[str, ...], ...] = ()


@dataclass(frozen=True)
class Language:
    name: str
    title: str
    folder: str
    tools: tuple[Tool, ...]
    sdk: Sdk
    steps: tuple[Step, ...]
    samples: tuple[Sample, ...] = field(default_factory=tuple)
    # The language's own unit tests (run by `nox -s tests` after the build steps), if it has any.
    unit_tests: tuple[str, ...] | None = None
    checks: tuple[Check, ...] = ()
    # Whether the SDK retries a throttled request by default (every AWS SDK does; an emulation may not).
    retries_throttling: bool = True
    floor: Floor | None = None

    @property
    def path(self) -> Path:
        return ROOT / self.folder

    def programs(self) -> dict[tuple[str, ...], tuple[Sample, ...]]:
        """Each distinct run command with the samples it runs, in the registry's order: samples with the same
        command (one program holding several snippets) share one run."""
        found: dict[tuple[str, ...], tuple[Sample, ...]] = {}
        for sample in self.samples:
            found[sample.run] = (*found.get(sample.run, ()), sample)
        return found
