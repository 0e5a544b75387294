"""Extraction after a same-line label (`Response: <text>`), and the model-not-found scenario's catalogue."""

from __future__ import annotations

import pytest
from bedrock_stub import CONVERSE, Catalogue
from bedrock_stub.models import INVALID_MODEL_ID

from bedrock_mirror import registry
from bedrock_mirror.extraction import Extraction
from bedrock_mirror.registry.model import ErrorPath, Sample
from bedrock_mirror.scenarios import scenario

RESPONSE = Extraction(after_prefix="Response: ")


@pytest.mark.parametrize(
    ("extraction", "stdout", "answer"),
    [
        (RESPONSE, "Model: x\nPrompt: y\n\nResponse: the reply\n", "the reply"),
        (RESPONSE, "Response: first line\nsecond line\n", "first line\nsecond line"),
        (RESPONSE, "Response: \n", ""),
        (RESPONSE, "Response: no final newline", "no final newline"),
        # Only a line that starts with the label counts; the first such line wins.
        (RESPONSE, "Prompt: Response: no\nResponse: yes\nResponse: again\n", "yes\nResponse: again"),
        (RESPONSE, "Prompt: Response: not at a line start\n", None),
        (RESPONSE, "no label at all\n", None),
        (Extraction(after_prefix="Response: ", before="Done."), "Response: a\nb\nDone.\nrest\n", "a\nb"),
        (Extraction(after_prefix="Response: ", before="Done."), "Response: a\n", None),
        (Extraction(after_prefix="Answer:"), "Answer:glued\n", "glued"),
    ],
)
def test_after_prefix_takes_the_rest_of_the_labelled_line_and_what_follows(extraction, stdout, answer):
    assert extraction.extract(stdout) == answer


def test_after_and_after_prefix_exclude_each_other_and_the_label_is_not_empty():
    with pytest.raises(ValueError, match="not both"):
        Extraction(after="x", after_prefix="y")
    with pytest.raises(ValueError, match="must not be empty"):
        Extraction(after_prefix="")


def test_after_prefix_is_described():
    assert RESPONSE.describe() == "standard output after the label 'Response: ' that starts a line"


def test_a_multi_line_after_marker_skips_the_blank_line_the_reasoning_examples_print():
    printed = "\n<thinking>\nthe thought\n</thinking>\n\nthe answer\nline two\n"
    assert Extraction(after="</thinking>\n").extract(printed) == "the answer\nline two"


def _sample(model_id: str) -> Sample:
    return Sample(
        id="probe",
        title="probe",
        source="x",
        run=("true",),
        operation=CONVERSE,
        model_id=model_id,
        on_error=ErrorPath("x"),
    )


@pytest.mark.parametrize(
    "model_id",
    [
        "global.anthropic.claude-haiku-4-5-20251001-v1:0",
        "us.anthropic.claude-sonnet-4-20250514-v1:0",
        "anthropic.claude-3-haiku-20240307-v1:0",
        "arn:aws:bedrock:us-east-1::foundation-model/anthropic.claude-v2",
    ],
)
def test_model_not_found_removes_the_model_behind_any_form_of_id(model_id):
    options = scenario("model-not-found").stub_options([_sample(model_id)])
    catalogue = Catalogue(options["models"])
    with pytest.raises(Exception, match=INVALID_MODEL_ID):
        catalogue.resolve(model_id, operation=CONVERSE)
    # Only that model is gone: every other model of the full catalogue is still served.
    assert len(list(catalogue)) == len(list(Catalogue())) - 1


def test_model_not_found_leaves_no_registered_sample_a_model_to_call():
    samples = [sample for _, sample in registry.all_samples()]
    catalogue = Catalogue(scenario("model-not-found").stub_options(samples)["models"])
    for sample in samples:
        assert catalogue.model_behind(sample.model_id) is None, sample.id
