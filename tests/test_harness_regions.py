"""Regions: each sample runs with the region its code signs for, and the harness's stubs serve every region the
registry names."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest
from bedrock_stub import Credentials

from bedrock_mirror import pipeline, registry
from bedrock_mirror.environment import sample_environment
from bedrock_mirror.registry.model import DEFAULT_REGION
from bedrock_mirror.results import FAILED, PASSED
from tests.helpers import CALL_THE_STUB, fake_language, run_suite, script_samples

# A region no sample of the registry signs for (the tests check that it stays so).
OTHER_REGION = "eu-west-3"
# Signs for the region its environment gives it, and says so if that is not the one its record names.
SIGNS_FOR_OTHER_REGION = (
    "import boto3\n"
    f"assert boto3.client('bedrock-runtime').meta.region_name == {OTHER_REGION!r}, 'not given its region'\n"
    + CALL_THE_STUB
    + "print(text)\n"
)


def other_region_language(folder: Path):
    assert OTHER_REGION not in registry.regions()
    [sample] = script_samples(folder, {"elsewhere": SIGNS_FOR_OTHER_REGION})
    return fake_language(folder, samples=[dataclasses.replace(sample, region=OTHER_REGION)])


def test_every_sample_defaults_to_us_east_1_and_the_registry_derives_its_regions():
    assert registry.regions() == frozenset(sample.region for _, sample in registry.all_samples())
    assert DEFAULT_REGION in registry.regions()


def test_the_sample_environment_gives_the_samples_region(tmp_path):
    env = sample_environment("http://127.0.0.1:9", Credentials(), tmp_path, base={}, region="us-west-2")
    assert (env["AWS_REGION"], env["AWS_DEFAULT_REGION"]) == ("us-west-2", "us-west-2")
    assert "region = us-west-2" in Path(env["AWS_CONFIG_FILE"]).read_text()


def test_a_sample_signing_for_a_region_the_registry_names_runs(tmp_path, monkeypatch):
    language = other_region_language(tmp_path)
    monkeypatch.setattr(registry, "LANGUAGES", (*registry.LANGUAGES, language))
    assert OTHER_REGION in registry.regions()
    [result] = run_suite([language], timeout=60)
    assert result.status == PASSED, result.reason


def test_a_region_no_sample_of_the_registry_names_keeps_aws_error(tmp_path):
    # The same sample outside the registry: its region is not served, and the stub answers as AWS does.
    [result] = run_suite([other_region_language(tmp_path)], timeout=60)
    assert result.status == FAILED
    assert f"Credential should be scoped to a valid region, not '{OTHER_REGION}'" in result.stdout + result.stderr


def test_the_samples_of_one_program_share_a_region(tmp_path):
    [sample] = script_samples(tmp_path, {"one": CALL_THE_STUB})
    with pytest.raises(ValueError, match="several regions"):
        pipeline.program_region([sample, dataclasses.replace(sample, region="eu-west-1")])
    assert pipeline.program_region([]) == DEFAULT_REGION
