"""Tool choice, strict tools, structured output and rules for agent loops, through boto3 and the raw wire."""

from __future__ import annotations

import json
from pathlib import Path

import httpx
import pytest
from bedrock_stub.replies import load_rules_file
from bedrock_stub.schemas import instance_for
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from jsonschema import Draft202012Validator

from tests.helpers import anthropic_bedrock_client, examples, messages_body, signed_headers

SONNET_4 = "us.anthropic.claude-sonnet-4-20250514-v1:0"
USER = [{"role": "user", "content": [{"text": "What is the weather in Paris?"}]}]
WEATHER_SCHEMA = {
    "type": "object",
    "properties": {"city": {"type": "string"}, "days": {"type": "integer", "minimum": 1, "maximum": 7}},
    "required": ["city"],
    "additionalProperties": False,
}
CITY_SCHEMA = {
    "type": "object",
    "properties": {
        "name": {"type": "string", "minLength": 2},
        "population": {"type": "integer", "exclusiveMinimum": 0},
        "country": {"anyOf": [{"$ref": "#/$defs/Country"}, {"type": "null"}]},
        "tags": {"type": "array", "items": {"enum": ["capital", "port"]}, "minItems": 1},
    },
    "required": ["name", "population", "country", "tags"],
    "$defs": {"Country": {"type": "object", "properties": {"code": {"type": "string", "pattern": "^[A-Z]{2}$"}}}},
}


def tools(*names: str, strict: bool = False, choice: dict | None = None) -> dict:
    config: dict = {
        "tools": [
            {
                "toolSpec": {
                    "name": name,
                    "inputSchema": {"json": WEATHER_SCHEMA},
                    **({"strict": True} if strict else {}),
                }
            }
            for name in names
        ]
    }
    if choice is not None:
        config["toolChoice"] = choice
    return config


def text_format(schema: dict) -> dict:
    return {"textFormat": {"type": "json_schema", "structure": {"jsonSchema": {"schema": json.dumps(schema)}}}}


def post(stub, body: dict, segment: str = "converse", http: httpx.Client | None = None) -> httpx.Response:
    path = f"/model/{SONNET_4}/{segment}"
    raw = json.dumps(body).encode()
    return (http or httpx).post(stub.url + path, content=raw, headers=signed_headers(stub.url + path, raw))


# Forced tool choice


@pytest.mark.parametrize(("choice", "called"), [({"any": {}}, "first_tool"), ({"tool": {"name": "second"}}, "second")])
def test_a_forced_tool_is_called_with_input_from_its_schema(stub, client, choice, called):
    stub.add_rule(contains="weather", text="Text the forced call leaves out.")
    response = client.converse(modelId=SONNET_4, messages=USER, toolConfig=tools("first_tool", "second", choice=choice))
    assert response["stopReason"] == "tool_use"
    (block,) = response["output"]["message"]["content"]
    assert block["toolUse"]["name"] == called
    assert Draft202012Validator(WEATHER_SCHEMA).is_valid(block["toolUse"]["input"])


def test_a_forced_tool_call_a_rule_scripts_goes_out_as_scripted(stub, client):
    stub.add_rule(contains="weather", tool_use={"name": "get_weather", "input": {"city": "Lyon", "days": 3}})
    events = list(
        client.converse_stream(modelId=SONNET_4, messages=USER, toolConfig=tools("get_weather", choice={"any": {}}))[
            "stream"
        ]
    )
    pieces = "".join(e["contentBlockDelta"]["delta"]["toolUse"]["input"] for e in events if "contentBlockDelta" in e)
    assert json.loads(pieces) == {"city": "Lyon", "days": 3}
    assert events[-2]["messageStop"]["stopReason"] == "tool_use"


def test_invoke_model_answers_a_forced_tool_choice_with_tool_use(stub, client):
    body = messages_body(
        "weather?",
        tools=[{"name": "get_weather", "input_schema": WEATHER_SCHEMA}],
        tool_choice={"type": "tool", "name": "get_weather"},
    )
    reply = json.loads(client.invoke_model(modelId=SONNET_4, body=body)["body"].read())
    assert reply["stop_reason"] == "tool_use"
    assert [block["type"] for block in reply["content"]] == ["tool_use"]
    assert Draft202012Validator(WEATHER_SCHEMA).is_valid(reply["content"][0]["input"])


def test_a_strict_tools_scripted_input_must_fit_its_schema(stub, client):
    stub.add_rule(contains="weather", tool_use={"name": "get_weather", "input": {"city": "Paris", "days": 30}})
    with pytest.raises(client.exceptions.ModelErrorException) as caught:
        client.converse(modelId=SONNET_4, messages=USER, toolConfig=tools("get_weather", strict=True))
    assert "at days: 30 is greater than the maximum of 7" in caught.value.response["Error"]["Message"]
    loose = client.converse(modelId=SONNET_4, messages=USER, toolConfig=tools("get_weather"))
    assert loose["output"]["message"]["content"][0]["toolUse"]["input"] == {"city": "Paris", "days": 30}


# Structured output


def test_structured_output_without_a_script_is_json_of_the_schema(stub, client):
    response = client.converse(modelId=SONNET_4, messages=USER, outputConfig=text_format(CITY_SCHEMA))
    document = json.loads(response["output"]["message"]["content"][0]["text"])
    assert Draft202012Validator(CITY_SCHEMA).is_valid(document)


def test_a_scripted_structured_output_goes_out_when_it_fits(stub, client):
    scripted = {"name": "Paris", "population": 2100000, "country": {"code": "FR"}, "tags": ["capital"]}
    stub.queue_reply(json.dumps(scripted))
    response = client.converse(modelId=SONNET_4, messages=USER, outputConfig=text_format(CITY_SCHEMA))
    assert json.loads(response["output"]["message"]["content"][0]["text"]) == scripted
    stub.queue_reply(json.dumps({**scripted, "tags": []}))
    with pytest.raises(client.exceptions.ModelErrorException) as caught:
        client.converse(modelId=SONNET_4, messages=USER, outputConfig=text_format(CITY_SCHEMA))
    assert "at tags: [] should be non-empty" in caught.value.response["Error"]["Message"]


# What Bedrock refuses

REFUSED = [
    (
        {"toolConfig": {"tools": [{"toolSpec": {"name": "t", "inputSchema": {"json": {"type": "string"}}}}]}},
        "The value at toolConfig.tools.0.toolSpec.inputSchema.json.type must be one of the following: object.",
    ),
    (
        {
            "toolConfig": {
                "tools": [
                    {
                        "toolSpec": {
                            "name": "t",
                            "inputSchema": {"json": {"type": "object", "properties": {"a": {"type": "nope"}}}},
                        }
                    }
                ]
            }
        },
        "The model returned the following errors: tools.0.custom.input_schema: JSON schema is invalid. It must match "
        "JSON Schema draft 2020-12 (https://json-schema.org/draft/2020-12). Learn more about tool use at "
        "https://docs.claude.com/en/docs/tool-use.",
    ),
    (
        {"toolConfig": tools("a", choice={"tool": {"name": "b"}})},
        "The model returned the following errors: Tool 'b' not found in provided tools",
    ),
    (
        {"outputConfig": {"textFormat": {"type": "json_schema", "structure": {"jsonSchema": {"schema": "{not json"}}}}},
        "The value at outputConfig.textFormat.structure.jsonSchema.schema is not valid JSON.",
    ),
    (
        {"outputConfig": text_format({"type": "object", "required": "name"})},
        "The model returned the following errors: output_format.schema: JSON schema is invalid. It must match JSON "
        "Schema draft 2020-12 (https://json-schema.org/draft/2020-12). Learn more about tool use at "
        "https://docs.claude.com/en/docs/tool-use.",
    ),
    (
        {
            "toolConfig": tools("a", choice={"any": {}}),
            "inferenceConfig": {"maxTokens": 4000},
            "additionalModelRequestFields": {"thinking": {"type": "enabled", "budget_tokens": 2000}},
        },
        "The model returned the following errors: Thinking may not be enabled when tool_choice forces tool use.",
    ),
]


@pytest.mark.parametrize(("extra", "message"), REFUSED)
def test_malformed_tools_and_formats_get_bedrocks_400(stub, extra, message):
    response = post(stub, {"messages": USER, **extra})
    assert (response.status_code, response.json()["message"]) == (400, message)


@settings(max_examples=examples(80), deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    schema=st.recursive(
        st.one_of(st.none(), st.booleans(), st.integers(), st.text(max_size=6)),
        lambda children: st.one_of(
            st.lists(children, max_size=3),
            st.dictionaries(
                st.sampled_from(["type", "properties", "required", "items", "enum", "$ref", "pattern", "minimum"]),
                children,
                max_size=4,
            ),
        ),
        max_leaves=12,
    ),
    choice=st.one_of(st.none(), st.sampled_from([{"any": {}}, {"auto": {}}, {"tool": {"name": "t"}}, {"x": 1}, 3])),
)
def test_any_schema_or_choice_gets_200_or_400(stub, http, schema, choice):
    config: dict = {"tools": [{"toolSpec": {"name": "t", "inputSchema": {"json": schema}}}]}
    if choice is not None:
        config["toolChoice"] = choice
    for body in (
        {"messages": USER, "toolConfig": config},
        {"messages": USER, "outputConfig": {"textFormat": text_format(schema)["textFormat"]}},
    ):
        response = post(stub, body, http=http)
        if response.status_code == 424:  # the stub could not build a value for a schema it accepted
            assert response.json()["message"].startswith("The stub could not build"), response.text
            continue
        assert response.status_code in (200, 400), response.text
        if response.status_code == 200 and "outputConfig" in body:
            Draft202012Validator(schema).validate(
                json.loads(response.json()["output"]["message"]["content"][0]["text"])
            )


def test_generated_instances_validate_against_common_schemas():
    for schema in (WEATHER_SCHEMA, CITY_SCHEMA, {"type": "object"}, {"type": ["string", "null"], "format": "date"}):
        assert Draft202012Validator(schema).is_valid(instance_for(schema)), schema


# Rules for agent loops


def test_an_agent_loop_ends_when_the_tool_result_comes_back(stub, client):
    # First match wins: the answer to the tool's result comes first, as the result may hold the question's words.
    stub.add_rule(after_tool_result=True, text="Sunny in Paris, 21 °C.")
    stub.add_rule(contains="weather", tool_use={"name": "get_weather", "input": {"city": "Paris"}})
    config = tools("get_weather")
    messages = list(USER)
    first = client.converse(modelId=SONNET_4, messages=messages, toolConfig=config)["output"]["message"]
    call = first["content"][0]["toolUse"]
    assert (call["name"], call["input"]) == ("get_weather", {"city": "Paris"})
    result = {"toolResult": {"toolUseId": call["toolUseId"], "content": [{"text": "21 °C, clear, weather fine"}]}}
    messages += [first, {"role": "user", "content": [result]}]
    second = client.converse(modelId=SONNET_4, messages=messages, toolConfig=config)
    assert second["stopReason"] == "end_turn"
    assert second["output"]["message"]["content"] == [{"text": "Sunny in Paris, 21 °C."}]


def test_the_latest_turn_decides_so_a_tool_rule_stops_once_the_result_is_back(stub, client):
    stub.add_rule(contains="Paris", tool_use={"name": "get_weather", "input": {"city": "Paris"}})
    config = tools("get_weather")
    first = client.converse(modelId=SONNET_4, messages=USER, toolConfig=config)["output"]["message"]
    result = {"toolResult": {"toolUseId": first["content"][0]["toolUse"]["toolUseId"], "content": [{"text": "21"}]}}
    messages = [*USER, first, {"role": "user", "content": [result]}]
    second = client.converse(modelId=SONNET_4, messages=messages, toolConfig=config)
    assert (second["stopReason"], second["output"]["message"]["content"]) == ("end_turn", [{"text": stub.reply}])
    stub.reset()
    stub.add_rule(contains="Paris", text="whole conversation", match="conversation")
    third = client.converse(modelId=SONNET_4, messages=messages, toolConfig=config)
    assert third["output"]["message"]["content"] == [{"text": "whole conversation"}]


def test_the_readmes_rules_file_runs_a_tool_round_trip(stub, client, tmp_path):
    guide = (Path(__file__).parent.parent / "docs" / "stub.md").read_text(encoding="utf-8")
    example = guide.split("**A rules file**", 1)[1].split("```toml\n", 1)[1].split("```", 1)[0]
    rules_file = tmp_path / "rules.toml"
    rules_file.write_text(example, encoding="utf-8")
    rules, _ = load_rules_file(rules_file)
    for rule in rules:
        stub.state.replies.add_rule(rule)
    config = tools("get_weather")
    first = client.converse(modelId=SONNET_4, messages=USER, toolConfig=config)["output"]["message"]
    call = first["content"][0]["toolUse"]
    assert (call["name"], call["input"]) == ("get_weather", {"city": "Paris"})
    result = {"toolResult": {"toolUseId": call["toolUseId"], "content": [{"json": {"celsius": 21}}]}}
    second = client.converse(
        modelId=SONNET_4, messages=[*USER, first, {"role": "user", "content": [result]}], toolConfig=config
    )
    assert second["output"]["message"]["content"] == [{"text": "Sunny in Paris, 21 °C."}]


def test_the_anthropic_sdks_output_config_format_gets_json_of_its_schema(stub):
    client = anthropic_bedrock_client(stub.url)
    from anthropic import BadRequestError

    output_config = {"format": {"type": "json_schema", "schema": CITY_SCHEMA}, "effort": "low"}
    scripted = {"name": "Oslo", "population": 700000, "country": None, "tags": ["port"]}
    stub.queue_reply(json.dumps(scripted))

    def create():
        return client.messages.create(
            model=SONNET_4,
            max_tokens=512,
            messages=[{"role": "user", "content": "A city?"}],
            output_config=output_config,
        )

    assert json.loads(create().content[0].text) == scripted
    generated = json.loads(create().content[0].text)
    assert Draft202012Validator(CITY_SCHEMA).is_valid(generated)
    output_config["effort"] = "enormous"
    with pytest.raises(BadRequestError, match="effort: enormous is not a valid enum value"):
        create()
