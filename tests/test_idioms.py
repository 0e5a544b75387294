"""docs/idioms.md and docs/idioms.html: generated from the samples' snippet markers, complete, and current."""

from __future__ import annotations

import html
import re

import pytest

from bedrock_mirror import idioms, registry
from bedrock_mirror.registry import ROOT
from tests.helpers import fake_language, fake_sample


def test_the_committed_markdown_page_is_current():
    assert idioms.PAGE.read_text(encoding="utf-8") == idioms.render(), "run `nox -s idioms` and commit docs/idioms.md"


def test_the_committed_html_page_is_current():
    assert idioms.HTML_PAGE.read_text(encoding="utf-8") == idioms.render_html(), (
        "run `nox -s idioms` and commit docs/idioms.html"
    )


LANGUAGE_OPERATIONS = [
    (language, operation)
    for language in registry.LANGUAGES
    for operation in idioms.operations()
    if idioms.samples_of(language, operation)
]


@pytest.mark.parametrize(
    ("language", "operation"),
    LANGUAGE_OPERATIONS,
    ids=[f"{language.name}-{operation}" for language, operation in LANGUAGE_OPERATIONS],
)
def test_every_operation_of_a_language_marks_every_step(language, operation):
    steps = {
        region.step for region in idioms.all_regions() if region.language == language and region.operation == operation
    }
    assert steps == set(idioms.STEPS)


def test_every_region_belongs_to_samples_of_its_own_operation():
    samples = {sample.id: sample for _, sample in registry.all_samples()}
    for region in idioms.all_regions():
        assert region.samples, f"{region.where}:{region.first_line}: belongs to no sample"
        assert {samples[sample_id].operation for sample_id in region.samples} == {region.operation}


def test_regions_hold_code_and_point_at_their_lines():
    for region in idioms.all_regions():
        lines = region.path.read_text(encoding="utf-8").splitlines()
        assert region.code.strip(), f"{region.path}:{region.first_line}: empty {region.step!r} region"
        assert lines[region.first_line - 1].strip() == region.code.splitlines()[0].strip()


def test_the_operations_come_from_the_registry():
    assert idioms.operations() == list(dict.fromkeys(sample.operation for _, sample in registry.all_samples()))
    markdown, page = idioms.render(), idioms.render_html()
    for operation in idioms.operations():
        assert f"## {operation}\n" in markdown
        assert f'<section data-operation="{operation}">' in page


def test_a_misspelt_step_is_an_error(tmp_path):
    sample = tmp_path / "sample.py"
    sample.write_text("# snippet: invok\nprint(1)\n")
    with pytest.raises(ValueError, match="unknown snippet step 'invok'"):
        idioms.regions_of(registry.LANGUAGES[0], sample)


def _two_operations(tmp_path):
    """A fake language whose one file holds an InvokeModel sample and a streaming one, and a runner."""
    return fake_language(
        tmp_path,
        samples=(
            fake_sample(("node", "both.js"), id="plain-call", source="both.js", operation="InvokeModel"),
            fake_sample(
                ("node", "runners/stream.js"),
                id="streamed-call",
                source="both.js",
                operation="InvokeModelWithResponseStream",
            ),
            fake_sample(("bin/chat",), id="chat", source="chat.js", operation="Converse"),
        ),
    )


def test_a_file_of_two_operations_must_name_the_sample(tmp_path):
    language = _two_operations(tmp_path)
    both = tmp_path / "both.js"
    both.write_text("// snippet: invoke\ncall();\n")
    with pytest.raises(ValueError, match="holds samples of several operations"):
        idioms.regions_of(language, both)


def test_the_bracket_gives_the_region_its_sample_and_operation(tmp_path):
    language = _two_operations(tmp_path)
    both = tmp_path / "both.js"
    both.write_text(
        "// snippet: invoke [plain-call]\ncall();\n// snippet: invoke [streamed-call] (streaming)\nstream();\n"
    )
    first, second = idioms.regions_of(language, both)
    assert (first.samples, first.operation, first.caption, first.code) == (
        ("plain-call",),
        "InvokeModel",
        None,
        "call();",
    )
    assert (second.samples, second.operation, second.caption, second.first_line) == (
        ("streamed-call",),
        "InvokeModelWithResponseStream",
        "streaming",
        4,
    )


def test_an_unknown_sample_in_the_bracket_is_an_error(tmp_path):
    language = _two_operations(tmp_path)
    both = tmp_path / "both.js"
    both.write_text("// snippet: invoke [plain-cal]\ncall();\n")
    with pytest.raises(ValueError, match="no fake sample plain-cal"):
        idioms.regions_of(language, both)


def test_a_runner_belongs_to_the_samples_that_run_through_it(tmp_path):
    language = _two_operations(tmp_path)
    (tmp_path / "runners").mkdir()
    runner = tmp_path / "runners" / "stream.js"
    runner.write_text("// snippet: handle the error\ncatch_it();\n")
    (region,) = idioms.regions_of(language, runner)
    assert (region.samples, region.operation) == (("streamed-call",), "InvokeModelWithResponseStream")
    # A program built from a folder of its own, as Go's cmd/<name>/ becomes bin/<name>.
    (tmp_path / "cmd" / "chat").mkdir(parents=True)
    program = tmp_path / "cmd" / "chat" / "main.go"
    program.write_text("\t// snippet: create the client\n\tclient := New()\n")
    (region,) = idioms.regions_of(language, program)
    assert (region.samples, region.operation, region.code) == (("chat",), "Converse", "client := New()")


def test_a_file_no_sample_leads_to_must_name_the_sample(tmp_path):
    language = _two_operations(tmp_path)
    stray = tmp_path / "stray.js"
    stray.write_text("// snippet: invoke\ncall();\n")
    with pytest.raises(ValueError, match="no fake sample's source or runner"):
        idioms.regions_of(language, stray)


def _text_of(fragment: str) -> str:
    return html.unescape(re.sub(r"<[^>]+>", "", fragment))


def test_the_html_page_holds_every_region_highlighted_with_links_to_its_lines():
    page = idioms.render_html()
    for region in idioms.all_regions():
        anchor = f'href="../{region.where}#L{region.first_line}"'
        assert anchor in page, f"no link to {region.where}:{region.first_line}"
        start = page.index(anchor)
        block = page[page.rindex("<pre", 0, start) : page.index("</pre>", start)]
        shown = [_text_of(line) for line in block.split('<span class="line">')[1:]]
        expected = [f"{region.first_line + offset}{line}" for offset, line in enumerate(region.code.split("\n"))]
        assert shown == expected
        assert (ROOT / region.where).is_file()
    # Pygments coloured the code: token classes are present, and its style sheet is inline.
    assert '<span class="k">' in page or '<span class="kn">' in page
    assert "pre.hl .k " in page


def test_the_html_page_names_each_languages_sdk_pin():
    page = idioms.render_html()
    for language in registry.LANGUAGES:
        assert html.escape(idioms.sdk_pin(language)) in page
        assert f'value="{language.name}"' in page


def test_the_html_page_fetches_nothing():
    page = idioms.render_html()
    assert not re.search(r"""(?:src|href)=["']?(?:https?:)?//""", page)
    assert "<link" not in page and "@import" not in page


def test_a_language_pygments_cannot_lex_is_shown_as_plain_text(monkeypatch, tmp_path):
    def no_lexer(name, **options):
        raise idioms.ClassNotFound(name)

    monkeypatch.setattr(idioms, "get_lexer_by_name", no_lexer)
    source = tmp_path / "snippet.abap"
    source.write_text('" snippet: invoke\nWRITE / |<b>&|.\n')
    region = idioms.Region(registry.LANGUAGES[0], source, "invoke", None, 2, "WRITE / |<b>&|.")
    shown = idioms._highlighted(region)
    assert shown.endswith(">2</a>WRITE / |&lt;b&gt;&amp;|.</span>")
    assert '<span class="k">' not in shown
