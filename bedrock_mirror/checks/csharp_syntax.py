"""`python -m bedrock_mirror.checks.csharp_syntax FILE.cs ...`: fails, listing each syntax error, if C# does not parse.

Uses tree-sitter's C# grammar, so a syntax slip in the .NET sample is caught where no .NET SDK is installed.
"""

from __future__ import annotations

import sys
from pathlib import Path

import tree_sitter_c_sharp
from tree_sitter import Language, Node, Parser

CSHARP = Language(tree_sitter_c_sharp.language())


def syntax_problems(source: bytes) -> list[str]:
    """One `line:column: what` entry per ERROR or MISSING node, in source order."""
    problems: list[str] = []
    pending: list[Node] = [Parser(CSHARP).parse(source).root_node]
    while pending:
        node = pending.pop()
        if node.is_missing or node.is_error:
            line, column = node.start_point
            if node.is_missing:
                what = f"missing {node.type!r}"
            else:
                near = " ".join(source[node.start_byte : node.end_byte].decode("utf-8", "replace").split())[:60]
                what = f"syntax error near {near!r}"
            problems.append(f"{line + 1}:{column + 1}: {what}")
        # An error node may hold missing ones below it; reversed keeps source order on the stack.
        if node.has_error:
            pending.extend(reversed(node.children))
    return problems


def main(argv: list[str]) -> int:
    if not argv:
        print("usage: python -m bedrock_mirror.checks.csharp_syntax FILE.cs ...", file=sys.stderr)
        return 2
    failures = [f"{path}:{problem}" for path in argv for problem in syntax_problems(Path(path).read_bytes())]
    for failure in failures:
        print(failure, file=sys.stderr)
    print(f"{len(argv)} file(s) checked, {len(failures)} syntax problem(s)")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
