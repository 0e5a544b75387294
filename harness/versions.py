"""Reads the SDK version a sample pins from its own ecosystem's manifest or lock file."""

from __future__ import annotations

import json
import re
from pathlib import Path


def pinned_version(manifest: Path, package: str) -> str | None:
    """The exact version of `package` that `manifest` pins, or None when it cannot be read."""
    try:
        text = manifest.read_text(encoding="utf-8")
    except OSError:
        return None
    name = manifest.name
    if name == "package-lock.json":
        return json.loads(text).get("packages", {}).get(f"node_modules/{package}", {}).get("version")
    if name == "composer.json":
        return json.loads(text).get("require", {}).get(package)
    if name.endswith(".txt"):
        pattern = rf"^{re.escape(package)}\s*==\s*([^\s;#]+)"
    elif name == "go.mod":
        pattern = rf"^\s*(?:require\s+)?{re.escape(package)}\s+(v[^\s]+)"
    elif name == "pom.xml":
        artifact = package.rpartition(":")[2]  # group:artifact
        pattern = rf"<artifactId>{re.escape(artifact)}</artifactId>\s*<version>([^<]+)</version>"
    elif name.endswith(".csproj"):
        pattern = rf'Include="{re.escape(package)}"\s+Version="([^"]+)"'
    else:
        return None
    match = re.search(pattern, text, re.MULTILINE | re.IGNORECASE)
    # NuGet writes an exact pin as the one-version range "[4.0.7.1]".
    return match.group(1).strip("[]") if match else None
