"""The shipped benchmark runs end to end and writes its table and JSON. It asserts shape, never speed."""

from __future__ import annotations

import json
import shutil

import pytest

from harness.bench import run


@pytest.mark.end_to_end
def test_the_benchmark_runs_and_reports_every_part(tmp_path, monkeypatch):
    monkeypatch.setenv("MIRROR_OUT", str(tmp_path))
    data = run.main(["--requests", "100", "--sample-runs", "1", "--suite-runs", "0"], log=lambda message: None)
    written = json.loads((tmp_path / "bench.json").read_text())
    assert written["cores"] and written["stream"]["requests"] == 50
    if shutil.which("h2load"):
        protocols = {(row["protocol"], row["clients"]) for row in written["stub"]["rows"]}
        assert protocols == {(protocol, clients) for protocol in ("http/1.1", "h2c") for clients in run.CONCURRENCY}
    else:
        assert "nghttp2-client" in written["stub"]["skipped"]
    assert [timing["language"] for timing in data["samples"]] == [language.name for language in run.registry.LANGUAGES]
    markdown = (tmp_path / "bench.md").read_text()
    assert "## Targets" in markdown and "Stub under load" in markdown
