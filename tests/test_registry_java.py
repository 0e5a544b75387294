"""The Java registry entries: how their answers are cut out of what the programs print, and that each names a class
of the Maven project that carries the five marked steps."""

from __future__ import annotations

import re

import pytest

from bedrock_mirror import idioms
from bedrock_mirror.extraction import AfterInlineMarker
from bedrock_mirror.registry import language

JAVA = language("java")
REPLY = "Two lines\nof reply"
ERROR_LINE = (
    "Error: software.amazon.awssdk.services.bedrockruntime.model.ThrottlingException: Too many requests, please "
    "wait before trying again. (Service: BedrockRuntime, Status Code: 429, Request ID: 1)"
)
CLAUDE2_TEXT_STREAM = "Using the Text Completions API...\nStreaming response:\n" + REPLY + "Complete response:\n"


def sample(sample_id: str):
    return next(candidate for candidate in JAVA.samples if candidate.id == sample_id)


def test_the_text_completions_answer_follows_the_line_its_streamed_text_runs_into():
    stdout = CLAUDE2_TEXT_STREAM + REPLY + "\n"
    assert sample("java-claude2-text-stream").extraction.extract(stdout) == REPLY


def test_the_inline_marker_is_not_found_in_output_that_lacks_it():
    assert AfterInlineMarker(after="Complete response:").extract("Streaming response:\n" + REPLY) is None


@pytest.mark.parametrize("retried_attempts", [0, 1, 2])
def test_the_legacy_stream_answer_skips_the_lines_printed_for_retried_attempts(retried_attempts):
    header = "-" * 88 + "\nInvoking anthropic.claude-v2 with response stream\nPrompt: What is a large-language model?\n"
    stdout = header + f"\n\n{ERROR_LINE}\n" * retried_attempts + REPLY
    assert sample("java-claude2-legacy-stream").extraction.extract(stdout) == REPLY


def test_a_call_that_failed_for_good_keeps_its_error_lines_as_its_output():
    header = "Prompt: What is a large-language model?\n"
    extracted = sample("java-claude2-legacy-stream").extraction.extract(header + f"\n\n{ERROR_LINE}\n")
    assert extracted is not None and ERROR_LINE in extracted


def test_the_demo_answers_end_at_the_rule_of_dashes():
    stdout = "Streaming response:\n" + REPLY + "\n" + "-" * 67 + "\nStructured response:\n{}\n"
    assert sample("java-claude3-stream").extraction.extract(stdout) == REPLY
    assert sample("java-claude2-messages-stream").extraction.extract(stdout) == REPLY


@pytest.mark.parametrize("entry", JAVA.samples, ids=[entry.id for entry in JAVA.samples])
def test_each_entry_runs_a_class_of_the_project_whose_source_marks_every_step(entry):
    main_class = entry.run[-1] if "-cp" in entry.run else "com.example.bedrockruntime.InvokeModel"
    runner = JAVA.path / "src/main/java" / (main_class.replace(".", "/") + ".java")
    assert runner.is_file(), f"{entry.id} runs {main_class}, which has no source"
    assert re.search(r"public static void main\(String\[\] args\)", runner.read_text(encoding="utf-8"))
    steps = {region.step for region in idioms.regions_of(JAVA, JAVA.path / entry.source)}
    assert steps == set(idioms.STEPS)


def test_the_snippets_sharing_one_run_tell_their_requests_apart():
    claude2 = [entry for entry in JAVA.samples if entry.run == sample("java-claude2-text-stream").run]
    assert len(claude2) == 2
    markers = [entry.request_marker for entry in claude2]
    assert None not in markers and len(set(markers)) == 2
