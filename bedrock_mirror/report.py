"""The report: a language x scenario grid, what each SDK sends, and the verdict; as Markdown, JSON and JUnit XML."""

from __future__ import annotations

import json
import re
import xml.etree.ElementTree as ElementTree
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from .pipeline import is_own_request
from .registry import Sample, all_samples
from .results import (
    FAILED,
    NOT_APPLICABLE,
    PASSED,
    SKIPPED,
    SampleResult,
    drift_dir,
    json_safe,
    output_dir,
    read_results,
)
from .scenarios import PLAIN, scenario_names
from .versions import same_version, shown_version

CELL = {PASSED: "pass", FAILED: "**FAIL**", SKIPPED: "skipped", NOT_APPLICABLE: "n/a"}
# Headers that differ on every request by nature, not by SDK.
_UNINTERESTING_HEADERS = {
    "authorization",
    "x-amz-date",
    "amz-sdk-invocation-id",
    "content-length",
    "host",
    "x-amzn-trace-id",
    "connection",
    "accept-encoding",
}


@dataclass
class Report:
    results: dict[tuple[str, str], SampleResult]
    problems: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    # Runs with each SDK's newest release (`--sdk latest`), kept apart from the pinned runs.
    drift: dict[tuple[str, str], SampleResult] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return not self.problems

    def scenarios(self) -> list[str]:
        present = {scenario for _, scenario in self.results}
        return [name for name in scenario_names() if name in present] or [PLAIN]

    def markdown(self) -> str:
        scenarios = self.scenarios()
        header = ["Language", "Sample", "SDK", "Build s", "Text matches", *scenarios]
        lines = ["## Results", "", _row(header), "|" + "|".join("---" for _ in header) + "|"]
        for language, sample in all_samples():
            results = [self.results.get((sample.id, name)) for name in scenarios]
            known = next((result for result in results if result is not None), None)
            sdk = f"{known.sdk} {sdk_version_cell(known)}" if known else language.sdk.package
            build = "" if known is None else ("cached" if known.build_cached else f"{known.build_seconds:.1f}")
            cells = [_cell(result) for result in results]
            plain = self.results.get((sample.id, PLAIN))
            matches = (
                "" if plain is None or plain.status not in (PASSED, FAILED) else ("yes" if plain.text_matches else "no")
            )
            lines.append(_row([language.title, sample.id, sdk, build, matches, *cells]))
        lines += [
            "",
            "Text matches: the plain run printed exactly the stub's reply. Scenario cells give the status and "
            "the sample process's run time in seconds.",
        ]
        for title, items in (("Problems", self.problems), ("Notes", self.notes)):
            if items:
                lines += ["", f"## {title}", ""] + [f"- {markdown_inline(item)}" for item in items]
        lines += drift_table(self.results, self.drift)
        lines += ["", *what_each_sdk_sends(self.results)]
        verdict = "every applicable cell passed and the samples agree" if self.ok else "FAILED"
        lines += ["", f"Verdict: {verdict}"]
        return "\n".join(lines) + "\n"

    def to_json(self) -> dict[str, Any]:
        return {
            "ok": self.ok,
            "problems": self.problems,
            "notes": self.notes,
            "results": [json_safe(asdict(result)) for result in self.results.values()],
            "drift": [json_safe(asdict(result)) for result in self.drift.values()],
        }

    def junit(self) -> ElementTree.ElementTree:
        """One test case per language x scenario cell, so CI systems show each; whatever a sample printed is made
        valid XML 1.0 first."""
        suites = ElementTree.Element("testsuites", name="bedrock-invoke-mirror")
        by_language: dict[str, list[SampleResult]] = {}
        for result in self.results.values():
            by_language.setdefault(result.language, []).append(result)
        for language, results in by_language.items():
            suite = ElementTree.SubElement(
                suites,
                "testsuite",
                name=xml_text(language),
                tests=str(len(results)),
                failures=str(sum(result.status == FAILED for result in results)),
                skipped=str(sum(result.status in (SKIPPED, NOT_APPLICABLE) for result in results)),
            )
            for result in sorted(results, key=lambda result: result.key):
                case = ElementTree.SubElement(
                    suite,
                    "testcase",
                    classname=xml_text(f"{language}.{result.sample}"),
                    name=xml_text(result.scenario),
                    time=f"{result.run_seconds:.3f}",
                )
                if result.status == FAILED:
                    failure = ElementTree.SubElement(case, "failure", message=xml_text(result.reason[:500]))
                    failure.text = xml_text(f"stdout:\n{result.stdout[-4000:]}\nstderr:\n{result.stderr[-4000:]}")
                elif result.status in (SKIPPED, NOT_APPLICABLE):
                    ElementTree.SubElement(case, "skipped", message=xml_text(result.reason[:500]))
        return ElementTree.ElementTree(suites)


# What XML 1.0 does not allow in a document: C0 controls but tab, newline and carriage return; lone surrogates;
# U+FFFE and U+FFFF.
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")
# Controls that would change how a Markdown line reads (or what a terminal shows): every C0 and C1 control.
_NOT_MARKDOWN = re.compile("[\x00-\x1f\x7f-\x9f\ud800-\udfff]")


def _escaped(match: re.Match[str]) -> str:
    code = ord(match.group())
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


def xml_text(text: str) -> str:
    """`text` with every character XML 1.0 forbids written as a visible escape (`\\x1b`)."""
    return _NOT_XML.sub(_escaped, text)


def markdown_inline(text: str) -> str:
    """`text` as one line of Markdown: line breaks as spaces, controls as visible escapes, pipes escaped."""
    one_line = " ".join(text.replace("\r\n", "\n").split("\n"))
    return _NOT_MARKDOWN.sub(_escaped, one_line).replace("|", "\\|")


def _code(text: str) -> str:
    """An inline code span that holds any backticks in `text`."""
    text = _NOT_MARKDOWN.sub(_escaped, " ".join(text.splitlines()))
    fence = "`" * (max((len(run) for run in re.findall("`+", text)), default=0) + 1)
    return f"{fence} {text} {fence}" if "`" in text else f"`{text}`"


def _row(cells: list[str]) -> str:
    return "| " + " | ".join(markdown_inline(cell) for cell in cells) + " |"


def sdk_version_cell(result: SampleResult) -> str:
    """The SDK version that ran, as its requests' User-Agent names it, with the version read from the build (or the
    pin) beside it when they differ."""
    if result.sdk_pinned is None and result.sdk_installed is None:
        built = result.sdk_version or "?"
    else:
        built = shown_version(result.sdk_pinned, result.sdk_installed)
    sent = result.sdk_sent
    if sent is None:
        return built
    if result.sdk_installed is not None and same_version(sent, result.sdk_installed):
        return built
    if result.sdk_installed is None and result.sdk_pinned is not None and same_version(sent, result.sdk_pinned):
        return sent
    return f"{sent} (sent; the build: {built})"


def _outcome(results: list[SampleResult]) -> str:
    """One sample's runs under every scenario, in a word and a count."""
    ran = [result for result in results if result.status in (PASSED, FAILED)]
    if not ran:
        return "skipped" if results else "not run"
    failed = [result.scenario for result in ran if result.status == FAILED]
    if failed:
        return f"**FAIL** ({len(failed)} of {len(ran)}: {', '.join(failed)})"
    return f"pass ({len(ran)}/{len(ran)})"


def drift_table(pinned: dict[tuple[str, str], SampleResult], newest: dict[tuple[str, str], SampleResult]) -> list[str]:
    """Pinned vs newest: each sample's SDK version and result with its pin and with the newest release."""
    if not newest:
        return []
    header = ["Language", "Sample", "SDK", "Pinned: version, result", "Newest: version, result", "Pinned vs newest"]
    lines = ["", "## Pinned vs newest SDK", "", _row(header), "|" + "|".join("---" for _ in header) + "|"]
    for language, sample in all_samples():
        old = [result for (sample_id, _), result in pinned.items() if sample_id == sample.id]
        new = [result for (sample_id, _), result in newest.items() if sample_id == sample.id]
        if not new:
            continue
        old_version = next((r.sdk_installed or r.sdk_pinned or r.sdk_version for r in old), None) or "?"
        new_version = next((r.sdk_installed for r in new if r.sdk_installed), None) or "?"
        old_outcome, new_outcome = _outcome(old), _outcome(new)
        if not any(result.status in (PASSED, FAILED) for result in new):
            verdict = "newest not run: " + (new[0].reason.split(";")[0][:160] if new else "")
        elif new_version.removeprefix("v") == old_version.removeprefix("v"):
            verdict = "the pin is the newest release"
        elif new_outcome.startswith("pass"):
            verdict = "the newest release passes"
        elif "FAIL" in old_outcome:
            verdict = "fails with the pin and with the newest release"
        else:
            verdict = "**the newest release fails**"
        lines.append(
            _row(
                [
                    language.title,
                    sample.id,
                    language.sdk.package,
                    f"{old_version}: {old_outcome}",
                    f"{new_version}: {new_outcome}",
                    verdict,
                ]
            )
        )
    return lines


def _cell(result: SampleResult | None) -> str:
    if result is None:
        return "—"
    if result.status in (PASSED, FAILED):
        return f"{CELL[result.status]} {result.run_seconds:.2f}"
    return CELL[result.status]


def build_report(
    results: dict[tuple[str, str], SampleResult], drift: dict[tuple[str, str], SampleResult] | None = None
) -> Report:
    problems: list[str] = []
    notes: list[str] = []
    samples: dict[str, Sample] = {sample.id: sample for _, sample in all_samples()}
    known = {key: result for key, result in results.items() if result.sample in samples}
    skipped_languages: dict[str, str] = {}
    for result in known.values():
        where = f"{result.sample} / {result.scenario}"
        if result.status == FAILED:
            problems.append(f"{where}: {result.reason}")
        elif result.status == SKIPPED:
            skipped_languages.setdefault(result.language, result.reason)
    notes += [f"{language} skipped: {reason}" for language, reason in skipped_languages.items()]
    for result in known.values():
        if result.scenario == PLAIN:
            notes += [
                f"{result.sample}: conformance finding (real Bedrock rejects this): {finding}"
                for finding in result.findings
            ]
            # The rules each example is known to break are part of its registry entry: a new one, or one gone, is news.
            expected = sorted(samples[result.sample].expected_findings)
            if result.status == PASSED and sorted(result.findings) != expected:
                problems.append(
                    f"{result.sample} / {PLAIN}: the stub found {sorted(result.findings) or 'no broken rule'}, "
                    f"its registry entry expects {expected or 'none'}"
                )
    groups: dict[tuple[str, str], set[str]] = {}
    for result in known.values():
        if result.status == PASSED and result.extracted_text is not None:
            groups.setdefault((result.scenario, result.run_id), set()).add(result.extracted_text)
    for (scenario, _), texts in groups.items():
        if len(texts) > 1:
            problems.append(f"{scenario}: the samples disagree ({len(texts)} different texts)")
    runs = {result.run_id for result in known.values() if result.scenario == PLAIN and result.status == PASSED}
    if len(runs) > 1:
        notes.append(
            f"plain results come from {len(runs)} different runs, each with its own nonce; "
            "run the sessions together (plain `nox`) to compare them directly"
        )
    newest = {key: result for key, result in (drift or {}).items() if result.sample in samples}
    for result in newest.values():
        if result.status == FAILED:
            notes.append(
                f"with the newest {result.sdk} ({result.sdk_installed or '?'}): "
                f"{result.sample} / {result.scenario}: {result.reason}"
            )
    return Report(known, problems, notes, newest)


def what_each_sdk_sends(results: dict[tuple[str, str], SampleResult]) -> list[str]:
    """From the stub's journal: how each SDK expresses the same call on the wire."""
    differing, firsts, retries = sent_requests(results)
    if not firsts:
        return []
    lines = [
        "## What each SDK sends",
        "",
        "From the stub's journal of the plain run: the first request of each sample. Headers listed are the "
        "ones that differ between SDKs (absent: —).",
        "",
    ]
    table = ["Sample", "HTTP", *differing, "Throttled once: attempts, wait"]
    lines += [_row(table), "|" + "|".join("---" for _ in table) + "|"]
    for sample_id, entry in firsts.items():
        if entry is None:
            continue
        headers = dict(entry["headers"])
        retry_cell = retries.get(sample_id, "")
        lines.append(
            _row(
                [
                    sample_id,
                    entry["http_version"],
                    *(_header_cell(name, headers.get(name)) for name in differing),
                    retry_cell,
                ]
            )
        )
    lines += ["", "Request bodies (as sent):", ""]
    for sample_id, entry in firsts.items():
        if entry is not None:
            body = _code(_short(entry["body"] or "", 400))
            lines.append(f"- {_code(sample_id)} → {_code(entry['model_id'])}: {body}")
    return lines


def sent_requests(
    results: dict[tuple[str, str], SampleResult],
) -> tuple[list[str], dict[str, dict[str, Any] | None], dict[str, str]]:
    """The data behind "What each SDK sends": the headers that differ between SDKs; each sample's first own request
    of the plain run (None where its journal holds none); each sample's attempts and wait when throttled once."""
    plain = [result for (_, scenario), result in results.items() if scenario == PLAIN and result.journal]
    samples = {sample.id: sample for _, sample in all_samples()}
    firsts = {result.sample: _own_first(result, samples[result.sample]) for result in plain}
    header_values: dict[str, set[str]] = {}
    for entry in firsts.values():
        for name, value in entry["headers"] if entry else []:
            header_values.setdefault(name, set()).add(value)
    differing = sorted(
        name
        for name, values in header_values.items()
        if name not in _UNINTERESTING_HEADERS
        and (
            len(values) > 1
            or sum(name in dict(e["headers"]) for e in firsts.values() if e) < len([e for e in firsts.values() if e])
        )
    )
    retries = {
        result.sample: f"{result.attempts}, "
        + (f"{result.retry_wait_ms:.0f} ms" if result.attempts > 1 else "no retry")
        for (_, scenario), result in results.items()
        if scenario == "throttled-then-fine"
    }
    return differing, firsts, retries


def _own_first(result: SampleResult, sample: Sample) -> dict[str, Any] | None:
    own = [
        entry
        for entry in result.journal
        if is_own_request(sample, entry["operation"], entry["model_id"], entry["body"])
    ]
    return own[0] if own else None


def _header_cell(name: str, value: str | None) -> str:
    if value is None:
        return "—"
    # A checksum's value says nothing across SDKs; that it is sent does.
    if name == "x-amz-content-sha256" or name.startswith("x-amz-checksum-"):
        return "sent"
    return _short(value)


def _short(text: str, limit: int = 60) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


def write_report(directory: Path | None = None) -> Report:
    directory = directory or output_dir()
    unread: list[str] = []
    report = build_report(read_results(directory, unread), read_results(drift_dir(directory), unread))
    report.problems[:0] = unread
    directory.mkdir(parents=True, exist_ok=True)
    (directory / "report.md").write_text(report.markdown(), encoding="utf-8")
    (directory / "report.json").write_text(
        json.dumps(json_safe(report.to_json()), ensure_ascii=False, indent=1), encoding="utf-8"
    )
    report.junit().write(directory / "report.junit.xml", encoding="utf-8", xml_declaration=True)
    return report
