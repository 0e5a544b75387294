"""docs/idioms.md: generated from the samples' snippet markers, complete, and current."""

from __future__ import annotations

import pytest

from harness import idioms, registry


def test_the_committed_page_is_current():
    assert idioms.PAGE.read_text(encoding="utf-8") == idioms.render(), "run `nox -s idioms` and commit docs/idioms.md"


@pytest.mark.parametrize("language", registry.LANGUAGES, ids=registry.language_names())
def test_every_language_marks_every_step(language):
    steps = {region.step for region in idioms.all_regions() if region.language == language}
    assert steps == set(idioms.STEPS)


def test_regions_hold_code_and_point_at_their_lines():
    for region in idioms.all_regions():
        lines = region.path.read_text(encoding="utf-8").splitlines()
        assert region.code.strip(), f"{region.path}:{region.first_line}: empty {region.step!r} region"
        assert lines[region.first_line - 1].strip() == region.code.splitlines()[0].strip()


def test_a_misspelt_step_is_an_error(tmp_path):
    sample = tmp_path / "sample.py"
    sample.write_text("# snippet: invok\nprint(1)\n")
    with pytest.raises(ValueError, match="unknown snippet step 'invok'"):
        idioms.regions_of(registry.LANGUAGES[0], sample)
