"""Result records: one JSON file per sample run, written by the language sessions and read by the report."""

from __future__ import annotations

import json
import os
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from .registry import ROOT

PASSED, FAILED, SKIPPED, NOT_APPLICABLE = "passed", "failed", "skipped", "n/a"


def output_dir() -> Path:
    """Where results and reports go: $MIRROR_OUT, or out/ in the project."""
    return Path(os.environ.get("MIRROR_OUT") or ROOT / "out")


@dataclass
class SampleResult:
    scenario: str
    sample: str
    language: str
    title: str
    sdk: str
    sdk_version: str | None
    status: str
    reason: str = ""
    run_id: str = ""
    expected_text: str | None = None
    extracted_text: str | None = None
    build_seconds: float = 0.0
    build_cached: bool = False  # every install and build step was up to date
    run_seconds: float = 0.0
    exit_code: int | None = None
    stdout: str = ""
    stderr: str = ""
    findings: list[str] = field(default_factory=list)
    journal: list[dict[str, Any]] = field(default_factory=list)
    expectation: str = ""
    attempts: int = 0
    retry_wait_ms: float = 0.0

    @property
    def key(self) -> tuple[str, str]:
        return self.sample, self.scenario

    @property
    def text_matches(self) -> bool:
        return self.extracted_text is not None and self.extracted_text == self.expected_text


def write_result(result: SampleResult, directory: Path | None = None) -> Path:
    folder = (directory or output_dir()) / "results"
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{result.sample}--{result.scenario}.json"
    # Written aside, then renamed: a report read at the same moment sees the old record or the new, never half.
    partial = path.with_name(f".{path.name}.{os.getpid()}.partial")
    partial.write_text(json.dumps(asdict(result), ensure_ascii=False, indent=2), encoding="utf-8")
    os.replace(partial, path)
    return path


def read_results(directory: Path | None = None) -> dict[tuple[str, str], SampleResult]:
    """The latest result of each (sample, scenario)."""
    folder = (directory or output_dir()) / "results"
    results = {}
    for path in sorted(folder.glob("*--*.json")):
        result = SampleResult(**json.loads(path.read_text(encoding="utf-8")))
        results[result.key] = result
    return results
