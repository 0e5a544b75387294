"""The one declarative list of samples, a module per language: every session, test and report iterates it."""

from __future__ import annotations

from . import abap, dotnet, go, java, javascript, php, python, rust
from .common import CLAUDE_2, CLAUDE_3_HAIKU, CLAUDE_3_SONNET
from .model import ROOT, Check, ErrorPath, Floor, Language, Sample, Sdk, Step, Tool, ToolUse

# The order every table and session list follows.
LANGUAGES: tuple[Language, ...] = tuple(
    module.LANGUAGE for module in (python, javascript, java, go, abap, php, dotnet, rust)
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


def regions() -> frozenset[str]:
    """Every region a sample signs for: the regions the harness's stubs serve."""
    return frozenset(sample.region for _, sample in all_samples())


__all__ = [
    "CLAUDE_2",
    "CLAUDE_3_HAIKU",
    "CLAUDE_3_SONNET",
    "LANGUAGES",
    "ROOT",
    "Check",
    "ErrorPath",
    "Floor",
    "Language",
    "Sample",
    "Sdk",
    "Step",
    "Tool",
    "ToolUse",
    "all_samples",
    "language",
    "language_names",
    "regions",
]
