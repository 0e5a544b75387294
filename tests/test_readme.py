"""README.md: its generated tables (samples, coverage by operation, the stub's catalogue) match the data."""

from __future__ import annotations

import pytest
from bedrock_stub.catalogue import CATALOGUE

from bedrock_mirror import readme_tables, registry


def test_the_generated_tables_are_current():
    text = readme_tables.README.read_text(encoding="utf-8")
    assert readme_tables.render(text) == text, "run `nox -s idioms` and commit README.md"


@pytest.mark.parametrize("table", sorted(readme_tables.TABLES))
def test_a_stale_table_is_noticed(table):
    text = readme_tables.README.read_text(encoding="utf-8")
    stale = text.replace(f"<!-- {table}:start -->\n", f"<!-- {table}:start -->\n| stale row |\n", 1)
    assert readme_tables.render(stale) != stale


def test_missing_markers_are_an_error():
    with pytest.raises(ValueError, match="samples:start"):
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
