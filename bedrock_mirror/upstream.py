"""`nox -s upstream -- --source PATH_OR_URL`: what changed upstream since each example was mirrored.

Each sample's registry entry names its upstream file and the commit it was mirrored from (`path@commit`). Against a
git clone of awsdocs/aws-doc-sdk-examples (or its URL, cloned here where the network allows), this says for every
mirrored file whether it is unchanged at the clone's HEAD, changed (with the diff of its code lines, comments and
blank lines ignored), moved (and where, and whether its code changed) or removed; and lists every Claude example the
clone holds that no sample mirrors.

Some differences are known and kept on purpose (the mirror holds removed examples, and the seed's older versions):
`REVIEWED_AT` is the upstream commit the mirror was last compared with, and the session fails only on what upstream
changed after it, so that a weekly run says when something new needs a look.
"""

from __future__ import annotations

import difflib
import re
import subprocess
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

from .registry import LANGUAGES, ROOT, Language, Sample

# The upstream HEAD the mirror was last compared with (each difference the session reported then is accounted for:
# mirrored, or named in the README with the reason it is not).
REVIEWED_AT = "7d1e1237789cbf5033a7c22d917d17c64de1aaaa"

Status = Literal["unchanged", "changed", "moved", "removed", "unknown-commit"]

# Where the chapter's examples live upstream, one folder per SDK (the .NET ones are spelled with a capital B).
CHAPTER_FOLDERS = re.compile(r"(^|/)[Bb]edrock-runtime/|^sap-abap/services/bdr/")
CHAPTER_PATHSPECS = (":(glob)**/[Bb]edrock-runtime/**", ":(glob)sap-abap/services/bdr/**")
CODE_SUFFIXES = (".py", ".js", ".java", ".go", ".cs", ".php", ".rs", ".abap", ".swift", ".kt", ".rb", ".cpp", ".ts")
# Test code, build files and stubs are not examples.
NOT_EXAMPLES = re.compile(
    r"(^|/)(tests?|test_tools|stubs)/|tests?\.|_test\.|\.testclasses\.|(^|/)package\.swift$", re.I
)

# Comments, per kind of source: block comments where the language has them, then line comments.
_C_LIKE = (re.compile(r"/\*.*?\*/", re.S), re.compile(r"//.*$", re.M))
COMMENTS: dict[str, tuple[re.Pattern[str], ...]] = {
    ".py": (re.compile(r"#.*$", re.M),),
    ".abap": (re.compile(r"^\*.*$", re.M), re.compile(r'".*$', re.M)),
    **{suffix: _C_LIKE for suffix in (".js", ".java", ".go", ".cs", ".php", ".rs", ".swift", ".kt", ".cpp", ".ts")},
}


def code_lines(text: str, suffix: str) -> list[str]:
    """The file's code: comments removed, each line stripped, blank lines dropped. (A comment marker inside a string
    literal is taken for a comment too; both sides of a comparison are read the same way.)"""
    for pattern in COMMENTS.get(suffix, ()):
        text = pattern.sub("", text)
    return [line.strip() for line in text.splitlines() if line.strip()]


@dataclass(frozen=True)
class Mirrored:
    """One upstream file the mirror holds, with the samples mirrored from it."""

    path: str
    commit: str
    samples: tuple[str, ...]


@dataclass
class Finding:
    mirrored: Mirrored
    status: Status
    now_at: str | None = None  # where a moved file is now
    diff: list[str] = field(default_factory=list)
    # Whether upstream touched the file after REVIEWED_AT (or the clone does not hold that commit).
    new: bool = False


@dataclass
class Report:
    head: str
    findings: list[Finding]
    unmirrored: list[str]
    new_unmirrored: list[str] = field(default_factory=list)

    def new_findings(self) -> list[Finding]:
        return [finding for finding in self.findings if finding.status != "unchanged" and finding.new]

    @property
    def ok(self) -> bool:
        return not self.new_findings() and not self.new_unmirrored


def mirrored_files(languages: tuple[Language, ...] = LANGUAGES) -> list[Mirrored]:
    """Every upstream file the registry names, once, with the samples mirrored from it."""
    found: dict[tuple[str, str], list[str]] = {}
    for language in languages:
        for sample in language.samples:
            path, commit = split(sample)
            found.setdefault((path, commit), []).append(sample.id)
    return [Mirrored(path, commit, tuple(ids)) for (path, commit), ids in found.items()]


def split(sample: Sample) -> tuple[str, str]:
    path, _, commit = sample.upstream.partition("@")
    if not path or not commit:
        raise ValueError(
            f"{sample.id}: its upstream must name a file and the commit it was mirrored from (path@commit)"
        )
    return path, commit


class Clone:
    """Read-only questions to a git repository."""

    def __init__(self, path: Path) -> None:
        self.path = path

    def git(self, *args: str, check: bool = True) -> str:
        done = subprocess.run(
            ["git", "-C", str(self.path), *args], capture_output=True, text=True, timeout=300, check=False
        )
        if check and done.returncode != 0:
            raise RuntimeError(f"git {' '.join(args)}: {done.stderr.strip()}")
        return done.stdout if done.returncode == 0 else ""

    def has_commit(self, commit: str) -> bool:
        return bool(self.git("rev-parse", "--verify", "--quiet", f"{commit}^{{commit}}", check=False).strip())

    def show(self, revision: str, path: str) -> str | None:
        done = subprocess.run(
            ["git", "-C", str(self.path), "show", f"{revision}:{path}"], capture_output=True, timeout=300, check=False
        )
        return done.stdout.decode("utf-8", "replace") if done.returncode == 0 else None

    def has_file(self, revision: str, path: str) -> bool:
        return bool(self.git("cat-file", "-t", f"{revision}:{path}", check=False).strip())

    def touched_since(self, commit: str, path: str) -> bool:
        """Whether a commit after `commit` (all of them, if the clone lacks it) changed, moved or removed `path`."""
        if not self.has_commit(commit):
            return True
        return bool(self.git("log", "--format=%H", "-1", f"{commit}..HEAD", "--", path).strip())

    def where_moved(self, commit: str, path: str) -> str | None:
        """Where the commit that deleted `path` after `commit` moved it, if it was a move."""
        deleting = self.git("log", "--format=%H", "--diff-filter=D", f"{commit}..HEAD", "--", path).split()
        if not deleting:
            return None
        shown = self.git("show", "-M", "--name-status", "--format=", deleting[-1])
        for line in shown.splitlines():
            parts = line.split("\t")
            if len(parts) == 3 and parts[0].startswith("R") and parts[1] == path:
                return parts[2]
        return None

    def claude_examples(self) -> list[str]:
        """The chapter's example files at HEAD that call Claude (by name or model id)."""
        # Only the chapter's folders are searched: a clone made without blobs fetches just those.
        listed = self.git("grep", "-l", "-i", "claude", "HEAD", "--", *CHAPTER_PATHSPECS, check=False)
        paths = [line.split(":", 1)[1] for line in listed.splitlines() if ":" in line]
        return sorted(
            path
            for path in paths
            if CHAPTER_FOLDERS.search(path) and path.endswith(CODE_SUFFIXES) and not NOT_EXAMPLES.search(path)
        )


def code_diff(before: str, after: str, suffix: str, path: str) -> list[str]:
    return list(
        difflib.unified_diff(
            code_lines(before, suffix), code_lines(after, suffix), f"{path} (mirrored)", f"{path} (HEAD)", lineterm=""
        )
    )


def check_file(clone: Clone, mirrored: Mirrored) -> Finding:
    if not clone.has_commit(mirrored.commit):
        return Finding(mirrored, "unknown-commit")
    before = clone.show(mirrored.commit, mirrored.path)
    if before is None:
        return Finding(mirrored, "unknown-commit", diff=[f"{mirrored.path} is not in {mirrored.commit}"])
    suffix = Path(mirrored.path).suffix
    now = clone.show("HEAD", mirrored.path)
    if now is not None:
        diff = code_diff(before, now, suffix, mirrored.path)
        return Finding(mirrored, "changed" if diff else "unchanged", diff=diff)
    moved_to = clone.where_moved(mirrored.commit, mirrored.path)
    if moved_to is not None:
        after = clone.show("HEAD", moved_to)
        diff = code_diff(before, after, suffix, mirrored.path) if after is not None else []
        return Finding(mirrored, "moved", now_at=moved_to, diff=diff)
    return Finding(mirrored, "removed")


def check(clone: Clone, languages: tuple[Language, ...] = LANGUAGES, reviewed_at: str = REVIEWED_AT) -> Report:
    files = mirrored_files(languages)
    findings = [check_file(clone, mirrored) for mirrored in files]
    for finding in findings:
        finding.new = finding.status == "unknown-commit" or clone.touched_since(reviewed_at, finding.mirrored.path)
    held = {mirrored.path for mirrored in files} | {finding.now_at for finding in findings if finding.now_at}
    unmirrored = [path for path in clone.claude_examples() if path not in held]
    known = clone.has_commit(reviewed_at)
    new_unmirrored = [path for path in unmirrored if not known or not clone.has_file(reviewed_at, path)]
    return Report(clone.git("rev-parse", "HEAD").strip(), findings, unmirrored, new_unmirrored)


def open_source(source: str, workspace: Path) -> Clone:
    """A local clone as it is, or a URL cloned into `workspace` (blobs fetched as needed)."""
    local = Path(source)
    if local.exists():
        return Clone(local)
    target = workspace / "upstream"
    subprocess.run(
        ["git", "clone", "--quiet", "--filter=blob:none", "--no-checkout", source, str(target)],
        check=True,
        timeout=1800,
    )
    return Clone(target)


def render(report: Report, readme: str) -> str:
    lines = [f"Upstream at {report.head[:12]} (the mirror was last compared with {REVIEWED_AT[:12]}):"]
    for finding in report.findings:
        mirrored = finding.mirrored
        what = {
            "unchanged": "unchanged",
            "changed": "changed",
            "moved": f"moved to {finding.now_at}",
            "removed": "removed",
            "unknown-commit": "its mirrored-from commit is not in this clone",
        }[finding.status]
        since = " [changed since the last review]" if finding.new and finding.status != "unchanged" else ""
        lines.append(f"  {mirrored.path} @ {mirrored.commit[:7]} ({', '.join(mirrored.samples)}): {what}{since}")
        lines.extend("      " + line for line in finding.diff)
    lines.append(f"Claude examples upstream that no sample mirrors: {len(report.unmirrored)}")
    for path in report.unmirrored:
        named = " (the README names it)" if path in readme else ""
        since = " [new since the last review]" if path in report.new_unmirrored else ""
        lines.append(f"  {path}{named}{since}")
    return "\n".join(lines)


def main(source: str) -> tuple[str, Report]:
    with tempfile.TemporaryDirectory(prefix="mirror-upstream-") as workspace:
        report = check(open_source(source, Path(workspace)))
    return render(report, (ROOT / "README.md").read_text(encoding="utf-8")), report
