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
  invoke the model and takes either form. One older recording disagrees for 3.5 Haiku: InvokeModel on its base id
  answered 200 in us-east-1 on 2025-03-18 (traceloop/openllmetry, packages/opentelemetry-instrumentation-bedrock/
  tests/traces/cassettes/test_anthropic/test_prompt_cache.yaml); the later report of the refusal
  (strands-agents/samples#145, 2025-08-20) is the newer evidence, and the stub follows it.
- Extended thinking (`thinking: {"type": "enabled", "budget_tokens": N}`): Claude 3.7 Sonnet and the Claude 4
  family (Sonnet 4, Opus 4, Opus 4.1, Sonnet 4.5, Haiku 4.5, Opus 4.5), per Anthropic's "Building with extended
  thinking" page ("Supported models") and AWS's "Extended thinking" section of the Bedrock user guide's Anthropic
  Claude parameters. Older models do not know the key and refuse it as any unknown key.
- The 4.6 generation and later (ids without a date: Anthropic's "Model IDs and versions" page says Opus 4.6 is the
  last Bedrock id with a `-v1` suffix, `anthropic.claude-opus-4-6-v1`, and the ids from Sonnet 4.6 on drop it;
  AWS's model cards, "model-card-anthropic-claude-<name>", decide where clients disagree):
  - Opus 4.6 `anthropic.claude-opus-4-6-v1`, 128,000 output tokens, profiles global/us/eu/jp/apac (Anthropic's
    "Claude on Amazon Bedrock" model table, 2026);
  - Sonnet 4.6 `anthropic.claude-sonnet-4-6`, 64,000, profiles global/us/eu/jp/au (the same table; `au.` from
    AWS's inference-profile list as LiteLLM's catalogue carries it). strands-agents' default `Agent()` calls
    `global.anthropic.claude-sonnet-4-6`;
  - Opus 4.7 `anthropic.claude-opus-4-7` (AWS's model card; some clients wrongly add `-v1` or an `apac.` profile),
    128,000, profiles global/us/eu/jp/au;
  - Opus 4.8 `anthropic.claude-opus-4-8`, 128,000, profiles global/us/eu/jp/au (AWS's model card and Anthropic's
    "Claude in Amazon Bedrock" regions, May 2026);
  - Sonnet 5 `anthropic.claude-sonnet-5` (June 2026), 128,000, profiles global/us only (AWS's model card, checked
    by clients with `list-inference-profiles`: `eu.` answers "Model not found");
  - Opus 5 `anthropic.claude-opus-5` (July 2026), 128,000, profiles global/us/eu/au and us-gov.
  All of them answer only through a profile: the base id gets the on-demand error (reported for each in client
  trackers, e.g. zed-industries/zed#60378 for Sonnet 5). Every one of them takes the `thinking` key;
  Opus 4.7 and later, and Sonnet 5, take only adaptive thinking (`adaptive_only`): `{"type": "enabled"}` gets a
  ValidationException, '"thinking.type.enabled" is not supported for this model. Use "thinking.type.adaptive" and
  "output_config.effort" to control thinking behavior.' (AWS's model cards; the same text from Bedrock in client
  trackers: anthropics/claude-code#63546 for Opus 4.8 through InvokeModel, earendil-works/pi#7081 and
  openclaw/openclaw#125886 for Opus 5 through Converse, behind "The model returned the following errors: ").
  Opus 4.7, Opus 4.8, Sonnet 5 and Opus 5, and Fable 5 and Opus 5.5 below, default `thinking.display` to
  "omitted" (`omits_thinking`: the thinking block comes back empty but signed; models.py names the reports of
  real Bedrock traffic).
- The releases after Opus 5 (AWS's model cards, "model-card-anthropic-claude-<name>", each naming a 1M-token
  context window, 128K output tokens and adaptive thinking only; the profiles are those clients call, where the
  card's profile table was not at hand):
  - Fable 5 `anthropic.claude-fable-5` (June 2026), `inferenceTypesSupported: ["INFERENCE_PROFILE"]` from
    GetFoundationModel and Converse answered in us-west-2 (danny-avila/LibreChat#13628); profiles global/us
    (andisearch/airun v2.6.0, LiteLLM's tests); thinking omitted by default (lobehub/lobehub#17620);
  - Fable 5.1 `anthropic.claude-fable-5-1` (September 2026), profiles global/us (clients' configurations);
  - Opus 5.5 `anthropic.claude-opus-5-5` (September 2026), `inferenceTypesSupported: ["INFERENCE_PROFILE"]` and
    the `jp.` and `global.` profiles from list-foundation-models and list-inference-profiles in ap-northeast-1,
    called through Converse (dev.classmethod.jp, "bedrock-claude-opus-5-5", 2026-09-23); `us.` and `au.` as
    clients call them; thinking omitted by default (stdapi-ai/stdapi.ai#285);
  - Sonnet 5.5 `anthropic.claude-sonnet-5-5` (September 2026) with `us.` (the AI SDK's Bedrock ids,
    @ai-sdk/amazon-bedrock 5.0.99) and `global.` (clients' pricing tables); it refuses a thinking budget;
  - Haiku 5.5 `anthropic.claude-haiku-5-5` (October 2026) with `us.` (@ai-sdk/amazon-bedrock 5.0.109), which
    takes no thinking budget either;
  - Fable 5.2 `anthropic.claude-fable-5-2` (November 2026) with `us.` (@ai-sdk/amazon-bedrock 3.0.145).
  No recording was found of the default display of Fable 5.1 and 5.2, Sonnet 5.5 or Haiku 5.5: they keep the
  summarized default until one is (a models file sets `omits_thinking`). Not modelled, for want of Bedrock's
  words: that Fable and the 5.5 models refuse `thinking: {"type": "disabled"}` and think when the key is absent
  (as Opus 5 and Sonnet 5 do), and their narrower sampling ranges. Newer releases are a models file away: see
  `load_models_file`.
- Retirements are not modelled: the mirror's samples call Claude 2 and Claude 3 models by design, and AWS's
  lifecycle pages (model-lifecycle-legacy) list several of the catalogue's older models as Legacy or past their
  end-of-life date (Claude 3.5 Haiku's model card: end of life 2026-06-19).
- Profile prefixes `jp.` and `au.` (Japan and Australia, AWS's inference-profile page from late 2025): Sonnet 4.5
  and Haiku 4.5 and Opus 4.5 have `jp.` (client checks against `list-inference-profiles`, langgenius
  dify-official-plugins#3667); Haiku 4.5 also `au.`.
- ARNs: `arn:aws:bedrock:<region>::foundation-model/<base id>` and
  `arn:aws:bedrock:<region>:<account>:inference-profile/<profile id>`, as the service model's
  `ConversationalModelId` pattern spells them.
"""

from __future__ import annotations

import dataclasses
import json
import re
import sys
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - Python 3.10 has no tomllib: a models file is JSON there
    tomllib = None

from .errors import validation_error
from .operations import COUNT_TOKENS, ModelOperationName

INVALID_MODEL_ID = "The provided model identifier is invalid."
ON_DEMAND_UNSUPPORTED = (
    "Invocation of model ID {model_id} with on-demand throughput isn't supported. "
    "Retry your request with the ID or ARN of an inference profile that contains this model."
)
PROFILE_PREFIXES = ("us", "eu", "apac", "jp", "au", "global", "us-gov")
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
    adaptive_only: bool = False  # refuses `thinking.type` "enabled": adaptive thinking only
    omits_thinking: bool = False  # `thinking.display` defaults to "omitted": thinking blocks come back empty


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
        profiles=("us", "eu", "jp", "global"),
        profile_only=True,
        title="Claude Sonnet 4.5",
        thinking=True,
    ),
    Model(
        "anthropic.claude-haiku-4-5-20251001-v1:0",
        "claude-haiku-4-5-20251001",
        64000,
        profiles=("us", "eu", "jp", "au", "global"),
        profile_only=True,
        title="Claude Haiku 4.5",
        thinking=True,
    ),
    Model(
        "anthropic.claude-opus-4-5-20251101-v1:0",
        "claude-opus-4-5-20251101",
        64000,
        profiles=("us", "eu", "jp", "global"),
        profile_only=True,
        title="Claude Opus 4.5",
        thinking=True,
    ),
    Model(
        "anthropic.claude-opus-4-6-v1",
        "claude-opus-4-6",
        128000,
        profiles=("global", "us", "eu", "jp", "apac"),
        profile_only=True,
        title="Claude Opus 4.6",
        thinking=True,
    ),
    Model(
        "anthropic.claude-sonnet-4-6",
        "claude-sonnet-4-6",
        64000,
        profiles=("global", "us", "eu", "jp", "au"),
        profile_only=True,
        title="Claude Sonnet 4.6",
        thinking=True,
    ),
    Model(
        "anthropic.claude-opus-4-7",
        "claude-opus-4-7",
        128000,
        profiles=("global", "us", "eu", "jp", "au"),
        profile_only=True,
        title="Claude Opus 4.7",
        thinking=True,
        adaptive_only=True,
        omits_thinking=True,
    ),
    Model(
        "anthropic.claude-opus-4-8",
        "claude-opus-4-8",
        128000,
        profiles=("global", "us", "eu", "jp", "au"),
        profile_only=True,
        title="Claude Opus 4.8",
        thinking=True,
        adaptive_only=True,
        omits_thinking=True,
    ),
    Model(
        "anthropic.claude-sonnet-5",
        "claude-sonnet-5",
        128000,
        profiles=("global", "us"),
        profile_only=True,
        title="Claude Sonnet 5",
        thinking=True,
        adaptive_only=True,
        omits_thinking=True,
    ),
    Model(
        "anthropic.claude-opus-5",
        "claude-opus-5",
        128000,
        profiles=("global", "us", "eu", "au", "us-gov"),
        profile_only=True,
        title="Claude Opus 5",
        thinking=True,
        adaptive_only=True,
        omits_thinking=True,
    ),
    Model(
        "anthropic.claude-fable-5",
        "claude-fable-5",
        128000,
        profiles=("global", "us"),
        profile_only=True,
        title="Claude Fable 5",
        thinking=True,
        adaptive_only=True,
        omits_thinking=True,
    ),
    Model(
        "anthropic.claude-fable-5-1",
        "claude-fable-5-1",
        128000,
        profiles=("global", "us"),
        profile_only=True,
        title="Claude Fable 5.1",
        thinking=True,
        adaptive_only=True,
    ),
    Model(
        "anthropic.claude-opus-5-5",
        "claude-opus-5-5",
        128000,
        profiles=("global", "us", "jp", "au"),
        profile_only=True,
        title="Claude Opus 5.5",
        thinking=True,
        adaptive_only=True,
        omits_thinking=True,
    ),
    Model(
        "anthropic.claude-sonnet-5-5",
        "claude-sonnet-5-5",
        128000,
        profiles=("global", "us"),
        profile_only=True,
        title="Claude Sonnet 5.5",
        thinking=True,
        adaptive_only=True,
    ),
    Model(
        "anthropic.claude-haiku-5-5",
        "claude-haiku-5-5",
        128000,
        profiles=("us",),
        profile_only=True,
        title="Claude Haiku 5.5",
        thinking=True,
        adaptive_only=True,
    ),
    Model(
        "anthropic.claude-fable-5-2",
        "claude-fable-5-2",
        128000,
        profiles=("us",),
        profile_only=True,
        title="Claude Fable 5.2",
        thinking=True,
        adaptive_only=True,
    ),
    Model("anthropic.claude-v2", "claude-2.0", 4096, text_completions=True, title="Claude 2"),
    Model("anthropic.claude-v2:1", "claude-2.1", 4096, text_completions=True, title="Claude 2.1"),
    Model("anthropic.claude-instant-v1", "claude-instant-1.2", 4096, text_completions=True, title="Claude Instant"),
)


_PREFIX = re.compile(r"[a-z]+(?:-[a-z]+)*")
_MODEL_ID = re.compile(r"[a-z0-9-]+\.[A-Za-z0-9._:-]+")
# Each field's declared type, as written in `Model` (a string under postponed annotations).
_FIELD_TYPES: dict[str, str] = {field.name: str(field.type) for field in dataclasses.fields(Model)}


def _model_field(model_id: str, key: str, value: Any) -> Any:
    """One field of a models-file entry, checked against the type `Model` declares for it."""
    kind = _FIELD_TYPES[key]
    if kind == "bool":
        if not isinstance(value, bool):
            raise ValueError(f"{model_id}: `{key}` must be true or false")
        return value
    if kind == "int":
        if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= 10_000_000:
            raise ValueError(f"{model_id}: `{key}` must be a whole number from 1 to 10000000")
        return value
    if key == "profiles":
        if not isinstance(value, list) or not all(isinstance(p, str) and _PREFIX.fullmatch(p) for p in value):
            raise ValueError(f'{model_id}: `profiles` must be a list of prefixes such as "us" or "global"')
        return tuple(value)
    if not isinstance(value, str) or not value or len(value) > 200:
        raise ValueError(f"{model_id}: `{key}` must be a non-empty string")
    return value


def models_from_document(document: Any, base: Iterable[Model] = CATALOGUE) -> list[Model]:
    """The catalogue `base` with a models document's entries applied: an entry whose `model_id` is already there
    overrides the fields it names, any other adds a model (it needs `max_output_tokens`; `name`, the `model` field
    of a Messages reply, defaults to the id without its provider prefix, as Claude's 4.6-and-later ids go)."""
    if not isinstance(document, Mapping) or set(document) != {"models"} or not isinstance(document["models"], list):
        raise ValueError("a models file holds an object with one key, `models`, a list of models")
    by_id = {model.model_id: model for model in base}
    for index, entry in enumerate(document["models"]):
        if not isinstance(entry, Mapping) or not isinstance(entry.get("model_id"), str):
            raise ValueError(f"models[{index}] must be an object with a `model_id` string")
        model_id = entry["model_id"]
        if not _MODEL_ID.fullmatch(model_id) or len(model_id) > 200:
            raise ValueError(f"models[{index}]: {model_id!r} is not a model id such as anthropic.claude-sonnet-4-6")
        unknown = sorted(set(entry) - set(_FIELD_TYPES))
        if unknown:
            raise ValueError(f"{model_id}: unknown fields {unknown}; a model has {sorted(_FIELD_TYPES)}")
        fields = {key: _model_field(model_id, key, value) for key, value in entry.items() if key != "model_id"}
        existing = by_id.get(model_id)
        if existing is not None:
            by_id[model_id] = dataclasses.replace(existing, **fields)
            continue
        if "max_output_tokens" not in fields:
            raise ValueError(f"{model_id}: a model the catalogue lacks needs `max_output_tokens`")
        fields.setdefault("name", model_id.partition(".")[2])
        fields.setdefault("title", model_id)
        by_id[model_id] = Model(model_id=model_id, **fields)
    return list(by_id.values())


def load_models_file(path: Path, base: Iterable[Model] = CATALOGUE) -> list[Model]:
    """The catalogue with a JSON or TOML models file applied (by its suffix; anything but .toml is JSON)."""
    raw = path.read_bytes()
    if path.suffix.lower() == ".toml":
        if tomllib is None:
            raise ValueError("TOML models files need Python 3.11 or later (tomllib); use JSON instead")
        document = tomllib.loads(raw.decode("utf-8"))
    else:
        document = json.loads(raw)
    return models_from_document(document, base)


class Catalogue:
    def __init__(self, models: Iterable[Model] = CATALOGUE) -> None:
        self._by_id = {model.model_id: model for model in models}
        # A models file may bring a prefix of its own; every prefix a model has names a profile.
        self._prefixes = frozenset(PROFILE_PREFIXES).union(*(model.profiles for model in self._by_id.values()))

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
        return self._by_id.get(base) if prefix in self._prefixes else None

    def resolve(self, model_id: str, operation: ModelOperationName | None = None) -> Model:
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
