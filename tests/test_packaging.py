"""The stub's distribution on its own: a fresh virtualenv with only `pip install ./stub[pytest]` runs the README's
examples, and the root pyproject's repeat of the stub's declarations stays equal to stub/pyproject.toml. The tests that
build a virtualenv or a wheel are end-to-end (`nox -s e2e`)."""

from __future__ import annotations

import importlib.metadata
import os
import re
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import nox.project
import pytest
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

ROOT = Path(__file__).resolve().parent.parent
README = ROOT / "README.md"
STUB_GUIDE = ROOT / "docs" / "stub.md"
# What the harness needs and the stub must not bring.
_HARNESS_ONLY = ("bedrock_mirror", "nox", "pygments", "starlette")
# Prints, for the classes the stub's server builds on, their methods, before and after importing the given modules.
METHODS_UNCHANGED = """
import json, sys
import h2.connection, hypercorn.asyncio.tcp_server, hypercorn.protocol, hypercorn.protocol.h2
classes = [h2.connection.H2Connection, hypercorn.protocol.h2.H2Protocol, hypercorn.protocol.h2.StreamBuffer,
           hypercorn.protocol.ProtocolWrapper, hypercorn.asyncio.tcp_server.TCPServer]
def methods():
    return {c.__qualname__: {n: f"{getattr(v, '__module__', '')}.{getattr(v, '__qualname__', '')}"
            for n, v in vars(c).items() if callable(v)} for c in classes}
before = methods()
for name in sys.argv[1:]:
    __import__(name)
assert methods() == before, "importing changed a library"
assert "_receive_goaway_frame" in before["H2Connection"] and "run" in before["TCPServer"]
print("untouched")
"""


def readme_example(document: Path, marker: str) -> str:
    """The first Python block of `document` after `marker` (the README's fixture example, the stub guide's API)."""
    text = document.read_text(encoding="utf-8")
    after = text[text.index(marker) :]
    return re.search(r"```python\n(.*?)```", after, re.S).group(1)


def _scrubbed_environment() -> dict[str, str]:
    """This environment without any AWS setting or virtualenv of the caller's."""
    keep = {name: value for name, value in os.environ.items() if not name.startswith(("AWS_", "VIRTUAL_ENV"))}
    return {**keep, "PIP_DISABLE_PIP_VERSION_CHECK": "1", "PYTHONDONTWRITEBYTECODE": "1"}


@pytest.fixture(scope="module")
def stub_alone(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A new virtualenv holding the stub's distribution with its `pytest` extra and nothing of the harness."""
    work = tmp_path_factory.mktemp("stub-alone")
    # Built from a copy, so that the build leaves nothing in the checkout.
    source = shutil.copytree(ROOT / "stub", work / "stub", ignore=shutil.ignore_patterns("*.egg-info", "build"))
    env = _scrubbed_environment()
    venv = work / "venv"
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True, timeout=120, env=env)
    python = venv / "bin" / "python"
    installed = subprocess.run(
        [str(python), "-m", "pip", "install", "-q", f"{source}[pytest]"],
        capture_output=True,
        text=True,
        timeout=600,
        env=env,
    )
    if installed.returncode != 0:
        if re.search(r"(?i)could not find a version|connection|network|resolve", installed.stderr):
            pytest.skip(
                f"needs the Python package registry (or pip's cache) to install the stub's dependencies: "
                f"{installed.stderr.strip().splitlines()[-1]}"
            )
        raise AssertionError(installed.stderr)
    return venv


@pytest.mark.end_to_end
def test_the_stub_alone_imports_without_the_harness(stub_alone, tmp_path):
    python = str(stub_alone / "bin" / "python")
    check = (
        "import importlib.metadata, importlib.util, bedrock_stub\n"
        "print([n for n in {names!r} if importlib.util.find_spec(n)])\n"
        "print(any(r.startswith('pygments') for r in importlib.metadata.requires('pytest')))\n"
    )
    shown = subprocess.run(
        [python, "-c", check.format(names=list(_HARNESS_ONLY))],
        cwd=tmp_path,  # not the checkout, whose folders Python would import from
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    found, pygments_for_pytest = shown.stdout.split("\n")[:2]
    # pygments comes only with pytest itself (pytest 8 needs it for its reports), never through the stub.
    allowed = ["pygments"] if pygments_for_pytest == "True" else []
    assert found == repr(allowed)


@pytest.mark.end_to_end
def test_the_stub_alone_changes_no_library_on_import(stub_alone):
    python = str(stub_alone / "bin" / "python")
    shown = subprocess.run(
        [python, "-c", METHODS_UNCHANGED, "bedrock_stub", "bedrock_stub.pytest_plugin"],
        cwd=stub_alone,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert shown.returncode == 0 and shown.stdout.strip() == "untouched", shown.stderr


@pytest.mark.end_to_end
def test_the_stub_alone_has_its_command(stub_alone):
    shown = subprocess.run(
        [str(stub_alone / "bin" / "bedrock-stub"), "--help"],
        cwd=stub_alone,
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    assert shown.stdout.startswith("usage: bedrock-stub")


@pytest.mark.end_to_end
def test_the_readmes_pytest_example_passes_with_the_stub_alone(stub_alone, tmp_path):
    example = readme_example(README, "## Use the stub in your own tests")
    assert "def test_" in example and "bedrock_stub" in example
    (tmp_path / "test_readme_example.py").write_text(example, encoding="utf-8")
    ran = subprocess.run(
        [str(stub_alone / "bin" / "python"), "-m", "pytest", "-q", "-p", "no:cacheprovider", "test_readme_example.py"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=300,
        env=_scrubbed_environment(),
    )
    assert ran.returncode == 0 and "1 passed" in ran.stdout, ran.stdout + ran.stderr


@pytest.mark.end_to_end
def test_the_readmes_python_example_runs_with_the_stub_alone(stub_alone, tmp_path):
    example = readme_example(STUB_GUIDE, "**A Python object**")
    assert "Stub(" in example and "stub.credentials" in example
    script = tmp_path / "example.py"
    script.write_text(example, encoding="utf-8")
    ran = subprocess.run(
        [str(stub_alone / "bin" / "python"), str(script)],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=300,
        env=_scrubbed_environment(),
    )
    assert ran.returncode == 0, ran.stdout + ran.stderr


def _pyproject(path: Path) -> dict:
    # nox's reader: tomllib from Python 3.11, tomli (nox's own dependency) on 3.10, which the project supports.
    return nox.project.load_toml(path)


def test_the_root_pyproject_repeats_the_stubs_declarations_as_they_are():
    root, stub = _pyproject(ROOT / "pyproject.toml")["project"], _pyproject(ROOT / "stub" / "pyproject.toml")["project"]
    assert root["scripts"]["bedrock-stub"] == stub["scripts"]["bedrock-stub"]
    assert root["entry-points"]["pytest11"] == stub["entry-points"]["pytest11"]
    # Every run-time need of the stub is pinned by the root, within the stub's range.
    pins = {canonicalize_name(req.name): req for req in map(Requirement, root["dependencies"])}
    for need in map(Requirement, stub["dependencies"]):
        pinned = pins.get(canonicalize_name(need.name))
        assert pinned is not None, f"the root pyproject does not pin {need.name}"
        [version] = [spec.version for spec in pinned.specifier if spec.operator == "=="]
        assert need.specifier.contains(version), f"{pinned} is outside the stub's range {need}"


def test_the_test_group_satisfies_the_stubs_pytest_extra():
    root = _pyproject(ROOT / "pyproject.toml")
    stub = _pyproject(ROOT / "stub" / "pyproject.toml")["project"]
    # The group as `nox -s tests` installs it, its included groups resolved.
    test_group = nox.project.dependency_groups(root, "test")
    pins = {canonicalize_name(req.name): req for req in map(Requirement, test_group)}
    for need in map(Requirement, stub["optional-dependencies"]["pytest"]):
        pinned = pins.get(canonicalize_name(need.name))
        assert pinned is not None, f"the test group does not pin {need.name}"
        [version] = [spec.version for spec in pinned.specifier if spec.operator == "=="]
        assert need.specifier.contains(version), f"{pinned} is outside the stub's pytest extra {need}"


# ---------------------------------------------------------------------------------------------------------------
# Types: both builds that ship bedrock_stub carry its py.typed marker, so a user's type checker reads its API.

# The setuptools that builds a wheel without the `wheel` package (and so without build isolation, offline).
_SETUPTOOLS_BUILDING_WHEELS = (70, 1)


def _root_build_sources(work: Path) -> Path:
    """The root project's build inputs, copied: its pyproject, README and the packages it declares, where it maps
    them (bedrock_stub from stub/bedrock_stub)."""
    source = work / "root"
    source.mkdir()
    for name in ("pyproject.toml", "README.md"):
        shutil.copy2(ROOT / name, source / name)
    setuptools = _pyproject(ROOT / "pyproject.toml")["tool"]["setuptools"]
    folders = setuptools.get("package-dir", {})
    for top in {package.split(".")[0] for package in setuptools["packages"]}:
        folder = folders.get(top, top)
        shutil.copytree(ROOT / folder, source / folder, ignore=shutil.ignore_patterns("__pycache__"))
    return source


# Builds a wheel with the build backend a pyproject names (PEP 517's build_wheel), as a frontend does without
# build isolation: argv is the backend's module and the folder to write the wheel into.
_BUILD_WHEEL = "import importlib, sys; print(importlib.import_module(sys.argv[1]).build_wheel(sys.argv[2]))"


@pytest.fixture(scope="module")
def wheels(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """Each build's wheel, made offline from a copy of its sources (the checkout keeps no build output)."""
    try:
        found = tuple(int(part) for part in importlib.metadata.version("setuptools").split(".")[:2])
    except importlib.metadata.PackageNotFoundError:
        found = ()
    if found < _SETUPTOOLS_BUILDING_WHEELS:
        pytest.skip(
            "building the wheels offline needs setuptools 70.1 or later in this environment (pyproject.toml's test "
            f"group pins it); found {'.'.join(map(str, found)) or 'none'}"
        )
    work = tmp_path_factory.mktemp("wheels")
    sources = {
        "bedrock-stub": shutil.copytree(ROOT / "stub", work / "stub", ignore=shutil.ignore_patterns(*_NOT_SOURCES)),
        "bedrock-invoke-mirror": _root_build_sources(work),
    }
    # Both at once: each build is one process of its own.
    builds = {}
    for name, source in sources.items():
        backend = _pyproject(source / "pyproject.toml")["build-system"]["build-backend"]
        (work / name).mkdir()
        builds[name] = subprocess.Popen(
            [sys.executable, "-c", _BUILD_WHEEL, backend, str(work / name)],
            cwd=source,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            env=_scrubbed_environment(),
        )
    built = {}
    for name, build in builds.items():
        out, err = build.communicate(timeout=300)
        assert build.returncode == 0, f"{name}: {err}"
        built[name] = work / name / out.strip().splitlines()[-1]
    return built


_NOT_SOURCES = ("*.egg-info", "build", "__pycache__")


@pytest.mark.end_to_end
@pytest.mark.parametrize("build", ["bedrock-stub", "bedrock-invoke-mirror"])
def test_each_build_ships_the_stubs_typing_marker(wheels, build):
    with zipfile.ZipFile(wheels[build]) as wheel:
        names = set(wheel.namelist())
    assert "bedrock_stub/__init__.py" in names
    assert "bedrock_stub/py.typed" in names


# A user's code with mistakes only the stub's annotations reveal: a port is a number, and an injected error and the
# operation it applies to are names from closed sets (line 4 is right; lines 3 and 5 are not).
_USER_CODE = """from bedrock_stub import Stub

with Stub(port="8080") as stub:
    stub.inject_error("ThrottlingException", operation="ConverseStream")
    stub.inject_error("ThrottlingExceptoin", operation="Converze")
"""


@pytest.mark.end_to_end
def test_a_users_type_checker_reads_the_stubs_types_from_its_wheel(wheels, tmp_path):
    pytest.importorskip("mypy", reason="needs mypy (pyproject.toml's mypy group, in the test group)")
    # A fresh environment holding the wheel's files alone, as installing it lays them out; mypy finds the package
    # there as an installed one, which it reads only if the package says it is typed.
    venv = tmp_path / "venv"
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(venv)], check=True, timeout=60)
    python = str(venv / "bin" / "python")
    purelib = subprocess.run(
        [python, "-c", "import sysconfig; print(sysconfig.get_path('purelib'))"],
        capture_output=True,
        text=True,
        check=True,
        timeout=60,
    ).stdout.strip()
    with zipfile.ZipFile(wheels["bedrock-stub"]) as wheel:
        wheel.extractall(purelib)
    (tmp_path / "use.py").write_text(_USER_CODE, encoding="utf-8")

    def mypy_says() -> str:
        env = {name: value for name, value in _scrubbed_environment().items() if name != "MYPYPATH"}
        command = [sys.executable, "-m", "mypy", "--python-executable", python, "--cache-dir", "cache", "use.py"]
        shown = subprocess.run(command, cwd=tmp_path, capture_output=True, text=True, timeout=120, env=env)
        return shown.stdout + shown.stderr

    typed = mypy_says()
    errors = re.findall(r"^use\.py:(\d+): error: (.*)$", typed, re.M)
    assert [line for line, _ in errors] == ["3", "5", "5"], typed
    assert 'Argument "port" to "Stub" has incompatible type "str"; expected "int"' in errors[0][1]
    assert "incompatible type \"Literal['ThrottlingExceptoin']\"" in errors[1][1]
    assert "incompatible type \"Literal['Converze']\"" in errors[2][1]
    # Without the marker the same install is opaque to mypy: the errors above came from the package's own types.
    (Path(purelib) / "bedrock_stub" / "py.typed").unlink()
    untyped = mypy_says()
    assert "[import-untyped]" in untyped and "[arg-type]" not in untyped, untyped
