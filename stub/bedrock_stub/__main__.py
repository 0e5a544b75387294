"""`python -m bedrock_stub`: the `bedrock-stub` command."""

import sys

from .cli import main

if __name__ == "__main__":
    sys.exit(main(prog="python -m bedrock_stub"))
