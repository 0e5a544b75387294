"""The tables of the README and the docs that restate data kept elsewhere: every sample, which SDK shows which
operation, the benchmark's targets with the last bench's figures (docs/speed.json), and the stub's model catalogue
(docs/stub.md). They are generated between marker comments, so the pages cannot drift from them (`nox -s idioms`
rewrites them, as `nox -s bench` does after measuring; a test fails when they are stale).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path

from bedrock_stub.catalogue import CATALOGUE, Model
from bedrock_stub.models import takes_adaptive_thinking
from bedrock_stub.operations import COUNT_TOKENS, OPERATIONS

from .bench import speed
from .registry import LANGUAGES, ROOT, Language, Sample

README = ROOT / "README.md"
STUB_PAGE = ROOT / "docs" / "stub.md"
SPEED_PAGE = ROOT / "docs" / "speed.md"
UPSTREAM_REPOSITORY = "awsdocs/aws-doc-sdk-examples"
# The operations a sample can call, in the order the documentation's chapter presents them.
SAMPLE_OPERATIONS = tuple(name for name in OPERATIONS if name != COUNT_TOKENS)


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def _upstream(sample: Sample) -> str:
    if not sample.upstream:
        return "—"
    path, _, commit = sample.upstream.partition("@")
    return f"`{path}`" + (f" at `{commit[:7]}`" if commit else "")


def samples_table() -> str:
    lines = [
        "| Language | Sample | Operation | Model | Source | Upstream (in `" + UPSTREAM_REPOSITORY + "`) |",
        "|---|---|---|---|---|---|",
    ]
    for language in LANGUAGES:
        for sample in language.samples:
            source = f"[`{language.folder}/{sample.source}`]({language.folder}/{sample.source})"
            lines.append(
                f"| {_cell(language.title)} | `{sample.id}` | {sample.operation} | `{sample.model_id}` | {source} "
                f"| {_upstream(sample)} |"
            )
    return "\n".join(lines)


def _coverage_cell(language: Language, operation: str) -> str:
    count = sum(1 for sample in language.samples if sample.operation == operation)
    return str(count) if count else "none upstream"


def coverage_table() -> str:
    lines = [
        "| Language | " + " | ".join(SAMPLE_OPERATIONS) + " |",
        "|---|" + "---|" * len(SAMPLE_OPERATIONS),
    ]
    for language in LANGUAGES:
        cells = " | ".join(_coverage_cell(language, operation) for operation in SAMPLE_OPERATIONS)
        lines.append(f"| {_cell(language.title)} | {cells} |")
    return "\n".join(lines)


def catalogue_table() -> str:
    lines = [
        "| Model | Base id | Max output tokens | Inference profiles | Base id on demand | Thinking |",
        "|---|---|---|---|---|---|",
    ]
    for model in CATALOGUE:
        profiles = ", ".join(f"`{prefix}.`" for prefix in model.profiles) or "—"
        on_demand = "no: use a profile" if model.profile_only else "yes"
        lines.append(
            f"| {_cell(model.title or model.name)} | `{model.model_id}` | {model.max_output_tokens:,} | {profiles} "
            f"| {on_demand} | {_thinking_cell(model)} |"
        )
    return "\n".join(lines)


def _thinking_cell(model: Model) -> str:
    if not model.thinking:
        return "—"
    if model.adaptive_only:
        return "adaptive only" + (", shown only on request" if model.omits_thinking else "")
    return "budget or adaptive" if takes_adaptive_thinking(model) else "budget"


def first_run_text() -> str:
    """Quick start's sentence on what the first `nox` downloads: each language's package, as its registry names it."""
    packages = ", ".join(f"`{language.sdk.package}`" for language in LANGUAGES)
    return (
        f"The first `nox` downloads, for each language, the package its registry entry names ({packages}) and\n"
        "what it needs, from the ecosystem's own registry with the ecosystem's own tool, then builds each language\n"
        "once; a language whose registry or toolchain is out of reach is skipped, and the skip names what is missing."
    )


TABLES = {
    "first-run": first_run_text,
    "samples": samples_table,
    "coverage": coverage_table,
    "catalogue": catalogue_table,
    "speed": speed.table,
    "speed-figures": speed.figures_table,
}
# Which page holds which tables.
PAGES = {
    README: ("coverage", "samples", "speed", "first-run"),
    STUB_PAGE: ("catalogue",),
    SPEED_PAGE: ("speed-figures",),
}


def _between_markers(table: str) -> Callable[[re.Match[str]], str]:
    return lambda match: match[1] + table + "\n" + match[2]


def render(text: str, names: tuple[str, ...] = PAGES[README]) -> str:
    """The page with each of the named tables replaced by its current rendering."""
    for name in names:
        pattern = re.compile(rf"(<!-- {name}:start -->\n).*?(<!-- {name}:end -->)", re.DOTALL)
        if not pattern.search(text):
            raise ValueError(f"the page lacks the markers <!-- {name}:start --> and <!-- {name}:end -->")
        text = pattern.sub(_between_markers(TABLES[name]()), text)
    return text


def write() -> list[Path]:
    """Rewrites every page's tables; returns the pages."""
    for path, names in PAGES.items():
        path.write_text(render(path.read_text(encoding="utf-8"), names), encoding="utf-8")
    return list(PAGES)
