"""The event loop the stub serves on: uvloop where it is installed (`bedrock-stub[fast]`), asyncio's own elsewhere.

uvloop serves the same requests for less CPU each (docs/speed.md has the figures). Where it does not install
(Windows, PyPy, a platform without a wheel) or is not installed, the stub runs on asyncio's loop and says nothing.
The stub creates its loops itself rather than setting an event-loop policy, so that no other code in the process
changes loop because the stub is there.
"""

from __future__ import annotations

import asyncio
import importlib
from collections.abc import Coroutine
from typing import Any, Literal, TypeVar

LoopKind = Literal["uvloop", "asyncio"]
Result = TypeVar("Result")


def _uvloop() -> Any | None:
    """The uvloop module, or None where it cannot be imported."""
    try:
        # Imported by name, when a loop is made: the stub's import stays light, and uvloop stays optional.
        return importlib.import_module("uvloop")
    except ImportError:
        return None


def loop_kind() -> LoopKind:
    """The loop `run` serves on here."""
    return "asyncio" if _uvloop() is None else "uvloop"


def run(main: Coroutine[Any, Any, Result]) -> Result:
    """Runs `main` to completion on a new loop of the fastest kind installed, as `asyncio.run` does."""
    uvloop = _uvloop()
    if uvloop is None:
        return asyncio.run(main)
    result: Result = uvloop.run(main)
    return result
