"""Result files: a record the harness did not write, or that was cut short or changed, is named, never believed."""

from __future__ import annotations

import json

import pytest

from bedrock_mirror import registry, report
from bedrock_mirror.results import FAILED, PASSED, SampleResult, read_results, write_result

FIRST, SECOND = (sample.id for _, sample in registry.all_samples()[:2])


def result(sample: str, status: str = PASSED) -> SampleResult:
    language = next(language for language, item in registry.all_samples() if item.id == sample)
    return SampleResult(
        scenario="plain",
        sample=sample,
        language=language.name,
        title="",
        sdk="sdk",
        sdk_version="1",
        status=status,  # type: ignore[arg-type]
        run_id="r1",
        expected_text="reply",
        extracted_text="reply",
    )


def forged(sample: str) -> dict:
    """What a sample could write itself: a well-formed record claiming it passed, without the harness's check."""
    return json.loads(json.dumps(result(sample).__dict__))


@pytest.mark.parametrize(
    "content, says",
    [
        ("{", "not a JSON document"),
        ("", "not a JSON document"),
        ("[]", "not a JSON object"),
        ('{"sample": 5}', "check does not match"),
        ("\udcff", "not a JSON document"),
        ("[" * 100_000, "not a JSON document"),
    ],
)
def test_a_corrupt_result_file_is_named_and_the_report_still_written(tmp_path, content, says):
    write_result(result(FIRST), tmp_path)
    (tmp_path / "results" / f"{SECOND}--plain.json").write_text(content, errors="surrogateescape")
    built = report.write_report(tmp_path)
    assert [problem for problem in built.problems if f"{SECOND}--plain.json" in problem and says in problem]
    assert not built.ok
    assert (FIRST, "plain") in built.results and (SECOND, "plain") not in built.results


def test_a_result_a_sample_wrote_itself_is_not_believed(tmp_path):
    write_result(result(FIRST), tmp_path)
    path = tmp_path / "results" / f"{SECOND}--plain.json"
    path.write_text(json.dumps(forged(SECOND)))
    unread: list[str] = []
    assert (SECOND, "plain") not in read_results(tmp_path, unread)
    assert unread == [
        f"result file {path.name} was not read: its check does not match this output folder's key "
        "(written or changed by something else)"
    ]
    assert not report.write_report(tmp_path).ok


def test_a_record_changed_after_it_was_written_is_not_believed(tmp_path):
    path = write_result(result(FIRST, status=FAILED), tmp_path)
    record = json.loads(path.read_text())
    record["status"] = PASSED
    path.write_text(json.dumps(record))
    problems: list[str] = []
    assert read_results(tmp_path, problems) == {}
    assert len(problems) == 1 and path.name in problems[0]


def test_a_record_cut_short_is_not_believed(tmp_path):
    path = write_result(result(FIRST), tmp_path)
    path.write_text(path.read_text()[: len(path.read_text()) // 2])
    problems: list[str] = []
    assert read_results(tmp_path, problems) == {}
    assert "not a JSON document" in problems[0]


def test_records_the_harness_wrote_are_read_back(tmp_path):
    for sample in (FIRST, SECOND):
        write_result(result(sample), tmp_path)
    problems: list[str] = []
    assert set(read_results(tmp_path, problems)) == {(FIRST, "plain"), (SECOND, "plain")}
    assert problems == []
    assert report.write_report(tmp_path).ok
    assert oct((tmp_path / ".results-key").stat().st_mode & 0o777) == "0o600"
