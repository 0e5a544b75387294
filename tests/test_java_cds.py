"""Java's class-data sharing: the build makes an archive from a training run, and the samples and the start-up floor
both start from it."""

from __future__ import annotations

import os
import re
import tempfile
from pathlib import Path

import pytest
from bedrock_stub import Stub

from bedrock_mirror import pipeline, registry
from bedrock_mirror.environment import scrubbed
from bedrock_mirror.process import run_process
from bedrock_mirror.registry import java
from tests.helpers import ready_language

JAVA = registry.language("java")
FLOORS = Path(__file__).resolve().parent.parent / "bedrock_mirror" / "bench" / "floors"
SHARE_AUTO = "-Xshare:auto"
SHARE_ARCHIVE = f"-XX:SharedArchiveFile={java.ARCHIVE}"
# What the class+load log says of a class that came from the dynamic archive (the base archive is "shared objects
# file" alone).
FROM_ARCHIVE = "source: shared objects file (top)"
# Loaded by every sample and by the floor; in the archive only if the training run loaded it with their class path.
SDK_CLASSES = (
    "software.amazon.awssdk.services.bedrockruntime.BedrockRuntimeClient",
    "software.amazon.awssdk.regions.Region",
    "software.amazon.awssdk.auth.credentials.DefaultCredentialsProvider",
)


def _step(name: str):
    return next(step for step in JAVA.steps if step.name == name)


def test_the_archive_is_a_build_output_made_after_the_jar_from_the_jar_and_its_libraries():
    names = [step.name for step in JAVA.steps]
    assert names.index("archive") == names.index("build") + 1
    archive = _step("archive")
    assert archive.outputs == (java.ARCHIVE,)
    (command,) = archive.commands
    assert f"-XX:ArchiveClassesAtExit={java.ARCHIVE}" in command
    # The training runs with exactly the samples' class path: the archive is refused under any other.
    assert command[command.index("-cp") + 1] == java.JAR
    assert command[-1] == java.TRAINING and (JAVA.path / java.TRAINING).is_file()
    assert set(archive.inputs) == {java.JAR, "target/lib/*.jar", java.TRAINING}
    assert set(_step("build").outputs) >= {java.JAR, "target/lib"}


@pytest.mark.parametrize("sample", JAVA.samples, ids=[sample.id for sample in JAVA.samples])
def test_every_sample_starts_from_the_archive_and_falls_back_to_a_normal_start(sample):
    assert sample.run[0] == "java"
    assert SHARE_ARCHIVE in sample.run and SHARE_AUTO in sample.run
    # The archive holds classes of the jar's class path only, so each run must use that path as it is.
    class_path = sample.run[sample.run.index("-cp") + 1] if "-cp" in sample.run else sample.run[-1]
    assert class_path == java.JAR


def test_the_floor_starts_from_the_same_archive_with_the_samples_class_path_first():
    assert JAVA.floor is not None
    run = JAVA.floor.run
    assert SHARE_ARCHIVE in run and SHARE_AUTO in run
    assert run[run.index("-cp") + 1].split(":")[0] == java.JAR


def _strictly_shared(command: tuple[str, ...], log: Path) -> tuple[str, ...]:
    """The command with the archive required (-Xshare:on refuses to start without it) and every class load logged."""
    forced = tuple("-Xshare:on" if part == SHARE_AUTO else part for part in command)
    return (forced[0], f"-Xlog:class+load=info:file={log}", *forced[1:])


def _archived_classes(log: Path) -> set[str]:
    pattern = re.compile(r"\]\s(\S+) " + re.escape(FROM_ARCHIVE))
    return {match.group(1) for line in log.read_text().splitlines() if (match := pattern.search(line))}


end_to_end = pytest.mark.end_to_end


@end_to_end
def test_the_build_makes_an_archive_that_a_sample_run_requires_and_uses(tmp_path):
    ready_language(JAVA)
    assert (JAVA.path / java.ARCHIVE).is_file()
    sample = JAVA.samples[0]
    log = tmp_path / "classes.log"
    with Stub() as stub:
        run = pipeline.run_against(JAVA, _strictly_shared(sample.run, log), stub, timeout=120)
    assert run.process.ok, run.process.output_tail(20)
    assert sample.extraction.extract(run.process.stdout) == run.expected
    archived = _archived_classes(log)
    assert set(SDK_CLASSES) <= archived
    # The request's own path (signing, the HTTP client, the reply's JSON) comes from the archive too.
    assert any(name.startswith("software.amazon.awssdk.http.auth.aws.") for name in archived)
    assert "org.json.JSONObject" in archived


@end_to_end
def test_a_streaming_sample_maps_the_event_stream_classes_from_the_archive(tmp_path):
    ready_language(JAVA)
    sample = next(sample for sample in JAVA.samples if sample.id == "java-converse-stream")
    log = tmp_path / "classes.log"
    with Stub() as stub:
        run = pipeline.run_against(JAVA, _strictly_shared(sample.run, log), stub, timeout=120)
    assert run.process.ok, run.process.output_tail(20)
    assert sample.extraction.extract(run.process.stdout) == run.expected
    archived = _archived_classes(log)
    assert "software.amazon.awssdk.services.bedrockruntime.BedrockRuntimeAsyncClient" in archived
    assert any(name.startswith("software.amazon.awssdk.eventstream.") for name in archived)
    assert any(name.startswith("io.netty.handler.codec.http2.") for name in archived)


@end_to_end
def test_the_floor_requires_and_uses_the_same_archive(tmp_path):
    ready_language(JAVA)
    assert JAVA.floor is not None

    def fill(command: tuple[str, ...]) -> tuple[str, ...]:
        return tuple(part.replace("{floors}", str(FLOORS)).replace("{cache}", str(tmp_path)) for part in command)

    env = scrubbed(os.environ)
    for command in JAVA.floor.build:
        built = run_process(fill(command), cwd=JAVA.path, env=env, timeout=600)
        assert built.ok, built.output_tail(20)
    log = tmp_path / "classes.log"
    floor = run_process(_strictly_shared(fill(JAVA.floor.run), log), cwd=JAVA.path, env=env, timeout=120)
    assert floor.ok, floor.output_tail(20)
    assert floor.stdout.strip() == "floor"
    assert set(SDK_CLASSES) <= _archived_classes(log)


@end_to_end
def test_a_missing_archive_means_a_normal_quiet_start():
    ready_language(JAVA)
    sample = JAVA.samples[0]
    with tempfile.TemporaryDirectory(prefix="mirror-cds-") as folder:
        absent = f"-XX:SharedArchiveFile={Path(folder) / 'absent.jsa'}"
        command = tuple(absent if part == SHARE_ARCHIVE else part for part in sample.run)
        assert command != sample.run
        with Stub() as stub:
            run = pipeline.run_against(JAVA, command, stub, timeout=120)
    assert run.process.ok, run.process.output_tail(20)
    assert run.process.stdout == run.expected + "\n"
    assert run.process.stderr == ""
