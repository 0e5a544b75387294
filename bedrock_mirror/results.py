"""Result records: one JSON file per sample run, written by the language sessions and read by the report."""

from __future__ import annotations

import json
import os
import re
from dataclasses import asdict, dataclass, field, fields
from pathlib import Path
from typing import Any, Final, Literal

from .registry import ROOT

Status = Literal["passed", "failed", "skipped", "n/a"]
PASSED: Final = "passed"
FAILED: Final = "failed"
SKIPPED: Final = "skipped"
NOT_APPLICABLE: Final = "n/a"
# "latest": a run with the SDK's newest release (`--sdk latest`).
SdkChannel = Literal["pinned", "latest"]


def output_dir() -> Path:
    """Where results and reports go: $MIRROR_OUT, or out/ in the project."""
    return Path(os.environ.get("MIRROR_OUT") or ROOT / "out")


def drift_dir(directory: Path | None = None) -> Path:
    """Where the runs with each SDK's newest release keep their results (and nothing else)."""
    return (directory or output_dir()) / "drift"


@dataclass
class SampleResult:
    scenario: str
    sample: str
    language: str
    title: str
    sdk: str
    sdk_version: str | None
    status: Status
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
    # sdk_version is what ran: the version the build held (sdk_installed), or the pin where there was no build.
    sdk_pinned: str | None = None
    sdk_installed: str | None = None
    sdk_channel: SdkChannel = "pinned"

    @property
    def key(self) -> tuple[str, str]:
        return self.sample, self.scenario

    @property
    def text_matches(self) -> bool:
        return self.extracted_text is not None and self.extracted_text == self.expected_text


_LONE_SURROGATE = re.compile("[\ud800-\udfff]")


def json_safe(value: Any) -> Any:
    """`value` with every lone surrogate in its strings replaced by U+FFFD, so that it encodes as UTF-8."""
    if isinstance(value, str):
        return _LONE_SURROGATE.sub("\ufffd", value)
    if isinstance(value, dict):
        return {json_safe(key): json_safe(item) for key, item in value.items()}
    if isinstance(value, (list, tuple)):
        return [json_safe(item) for item in value]
    return value


_FIELDS = {item.name for item in fields(SampleResult)}


def write_result(result: SampleResult, directory: Path | None = None) -> Path:
    folder = (directory or output_dir()) / "results"
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{result.sample}--{result.scenario}.json"
    # Written aside, then renamed: a report read at the same moment sees the old record or the new, never half.
    partial = path.with_name(f".{path.name}.{os.getpid()}.partial")
    partial.write_text(json.dumps(json_safe(asdict(result)), ensure_ascii=False, indent=2), encoding="utf-8")
    os.replace(partial, path)
    return path


def read_results(directory: Path | None = None) -> dict[tuple[str, str], SampleResult]:
    """The latest result of each (sample, scenario)."""
    folder = (directory or output_dir()) / "results"
    results = {}
    for path in sorted(folder.glob("*--*.json")):
        data = json.loads(path.read_text(encoding="utf-8"))
        # Fields this version does not know (a newer writer's) are left out rather than refused.
        result = SampleResult(**{name: value for name, value in data.items() if name in _FIELDS})
        results[result.key] = result
    return results
