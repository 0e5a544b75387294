"""The pytest plugin as a user meets it: one stub a session, every test isolated, a broken request failing its test."""

from __future__ import annotations

import textwrap

pytest_plugins = ["pytester"]

# A test file's head: an SDK client aimed at the fixture's stub, and a snapshot of every setting the stub has.
_HEAD = '''
import dataclasses

import boto3
import botocore.config
import pytest
from bedrock_stub.app import StubState

HAIKU = "anthropic.claude-3-haiku-20240307-v1:0"
MESSAGES = [{"role": "user", "content": [{"text": "hello"}]}]
ONE_TRY = botocore.config.Config(retries={"total_max_attempts": 1})


def ask(text="hello"):
    client = boto3.client("bedrock-runtime", config=ONE_TRY)
    messages = [{"role": "user", "content": [{"text": text}]}]
    return client.converse(modelId=HAIKU, messages=messages)["output"]["message"]["content"][0]["text"]


def settings(stub):
    """Every field of the stub's state (by value), its replies, faults, models, journal and limits."""
    state = stub.state
    kept = {"replies", "faults", "catalogue", "journal", "prompt_cache", "guardrails"}
    values = {f.name: getattr(state, f.name) for f in dataclasses.fields(StubState) if f.name not in kept}
    return {
        **values,
        "queued": state.replies.queued,
        "rules": len(state.replies._rules),
        "faults": len(state.faults._faults),
        "prompt_cache": len(state.prompt_cache._entries),
        "guardrails": len(state.guardrails._by_id),
        "models": [model.model_id for model in state.catalogue],
        "journal": len(stub.journal.entries()),
        "max_connections": stub.connection_limit.maximum,
        "keep_alive_timeout": stub.keep_alive_timeout,
        "send_timeout": stub.send_timeout,
    }
'''


def test_a_test_that_changes_every_setting_leaves_the_next_one_the_defaults(pytester):
    pytester.makepyfile(
        _HEAD
        + textwrap.dedent(
            """
            from bedrock_stub import Credentials

            FIRST = {}


            def test_changes_everything(bedrock_stub):
                FIRST.update(settings(bedrock_stub.stub))
                assert ask() == bedrock_stub.reply  # a journal entry
                state = bedrock_stub.state
                changed = {
                    "reply": "changed", "reasoning": "changed thinking", "strict": True, "verify_signatures": False,
                    "credentials": Credentials("AKIDCHANGED", "changed"), "stream_piece_chars": 3,
                    "honour_max_tokens": False, "pad_events": False, "stream_head_delay": 0.0,
                    "read_timeout": 1.5, "regions": frozenset({"eu-west-3"}), "api_keys": frozenset({"a-key"}),
                    "relay": "a relay",
                }
                # Every field of the state is changed here: a new one must be added to this test.
                kept = {"replies", "faults", "catalogue", "journal", "prompt_cache", "guardrails"}
                assert set(changed) | kept == {f.name for f in dataclasses.fields(StubState)}
                for name, value in changed.items():
                    setattr(state, name, value)
                state.catalogue = type(state.catalogue)([next(iter(state.catalogue))])
                bedrock_stub.queue_reply("queued")
                bedrock_stub.add_rule(contains="x", text="rule")
                bedrock_stub.inject_error("ThrottlingException", count=5)
                bedrock_stub.add_guardrail("abc123", blocked_words=("no",))
                state.prompt_cache._entries["a prefix"] = 0.0
                bedrock_stub.connection_limit.maximum = 3
                bedrock_stub.keep_alive_timeout = 1.0
                bedrock_stub.send_timeout = 1.0
                after = settings(bedrock_stub.stub)
                assert all(after[name] != FIRST[name] for name in FIRST), [n for n in FIRST if after[n] == FIRST[n]]


            def test_sees_the_defaults(bedrock_stub):
                assert settings(bedrock_stub.stub) == {**FIRST, "journal": 0}
                assert ask() == bedrock_stub.reply
                assert [entry.operation for entry in bedrock_stub.requests] == ["Converse"]
            """
        )
    )
    result = pytester.runpytest_subprocess("-p", "no:cacheprovider")
    result.assert_outcomes(passed=2)


def test_a_request_the_stub_fails_on_fails_its_test_with_the_stubs_exception(pytester):
    pytester.makepyfile(
        _HEAD
        + textwrap.dedent(
            """
            def test_swallows_the_sdk_error(bedrock_stub):
                bedrock_stub.state.replies.choose = None  # the stub's next call of it raises TypeError
                try:
                    ask()
                except Exception:
                    pass


            def test_sees_the_sdk_error(bedrock_stub):
                bedrock_stub.state.replies.choose = None
                ask()


            def test_after_them_all_is_well(bedrock_stub):
                assert ask() == bedrock_stub.reply
            """
        )
    )
    result = pytester.runpytest_subprocess("-p", "no:cacheprovider", "-rA")
    # Failed in their call phase (not errors in teardown), each with the stub's own exception and traceback.
    result.assert_outcomes(passed=1, failed=2, errors=0)
    result.stdout.fnmatch_lines(
        [
            "*_ test_swallows_the_sdk_error _*",
            "*replies.choose(*",
            "E*TypeError: 'NoneType' object is not callable",
            "*bedrock_stub/app.py:*: TypeError",
            "*_ test_sees_the_sdk_error _*",
            "*InternalServerException*",
            "*During handling of the above exception, another exception occurred*",
            "*bedrock_stub/app.py:*: TypeError",
            "*short test summary info*",
        ]
    )
