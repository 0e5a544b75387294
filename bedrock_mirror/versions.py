"""SDK versions: the one a sample pins (its manifest or lock file) and the one its build actually holds.

What ran is read from what the build left behind, by the reader its registry entry names (`Sdk.installed`): the
virtualenv's dist-info, node_modules/<package>/package.json, the jar names in target/lib, the build info Go writes
into each binary, Composer's installed.json, NuGet's project.assets.json, the crate's path in cargo's dependency
files.
"""

from __future__ import annotations

import functools
import json
import re
import shutil
import subprocess
import zipfile
from collections.abc import Iterable
from importlib import metadata
from pathlib import Path

from .registry.model import Installed, Language


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
    if name == "Cargo.lock":
        pattern = rf'^name = "{re.escape(package)}"\nversion = "([^"]+)"'
    elif name.endswith(".txt"):
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


def language_pin(language: Language) -> str | None:
    return pinned_version(language.path / language.sdk.manifest, language.sdk.package)


def installed_version(language: Language) -> str | None:
    """The SDK version the language's build holds, or None when there is no build (or no reader for it)."""
    spec = language.sdk.installed
    if spec is None:
        return None
    where = language.path / spec.path
    try:
        return _READERS[spec.kind](where, spec.name)
    except (OSError, ValueError, KeyError, TypeError, AttributeError, subprocess.SubprocessError, zipfile.BadZipFile):
        return None


# What each AWS SDK names itself in its User-Agent (the SDKs' shared User-Agent 2.x format): its own product token
# first (`Boto3/1.44.8`, `aws-sdk-java/2.57.8`, `aws-sdk-php/3.381.0`), and, in most, the service client's package as
# `api/<service>#<version>` (Rust: `api/<service>/<version>`). Where the service client is a package of its own (Go's
# module, .NET's and JavaScript's packages) that token is its version; Java's says only `2.57.x`, so a full version
# is required of it.
_PRODUCT = re.compile(r"^(?:Boto3|aws-sdk-[A-Za-z0-9-]+)/(\S+)")
_API = re.compile(r"(?:^|\s)api/[A-Za-z0-9_.-]+[#/](\d+(?:\.\d+)+)(?:\s|$)")


def sent_version(user_agents: Iterable[str | None]) -> str | None:
    """The SDK version a request's User-Agent headers (`User-Agent`, then `x-amz-user-agent`) name, if any."""
    texts = [text for text in user_agents if text]
    for text in texts:
        if found := _API.search(text):
            return found.group(1)
    for text in texts:
        if found := _PRODUCT.match(text.strip()):
            return found.group(1)
    return None


def shown_version(pinned: str | None, installed: str | None) -> str:
    """How the report shows a language's SDK: what ran, and the pin beside it when they differ."""
    if installed is None:
        return f"{pinned or '?'} (pinned; no build to read)" if pinned else "?"
    if pinned is not None and _normal(pinned) != _normal(installed):
        return f"{installed} (pinned {pinned})"
    return installed


def _normal(version: str) -> str:
    return version.strip().removeprefix("v")


def same_version(one: str, other: str) -> bool:
    return _normal(one) == _normal(other)


def _python_venv(venv: Path, name: str) -> str | None:
    for site in sorted(venv.glob("lib/python*/site-packages")) + sorted(venv.glob("Lib/site-packages")):
        for distribution in metadata.distributions(path=[str(site)]):
            if _canonical(distribution.metadata["Name"] or "") == _canonical(name):
                return distribution.version
    return None


def _canonical(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def _npm(node_modules: Path, name: str) -> str | None:
    return json.loads((node_modules / name / "package.json").read_text(encoding="utf-8"))["version"]


def _jar(folder: Path, name: str) -> str | None:
    pattern = re.compile(rf"^{re.escape(name)}-(\d[^/]*)\.jar$")
    versions = [match.group(1) for jar in folder.glob(f"{name}-*.jar") if (match := pattern.match(jar.name))]
    if len(versions) == 1:
        return versions[0]
    # Maven's copy-dependencies leaves the jars of an earlier version beside the new ones (a build upgraded in place,
    # as `nox -s drift` does): the one that runs is the one the application jar's Class-Path names.
    listed = re.compile(rf"(?:^|\s){re.escape(folder.name)}/{re.escape(name)}-(\d\S*)\.jar(?=\s|$)")
    for application in sorted(folder.parent.glob("*.jar")):
        with zipfile.ZipFile(application) as archive:
            manifest = archive.read("META-INF/MANIFEST.MF").decode("utf-8")
        # A manifest wraps its long lines: a line that starts with a space continues the one before.
        class_path = re.sub(r"\r?\n ", "", manifest)
        if found := listed.search(class_path):
            return found.group(1)
    return None


def _go_binary(binary: Path, module: str) -> str | None:
    go = shutil.which("go")
    if go is None or not binary.is_file():
        return None
    status = binary.stat()
    return _go_build_info(go, str(binary), module, status.st_mtime_ns, status.st_size)


@functools.lru_cache(maxsize=64)
def _go_build_info(go: str, binary: str, module: str, _mtime: int, _size: int) -> str | None:
    """The module's version in a Go binary's build info (cached while the binary is unchanged)."""
    listed = subprocess.run([go, "version", "-m", binary], capture_output=True, text=True, timeout=60)
    for line in listed.stdout.splitlines():
        fields = line.split()
        if len(fields) >= 3 and fields[0] in ("dep", "=>") and fields[1] == module:
            return fields[2]
    return None


def _composer(installed: Path, name: str) -> str | None:
    data = json.loads(installed.read_text(encoding="utf-8"))
    packages = data.get("packages", []) if isinstance(data, dict) else data
    for package in packages:
        if package.get("name") == name:
            return str(package["version"]).removeprefix("v")
    return None


def _cargo_deps(deps: Path, name: str) -> str | None:
    """The crate's version in the source path cargo's dependency file names (`<crate>-<version>/src/lib.rs`); the
    newest file wins, as an upgrade leaves the earlier build's files beside it."""
    files = sorted(deps.glob(name.replace("-", "_") + "-*.d"), key=lambda path: path.stat().st_mtime_ns)
    if not files:
        return None
    match = re.search(rf"/{re.escape(name)}-(\d[^/]*)/src/lib\.rs", files[-1].read_text(encoding="utf-8"))
    return match.group(1) if match else None


def _nuget_assets(assets: Path, name: str) -> str | None:
    libraries = json.loads(assets.read_text(encoding="utf-8")).get("libraries", {})
    for key in libraries:
        package, _, version = key.partition("/")
        if package.lower() == name.lower():
            return version
    return None


_READERS = {
    "python-venv": _python_venv,
    "npm": _npm,
    "jar": _jar,
    "go-binary": _go_binary,
    "composer": _composer,
    "nuget-assets": _nuget_assets,
    "cargo-deps": _cargo_deps,
}

__all__ = ["Installed", "installed_version", "language_pin", "pinned_version", "shown_version"]
