"""The Rust registry entries held to their sources: the call each program makes, its model, its markers, its
upstream origin, and the pins in Cargo.lock."""

from __future__ import annotations

import re

import pytest
from bedrock_stub import CONVERSE, CONVERSE_STREAM

from bedrock_mirror import idioms, registry
from bedrock_mirror.versions import language_pin

tomllib = pytest.importorskip("tomllib", reason="reading Cargo.toml needs Python 3.11 or later (tomllib)")
RUST = registry.language("rust")
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
