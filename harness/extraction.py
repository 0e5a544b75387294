"""How a sample's printed answer is cut out of its standard output."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Extraction:
    """The answer is the text after the line `after` (or from the start) up to the line `before` (or the end).

    With `after_prefix`, the answer starts on the first line that begins with that label, right after it (a
    program that prints `Response: <text>`), and runs to the line `before` or the end. The final newline the
    program printed after the answer is not part of it.
    """

    after: str | None = None
    before: str | None = None
    after_prefix: str | None = None

    def __post_init__(self) -> None:
        if self.after is not None and self.after_prefix is not None:
            raise ValueError("an extraction takes `after` or `after_prefix`, not both")
        if self.after_prefix == "":
            raise ValueError("`after_prefix` must not be empty: use no label to take the output from its start")

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
        return "standard output " + (" and ".join(parts) if parts else "as a whole")


def _line_start(text: str, line: str) -> int | None:
    """Where `line` begins as a whole line of `text`, or None."""
    if text.startswith(line):
        return 0
    index = text.find("\n" + line)
    return None if index < 0 else index + 1


WHOLE_OUTPUT = Extraction()
