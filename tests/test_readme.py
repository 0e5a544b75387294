"""README.md: its generated tables (samples, coverage by operation, the stub's catalogue) match the data."""

from __future__ import annotations

import re
import subprocess
import sys

import pytest
from bedrock_stub.catalogue import CATALOGUE

from bedrock_mirror import readme_tables, registry

pytest_plugins = ["pytester"]


@pytest.mark.parametrize("page", list(readme_tables.PAGES), ids=lambda page: page.name)
def test_the_generated_tables_are_current(page):
    text = page.read_text(encoding="utf-8")
    assert readme_tables.render(text, readme_tables.PAGES[page]) == text, f"run `nox -s idioms` and commit {page}"


PLACED = [(page, name) for page, names in readme_tables.PAGES.items() for name in names]


@pytest.mark.parametrize(("page", "table"), PLACED, ids=[name for _, name in PLACED])
def test_a_stale_table_is_noticed(page, table):
    text = page.read_text(encoding="utf-8")
    stale = text.replace(f"<!-- {table}:start -->\n", f"<!-- {table}:start -->\n| stale row |\n", 1)
    assert readme_tables.render(stale, readme_tables.PAGES[page]) != stale


def test_every_table_has_a_page():
    assert sorted(name for _, name in PLACED) == sorted(readme_tables.TABLES)


def test_missing_markers_are_an_error():
    with pytest.raises(ValueError, match=r"lacks the markers <!-- \w+:start -->"):
        readme_tables.render("# a README without tables\n")


def test_every_sample_and_its_upstream_is_listed():
    table = readme_tables.samples_table()
    for language, sample in registry.all_samples():
        row = next(line for line in table.splitlines() if f"| `{sample.id}` |" in line)
        assert sample.operation in row and f"{language.folder}/{sample.source}" in row
        assert sample.upstream.partition("@")[0] in row, f"{sample.id} names no upstream file"


def test_every_catalogue_model_is_listed():
    table = readme_tables.catalogue_table()
    assert all(f"`{model.model_id}`" in table for model in CATALOGUE)


def _python_blocks(text: str) -> list[str]:
    return re.findall(r"```python\n(.*?)```", text, re.DOTALL)


def test_the_readmes_own_test_of_the_stub_passes(pytester):
    """The example under "Use the stub in your own tests", run as a reader would run it."""
    readme = readme_tables.README.read_text(encoding="utf-8")
    [example] = [block for block in _python_blocks(readme) if "def test_" in block and "bedrock_stub" in block]
    assert readme.index(example) < len("\n".join(readme.splitlines()[:100])), "the stub's test is past line 100"
    pytester.makepyfile(test_readme_example=example)
    pytester.runpytest_subprocess("-p", "no:cacheprovider").assert_outcomes(passed=1)


def test_every_session_the_readme_names_exists():
    listed = subprocess.run(
        [sys.executable, "-m", "nox", "-l"], cwd=registry.ROOT, capture_output=True, text=True, timeout=120
    )
    # `nox -l` marks the default sessions with `*` and the others with `-`.
    sessions = set(re.findall(r"(?m)^[*-] (\S+) ->", listed.stdout))
    assert "all" in sessions and "tests" in sessions, listed.stdout
    pages = [readme_tables.README, *sorted((registry.ROOT / "docs").glob("*.md"))]
    named = {name for page in pages for name in re.findall(r"nox -s ([a-z0-9-]+)", page.read_text(encoding="utf-8"))}
    assert named and named <= sessions, named - sessions


def test_every_module_is_in_the_layout():
    layout = (registry.ROOT / "docs" / "layout.md").read_text(encoding="utf-8")
    modules = [
        path
        for package in ("bedrock_mirror", "stub/bedrock_stub")
        for path in sorted((registry.ROOT / package).rglob("*.py"))
        if path.stem not in ("__init__", "__main__") and "floors" not in path.parts
    ]
    missing = [str(path.relative_to(registry.ROOT)) for path in modules if path.name not in layout]
    assert not missing, f"docs/layout.md does not name {missing}"
