"""MIRROR_REQUIRE: which languages must run, so that a skip of theirs is a failure."""

from __future__ import annotations

import os
from collections.abc import Iterable, Mapping

VARIABLE = "MIRROR_REQUIRE"


def required_languages(
    known: Iterable[str], env: Mapping[str, str] | None = None, variable: str = VARIABLE
) -> set[str]:
    """`all`, or a comma-separated list of language names; unknown names are an error, not a silent pass."""
    known = list(known)
    value = (os.environ if env is None else env).get(variable, "").strip()
    if not value:
        return set()
    if value == "all":
        return set(known)
    names = {name.strip() for name in value.split(",") if name.strip()}
    unknown = sorted(names - set(known))
    if unknown:
        raise ValueError(f"{variable} names unknown languages: {', '.join(unknown)}; known: {', '.join(known)}")
    return names
