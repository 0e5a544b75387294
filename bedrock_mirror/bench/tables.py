"""The bench's Markdown tables: a row, a head, and the tables several parts write (servers beside the stub, targets)."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from typing import Any


def row(cells: Iterable[object]) -> str:
    return "| " + " | ".join(str(cell) for cell in cells) + " |"


def head(columns: Sequence[str]) -> list[str]:
    """A table's first two lines: its columns' names, and the line under them."""
    return [row(columns), "|" + "---|" * len(columns)]


def table(columns: Sequence[str], rows: Iterable[Iterable[object]]) -> list[str]:
    return [*head(columns), *(row(cells) for cells in rows)]


def contenders(
    part: dict[str, Any],
    group: str,
    columns: Sequence[str],
    figures: Callable[[dict[str, Any]], Sequence[object]],
    *,
    kind: str = "Server",
    ratio_column: str = "x/stub",
    about: tuple[str, Callable[[str], str]] | None = None,
) -> list[str]:
    """One row a contender of `part[group]`: its name, its version, what `about` says of it, its `figures` under
    `columns`, and its ratio to the stub (`part["ratios"]`); one that could not be measured has dashes, and why in
    the ratio's column."""
    about_columns = [about[0]] if about else []
    lines = head([kind, "Version", *about_columns, *columns, ratio_column])
    for name, measured in part[group].items():
        described = [name, part.get("versions", {}).get(name, ""), *([about[1](name)] if about else [])]
        if "unavailable" in measured:
            lines.append(row([*described, *["—"] * len(columns), measured["unavailable"]]))
            continue
        ratio = part["ratios"].get(name)
        lines.append(row([*described, *figures(measured), "" if ratio is None else ratio]))
    return lines


def targets(
    verdicts: Iterable[dict[str, Any]], unmeasured: str, why: Callable[[dict[str, Any]], str] | None = None
) -> list[str]:
    """Every target with its figure and whether it was met; `unmeasured` where it could not be measured; with `why`,
    a last column saying where a missed target's reason is."""
    met = {True: "yes", False: "**no**", None: unmeasured}
    return table(
        ["Target", "Figure", "Met", *(["Why not"] if why else [])],
        (
            [verdict["target"], verdict["figure"], met[verdict["met"]], *([why(verdict)] if why else [])]
            for verdict in verdicts
        ),
    )
