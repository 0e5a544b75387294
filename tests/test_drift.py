"""`--sdk latest`: the samples built in a copy of their folder with the SDK's newest release, the pinned build left
alone, and the report setting pinned and newest side by side."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest

from bedrock_mirror import registry, report, sessions
from bedrock_mirror.registry import Language, Step
from bedrock_mirror.registry.model import Installed, Sdk
from bedrock_mirror.results import FAILED, PASSED, SampleResult, drift_dir, read_results, write_result
from tests.helpers import CALL_THE_STUB, fake_sample

PINNED, NEWEST = "1.0.0", "2.0.0"


class Session:
    """What the session functions use of a nox session."""

    posargs: tuple[str, ...] = ()

    def log(self, message: str) -> None:
        print(message)

    def error(self, message: str) -> None:
        raise AssertionError(f"session failed: {message}")

    def skip(self, message: str) -> None:
        raise AssertionError(f"session skipped: {message}")


def sdk_language(folder: Path) -> Language:
    """A language whose "SDK" is a package.json its install step copies from a lock file, and whose upgrade moves
    that lock file to a newer release, as `npm install <package>@latest` does."""
    folder.mkdir()
    (folder / "sdk.lock").write_text(json.dumps({"name": "fake-sdk", "version": PINNED}))
    (folder / "package-lock.json").write_text(json.dumps({"packages": {"node_modules/fake-sdk": {"version": PINNED}}}))
    # A build output of the pinned folder, which the copy must not take over.
    (folder / "node_modules/fake-sdk").mkdir(parents=True)
    (folder / "node_modules/fake-sdk/package.json").write_text(json.dumps({"version": PINNED}))
    (folder / "sample.py").write_text(
        CALL_THE_STUB + "import pathlib\nprint(text)\npathlib.Path('ran-here').write_text('yes')\n"
    )
    install = (
        "import os, shutil; os.makedirs('node_modules/fake-sdk', exist_ok=True); "
        "shutil.copy('sdk.lock', 'node_modules/fake-sdk/package.json')"
    )
    upgrade = f"import json; json.dump({{'name': 'fake-sdk', 'version': '{NEWEST}'}}, open('sdk.lock', 'w'))"
    return Language(
        name="fake",
        title="Fake",
        folder=str(folder),
        tools=(),
        sdk=Sdk(
            "fake-sdk",
            manifest="package-lock.json",
            installed=Installed("npm", "node_modules", "fake-sdk"),
            upgrade=((sys.executable, "-c", upgrade),),
        ),
        steps=(
            Step(
                "install",
                commands=((sys.executable, "-c", install),),
                inputs=("sdk.lock",),
                outputs=("node_modules/fake-sdk/package.json",),
            ),
        ),
        samples=(fake_sample((sys.executable, "sample.py"), id="fake-drift"),),
    )


@pytest.fixture
def drift_root(tmp_path, monkeypatch):
    root = tmp_path / "drift-builds"
    monkeypatch.setattr(sessions, "DRIFT_ROOT", root)
    monkeypatch.setenv("MIRROR_OUT", str(tmp_path / "out"))
    return root


def test_latest_runs_the_samples_with_the_newest_release_in_a_copy(tmp_path, drift_root):
    language = sdk_language(tmp_path / "fake")
    sessions._run_languages(Session(), [language], (sessions.scenario("plain"),), latest=True)

    [result] = read_results(drift_dir()).values()
    assert result.status == PASSED, result.reason
    assert (result.sdk_channel, result.sdk_installed, result.sdk_pinned) == ("latest", NEWEST, PINNED)
    assert not read_results(tmp_path / "out"), "a drift result was written among the pinned ones"
    copy = drift_root / "fake"
    assert (copy / "ran-here").is_file() and not (tmp_path / "fake/ran-here").exists(), "the sample ran elsewhere"
    # The pinned folder and its build are as they were; the copy holds the newest release.
    assert json.loads((tmp_path / "fake/sdk.lock").read_text())["version"] == PINNED
    assert json.loads((tmp_path / "fake/node_modules/fake-sdk/package.json").read_text())["version"] == PINNED
    assert json.loads((copy / "node_modules/fake-sdk/package.json").read_text())["version"] == NEWEST
    assert list((drift_root / "stamps").glob("fake-*.sha256")), "the copy's build stamps are not kept apart"


def test_pinned_runs_the_folder_itself(tmp_path, drift_root, monkeypatch):
    language = sdk_language(tmp_path / "fake")
    monkeypatch.setattr("bedrock_mirror.steps.STAMP_DIR", tmp_path / "stamps")
    sessions._run_languages(Session(), [language], (sessions.scenario("plain"),))
    [result] = read_results(tmp_path / "out").values()
    assert (result.sdk_channel, result.sdk_installed, result.sdk_pinned) == ("pinned", PINNED, PINNED)
    assert not drift_root.exists()


def test_a_language_without_upgrade_commands_is_not_copied(tmp_path, drift_root):
    language = registry.language("abap")
    assert sessions.drift_copy(language, drift_root) is None and not drift_root.exists()


def test_the_copy_runs_the_steps_the_upgrade_then_the_steps_again(tmp_path):
    language = sdk_language(tmp_path / "fake")
    copy = sessions.drift_copy(language, tmp_path / "drift")
    assert copy is not None and copy.path == tmp_path / "drift/fake"
    assert [step.name for step in copy.steps] == ["install", "upgrade", "install"]
    assert copy.steps[1].unavailable and copy.steps[1].commands == language.sdk.upgrade
    assert not (copy.path / "node_modules").exists(), "build outputs were copied"


def test_the_sdk_option_is_parsed():
    assert sessions._options_from(["--sdk", "latest", "--scenario", "plain"]).sdk == "latest"
    assert sessions._options_from([]).sdk == "pinned"
    with pytest.raises(SystemExit):
        sessions._options_from(["--sdk", "newest"])


def _result(sample_id: str, scenario: str, status: str, installed: str, channel: str = "pinned") -> SampleResult:
    language = next(language for language, sample in registry.all_samples() if sample.id == sample_id)
    result = SampleResult(
        scenario=scenario,
        sample=sample_id,
        language=language.name,
        title="t",
        sdk=language.sdk.package,
        sdk_version=installed,
        status=status,
        run_id="r",
        sdk_pinned=PINNED,
        sdk_installed=installed,
        sdk_channel=channel,
    )
    result.reason = "" if status == PASSED else "the printed text differs from the stub's reply"
    return result


def test_the_report_sets_pinned_and_newest_side_by_side(tmp_path):
    (first_language, first), (_, second) = registry.all_samples()[:2]
    for item in (
        _result(first.id, "plain", PASSED, PINNED),
        _result(first.id, "long-reply", PASSED, PINNED),
        _result(second.id, "plain", PASSED, PINNED),
    ):
        write_result(item, tmp_path)
    for item in (
        _result(first.id, "plain", PASSED, NEWEST, "latest"),
        _result(first.id, "long-reply", FAILED, NEWEST, "latest"),
        _result(second.id, "plain", PASSED, PINNED, "latest"),
    ):
        write_result(item, drift_dir(tmp_path))
    built = report.write_report(tmp_path)
    assert built.ok, "a failure with the newest release is not a failure of the pinned samples"
    markdown = (tmp_path / "report.md").read_text()
    assert "## Pinned vs newest SDK" in markdown
    drift_rows = [line for line in markdown.split("## Pinned vs newest SDK", 1)[1].splitlines() if line.startswith("|")]
    first_row = next(line for line in drift_rows if f"| {first.id} |" in line)
    assert f"| {PINNED}: pass (2/2) | {NEWEST}: **FAIL** (1 of 2: long-reply) | **the newest release fails** |" in (
        first_row
    )
    assert first_row.startswith(f"| {first_language.title} |")
    second_row = next(line for line in drift_rows if f"| {second.id} |" in line)
    assert "| the pin is the newest release |" in second_row
    assert any(f"with the newest {first_language.sdk.package} ({NEWEST})" in note for note in built.notes)
    data = json.loads((tmp_path / "report.json").read_text())
    assert {(item["sample"], item["scenario"], item["sdk_channel"]) for item in data["drift"]} == {
        (first.id, "plain", "latest"),
        (first.id, "long-reply", "latest"),
        (second.id, "plain", "latest"),
    }


def test_no_drift_results_no_drift_table(tmp_path):
    _, sample = registry.all_samples()[0]
    write_result(_result(sample.id, "plain", PASSED, PINNED), tmp_path)
    assert "Pinned vs newest" not in report.write_report(tmp_path).markdown()


def test_a_warm_drift_run_rebuilds_nothing_and_a_changed_source_reaches_the_copy(tmp_path, drift_root):
    language = sdk_language(tmp_path / "fake")
    sessions._run_languages(Session(), [language], (sessions.scenario("plain"),), latest=True)
    logged: list[str] = []

    class Logged(Session):
        def log(self, message: str) -> None:
            logged.append(message)

    sessions._run_languages(Logged(), [language], (sessions.scenario("plain"),), latest=True)
    assert [line for line in logged if line.startswith("fake: install")] == ["fake: install is up to date"] * 2
    copy = drift_root / "fake"
    assert json.loads((copy / "sdk.lock").read_text())["version"] == NEWEST, "the refresh undid the upgrade"
    # A sample edited in the folder reaches the copy.
    (tmp_path / "fake/sample.py").write_text((tmp_path / "fake/sample.py").read_text() + "print('edited')\n")
    sessions.drift_copy(language, drift_root)
    assert (copy / "sample.py").read_text().endswith("print('edited')\n")


def test_a_sample_failing_with_both_is_not_blamed_on_the_newest_release(tmp_path):
    _, sample = registry.all_samples()[0]
    write_result(_result(sample.id, "plain", FAILED, PINNED), tmp_path)
    write_result(_result(sample.id, "plain", FAILED, NEWEST, "latest"), drift_dir(tmp_path))
    row = next(line for line in report.write_report(tmp_path).markdown().splitlines() if "1.0.0: **FAIL**" in line)
    assert row.endswith("| fails with the pin and with the newest release |")
