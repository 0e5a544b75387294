"""`python -m harness.stub`: serve a local Bedrock Runtime until interrupted."""

from __future__ import annotations

import argparse
import asyncio
import signal
import sys
from pathlib import Path

from .errors import MODELED_ERRORS
from .faults import OPERATIONS
from .models import CATALOGUE
from .server import Stub, is_loopback
from .sigv4 import EXAMPLE_ACCESS_KEY_ID, EXAMPLE_SECRET_ACCESS_KEY, Credentials


def _error_spec(text: str) -> tuple[str, int | None]:
    name, _, count = text.partition(":")
    if name not in MODELED_ERRORS:
        raise argparse.ArgumentTypeError(f"{name!r} is not a modeled error; choose from {', '.join(MODELED_ERRORS)}")
    if count and not (count.isdigit() and int(count) > 0):
        raise argparse.ArgumentTypeError(f"count in {text!r} must be a positive integer")
    return name, int(count) if count else None


def build_parser() -> argparse.ArgumentParser:
    known_models = ", ".join(model.model_id for model in CATALOGUE)
    parser = argparse.ArgumentParser(
        prog="python -m harness.stub",
        description="A local Amazon Bedrock Runtime (InvokeModel and InvokeModelWithResponseStream) for Anthropic "
        "Claude bodies, speaking HTTP/1.1 and cleartext HTTP/2 on one port. Prints its endpoint URL as "
        "the first line of standard output, then serves until SIGINT or SIGTERM. Point any AWS SDK at "
        "it with AWS_ENDPOINT_URL_BEDROCK_RUNTIME=<url> and the credentials below.",
        epilog=f"Models: {known_models} (also as ARNs and us./eu./global. inference-profile ids). "
        f"Errors for --error: {', '.join(MODELED_ERRORS)}.",
    )
    parser.add_argument(
        "--host",
        default="127.0.0.1",
        help="address to bind (default: %(default)s; anything but loopback is announced on stderr)",
    )
    parser.add_argument("--port", type=int, default=0, help="port to bind; 0 picks a free one (default: 0)")
    parser.add_argument(
        "--reply", help="the text every model answers with (default: a fixed sentence and a nonce drawn at start)"
    )
    parser.add_argument(
        "--journal", type=Path, metavar="PATH", help="append every request, as one JSON object a line, to this file"
    )
    parser.add_argument(
        "--strict",
        action="store_true",
        help="reject requests that break Bedrock's documented rules (e.g. a legacy prompt that does "
        "not start with a blank line and 'Human:') instead of recording a finding",
    )
    parser.add_argument(
        "--error",
        type=_error_spec,
        action="append",
        default=[],
        metavar="NAME[:COUNT]",
        help="answer with this modeled error, for the next COUNT requests or all of them; repeatable; "
        "on the stream operation, errors that exist as stream events arrive as an exception "
        "frame after HTTP 200",
    )
    parser.add_argument("--error-message", help="message for the --error replies (default: the service's wording)")
    parser.add_argument("--error-operation", choices=OPERATIONS, help="limit --error to one operation (default: both)")
    parser.add_argument(
        "--model",
        action="append",
        metavar="MODEL_ID",
        dest="models",
        help="serve only these catalogue models (repeatable; default: all); others get the "
        "'model identifier is invalid' error",
    )
    parser.add_argument(
        "--access-key-id",
        default=EXAMPLE_ACCESS_KEY_ID,
        help="the access key id requests must be signed with (default: %(default)s)",
    )
    parser.add_argument(
        "--secret-access-key",
        default=EXAMPLE_SECRET_ACCESS_KEY,
        help="the secret key requests must be signed with (default: AWS's documented example key)",
    )
    parser.add_argument(
        "--stream-piece-chars",
        type=int,
        default=12,
        metavar="N",
        help="characters per streamed delta (default: %(default)s)",
    )
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    known = {model.model_id: model for model in CATALOGUE}
    unknown = [model_id for model_id in args.models or [] if model_id not in known]
    if unknown:
        print(f"error: not in the catalogue: {', '.join(unknown)}", file=sys.stderr)
        return 2
    if args.stream_piece_chars < 1:
        print("error: --stream-piece-chars must be at least 1", file=sys.stderr)
        return 2
    try:
        stub = Stub(
            host=args.host,
            port=args.port,
            reply=args.reply,
            strict=args.strict,
            credentials=Credentials(args.access_key_id, args.secret_access_key),
            journal_path=args.journal,
            models=[known[model_id] for model_id in args.models] if args.models else CATALOGUE,
            stream_piece_chars=args.stream_piece_chars,
        )
    except OSError as exc:
        print(f"error: cannot listen on {args.host}:{args.port}: {exc.strerror}", file=sys.stderr)
        return 2
    for name, count in args.error:
        stub.inject_error(name, args.error_message, count, args.error_operation)
    if not is_loopback(args.host):
        print(
            f"warning: listening on {args.host}, not loopback: other machines can reach this stub",
            file=sys.stderr,
            flush=True,
        )
    asyncio.run(_serve_until_signalled(stub))
    stub.journal.close()
    return 0


def bind_warning(host: str) -> str | None:
    if is_loopback(host):
        return None
    return f"warning: listening on {host}, not loopback: other machines can reach this stub"


async def _serve_until_signalled(stub: Stub) -> None:
    shutdown = asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(signum, shutdown.set)
    # Only now, with the handlers in place: whoever reads the URL may signal us at once.
    print(stub.url, flush=True)
    await stub.serve(shutdown)


if __name__ == "__main__":
    sys.exit(main())
