"""The report: a language x scenario grid, what each SDK sends, and the verdict; as Markdown, JSON and JUnit XML."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ElementTree
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from .pipeline import is_own_request
from .registry import Sample, all_samples
from .results import FAILED, NOT_APPLICABLE, PASSED, SKIPPED, SampleResult, output_dir, read_results
from .scenarios import PLAIN, scenario_names

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
            sdk = f"{known.sdk} {known.sdk_version or '?'}" if known else language.sdk.package
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
                lines += ["", f"## {title}", ""] + [f"- {item}" for item in items]
        lines += ["", *what_each_sdk_sends(self.results)]
        verdict = "every applicable cell passed and the samples agree" if self.ok else "FAILED"
        lines += ["", f"Verdict: {verdict}"]
        return "\n".join(lines) + "\n"

    def to_json(self) -> dict[str, Any]:
        return {
            "ok": self.ok,
            "problems": self.problems,
            "notes": self.notes,
            "results": [asdict(result) for result in self.results.values()],
        }

    def junit(self) -> ElementTree.ElementTree:
        """One test case per language x scenario cell, so CI systems show each."""
        suites = ElementTree.Element("testsuites", name="bedrock-invoke-mirror")
        by_language: dict[str, list[SampleResult]] = {}
        for result in self.results.values():
            by_language.setdefault(result.language, []).append(result)
        for language, results in by_language.items():
            suite = ElementTree.SubElement(
                suites,
                "testsuite",
                name=language,
                tests=str(len(results)),
                failures=str(sum(result.status == FAILED for result in results)),
                skipped=str(sum(result.status in (SKIPPED, NOT_APPLICABLE) for result in results)),
            )
            for result in sorted(results, key=lambda result: result.key):
                case = ElementTree.SubElement(
                    suite,
                    "testcase",
                    classname=f"{language}.{result.sample}",
                    name=result.scenario,
                    time=f"{result.run_seconds:.3f}",
                )
                if result.status == FAILED:
                    failure = ElementTree.SubElement(case, "failure", message=result.reason[:500])
                    failure.text = f"stdout:\n{result.stdout[-4000:]}\nstderr:\n{result.stderr[-4000:]}"
                elif result.status in (SKIPPED, NOT_APPLICABLE):
                    ElementTree.SubElement(case, "skipped", message=result.reason[:500])
        return ElementTree.ElementTree(suites)


def _row(cells: list[str]) -> str:
    return "| " + " | ".join(cell.replace("|", "\\|").replace("\n", " ") for cell in cells) + " |"


def _cell(result: SampleResult | None) -> str:
    if result is None:
        return "—"
    if result.status in (PASSED, FAILED):
        return f"{CELL[result.status]} {result.run_seconds:.2f}"
    return CELL[result.status]


def build_report(results: dict[tuple[str, str], SampleResult]) -> Report:
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
    return Report(known, problems, notes)


def what_each_sdk_sends(results: dict[tuple[str, str], SampleResult]) -> list[str]:
    """From the stub's journal: how each SDK expresses the same call on the wire."""
    plain = [result for (_, scenario), result in results.items() if scenario == PLAIN and result.journal]
    if not plain:
        return []
    throttled = {
        result.sample: result for (_, scenario), result in results.items() if scenario == "throttled-then-fine"
    }
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
        retry = throttled.get(sample_id)
        retry_cell = (
            ""
            if retry is None
            else (
                f"{retry.attempts}, {retry.retry_wait_ms:.0f} ms"
                if retry.attempts > 1
                else f"{retry.attempts}, no retry"
            )
        )
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
            lines.append(f"- `{sample_id}` → `{entry['model_id']}`: `{_short(entry['body'] or '', 400)}`")
    return lines


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
    report = build_report(read_results(directory))
    directory.mkdir(parents=True, exist_ok=True)
    (directory / "report.md").write_text(report.markdown(), encoding="utf-8")
    (directory / "report.json").write_text(json.dumps(report.to_json(), ensure_ascii=False, indent=1), encoding="utf-8")
    report.junit().write(directory / "report.junit.xml", encoding="utf-8", xml_declaration=True)
    return report
