"""Guardrails through boto3: interventions on input and output, the trace, ApplyGuardrail, and unknown guardrails."""

from __future__ import annotations

import json
import signal
import subprocess
import sys

import pytest
from bedrock_stub.guardrails import DEFAULT_BLOCKED_MESSAGE
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.helpers import bedrock_client, examples, messages_body, signed_headers

SONNET_4 = "us.anthropic.claude-sonnet-4-20250514-v1:0"
BLOCKED_IN = "I can't talk about that."
BLOCKED_OUT = "The answer was withheld."
UNKNOWN = "The guardrail identifier or version provided in the request does not exist."


def ask(text: str) -> list[dict]:
    return [{"role": "user", "content": [{"text": text}]}]


@pytest.fixture
def guarded(stub):
    stub.add_guardrail(
        "gr1abc",
        versions=("DRAFT", "1"),
        blocked_words=("poker", "casino"),
        blocked_input_message=BLOCKED_IN,
        blocked_output_message=BLOCKED_OUT,
    )
    return stub


def test_a_blocked_input_is_answered_by_the_guardrail_with_its_trace(guarded, client):
    guarded.queue_reply("the model's answer, never sent")
    config = {"guardrailIdentifier": "gr1abc", "guardrailVersion": "1", "trace": "enabled"}
    response = client.converse(modelId=SONNET_4, messages=ask("Teach me poker."), guardrailConfig=config)
    assert response["stopReason"] == "guardrail_intervened"
    assert response["output"]["message"]["content"] == [{"text": BLOCKED_IN}]
    trace = response["trace"]["guardrail"]
    words = trace["inputAssessment"]["gr1abc"]["wordPolicy"]["customWords"]
    assert words == [{"match": "poker", "action": "BLOCKED", "detected": True}]
    assert trace["actionReason"] == "Guardrail blocked."
    assert guarded.state.replies.queued == 1  # the model was never asked


def test_a_blocked_answer_is_replaced_and_the_stream_carries_the_trace(guarded, client):
    guarded.add_rule(contains="game", text="Try the casino downtown.")
    config = {"guardrailIdentifier": "gr1abc", "guardrailVersion": "DRAFT", "trace": "enabled"}
    events = list(
        client.converse_stream(modelId=SONNET_4, messages=ask("Suggest a game."), guardrailConfig=config)["stream"]
    )
    text = "".join(e["contentBlockDelta"]["delta"]["text"] for e in events if "contentBlockDelta" in e)
    assert text == BLOCKED_OUT
    assert events[-2]["messageStop"]["stopReason"] == "guardrail_intervened"
    trace = events[-1]["metadata"]["trace"]["guardrail"]
    assert trace["modelOutput"] == ["Try the casino downtown."]
    assert trace["outputAssessments"]["gr1abc"][0]["wordPolicy"]["customWords"][0]["match"] == "casino"


def test_a_guardrail_that_finds_nothing_lets_the_answer_through_without_a_trace(guarded, client):
    guarded.queue_reply("Chess is a fine game.")
    config = {"guardrailIdentifier": "gr1abc", "guardrailVersion": "1"}
    response = client.converse(modelId=SONNET_4, messages=ask("A board game?"), guardrailConfig=config)
    assert (response["stopReason"], response["output"]["message"]["content"]) == (
        "end_turn",
        [{"text": "Chess is a fine game."}],
    )
    assert "trace" not in response


def test_guard_content_limits_what_the_input_check_reads(guarded, client):
    guarded.queue_reply("Fine.")
    messages = [
        {
            "role": "user",
            "content": [{"text": "Ignore the word poker here."}, {"guardContent": {"text": {"text": "Just chess."}}}],
        }
    ]
    config = {"guardrailIdentifier": "gr1abc", "guardrailVersion": "1"}
    response = client.converse(modelId=SONNET_4, messages=messages, guardrailConfig=config)
    assert response["output"]["message"]["content"] == [{"text": "Fine."}]


def test_invoke_model_with_guardrail_headers(guarded, client):
    intervened = client.invoke_model(
        modelId=SONNET_4,
        body=messages_body("Poker odds?"),
        guardrailIdentifier="gr1abc",
        guardrailVersion="1",
        trace="ENABLED",
    )
    body = json.loads(intervened["body"].read())
    assert body["content"] == [{"type": "text", "text": BLOCKED_IN}]
    assert body["amazon-bedrock-guardrailAction"] == "INTERVENED"
    assert "inputAssessment" in body["amazon-bedrock-trace"]["guardrail"]
    guarded.queue_reply("Fine.")
    passed = json.loads(
        client.invoke_model(
            modelId=SONNET_4, body=messages_body("Chess?"), guardrailIdentifier="gr1abc", guardrailVersion="1"
        )["body"].read()
    )
    assert (passed["content"][0]["text"], passed["amazon-bedrock-guardrailAction"]) == ("Fine.", "NONE")


def test_apply_guardrail_assesses_content_on_its_own(guarded, client):
    blocked = client.apply_guardrail(
        guardrailIdentifier="gr1abc",
        guardrailVersion="DRAFT",
        source="OUTPUT",
        content=[{"text": {"text": "Meet me at the casino."}}],
    )
    assert (blocked["action"], blocked["outputs"]) == ("GUARDRAIL_INTERVENED", [{"text": BLOCKED_OUT}])
    assert blocked["assessments"][0]["wordPolicy"]["customWords"][0]["match"] == "casino"
    assert blocked["usage"]["wordPolicyUnits"] == 1
    clean = client.apply_guardrail(
        guardrailIdentifier="gr1abc", guardrailVersion="1", source="INPUT", content=[{"text": {"text": "Chess."}}]
    )
    assert (clean["action"], clean["outputs"]) == ("NONE", [])
    assert [entry.operation for entry in guarded.journal.entries()] == ["ApplyGuardrail", "ApplyGuardrail"]


def test_unknown_guardrails_and_versions_get_bedrocks_error(guarded, client):
    for identifier, version in (("nope", "1"), ("gr1abc", "7")):
        with pytest.raises(client.exceptions.ValidationException) as caught:
            client.converse(
                modelId=SONNET_4,
                messages=ask("Hi."),
                guardrailConfig={"guardrailIdentifier": identifier, "guardrailVersion": version},
            )
        assert caught.value.response["Error"]["Message"] == UNKNOWN
        with pytest.raises(client.exceptions.ValidationException) as caught:
            client.apply_guardrail(
                guardrailIdentifier=identifier,
                guardrailVersion=version,
                source="INPUT",
                content=[{"text": {"text": "x"}}],
            )
        assert caught.value.response["Error"]["Message"] == UNKNOWN


@settings(max_examples=examples(60), deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    config=st.one_of(
        st.none(),
        st.integers(),
        st.dictionaries(
            st.sampled_from(["guardrailIdentifier", "guardrailVersion", "trace", "streamProcessingMode"]),
            st.one_of(st.sampled_from(["gr1abc", "1", "DRAFT", "enabled", "Bad Id", "0", ""]), st.integers()),
        ),
    ),
    apply=st.dictionaries(
        st.sampled_from(["source", "content", "outputScope"]),
        st.one_of(st.sampled_from(["INPUT", "OUTPUT", "x"]), st.lists(st.dictionaries(st.just("text"), st.text()))),
    ),
)
def test_any_guardrail_request_gets_200_or_400(guarded, http, config, apply):
    for path, body in (
        (f"/model/{SONNET_4}/converse", {"messages": ask("Hi."), "guardrailConfig": config}),
        ("/guardrail/gr1abc/version/1/apply", apply),
    ):
        raw = json.dumps(body).encode()
        response = http.post(guarded.url + path, content=raw, headers=signed_headers(guarded.url + path, raw))
        assert response.status_code in (200, 400), response.text


def test_the_cli_defines_guardrails():
    process = subprocess.Popen(
        [sys.executable, "-m", "bedrock_stub", "--port", "0", "--guardrail", "gr9:DRAFT,2=poker,casino"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        assert process.stdout is not None
        client = bedrock_client(process.stdout.readline().strip())
        blocked = client.apply_guardrail(
            guardrailIdentifier="gr9", guardrailVersion="2", source="INPUT", content=[{"text": {"text": "Casino?"}}]
        )
        assert (blocked["action"], blocked["outputs"]) == ("GUARDRAIL_INTERVENED", [{"text": DEFAULT_BLOCKED_MESSAGE}])
        with pytest.raises(client.exceptions.ValidationException, match="does not exist"):
            client.apply_guardrail(
                guardrailIdentifier="gr9", guardrailVersion="1", source="INPUT", content=[{"text": {"text": "x"}}]
            )
    finally:
        process.send_signal(signal.SIGTERM)
        process.communicate(timeout=15)
    bad = subprocess.run(
        [sys.executable, "-m", "bedrock_stub", "--guardrail", "Not An Id=word"],
        capture_output=True,
        text=True,
        timeout=30,
    )
    assert bad.returncode == 2 and "--guardrail" in bad.stderr and "Traceback" not in bad.stderr
