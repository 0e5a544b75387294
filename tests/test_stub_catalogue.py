"""The model catalogue: ids, profiles and ARNs resolve as on Bedrock, profile-only models refuse their base id."""

from __future__ import annotations

import json

import pytest
from bedrock_stub import CATALOGUE, Stub, cli

from tests.helpers import HAIKU, bedrock_client, messages_body

# Written out here from the sources the catalogue cites, so that a slip in the catalogue shows.
MAX_OUTPUT_TOKENS = {
    "anthropic.claude-3-haiku-20240307-v1:0": 4096,
    "anthropic.claude-3-sonnet-20240229-v1:0": 4096,
    "anthropic.claude-3-opus-20240229-v1:0": 4096,
    "anthropic.claude-3-5-haiku-20241022-v1:0": 8192,
    "anthropic.claude-3-5-sonnet-20240620-v1:0": 8192,
    "anthropic.claude-3-5-sonnet-20241022-v2:0": 8192,
    "anthropic.claude-3-7-sonnet-20250219-v1:0": 64000,
    "anthropic.claude-sonnet-4-20250514-v1:0": 64000,
    "anthropic.claude-opus-4-20250514-v1:0": 32000,
    "anthropic.claude-opus-4-1-20250805-v1:0": 32000,
    "anthropic.claude-sonnet-4-5-20250929-v1:0": 64000,
    "anthropic.claude-haiku-4-5-20251001-v1:0": 64000,
    "anthropic.claude-opus-4-5-20251101-v1:0": 64000,
    "anthropic.claude-opus-4-6-v1": 128000,
    "anthropic.claude-sonnet-4-6": 64000,
    "anthropic.claude-opus-4-7": 128000,
    "anthropic.claude-opus-4-8": 128000,
    "anthropic.claude-sonnet-5": 128000,
    "anthropic.claude-opus-5": 128000,
    "anthropic.claude-fable-5": 128000,
    "anthropic.claude-fable-5-1": 128000,
    "anthropic.claude-opus-5-5": 128000,
    "anthropic.claude-sonnet-5-5": 128000,
    "anthropic.claude-haiku-5-5": 128000,
    "anthropic.claude-fable-5-2": 128000,
    "anthropic.claude-v2": 4096,
    "anthropic.claude-v2:1": 4096,
    "anthropic.claude-instant-v1": 4096,
}
ON_DEMAND = {
    "anthropic.claude-3-haiku-20240307-v1:0",
    "anthropic.claude-3-sonnet-20240229-v1:0",
    "anthropic.claude-3-5-sonnet-20240620-v1:0",
    "anthropic.claude-v2",
    "anthropic.claude-v2:1",
    "anthropic.claude-instant-v1",
}
MESSAGES_MODELS = [model for model in CATALOGUE if model.messages]


def test_the_catalogue_holds_the_current_claude_models_with_their_limits():
    assert {model.model_id: model.max_output_tokens for model in CATALOGUE} == MAX_OUTPUT_TOKENS
    assert {model.model_id for model in CATALOGUE if not model.profile_only} == ON_DEMAND


def callable_id(model) -> str:
    return model.model_id if not model.profile_only else f"{model.profiles[0]}.{model.model_id}"


def body_for(model, **extra) -> str:
    if model.text_completions:
        return json.dumps({"prompt": "\n\nHuman: Hi\n\nAssistant:", "max_tokens_to_sample": 50, **extra})
    return messages_body(**extra)


@pytest.mark.parametrize("model", CATALOGUE, ids=lambda model: model.model_id)
def test_every_model_answers_invoke_model_and_converse_by_its_callable_id(stub, client, model):
    stub.reply = f"reply of {model.title}"
    reply = json.loads(client.invoke_model(modelId=callable_id(model), body=body_for(model))["body"].read())
    text = reply["completion"] if model.text_completions else reply["content"][0]["text"]
    assert text == f"reply of {model.title}"
    if not model.text_completions:
        assert reply["model"] == model.name
    response = client.converse(modelId=callable_id(model), messages=[{"role": "user", "content": [{"text": "hi"}]}])
    assert response["output"]["message"]["content"] == [{"text": f"reply of {model.title}"}]


@pytest.mark.parametrize("model", [m for m in CATALOGUE if m.profile_only], ids=lambda model: model.model_id)
def test_a_profile_only_model_refuses_its_base_id_and_foundation_arn(client, model):
    expected = (
        f"Invocation of model ID {model.model_id} with on-demand throughput isn't supported. Retry your request "
        "with the ID or ARN of an inference profile that contains this model."
    )
    for model_id in (model.model_id, f"arn:aws:bedrock:us-east-1::foundation-model/{model.model_id}"):
        with pytest.raises(client.exceptions.ValidationException) as caught:
            client.invoke_model(modelId=model_id, body=body_for(model))
        assert caught.value.response["Error"]["Message"] == expected
        with pytest.raises(client.exceptions.ValidationException) as caught:
            client.converse(modelId=model_id, messages=[{"role": "user", "content": [{"text": "hi"}]}])
        assert caught.value.response["Error"]["Message"] == expected


def test_a_profile_only_model_answers_through_profile_ids_and_profile_arns(stub, client):
    sonnet_4 = "anthropic.claude-sonnet-4-20250514-v1:0"
    for model_id in (
        f"us.{sonnet_4}",
        f"eu.{sonnet_4}",
        f"apac.{sonnet_4}",
        f"global.{sonnet_4}",
        f"arn:aws:bedrock:us-east-1:123456789012:inference-profile/us.{sonnet_4}",
    ):
        client.invoke_model(modelId=model_id, body=messages_body())
        assert stub.journal.entries()[-1].status == 200, model_id


@pytest.mark.parametrize(
    "model_id",
    [
        "global.anthropic.claude-3-haiku-20240307-v1:0",  # Claude 3 Haiku has no global profile
        "apac.anthropic.claude-opus-4-1-20250805-v1:0",  # Opus 4.1 is us. only
        "xx.anthropic.claude-3-haiku-20240307-v1:0",
        "arn:aws:bedrock:us-east-1:123456789012:inference-profile/anthropic.claude-3-haiku-20240307-v1:0",
        "anthropic.claude-9",
        # Ids clients made up for the dateless generation; AWS's model cards name neither.
        "us.anthropic.claude-opus-4-7-v1",
        "apac.anthropic.claude-opus-4-7",
        "us.anthropic.claude-sonnet-4-6-v1:0",
        "eu.anthropic.claude-sonnet-5",
    ],
)
def test_ids_bedrock_does_not_know_are_invalid(client, model_id):
    with pytest.raises(client.exceptions.ValidationException) as caught:
        client.invoke_model(modelId=model_id, body=messages_body())
    assert caught.value.response["Error"]["Message"] == "The provided model identifier is invalid."


@pytest.mark.parametrize("model_id", sorted(ON_DEMAND - {"anthropic.claude-3-5-sonnet-20240620-v1:0"}))
def test_the_samples_models_answer_on_demand_by_base_id(stub, client, model_id):
    model = next(model for model in CATALOGUE if model.model_id == model_id)
    client.invoke_model(modelId=model_id, body=body_for(model))
    assert stub.journal.entries()[-1].status == 200


@pytest.mark.parametrize("model", MESSAGES_MODELS, ids=lambda model: model.model_id)
def test_max_tokens_above_the_models_limit_is_refused_in_both_apis(stub, client, model):
    limit = MAX_OUTPUT_TOKENS[model.model_id]
    body = json.loads(messages_body())
    body["max_tokens"] = limit + 1
    with pytest.raises(client.exceptions.ValidationException) as caught:
        client.invoke_model(modelId=callable_id(model), body=json.dumps(body))
    assert caught.value.response["Error"]["Message"] == (
        f"max_tokens: {limit + 1} > {limit}, which is the maximum allowed number of output tokens for {model.name}"
    )
    with pytest.raises(client.exceptions.ValidationException) as caught:
        client.converse(
            modelId=callable_id(model),
            messages=[{"role": "user", "content": [{"text": "hi"}]}],
            inferenceConfig={"maxTokens": limit + 1},
        )
    assert f"exceeds the model limit of {limit}." in caught.value.response["Error"]["Message"]
    body["max_tokens"] = limit
    client.invoke_model(modelId=callable_id(model), body=json.dumps(body))
    assert stub.journal.entries()[-1].status == 200


def test_count_tokens_takes_a_profile_only_models_base_id(client):
    response = client.count_tokens(
        modelId="anthropic.claude-sonnet-4-5-20250929-v1:0",
        input={"converse": {"messages": [{"role": "user", "content": [{"text": "abcdefgh"}]}]}},
    )
    assert response["inputTokens"] == 2


def test_a_stub_without_the_model_calls_it_invalid():
    others = [model for model in CATALOGUE if model.model_id != HAIKU]
    with Stub(models=others) as narrow:
        narrow_client = bedrock_client(narrow.url)
        with pytest.raises(narrow_client.exceptions.ValidationException, match="model identifier is invalid"):
            narrow_client.converse(modelId=HAIKU, messages=[{"role": "user", "content": [{"text": "hi"}]}])


def test_strands_agents_default_model_id_is_served(stub, client):
    # strands-agents' `Agent()` calls this inference profile through ConverseStream when no model is given.
    stub.reply = "from Sonnet 4.6"
    response = client.converse_stream(
        modelId="global.anthropic.claude-sonnet-4-6", messages=[{"role": "user", "content": [{"text": "hi"}]}]
    )
    text = "".join(
        event["contentBlockDelta"]["delta"]["text"] for event in response["stream"] if "contentBlockDelta" in event
    )
    assert text == "from Sonnet 4.6"
    assert stub.journal.entries()[-1].status == 200


MODELS_FILE = {
    "models": [
        {
            "model_id": "anthropic.claude-opus-5-5",
            "title": "Claude Opus 5.5",
            "max_output_tokens": 128000,
            "profiles": ["global", "us", "ca"],
            "profile_only": True,
        },
        {"model_id": "anthropic.claude-sonnet-4-6", "max_output_tokens": 1000},
    ]
}


@pytest.mark.parametrize("suffix", [".json", ".toml"])
def test_a_models_file_adds_a_model_and_overrides_a_field(tmp_path, suffix):
    path = tmp_path / f"models{suffix}"
    if suffix == ".json":
        path.write_text(json.dumps(MODELS_FILE))
    else:
        pytest.importorskip("tomllib", reason="TOML models files need Python 3.11's tomllib")
        path.write_text(
            '[[models]]\nmodel_id = "anthropic.claude-opus-5-5"\ntitle = "Claude Opus 5.5"\n'
            'max_output_tokens = 128000\nprofiles = ["global", "us", "ca"]\nprofile_only = true\n\n'
            '[[models]]\nmodel_id = "anthropic.claude-sonnet-4-6"\nmax_output_tokens = 1000\n'
        )
    with Stub(models=path, reply="from the file") as running:
        client = bedrock_client(running.url)
        for model_id in ("global.anthropic.claude-opus-5-5", "ca.anthropic.claude-opus-5-5"):
            reply = json.loads(client.invoke_model(modelId=model_id, body=messages_body())["body"].read())
            assert (reply["model"], reply["content"][0]["text"]) == ("claude-opus-5-5", "from the file")
        with pytest.raises(client.exceptions.ValidationException, match="on-demand throughput"):
            client.invoke_model(modelId="anthropic.claude-opus-5-5", body=messages_body())
        with pytest.raises(client.exceptions.ValidationException, match="model identifier is invalid"):
            client.invoke_model(modelId="eu.anthropic.claude-opus-5-5", body=messages_body())
        # The override changed the limit and kept the rest of the entry (its profiles).
        with pytest.raises(client.exceptions.ValidationException, match=r"max_tokens: 1001 > 1000"):
            client.invoke_model(modelId="jp.anthropic.claude-sonnet-4-6", body=messages_body(max_tokens=1001))
        # Every other model of the catalogue is still served.
        client.invoke_model(modelId=HAIKU, body=messages_body())


@pytest.mark.parametrize(
    ("document", "complaint"),
    [
        ({"model": []}, "one key, `models`"),
        ({"models": [{"max_output_tokens": 5}]}, "`model_id` string"),
        ({"models": [{"model_id": "claude new"}]}, "is not a model id"),
        ({"models": [{"model_id": "anthropic.x", "max_output_tokens": 5, "colour": "red"}]}, "unknown fields"),
        ({"models": [{"model_id": "anthropic.x"}]}, "needs `max_output_tokens`"),
        ({"models": [{"model_id": "anthropic.x", "max_output_tokens": "5"}]}, "whole number"),
        ({"models": [{"model_id": "anthropic.x", "max_output_tokens": 5, "profiles": "us"}]}, "list of prefixes"),
        ({"models": [{"model_id": "anthropic.x", "max_output_tokens": 5, "profile_only": "yes"}]}, "true or false"),
    ],
)
def test_a_broken_models_file_is_refused_by_the_command_with_one_line(tmp_path, capsys, document, complaint):
    path = tmp_path / "models.json"
    path.write_text(json.dumps(document))
    assert cli.main(["--models", str(path)]) == 2
    error = capsys.readouterr().err
    assert error.startswith(f"error: --models {path}: ") and complaint in error and error.count("\n") == 1
