"""The parity report: one row per registered sample, and a verdict on whether the samples agree."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from .registry import all_samples
from .results import FAILED, PASSED, SKIPPED, SampleResult, output_dir, read_results

HEADER = ("Language", "Sample", "SDK", "Build s", "Run s", "Status", "Text matches")


@dataclass
class Report:
    rows: list[tuple[str, ...]]
    problems: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems

    def markdown(self) -> str:
        lines = ["| " + " | ".join(HEADER) + " |", "|" + "|".join("---" for _ in HEADER) + "|"]
        lines += ["| " + " | ".join(cell.replace("|", "\\|") for cell in row) + " |" for row in self.rows]
        for title, items in (("Problems", self.problems), ("Notes", self.notes)):
            if items:
                lines += ["", f"{title}:"] + [f"- {item}" for item in items]
        lines += ["", "Verdict: " + ("every sample that ran printed the stub's reply" if self.ok else "FAILED")]
        return "\n".join(lines) + "\n"


def build_report(results: dict[str, SampleResult]) -> Report:
    rows: list[tuple[str, ...]] = []
    problems: list[str] = []
    notes: list[str] = []
    ran: list[SampleResult] = []
    for language, sample in all_samples():
        result = results.get(sample.id)
        if result is None:
            rows.append((language.title, sample.id, language.sdk.package, "", "", "not run", ""))
            continue
        sdk = f"{result.sdk} {result.sdk_version or '?'}"
        matches = "" if result.status == SKIPPED else ("yes" if result.text_matches else "no")
        rows.append(
            (
                language.title,
                sample.id,
                sdk,
                f"{result.build_seconds:.1f}",
                f"{result.run_seconds:.2f}",
                result.status,
                matches,
            )
        )
        if result.status == FAILED:
            problems.append(f"{sample.id}: {result.reason}")
        elif result.status == SKIPPED:
            notes.append(f"{sample.id} skipped: {result.reason}")
        if result.status == PASSED:
            ran.append(result)
        for finding in result.findings:
            notes.append(f"{sample.id}: conformance finding (real Bedrock rejects this): {finding}")
    texts = {result.extracted_text for result in ran}
    if len(texts) > 1:
        runs = {result.run_id for result in ran}
        where = f" (results from {len(runs)} different runs: rerun them together)" if len(runs) > 1 else ""
        problems.append(f"the samples disagree: {len(texts)} different texts{where}")
    return Report(rows, problems, notes)


def write_report(directory: Path | None = None) -> Report:
    directory = directory or output_dir()
    report = build_report(read_results(directory))
    directory.mkdir(parents=True, exist_ok=True)
    (directory / "report.md").write_text(report.markdown(), encoding="utf-8")
    return report
