"""Agent frameworks from PyPI against the stub: strands-agents, pydantic-ai and LangChain's ChatBedrockConverse.

Each reaches the stub only through the standard AWS configuration (AWS_ENDPOINT_URL_BEDROCK_RUNTIME, credentials,
region), as a user's code would, and each test fails if what the framework parsed differs from what the stub was
told to answer.
"""

from __future__ import annotations

import pytest
from bedrock_stub import EXAMPLE_ACCESS_KEY_ID, EXAMPLE_SECRET_ACCESS_KEY
from jsonschema import Draft202012Validator

SONNET_4 = "us.anthropic.claude-sonnet-4-20250514-v1:0"
# pydantic-ai offers NativeOutput (Converse's outputConfig) from the 4.5 models on.
SONNET_45 = "us.anthropic.claude-sonnet-4-5-20250929-v1:0"


@pytest.fixture
def aws_env(stub, monkeypatch):
    for name, value in {
        "AWS_ENDPOINT_URL_BEDROCK_RUNTIME": stub.url,
        "AWS_ACCESS_KEY_ID": EXAMPLE_ACCESS_KEY_ID,
        "AWS_SECRET_ACCESS_KEY": EXAMPLE_SECRET_ACCESS_KEY,
        "AWS_REGION": "us-east-1",
        "AWS_DEFAULT_REGION": "us-east-1",
        "AWS_MAX_ATTEMPTS": "1",
    }.items():
        monkeypatch.setenv(name, value)
    for name in ("AWS_SESSION_TOKEN", "AWS_PROFILE", "AWS_BEARER_TOKEN_BEDROCK"):
        monkeypatch.delenv(name, raising=False)
    return stub


# strands-agents


def test_strands_default_agent_answers_with_the_stubs_reply(aws_env):
    strands = pytest.importorskip("strands", reason="needs strands-agents (the test group of pyproject.toml)")
    aws_env.queue_reply("Hello from the stub.")
    result = strands.Agent(callback_handler=None)("Say hello.")
    assert str(result).strip() == "Hello from the stub."
    (entry,) = aws_env.journal.entries()
    assert (entry.operation, entry.status) == ("ConverseStream", 200)
    # The default Agent() calls the model its release names, whatever that is: the stub must know it.
    from strands.models.bedrock import DEFAULT_BEDROCK_MODEL_ID

    assert entry.model_id == DEFAULT_BEDROCK_MODEL_ID


def test_strands_agent_runs_its_tool_and_ends_with_the_scripted_answer(aws_env):
    strands = pytest.importorskip("strands", reason="needs strands-agents (the test group of pyproject.toml)")
    calls = []

    @strands.tool
    def get_weather(city: str) -> str:
        """The weather in a city."""
        calls.append(city)
        return f"21 degrees and clear in {city}"

    aws_env.add_rule(after_tool_result=True, text="It is 21 degrees and clear in Lyon.")
    aws_env.add_rule(contains="weather", tool_use={"name": "get_weather", "input": {"city": "Lyon"}})
    agent = strands.Agent(model=SONNET_4, tools=[get_weather], callback_handler=None)
    result = agent("What is the weather in Lyon?")
    assert calls == ["Lyon"]
    assert (str(result).strip(), result.stop_reason) == ("It is 21 degrees and clear in Lyon.", "end_turn")
    assert [entry.status for entry in aws_env.journal.entries()] == [200, 200]


# pydantic-ai


def _city_model():
    from pydantic import BaseModel

    class City(BaseModel):
        name: str
        population: int

    return City


def test_pydantic_ai_structured_output_type_gets_the_scripted_value(aws_env):
    pytest.importorskip("pydantic_ai", reason="needs pydantic-ai-slim[bedrock] (the test group of pyproject.toml)")
    from pydantic_ai import Agent
    from pydantic_ai.models.bedrock import BedrockConverseModel

    city = _city_model()
    aws_env.add_rule(contains="France", tool_use={"name": "final_result", "input": {"name": "Paris", "population": 7}})
    result = Agent(BedrockConverseModel(SONNET_4), output_type=city).run_sync("Biggest city in France?")
    assert result.output == city(name="Paris", population=7)


def test_pydantic_ai_structured_output_without_a_script_fits_the_type(aws_env):
    pytest.importorskip("pydantic_ai", reason="needs pydantic-ai-slim[bedrock] (the test group of pyproject.toml)")
    from pydantic_ai import Agent
    from pydantic_ai.models.bedrock import BedrockConverseModel

    city = _city_model()
    result = Agent(BedrockConverseModel(SONNET_4), output_type=city).run_sync("Biggest city in France?")
    sent = aws_env.journal.entries()[-1].body
    # The forced tool call was generated from the schema the framework sent; pydantic validated what came back.
    assert '"toolChoice": {"any": {}}' in sent
    assert isinstance(result.output, city)


def test_pydantic_ai_native_output_uses_output_config(aws_env):
    pytest.importorskip("pydantic_ai", reason="needs pydantic-ai-slim[bedrock] (the test group of pyproject.toml)")
    from pydantic_ai import Agent, NativeOutput
    from pydantic_ai.models.bedrock import BedrockConverseModel

    city = _city_model()
    aws_env.queue_reply('{"name": "Lyon", "population": 5}')
    result = Agent(BedrockConverseModel(SONNET_45), output_type=NativeOutput(city)).run_sync("A city in France?")
    assert result.output == city(name="Lyon", population=5)
    assert '"outputConfig"' in aws_env.journal.entries()[-1].body


# LangChain


def test_langchain_bind_tools_parses_the_scripted_tool_call(aws_env):
    pytest.importorskip("langchain_aws", reason="needs langchain-aws (the test group of pyproject.toml)")
    from langchain_aws import ChatBedrockConverse
    from langchain_core.tools import tool

    @tool
    def get_weather(city: str) -> str:
        """The weather in a city."""
        return "sunny"

    aws_env.add_rule(contains="weather", tool_use={"name": "get_weather", "input": {"city": "Oslo"}, "id": "tooluse_7"})
    llm = ChatBedrockConverse(model=SONNET_4, region_name="us-east-1").bind_tools([get_weather])
    message = llm.invoke("What is the weather in Oslo?")
    assert [(call["name"], call["args"], call["id"]) for call in message.tool_calls] == [
        ("get_weather", {"city": "Oslo"}, "tooluse_7")
    ]
    forced = ChatBedrockConverse(model=SONNET_4, region_name="us-east-1").bind_tools(
        [get_weather], tool_choice="get_weather"
    )
    (call,) = forced.invoke("Anything at all.").tool_calls
    schema = get_weather.tool_call_schema.model_json_schema()
    assert call["name"] == "get_weather" and Draft202012Validator(schema).is_valid(call["args"])
