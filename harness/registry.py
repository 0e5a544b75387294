"""The one declarative list of samples: every session, test and report iterates it."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from .extraction import WHOLE_OUTPUT, Extraction
from .stub import INVOKE_MODEL, INVOKE_MODEL_STREAM

ROOT = Path(__file__).resolve().parent.parent
CLAUDE_3_HAIKU = "anthropic.claude-3-haiku-20240307-v1:0"


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


@dataclass(frozen=True)
class ErrorPath:
    """What the sample's own error handling prints when the service answers with an error.

    `line` may use {model_id}, {error} (the error's name) and {message} (the service's message).
    """

    line: str
    stream: str = "stdout"
    exit_code: int = 1

    def expected_line(self, model_id: str, error: str, message: str) -> str:
        return self.line.format(model_id=model_id, error=error, message=message)


@dataclass(frozen=True)
class Sample:
    id: str
    title: str
    source: str  # the seed's code, relative to the language folder
    run: tuple[str, ...]
    operation: str
    model_id: str
    on_error: ErrorPath
    extraction: Extraction = WHOLE_OUTPUT
    # Documented request rules the sample breaks, which the stub records (and rejects under --strict).
    expected_findings: tuple[str, ...] = ()


@dataclass(frozen=True)
class Sdk:
    package: str
    manifest: str  # where the pinned version is read, relative to the language folder


@dataclass(frozen=True)
class Language:
    name: str
    title: str
    folder: str
    tools: tuple[Tool, ...]
    sdk: Sdk
    steps: tuple[Step, ...]
    samples: tuple[Sample, ...] = field(default_factory=tuple)

    @property
    def path(self) -> Path:
        return ROOT / self.folder


BOTO3_ERROR = ErrorPath(
    "ERROR: Can't invoke '{model_id}'. Reason: An error occurred ({error}) when calling the InvokeModel operation: "
    "{message}"
)
# The JavaScript module's run-directly block logs the error and ends normally; the streaming runner exits 1.
JS_ERROR = ErrorPath("{error}: {message}", exit_code=0)

PYTHON3 = Tool("python3", "Python 3.9 or later with venv", "Debian: apt-get install python3 python3-venv")
NODE = Tool("node", "Node.js 18 or later", "Debian: apt-get install nodejs npm, or a Node.js release for your system")
NPM = Tool("npm", "the npm package manager", "Debian: apt-get install npm (it comes with most Node.js releases)")

LANGUAGES: tuple[Language, ...] = (
    Language(
        name="python",
        title="Python (boto3)",
        folder="python",
        tools=(PYTHON3,),
        sdk=Sdk("boto3", manifest="requirements.txt"),
        steps=(
            Step(
                "install",
                commands=(
                    ("python3", "-m", "venv", ".venv"),
                    (".venv/bin/python", "-m", "pip", "install", "--quiet", "-r", "requirements.txt"),
                ),
                inputs=("requirements.txt",),
                outputs=(".venv/bin/python",),
            ),
        ),
        samples=(
            Sample(
                id="python",
                title="invoke_model.py",
                source="invoke_model.py",
                run=(".venv/bin/python", "invoke_model.py"),
                operation=INVOKE_MODEL,
                model_id=CLAUDE_3_HAIKU,
                on_error=BOTO3_ERROR,
            ),
        ),
    ),
    Language(
        name="javascript",
        title="JavaScript (SDK v3)",
        folder="javascript",
        tools=(NODE, NPM),
        sdk=Sdk("@aws-sdk/client-bedrock-runtime", manifest="package-lock.json"),
        steps=(
            Step(
                "install",
                commands=(("npm", "ci", "--no-audit", "--no-fund"),),
                inputs=("package.json", "package-lock.json"),
                outputs=("node_modules",),
            ),
        ),
        samples=(
            Sample(
                id="javascript",
                title="invoke_claude_3.js, run directly",
                source="models/anthropicClaude/invoke_claude_3.js",
                run=("node", "models/anthropicClaude/invoke_claude_3.js"),
                operation=INVOKE_MODEL,
                model_id=CLAUDE_3_HAIKU,
                on_error=JS_ERROR,
                extraction=Extraction(after="Final structured response:"),
            ),
            Sample(
                id="javascript-stream",
                title="invokeModelWithResponseStream, through runners/stream_claude_3.js",
                source="models/anthropicClaude/invoke_claude_3.js",
                run=("node", "runners/stream_claude_3.js"),
                operation=INVOKE_MODEL_STREAM,
                model_id=CLAUDE_3_HAIKU,
                on_error=ErrorPath("{error}: {message}", exit_code=1),
            ),
        ),
    ),
)


def language(name: str) -> Language:
    for candidate in LANGUAGES:
        if candidate.name == name:
            return candidate
    raise KeyError(f"no language {name!r}; known: {', '.join(language_names())}")


def language_names() -> list[str]:
    return [candidate.name for candidate in LANGUAGES]


def all_samples() -> list[tuple[Language, Sample]]:
    return [(candidate, sample) for candidate in LANGUAGES for sample in candidate.samples]
