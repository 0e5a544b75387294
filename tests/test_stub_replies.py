"""Scripted replies (rules, a queue, tool calls, errors), max_tokens and stop sequences, the CLI's rules file and the
pytest plugin."""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap

import botocore.exceptions
import pytest
from bedrock_stub.replies import Reply, Rule, ToolCall, load_rules_file, shape

from tests.helpers import CLAUDE_V2, HAIKU, bedrock_client, completions_body, messages_body

pytest_plugins = ["pytester"]

USER = [{"role": "user", "content": [{"text": "What is the weather in Paris?"}]}]
TOOL_CONFIG = {"tools": [{"toolSpec": {"name": "get_weather", "inputSchema": {"json": {"type": "object"}}}}]}


def invoke_text(client, text: str, **extra) -> dict:
    return json.loads(client.invoke_model(modelId=HAIKU, body=messages_body(text, **extra))["body"].read())


def invoke_stream_events(client, text: str, **extra) -> list[dict]:
    response = client.invoke_model_with_response_stream(modelId=HAIKU, body=messages_body(text, **extra))
    return [json.loads(event["chunk"]["bytes"]) for event in response["body"]]


# Rules and the queue


def test_a_rule_answers_requests_that_hold_its_text(stub, client):
    stub.add_rule(contains="weather", text="Sunny, 21 °C.")
    stub.add_rule(regex=r"(?i)capital of \w+", text="Paris.")
    assert invoke_text(client, "How is the weather?")["content"][0]["text"] == "Sunny, 21 °C."
    assert invoke_text(client, "The CAPITAL OF France?")["content"][0]["text"] == "Paris."
    assert invoke_text(client, "Something else")["content"][0]["text"] == stub.reply


def test_a_conversation_rule_sees_the_system_prompt_and_every_message(stub, client):
    stub.add_rule(contains="pirate", text="Arr.", match="conversation")
    response = client.converse(modelId=HAIKU, messages=USER, system=[{"text": "Talk like a pirate."}])
    assert response["output"]["message"]["content"] == [{"text": "Arr."}]


def test_a_rule_reads_only_the_latest_user_turn_by_default(stub, client):
    stub.add_rule(contains="pirate", text="Arr.")
    stub.add_rule(contains="France", text="Paris.")
    history = [
        {"role": "user", "content": [{"text": "Capital of France?"}]},
        {"role": "assistant", "content": [{"text": "Paris."}]},
        {"role": "user", "content": [{"text": "And of Italy?"}]},
    ]
    response = client.converse(modelId=HAIKU, messages=history, system=[{"text": "Talk like a pirate."}])
    assert response["output"]["message"]["content"] == [{"text": stub.reply}]
    # A Messages body's latest turn is read the same way, whether its content is a string or blocks.
    assert invoke_text(client, "France?")["content"][0]["text"] == "Paris."
    messages = [
        {"role": "user", "content": "Capital of France?"},
        {"role": "assistant", "content": "Paris."},
        {"role": "user", "content": "And of Italy?"},
    ]
    assert invoke_text(client, "", messages=messages)["content"][0]["text"] == stub.reply


def test_a_rule_can_be_limited_to_one_operation(stub, client):
    stub.add_rule(contains="Paris", text="converse only", operation="Converse")
    assert client.converse(modelId=HAIKU, messages=USER)["output"]["message"]["content"][0]["text"] == "converse only"
    assert invoke_text(client, "Paris?")["content"][0]["text"] == stub.reply


def test_a_rule_for_an_operation_the_stub_does_not_serve_is_refused(tmp_path):
    # A misspelt operation would otherwise make a rule that never matches.
    with pytest.raises(ValueError, match="unknown operation 'Converze'; choose one of: InvokeModel, "):
        Rule(Reply(text="x"), contains="x", operation="Converze")
    path = tmp_path / "rules.json"
    path.write_text('{"rules": [{"contains": "x", "text": "y", "operation": "ApplyGuardrail"}]}')
    with pytest.raises(ValueError, match=r"^rules\[0\]: unknown operation 'ApplyGuardrail'"):
        load_rules_file(path)


def test_queued_replies_go_out_in_order_before_rules_then_the_fixed_reply(stub, client):
    stub.add_rule(contains="Paris", text="from the rule")
    stub.queue_reply("first")
    stub.queue_reply("second")
    texts = [client.converse(modelId=HAIKU, messages=USER)["output"]["message"]["content"][0]["text"] for _ in range(3)]
    assert texts == ["first", "second", "from the rule"]
    stub.reset()
    assert client.converse(modelId=HAIKU, messages=USER)["output"]["message"]["content"][0]["text"] == stub.reply


def test_an_error_rule_answers_with_the_modelled_error(stub, client):
    stub.add_rule(contains="Paris", error="AccessDeniedException", message="Not for you.")
    with pytest.raises(client.exceptions.AccessDeniedException, match=r"Not for you\."):
        client.converse(modelId=HAIKU, messages=USER)
    assert stub.journal.entries()[-1].error_type == "AccessDeniedException"


def test_an_error_reply_that_is_a_stream_member_breaks_the_stream(stub, client):
    stub.queue_reply(error="ThrottlingException", message="slow down")
    response = client.converse_stream(modelId=HAIKU, messages=USER)
    with pytest.raises(botocore.exceptions.EventStreamError) as caught:
        list(response["stream"])
    assert caught.value.response["Error"] == {"Code": "throttlingException", "Message": "slow down"}


def test_replies_refuse_unknown_errors_and_rules_need_one_pattern(stub):
    with pytest.raises(ValueError, match="not a modeled error"):
        stub.queue_reply(error="TeapotException")
    with pytest.raises(ValueError, match="needs `contains`, `regex` or `after_tool_result`"):
        stub.add_rule(text="x")
    with pytest.raises(ValueError, match="not both"):
        stub.add_rule(contains="a", regex="b", text="x")
    with pytest.raises(ValueError, match="`match` is one of"):
        stub.add_rule(contains="a", match="everything")


# Tool calls in every operation


def test_a_tool_call_in_an_invoke_model_reply(stub, client):
    stub.queue_reply("Let me look.", tool_use={"name": "get_weather", "input": {"city": "Paris"}, "id": "toolu_1"})
    reply = invoke_text(client, "weather?")
    assert reply["content"] == [
        {"type": "text", "text": "Let me look."},
        {"type": "tool_use", "id": "toolu_1", "name": "get_weather", "input": {"city": "Paris"}},
    ]
    assert reply["stop_reason"] == "tool_use"


def test_a_tool_call_streams_as_input_json_deltas(stub, client):
    stub.state.stream_piece_chars = 4
    stub.queue_reply(tool_use={"name": "get_weather", "input": {"city": "Paris", "days": 3}})
    events = invoke_stream_events(client, "weather?")
    start = next(event for event in events if event["type"] == "content_block_start")
    assert start["content_block"]["type"] == "tool_use" and start["content_block"]["name"] == "get_weather"
    assert start["content_block"]["id"].startswith("toolu_bdrk_01")
    partial = "".join(
        event["delta"]["partial_json"]
        for event in events
        if event["type"] == "content_block_delta" and event["delta"]["type"] == "input_json_delta"
    )
    assert json.loads(partial) == {"city": "Paris", "days": 3}
    assert next(event for event in events if event["type"] == "message_delta")["delta"]["stop_reason"] == "tool_use"


def test_a_tool_call_in_a_converse_reply(stub, client):
    stub.queue_reply(tool_use=ToolCall("get_weather", {"city": "Paris"}))
    response = client.converse(modelId=HAIKU, messages=USER, toolConfig=TOOL_CONFIG)
    [block] = response["output"]["message"]["content"]
    assert block["toolUse"]["name"] == "get_weather" and block["toolUse"]["input"] == {"city": "Paris"}
    assert block["toolUse"]["toolUseId"].startswith("tooluse_")
    assert response["stopReason"] == "tool_use"


def test_a_tool_call_in_a_converse_stream(stub, client):
    stub.state.stream_piece_chars = 3
    stub.queue_reply("Checking.", tool_use={"name": "get_weather", "input": {"city": "Paris"}})
    events = list(client.converse_stream(modelId=HAIKU, messages=USER, toolConfig=TOOL_CONFIG)["stream"])
    starts = [event["contentBlockStart"] for event in events if "contentBlockStart" in event]
    assert [(start["contentBlockIndex"], start["start"]["toolUse"]["name"]) for start in starts] == [(1, "get_weather")]
    deltas = [event["contentBlockDelta"] for event in events if "contentBlockDelta" in event]
    text = "".join(delta["delta"].get("text", "") for delta in deltas if delta["contentBlockIndex"] == 0)
    arguments = "".join(delta["delta"]["toolUse"]["input"] for delta in deltas if delta["contentBlockIndex"] == 1)
    assert (text, json.loads(arguments)) == ("Checking.", {"city": "Paris"})
    assert [event["contentBlockStop"]["contentBlockIndex"] for event in events if "contentBlockStop" in event] == [0, 1]
    assert next(event for event in events if "messageStop" in event)["messageStop"]["stopReason"] == "tool_use"


# max_tokens and stop sequences


def test_a_reply_longer_than_max_tokens_is_cut_in_every_operation(stub, client):
    stub.reply = "0123456789" * 10
    reply = invoke_text(client, "count", max_tokens=3)
    assert (reply["content"][0]["text"], reply["stop_reason"]) == ("012345678901", "max_tokens")
    events = invoke_stream_events(client, "count", max_tokens=3)
    text = "".join(event["delta"]["text"] for event in events if event["type"] == "content_block_delta")
    assert text == "012345678901"
    assert next(event for event in events if event["type"] == "message_delta")["delta"]["stop_reason"] == "max_tokens"
    response = client.converse(modelId=HAIKU, messages=USER, inferenceConfig={"maxTokens": 2})
    assert (response["output"]["message"]["content"][0]["text"], response["stopReason"]) == ("01234567", "max_tokens")
    events = list(client.converse_stream(modelId=HAIKU, messages=USER, inferenceConfig={"maxTokens": 2})["stream"])
    assert "".join(e["contentBlockDelta"]["delta"]["text"] for e in events if "contentBlockDelta" in e) == "01234567"
    assert next(e for e in events if "messageStop" in e)["messageStop"]["stopReason"] == "max_tokens"


def test_max_tokens_can_be_ignored_for_large_bodies(stub, client):
    stub.reply = "x" * 10_000
    stub.state.honour_max_tokens = False
    assert invoke_text(client, "long", max_tokens=3)["content"][0]["text"] == "x" * 10_000


def test_a_stop_sequence_ends_the_reply_before_it(stub, client):
    stub.reply = "alpha beta END gamma"
    reply = invoke_text(client, "go", stop_sequences=["zzz", "END"])
    assert (reply["content"][0]["text"], reply["stop_reason"], reply["stop_sequence"]) == (
        "alpha beta ",
        "stop_sequence",
        "END",
    )
    response = client.converse(modelId=HAIKU, messages=USER, inferenceConfig={"stopSequences": ["beta"]})
    assert (response["output"]["message"]["content"][0]["text"], response["stopReason"]) == ("alpha ", "stop_sequence")


def test_legacy_completions_keep_their_stop_and_honour_max_tokens_to_sample(stub, client):
    stub.reply = "y" * 400
    body = json.loads(completions_body())
    body["max_tokens_to_sample"] = 5
    reply = json.loads(client.invoke_model(modelId=CLAUDE_V2, body=json.dumps(body))["body"].read())
    assert (reply["completion"], reply["stop_reason"]) == ("y" * 20, "max_tokens")
    stub.reply = "short"
    reply = json.loads(client.invoke_model(modelId=CLAUDE_V2, body=completions_body())["body"].read())
    assert (reply["completion"], reply["stop_reason"], reply["stop"]) == ("short", "stop_sequence", "\n\nHuman:")


def test_shape_prefers_the_earliest_stop_sequence():
    answer = shape(Reply("a STOP b HALT c"), max_tokens=None, stop_sequences=["HALT", "STOP"])
    assert (answer.text, answer.stop_sequence) == ("a ", "STOP")


# Rules files and the CLI


RULES_TOML = """
[[rules]]
contains = "weather"
tool_use = { name = "get_weather", input = { city = "Paris" } }

[[rules]]
regex = "(?i)refuse"
error = "AccessDeniedException"
message = "No."

[[queue]]
text = "first from the file"
"""


def test_rules_files_in_toml_and_json_say_the_same(tmp_path):
    toml_file = tmp_path / "rules.toml"
    toml_file.write_text(RULES_TOML)
    json_file = tmp_path / "rules.json"
    json_file.write_text(
        json.dumps(
            {
                "rules": [
                    {"contains": "weather", "tool_use": {"name": "get_weather", "input": {"city": "Paris"}}},
                    {"regex": "(?i)refuse", "error": "AccessDeniedException", "message": "No."},
                ],
                "queue": [{"text": "first from the file"}],
            }
        )
    )
    assert load_rules_file(toml_file) == load_rules_file(json_file)
    rules, queue = load_rules_file(toml_file)
    assert rules[0].reply.tool_use == ToolCall("get_weather", {"city": "Paris"})
    assert rules[1].reply.error == "AccessDeniedException" and queue == [Reply(text="first from the file")]


@pytest.mark.parametrize(
    "content",
    ['{"rules": [{"text": "no pattern"}]}', '{"rulez": []}', '{"rules": [{"contains": "x", "colour": "red"}]}'],
)
def test_a_bad_rules_file_is_refused_with_a_reason(tmp_path, content):
    path = tmp_path / "rules.json"
    path.write_text(content)
    with pytest.raises(ValueError):
        load_rules_file(path)


def test_the_cli_serves_a_rules_file(tmp_path):
    rules = tmp_path / "rules.toml"
    rules.write_text(RULES_TOML)
    process = subprocess.Popen(
        [sys.executable, "-m", "bedrock_stub", "--rules", str(rules)], stdout=subprocess.PIPE, text=True
    )
    try:
        url = process.stdout.readline().strip()
        client = bedrock_client(url)
        first = client.converse(modelId=HAIKU, messages=USER, toolConfig=TOOL_CONFIG)
        assert first["output"]["message"]["content"] == [{"text": "first from the file"}]
        second = client.converse(modelId=HAIKU, messages=USER, toolConfig=TOOL_CONFIG)
        assert second["output"]["message"]["content"][0]["toolUse"]["input"] == {"city": "Paris"}
        with pytest.raises(client.exceptions.AccessDeniedException, match=r"No\."):
            client.converse(modelId=HAIKU, messages=[{"role": "user", "content": [{"text": "Refuse me"}]}])
    finally:
        process.terminate()
        process.wait(timeout=10)


def test_the_cli_refuses_a_broken_rules_file(tmp_path):
    rules = tmp_path / "rules.json"
    rules.write_text("{not json")
    result = subprocess.run(
        [sys.executable, "-m", "bedrock_stub", "--rules", str(rules)], capture_output=True, text=True, timeout=30
    )
    assert result.returncode == 2 and f"--rules {rules}" in result.stderr


def test_the_cli_can_leave_max_tokens_and_padding_alone(tmp_path):
    process = subprocess.Popen(
        [sys.executable, "-m", "bedrock_stub", "--no-max-tokens", "--no-padding", "--reply", "z" * 100],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        client = bedrock_client(process.stdout.readline().strip())
        reply = json.loads(client.invoke_model(modelId=HAIKU, body=messages_body(max_tokens=2))["body"].read())
        assert reply["content"][0]["text"] == "z" * 100
    finally:
        process.terminate()
        process.wait(timeout=10)


# The pytest plugin, as another project would use it


def test_the_pytest_plugin_points_sdks_at_a_shared_stub_and_resets_it(pytester, monkeypatch):
    monkeypatch.setenv("AWS_PROFILE", "someone-elses-real-profile")
    monkeypatch.setenv("AWS_SESSION_TOKEN", "a-real-token")
    pytester.makepyfile(
        textwrap.dedent(
            """
            import os
            import boto3
            import pytest

            HAIKU = "anthropic.claude-3-haiku-20240307-v1:0"
            MESSAGES = [{"role": "user", "content": [{"text": "Capital of France?"}]}]
            urls = []

            def ask():
                client = boto3.client("bedrock-runtime")
                return client.converse(modelId=HAIKU, messages=MESSAGES)["output"]["message"]["content"][0]["text"]

            def test_queued_reply(bedrock_stub):
                bedrock_stub.queue_reply("Paris")
                bedrock_stub.add_rule(contains="France", text="from a rule")
                assert "AWS_PROFILE" not in os.environ and "AWS_SESSION_TOKEN" not in os.environ
                assert ask() == "Paris"
                assert [entry.operation for entry in bedrock_stub.requests] == ["Converse"]
                urls.append(bedrock_stub.url)

            def test_reset_between_tests(bedrock_stub):
                assert ask() == bedrock_stub.reply
                assert len(bedrock_stub.requests) == 1
                urls.append(bedrock_stub.url)

            def test_one_stub_per_session():
                assert len(set(urls)) == 1

            def test_errors_reach_the_code_under_test(bedrock_stub):
                bedrock_stub.inject_error("AccessDeniedException", "no", count=1)
                with pytest.raises(Exception, match="AccessDeniedException"):
                    ask()
            """
        )
    )
    result = pytester.runpytest_subprocess("-p", "no:cacheprovider")
    result.assert_outcomes(passed=4)


def test_bedrock_stub_reexports_the_stub(stub):
    import bedrock_stub

    assert bedrock_stub.Stub is type(stub)
    assert {"Converse", "ConverseStream", "CountTokens"} <= set(bedrock_stub.OPERATIONS)


def test_the_long_reply_scenario_lets_its_reply_run_past_max_tokens(stub):
    from bedrock_mirror.scenarios import LONG_REPLY_CHARS, scenario

    scenario("long-reply").arrange(stub)
    assert stub.state.honour_max_tokens is False and len(stub.reply) > LONG_REPLY_CHARS - 10


def test_the_cli_limits_an_error_to_an_operation_that_answers_it():
    refused = subprocess.run(
        [
            sys.executable,
            "-m",
            "bedrock_stub",
            "--error",
            "ServiceQuotaExceededException",
            "--error-operation",
            "Converse",
        ],
        capture_output=True,
        text=True,
        timeout=30,
    )
    assert refused.returncode == 2 and "Converse does not answer ServiceQuotaExceededException" in refused.stderr
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "bedrock_stub",
            "--error",
            "ThrottlingException:1",
            "--error-operation",
            "ConverseStream",
        ],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        client = bedrock_client(process.stdout.readline().strip())
        assert client.converse(modelId=HAIKU, messages=USER)["stopReason"] == "end_turn"
        with pytest.raises(botocore.exceptions.EventStreamError, match="throttlingException"):
            list(client.converse_stream(modelId=HAIKU, messages=USER)["stream"])
        assert list(client.converse_stream(modelId=HAIKU, messages=USER)["stream"])[-1]["metadata"]
    finally:
        process.terminate()
        process.wait(timeout=10)
