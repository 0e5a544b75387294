"""Rules cannot break the stub: values are checked when they are loaded, and a regular expression cannot block it."""

from __future__ import annotations

import json
import logging
import threading
from pathlib import Path

import pytest
from bedrock_stub import Rule, Stub
from bedrock_stub.replies import Reply, ToolCall, Turn, load_rules_file

from tests.helpers import HAIKU, bedrock_client, messages_body

ATTACK = "a" * 40 + "b"


_CLIENTS: dict[str, object] = {}


def ask(stub: Stub, text: str) -> dict:
    client = _CLIENTS.setdefault(stub.url, bedrock_client(stub.url))
    response = client.invoke_model(modelId=HAIKU, body=messages_body(text))  # type: ignore[attr-defined]
    return json.loads(response["body"].read())


def test_a_pattern_that_backtracks_in_other_engines_does_not_block_the_stub():
    """`(a+)+$` on 40 a's and a b takes Python's `re` about 2**40 steps; the stub answers at once."""
    with Stub() as stub:
        stub.add_rule(regex="(a+)+$", text="never")
        stub.add_rule(contains="hello", text="hi there")
        assert ask(stub, ATTACK)["content"][0]["text"] == stub.state.reply
        assert ask(stub, "hello")["content"][0]["text"] == "hi there"


class _SignallingRule(Rule):
    """The stub's own rule, telling the test when a search on the attack's text has begun."""

    started = threading.Event()

    def matches(self, turn: Turn, operation: str, seconds: float = 1.0) -> bool:
        if turn.latest == ATTACK:
            self.started.set()
        return super().matches(turn, operation, seconds)


def test_a_rule_past_its_time_bound_answers_model_timeout_while_others_are_answered(caplog):
    caplog.set_level(logging.WARNING, logger="bedrock_stub")
    with Stub() as stub:
        # Long enough that the other client's answer cannot be waiting for the search to end.
        stub.state.replies.match_seconds = 2.0
        stub.state.replies.add_rule(_SignallingRule(Reply(text="never"), regex="(a|aa)+$"))
        outcomes: list[str] = []
        finished = threading.Event()

        def attack() -> None:
            try:
                ask(stub, ATTACK)
                outcomes.append("answered")
            except bedrock_client(stub.url).exceptions.ModelTimeoutException as error:
                outcomes.append(error.response["Error"]["Message"])
            finally:
                finished.set()

        attacker = threading.Thread(target=attack)
        attacker.start()
        assert _SignallingRule.started.wait(timeout=30)
        assert ask(stub, "hello")["content"][0]["text"] == stub.state.reply
        assert not finished.is_set(), "the other client was answered only after the search ended"
        stub.queue_reply("queued while the search runs")  # the replies' lock is free meanwhile
        assert ask(stub, "next")["content"][0]["text"] == "queued while the search runs"
        attacker.join(timeout=120)
        assert outcomes == ["Model has timed out in processing the request."]
        # A second attack is answered the same way and not reported again.
        with pytest.raises(bedrock_client(stub.url).exceptions.ModelTimeoutException):
            ask(stub, ATTACK)
    reports = [record for record in caplog.records if "ran past" in record.getMessage()]
    assert len(reports) == 1


def write(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_text(text)
    return path


@pytest.mark.parametrize(
    "name, text, says",
    [
        (
            "r.toml",
            '[[rules]]\ncontains = "x"\ntool_use = { name = "t", input = { when = 1979-05-27T07:32:00Z } }\n',
            "datetime has no JSON form",
        ),
        (
            "r.toml",
            '[[rules]]\ncontains = "x"\ntool_use = { name = "t", input = { on = 1979-05-27 } }\n',
            "date has no JSON form",
        ),
        ("r.toml", '[[rules]]\ncontains = "x"\ntext = 1979-05-27\n', "text must be a string"),
        ("r.toml", '[[rules]]\ncontains = 5\ntext = "y"\n', "contains must be a string"),
        ("r.toml", '[[rules]]\ncontains = ["a", "b"]\ntext = "y"\n', "contains must be a string"),
        (
            "r.toml",
            '[[rules]]\ncontains = "x"\ntool_use = { name = "t", input = { n = nan } }\n',
            "nan is not a JSON number",
        ),
        (
            "r.toml",
            '[[rules]]\ncontains = "x"\ntool_use = { name = "t", input = { n = inf } }\n',
            "inf is not a JSON number",
        ),
        (
            "r.json",
            '{"rules": [{"contains": "x", "tool_use": {"name": "t", "input": {"n": NaN}}}]}',
            "NaN is not a JSON value",
        ),
        (
            "r.json",
            '{"rules": [{"contains": "x", "tool_use": {"name": "t", "input": {"n": -Infinity}}}]}',
            "-Infinity is not a JSON value",
        ),
        ("r.toml", '[[rules]]\ncontains = "x"\ntool_use = { name = "t", id = 12345 }\n', "tool_use.id must be a"),
        ("r.toml", '[[rules]]\ncontains = "x"\ntool_use = { name = "t", input = [1] }\n', "tool_use.input must be"),
        ("r.toml", '[[rules]]\nregex = "(unclosed"\n', "does not compile"),
        ("r.toml", '[[rules]]\ncontains = "x"\noperation = 3\n', "operation must be a string"),
        ("r.toml", '[[rules]]\ncontains = "x"\nerror = 3\n', "error must be the name"),
        ("r.toml", '[[rules]]\ncontains = "x"\nmessage = 3\n', "message must be a string"),
        ("r.json", '{"rules": [5]}', "must be a list of tables"),
        ("r.json", '{"rules": {"contains": "x"}}', "must be a list of tables"),
        ("r.json", '{"queue": [{"text": ["x"]}]}', "queue[0]: text must be a string"),
        ("r.json", "[" * 100_000 + "]" * 100_000, "nested too deeply"),
        (
            "r.json",
            '{"rules": [{"contains": "x", "tool_use": {"name": "t", "input": {"x": ' + "[" * 200 + "]" * 200 + "}}}]}",
            "nested deeper than",
        ),
    ],
)
def test_a_rules_file_value_that_cannot_be_served_is_refused_at_load(tmp_path, name, text, says):
    with pytest.raises(ValueError) as caught:
        load_rules_file(write(tmp_path, name, text))
    assert says in str(caught.value)
    assert "\n" not in str(caught.value)


def test_a_rules_file_larger_than_its_bound_is_refused_without_reading_it_whole(tmp_path):
    with pytest.raises(ValueError, match="larger than 16 MiB"):
        load_rules_file(Path("/dev/zero"))


def test_the_python_api_refuses_what_a_rules_file_would():
    with pytest.raises(ValueError, match=r"tool_use\.id must be"):
        ToolCall("t", {}, 12345)  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="is not a JSON number"):
        ToolCall("t", {"n": float("nan")})
    with pytest.raises(ValueError, match="does not compile"):
        Rule(Reply(text="x"), regex="(unclosed")
    with pytest.raises(ValueError, match="contains must be a string"):
        Rule(Reply(text="x"), contains=5)  # type: ignore[arg-type]
    with Stub() as stub, pytest.raises(ValueError, match="has no JSON form"):
        stub.add_rule(contains="x", tool_use={"name": "t", "input": {"s": {1, 2}}})


def test_a_valid_rules_file_still_loads(tmp_path):
    path = write(
        tmp_path,
        "r.toml",
        '[[rules]]\nregex = "(?i)forecast"\ntool_use = { name = "get_weather", input = { city = "Paris", n = 1.5 } }\n'
        '[[queue]]\ntext = "first"\n',
    )
    rules, queue = load_rules_file(path)
    assert rules[0].matches(Turn("The FORECAST?", "The FORECAST?"), "Converse")
    assert rules[0].reply.tool_use == ToolCall("get_weather", {"city": "Paris", "n": 1.5})
    assert queue == [Reply(text="first")]
