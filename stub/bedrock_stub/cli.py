"""The `bedrock-stub` command (and `python -m bedrock_stub`): serve a local Bedrock Runtime until interrupted."""

from __future__ import annotations

import argparse
import asyncio
import math
import re
import signal
import stat
import sys
from pathlib import Path

from . import event_loop
from .app import STREAM_HEAD_DELAY
from .catalogue import load_models_file
from .errors import MODELED_ERRORS
from .guardrails import guardrail_option
from .journal import MAX_JOURNAL_WINDOW, open_journal_file
from .models import CATALOGUE
from .operations import OPERATION_NAMES
from .recordings import MatchRule
from .replies import Reply, Rule, load_rules_file
from .server import DEFAULT_JOURNAL_WINDOW, DEFAULT_TIMEOUT, Stub, is_loopback
from .sigv4 import DEFAULT_REGION, EXAMPLE_ACCESS_KEY_ID, EXAMPLE_SECRET_ACCESS_KEY, Credentials
from .tls import trust_hints
from .transport import DEFAULT_SEND_TIMEOUT
from .upstream import Upstream


class _OneLineParser(argparse.ArgumentParser):
    """Says what is wrong in one line (no usage block), exit status 2."""

    def error(self, message: str) -> None:  # type: ignore[override]
        self.exit(2, f"{self.prog}: error: {message}\n")


def _port(text: str) -> int:
    if not text.isdigit() or int(text) > 65535:
        raise argparse.ArgumentTypeError(f"{text!r} is not a port: give 0 (any free port) to 65535")
    return int(text)


def _positive_int(text: str) -> int:
    if not text.isdigit() or int(text) < 1:
        raise argparse.ArgumentTypeError(f"{text!r} is not a whole number of at least 1")
    return int(text)


def _journal_window(text: str) -> int:
    value = _positive_int(text)
    if value > MAX_JOURNAL_WINDOW:
        raise argparse.ArgumentTypeError(f"{text[:40]!r} is more than the {MAX_JOURNAL_WINDOW:,} entries allowed")
    return value


def _host(text: str) -> str:
    if not _text(text).strip():
        # An empty host binds every interface; the stub is for this machine only unless asked by address.
        raise argparse.ArgumentTypeError("is empty, which would listen on every interface; give 127.0.0.1 or ::1")
    return text


def _delay(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        value = math.nan
    if not (math.isfinite(value) and 0 <= value <= 60):
        raise argparse.ArgumentTypeError(f"{text!r} is not a number of seconds from 0 to 60")
    return value


def _seconds(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        value = math.nan
    if not (math.isfinite(value) and value > 0):
        raise argparse.ArgumentTypeError(f"{text!r} is not a number of seconds above 0")
    return value


def _text(text: str) -> str:
    try:
        text.encode("utf-8")
    except UnicodeEncodeError as exc:
        # The shell passed bytes that are not UTF-8; Python keeps them as lone surrogates.
        raise argparse.ArgumentTypeError(f"is not valid UTF-8 text (byte {exc.start + 1} of the value)") from None
    return text


def _regular_file(text: str) -> Path:
    """A file the stub reads or writes at start: a FIFO or a device would hang the start or never end."""
    path = Path(_text(text))
    try:
        mode = path.stat().st_mode
    except OSError:
        return path  # a missing file is reported where it is opened, with the reason
    if not stat.S_ISREG(mode):
        kinds = {
            stat.S_ISFIFO: "a FIFO, ",
            stat.S_ISDIR: "a folder, ",
            stat.S_ISCHR: "a device, ",
            stat.S_ISBLK: "a device, ",
            stat.S_ISSOCK: "a socket, ",
        }
        kind = next((name for test, name in kinds.items() if test(mode)), "")
        raise argparse.ArgumentTypeError(f"{text} is {kind}not a regular file")
    return path


def _regions(text: str) -> tuple[str, ...] | None:
    """`any` (None), or a comma-separated list of region names."""
    if text == "any":
        return None
    names = tuple(name.strip() for name in text.split(","))
    for name in names:
        if not re.fullmatch(r"[a-z]{2}(-[a-z0-9]+)+", name):
            raise argparse.ArgumentTypeError(
                f"{_text(name)!r} is not a region name such as {DEFAULT_REGION} (or give `any`)"
            )
    return names


def _api_key(text: str) -> str:
    if not text or not text.isascii() or not text.isprintable() or " " in text:
        raise argparse.ArgumentTypeError("an API key is printable ASCII without spaces")
    return text


def _error_spec(text: str) -> tuple[str, int | None]:
    name, _, count = text.partition(":")
    if name not in MODELED_ERRORS:
        raise argparse.ArgumentTypeError(f"{name!r} is not a modeled error; choose from {', '.join(MODELED_ERRORS)}")
    if count and not (count.isdigit() and int(count) > 0):
        raise argparse.ArgumentTypeError(f"count in {text!r} must be a positive integer")
    return name, int(count) if count else None


def build_parser(prog: str = "bedrock-stub") -> argparse.ArgumentParser:
    known_models = ", ".join(model.model_id for model in CATALOGUE)
    parser = _OneLineParser(
        prog=prog,
        description="A local Amazon Bedrock Runtime (InvokeModel, InvokeModelWithResponseStream, Converse, "
        "ConverseStream and CountTokens) for Anthropic Claude models, speaking HTTP/1.1 and cleartext HTTP/2 on "
        "one port. Prints its endpoint URL as the first line of standard output, then serves until SIGINT or "
        "SIGTERM. Point any AWS SDK at it with AWS_ENDPOINT_URL_BEDROCK_RUNTIME=<url> and the credentials below.",
        epilog=f"Models: {known_models} (also as ARNs and as the inference-profile ids each model has, such as "
        "global., us., eu., jp., au. or apac.; models served only through profiles refuse their base id; --models "
        "adds more). "
        f"Errors for --error: {', '.join(MODELED_ERRORS)}.",
    )
    parser.add_argument(
        "--host",
        type=_host,
        default="127.0.0.1",
        help="address to bind (default: %(default)s; anything but loopback is announced on stderr)",
    )
    parser.add_argument("--port", type=_port, default=0, help="port to bind; 0 picks a free one (default: 0)")
    parser.add_argument(
        "--reply",
        type=_text,
        help="the text every model answers with (default: a fixed sentence and a nonce drawn at start)",
    )
    parser.add_argument(
        "--reasoning",
        type=_text,
        help="the thinking sent to requests that enable extended thinking (default: a fixed sentence and a nonce)",
    )
    parser.add_argument(
        "--journal", type=Path, metavar="PATH", help="append every request, as one JSON object a line, to this file"
    )
    parser.add_argument(
        "--journal-window",
        type=_journal_window,
        default=DEFAULT_JOURNAL_WINDOW,
        metavar="N",
        help="requests the in-memory journal keeps, the latest ones (default: %(default)s; the file keeps all)",
    )
    parser.add_argument(
        "--read-timeout",
        type=_seconds,
        default=DEFAULT_TIMEOUT,
        metavar="SECONDS",
        help="a request's body must arrive in full within this time, or it gets a ValidationException "
        "(default: %(default)s)",
    )
    parser.add_argument(
        "--keep-alive-timeout",
        type=_seconds,
        default=DEFAULT_TIMEOUT,
        metavar="SECONDS",
        help="close a connection idle this long, or that has not completed a request's head in this time "
        "(default: %(default)s)",
    )
    parser.add_argument(
        "--send-timeout",
        type=_seconds,
        default=DEFAULT_SEND_TIMEOUT,
        metavar="SECONDS",
        help="drop a connection (or reset an HTTP/2 stream) whose client takes none of its reply for this long "
        "(default: %(default)s)",
    )
    parser.add_argument(
        "--max-connections",
        type=_positive_int,
        metavar="N",
        help="connections served at once; more are answered 503 ServiceUnavailableException and closed "
        "(default: 512, or fewer if the open-file limit is low)",
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
    parser.add_argument(
        "--error-message", type=_text, help="message for the --error replies (default: the service's wording)"
    )
    parser.add_argument(
        "--error-operation", choices=OPERATION_NAMES, help="limit --error to one operation (default: every one)"
    )
    parser.add_argument(
        "--model",
        action="append",
        metavar="MODEL_ID",
        dest="models",
        help="serve only these catalogue models (repeatable; default: all); others get the "
        "'model identifier is invalid' error",
    )
    parser.add_argument(
        "--models",
        type=_regular_file,
        metavar="FILE",
        dest="models_file",
        help='a JSON or TOML file of models ({"models": [{"model_id": ..., "max_output_tokens": ..., '
        '"profiles": [...], "profile_only": ...}]}) that adds to the catalogue or overrides its entries\' fields',
    )
    parser.add_argument(
        "--access-key-id",
        type=_text,
        default=EXAMPLE_ACCESS_KEY_ID,
        help="the access key id requests must be signed with (default: %(default)s)",
    )
    parser.add_argument(
        "--secret-access-key",
        type=_text,
        default=EXAMPLE_SECRET_ACCESS_KEY,
        help="the secret key requests must be signed with (default: AWS's documented example key)",
    )
    parser.add_argument(
        "--session-token",
        type=_text,
        help="the session token (X-Amz-Security-Token) requests must carry; without it, requests that carry one "
        "are refused as AWS refuses an unknown token",
    )
    parser.add_argument(
        "--region",
        type=_regions,
        default=(DEFAULT_REGION,),
        metavar="REGION[,REGION...]|any",
        help="the regions requests may be signed for (and short-term API keys made for); another gets AWS's "
        f"region error; `any` accepts every region (default: {DEFAULT_REGION})",
    )
    parser.add_argument(
        "--api-key",
        type=_api_key,
        action="append",
        default=[],
        metavar="KEY",
        dest="api_keys",
        help="a long-term Bedrock API key to accept as `Authorization: Bearer KEY` (repeatable); short-term keys "
        "made from the stub's credentials (aws-bedrock-token-generator) are accepted without it",
    )
    parser.add_argument(
        "--tls",
        action="store_true",
        help="serve HTTPS (HTTP/1.1 and HTTP/2 by ALPN) with a certificate from a CA made at start; prints how "
        "each SDK trusts the CA on standard error (needs bedrock-stub[tls]). boto3 sends API keys over HTTPS only",
    )
    parser.add_argument(
        "--ca-file",
        type=_regular_file,
        metavar="PATH",
        help="with --tls, also write the CA certificate (PEM) to this file",
    )
    parser.add_argument(
        "--rules",
        type=_regular_file,
        metavar="FILE",
        help="scripted replies: a JSON or TOML file with `rules` (contains/regex -> text, tool_use or error) "
        "and a `queue` of replies given out in order",
    )
    parser.add_argument(
        "--guardrail",
        action="append",
        default=[],
        type=guardrail_option,
        metavar="ID[:VERSIONS]=WORDS",
        help="a guardrail requests may name (Converse's guardrailConfig, InvokeModel's headers, ApplyGuardrail), "
        "intervening on input or answers that hold a blocked word: e.g. gr1abc:DRAFT,1=poker,casino "
        "(versions default to DRAFT); repeatable. Other guardrails get Bedrock's error",
    )
    parser.add_argument(
        "--no-max-tokens",
        dest="honour_max_tokens",
        action="store_false",
        help="let replies run past the request's max_tokens instead of cutting them with stop reason max_tokens",
    )
    parser.add_argument(
        "--no-padding",
        dest="pad_events",
        action="store_false",
        help="leave out the random-length `p` member Bedrock adds to every stream event",
    )
    parser.add_argument(
        "--stream-piece-chars",
        type=int,
        default=12,
        metavar="N",
        help="characters per streamed delta (default: %(default)s)",
    )
    parser.add_argument(
        "--stream-head-delay",
        type=_delay,
        default=STREAM_HEAD_DELAY,
        metavar="SECONDS",
        help="how long a streamed reply's head waits after its request, as no real one comes back at once; "
        "0 sends it at once, which lets a client on this machine that is still writing its request drop the "
        "connection (the SDK for Go does) (default: %(default)s)",
    )
    _add_recording_options(parser)
    return parser


def _add_recording_options(parser: argparse.ArgumentParser) -> None:
    group = parser.add_argument_group(
        "record and replay",
        "Record real Bedrock once (--upstream URL --record DIR), replay it anywhere (--replay DIR); "
        "`bedrock-stub check DIR` compares the stub's own answers with recordings. See README, 'Record and replay'.",
    )
    group.add_argument(
        "--upstream",
        metavar="URL",
        help="the endpoint recorded requests are sent to, re-signed with botocore's credentials (environment, "
        "profile, SSO) or with the caller's Bedrock API key; there is no default: e.g. "
        "https://bedrock-runtime.us-east-1.amazonaws.com (a real account: it costs money)",
    )
    group.add_argument("--record", type=Path, metavar="DIR", help="send every request upstream, record each in DIR")
    group.add_argument("--replay", type=Path, metavar="DIR", help="answer every request from the recordings in DIR")
    group.add_argument(
        "--record-on-miss",
        action="store_true",
        help="with --replay and --upstream: a request no recording matches goes upstream and is recorded in DIR",
    )
    group.add_argument(
        "--replay-timing", action="store_true", help="replay with the recorded pacing (stream events, latency)"
    )
    group.add_argument(
        "--match",
        metavar="PARTS",
        help="what a request must share with a recording, of operation,model,body (default: all three)",
    )
    group.add_argument(
        "--match-ignore",
        action="append",
        default=[],
        metavar="PATH",
        help="leave this body member out of matching, as a dotted path (inferenceConfig.temperature); repeatable",
    )


def main(argv: list[str] | None = None, prog: str = "bedrock-stub") -> int:
    """Runs the stub from the command line; `prog` is the name its usage and errors go by."""
    if argv is None:
        argv = sys.argv[1:]
    if argv[:1] == ["check"]:
        from .contract import main as check_main

        return check_main(argv[1:], prog=f"{prog} check")
    args = build_parser(prog).parse_args(argv)
    catalogue = list(CATALOGUE)
    if args.models_file is not None:
        try:
            catalogue = load_models_file(args.models_file)
        except (OSError, ValueError, TypeError) as exc:
            print(f"error: --models {args.models_file}: {exc}", file=sys.stderr)
            return 2
    known = {model.model_id: model for model in catalogue}
    unknown = [model_id for model_id in args.models or [] if model_id not in known]
    if unknown:
        print(f"error: not in the catalogue: {', '.join(unknown)}", file=sys.stderr)
        return 2
    if args.ca_file is not None and not args.tls:
        print("error: --ca-file needs --tls", file=sys.stderr)
        return 2
    if args.stream_piece_chars < 1:
        print("error: --stream-piece-chars must be at least 1", file=sys.stderr)
        return 2
    rules: list[Rule] = []
    queue: list[Reply] = []
    if args.rules is not None:
        try:
            rules, queue = load_rules_file(args.rules)
        except (OSError, ValueError, TypeError) as exc:
            print(f"error: --rules {args.rules}: {exc}", file=sys.stderr)
            return 2
    if args.journal is not None:
        try:
            open_journal_file(args.journal).close()
        except (OSError, ValueError) as exc:
            reason = exc.strerror if isinstance(exc, OSError) and exc.strerror else exc
            print(f"error: cannot write the journal {args.journal}: {reason}", file=sys.stderr)
            return 2
    try:
        stub = Stub(
            host=args.host,
            port=args.port,
            reply=args.reply,
            reasoning=args.reasoning,
            strict=args.strict,
            credentials=Credentials(args.access_key_id, args.secret_access_key, args.session_token),
            journal_path=args.journal,
            journal_window=args.journal_window,
            regions=args.region,
            any_region=args.region is None,
            api_keys=args.api_keys,
            tls=args.tls,
            ca_file=args.ca_file,
            read_timeout=args.read_timeout,
            keep_alive_timeout=args.keep_alive_timeout,
            send_timeout=args.send_timeout,
            max_connections=args.max_connections,
            models=[known[model_id] for model_id in args.models] if args.models else catalogue,
            stream_piece_chars=args.stream_piece_chars,
            honour_max_tokens=args.honour_max_tokens,
            pad_events=args.pad_events,
            stream_head_delay=args.stream_head_delay,
            upstream=args.upstream,
            record=args.record,
            replay=args.replay,
            record_on_miss=args.record_on_miss,
            replay_timing=args.replay_timing,
            match=MatchRule.parse(args.match, args.match_ignore),
        )
    except (RuntimeError, OverflowError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    except OSError as exc:
        print(f"error: {exc.strerror or exc}", file=sys.stderr)
        return 2
    except ValueError as exc:  # RecordingError too: one line naming the recording and what is wrong
        print(f"error: {exc}", file=sys.stderr)
        return 2
    if stub.state.relay is not None and stub.state.relay.upstream is not None:
        print(upstream_warning(stub.state.relay.upstream), file=sys.stderr, flush=True)
    for guardrail in args.guardrail:
        stub.state.guardrails.add(guardrail)
    for rule in rules:
        stub.state.replies.add_rule(rule)
    for reply in queue:
        stub.state.replies.queue(reply)
    for name, count in args.error:
        try:
            stub.inject_error(name, args.error_message, count, args.error_operation)
        except ValueError as exc:
            print(f"error: --error {name}: {exc}", file=sys.stderr)
            stub.stop()
            return 2
    if not is_loopback(args.host):
        print(
            f"warning: listening on {args.host}, not loopback: other machines can reach this stub",
            file=sys.stderr,
            flush=True,
        )
    try:
        event_loop.run(_serve_until_signalled(stub))
    except Exception as exc:
        print(f"error: the stub stopped: {type(exc).__name__}: {exc}", file=sys.stderr)
        return 1
    finally:
        stub.journal.close()
        if stub.tls_files is not None:
            stub.tls_files.remove()
    return 0


def upstream_warning(upstream: Upstream) -> str:
    found = "credentials from botocore's chain" if upstream.credentials is not None else "no AWS credentials"
    return (
        f"warning: requests are sent to {upstream.url}; against real Bedrock this calls a real account and can "
        f"cost money ({found}; callers' Bedrock API keys are passed on)"
    )


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
    if stub.ca_file is not None:
        print(f"HTTPS with a certificate from the CA in {stub.ca_file}; to trust it:", file=sys.stderr)
        for line in trust_hints(stub.ca_file):
            print(f"  {line}", file=sys.stderr)
        sys.stderr.flush()
    await stub.serve(shutdown)


def run() -> int:
    """The `bedrock-stub` console script."""
    return main()
