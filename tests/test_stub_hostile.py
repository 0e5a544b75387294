"""Hostile input: every malformed body gets a 4xx, stalled connections end, connections and the journal are bounded.

Every test is bounded in time: small timeouts on the stub, socket timeouts on the client, fixed counts.
"""

from __future__ import annotations

import contextlib
import json
import logging
import resource
import socket
import subprocess
import sys
import threading
import time
import tracemalloc
from collections.abc import Iterator

import h2.connection
import h2.events
import httpx
import pytest
import wsproto
import wsproto.events
from bedrock_stub import Stub
from bedrock_stub.journal import Journal
from bedrock_stub.limits import RateLimitedLog, connection_limit_for
from bedrock_stub.wire import MAX_NESTING_DEPTH, parse_json_body
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.helpers import HAIKU, bedrock_client, examples, journal_entry, messages_body, signed_headers, wait_until

INVOKE = "/model/anthropic.claude-3-haiku-20240307-v1%3A0/invoke"
SHORT = 1.0  # the read and keep-alive timeouts of the stubs here, in seconds
# How long a client waits, at the most, for the stub to act on such a timeout before it counts the stub stuck: a
# bound against hanging, far above any machine's slowness (how fast the stub acts is the benchmark's business).
MARGIN = 30.0


@pytest.fixture(scope="module")
def hardy() -> Iterator[Stub]:
    with Stub(reply="unshaken", read_timeout=SHORT, keep_alive_timeout=SHORT) as stub:
        yield stub


def serves(stub: Stub) -> bool:
    try:
        still_serves(stub)
    except Exception:
        return False
    return True


def still_serves(stub: Stub) -> None:
    reply = bedrock_client(stub.url).invoke_model(modelId=HAIKU, body=messages_body())
    assert json.loads(reply["body"].read())["content"][0]["text"] == stub.reply


def post_signed(stub: Stub, body: bytes) -> httpx.Response:
    return httpx.post(stub.url + INVOKE, content=body, headers=signed_headers(stub.url + INVOKE, body), timeout=10)


def messages(**fields: object) -> dict[str, object]:
    body: dict[str, object] = {
        "anthropic_version": "bedrock-2023-05-31",
        "max_tokens": 9,
        "messages": [{"role": "user", "content": "hi"}],
    }
    body.update(fields)
    return body


def raw_json(body: dict[str, object], **tokens: str) -> bytes:
    """The body as JSON with some values replaced by raw tokens that json.dumps would not write."""
    text = json.dumps({**body, **{key: f"@{key}@" for key in tokens}})
    for key, token in tokens.items():
        text = text.replace(f'"@{key}@"', token)
    return text.encode()


DEEP = 100_000
HOSTILE_BODIES = {
    "nesting-whole-body": b"[" * DEEP + b"]" * DEEP,
    "nesting-objects": b'{"a":' * DEEP + b"1" + b"}" * DEEP,
    "nesting-in-content": raw_json(
        messages(), messages='[{"role": "user", "content": ' + "[" * DEEP + "]" * DEEP + "}]"
    ),
    "nesting-in-version": raw_json(messages(), anthropic_version="[" * 900 + "]" * 900),
    "nesting-just-over-the-bound": raw_json(messages(), system="[" * MAX_NESTING_DEPTH + "]" * MAX_NESTING_DEPTH),
    "int-beyond-digit-limit": raw_json(messages(), max_tokens="9" * 5000),
    "int-beyond-float-in-temperature": raw_json(messages(), temperature="1" + "0" * 400),
    "float-overflow-in-temperature": raw_json(messages(), temperature="1e400"),
    "float-overflow-in-max-tokens": raw_json(messages(), max_tokens="-1e400"),
    "nan-in-max-tokens": raw_json(messages(), max_tokens="NaN"),
    "nan-in-temperature": raw_json(messages(), temperature="NaN"),
    "infinity-in-top-p": raw_json(messages(), top_p="Infinity"),
    "minus-infinity-in-top-k": raw_json(messages(), top_k="-Infinity"),
    "surrogate-in-role": raw_json(messages(), messages='[{"role": "\\ud800", "content": "hi"}]'),
    "surrogate-in-key": b'{"anthropic_version": "bedrock-2023-05-31", "max_tokens": 9, "\\ud800": 1,'
    b' "messages": [{"role": "user", "content": "hi"}]}',
    "surrogate-in-version": raw_json(messages(), anthropic_version='"\\udfff"'),
    "surrogate-in-text": raw_json(messages(), messages='[{"role": "user", "content": "a\\ud83dz"}]'),
    "surrogate-in-model-reply-fields": raw_json(messages(), stop_sequences='["\\udc80"]'),
}


@pytest.mark.parametrize("body", HOSTILE_BODIES.values(), ids=HOSTILE_BODIES.keys())
def test_hostile_bodies_are_validation_errors_never_500(hardy, body):
    mark = hardy.journal.mark()
    response = post_signed(hardy, body)
    assert (response.status_code, response.headers.get("x-amzn-errortype")) == (400, "ValidationException")
    message = response.json()["message"]
    assert message.startswith("Malformed input request: #"), message
    assert len(message) < 500
    [entry] = hardy.journal.since(mark)
    assert (entry.status, entry.error_type) == (400, "ValidationException")
    still_serves(hardy)


# The JSON-protocol operations read their bodies with the same parser, so the same classes get their 400.
JSON_OPERATIONS = {
    "converse": {"messages": [{"role": "user", "content": [{"text": "hi"}]}]},
    "converse-stream": {"messages": [{"role": "user", "content": [{"text": "hi"}]}]},
    "count-tokens": {"input": {"converse": {"messages": [{"role": "user", "content": [{"text": "hi"}]}]}}},
}
JSON_HOSTILE_FIELDS = {
    "nesting": {"extra": "[" * DEEP + "]" * DEEP},
    "int-beyond-digit-limit": {"extra": "9" * 5000},
    "float-overflow": {"extra": "1e400"},
    "nan": {"extra": "NaN"},
    "surrogate": {"extra": '"\\ud800"'},
}


@pytest.mark.parametrize("fields", JSON_HOSTILE_FIELDS.values(), ids=JSON_HOSTILE_FIELDS.keys())
@pytest.mark.parametrize("segment", JSON_OPERATIONS)
def test_hostile_bodies_of_the_json_operations_are_validation_errors(hardy, segment, fields):
    path = INVOKE.replace("/invoke", "/" + segment)
    body = raw_json(JSON_OPERATIONS[segment], **fields)
    response = httpx.post(hardy.url + path, content=body, headers=signed_headers(hardy.url + path, body), timeout=10)
    assert (response.status_code, response.headers.get("x-amzn-errortype")) == (400, "ValidationException")
    assert response.json()["message"].startswith("Request body is not valid JSON: ")
    still_serves(hardy)


def test_nesting_up_to_the_bound_is_judged_by_the_schema_not_refused(hardy):
    depth = MAX_NESTING_DEPTH - 3  # the body's object and the "system" list's own levels count too
    body = raw_json(messages(), system="[" * depth + "]" * depth)
    response = post_signed(hardy, body)
    assert response.status_code in (200, 400), response.text
    assert "nesting" not in response.text


def test_bare_nan_is_refused_as_json_not_judged_as_a_number(hardy):
    response = post_signed(hardy, raw_json(messages(), temperature="NaN"))
    assert "NaN" in response.json()["message"] and "JSON" in response.json()["message"]


@pytest.mark.parametrize(
    "text",
    ['"\\ud800"', '"x\\udbff"', '{"\\udc00": 1}', '["ok", {"k": ["\\ud800\\ud800"]}]'],
)
def test_lone_surrogates_are_malformed_anywhere(text):
    with pytest.raises(Exception) as caught:
        parse_json_body(text.encode())
    assert caught.value.kind.name == "ValidationException"
    caught.value.message.encode("utf-8")  # the message itself is valid text


@pytest.mark.parametrize("text", ['"\\ud83d\\ude00"', '"\\\\ud800"', '{"a": [1, 2.5, "\\u00e9"]}'])
def test_pairs_and_escaped_backslashes_are_fine(text):
    assert parse_json_body(text.encode()) == json.loads(text)


def test_an_error_whose_message_cannot_be_encoded_still_reaches_the_client(hardy):
    hardy.inject_error("AccessDeniedException", "denied \ud800 here", count=1)
    response = post_signed(hardy, messages_body().encode())
    assert (response.status_code, response.headers["x-amzn-errortype"]) == (403, "AccessDeniedException")
    assert response.json()["message"].startswith("denied ")
    assert hardy.journal.entries()[-1].status == 403


def test_an_error_journaled_to_a_file_with_an_unencodable_message_is_written(tmp_path):
    journal_file = tmp_path / "journal.jsonl"
    with Stub(journal_path=journal_file) as stub:
        stub.inject_error("ThrottlingException", "slow \udfff down", count=1)
        response = post_signed(stub, messages_body().encode())
        assert response.status_code == 429
    line = json.loads(journal_file.read_text(encoding="utf-8").splitlines()[0])
    assert line["status"] == 429 and line["error_message"].startswith("slow ")


# JSON-like text from the pieces hostile bodies are made of: odd numbers, bare constants, surrogate escapes, nesting.
SCALARS = st.one_of(
    st.sampled_from(["NaN", "Infinity", "-Infinity", "1e400", "-1e999", "1" + "0" * 400, "9" * 5000, "0.5", "7"]),
    st.sampled_from(['"\\ud800"', '"\\udfff"', '"a\\ud83d"', '"\\ud83d\\ude00"', '"user"', '"\\\\ud800"']),
    st.text(max_size=8).map(json.dumps),
)
JSONISH = st.recursive(
    SCALARS,
    lambda inner: st.one_of(
        st.lists(inner, max_size=4).map(lambda items: "[" + ",".join(items) + "]"),
        st.lists(st.tuples(SCALARS, inner), max_size=4).map(
            lambda pairs: "{" + ",".join(f"{key}:{value}" for key, value in pairs) + "}"
        ),
        st.tuples(st.integers(1, 3000), inner).map(lambda nest: "[" * nest[0] + nest[1] + "]" * nest[0]),
    ),
    max_leaves=12,
)
FIELDS = st.sampled_from(["anthropic_version", "max_tokens", "temperature", "top_p", "top_k", "system", "messages"])


@settings(max_examples=examples(300), deadline=None, database=None)
@given(text=JSONISH)
def test_any_jsonish_text_parses_or_is_a_clean_validation_error(text):
    try:
        parse_json_body(text.encode())
    except Exception as error:
        assert error.kind.name == "ValidationException", repr(error)
        error.message.encode("utf-8")
        assert len(error.message) < 500


@settings(
    max_examples=examples(60), deadline=None, database=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(field=FIELDS, value=JSONISH)
def test_any_hostile_field_value_gets_a_4xx_from_the_stub(hardy, http, field, value):
    body = raw_json(messages(), **{field: value})
    response = http.post(hardy.url + INVOKE, content=body, headers=signed_headers(hardy.url + INVOKE, body))
    # Some values are simply valid (max_tokens 7): those are answered; nothing is a 5xx or an unmodelled error.
    if response.status_code != 200:
        assert 400 <= response.status_code < 500, response.text[:300]
        assert response.headers.get("x-amzn-errortype"), response.text[:300]


# --- WebSocket upgrades ---


def test_a_websocket_upgrade_gets_a_modelled_404(hardy):
    client = wsproto.WSConnection(wsproto.ConnectionType.CLIENT)
    handshake = client.send(wsproto.events.Request(host="stub", target=INVOKE))
    with socket.create_connection((hardy.host, hardy.port), timeout=5) as raw:
        raw.sendall(handshake)
        received = b""
        while b"\r\n\r\n" not in received or not received.rstrip().endswith(b"}"):
            chunk = raw.recv(65536)
            if not chunk:
                break
            received += chunk
    client.receive_data(received)
    events = list(client.events())
    assert isinstance(events[0], wsproto.events.RejectConnection), events
    assert events[0].status_code == 404
    assert (b"x-amzn-errortype", b"UnknownOperationException") in events[0].headers
    body = b"".join(event.data for event in events[1:] if isinstance(event, wsproto.events.RejectData))
    assert json.loads(body) == {"message": "The requested operation is not recognized by the service."}
    assert hardy.journal.entries()[-1].status == 404
    still_serves(hardy)


# --- stalled requests end ---


def send_and_wait(stub: Stub, data: bytes, *, within: float) -> tuple[bytes, float]:
    """Sends `data`, then reads until the stub closes; returns what came back and how long it took."""
    started = time.monotonic()
    with socket.create_connection((stub.host, stub.port), timeout=within) as raw:
        raw.sendall(data)
        received = b""
        with contextlib.suppress(ConnectionResetError):
            while chunk := raw.recv(65536):
                received += chunk
    return received, time.monotonic() - started


def head(path: str, *lines: str) -> bytes:
    return ("\r\n".join([f"POST {path} HTTP/1.1", "Host: stub", *lines]) + "\r\n\r\n").encode()


STALLED = {
    "content-length-longer-than-sent": head(INVOKE, "Content-Length: 1000") + b'{"partial',
    "huge-chunk-size": head(INVOKE, "Transfer-Encoding: chunked") + b"fffffffffff\r\nabc",
    "chunk-shorter-than-declared": head(INVOKE, "Transfer-Encoding: chunked") + b"100\r\n" + b"x" * 10,
    "content-length-and-transfer-encoding": head(INVOKE, "Content-Length: 50", "Transfer-Encoding: chunked")
    + b"5\r\nhello\r\n",
    "headers-never-finished": b"POST " + INVOKE.encode() + b" HTTP/1.1\r\nHost: stub\r\nX-Slow: ",
    "nothing-at-all": b"",
    "unknown-path-with-a-stalled-body": head("/nowhere", "Content-Length: 1000") + b"abc",
}


@pytest.mark.parametrize("data", STALLED.values(), ids=STALLED.keys())
def test_a_stalled_request_is_answered_or_closed_in_time(hardy, data):
    # Each read waits at most SHORT + MARGIN: a stub that neither answers nor closes fails the test.
    received, _ = send_and_wait(hardy, data, within=SHORT + MARGIN)
    if received:
        status = int(received.split(b" ", 2)[1])
        assert 400 <= status < 500, received[:300]
    still_serves(hardy)


def test_content_length_with_transfer_encoding_is_refused_at_once(hardy):
    data = head(INVOKE, "Content-Length: 5", "Transfer-Encoding: chunked") + b"5\r\nhello\r\n0\r\n\r\n"
    received, _ = send_and_wait(hardy, data, within=SHORT + MARGIN)
    # Refused for what it is, not timed out: the timeout's error names the seconds waited instead.
    assert received.startswith(b"HTTP/1.1 400") and b"x-amzn-errortype: ValidationException" in received
    assert b"Content-Length and Transfer-Encoding" in received


def test_a_stalled_body_is_a_journaled_validation_error(hardy):
    mark = hardy.journal.mark()
    received, _ = send_and_wait(hardy, head(INVOKE, "Content-Length: 1000") + b"{", within=SHORT + MARGIN)
    assert received.startswith(b"HTTP/1.1 400")
    assert b"x-amzn-errortype: ValidationException" in received
    [entry] = hardy.journal.since(mark)
    assert entry.status == 400 and "seconds" in (entry.error_message or "")


def test_a_stalled_body_over_http2_is_answered_in_time(hardy):
    connection = h2.connection.H2Connection()
    connection.initiate_connection()
    headers = [
        (":method", "POST"),
        (":scheme", "http"),
        (":authority", "stub"),
        (":path", INVOKE),
        ("content-length", "20"),
    ]
    connection.send_headers(1, headers)
    connection.send_data(1, b'{"anthropic')
    status, error_type, ended = None, None, False
    with socket.create_connection((hardy.host, hardy.port), timeout=SHORT + MARGIN) as raw:
        raw.sendall(connection.data_to_send())
        while not ended:
            data = raw.recv(65536)
            if not data:
                break
            for event in connection.receive_data(data):
                if isinstance(event, h2.events.ResponseReceived):
                    found = dict(event.headers)
                    status, error_type = found[b":status"], found.get(b"x-amzn-errortype")
                elif isinstance(event, h2.events.StreamEnded):
                    ended = True
            raw.sendall(connection.data_to_send())
    assert (status, error_type, ended) == (b"400", b"ValidationException", True)


# --- connections are bounded ---


def test_connections_beyond_the_limit_are_refused_and_the_stub_recovers(caplog):
    caplog.set_level(logging.WARNING, logger="bedrock_stub")
    with Stub(max_connections=8, read_timeout=SHORT, keep_alive_timeout=SHORT) as stub:
        held = [socket.create_connection((stub.host, stub.port), timeout=5) for _ in range(8)]
        try:
            # Every held connection is accepted before the next ones arrive.
            assert wait_until(lambda: stub.connection_limit.open == 8, MARGIN), stub.connection_limit.open
            refused = []
            for _ in range(20):
                extra = socket.create_connection((stub.host, stub.port), timeout=5)
                extra.sendall(head(INVOKE, "Content-Length: 0"))
                with contextlib.suppress(ConnectionResetError):
                    refused.append(extra.recv(65536))
                extra.close()
            for reply in refused:
                assert reply == b"" or reply.startswith(b"HTTP/1.1 503"), reply[:200]
            assert any(reply.startswith(b"HTTP/1.1 503") for reply in refused)
            assert any(b"x-amzn-errortype: ServiceUnavailableException" in reply for reply in refused)
        finally:
            for connection in held:
                connection.close()
        # Hypercorn lets a closed connection go when its idle timer fires: within the keep-alive timeout.
        assert wait_until(lambda: stub.connection_limit.open == 0, SHORT + MARGIN), stub.connection_limit.open
        still_serves(stub)
    lines = [record for record in caplog.records if "connection" in record.getMessage()]
    assert len(lines) == 1, [record.getMessage() for record in lines]


def test_a_thousand_stalled_connections_do_not_starve_normal_requests_for_long():
    with Stub(max_connections=64, read_timeout=SHORT, keep_alive_timeout=SHORT) as stub:
        stalled = []
        try:
            for _ in range(1000):
                # A full accept queue drops a connect for a second; such a client just gives up here.
                with contextlib.suppress(OSError):
                    connection = socket.create_connection((stub.host, stub.port), timeout=0.3)
                    with contextlib.suppress(OSError):
                        connection.sendall(head(INVOKE, "Content-Length: 100000"))
                    stalled.append(connection)
            # The stalled ones time out and free their places (the first SHORT seconds after they were opened).
            assert wait_until(lambda: stub.connection_limit.open < 64, SHORT + MARGIN), stub.connection_limit.open
            assert wait_until(lambda: serves(stub), SHORT + MARGIN), "the stub never served again"
        finally:
            for connection in stalled:
                connection.close()


def test_the_default_limit_leaves_room_under_the_open_file_limit():
    assert connection_limit_for(1024) <= 512
    assert connection_limit_for(256) < 256 // 2
    assert connection_limit_for(64) == 1
    assert connection_limit_for(1_000_000) == 512


def test_repeated_log_conditions_print_one_line():
    lines: list[str] = []
    log = RateLimitedLog(lines.append, interval=60.0)
    for _ in range(500):
        log("accept", "socket.accept() out of system resource")
    log("limit", "connection limit reached")
    assert lines[0].startswith("socket.accept() out of system resource")
    assert len(lines) == 2


# Opens the connections (a full accept queue drops a connect; such a client gives up), says so, and holds them
# until its standard input closes.
CLIENTS_SCRIPT = """
import socket, sys
sockets = []
for _ in range(int(sys.argv[2])):
    try:
        sockets.append(socket.create_connection(("127.0.0.1", int(sys.argv[1])), timeout=0.3))
    except OSError:
        pass
print("held", flush=True)
sys.stdin.read()
"""


def run_cli_under_fd_limit(
    limit: int, *args: str, clients: int, hold_until: str | None = None
) -> tuple[int, str, bool]:
    """The stub's command under a descriptor limit, flooded by `clients` connections held until its standard error
    says `hold_until` (or, without it, until they are all opened); returns its exit code, its standard error and
    whether it served a request after the flood."""

    def lower_fd_limit() -> None:
        resource.setrlimit(resource.RLIMIT_NOFILE, (limit, limit))

    process = subprocess.Popen(
        [sys.executable, "-m", "bedrock_stub", "--port", "0", "--keep-alive-timeout", "1", *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        preexec_fn=lower_fd_limit,
    )
    lines: list[str] = []
    said = threading.Event()

    def read_stderr() -> None:
        assert process.stderr is not None
        for line in process.stderr:
            lines.append(line)
            if hold_until is not None and hold_until in line:
                said.set()

    reader = threading.Thread(target=read_stderr, daemon=True)
    try:
        assert process.stdout is not None
        url = process.stdout.readline().strip()
        port = url.rsplit(":", 1)[1]
        reader.start()
        flood = subprocess.Popen(
            [sys.executable, "-c", CLIENTS_SCRIPT, port, str(clients)],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
        )
        try:
            assert flood.stdout is not None
            assert flood.stdout.readline() == "held\n"
            if hold_until is not None:
                said.wait(MARGIN)
        finally:
            flood.communicate("", timeout=MARGIN)

        # The flood's connections are closed by now; the stub lets them go within its keep-alive timeout.
        def answers() -> bool:
            try:
                return bool(bedrock_client(url).invoke_model(modelId=HAIKU, body=messages_body())["body"].read())
            except Exception:
                return False

        served = wait_until(answers, 1 + MARGIN)
    finally:
        process.terminate()
        process.wait(timeout=15)
        reader.join(15)
    return process.returncode, "".join(lines), served


def test_running_out_of_descriptors_logs_one_line_not_a_flood():
    code, stderr, served = run_cli_under_fd_limit(64, "--max-connections", "500", clients=120, hold_until="accept")
    assert served and code == 0
    accept_lines = [line for line in stderr.splitlines() if "accept" in line]
    assert 1 <= len(accept_lines) <= 2, stderr[-3000:]
    assert "Traceback" not in stderr


def test_the_default_connection_limit_keeps_below_the_descriptor_limit():
    code, stderr, served = run_cli_under_fd_limit(512, clients=600)
    assert served and code == 0
    assert "accept" not in stderr, stderr[-3000:]
    assert len(stderr.splitlines()) <= 1, stderr[-3000:]


# --- the journal is bounded ---


def test_a_windowed_journal_keeps_the_latest_entries_and_their_sequence():
    journal = Journal(window=100)
    for _ in range(250):
        journal.record(journal_entry())
    entries = journal.entries()
    assert len(entries) == 100
    assert [entry.seq for entry in entries] == list(range(151, 251))
    assert journal.mark() == 250
    assert [entry.seq for entry in journal.since(240)] == list(range(241, 251))
    assert [entry.seq for entry in journal.since(10)] == list(range(151, 251))


def test_an_unwindowed_journal_keeps_everything():
    journal = Journal()
    for _ in range(250):
        journal.record(journal_entry())
    assert len(journal.entries()) == 250


def test_memory_of_a_windowed_journal_returns_near_its_baseline():
    journal = Journal(window=1_000)
    tracemalloc.start()
    try:
        for _ in range(1_000):
            journal.record(journal_entry(body="x" * 1_000))
        baseline = tracemalloc.get_traced_memory()[0]
        for _ in range(20_000):
            journal.record(journal_entry(body="x" * 1_000))
        after = tracemalloc.get_traced_memory()[0]
    finally:
        tracemalloc.stop()
    assert after < baseline * 1.2, (baseline, after)


def test_a_journal_file_bounds_the_window_by_default_and_the_api_does_not(tmp_path):
    with Stub(journal_path=tmp_path / "j.jsonl") as with_file, Stub() as without:
        assert with_file.journal.window == 10_000
        assert without.journal.window is None
    with Stub(journal_path=tmp_path / "k.jsonl", journal_window=3) as small:
        for _ in range(5):
            still_serves(small)
        assert [entry.seq for entry in small.journal.entries()] == [3, 4, 5]
    assert len((tmp_path / "k.jsonl").read_text().splitlines()) == 5
