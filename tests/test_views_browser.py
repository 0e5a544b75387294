"""The HTML report and the idioms page, opened in headless Chromium: what a reader sees and can do.

Needs Playwright for Python (the test group) and a Chromium binary (Debian's `chromium`, or $MIRROR_CHROMIUM);
without them these tests skip saying which is missing, and MIRROR_REQUIRE_BROWSER=1 makes that a failure.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import unquote, urlparse

import pytest

from bedrock_mirror import idioms, registry
from bedrock_mirror.report import build_report
from bedrock_mirror.report_html import render_html, write_html_report
from bedrock_mirror.results import FAILED, NOT_APPLICABLE, PASSED, SKIPPED, SampleResult, output_dir, write_result

CHROMIUM = os.environ.get("MIRROR_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
# Printed by a failing sample: markup that must stay text, a terminal escape, a NUL and a lone surrogate.
HOSTILE_STDERR = 'Exception in thread "main" <script>alert("x")</script> & \x1b[31mred\x1b[0m \x00 \udcff end'


def _unavailable(reason: str) -> None:
    if os.environ.get("MIRROR_REQUIRE_BROWSER") == "1":
        pytest.fail(f"MIRROR_REQUIRE_BROWSER=1 but {reason}")
    pytest.skip(reason)


@pytest.fixture(scope="module")
def browser() -> Iterator[object]:
    try:
        from playwright.sync_api import Error, sync_playwright
    except ImportError:
        _unavailable("Playwright for Python is not installed (pip install playwright==1.65.2, the test group)")
    if not Path(CHROMIUM).is_file():
        _unavailable(f"no Chromium at {CHROMIUM} (Debian: apt-get install chromium; or set MIRROR_CHROMIUM)")
    with sync_playwright() as playwright:
        try:
            launched = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, timeout=60_000)
        except Error as error:
            _unavailable(f"Chromium at {CHROMIUM} did not start: {error}")
        yield launched
        launched.close()


class Watched:
    """A page whose console errors, script errors, dialogs and requests beyond file:// are recorded."""

    def __init__(self, page) -> None:
        self.page = page
        self.problems: list[str] = []
        page.on("console", lambda message: message.type == "error" and self.problems.append(f"console: {message.text}"))
        page.on("pageerror", lambda error: self.problems.append(f"script error: {error}"))
        page.on("dialog", lambda dialog: (self.problems.append(f"script dialog: {dialog.message}"), dialog.dismiss()))


@pytest.fixture
def watched(browser) -> Iterator[Watched]:
    context = browser.new_context(viewport={"width": 1400, "height": 1000})
    context.set_default_timeout(10_000)
    page = context.new_page()
    seen = Watched(page)

    def only_files(route) -> None:
        if route.request.url.startswith("file://"):
            route.continue_()
        else:
            seen.problems.append(f"request left the page: {route.request.url}")
            route.abort()

    context.route("**/*", only_files)
    yield seen
    context.close()
    assert seen.problems == []


def _result(sample: str, scenario: str, status: str, **fields: object) -> SampleResult:
    language, _ = next((lang, s) for lang, s in registry.all_samples() if s.id == sample)
    defaults = {
        "language": language.name,
        "title": sample,
        "sdk": language.sdk.package,
        "sdk_version": "1.2.3",
        "run_id": "run-1",
        "run_seconds": 0.25,
        "build_seconds": 3.0,
    }
    return SampleResult(scenario=scenario, sample=sample, status=status, **{**defaults, **fields})


def _entry(user_agent: str, http_version: str = "1.1", **fields: object) -> dict[str, object]:
    entry = {
        "seq": 1,
        "time": "",
        "http_version": http_version,
        "method": "POST",
        "path": "/model/anthropic.claude-3-haiku-20240307-v1%3A0/invoke",
        "operation": "InvokeModel",
        "model_id": "anthropic.claude-3-haiku-20240307-v1:0",
        "headers": [["content-type", "application/json"], ["user-agent", user_agent]],
        "body": '{"anthropic_version": "bedrock-2023-05-31", "max_tokens": 512, "messages": []}',
        "body_bytes": 80,
        "body_truncated": False,
        "signature": "valid",
        "status": 200,
        "reply_text": "The reply <b>as text</b>",
    }
    return {**entry, **fields}


@pytest.fixture
def report_page(tmp_path) -> Path:
    """A report of known results: two languages pass, one fails with hostile output, one is skipped."""
    results = [
        _result("python", "plain", PASSED, stdout="The reply", journal=[_entry("Boto3/1.44.8")], exit_code=0),
        _result("python", "access-denied", PASSED, exit_code=1, stdout="ERROR: AccessDeniedException"),
        _result("python", "stream-exception", NOT_APPLICABLE, reason="the sample does not stream"),
        _result(
            "javascript",
            "plain",
            PASSED,
            stdout="The reply",
            journal=[_entry("aws-sdk-js/3.1164.0", http_version="2")],
            run_seconds=2.5,
            build_seconds=9.0,
        ),
        _result(
            "java",
            "plain",
            FAILED,
            reason="exit code 1, expected 0",
            stderr=HOSTILE_STDERR,
            stdout="x" * 5_000,
            exit_code=1,
            journal=[_entry("aws-sdk-java/2.57.8")],
        ),
        _result("go", "plain", SKIPPED, reason="`go` (Go 1.24 or later) is not on PATH"),
    ]
    for result in results:
        write_result(result, tmp_path)
    return write_html_report(tmp_path)


def test_anything_a_sample_printed_keeps_the_page_valid():
    """No browser needed: markup is escaped, and what HTML forbids (or UTF-8 cannot hold) is shown escaped."""
    result = _result("java", "plain", FAILED, stderr=HOSTILE_STDERR, stdout="\x85\ufffe</pre></dialog>")
    page = render_html(build_report({result.key: result}))
    page.encode("utf-8")
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; \\x1b[31mred\\x1b[0m \\x00 \\udcff end" in page
    assert "\\x85\\ufffe&lt;/pre&gt;&lt;/dialog&gt;" in page
    assert "<script>alert" not in page


def _rgb(page, selector: str) -> tuple[int, ...]:
    colour = page.locator(selector).first.evaluate("element => getComputedStyle(element).backgroundColor")
    return tuple(int(part) for part in re.findall(r"\d+", colour)[:3])


def test_the_report_grid_shows_each_result_in_its_colour(watched, report_page):
    page = watched.page
    page.goto(report_page.as_uri())
    invoke = page.locator("section.operation", has=page.locator("h3", has_text=re.compile(r"^InvokeModel$")))
    python_row = invoke.locator('tr[data-sample="python"]')
    assert python_row.locator("td.cell").nth(0).inner_text() == "pass 0.25"
    assert invoke.locator('tr[data-sample="java"] td.cell').nth(0).inner_text() == "FAIL 0.25"
    assert invoke.locator('tr[data-sample="go"] td.cell').nth(0).inner_text() == "skipped"
    red, green, blue = _rgb(page, 'tr[data-sample="java"] td[data-status="failed"]')
    assert red > green + 25 and red > blue + 25, "a failed cell is red"
    red, green, blue = _rgb(page, 'tr[data-sample="python"] td[data-status="passed"]')
    assert green > red + 25 and green > blue + 20, "a passed cell is green"
    red, green, blue = _rgb(page, 'tr[data-sample="go"] td[data-status="skipped"]')
    assert red > blue + 50 and green > blue + 50, "a skipped cell is yellow"
    assert page.locator("text=Verdict: FAILED").is_visible()
    # A language with no sample of an operation is named.
    missing = [language.title for language in registry.LANGUAGES if not idioms.samples_of(language, "Converse")]
    if missing:
        assert page.locator("p.note", has_text=f"No example of Converse in: {missing[0]}").count() == 1


def test_a_failed_cell_opens_its_output_and_escape_closes_it(watched, report_page):
    page = watched.page
    page.goto(report_page.as_uri())
    cell = page.locator('button[data-open="run-java--plain"]')
    dialog = page.locator("dialog#run-java--plain")
    assert not dialog.is_visible()
    cell.click()
    assert dialog.is_visible()
    text = dialog.inner_text()
    assert "Why it failed: exit code 1, expected 0" in text
    # The stderr reads as printed: markup as text, controls as visible escapes (the results file already holds
    # the lone surrogate as U+FFFD).
    assert '<script>alert("x")</script> & \\x1b[31mred\\x1b[0m \\x00 \ufffd end' in text
    assert "java -" in text or "(in java/)" in text
    assert "user-agent" in dialog.inner_html() and "aws-sdk-java/2.57.8" in dialog.inner_html()
    assert dialog.locator("details summary", has_text="stdout (1 lines, 5,000 characters)").count() == 1
    page.keyboard.press("Escape")
    assert not dialog.is_visible()
    # The keyboard alone: focus returns to the cell, Enter opens it again.
    assert page.evaluate("document.activeElement.getAttribute('data-open')") == "run-java--plain"
    page.keyboard.press("Enter")
    assert dialog.is_visible()
    page.keyboard.press("Escape")
    report_png = output_dir() / "report.png"
    report_png.parent.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(report_png))


def test_the_report_highlights_differing_headers_and_draws_times(watched, report_page):
    page = watched.page
    page.goto(report_page.as_uri())
    # Every SDK sends its own user-agent, and the same content-type.
    assert page.locator("table.sends th.differs").all_inner_texts() == ["user-agent"]
    assert page.locator("table.sends th:not(.differs)", has_text="content-type").count() == 1
    java_agent = page.locator('table.sends tr[data-sample="java"] td.header.differs')
    assert java_agent.inner_text() == "aws-sdk-java/2.57.8"
    highlight = page.locator("table.sends th.differs").evaluate("element => getComputedStyle(element).backgroundColor")
    plain = page.locator("table.sends th:not(.differs)").last.evaluate(
        "element => getComputedStyle(element).backgroundColor"
    )
    assert highlight != plain
    bars = {
        row.get_attribute("data-language"): row.locator(".bar.run").bounding_box()["width"]
        for row in page.locator("table.bars tr").all()
    }
    assert set(bars) == {"python", "javascript", "java"}, "a skipped language has no bar"
    assert bars["javascript"] > bars["python"] * 3


def test_the_report_reads_at_phone_width_and_prints_without_controls(browser, report_page):
    context = browser.new_context(viewport={"width": 390, "height": 844})
    try:
        page = context.new_page()
        page.goto(report_page.as_uri())
        assert page.evaluate("document.documentElement.scrollWidth") <= 390
        page.emulate_media(media="print")
        assert not page.locator("nav").is_visible()
    finally:
        context.close()


def _visible_columns(page) -> list[str]:
    section = page.locator("section[data-operation]:visible")
    return [
        column.get_attribute("data-lang") for column in section.locator(".columns").first.locator(".lang:visible").all()
    ]


def test_the_idioms_page_picks_languages_and_operation(watched):
    page = watched.page
    page.goto(idioms.HTML_PAGE.as_uri())
    operations = idioms.operations()
    assert page.locator("section[data-operation]:visible").get_attribute("data-operation") == operations[0]
    assert _visible_columns(page) == registry.language_names()
    page.locator("button", has_text="None").click()
    assert _visible_columns(page) == []
    for name in ("python", "javascript", "java"):
        page.locator(f'input[name="language"][value="{name}"]').check()
    assert _visible_columns(page) == ["python", "javascript", "java"]
    boxes = [
        column.bounding_box()
        for column in page.locator("section:visible .columns").first.locator(".lang:visible").all()
    ]
    assert boxes[0]["y"] == boxes[1]["y"] and boxes[0]["x"] < boxes[1]["x"], "the chosen languages stand side by side"
    # A line number links to that line of the source, relative to the page.
    link = page.locator("section:visible pre.hl a.ln").first
    target = Path(unquote(urlparse(link.evaluate("a => a.href")).path))
    assert target.is_file() and target.is_relative_to(registry.ROOT)
    idioms_png = output_dir() / "idioms.png"
    idioms_png.parent.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(idioms_png))
    for operation in operations[1:]:
        page.locator(f'input[name="operation"][value="{operation}"]').check()
        assert page.locator("section[data-operation]:visible").get_attribute("data-operation") == operation
        absent = [lang.name for lang in registry.LANGUAGES if not idioms.samples_of(lang, operation)]
        for name in ("python", "javascript", "java"):
            column = page.locator(f'section:visible .lang[data-lang="{name}"]').first
            assert column.is_visible()
            assert ("No example of" in column.inner_text()) == (name in absent)
    # Every step heading of the chosen operation shows, in order.
    headings = page.locator("section:visible h3").all_inner_texts()
    assert headings == [step[0].upper() + step[1:] for step in idioms.STEPS]


def test_the_idioms_page_keeps_the_choice_in_its_address(watched):
    page = watched.page
    operation = idioms.operations()[-1]
    page.goto(f"{idioms.HTML_PAGE.as_uri()}#{operation}:go,python")
    assert page.locator("section[data-operation]:visible").get_attribute("data-operation") == operation
    assert _visible_columns(page) == ["python", "go"]
    page.locator('input[name="language"][value="java"]').check()
    assert page.evaluate("location.hash") == f"#{operation}:python,java,go"


def test_the_idioms_page_reads_at_phone_width(browser):
    context = browser.new_context(viewport={"width": 390, "height": 844})
    try:
        page = context.new_page()
        page.goto(idioms.HTML_PAGE.as_uri())
        assert page.evaluate("document.documentElement.scrollWidth") <= 390
        widths = {column.bounding_box()["width"] for column in page.locator("section:visible .lang").all()[:3]}
        assert max(widths) <= 390, "one column at a time"
    finally:
        context.close()


class _Session:
    """What report_session uses of a nox session."""

    def __init__(self) -> None:
        self.logged: list[str] = []

    def log(self, message: str) -> None:
        self.logged.append(message)

    def error(self, message: str) -> None:
        raise RuntimeError(message)


def test_the_report_session_writes_the_html_page_beside_the_others(tmp_path, monkeypatch):
    from bedrock_mirror import sessions

    monkeypatch.setenv("MIRROR_OUT", str(tmp_path))
    write_result(_result("python", "plain", PASSED, stdout="The reply"), tmp_path)
    session = _Session()
    sessions.report_session(session)
    page = (tmp_path / "report.html").read_text(encoding="utf-8")
    assert 'data-open="run-python--plain"' in page
    assert {path.name for path in tmp_path.iterdir()} >= {"report.md", "report.json", "report.junit.xml", "report.html"}
    assert "report.html" in session.logged[-1]


def test_a_report_of_no_results_is_still_a_page():
    page = render_html(build_report({}))
    assert "no results" in page and page.rstrip().endswith("</html>")


def test_the_bench_page_draws_each_figure_to_scale_and_names_what_was_not_measured(watched, tmp_path):
    from bedrock_mirror.bench import page as bench_page
    from tests.test_bench_figures import synthetic_run

    path = bench_page.write(synthetic_run(), tmp_path)
    page = watched.page
    page.goto(path.as_uri())
    charts = page.locator("figure.chart")
    assert charts.count() == 14
    # Drawn, not just written: each bar's rendered width is its value on its chart's scale.
    throughput = charts.filter(has_text="InvokeModel over http/1.1: throughput")
    widths = {
        series: throughput.locator(f'rect.bar[data-series="{series}"]').first.bounding_box()["width"]
        for series in ("stub", "bare", "ministack")
    }
    assert widths["stub"] / widths["bare"] == pytest.approx(2001 / 2500, rel=0.01)
    assert widths["ministack"] / widths["bare"] == pytest.approx(1000 / 2500, rel=0.01)
    assert throughput.locator("text.value").first.text_content() == "2,001 req/s"
    # A server that could not answer a cell says why, as text, where its bar would be.
    h2c = charts.filter(has_text="InvokeModel over h2c: throughput")
    missing = h2c.locator('text.missing[data-series="ministack"]').first
    assert missing.is_visible()
    assert "not measured (<script>alert(1)</script> no h2c)" in missing.text_content()
    # The start-up target is a line at 0.5 s, right of the stub's 0.4 s bar and left of moto's 1.2 s.
    start = charts.filter(has_text="Start to first answer")
    target = start.locator("line.target").bounding_box()
    bars = start.locator("rect.bar")
    ends = [box["x"] + box["width"] for box in (bars.nth(i).bounding_box() for i in range(bars.count()))]
    assert ends[0] < target["x"] < ends[-1]
    # Examples beside their floors; the suite's time per language; the targets table.
    samples = charts.filter(has_text="Each example's warm run beside its language's floor")
    assert samples.locator("rect.bar").count() == 2 and samples.locator("text.missing").count() == 2
    assert charts.filter(has_text="The suite's time per language").locator("rect.bar").count() == 2
    assert page.locator("table.targets tr").count() == 1 + len(synthetic_run()["verdicts"])
    assert page.locator("script").count() == 0
