"""The report as one self-contained HTML page (out/report.html), beside the Markdown, JSON and JUnit files.

It reads the same results as report.py and reuses its verdict, findings and "what each SDK sends"; everything a
sample printed or the stub recorded is escaped, and characters HTML does not allow are shown as visible escapes.
Styles and the small script are inline, so the page works from file:// and fetches nothing.
"""

from __future__ import annotations

import html
import re
import shlex
from collections import Counter
from dataclasses import asdict
from pathlib import Path
from typing import Any

from .registry import LANGUAGES, ROOT, Language, Sample, all_samples
from .report import _UNINTERESTING_HEADERS, Report, _header_cell, build_report, sent_requests
from .results import FAILED, NOT_APPLICABLE, PASSED, SKIPPED, SampleResult, Status, output_dir, read_results
from .scenarios import PLAIN

PAGE_NAME = "report.html"
# Output longer than this is folded; beyond SHOWN_CHARS the page keeps the start and points at report.json.
FOLD_CHARS = 1_500
FOLD_LINES = 25
SHOWN_CHARS = 20_000
STATUS_TEXT: dict[Status, str] = {PASSED: "pass", FAILED: "FAIL", SKIPPED: "skipped", NOT_APPLICABLE: "n/a"}
STATUS_CLASS = {PASSED: "passed", FAILED: "failed", SKIPPED: "skipped", NOT_APPLICABLE: "na"}
# Controls (but tab, newline and carriage return), lone surrogates and noncharacters: not allowed in HTML text.
_NOT_HTML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff\ufdd0-\ufdef\ufffe\uffff]")


def _visible(match: re.Match[str]) -> str:
    code = ord(match.group())
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


def esc(value: object) -> str:
    """Any text as HTML text or attribute value."""
    return html.escape(_NOT_HTML.sub(_visible, str(value)), quote=True)


def _slug(*parts: str) -> str:
    return "run-" + "--".join(re.sub(r"[^A-Za-z0-9_-]", "_", part) for part in parts)


def _text_block(label: str, text: str) -> str:
    """Output as a <pre>; folded in a <details> when long, and cut at SHOWN_CHARS."""
    if not text:
        return f'<p class="empty"><b>{esc(label)}</b>: (empty)</p>'
    shown = text if len(text) <= SHOWN_CHARS else text[:SHOWN_CHARS]
    more = (
        f'<p class="more">… {len(text) - SHOWN_CHARS:,} more characters (whole in report.json)</p>'
        if len(text) > SHOWN_CHARS
        else ""
    )
    lines = text.count("\n") + 1
    summary = f"{esc(label)} ({lines:,} lines, {len(text):,} characters)"
    block = f"<pre>{esc(shown)}</pre>{more}"
    if len(text) > FOLD_CHARS or lines > FOLD_LINES:
        return f"<details><summary>{summary}</summary>{block}</details>"
    return f'<div class="output"><p class="label">{summary}</p>{block}</div>'


def _journal_entry(entry: dict[str, Any]) -> str:
    error = f" {entry.get('error_type')}" if entry.get("error_type") else ""
    title = (
        f"#{esc(entry.get('seq'))} {esc(entry.get('method'))} {esc(entry.get('path'))} "
        f"(HTTP/{esc(entry.get('http_version'))}, {esc(entry.get('operation') or 'no operation')}) → "
        f"{esc(entry.get('status'))}{esc(error)}"
    )
    rows = "".join(
        f"<tr><th scope=row>{esc(name)}</th><td>{esc(value)}</td></tr>" for name, value in entry.get("headers") or []
    )
    facts = [
        ("signature", entry.get("signature")),
        ("model", entry.get("model_id")),
        ("latency", f"{entry.get('latency_ms', 0):.1f} ms"),
        ("error message", entry.get("error_message")),
    ]
    parts = [
        f'<li class="entry"><p class="entry-title">{title}</p><dl>',
        *(f"<dt>{esc(name)}</dt><dd>{esc(value)}</dd>" for name, value in facts if value not in (None, "")),
        "</dl>",
        *(f'<p class="finding">Finding: {esc(finding)}</p>' for finding in entry.get("findings") or []),
        f"<details><summary>request headers ({len(entry.get('headers') or [])})</summary>"
        f'<table class="headers">{rows}</table></details>',
    ]
    body = entry.get("body")
    truncated = " (truncated by the journal)" if entry.get("body_truncated") else ""
    if body is None:
        parts.append(f'<p class="empty"><b>request body</b>: {esc(entry.get("body_bytes", 0))} bytes, not UTF-8</p>')
    else:
        parts.append(_text_block(f"request body{truncated}", body))
    if entry.get("reply_text") is not None:
        parts.append(_text_block("reply text", entry["reply_text"]))
    parts.append("</li>")
    return "".join(parts)


def _details(result: SampleResult, language: Language, sample: Sample) -> str:
    """A run's details, in a dialog the grid's cell opens."""
    command = " ".join(shlex.quote(part) for part in sample.run)
    exit_code = "—" if result.exit_code is None else str(result.exit_code)
    facts = [
        ("status", STATUS_TEXT.get(result.status, result.status)),
        ("expected", result.expectation),
        ("command", f"{command}   (in {language.folder}/)"),
        ("exit code", exit_code),
        ("run time", f"{result.run_seconds:.2f} s"),
        ("build", "cached" if result.build_cached else f"{result.build_seconds:.1f} s"),
        ("requests (attempts)", str(result.attempts) if result.attempts else ""),
        ("retry wait", f"{result.retry_wait_ms:.0f} ms" if result.attempts > 1 else ""),
        ("text matches", "" if result.extracted_text is None else ("yes" if result.text_matches else "no")),
        ("run id", result.run_id),
    ]
    reason_class = "reason failed" if result.status == FAILED else "reason"
    parts = [
        f'<dialog id="{_slug(result.sample, result.scenario)}" class="run" '
        f'aria-labelledby="{_slug(result.sample, result.scenario)}-title">',
        '<form method="dialog" class="close"><button type="submit" aria-label="Close">Close ✕</button></form>',
        f'<h3 id="{_slug(result.sample, result.scenario)}-title">{esc(language.title)} · {esc(result.sample)} · '
        f'{esc(result.scenario)} <span class="badge {STATUS_CLASS.get(result.status, "")}">'
        f"{esc(STATUS_TEXT.get(result.status, result.status))}</span></h3>",
    ]
    if result.reason:
        why = "Why it failed" if result.status == FAILED else "Why"
        parts.append(f'<p class="{reason_class}"><b>{why}:</b> {esc(result.reason)}</p>')
    parts.append("<dl class=facts>")
    parts += [f"<dt>{esc(name)}</dt><dd>{esc(value)}</dd>" for name, value in facts if value]
    parts.append("</dl>")
    parts += [
        _text_block("stdout", result.stdout),
        _text_block("stderr", result.stderr),
    ]
    if result.status == FAILED and result.expected_text is not None and not result.text_matches:
        parts += [_text_block("expected text", result.expected_text)]
        if result.extracted_text is not None:
            parts += [_text_block("extracted text", result.extracted_text)]
    count = len(result.journal)
    parts.append(f"<h4>The stub's journal for this run ({count} request{'' if count == 1 else 's'})</h4>")
    parts.append('<ol class="journal">' + "".join(_journal_entry(entry) for entry in result.journal) + "</ol>")
    parts.append("</dialog>")
    return "".join(parts)


def _operations() -> list[str]:
    return list(dict.fromkeys(sample.operation for _, sample in all_samples()))


def _grid(report: Report) -> tuple[str, str]:
    """The grid, one table per operation, and the dialogs its cells open."""
    scenarios = report.scenarios()
    tables: list[str] = []
    dialogs: list[str] = []
    for operation in _operations():
        rows = [(language, sample) for language, sample in all_samples() if sample.operation == operation]
        results = {(sample.id, name): report.results.get((sample.id, name)) for _, sample in rows for name in scenarios}
        columns = [
            name
            for name in scenarios
            if any(
                (result := results[(sample.id, name)]) is not None and result.status != NOT_APPLICABLE
                for _, sample in rows
            )
        ] or scenarios
        tables.append(f'<section class="operation"><h3 id="op-{esc(operation)}">{esc(operation)}</h3>')
        absent = [language.title for language in LANGUAGES if not any(lang is language for lang, _ in rows)]
        if absent:
            tables.append(f'<p class="note">No example of {esc(operation)} in: {esc(", ".join(absent))}.</p>')
        tables.append('<div class="scroll"><table class="grid"><thead><tr><th scope=col>Language</th>')
        tables.append("<th scope=col>Sample</th>")
        tables += [f"<th scope=col>{esc(name)}</th>" for name in columns]
        tables.append("</tr></thead><tbody>")
        for index, (language, sample) in enumerate(rows):
            tables.append(f'<tr data-sample="{esc(sample.id)}">')
            # A language's title heads all of its samples' rows at once.
            if index == 0 or rows[index - 1][0] is not language:
                span = sum(1 for other, _ in rows if other is language)
                tables.append(f'<th scope=rowgroup rowspan="{span}" class="language">{esc(language.title)}</th>')
            tables.append(f'<td class="sample">{esc(sample.id)}</td>')
            for name in columns:
                result = results[(sample.id, name)]
                if result is None:
                    tables.append('<td class="cell none" data-status="none"><span title="no result">—</span></td>')
                    continue
                label = STATUS_TEXT.get(result.status, result.status)
                timing = f" {result.run_seconds:.2f}" if result.status in (PASSED, FAILED) else ""
                slug = _slug(result.sample, result.scenario)
                tables.append(
                    f'<td class="cell {STATUS_CLASS.get(result.status, "")}" data-status="{esc(result.status)}">'
                    f'<button type="button" data-open="{slug}" aria-haspopup="dialog" '
                    f'aria-label="{esc(sample.id)}, {esc(name)}: {esc(label)}">{esc(label)}{timing}</button></td>'
                )
                dialogs.append(_details(result, language, sample))
            tables.append("</tr>")
        tables.append("</tbody></table></div></section>")
    return "".join(tables), "".join(dialogs)


def _sends(report: Report) -> str:
    differing, firsts, retries = sent_requests(report.results)
    entries = {sample: entry for sample, entry in firsts.items() if entry is not None}
    if not entries:
        return '<p class="note">No plain run with a journal among the results.</p>'
    names = sorted(
        {name for entry in entries.values() for name, _ in entry["headers"]} - _UNINTERESTING_HEADERS,
        key=lambda name: (name not in differing, name),
    )
    out = [
        '<p class="note">From the stub\'s journal of the plain run: the first request of each sample, with every '
        "header that is not different on every request by nature. <mark>Highlighted</mark>: the headers that differ "
        "between SDKs; in bold, a value unlike most samples' (— : not sent).</p>",
        '<div class="scroll"><table class="sends"><thead><tr><th scope=col>Sample</th><th scope=col>HTTP</th>',
        *(
            f'<th scope=col class="differs">{esc(name)}</th>'
            if name in differing
            else f"<th scope=col>{esc(name)}</th>"
            for name in names
        ),
        "<th scope=col>Throttled once: attempts, wait</th></tr></thead><tbody>",
    ]
    usual = {
        name: Counter(dict(entry["headers"]).get(name) for entry in entries.values()).most_common(1)[0][0]
        for name in differing
    }
    for sample_id, entry in entries.items():
        headers = dict(entry["headers"])
        out.append(f'<tr data-sample="{esc(sample_id)}"><th scope=row>{esc(sample_id)}</th>')
        out.append(f"<td>{esc(entry['http_version'])}</td>")
        for name in names:
            value = headers.get(name)
            css = "header"
            if name in differing:
                css += " differs" + (" unusual" if value != usual[name] else "")
            out.append(f'<td class="{css}" title="{esc(value or "not sent")}">{esc(_header_cell(name, value))}</td>')
        out.append(f"<td>{esc(retries.get(sample_id, ''))}</td></tr>")
    out.append("</tbody></table></div><h3>Request bodies (as sent)</h3><ul class=bodies>")
    for sample_id, entry in entries.items():
        out.append(
            f"<li><b>{esc(sample_id)}</b> → <code>{esc(entry['model_id'])}</code>"
            f"{_text_block('body', entry.get('body') or '')}</li>"
        )
    out.append("</ul>")
    return "".join(out)


def _versions(report: Report) -> str:
    """Every SDK field the results carry (package, pinned, installed...), one row per sample."""
    rows: list[tuple[str, str, dict[str, Any]]] = []
    fields: list[str] = []
    for language, sample in all_samples():
        known = [result for (sample_id, _), result in report.results.items() if sample_id == sample.id]
        if not known:
            continue
        record = {name: value for name, value in asdict(known[0]).items() if name.startswith("sdk")}
        fields += [name for name in record if name not in fields]
        rows.append((language.title, sample.id, record))
    if not rows:
        return '<p class="note">No results.</p>'
    heads = "".join(f"<th scope=col>{esc(name.replace('_', ' '))}</th>" for name in fields)
    body = "".join(
        f"<tr><th scope=row>{esc(title)}</th><td>{esc(sample_id)}</td>"
        + "".join(f"<td>{esc('' if record.get(name) is None else record.get(name))}</td>" for name in fields)
        + "</tr>"
        for title, sample_id, record in rows
    )
    return (
        f'<div class="scroll"><table class="versions"><thead><tr><th scope=col>Language</th>'
        f"<th scope=col>Sample</th>{heads}</tr></thead><tbody>{body}</tbody></table></div>"
    )


def _times(report: Report) -> str:
    """Build and run time per language as bars, so the slow one shows at a glance."""
    figures = []
    for language in LANGUAGES:
        own = [result for result in report.results.values() if result.language == language.name]
        ran = [result for result in own if result.status in (PASSED, FAILED)]
        if not ran:
            continue
        cached = all(result.build_cached for result in ran)
        build = max(result.build_seconds for result in ran)
        run = sum(result.run_seconds for result in ran)
        figures.append((language, build, cached, run, len(ran)))
    if not figures:
        return '<p class="note">No sample ran.</p>'
    longest = max(max(build, run) for _, build, _, run, _ in figures) or 1.0
    out = [
        '<p class="note">Build: the longest install and build of the language\'s runs (cached: nothing to redo). '
        "Run: the sample processes' run times added up over every scenario.</p>",
        '<table class="bars"><tbody>',
    ]
    for language, build, cached, run, count in figures:
        out.append(
            f'<tr data-language="{esc(language.name)}"><th scope=row>{esc(language.title)}</th><td>'
            f'<div class="bar-line"><span class="bar build" style="width:{100 * build / longest:.1f}%"></span>'
            f'<span class="figure">build {"cached" if cached else f"{build:.1f} s"}</span></div>'
            f'<div class="bar-line"><span class="bar run" style="width:{100 * run / longest:.1f}%"></span>'
            f'<span class="figure">run {run:.2f} s ({count} runs)</span></div></td></tr>'
        )
    out.append("</tbody></table>")
    return "".join(out)


def _findings(report: Report) -> str:
    out = []
    for title, items, css in (("Problems", report.problems, "problems"), ("Notes", report.notes, "notes")):
        if items:
            out.append(f'<h3>{title}</h3><ul class="{css}">' + "".join(f"<li>{esc(i)}</li>" for i in items) + "</ul>")
    plain_findings = [
        (result.sample, finding)
        for (_, scenario), result in report.results.items()
        if scenario == PLAIN
        for finding in result.findings
    ]
    if not plain_findings:
        out.append('<p class="note">The stub recorded no conformance finding in the plain runs.</p>')
    return "".join(out) or '<p class="note">No problems, no notes.</p>'


_CSS = """
:root { --fg: #1b1f24; --muted: #57606a; --line: #d0d7de; --panel: #f6f8fa; --accent: #0550ae;
  --pass: #1a7f37; --pass-bg: #ccf2d4; --fail: #cf222e; --fail-bg: #ffd6d1; --skip: #7d4e00; --skip-bg: #fff1a8;
  --na: #6e7781; --na-bg: #eaeef2; }
* { box-sizing: border-box; }
body { margin: 0; font: 15px/1.45 system-ui, -apple-system, "Segoe UI", sans-serif; color: var(--fg); }
header, main { padding: .75rem 1.25rem; }
header { border-bottom: 1px solid var(--line); }
h1 { font-size: 1.4rem; margin: 0 0 .3rem; }
h2 { font-size: 1.2rem; margin: 1.5rem 0 .4rem; border-bottom: 1px solid var(--line); padding-bottom: .2rem; }
h3 { font-size: 1.02rem; margin: 1rem 0 .3rem; }
nav a { margin-right: .9rem; }
.verdict { display: inline-block; font-weight: 600; padding: .2rem .6rem; border-radius: 4px; }
.verdict.ok { background: var(--pass-bg); color: var(--pass); }
.verdict.bad { background: var(--fail-bg); color: var(--fail); }
.note, .empty, .more, .label { color: var(--muted); }
.label { margin: .3rem 0 .1rem; font-size: .85rem; }
.scroll { overflow-x: auto; }
table { border-collapse: collapse; }
th, td { border: 1px solid var(--line); padding: .25rem .45rem; text-align: left; vertical-align: top; }
thead th { background: var(--panel); font-weight: 600; font-size: .85rem; }
table.grid td.cell { padding: 0; text-align: center; min-width: 5.5rem; }
table.grid td.cell button, table.grid td.cell span { display: block; width: 100%; padding: .3rem .4rem; border: 0;
  background: transparent; color: inherit; font: inherit; cursor: pointer; }
td.passed { background: var(--pass-bg); color: var(--pass); }
td.failed { background: var(--fail-bg); color: var(--fail); font-weight: 700; }
td.skipped { background: var(--skip-bg); color: var(--skip); }
td.na { background: var(--na-bg); color: var(--na); }
td.none { color: var(--na); }
td.cell button:hover { text-decoration: underline; }
:focus-visible { outline: 3px solid var(--accent); outline-offset: 2px; }
th.differs, td.header.differs, mark { background: #fff1a8; }
td.header.unusual { font-weight: 700; }
.legend span { display: inline-block; padding: 0 .4rem; margin-right: .4rem; border-radius: 3px; }
.legend .passed { background: var(--pass-bg); color: var(--pass); }
.legend .failed { background: var(--fail-bg); color: var(--fail); }
.legend .skipped { background: var(--skip-bg); color: var(--skip); }
.legend .na { background: var(--na-bg); color: var(--na); }
pre { background: var(--panel); padding: .45rem .6rem; border-radius: 4px; overflow-x: auto; margin: .2rem 0;
  font: 12.5px/1.4 ui-monospace, SFMono-Regular, Menlo, Consolas, monospace; white-space: pre-wrap;
  overflow-wrap: anywhere; max-height: 28rem; overflow-y: auto; }
details { margin: .3rem 0; }
summary { cursor: pointer; color: var(--accent); }
dialog.run { width: min(64rem, 96vw); max-height: 90vh; overflow: auto; border: 1px solid var(--line);
  border-radius: 8px; padding: .8rem 1rem; }
dialog::backdrop { background: rgba(27, 31, 36, .45); }
dialog h3 { margin-top: 0; padding-right: 6rem; }
dialog .close { position: sticky; top: 0; float: right; }
.badge { font-size: .8rem; padding: .05rem .4rem; border-radius: 3px; }
.badge.passed { background: var(--pass-bg); color: var(--pass); }
.badge.failed { background: var(--fail-bg); color: var(--fail); }
.badge.skipped { background: var(--skip-bg); color: var(--skip); }
.badge.na { background: var(--na-bg); color: var(--na); }
.reason.failed { color: var(--fail); }
dl { display: grid; grid-template-columns: max-content 1fr; gap: .1rem .8rem; margin: .4rem 0; }
dt { color: var(--muted); }
dd { margin: 0; overflow-wrap: anywhere; }
ol.journal { padding-left: 1.2rem; }
li.entry { margin-bottom: .8rem; }
.entry-title { font-weight: 600; margin: .2rem 0; }
.finding { color: var(--skip); }
table.headers td { font-family: ui-monospace, monospace; font-size: 12px; overflow-wrap: anywhere; }
table.bars { width: 100%; max-width: 56rem; }
table.bars th { width: 14rem; font-weight: normal; }
table.bars td { width: auto; }
.bar-line { display: flex; align-items: center; gap: .5rem; margin: .1rem 0; }
.bar { display: inline-block; height: .8rem; min-width: 2px; border-radius: 2px; }
.bar.build { background: #8250df; }
.bar.run { background: #0969da; }
.figure { font-size: .85rem; white-space: nowrap; }
@media (max-width: 40rem) {
  header, main { padding: .5rem .6rem; }
  table.grid th.language { font-size: .8rem; max-width: 6.5rem; }
  table.grid td.sample { font-size: .8rem; overflow-wrap: anywhere; max-width: 6rem; }
  table.bars th { width: 7rem; }
  dl { grid-template-columns: 1fr; }
}
@media print {
  nav, dialog, .close { display: none !important; }
  body { font-size: 10pt; }
  header, main { padding: 0; }
  .scroll { overflow: visible; }
  table, thead th { font-size: 7pt; width: 100%; }
  thead th { width: auto; }
  th, td { padding: .1rem .2rem; }
  table.grid td.cell { min-width: 0; }
  table.grid td.cell button, table.grid td.cell span { padding: .1rem; }
  tr, li.entry { break-inside: avoid; }
  td.cell button { color: inherit; }
  pre { max-height: none; }
  td.passed, td.failed, td.skipped, td.na, .bar { -webkit-print-color-adjust: exact; print-color-adjust: exact; }
}
"""

# Cells open their run's dialog; Escape closes it (the browser's own dialog behaviour) and focus returns.
_SCRIPT = """
document.addEventListener("click", function (event) {
  var opener = event.target.closest("button[data-open]");
  if (!opener) { return; }
  var dialog = document.getElementById(opener.getAttribute("data-open"));
  if (dialog && !dialog.open) { dialog.showModal(); }
});
document.querySelectorAll("dialog.run").forEach(function (dialog) {
  dialog.addEventListener("click", function (event) {
    if (event.target === dialog) { dialog.close(); }
  });
});
"""


def render_html(report: Report, source: str = "") -> str:
    grid, dialogs = _grid(report)
    verdict = (
        '<span class="verdict ok">Verdict: every applicable cell passed and the samples agree</span>'
        if report.ok
        else f'<span class="verdict bad">Verdict: FAILED (problems: {len(report.problems)})</span>'
    )
    counts = Counter(result.status for result in report.results.values())
    summary = ", ".join(f"{counts[status]} {STATUS_TEXT[status]}" for status in STATUS_TEXT if counts[status])
    return "\n".join(
        [
            "<!DOCTYPE html>",
            '<html lang="en">',
            "<head>",
            '<meta charset="utf-8">',
            '<meta name="viewport" content="width=device-width, initial-scale=1">',
            "<title>Bedrock samples: parity report</title>",
            f"<style>{_CSS}</style>",
            "</head>",
            "<body>",
            "<header>",
            "<h1>Every SDK's samples against one Bedrock Runtime stub</h1>",
            f"<p>{verdict} <span class=note>{esc(summary or 'no results')}"
            + (f" · from {esc(source)}" if source else "")
            + "</span></p>",
            '<nav><a href="#results">Results</a><a href="#sends">What each SDK sends</a>'
            '<a href="#findings">Findings</a><a href="#versions">SDK versions</a><a href="#times">Times</a></nav>',
            "</header>",
            "<main>",
            '<h2 id="results">Results</h2>',
            '<p class="legend"><span class="passed">pass</span><span class="failed">FAIL</span>'
            '<span class="skipped">skipped</span><span class="na">n/a</span> Each cell gives the status and the '
            "sample process's run time in seconds; open it for the run's command, output and the stub's "
            "journal.</p>",
            grid,
            '<h2 id="sends">What each SDK sends</h2>',
            _sends(report),
            '<h2 id="findings">Findings</h2>',
            _findings(report),
            '<h2 id="versions">SDK versions</h2>',
            _versions(report),
            '<h2 id="times">Build and run times</h2>',
            _times(report),
            "</main>",
            dialogs,
            f"<script>{_SCRIPT}</script>",
            "</body>",
            "</html>",
            "",
        ]
    )


def write_html_report(directory: Path | None = None, report: Report | None = None) -> Path:
    directory = directory or output_dir()
    report = report or build_report(read_results(directory))
    directory.mkdir(parents=True, exist_ok=True)
    path = directory / PAGE_NAME
    # Named relative to the project when it lies inside it (out/), as a reader of the page knows it.
    source = directory.resolve().relative_to(ROOT).as_posix() if directory.resolve().is_relative_to(ROOT) else ""
    path.write_text(render_html(report, source=source), encoding="utf-8")
    return path
