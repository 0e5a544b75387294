"""Builds docs/idioms.md and docs/idioms.html: each step of the call, as every sample writes it, side by side.

The steps are marked in the samples by comments; a region runs from its marker to the next marker:

    # snippet: <step>                          the step's code starts here
    # snippet: <step> [<sample id>, ...]       ... and belongs to these registry samples only
    # snippet: <step> (<caption>)              ... shown with this caption
    # snippet: end                             the region ends here (no step follows)

`<step>` is one of STEPS, the comment is the language's own (`#`, `//` or ABAP's `"`), and a bracket and a caption
may both be given, the bracket first. A region belongs to registry samples, and through them to an operation:

- the samples named in its bracket (each must be a sample of the file's language);
- without a bracket, the samples whose `source` is the file, when they all call one operation (ABAP's three
  InvokeModel snippets share one class, so its unbracketed regions belong to all three);
- without a bracket, in a runner (a file that is no sample's source): the samples whose run command names the
  file (`node runners/stream_claude_3.js`) or the program built from its folder (Go's `bin/invoke_claude`, built
  from `cmd/invoke_claude/`);
- anything else is ambiguous and an error: a file that holds samples of several operations (the JavaScript module
  that exports both `invokeModel` and `invokeModelWithResponseStream`) names the sample in every marker's
  bracket, and so does a file no sample's source or run command leads to.

Both pages group the regions by operation (in the registry's order), then by step, then by language. The HTML
page is one self-contained file: Pygments highlights the code when the page is generated, each line number links
to that line of the source, and a little script lets the reader pick the operation and the languages to compare.
"""

from __future__ import annotations

import html
import os
import re
import textwrap
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote

from pygments import highlight
from pygments.formatters import HtmlFormatter
from pygments.lexers import get_lexer_by_name
from pygments.lexers.special import TextLexer
from pygments.util import ClassNotFound

from .registry import LANGUAGES, ROOT, Language, Sample, all_samples
from .versions import pinned_version

STEPS = ("create the client", "build the request", "invoke", "read the text", "handle the error")
PAGE = ROOT / "docs" / "idioms.md"
HTML_PAGE = ROOT / "docs" / "idioms.html"
FENCES = {
    ".py": "python",
    ".js": "javascript",
    ".java": "java",
    ".go": "go",
    ".abap": "abap",
    ".php": "php",
    ".cs": "csharp",
    ".rs": "rust",
}
# Folders that hold no sample code of the project's own.
_SKIPPED_FOLDERS = {"node_modules", "vendor", "target", "bin", "obj", "output", "emulation", ".venv"}
_MARKER = re.compile(
    r'^\s*(?:#|//|")\s*snippet:\s*(?P<step>[^(\[]+?)\s*'
    r"(?:\[(?P<samples>[^\]]*)\])?\s*(?:\((?P<caption>[^)]*)\))?\s*$"
)


@dataclass(frozen=True)
class Region:
    language: Language
    path: Path
    step: str
    caption: str | None
    first_line: int  # 1-based, of the code (not the marker)
    code: str
    samples: tuple[str, ...] = ()  # ids of the registry samples whose code this is
    operation: str = ""

    @property
    def last_line(self) -> int:
        return self.first_line + self.code.count("\n")

    @property
    def href(self) -> str:
        """The source file, relative to the pages in docs/."""
        return "../" + quote(self.where)

    @property
    def where(self) -> str:
        return self.path.relative_to(ROOT).as_posix() if self.path.is_relative_to(ROOT) else self.path.as_posix()


def _owners(language: Language, path: Path, line: int, named: str | None) -> tuple[Sample, ...]:
    """The samples a region at `path:line` belongs to, by the rules of the module docstring."""
    if named is not None:
        wanted = [name.strip() for name in named.split(",") if name.strip()]
        by_id = {sample.id: sample for sample in language.samples}
        unknown = [name for name in wanted if name not in by_id]
        if unknown or not wanted:
            raise ValueError(
                f"{path}:{line}: no {language.name} sample {', '.join(unknown) or '(empty bracket)'}; "
                f"its samples are {', '.join(by_id) or 'none'}"
            )
        return tuple(by_id[name] for name in wanted)
    resolved = path.resolve()
    owners = tuple(sample for sample in language.samples if (language.path / sample.source).resolve() == resolved)
    if not owners:
        owners = tuple(sample for sample in language.samples if _runs_through(sample, language, resolved))
    if not owners:
        raise ValueError(
            f"{path}:{line}: this file is no {language.name} sample's source or runner; name the sample the region "
            "belongs to, as in `snippet: <step> [<sample id>]`"
        )
    if len({sample.operation for sample in owners}) > 1:
        raise ValueError(
            f"{path}:{line}: this file holds samples of several operations "
            f"({', '.join(f'{sample.id}: {sample.operation}' for sample in owners)}); name the sample the region "
            "belongs to, as in `snippet: <step> [<sample id>]`"
        )
    return owners


def _runs_through(sample: Sample, language: Language, resolved: Path) -> bool:
    """Whether the sample's run command names the file, or names the program built from the file's folder."""
    for argument in sample.run:
        if (language.path / argument).resolve() == resolved:
            return True
        if "/" in argument and Path(argument).name == resolved.parent.name and resolved.parent != language.path:
            return True
    return False


def regions_of(language: Language, path: Path) -> list[Region]:
    lines = path.read_text(encoding="utf-8").splitlines()
    markers = [(index, match) for index, line in enumerate(lines) if (match := _MARKER.match(line))]
    regions = []
    for position, (index, match) in enumerate(markers):
        step = match["step"]
        if step == "end":
            continue
        if step not in STEPS:
            raise ValueError(f"{path}:{index + 1}: unknown snippet step {step!r}; steps are {', '.join(STEPS)}")
        owners = _owners(language, path, index + 1, match["samples"])
        end = markers[position + 1][0] if position + 1 < len(markers) else len(lines)
        body = lines[index + 1 : end]
        while body and not body[-1].strip():
            body.pop()
        leading = next((offset for offset, line in enumerate(body) if line.strip()), len(body))
        code = textwrap.dedent("\n".join(body[leading:]))
        operations = {sample.operation for sample in owners}
        if len(operations) > 1:
            raise ValueError(f"{path}:{index + 1}: one region cannot belong to several operations ({operations})")
        regions.append(
            Region(
                language,
                path,
                step,
                match["caption"],
                index + 2 + leading,
                code,
                tuple(sample.id for sample in owners),
                operations.pop(),
            )
        )
    return regions


def all_regions() -> list[Region]:
    regions = []
    for language in LANGUAGES:
        for path in _sources(language.path):
            regions += regions_of(language, path)
    return regions


def _sources(folder: Path) -> list[Path]:
    """The files of a language folder that may hold markers, never descending into dependencies or build output."""
    found = []
    for directory, subdirectories, files in os.walk(folder):
        # Cargo keeps programs' sources in src/bin, a name that elsewhere means build output.
        subdirectories[:] = [
            name
            for name in subdirectories
            if name not in _SKIPPED_FOLDERS or Path(directory, name).relative_to(folder).as_posix() == "src/bin"
        ]
        found += [Path(directory, name) for name in files if Path(name).suffix in FENCES]
    return sorted(found)


def operations() -> list[str]:
    """Every operation some registry sample calls, in the order the registry first names it."""
    return list(dict.fromkeys(sample.operation for _, sample in all_samples()))


def samples_of(language: Language, operation: str) -> list[Sample]:
    return [sample for sample in language.samples if sample.operation == operation]


def sdk_pin(language: Language) -> str:
    """The SDK and the version its manifest pins, as the pages show it."""
    version = pinned_version(language.path / language.sdk.manifest, language.sdk.package)
    return f"{language.sdk.package} {version or '(version not pinned)'}"


def _title(step: str) -> str:
    return step[0].upper() + step[1:]


def _label(region: Region) -> str:
    """What the region is, beyond its lines: its caption, and its samples where the language has several."""
    parts = []
    if len(samples_of(region.language, region.operation)) > 1:
        parts.append(", ".join(region.samples))
    if region.caption:
        parts.append(region.caption)
    return " — ".join(parts)


def _missing(operation: str) -> list[Language]:
    return [language for language in LANGUAGES if not samples_of(language, operation)]


def render() -> str:
    """The Markdown page."""
    regions = all_regions()
    lines = [
        "# How each SDK expresses the same call",
        "",
        "Generated by `nox -s idioms` from the `snippet:` comments in the samples; edit the samples, not this page.",
        "For each operation, each step shows the lines of every language's sample that perform it.",
        "[`idioms.html`](idioms.html) shows the same side by side, with a choice of operation and languages.",
        "",
        "Operations: " + " · ".join(f"[{operation}](#{operation.lower()})" for operation in operations()),
    ]
    for operation in operations():
        lines += ["", f"## {operation}"]
        missing = _missing(operation)
        if missing:
            lines += ["", f"No example of {operation} in: {', '.join(language.title for language in missing)}."]
        for step in STEPS:
            lines += ["", f"### {operation}: {step}"]
            for language in LANGUAGES:
                own = [r for r in regions if r.operation == operation and r.step == step and r.language == language]
                if not own:
                    continue
                lines += ["", f"#### {language.title}"]
                for region in own:
                    label = _label(region)
                    lines += [
                        "",
                        f"[`{region.where}`, lines {region.first_line} to {region.last_line}]"
                        f"({region.href}#L{region.first_line}-L{region.last_line})" + (f" — {label}" if label else ""),
                        "",
                        f"```{FENCES[region.path.suffix]}",
                        region.code,
                        "```",
                    ]
    return "\n".join(lines) + "\n"


_FORMATTER = HtmlFormatter(nowrap=True, style="default")

_CSS = """
:root { --fg: #1b1f24; --muted: #57606a; --line: #d0d7de; --panel: #f6f8fa; --accent: #0550ae; }
* { box-sizing: border-box; }
body { margin: 0; font: 15px/1.45 system-ui, -apple-system, "Segoe UI", sans-serif; color: var(--fg); }
header { padding: 1rem 1.25rem .5rem; border-bottom: 1px solid var(--line); background: #fff; }
h1 { font-size: 1.4rem; margin: 0 0 .3rem; }
h2 { font-size: 1.25rem; margin: 1.25rem 0 .25rem; }
h3 { font-size: 1.05rem; margin: 1.1rem 0 .4rem; padding-bottom: .2rem; border-bottom: 1px solid var(--line); }
h4 { font-size: .95rem; margin: 0 0 .3rem; }
main { padding: 0 1.25rem 2rem; }
p.note, .sdk, .where, .absent { color: var(--muted); }
.sdk { font-size: .8rem; font-weight: normal; display: block; }
fieldset { border: 1px solid var(--line); border-radius: 6px; margin: .4rem 0; padding: .3rem .6rem; }
legend { font-weight: 600; padding: 0 .3rem; }
fieldset label { display: inline-flex; align-items: center; gap: .3rem; margin: .15rem .9rem .15rem 0; }
fieldset button { font: inherit; margin-left: .3rem; }
:focus-visible { outline: 3px solid var(--accent); outline-offset: 2px; }
.columns { display: grid; grid-template-columns: repeat(auto-fit, minmax(min(100%, 20rem), 1fr)); gap: .75rem; }
.lang { min-width: 0; border: 1px solid var(--line); border-radius: 6px; padding: .5rem .6rem; background: #fff; }
.where { font-size: .8rem; margin: .3rem 0 .2rem; overflow-wrap: anywhere; }
pre.hl { margin: 0 0 .4rem; padding: .4rem .5rem; background: var(--panel); border-radius: 4px; overflow-x: auto;
  font: 12.5px/1.45 ui-monospace, SFMono-Regular, Menlo, Consolas, monospace; }
pre.hl .line { display: block; white-space: pre; }
pre.hl a.ln { display: inline-block; width: 3.2em; margin-right: .6em; text-align: right; color: #8c959f;
  text-decoration: none; user-select: none; }
pre.hl a.ln:hover, pre.hl a.ln:focus-visible { color: var(--accent); text-decoration: underline; }
[hidden] { display: none !important; }
@media (max-width: 40rem) { header, main { padding-left: .6rem; padding-right: .6rem; } }
@media print {
  header form { display: none; }
  .lang { break-inside: avoid; }
  pre.hl { overflow: visible; }
  pre.hl .line { white-space: pre-wrap; }
}
"""

# Shows the chosen operation's section and the chosen languages' columns; without scripts every one shows.
# The choice is kept in the address (#Converse:python,go), so a comparison can be linked to.
_SCRIPT = """
(function () {
  var form = document.getElementById("pickers");
  form.hidden = false;
  var boxes = form.querySelectorAll("input[name=language]");
  var wanted = decodeURIComponent(location.hash.slice(1)).split(":");
  form.querySelectorAll("input[name=operation]").forEach(function (radio) {
    if (radio.value === wanted[0]) { radio.checked = true; }
  });
  if (wanted.length > 1) {
    var names = wanted[1].split(",");
    boxes.forEach(function (box) { box.checked = names.indexOf(box.value) >= 0; });
  }
  function apply() {
    var operation = form.querySelector("input[name=operation]:checked").value;
    document.querySelectorAll("section[data-operation]").forEach(function (section) {
      section.hidden = section.getAttribute("data-operation") !== operation;
    });
    var chosen = [];
    boxes.forEach(function (box) {
      if (box.checked) { chosen.push(box.value); }
      document.querySelectorAll('[data-lang="' + box.value + '"]').forEach(function (column) {
        column.hidden = !box.checked;
      });
    });
    history.replaceState(null, "", "#" + operation + ":" + chosen.join(","));
  }
  form.addEventListener("change", apply);
  form.querySelectorAll("button[data-set]").forEach(function (button) {
    button.addEventListener("click", function () {
      var all = button.getAttribute("data-set") === "all";
      boxes.forEach(function (box) { box.checked = all; });
      apply();
    });
  });
  apply();
})();
"""


def _highlighted(region: Region) -> str:
    try:
        lexer = get_lexer_by_name(FENCES[region.path.suffix], stripnl=False, ensurenl=True)
    except ClassNotFound:
        lexer = TextLexer(stripnl=False, ensurenl=True)
    # The formatter closes every token's span at a line's end, so each line can be wrapped on its own.
    code_lines = highlight(region.code, lexer, _FORMATTER).rstrip("\n").split("\n")
    href = html.escape(region.href)
    return "".join(
        f'<span class="line"><a class="ln" href="{href}#L{number}">{number}</a>{line}</span>'
        for number, line in enumerate(code_lines, start=region.first_line)
    )


def render_html() -> str:
    """The HTML page: one file, its styles and script inline, nothing fetched."""
    regions = all_regions()
    esc = html.escape
    out = [
        "<!DOCTYPE html>",
        '<html lang="en">',
        "<head>",
        '<meta charset="utf-8">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        "<title>How each SDK expresses the same call</title>",
        f"<style>{_CSS}{_FORMATTER.get_style_defs('pre.hl')}\n</style>",
        "</head>",
        "<body>",
        "<header>",
        "<h1>How each SDK expresses the same call</h1>",
        '<p class="note">Generated by <code>nox -s idioms</code> from the <code>snippet:</code> comments in the '
        "samples; edit the samples, not this page. Line numbers link to the sources.</p>",
        '<form id="pickers" hidden>',
        "<fieldset><legend>Operation</legend>",
    ]
    for index, operation in enumerate(operations()):
        checked = " checked" if index == 0 else ""
        out.append(
            f'<label><input type="radio" name="operation" value="{esc(operation)}"{checked}>{esc(operation)}</label>'
        )
    out += ["</fieldset>", "<fieldset><legend>Languages</legend>"]
    for language in LANGUAGES:
        out.append(
            f'<label><input type="checkbox" name="language" value="{esc(language.name)}" checked>'
            f"{esc(language.title.split(' (')[0])}</label>"
        )
    out += [
        '<button type="button" data-set="all">All</button><button type="button" data-set="none">None</button>',
        "</fieldset>",
        "</form>",
        "</header>",
        "<main>",
    ]
    for operation in operations():
        out += [f'<section data-operation="{esc(operation)}">', f"<h2>{esc(operation)}</h2>"]
        missing = _missing(operation)
        if missing:
            names = ", ".join(esc(language.title) for language in missing)
            out.append(f'<p class="note">No example of {esc(operation)} in: {names}.</p>')
        for step in STEPS:
            out += [f"<h3>{esc(_title(step))}</h3>", '<div class="columns">']
            for language in LANGUAGES:
                out += [
                    f'<div class="lang" data-lang="{esc(language.name)}">',
                    f'<h4>{esc(language.title)}<span class="sdk">{esc(sdk_pin(language))}</span></h4>',
                ]
                own = [r for r in regions if r.operation == operation and r.step == step and r.language == language]
                if not samples_of(language, operation):
                    out.append(f'<p class="absent">No example of {esc(operation)}.</p>')
                elif not own:
                    out.append('<p class="absent">Not a step of its own in this sample.</p>')
                for region in own:
                    label = _label(region)
                    out += [
                        f'<p class="where"><a href="{esc(region.href)}#L{region.first_line}-L{region.last_line}">'
                        f"{esc(region.where)}</a>, lines {region.first_line} to {region.last_line}"
                        + (f" — {esc(label)}" if label else "")
                        + "</p>",
                        f'<pre class="hl"><code>{_highlighted(region)}</code></pre>',
                    ]
                out.append("</div>")
            out.append("</div>")
        out.append("</section>")
    out += ["</main>", f"<script>{_SCRIPT}</script>", "</body>", "</html>"]
    return "\n".join(out) + "\n"


def write() -> list[Path]:
    PAGE.parent.mkdir(parents=True, exist_ok=True)
    PAGE.write_text(render(), encoding="utf-8")
    HTML_PAGE.write_text(render_html(), encoding="utf-8")
    return [PAGE, HTML_PAGE]
