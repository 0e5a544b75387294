"""The bench's results as one self-contained HTML page (out/bench.html): its targets, then charts drawn as inline SVG.

Throughput and latency per server and cell, streamed replies, each example beside its language's floor, the suite's
time per language, a test's cost per fake, start to first answer and memory. Every bar says its figure; a server
that could not be measured on a cell says why where its bar would be. Styles are inline and there is no script, so
the page works from file:// and fetches nothing. Everything shown is escaped.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..report_html import esc
from ..results import output_dir

PAGE_NAME = "bench.html"
# Colours of the series, in the order they first appear on a chart; the stub is always the first.
PALETTE = ("#2b6cb0", "#dd6b20", "#38a169", "#805ad5", "#d53f8c", "#718096", "#b7791f")
BAR_AREA = 420
CHAR_WIDTH = 7.0
BAR_HEIGHT = 14
GAP = 10


@dataclass
class Bar:
    """One bar: its series (server, fake, figure), its value, an optional whisker end (p99), or why it is missing."""

    series: str
    value: float | None
    whisker: float | None = None
    missing: str = ""
    text: str = ""


@dataclass
class Group:
    label: str
    bars: list[Bar] = field(default_factory=list)


def _number(value: float) -> str:
    return f"{value:,.0f}" if value >= 100 else f"{value:,.3g}"


def chart(title: str, unit: str, groups: Sequence[Group], *, target: float | None = None, note: str = "") -> str:
    """A horizontal grouped bar chart as a <figure> with inline SVG; `target`: a dashed line at that value."""
    series: list[str] = []
    for group in groups:
        series += [bar.series for bar in group.bars if bar.series not in series]
    colours = {name: PALETTE[index % len(PALETTE)] for index, name in enumerate(series)}
    values = [v for group in groups for bar in group.bars for v in (bar.value, bar.whisker) if v is not None]
    top = max([*values, target or 0.0, 1e-9]) * 1.15
    scale = BAR_AREA / top
    height = sum(len(group.bars) * BAR_HEIGHT + GAP for group in groups) + GAP
    # Room for the longest group label on the left, and a figure's text after the longest bar.
    label_width = round(max((len(group.label) for group in groups), default=0) * CHAR_WIDTH) + 16
    width = label_width + BAR_AREA + 150
    parts = [
        f'<svg class="chart" role="img" aria-label="{esc(title)}" width="{width}" height="{height + 20}" '
        f'viewBox="0 0 {width} {height + 20}" xmlns="http://www.w3.org/2000/svg">'
    ]
    y = GAP
    for group in groups:
        group_height = len(group.bars) * BAR_HEIGHT
        parts.append(
            f'<text class="group" x="{label_width - 8}" y="{y + group_height / 2 + 4:.1f}" '
            f'text-anchor="end">{esc(group.label)}</text>'
        )
        for bar in group.bars:
            colour = colours[bar.series]
            label = f"{group.label}: {bar.series}"
            if bar.value is None:
                why = esc(bar.missing)
                parts.append(
                    f'<text class="missing" x="{label_width + 4}" y="{y + BAR_HEIGHT - 3}" '
                    f'data-series="{esc(bar.series)}"><title>{esc(label)}: {why}</title>'
                    f"{esc(bar.series)}: not measured ({why})</text>"
                )
                y += BAR_HEIGHT
                continue
            length = bar.value * scale
            shown = bar.text or f"{_number(bar.value)} {unit}"
            parts.append(
                f'<rect class="bar" x="{label_width}" y="{y + 1}" width="{length:.2f}" height="{BAR_HEIGHT - 2}" '
                f'fill="{colour}" data-series="{esc(bar.series)}" data-group="{esc(group.label)}" '
                f'data-value="{bar.value}"><title>{esc(label)}: {esc(shown)}</title></rect>'
            )
            end = length
            if bar.whisker is not None:
                end = bar.whisker * scale
                parts.append(
                    f'<line class="whisker" x1="{label_width + length:.2f}" x2="{label_width + end:.2f}" '
                    f'y1="{y + BAR_HEIGHT / 2}" y2="{y + BAR_HEIGHT / 2}" stroke="{colour}" stroke-width="2" '
                    f'data-series="{esc(bar.series)}" data-value="{bar.whisker}"/>'
                )
            parts.append(
                f'<text class="value" x="{label_width + max(length, end) + 4:.2f}" y="{y + BAR_HEIGHT - 3}">'
                f"{esc(shown)}</text>"
            )
            y += BAR_HEIGHT
        y += GAP
    if target is not None:
        x = label_width + target * scale
        parts.append(
            f'<line class="target" x1="{x:.2f}" x2="{x:.2f}" y1="0" y2="{height}" stroke="#c53030" '
            f'stroke-dasharray="4 3" data-value="{target}"/>'
            f'<text class="target" x="{x:.2f}" y="{height + 14}" text-anchor="middle">target {_number(target)} '
            f"{esc(unit)}</text>"
        )
    parts.append(f'<line class="axis" x1="{label_width}" x2="{label_width}" y1="0" y2="{height}" stroke="#444"/>')
    parts.append("</svg>")
    legend = "".join(
        f'<span class="key"><i style="background:{colours[name]}"></i>{esc(name)}</span>' for name in series
    )
    caption = f"<figcaption><b>{esc(title)}</b> ({esc(unit)}) {legend}"
    caption += f'<span class="note">{esc(note)}</span>' if note else ""
    return f'<figure class="chart">{caption}</figcaption>{"".join(parts)}</figure>'


def _server_bar(name: str, measured: dict[str, Any], figure: str, whisker: str | None = None) -> Bar:
    if "unavailable" in measured or figure not in measured:
        return Bar(name, None, missing=str(measured.get("unavailable", "not measured")))
    if whisker is None:
        return Bar(name, float(measured[figure]))
    text = f"{_number(measured[figure])} / {_number(measured[whisker])} ms"
    return Bar(name, float(measured[figure]), float(measured[whisker]), text=text)


def load_charts(load: dict[str, Any]) -> list[str]:
    charts: list[str] = []
    plain = load.get("plain")
    if isinstance(plain, dict):
        charts.append(f'<p class="skipped">Throughput: {esc(plain.get("skipped", "not measured"))}</p>')
    elif plain:
        for (operation, protocol), rows in _by_cell(plain).items():
            throughput = [
                Group(
                    f"{row['clients']} client{'s' if row['clients'] != 1 else ''}",
                    [_server_bar(name, measured, "requests_per_second") for name, measured in row["servers"].items()],
                )
                for row in rows
            ]
            latency = [
                Group(
                    f"{row['clients']} client{'s' if row['clients'] != 1 else ''}",
                    [_server_bar(name, m, "p50_ms", "p99_ms") for name, m in row["servers"].items()],
                )
                for row in rows
            ]
            charts.append(
                '<div class="pair">'
                + chart(f"{operation} over {protocol}: throughput", "req/s", throughput, note="longer is better")
                + chart(
                    f"{operation} over {protocol}: latency",
                    "ms",
                    latency,
                    note="bar: median; line to the 99th percentile; shorter is better",
                )
                + "</div>"
            )
    streamed = load.get("streams") or []
    if streamed:
        groups = [
            Group(
                f"{row['operation']}, {edge} event",
                [_server_bar(n, m, f"{edge}_event_ms") for n, m in row["servers"].items()],
            )
            for row in streamed
            for edge in ("first", "last")
        ]
        charts.append(
            chart("Streamed replies, time to the first and last event", "ms", groups, note="shorter is better")
        )
    return charts


def _by_cell(rows: list[dict[str, Any]]) -> dict[tuple[str, str], list[dict[str, Any]]]:
    cells: dict[tuple[str, str], list[dict[str, Any]]] = {}
    for row in rows:
        cells.setdefault((row["operation"], row["protocol"]), []).append(row)
    return cells


def samples_chart(samples: list[dict[str, Any]]) -> str:
    groups = []
    for timing in samples:
        label = f"{timing['language']}: {', '.join(timing['samples'])}"
        if len(label) > 34:
            label = label[:33] + "…"
        bars = [
            Bar("example", timing["sample_s"] * 1000)
            if timing["sample_s"]
            else Bar("example", None, missing=timing["note"] or "not run"),
            Bar("floor", timing["floor_s"] * 1000) if timing["floor_s"] else Bar("floor", None, missing="no floor"),
        ]
        groups.append(Group(label, bars))
    return chart("Each example's warm run beside its language's floor", "ms", groups, note="medians; shorter is better")


def suite_chart(suite: dict[str, Any]) -> str:
    phases = suite.get("phases_of_last_run") or {}
    groups = [
        Group(
            language,
            [Bar("sample processes", float(phase["run_s"]), text=f"{phase['run_s']} s, {phase['cells']} runs")],
        )
        for language, phase in phases.items()
    ]
    note = f"warm full nox: {suite['wall_s']} s (median of {suite['runs']})" if "wall_s" in suite else ""
    return chart("The suite's time per language (the last warm nox)", "s", groups, note=note)


def figures_charts(data: dict[str, Any]) -> list[str]:
    charts = []
    fixture = data.get("fixture")
    if fixture and "contenders" in fixture:
        groups = [
            Group(
                f"{name} {fixture['versions'].get(name, '')}".strip(),
                [
                    _server_bar("per test", measured, "per_test_ms"),
                    _server_bar("pytest's median", measured, "pytest_median_ms"),
                ],
            )
            for name, measured in fixture["contenders"].items()
        ]
        charts.append(
            chart(
                f"A test's cost with each fake ({fixture['tests']} tests a suite)",
                "ms",
                groups,
                note="per test: suite minus empty suite, over the tests; shorter is better",
            )
        )
    elif fixture:
        charts.append(f'<p class="skipped">Fixture cost: {esc(fixture.get("skipped", "not measured"))}</p>')
    starts = data.get("startup")
    if starts:
        groups = [
            Group(name, [_server_bar("start", measured, "median_s")]) for name, measured in starts["servers"].items()
        ]
        charts.append(chart("Start to first answer", "s", groups, target=0.5, note="medians; shorter is better"))
    memory = data.get("memory")
    if memory and "servers" in memory:
        groups = [
            Group(
                name,
                [
                    _server_bar("at start", measured, "start_mib"),
                    _server_bar(f"after {memory['requests']:,} requests", measured, "after_mib"),
                ],
            )
            for name, measured in memory["servers"].items()
        ]
        charts.append(chart("Resident memory", "MiB", groups, note="the server's process group"))
    elif memory:
        charts.append(f'<p class="skipped">Memory: {esc(memory.get("skipped", "not measured"))}</p>')
    return charts


STYLE = """
body{font:14px/1.45 system-ui,sans-serif;margin:24px;color:#1a202c;max-width:1500px}
h1{font-size:22px}h2{font-size:18px;margin-top:28px;border-bottom:1px solid #e2e8f0}
table{border-collapse:collapse}td,th{border:1px solid #cbd5e0;padding:3px 8px;text-align:left;vertical-align:top}
tr.met td.met{color:#276749}tr.unmet td.met{color:#c53030;font-weight:bold}tr.na td.met{color:#718096}
figure.chart{margin:12px 0 20px}figcaption{margin-bottom:4px}
.key{margin-left:12px;white-space:nowrap}.key i{display:inline-block;width:10px;height:10px;margin-right:4px}
.note{display:block;color:#4a5568}.pair{display:flex;flex-wrap:wrap;gap:24px}
svg text{font-size:12px;fill:#1a202c}svg text.missing{fill:#a0aec0;font-style:italic}svg text.target{fill:#c53030}
.skipped{color:#718096}
"""


def render(data: dict[str, Any]) -> str:
    verdicts = data.get("verdicts", [])
    met = {True: ("met", "yes"), False: ("unmet", "no"), None: ("na", "not measured")}
    rows = "".join(
        f'<tr class="{met[v["met"]][0]}"><td>{esc(v["target"])}</td><td>{esc(v["figure"])}'
        + (f"<br><small>{esc(v['detail'])}</small>" if v.get("detail") else "")
        + "</td>"
        f'<td class="met">{met[v["met"]][1]}</td></tr>'
        for v in verdicts
    )
    counted = [v["met"] for v in verdicts]
    sections = [
        f"<h1>Benchmark: {esc(data.get('cores'))} cores, {esc(data.get('when'))}</h1>",
        f'<p class="summary">{counted.count(True)} of {len(counted)} targets met, {counted.count(False)} not met, '
        f'{counted.count(None)} not measurable here (<a href="#targets">every target</a>). '
        f"Parts run: {esc(', '.join(data.get('parts', [])) or 'all')}.</p>",
    ]
    if "stub" in data:
        sections.append('<h2 id="load">The stub beside the bare app and its peers</h2>')
        sections += load_charts(data["stub"])
    figures = figures_charts(data)
    if figures:
        sections.append('<h2 id="figures">What a test suite feels</h2>')
        sections += figures
    if data.get("samples"):
        sections.append('<h2 id="samples">Examples beside their floors</h2>')
        sections.append(samples_chart(data["samples"]))
    if data.get("suite", {}).get("phases_of_last_run"):
        sections.append('<h2 id="suite">The whole suite</h2>')
        sections.append(suite_chart(data["suite"]))
    sections.append(
        f'<h2 id="targets">Targets</h2><table class="targets"><tr><th>Target</th><th>Figure</th><th>Met</th></tr>{rows}'
        "</table>"
    )
    return (
        '<!DOCTYPE html><html lang="en"><head><meta charset="utf-8">'
        "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; style-src 'unsafe-inline'\">"
        f"<title>Benchmark, {esc(data.get('when'))}</title><style>{STYLE}</style></head><body>"
        + "\n".join(sections)
        + "</body></html>\n"
    )


def write(data: dict[str, Any], folder: Path | None = None) -> Path:
    path = (folder or output_dir()) / PAGE_NAME
    path.write_text(render(data), encoding="utf-8")
    return path
