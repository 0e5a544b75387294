"""Guardrails: the ones the stub knows, when they intervene, and what Converse, InvokeModel and ApplyGuardrail say.

A guardrail is defined on the stub (`Stub.add_guardrail`) with the words it blocks, as a guardrail's word filter
does: a text that holds one intervenes. Shapes come from botocore's service model:
- Converse/ConverseStream `guardrailConfig` {guardrailIdentifier, guardrailVersion, trace: enabled|disabled|
  enabled_full}: the input (the `guardContent` blocks if the request has any, else every message and the system
  prompt) is assessed before the model, its answer after. An intervention answers the guardrail's blocked message
  with `stopReason` `guardrail_intervened`; with trace on, the reply's `trace.guardrail` (`GuardrailTraceAssessment`:
  `inputAssessment` by guardrail id, or `modelOutput` and `outputAssessments`, and `actionReason`) says what was
  found, as a `wordPolicy.customWords` match; the stream carries it in its `metadata` event.
- InvokeModel's `X-Amzn-Bedrock-GuardrailIdentifier` / `-GuardrailVersion` / `-Trace` headers: the Messages reply
  carries `amazon-bedrock-guardrailAction` (`INTERVENED` or `NONE`, as AWS's guardrails guide for InvokeModel shows)
  and, with trace ENABLED, `amazon-bedrock-trace` {guardrail: ...}.
- `ApplyGuardrail` (`POST /guardrail/{guardrailIdentifier}/version/{guardrailVersion}/apply`): `source` INPUT or
  OUTPUT, `content` of text blocks; the reply's `action` (`GUARDRAIL_INTERVENED` or `NONE`), `outputs` (the blocked
  message), `assessments`, `usage` (`GuardrailUsage`'s required units) and `guardrailCoverage`.
- An identifier or version the stub does not know: ValidationException "The guardrail identifier or version
  provided in the request does not exist." (as Bedrock answers it, in many users' reports); one that breaks the
  service model's patterns (`GuardrailIdentifier`, `GuardrailVersion`): "The provided guardrail identifier is
  invalid." or Smithy's constraint message.
"""

from __future__ import annotations

import argparse
import re
import threading
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any, Literal

from .errors import BedrockError, validation_error
from .wire import parse_json_body, safe_text

UNKNOWN_GUARDRAIL = "The guardrail identifier or version provided in the request does not exist."
INVALID_IDENTIFIER = "The provided guardrail identifier is invalid."
DEFAULT_BLOCKED_MESSAGE = "Sorry, the model cannot answer this question."
ACTION_REASON = "Guardrail blocked."
_IDENTIFIER = re.compile(r"[a-z0-9]+|arn:aws(-[^:]+)?:bedrock:[a-z0-9-]{1,20}:[0-9]{12}:guardrail/([a-z0-9]+)")
_VERSION = re.compile(r"[1-9][0-9]{0,7}|DRAFT")
Trace = Literal["enabled", "disabled", "enabled_full"]
TRACES: tuple[Trace, ...] = ("enabled", "disabled", "enabled_full")
Source = Literal["INPUT", "OUTPUT"]


@dataclass(frozen=True)
class Guardrail:
    identifier: str
    versions: tuple[str, ...] = ("DRAFT",)
    blocked_words: tuple[str, ...] = ()
    blocked_input_message: str = DEFAULT_BLOCKED_MESSAGE
    blocked_output_message: str = DEFAULT_BLOCKED_MESSAGE

    def __post_init__(self) -> None:
        if not _IDENTIFIER.fullmatch(self.identifier):
            raise ValueError(f"{self.identifier!r} is not a guardrail id (lower-case letters and digits) or ARN")
        for version in self.versions:
            if not _VERSION.fullmatch(version):
                raise ValueError(f"{version!r} is not a guardrail version (DRAFT or 1 to 99999999)")

    def found(self, text: str) -> list[str]:
        """The blocked words in `text`, matched as whole words regardless of case."""
        return [word for word in self.blocked_words if re.search(rf"(?i)\b{re.escape(word)}\b", text)]

    def blocked_message(self, source: Source) -> str:
        return self.blocked_input_message if source == "INPUT" else self.blocked_output_message


@dataclass(frozen=True)
class Assessment:
    guardrail: Guardrail
    source: Source
    words: list[str]
    chars: int

    @property
    def intervened(self) -> bool:
        return bool(self.words)

    def policy(self) -> dict[str, Any]:
        """A `GuardrailAssessment`: the word policy's matches and the metrics of this check."""
        custom = [{"match": word, "action": "BLOCKED", "detected": True} for word in self.words]
        return {
            "wordPolicy": {"customWords": custom, "managedWordLists": []},
            "invocationMetrics": {
                "guardrailProcessingLatency": 1,
                "usage": usage(self.chars),
                "guardrailCoverage": {"textCharacters": {"guarded": self.chars, "total": self.chars}},
            },
        }


def usage(chars: int) -> dict[str, int]:
    """`GuardrailUsage`: a text unit is up to 1,000 characters (AWS's guardrails pricing), all in the word policy."""
    units = max(1, -(-chars // 1000)) if chars else 0
    return {
        "topicPolicyUnits": 0,
        "contentPolicyUnits": 0,
        "wordPolicyUnits": units,
        "sensitiveInformationPolicyUnits": 0,
        "sensitiveInformationPolicyFreeUnits": 0,
        "contextualGroundingPolicyUnits": 0,
    }


@dataclass
class Guardrails:
    """The guardrails a running stub knows; safe to change from any thread while it serves."""

    _by_id: dict[str, Guardrail] = field(default_factory=dict)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def add(self, guardrail: Guardrail) -> Guardrail:
        with self._lock:
            self._by_id[guardrail.identifier] = guardrail
        return guardrail

    def clear(self) -> None:
        with self._lock:
            self._by_id.clear()

    def find(self, identifier: Any, version: Any) -> Guardrail:
        """The guardrail an identifier (id or ARN) and version name, or Bedrock's ValidationException."""
        if not isinstance(identifier, str) or not identifier:
            raise validation_error(INVALID_IDENTIFIER)
        if not isinstance(version, str) or not _VERSION.fullmatch(version):
            raise validation_error(
                f"1 validation error detected: Value '{safe_text(str(version))}' at 'guardrailVersion' failed to "
                "satisfy constraint: Member must satisfy regular expression pattern: (|([1-9][0-9]{0,7})|(DRAFT))"
            )
        matched = _IDENTIFIER.fullmatch(identifier)
        if matched is None:
            raise validation_error(INVALID_IDENTIFIER)
        with self._lock:
            guardrail = self._by_id.get(identifier) or self._by_id.get(matched.group(2) or "")
        if guardrail is None or version not in guardrail.versions:
            raise validation_error(UNKNOWN_GUARDRAIL)
        return guardrail


@dataclass(frozen=True)
class GuardrailUse:
    """A request's guardrail and whether it asked for the trace."""

    guardrail: Guardrail
    trace: Trace = "disabled"

    def assess(self, source: Source, texts: Iterable[str]) -> Assessment:
        joined = "\n".join(texts)
        return Assessment(self.guardrail, source, self.guardrail.found(joined), len(joined))

    def trace_of(self, assessment: Assessment, model_output: str | None = None) -> dict[str, Any] | None:
        """The reply's `trace` ({guardrail: GuardrailTraceAssessment}), or None when the request did not ask."""
        if self.trace == "disabled":
            return None
        identifier = self.guardrail.identifier
        body: dict[str, Any] = {}
        if assessment.source == "INPUT":
            body["inputAssessment"] = {identifier: assessment.policy()}
        else:
            body["modelOutput"] = [model_output or ""]
            body["outputAssessments"] = {identifier: [assessment.policy()]}
        if assessment.intervened:
            body["actionReason"] = ACTION_REASON
        return {"guardrail": body}


@dataclass(frozen=True)
class Verdict:
    """What a request's guardrail did: whether it intervened, and the trace the reply carries (None: not asked)."""

    intervened: bool
    trace: dict[str, Any] | None


def _trace(value: object) -> Trace | None:
    return next((trace for trace in TRACES if trace == value), None)


def converse_guardrail(config: Any, guardrails: Guardrails) -> GuardrailUse | None:
    """A Converse request's `guardrailConfig`, checked against the guardrails the stub knows."""
    if config is None:
        return None
    if not isinstance(config, dict):
        raise validation_error(INVALID_IDENTIFIER)
    given = config.get("trace", "disabled")
    trace = _trace(given)
    if trace is None:
        raise validation_error(
            f"1 validation error detected: Value '{safe_text(str(given))}' at 'guardrailConfig.trace' failed to "
            f"satisfy constraint: Member must satisfy enum value set: [{', '.join(TRACES)}]"
        )
    guardrail = guardrails.find(config.get("guardrailIdentifier"), config.get("guardrailVersion"))
    return GuardrailUse(guardrail, trace)


def invoke_guardrail(first: dict[str, str], guardrails: Guardrails) -> GuardrailUse | None:
    """InvokeModel's guardrail headers, checked as Converse's `guardrailConfig` is."""
    identifier = first.get("x-amzn-bedrock-guardrailidentifier")
    version = first.get("x-amzn-bedrock-guardrailversion")
    if identifier is None and version is None:
        return None
    header = first.get("x-amzn-bedrock-trace") or "DISABLED"
    trace = _trace(header.lower())
    if trace is None:
        raise validation_error(
            f"1 validation error detected: Value '{safe_text(header.upper())}' at 'trace' failed to satisfy "
            "constraint: Member must satisfy enum value set: [ENABLED, DISABLED, ENABLED_FULL]"
        )
    return GuardrailUse(guardrails.find(identifier, version), trace)


def converse_input_texts(body: dict[str, Any]) -> list[str]:
    """What a guardrail assesses of a Converse request: its `guardContent` blocks, or else every text of it."""
    guarded: list[str] = []
    every: list[str] = []
    blocks = [block for block in body.get("system") or [] if isinstance(block, dict)]
    for message in body.get("messages") or []:
        blocks += [block for block in message.get("content") or [] if isinstance(block, dict)]
    for block in blocks:
        content = block.get("guardContent")
        if isinstance(content, dict) and isinstance(content.get("text"), dict):
            text = content["text"].get("text")
            if isinstance(text, str):
                guarded.append(text)
        elif isinstance(block.get("text"), str):
            every.append(block["text"])
    return guarded or every


def _not_json(violation: str) -> BedrockError:
    return validation_error(f"Request body is not valid JSON: {violation}")


def apply_guardrail(raw: bytes, identifier: str, version: str, guardrails: Guardrails) -> dict[str, Any]:
    """The ApplyGuardrail operation: the request checked, the content assessed, the reply built."""
    guardrail = guardrails.find(identifier, version)
    body = parse_json_body(
        raw, refuse=lambda violation: validation_error(f"Request body is not valid JSON: {violation}")
    )
    if not isinstance(body, dict):
        raise validation_error("Request body must be a JSON object.")
    source = body.get("source")
    if source not in ("INPUT", "OUTPUT"):
        raise validation_error(
            f"1 validation error detected: Value '{safe_text(str(source))}' at 'source' failed to satisfy constraint: "
            "Member must satisfy enum value set: [INPUT, OUTPUT]"
        )
    content = body.get("content")
    if not isinstance(content, list) or not content:
        raise validation_error(
            "1 validation error detected: Value at 'content' failed to satisfy constraint: Member must not be null"
        )
    texts = []
    for index, block in enumerate(content):
        text = block.get("text") if isinstance(block, dict) else None
        if isinstance(block, dict) and "image" in block:
            continue
        if not isinstance(text, dict) or not isinstance(text.get("text"), str):
            raise validation_error(f"The content block at content.{index} must hold text or an image.")
        texts.append(text["text"])
    assessment = GuardrailUse(guardrail).assess(source, texts)
    reply: dict[str, Any] = {
        "usage": usage(assessment.chars),
        "action": "GUARDRAIL_INTERVENED" if assessment.intervened else "NONE",
        "outputs": [{"text": guardrail.blocked_message(source)}] if assessment.intervened else [],
        "assessments": [assessment.policy()],
        "guardrailCoverage": {"textCharacters": {"guarded": assessment.chars, "total": assessment.chars}},
    }
    if assessment.intervened:
        reply["actionReason"] = ACTION_REASON
    return reply


def guardrail_option(spec: str) -> Guardrail:
    """A guardrail from the command line's `ID[:VERSION,...]=WORD,...` (argparse reports the ValueError's text)."""
    head, equals, words = spec.partition("=")
    identifier, colon, versions = head.partition(":")
    blocked = tuple(word.strip() for word in words.split(",") if word.strip())
    if not equals or not blocked:
        raise argparse.ArgumentTypeError(f"{spec!r}: expected ID[:VERSIONS]=WORDS, e.g. gr1abc:DRAFT,1=poker")
    chosen = tuple(version.strip() for version in versions.split(",")) if colon else ("DRAFT",)
    try:
        return Guardrail(identifier, chosen, blocked)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None
