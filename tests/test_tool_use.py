"""Tool use: the local Open-Meteo service the weather tools reach through their clients' proxy and CA settings,
what a user types into the demos, and the tool round trip's judge (which must fail when the tool's result does not
come back to the model)."""

from __future__ import annotations

import re
import socket
import ssl
import sys
from pathlib import Path

import httpx
import pytest
from bedrock_stub import CONVERSE, Stub, ToolCall

from bedrock_mirror import pipeline, registry
from bedrock_mirror.extraction import AfterLastLine
from bedrock_mirror.process import run_process
from bedrock_mirror.results import FAILED, PASSED
from bedrock_mirror.scenarios import TOOL_USE_ID, Expectation, scenario
from bedrock_mirror.weather import HOST, WeatherService, weather_service
from tests.helpers import ready_language

TOOL_SAMPLES = [(language, sample) for language, sample in registry.all_samples() if sample.tool is not None]
FORECAST = f"https://{HOST}/v1/forecast"


@pytest.fixture
def service(tmp_path: Path):
    started = WeatherService(tmp_path).start()
    yield started
    started.stop()


def _client(service: WeatherService) -> httpx.Client:
    return httpx.Client(proxy=service.proxy_url, verify=ssl.create_default_context(cafile=str(service.ca_file)))


def test_the_forecast_has_open_meteos_shape_for_the_requested_coordinates(service):
    with _client(service) as client:
        answer = client.get(FORECAST, params={"latitude": "48.8566", "longitude": "2.3522", "current_weather": "true"})
    assert answer.status_code == 200
    body = answer.json()
    assert (body["latitude"], body["longitude"]) == (48.8566, 2.3522)
    assert str(body["generationtime_ms"]) == service.nonce
    assert set(body["current_weather"]) == {
        "time",
        "interval",
        "temperature",
        "windspeed",
        "winddirection",
        "is_day",
        "weathercode",
    }
    assert set(body["current_weather_units"]) == set(body["current_weather"])
    assert [(seen.query["latitude"], seen.status) for seen in service.requests_seen()] == [("48.8566", 200)]


@pytest.mark.parametrize(
    ("latitude", "reason"),
    [("148", "Latitude must be in range of -90 to 90°. Given: 148.0."), ("north", "invalid String value north")],
)
def test_a_bad_coordinate_gets_the_apis_400(service, latitude, reason):
    with _client(service) as client:
        answer = client.get(FORECAST, params={"latitude": latitude, "longitude": "2"})
    assert answer.status_code == 400
    assert answer.json()["error"] is True
    assert reason in answer.json()["reason"]


def test_no_other_host_is_reached_through_the_proxy(service):
    with _client(service) as client, pytest.raises(httpx.ProxyError, match="403"):
        client.get("https://example.com/")
    assert service.requests_seen() == []


def test_the_environment_names_the_proxy_and_keeps_an_earlier_ca_bundle_trusted(service, tmp_path):
    assert service.environment({})["SSL_CERT_FILE"] == str(service.ca_file)
    earlier = tmp_path / "earlier.pem"
    earlier.write_text("-----BEGIN CERTIFICATE-----\nearlier\n-----END CERTIFICATE-----\n", encoding="ascii")
    env = service.environment({"SSL_CERT_FILE": str(earlier)})
    assert env["HTTPS_PROXY"] == env["https_proxy"] == service.proxy_url
    assert env["REQUESTS_CA_BUNDLE"] == env["SSL_CERT_FILE"]
    bundle = Path(env["SSL_CERT_FILE"]).read_text(encoding="ascii")
    assert service.ca_file.read_text(encoding="ascii") in bundle and "earlier" in bundle
    # Written once: every run with the same earlier bundle gets the same file.
    assert service.environment({"REQUESTS_CA_BUNDLE": str(earlier)})["SSL_CERT_FILE"] == env["SSL_CERT_FILE"]


def test_a_program_reads_what_the_user_types(tmp_path):
    typed = "What's the weather like in Paris?\nx\n"
    echoed = run_process(
        (sys.executable, "-c", "import sys; print(sys.stdin.read(), end='')"),
        cwd=tmp_path,
        env={},
        timeout=60,
        stdin=typed,
    )
    assert echoed.stdout == typed
    empty = run_process(
        (sys.executable, "-c", "import sys; print(repr(sys.stdin.read()))"), cwd=tmp_path, env={}, timeout=60
    )
    assert empty.stdout == "''\n"


def test_the_last_answer_under_the_label_is_the_reply():
    extraction = AfterLastLine(after="Label:", before="---")
    assert extraction.extract("Label:\nfirst\n---\nLabel:\nsecond\nline\n---\nbye\n") == "second\nline"
    assert extraction.extract("no label\n") is None


def test_every_tool_sample_runs_under_the_round_trip_and_no_other_does():
    round_trip = scenario("tool-round-trip")
    assert {sample.id for _, sample in TOOL_SAMPLES} == {"python-tool-use", "rust-tool-use"}
    for language, sample in registry.all_samples():
        expected = "reply" if sample.tool is not None else "not-applicable"
        assert round_trip.expectation(language, sample).kind == expected, sample.id


def _run_with_tool_call(language, sample, tool_input: dict[str, str]):
    with Stub() as stub:
        stub.queue_reply("Let me check.", tool_use=ToolCall(sample.tool.name, tool_input, TOOL_USE_ID))
        stub.queue_reply(stub.reply)
        run = pipeline.run_against(language, sample.run, stub, timeout=120, samples=(sample,))
    expectation = Expectation("reply", tool_round_trip=True)
    return run, pipeline.judge_run(language, sample, run, run_id="test", expectation=expectation)


@pytest.mark.end_to_end
@pytest.mark.parametrize(("language", "sample"), TOOL_SAMPLES, ids=[sample.id for _, sample in TOOL_SAMPLES])
def test_the_tool_reaches_the_weather_service_and_its_answer_reaches_the_model(language, sample):
    ready_language(language)
    seen_before = len(weather_service().requests_seen())
    run, result = _run_with_tool_call(language, sample, dict(sample.tool.input))
    assert result.status == PASSED, result.reason + run.process.stdout + run.process.stderr
    asked = weather_service().requests_seen()[seen_before:]
    assert [(request.query["latitude"], request.query["longitude"]) for request in asked] == [("48.8566", "2.3522")]
    converse = [entry for entry in run.entries if entry.operation == CONVERSE]
    assert len(converse) == 2 and weather_service().nonce in (converse[1].body or "")


@pytest.mark.end_to_end
@pytest.mark.parametrize(("language", "sample"), TOOL_SAMPLES, ids=[sample.id for _, sample in TOOL_SAMPLES])
def test_the_round_trip_fails_when_the_weather_service_answer_does_not_come_back(language, sample):
    # An out-of-range latitude: the service answers 400 (the Python tool forwards the error, Rust's scenario ends).
    ready_language(language)
    _, result = _run_with_tool_call(language, sample, {"latitude": "148", "longitude": "2.3522"})
    assert result.status == FAILED
    assert "tool's result" in result.reason or "printed text differs" in result.reason or "no answer" in result.reason


@pytest.mark.end_to_end
@pytest.mark.parametrize(("language", "sample"), TOOL_SAMPLES, ids=[sample.id for _, sample in TOOL_SAMPLES])
def test_a_run_by_command_alone_still_gets_the_users_input(language, sample):
    # The benchmark runs programs by their command: the input the program waits for must still come.
    ready_language(language)
    with Stub() as stub:
        run = pipeline.run_against(language, sample.run, stub, timeout=120)
    assert run.process.ok, run.process.stderr
    assert sample.extraction.extract(run.process.stdout) == run.expected


@pytest.mark.parametrize(
    "request_head",
    [b"NOT HTTP AT ALL\r\n\r\n", b"CONNECT " + b"a" * 70_000 + b" HTTP/1.1\r\n\r\n"],
    ids=["garbage", "oversized"],
)
def test_a_malformed_proxy_request_gets_a_4xx_and_the_connection_ends(service, request_head):
    with socket.create_connection(("127.0.0.1", service.port), timeout=30) as connection:
        connection.sendall(request_head)
        answer = b""
        while chunk := connection.recv(65536):
            answer += chunk
    assert re.match(rb"HTTP/1\.1 4\d\d ", answer), answer[:100]
    assert service.requests_seen() == []


def test_an_earlier_bundle_that_cannot_be_read_leaves_this_ca_trusted(service, tmp_path):
    env = service.environment({"SSL_CERT_FILE": str(tmp_path / "missing.pem")})
    assert Path(env["SSL_CERT_FILE"]).read_text(encoding="ascii").strip() == service.ca_file.read_text().strip()
