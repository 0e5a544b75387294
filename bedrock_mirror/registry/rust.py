"""Rust: the AWS SDK for Rust samples, three programs of one cargo package (src/bin/), built once by cargo."""

from __future__ import annotations

from bedrock_stub import CONVERSE, CONVERSE_STREAM

from ..extraction import AfterLastLine
from .common import CLAUDE_3_HAIKU, WEATHER_TOOL
from .model import Check, ErrorPath, Floor, Installed, Language, Sample, Sdk, Step, Tool

# 1.94.1: the AWS SDK for Rust's minimum; Debian's cargo is older.
CARGO = Tool("cargo", "Rust 1.94.1 or later with cargo", "rustup (https://rustup.rs)")
RUSTFMT = Tool("rustfmt", "rustfmt, which comes with rustup's default profile", "rustup component add rustfmt")
CLIPPY = Tool("cargo-clippy", "clippy, which comes with rustup's default profile", "rustup component add clippy")

UPSTREAM = "rustv1/examples/bedrock-runtime/src/bin"
# Where cargo builds (rust/.cargo/config.toml says so too, for a user's own `cargo build`).
TARGET = "../.cache/rust-target"
PROGRAMS = ("converse", "converse-stream", "tool-use")


def program(name: str) -> str:
    return f"{TARGET}/debug/{name}"


# The floor is one more program of the examples' own package, assembled in the benchmark's folder: cargo reads the
# lockfile beside the manifest, and `--locked` holds only for the manifest the lock was made for. The same manifest
# and lock resolve the same crates, features and [profile.dev], so cargo reuses the examples' compiled SDK from their
# target folder and compiles the floor alone.
FLOOR_PACKAGE = "{cache}/rust-floor"
FLOOR = Floor(
    (program("floor"),),
    build=(
        ("mkdir", "-p", f"{FLOOR_PACKAGE}/src/bin"),
        # -p keeps the times, so that an unchanged floor is not compiled again.
        ("cp", "-p", "Cargo.toml", "Cargo.lock", f"{FLOOR_PACKAGE}/"),
        ("cp", "-p", "{floors}/floor.rs", f"{FLOOR_PACKAGE}/src/bin/floor.rs"),
        (
            "cargo",
            "build",
            "--locked",
            "--offline",
            "--manifest-path",
            f"{FLOOR_PACKAGE}/Cargo.toml",
            "--target-dir",
            TARGET,
            "--bin",
            "floor",
        ),
    ),
)


# main returns its error type, so the standard library prints it on standard error as `Error: <Debug form>` and
# exits 1. The Converse examples name ModelTimeoutException and ModelNotReadyException only; every other service
# error becomes the reason "Unknown", without the service's message.
def main_returns(error_type: str, reason: str, *, prints_message: bool) -> ErrorPath:
    return ErrorPath(f'Error: {error_type}("{reason}")', stream="stderr", prints_message=prints_message)


# The weather demo prints each of the model's answers under this label, then asks for the next request.
MODEL_RESPONSE_LABEL = "\x1b[0;90mThe model's response:\x1b[0m"

LANGUAGE = Language(
    name="rust",
    title="Rust (AWS SDK for Rust)",
    folder="rust",
    tools=(CARGO,),
    sdk=Sdk(
        "aws-sdk-bedrockruntime",
        manifest="Cargo.lock",
        installed=Installed("cargo-deps", f"{TARGET}/debug/deps", "aws-sdk-bedrockruntime"),
        upgrade=(("cargo", "update", "--package", "aws-sdk-bedrockruntime"),),
    ),
    steps=(
        Step("fetch", commands=(("cargo", "fetch", "--locked"),), inputs=("Cargo.toml", "Cargo.lock")),
        Step(
            "build",
            commands=(("cargo", "build", "--locked", "--offline", "--bins"),),
            inputs=("Cargo.toml", "Cargo.lock", ".cargo/config.toml", "src/bin/*.rs"),
            outputs=tuple(program(name) for name in PROGRAMS),
            toolchain=("cargo", "rustc"),
            # A cold build takes about two minutes of two cores, but up to half an hour on a machine busy with other
            # builds (measured here); a warm one, seconds.
            timeout=2400.0,
        ),
    ),
    samples=(
        Sample(
            id="rust-converse",
            title="src/bin/converse.rs",
            source="src/bin/converse.rs",
            run=(program("converse"),),
            operation=CONVERSE,
            model_id=CLAUDE_3_HAIKU,
            on_error=main_returns("BedrockConverseError", "Unknown", prints_message=False),
            upstream=f"{UPSTREAM}/converse.rs@8025bf7e42b94b424f5a40ecf6325d0a3a4a5d8a",
        ),
        Sample(
            id="rust-converse-stream",
            title="src/bin/converse-stream.rs",
            source="src/bin/converse-stream.rs",
            run=(program("converse-stream"),),
            operation=CONVERSE_STREAM,
            model_id=CLAUDE_3_HAIKU,
            # An error event inside the stream ends main with the event's message; an error answered before the
            # stream opens becomes "Unknown", as in converse.rs.
            caught_errors=("ModelStreamErrorException",),
            on_error=main_returns("BedrockConverseStreamError", "{message}", prints_message=True),
            on_uncaught=main_returns("BedrockConverseStreamError", "Unknown", prints_message=False),
            upstream=f"{UPSTREAM}/converse-stream.rs@837fa5881d4a61b967884a17a4a9b49848f9bd0c",
        ),
        Sample(
            id="rust-tool-use",
            title="src/bin/tool-use.rs (a weather assistant: Converse with a tool)",
            source="src/bin/tool-use.rs",
            run=(program("tool-use"),),
            operation=CONVERSE,
            model_id=CLAUDE_3_HAIKU,
            # One weather question, then `x` to leave, as a user types them.
            stdin="What's the weather like in Paris?\nx\n",
            tool=WEATHER_TOOL,
            extraction=AfterLastLine(after=MODEL_RESPONSE_LABEL, before="Your weather request (x to exit):"),
            # The scenario's error is printed with the service's message, then the footer; the program exits 0.
            on_error=ErrorPath("There was an error running the scenario! {message}", exit_code=0),
            upstream=f"{UPSTREAM}/tool-use.rs@46c2187478902e72891354b87435d7c72fe20680",
        ),
    ),
    floor=FLOOR,
    checks=(
        Check("cargo fmt", ("cargo", "fmt", "--check"), tools=(CARGO, RUSTFMT)),
        Check(
            "cargo clippy",
            ("cargo", "clippy", "--locked", "--offline", "--bins", "--", "-D", "warnings"),
            tools=(CARGO, CLIPPY),
            after_steps=True,
        ),
    ),
)
