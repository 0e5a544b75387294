"""`nox -s upstream`: a git repository built here stands in for awsdocs/aws-doc-sdk-examples, with the kinds of
change upstream makes (PHP's new model and Region, a removal, a move, a comment-only edit, a new Claude example)."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from bedrock_mirror import upstream
from bedrock_mirror.registry import ErrorPath, Language, Sample, Sdk

PHP_FILE = "php/example_code/bedrock-runtime/BedrockRuntimeService.php"
PHP_BEFORE = """<?php
// Invokes Claude.
class BedrockRuntimeService
{
    public function __construct(BedrockRuntimeClient $client = null)
    {
        $this->client = new BedrockRuntimeClient(['region' => 'us-east-1']);
    }

    public function invokeClaude($prompt)
    {
        $modelId = 'anthropic.claude-3-haiku-20240307-v1:0';
    }
}
"""
PHP_AFTER = (
    PHP_BEFORE.replace("us-east-1", "us-west-2")
    .replace("anthropic.claude-3-haiku-20240307-v1:0", "global.anthropic.claude-haiku-4-5-20251001-v1:0")
    .replace("BedrockRuntimeClient $client", "?BedrockRuntimeClient $client")
)
COMMENTED = "python/example_code/bedrock-runtime/models/anthropic_claude/converse.py"
REMOVED = "javascriptv3/example_code/bedrock-runtime/models/anthropicClaude/invoke_claude_2.js"
MOVED = "gov2/bedrock-runtime/actions/converse.go"
MOVED_TO = "gov2/bedrock-runtime/actions/converse_claude.go"
NEW_EXAMPLE = "rustv1/examples/bedrock-runtime/src/bin/converse.rs"
KNOWN_EXAMPLE = "swift/example_code/bedrock-runtime/models/anthropic_claude/Sources/Converse/main.swift"
TEST_FILE = "rustv1/examples/bedrock-runtime/tests/converse_test.rs"


def _git(repo: Path, *args: str) -> str:
    return subprocess.run(
        ["git", "-C", str(repo), "-c", "user.name=t", "-c", "user.email=t@example.com", *args],
        check=True,
        capture_output=True,
        text=True,
    ).stdout.strip()


def _write(repo: Path, path: str, text: str) -> None:
    (repo / path).parent.mkdir(parents=True, exist_ok=True)
    (repo / path).write_text(text)


def _commit(repo: Path, message: str) -> str:
    _git(repo, "add", "-A")
    _git(repo, "commit", "-q", "-m", message)
    return _git(repo, "rev-parse", "HEAD")


@pytest.fixture
def history(tmp_path):
    """Upstream's history: the mirrored state, a review, then the changes since."""
    repo = tmp_path / "aws-doc-sdk-examples"
    repo.mkdir()
    _git(repo, "init", "-q")
    _write(repo, PHP_FILE, PHP_BEFORE)
    _write(repo, COMMENTED, "# Converse with Claude.\nimport boto3\n\nmodel_id = 'anthropic.claude-3-haiku'\n")
    _write(repo, REMOVED, "// Claude 2.\nconst modelId = 'anthropic.claude-v2';\n")
    _write(repo, MOVED, 'package actions\n\n// Claude 3 Haiku.\nvar modelId = "anthropic.claude-3-haiku"\n')
    _write(repo, KNOWN_EXAMPLE, '// Claude\nlet modelId = "anthropic.claude-3-haiku"\n')
    mirrored = _commit(repo, "the examples as mirrored")
    reviewed = mirrored
    _write(repo, PHP_FILE, PHP_AFTER)
    reworded = (
        "# Converse with Anthropic Claude (reworded).\nimport boto3\n\n\nmodel_id = 'anthropic.claude-3-haiku'  # it\n"
    )
    _write(repo, COMMENTED, reworded)
    (repo / REMOVED).unlink()
    _git(repo, "mv", MOVED, MOVED_TO)
    _write(repo, NEW_EXAMPLE, '// Claude through Converse.\nlet model_id = "anthropic.claude-3-haiku";\n')
    _write(repo, TEST_FILE, "// claude\n")
    _commit(repo, "Claude Haiku 4.5 in PHP, Rust examples, and some tidying")
    return repo, mirrored, reviewed


def _language(commit: str) -> Language:
    def sample(sample_id: str, path: str) -> Sample:
        return Sample(
            sample_id, sample_id, "x", ("true",), "Converse", "m", ErrorPath("x"), upstream=f"{path}@{commit}"
        )

    samples = (
        sample("php", PHP_FILE),
        sample("python-converse", COMMENTED),
        sample("javascript-claude-2", REMOVED),
        sample("go-converse", MOVED),
    )
    return Language("any", "Any", "any", (), Sdk("sdk", "manifest"), (), samples)


def test_reports_phps_change_with_the_code_lines_that_changed(history):
    repo, mirrored, reviewed = history
    report = upstream.check(upstream.Clone(repo), (_language(mirrored),), reviewed_at=reviewed)
    php = next(finding for finding in report.findings if finding.mirrored.path == PHP_FILE)
    assert php.status == "changed" and php.new
    assert "-$modelId = 'anthropic.claude-3-haiku-20240307-v1:0';" in php.diff
    assert "+$modelId = 'global.anthropic.claude-haiku-4-5-20251001-v1:0';" in php.diff
    assert "+$this->client = new BedrockRuntimeClient(['region' => 'us-west-2']);" in php.diff
    # Only code lines: the comment and the unchanged lines around are context, not change.
    assert not any(line.startswith(("-//", "+//")) for line in php.diff)
    assert not report.ok


def test_a_comment_or_blank_line_edit_is_no_change(history):
    repo, mirrored, reviewed = history
    report = upstream.check(upstream.Clone(repo), (_language(mirrored),), reviewed_at=reviewed)
    commented = next(finding for finding in report.findings if finding.mirrored.path == COMMENTED)
    assert commented.status == "unchanged" and commented.diff == []


def test_a_removed_file_and_a_moved_one_are_told_apart(history):
    repo, mirrored, reviewed = history
    report = upstream.check(upstream.Clone(repo), (_language(mirrored),), reviewed_at=reviewed)
    statuses = {finding.mirrored.path: (finding.status, finding.now_at) for finding in report.findings}
    assert statuses[REMOVED] == ("removed", None)
    assert statuses[MOVED] == ("moved", MOVED_TO)


def test_lists_the_claude_examples_no_sample_mirrors_and_which_are_new(history):
    repo, mirrored, reviewed = history
    report = upstream.check(upstream.Clone(repo), (_language(mirrored),), reviewed_at=reviewed)
    # Test code is no example; the moved file is still mirrored, under its new name.
    assert report.unmirrored == [NEW_EXAMPLE, KNOWN_EXAMPLE]
    assert report.new_unmirrored == [NEW_EXAMPLE]


def test_nothing_new_after_a_review_at_head(history):
    repo, mirrored, _ = history
    head = _git(repo, "rev-parse", "HEAD")
    report = upstream.check(upstream.Clone(repo), (_language(mirrored),), reviewed_at=head)
    assert report.ok
    # What differs from the mirrored commit is still reported, only no longer as new.
    assert {finding.status for finding in report.findings} == {"changed", "unchanged", "removed", "moved"}
    text = upstream.render(report, readme=KNOWN_EXAMPLE)
    assert f"  {KNOWN_EXAMPLE} (the README names it)" in text.splitlines()


def test_a_commit_the_clone_lacks_is_reported_not_guessed(history):
    repo, _, reviewed = history
    report = upstream.check(upstream.Clone(repo), (_language("0" * 40),), reviewed_at=reviewed)
    assert {finding.status for finding in report.findings} == {"unknown-commit"}
    assert not report.ok


def test_every_registry_sample_names_its_file_and_mirrored_from_commit():
    files = upstream.mirrored_files()
    assert files and all(len(mirrored.commit) == 40 for mirrored in files)
