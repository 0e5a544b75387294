"""`python -m bedrock_stub` and the `bedrock-stub` command: the stub on its own, as `python -m harness.stub`."""

import sys

from harness.stub.__main__ import main


def run() -> int:
    """The `bedrock-stub` console script."""
    return main(prog="bedrock-stub")


if __name__ == "__main__":
    sys.exit(main(prog="python -m bedrock_stub"))
