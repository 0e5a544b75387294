"""The README's Speed table: the benchmark's targets, one row each, with the figures of the last `nox -s bench`.

The bench writes the rows to docs/speed.json, which the repository keeps: the README's table (rendered by
`readme_tables`) and the test that holds it current read the same file, so the table shows what the last bench
measured and nothing else.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from ..registry import ROOT
from . import tables

SPEED_FILE = ROOT / "docs" / "speed.json"
SPEED_DOC = "docs/speed.md"
# The section of docs/speed.md that gives the measured reason a target is missed, by the target's start: a missed
# target with none fails the README's test, so that no miss goes unexplained.
WHY_SECTIONS = {
    "stub ≥ 0.8 x bare": "the-stub-beside-the-bare-app",
    "stub ≥ 2 x ministack": "the-stub-beside-ministack",
    "streamed ": "streamed-replies",
    "sample ≤ ": "examples-beside-their-floor",
    "harness overhead": "examples-beside-their-floor",
    "warm full nox": "the-whole-suite",
    "suite efficiency": "the-whole-suite",
    "a test's cost": "a-tests-cost-and-the-stubs-start",
    "start to first answer": "a-tests-cost-and-the-stubs-start",
}


def _kind(target: str) -> str:
    """A verdict's target without the cell it was measured on: `stub ≥ 0.8 x bare (Converse, h2c, 1 client)`."""
    return target.split(" (", 1)[0]


def _number(value: float) -> str:
    """A figure as the run kept it (up to three decimals), so that one just over its target never rounds onto it."""
    return f"{value:,.3f}".rstrip("0").rstrip(".") if isinstance(value, float) else f"{value:,}"


def rows(verdicts: Iterable[dict[str, Any]]) -> list[dict[str, Any]]:
    """The verdicts grouped by target: the range of the figures, how many cells met it, and whether all did."""
    groups: dict[str, list[dict[str, Any]]] = {}
    for verdict in verdicts:
        groups.setdefault(_kind(verdict["target"]), []).append(verdict)
    found = []
    for kind, group in groups.items():
        measured = [verdict for verdict in group if verdict["met"] is not None]
        numbers = [verdict["figure"] for verdict in measured if isinstance(verdict["figure"], int | float)]
        parts = []
        if numbers:
            low, high = min(numbers), max(numbers)
            parts.append(_number(low) if low == high else f"{_number(low)} to {_number(high)}")
        if len(measured) > 1 or (measured and not numbers):
            parts.append(f"met in {sum(1 for verdict in measured if verdict['met'])} of {len(measured)}")
        missed = [verdict["target"] for verdict in measured if not verdict["met"] and not numbers]
        if missed:
            parts.append("not met: " + "; ".join(target[len(kind) :].strip(" ()") for target in missed))
        details = [verdict["detail"] for verdict in group if verdict.get("detail")]
        if details:
            parts.append("; ".join(details))
        reasons = sorted({str(verdict["figure"]) for verdict in group if verdict["met"] is None})
        if reasons:
            parts.append("not measured: " + "; ".join(reasons))
        met = None if not measured else all(verdict["met"] for verdict in measured)
        found.append({"target": kind, "figure": ", ".join(parts), "met": met})
    return found


# The parts whose figures the docs' figures table shows in full (bench.json's keys), beside their target rows.
FIGURE_PARTS = ("fixture", "startup", "memory")


def write(data: dict[str, Any], path: Path = SPEED_FILE) -> Path:
    """Keeps a bench run's rows for the README (`data` as bench.json holds it).

    A run of some parts only (`--only`) replaces the rows and figures of what it measured, says when on each of its
    rows, and keeps the rest of the last file.
    """
    new_rows = rows(data["verdicts"])
    figures = {part: data[part] for part in FIGURE_PARTS if part in data}
    if data.get("partial") and path.exists():
        kept = json.loads(path.read_text(encoding="utf-8"))
        day = data["when"].split(" ")[0]
        fresh = {row["target"]: row for row in new_rows}
        for row in new_rows:
            row["figure"] += f" (bench of {day}: {', '.join(data['parts'])} alone)"
        summary = {
            "cores": kept["cores"],
            "when": kept["when"],
            "rows": [fresh.pop(row["target"], row) for row in kept["rows"]] + list(fresh.values()),
            "figures": {**kept.get("figures", {}), **figures, **({"when_figures": day} if figures else {})},
        }
    else:
        summary = {"cores": data["cores"], "when": data["when"], "rows": new_rows, "figures": figures}
    path.write_text(json.dumps(summary, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
    return path


def why_section(target: str) -> str | None:
    """The anchor in docs/speed.md explaining why `target` (a row's, without its cell) may be missed, if any."""
    return next((anchor for start, anchor in WHY_SECTIONS.items() if target.startswith(start)), None)


def _why(row: dict[str, Any]) -> str:
    anchor = why_section(row["target"]) if row["met"] is False else None
    return f"[why]({SPEED_DOC}#{anchor})" if anchor else ""


def table(path: Path = SPEED_FILE) -> str:
    summary = json.loads(path.read_text(encoding="utf-8"))
    lines = [
        f"Targets, and the figures of the last `nox -s bench` ({summary['when']}, {summary['cores']} cores, a machine "
        "shared with other work: compare the ratios); where one is missed, the measured reason:",
        "",
        *tables.targets(summary["rows"], unmeasured="not measured", why=_why),
    ]
    return "\n".join(lines)


def figures_table(path: Path = SPEED_FILE) -> str:
    """docs/speed.md's figures of the fixture, start-up and memory parts, as the last bench that ran them measured."""
    from . import fixture, startup

    summary = json.loads(path.read_text(encoding="utf-8"))
    figures = summary.get("figures", {})
    if not any(part in figures for part in FIGURE_PARTS):
        return "Not measured yet: `nox -s bench -- --peers --only fixture,startup,memory`."
    when = figures.get("when_figures") or summary["when"]
    lines = [f"Measured by `nox -s bench` on {when} ({summary['cores']} cores, a machine shared with other work)."]
    if "fixture" in figures:
        lines += fixture.markdown(figures["fixture"], level="###")
    lines += startup.markdown(figures.get("startup"), figures.get("memory"), level="###")
    return "\n".join(lines)
