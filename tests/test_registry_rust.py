"""The Rust registry entries held to their sources: the call each program makes, its model, its markers, its
upstream origin, and the pins in Cargo.lock."""

from __future__ import annotations

import os
import re
import shutil
from pathlib import Path

import pytest
from bedrock_stub import CONVERSE, CONVERSE_STREAM

from bedrock_mirror import idioms, registry
from bedrock_mirror.environment import scrubbed
from bedrock_mirror.process import run_process
from bedrock_mirror.registry import rust
from bedrock_mirror.versions import language_pin
from tests.helpers import ready_language

tomllib = pytest.importorskip("tomllib", reason="reading Cargo.toml needs Python 3.11 or later (tomllib)")
RUST = registry.language("rust")
FLOORS = Path(__file__).resolve().parent.parent / "bedrock_mirror" / "bench" / "floors"
CALLS = {CONVERSE: "converse", CONVERSE_STREAM: "converse_stream"}
# The dependencies of upstream's rustv1/examples/bedrock-runtime/Cargo.toml.
UPSTREAM_DEPENDENCIES = {
    "aws-config",
    "aws-sdk-bedrockruntime",
    "aws-smithy-runtime-api",
    "aws-smithy-types",
    "reqwest",
    "serde",
    "serde_json",
    "tokio",
    "tracing",
    "tracing-subscriber",
}


@pytest.mark.parametrize("sample", RUST.samples, ids=[sample.id for sample in RUST.samples])
def test_each_program_makes_the_registered_call_for_the_registered_model(sample):
    source = (RUST.path / sample.source).read_text(encoding="utf-8")
    assert set(re.findall(r"\.(converse(?:_stream)?)\(\)", source)) == {CALLS[sample.operation]}
    assert re.findall(r'^const MODEL_ID: &str = "([^"]+)";', source, re.MULTILINE) == [sample.model_id]
    # The run command is the program cargo builds from the source.
    assert sample.run[0].endswith("/debug/" + sample.source.removeprefix("src/bin/").removesuffix(".rs"))


@pytest.mark.parametrize("sample", RUST.samples, ids=[sample.id for sample in RUST.samples])
def test_each_program_marks_every_step(sample):
    steps = {region.step for region in idioms.regions_of(RUST, RUST.path / sample.source)}
    assert steps == set(idioms.STEPS)


@pytest.mark.parametrize("sample", RUST.samples, ids=[sample.id for sample in RUST.samples])
def test_each_sample_names_where_it_comes_from(sample):
    path, _, commit = sample.upstream.partition("@")
    assert path == "rustv1/examples/bedrock-runtime/" + sample.source
    assert len(commit) == 40  # the commit it was mirrored from


def test_the_dependencies_are_upstreams_and_the_lock_pins_each():
    manifest = tomllib.loads((RUST.path / "Cargo.toml").read_text(encoding="utf-8"))
    assert set(manifest["dependencies"]) == UPSTREAM_DEPENDENCIES
    locked = {package["name"] for package in tomllib.loads((RUST.path / "Cargo.lock").read_text())["package"]}
    assert locked >= UPSTREAM_DEPENDENCIES
    assert re.fullmatch(r"1\.\d+\.\d+", language_pin(RUST) or "")


def test_the_build_goes_under_the_projects_cache():
    config = tomllib.loads((RUST.path / ".cargo" / "config.toml").read_text(encoding="utf-8"))
    target = config["build"]["target-dir"]
    assert (RUST.path / target).resolve() == (registry.ROOT / ".cache" / "rust-target")
    assert all(sample.run[0].startswith(target + "/") for sample in RUST.samples)


def test_a_drift_copy_keeps_the_programs_sources_and_leaves_build_output_behind(tmp_path):
    from bedrock_mirror.sessions import _refresh_copy

    _refresh_copy(RUST.path, tmp_path / "rust")
    assert {path.name for path in (tmp_path / "rust" / "src" / "bin").iterdir()} == {
        sample.source.removeprefix("src/bin/") for sample in RUST.samples
    }
    go = registry.language("go")
    (tmp_path / "go-source").mkdir()
    (tmp_path / "go-source" / "bin").mkdir()
    (tmp_path / "go-source" / "bin" / "built").write_text("output", encoding="utf-8")
    _refresh_copy(tmp_path / "go-source", tmp_path / go.name)
    assert not (tmp_path / go.name / "bin").exists()


def _floor_build() -> tuple[tuple[str, ...], ...]:
    assert RUST.floor is not None, "Rust has no start-up floor: the bench cannot compare its examples to one"
    return RUST.floor.build


def test_the_floor_is_built_from_the_examples_manifest_and_lock_into_their_target():
    *assemble, cargo = _floor_build()
    # The examples' own manifest and lockfile, not a copy kept by hand: the same crates, features and profile.
    copies = [command for command in assemble if command[0] == "cp"]
    assert any({"Cargo.toml", "Cargo.lock"} <= set(command) for command in copies)
    assert any("{floors}/floor.rs" in command for command in copies)
    assert (FLOORS / "floor.rs").is_file()
    assert cargo[:2] == ("cargo", "build") and {"--locked", "--offline"} <= set(cargo)
    assert cargo[cargo.index("--target-dir") + 1] == rust.TARGET
    assert cargo[cargo.index("--manifest-path") + 1].startswith("{cache}/")
    assert RUST.floor is not None and RUST.floor.run == (rust.program(cargo[cargo.index("--bin") + 1]),)


def test_the_floor_builds_the_client_the_way_the_examples_do():
    floor = (FLOORS / "floor.rs").read_text(encoding="utf-8")
    example = (RUST.path / "src" / "bin" / "converse.rs").read_text(encoding="utf-8")
    for step in ("aws_config::defaults(BehaviorVersion::latest())", "#[tokio::main]", "Client::new(&sdk_config)"):
        assert step in example and step in floor
    # No request: the floor is the start-up alone.
    assert not re.search(r"\.send\(\)", floor)


@pytest.mark.skipif(shutil.which("rustfmt") is None, reason="checking floor.rs's format needs rustfmt (rustup)")
def test_the_floor_is_formatted_by_rustfmt():
    checked = run_process(
        ("rustfmt", "--edition", "2021", "--check", str(FLOORS / "floor.rs")), cwd=FLOORS, env=os.environ, timeout=60
    )
    assert checked.ok, checked.output_tail(20)


@pytest.mark.end_to_end
def test_the_floor_reuses_the_examples_compiled_sdk_and_prints(tmp_path):
    ready_language(RUST)

    def fill(command: tuple[str, ...]) -> tuple[str, ...]:
        return tuple(part.replace("{floors}", str(FLOORS)).replace("{cache}", str(tmp_path)) for part in command)

    env = scrubbed(os.environ)
    for command in _floor_build():
        built = run_process(fill(command), cwd=RUST.path, env=env, timeout=600)
        assert built.ok, built.output_tail(20)
    # The examples' build already compiled every crate: only the floor's own package is compiled.
    compiled = set(re.findall(r"^\s*Compiling (\S+) v", built.stderr, re.MULTILINE))
    assert compiled <= {"bedrock-runtime"}, built.stderr
    assert RUST.floor is not None
    floor = run_process(fill(RUST.floor.run), cwd=RUST.path, env=env, timeout=120)
    assert floor.ok, floor.output_tail(20)
    assert floor.stdout.strip() == "floor"
