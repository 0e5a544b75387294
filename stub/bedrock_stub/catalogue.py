"""The Anthropic Claude models the stub serves, how their ids resolve, and which need an inference profile.

Facts, and where they come from:
- Base ids and maximum output tokens: Anthropic's models overview (platform.claude.com, "Models overview" and its
  legacy-models table) and AWS's model cards ("Supported foundation models in Amazon Bedrock"): Claude 3 Haiku,
  Sonnet and Opus 4,096; Claude 3.5 Haiku and both 3.5 Sonnets 8,192; Claude 3.7 Sonnet, Sonnet 4, Sonnet 4.5 and
  Haiku 4.5 64,000; Opus 4 and Opus 4.1 32,000; Opus 4.5 64,000; Claude 2.x and Instant 4,096 (their Text
  Completions `max_tokens_to_sample` ceiling). The Opus 4.5 id `anthropic.claude-opus-4-5-20251101-v1:0` is the one
  Anthropic's overview lists for Bedrock (Claude API id `claude-opus-4-5-20251101`) and that public Bedrock client
  configurations call as `global.`/`us.`/`eu.` profiles.
- Inference-profile prefixes per model: AWS's "Supported Regions and models for inference profiles" page (as of
  mid-2025: `us.` for every Claude 3.x/4 model; `eu.` for 3 Haiku, 3 Sonnet, 3.5 Sonnet, 3.7 Sonnet and Sonnet 4;
  `apac.` for 3 Haiku, 3 Sonnet, both 3.5 Sonnets, 3.7 Sonnet and Sonnet 4; `us-gov.` for 3 Haiku and 3.5 Sonnet),
  with the `global.` profiles AWS added from September 2025 (Sonnet 4, Sonnet 4.5, Haiku 4.5, Opus 4.5) and the
  `eu.` profiles of the 4.5 models. A prefix a model does not have is an unknown model id, as on Bedrock.
- Models served only through inference profiles: calling their base id (or foundation-model ARN) answers
  ValidationException "Invocation of model ID <id> with on-demand throughput isn't supported. Retry your request
  with the ID or ARN of an inference profile that contains this model." Reported for Claude 3 Opus, 3.5 Haiku,
  3.5 Sonnet v2, 3.7 Sonnet, Sonnet 4, Opus 4, 4.1 and the 4.5 models in many public client repositories and
  issue trackers; Claude 3 Haiku, Claude 3 Sonnet, Claude 3.5 Sonnet (20240620) and Claude 2.x/Instant answer on
  demand in us-east-1 (the harness's region). The rule holds for the inference operations; CountTokens does not
  invoke the model and takes either form.
- Extended thinking (`thinking: {"type": "enabled", "budget_tokens": N}`): Claude 3.7 Sonnet and the Claude 4
  family (Sonnet 4, Opus 4, Opus 4.1, Sonnet 4.5, Haiku 4.5, Opus 4.5), per Anthropic's "Building with extended
  thinking" page ("Supported models") and AWS's "Extended thinking" section of the Bedrock user guide's Anthropic
  Claude parameters. Older models do not know the key and refuse it as any unknown key.
- ARNs: `arn:aws:bedrock:<region>::foundation-model/<base id>` and
  `arn:aws:bedrock:<region>:<account>:inference-profile/<profile id>`, as the service model's
  `ConversationalModelId` pattern spells them.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

from .errors import validation_error
from .operations import COUNT_TOKENS

INVALID_MODEL_ID = "The provided model identifier is invalid."
ON_DEMAND_UNSUPPORTED = (
    "Invocation of model ID {model_id} with on-demand throughput isn't supported. "
    "Retry your request with the ID or ARN of an inference profile that contains this model."
)
PROFILE_PREFIXES = ("us", "eu", "apac", "global", "us-gov")
_ARN = re.compile(r"arn:aws(?:-[a-z-]+)?:bedrock:[a-z0-9-]*:\d{0,12}:(foundation-model|inference-profile)/(.+)")


@dataclass(frozen=True)
class Model:
    model_id: str
    name: str  # the `model` field of a Messages reply
    max_output_tokens: int
    text_completions: bool = False
    messages: bool = True
    profiles: tuple[str, ...] = ()  # inference-profile prefixes: `us` means `us.<model_id>` exists
    profile_only: bool = False  # the base id is refused on demand; call it through a profile
    title: str = ""
    thinking: bool = False  # accepts extended thinking


_US_EU_APAC = ("us", "eu", "apac")
CATALOGUE: tuple[Model, ...] = (
    Model(
        "anthropic.claude-3-haiku-20240307-v1:0",
        "claude-3-haiku-20240307",
        4096,
        profiles=(*_US_EU_APAC, "us-gov"),
        title="Claude 3 Haiku",
    ),
    Model(
        "anthropic.claude-3-sonnet-20240229-v1:0",
        "claude-3-sonnet-20240229",
        4096,
        profiles=_US_EU_APAC,
        title="Claude 3 Sonnet",
    ),
    Model(
        "anthropic.claude-3-opus-20240229-v1:0",
        "claude-3-opus-20240229",
        4096,
        profiles=("us",),
        profile_only=True,
        title="Claude 3 Opus",
    ),
    Model(
        "anthropic.claude-3-5-haiku-20241022-v1:0",
        "claude-3-5-haiku-20241022",
        8192,
        profiles=("us",),
        profile_only=True,
        title="Claude 3.5 Haiku",
    ),
    Model(
        "anthropic.claude-3-5-sonnet-20240620-v1:0",
        "claude-3-5-sonnet-20240620",
        8192,
        profiles=(*_US_EU_APAC, "us-gov"),
        title="Claude 3.5 Sonnet",
    ),
    Model(
        "anthropic.claude-3-5-sonnet-20241022-v2:0",
        "claude-3-5-sonnet-20241022",
        8192,
        profiles=("us", "apac"),
        profile_only=True,
        title="Claude 3.5 Sonnet v2",
    ),
    Model(
        "anthropic.claude-3-7-sonnet-20250219-v1:0",
        "claude-3-7-sonnet-20250219",
        64000,
        profiles=_US_EU_APAC,
        profile_only=True,
        title="Claude 3.7 Sonnet",
        thinking=True,
    ),
    Model(
        "anthropic.claude-sonnet-4-20250514-v1:0",
        "claude-sonnet-4-20250514",
        64000,
        profiles=(*_US_EU_APAC, "global"),
        profile_only=True,
        title="Claude Sonnet 4",
        thinking=True,
    ),
    Model(
        "anthropic.claude-opus-4-20250514-v1:0",
        "claude-opus-4-20250514",
        32000,
        profiles=("us",),
        profile_only=True,
        title="Claude Opus 4",
        thinking=True,
    ),
    Model(
        "anthropic.claude-opus-4-1-20250805-v1:0",
        "claude-opus-4-1-20250805",
        32000,
        profiles=("us",),
        profile_only=True,
        title="Claude Opus 4.1",
        thinking=True,
    ),
    Model(
        "anthropic.claude-sonnet-4-5-20250929-v1:0",
        "claude-sonnet-4-5-20250929",
        64000,
        profiles=("us", "eu", "global"),
        profile_only=True,
        title="Claude Sonnet 4.5",
        thinking=True,
    ),
    Model(
        "anthropic.claude-haiku-4-5-20251001-v1:0",
        "claude-haiku-4-5-20251001",
        64000,
        profiles=("us", "eu", "global"),
        profile_only=True,
        title="Claude Haiku 4.5",
        thinking=True,
    ),
    Model(
        "anthropic.claude-opus-4-5-20251101-v1:0",
        "claude-opus-4-5-20251101",
        64000,
        profiles=("us", "eu", "global"),
        profile_only=True,
        title="Claude Opus 4.5",
        thinking=True,
    ),
    Model("anthropic.claude-v2", "claude-2.0", 4096, text_completions=True, title="Claude 2"),
    Model("anthropic.claude-v2:1", "claude-2.1", 4096, text_completions=True, title="Claude 2.1"),
    Model("anthropic.claude-instant-v1", "claude-instant-1.2", 4096, text_completions=True, title="Claude Instant"),
)


class Catalogue:
    def __init__(self, models: Iterable[Model] = CATALOGUE) -> None:
        self._by_id = {model.model_id: model for model in models}

    def __iter__(self) -> Iterator[Model]:
        return iter(self._by_id.values())

    def model_behind(self, model_id: str) -> Model | None:
        """The catalogue's model a base id, inference-profile id or ARN names, without the checks `resolve` makes
        (a profile prefix the model lacks, on-demand use); None when it names none of them."""
        arn = _ARN.fullmatch(model_id)
        candidate = arn.group(2) if arn is not None else model_id
        if candidate in self._by_id:
            return self._by_id[candidate]
        prefix, _, base = candidate.partition(".")
        return self._by_id.get(base) if prefix in PROFILE_PREFIXES else None

    def resolve(self, model_id: str, operation: str | None = None) -> Model:
        """Maps a model id, ARN or inference-profile id to a model, with Bedrock's errors for the ones it refuses."""
        candidate, via_profile = model_id, False
        arn = _ARN.fullmatch(model_id)
        if arn is not None:
            candidate = arn.group(2)
            if arn.group(1) == "inference-profile" and candidate in self._by_id:
                raise validation_error(INVALID_MODEL_ID)
        model = self._by_id.get(candidate)
        if model is None:
            prefix, _, base = candidate.partition(".")
            model = self._by_id.get(base)
            if model is None or prefix not in model.profiles:
                raise validation_error(INVALID_MODEL_ID)
            via_profile = True
        if model.profile_only and not via_profile and operation != COUNT_TOKENS:
            raise validation_error(ON_DEMAND_UNSUPPORTED.format(model_id=model.model_id))
        return model
