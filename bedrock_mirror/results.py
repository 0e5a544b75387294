"""Result records: one JSON file per sample run, written by the language sessions and read by the report."""

from __future__ import annotations

import hashlib
import hmac
import json
import os
import re
import secrets
from dataclasses import MISSING, asdict, dataclass, field, fields
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
    # The version the User-Agent of the sample's own requests named: the SDK that really sent them.
    sdk_sent: str | None = None
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


# Each record carries an HMAC-SHA256 of its content under a key kept beside the results (owner-only), so that a
# record a sample wrote itself, or one cut short or edited, is reported by name instead of being believed.
_KEY_FILE = ".results-key"
_MAC_FIELD = "mac"


def results_key(directory: Path | None = None) -> bytes:
    """The output folder's key, drawn the first time a result is written there."""
    folder = directory or output_dir()
    path = folder / _KEY_FILE
    folder.mkdir(parents=True, exist_ok=True)
    try:
        descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        return bytes.fromhex(path.read_text(encoding="ascii").strip())
    key = secrets.token_bytes(32)
    with os.fdopen(descriptor, "w", encoding="ascii") as file:
        file.write(key.hex())
    return key


def _mac(key: bytes, record: dict[str, Any]) -> str:
    canonical = json.dumps(record, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    return hmac.new(key, canonical.encode("utf-8"), hashlib.sha256).hexdigest()


def sealed(record: dict[str, Any], directory: Path | None = None) -> dict[str, Any]:
    """The record with its check under the output folder's key, as the harness writes it."""
    return {**record, _MAC_FIELD: _mac(results_key(directory), record)}


def write_result(result: SampleResult, directory: Path | None = None) -> Path:
    base = directory or output_dir()
    folder = base / "results"
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{result.sample}--{result.scenario}.json"
    record = sealed(json_safe(asdict(result)), base)
    # Written aside, then renamed: a report read at the same moment sees the old record or the new, never half.
    partial = path.with_name(f".{path.name}.{os.getpid()}.partial")
    partial.write_text(json.dumps(record, ensure_ascii=False, indent=2), encoding="utf-8")
    os.replace(partial, path)
    return path


def read_results(
    directory: Path | None = None, problems: list[str] | None = None
) -> dict[tuple[str, str], SampleResult]:
    """The latest result of each (sample, scenario). A file that is not a record this harness wrote (unreadable,
    cut short, of the wrong shape, or without a matching check) is left out and named in `problems`."""
    base = directory or output_dir()
    folder = base / "results"
    results: dict[tuple[str, str], SampleResult] = {}
    paths = sorted(folder.glob("*--*.json"))
    key = results_key(base) if paths else b""
    for path in paths:
        try:
            result = _read_record(path, key)
        except _Unreadable as reason:
            if problems is not None:
                problems.append(f"result file {path.name} was not read: {reason}")
            continue
        results[result.key] = result
    return results


class _Unreadable(Exception):
    """Why a result file cannot be believed."""


def _read_record(path: Path, key: bytes) -> SampleResult:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, ValueError, RecursionError) as exc:
        raise _Unreadable(f"not a JSON document ({type(exc).__name__})") from None
    if not isinstance(data, dict):
        raise _Unreadable("not a JSON object")
    mac = data.pop(_MAC_FIELD, None)
    if not isinstance(mac, str) or not hmac.compare_digest(mac, _mac(key, data)):
        raise _Unreadable("its check does not match this output folder's key (written or changed by something else)")
    missing = sorted(name for name in _REQUIRED if name not in data)
    if missing:
        raise _Unreadable(f"missing {', '.join(missing)}")
    try:
        # Fields this version does not know (a newer writer's) are left out rather than refused.
        return SampleResult(**{name: value for name, value in data.items() if name in _FIELDS})
    except TypeError as exc:
        raise _Unreadable(str(exc)) from None


_REQUIRED = {item.name for item in fields(SampleResult) if item.default is MISSING and item.default_factory is MISSING}
