"""How a sample's printed answer is cut out of its standard output."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal


@dataclass(frozen=True)
class Extraction:
    """The answer is the text after the line `after` (or from the start) up to the line `before` (or the end).

    With `after_prefix`, the answer starts on the first line that begins with that label, right after it (a
    program that prints `Response: <text>`), and runs to the line `before` or the end. The final newline the
    program printed after the answer is not part of it. `stream` is where the program prints its answer (a Go
    scenario logs it, and Go's logger writes to standard error).
    """

    after: str | None = None
    before: str | None = None
    after_prefix: str | None = None
    stream: Literal["stdout", "stderr"] = "stdout"

    def __post_init__(self) -> None:
        if self.after is not None and self.after_prefix is not None:
            raise ValueError("an extraction takes `after` or `after_prefix`, not both")
        if self.after_prefix == "":
            raise ValueError("`after_prefix` must not be empty: use no label to take the output from its start")

    def extract_printed(self, stdout: str, stderr: str) -> str | None:
        """The answer, from whichever stream the program prints it on."""
        return self.extract(stdout if self.stream == "stdout" else stderr)

    def extract(self, stdout: str) -> str | None:
        text = stdout
        if self.after_prefix is not None:
            start = _line_start(text, self.after_prefix)
            if start is None:
                return None
            text = text[start + len(self.after_prefix) :]
        if self.after is not None:
            marker = self.after + "\n"
            start = _line_start(text, marker)
            if start is None:
                return None
            text = text[start + len(marker) :]
        if self.before is not None:
            end = _line_start(text, self.before + "\n")
            if end is None:
                end = _line_start(text, self.before) if text.endswith(self.before) else None
            if end is None:
                return None
            text = text[:end]
        return text[:-1] if text.endswith("\n") else text

    def describe(self) -> str:
        parts = []
        if self.after_prefix is not None:
            parts.append(f"after the label {self.after_prefix!r} that starts a line")
        if self.after is not None:
            parts.append(f"after the line {self.after!r}")
        if self.before is not None:
            parts.append(f"before the line {self.before!r}")
        where = "standard output " if self.stream == "stdout" else "standard error "
        return where + (" and ".join(parts) if parts else "as a whole")


def _line_start(text: str, line: str) -> int | None:
    """Where `line` begins as a whole line of `text`, or None."""
    if text.startswith(line):
        return 0
    index = text.find("\n" + line)
    return None if index < 0 else index + 1


WHOLE_OUTPUT = Extraction()


@dataclass(frozen=True)
class AfterInlineMarker(Extraction):
    """The answer follows `after` even where `after` does not start a line: a program that prints streamed text
    without a final newline runs straight into its next line."""

    def extract(self, stdout: str) -> str | None:
        assert self.after is not None
        marker = self.after + "\n"
        start = stdout.find(marker)
        if start < 0:
            return None
        text = stdout[start + len(marker) :]
        return text[:-1] if text.endswith("\n") else text

    def describe(self) -> str:
        return f"standard output after {self.after!r} and its newline"


ATTEMPT_ERROR_START = "\n\nError: "


@dataclass(frozen=True)
class AfterAttemptErrors(Extraction):
    """Like Extraction, but first drops the lines a stream handler's onError prints for attempts the SDK then
    retried: the SDK calls onError for each failed attempt, so a throttled call that succeeds on retry prints
    "\\n\\nError: ..." before the reply."""

    def extract(self, stdout: str) -> str | None:
        text = super().extract(stdout)
        rest = text
        while rest and rest.startswith(ATTEMPT_ERROR_START):
            end = rest.find("\n", len(ATTEMPT_ERROR_START))
            rest = "" if end < 0 else rest[end + 1 :]
        # Nothing after the error lines: the call failed for good, and those lines are its whole output.
        return rest or text

    def describe(self) -> str:
        return super().describe() + ", past the lines its stream handler prints for retried attempts"


@dataclass(frozen=True)
class AfterLastLine(Extraction):
    """Like Extraction, but the answer follows the last line `after`: a conversation prints each of the model's
    answers under the same label (the text before a tool call, then the final one), and the last is the reply."""

    def extract(self, stdout: str) -> str | None:
        assert self.after is not None
        marker = self.after + "\n"
        start = stdout.rfind("\n" + marker)
        start = start + 1 if start >= 0 else (0 if stdout.startswith(marker) else -1)
        if start < 0:
            return None
        return Extraction(before=self.before).extract(stdout[start + len(marker) :])

    def describe(self) -> str:
        return super().describe().replace("after the line", "after the last line")
