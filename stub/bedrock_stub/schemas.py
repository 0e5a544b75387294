"""JSON Schemas in requests: tool input schemas, forced tool choice and structured output, checked and answered.

What the request may say, and where the facts come from:
- A tool's input schema (Converse `toolSpec.inputSchema.json`, a Messages body's `input_schema`) must be JSON Schema
  (draft 2020-12, as Claude's tool-use documentation requires) whose top level is an object. The top-level rule is
  Bedrock's own check: "The value at toolConfig.tools.0.toolSpec.inputSchema.json.type must be one of the following:
  object." Any other invalid schema is refused by Claude: "tools.0.custom.input_schema: JSON schema is invalid. It
  must match JSON Schema draft 2020-12 (https://json-schema.org/draft/2020-12). Learn more about tool use at
  https://docs.claude.com/en/docs/tool-use." (Converse puts it behind "The model returned the following errors: ").
  The check itself is the `jsonschema` library's meta-schema validation.
- `strict: true` on a tool (service model `ToolSpecification.strict`) makes the model's input conform to the schema:
  a scripted tool call for a strict tool is validated against it.
- `toolChoice` (service model `ToolChoice`, a union of `auto`, `any` and `tool` {name}): `any` and `tool` force a tool
  call, and Claude then writes no text before it (Anthropic's "Forcing tool use"). A forced call that no rule
  scripts gets an input generated from the tool's schema. Claude refuses forced tool use with thinking on: "Thinking
  may not be enabled when tool_choice forces tool use." (Anthropic's extended-thinking notes).
- `outputConfig.textFormat` (service model `OutputFormat`: type `json_schema`, `structure.jsonSchema.schema`, a JSON
  Schema as a string): the reply's text is JSON that validates against the schema. A scripted text is checked
  against it; without one, the text is generated from the schema.

A scripted reply that breaks its request's schema is the script's mistake, not the caller's: it is answered as
ModelErrorException (the model failed), with a message that says which rule of the schema it broke.
"""

from __future__ import annotations

import json
import re
import sys
from dataclasses import dataclass, field
from typing import Any

from .errors import BedrockError, validation_error
from .replies import Reply, ToolCall

if sys.version_info >= (3, 11):
    from re import _parser as _regex_parser
else:  # pragma: no cover - 3.10 names the same parser sre_parse
    import sre_parse as _regex_parser

INVALID_SCHEMA = (
    "{where}: JSON schema is invalid. It must match JSON Schema draft 2020-12 "
    "(https://json-schema.org/draft/2020-12). Learn more about tool use at https://docs.claude.com/en/docs/tool-use."
)
FORCED_WITH_THINKING = "Thinking may not be enabled when tool_choice forces tool use."
# How deep a generated instance may go: a recursive schema must still produce a finite answer.
_MAX_DEPTH = 12


@dataclass(frozen=True)
class Constraints:
    """What a request asks of the reply's shape."""

    tools: dict[str, dict[str, Any]] = field(default_factory=dict)  # every declared tool's input schema, by name
    strict_tools: frozenset[str] = frozenset()
    forced_tool: str | None = None  # the tool the reply must call; "" for `any` (the first tool)
    text_schema: dict[str, Any] | None = None  # structured output: the reply's text validates against it

    @property
    def forces_tool(self) -> bool:
        return self.forced_tool is not None


NO_CONSTRAINTS = Constraints()


def checked_schema(schema: Any, *, where: str, model_where: str, prefix: str = "") -> dict[str, Any]:
    """A tool input schema, or Bedrock's 400: `where` names it as Bedrock does, `model_where` as Claude does."""
    if not isinstance(schema, dict) or schema.get("type") != "object":
        raise validation_error(f"The value at {where}.type must be one of the following: object.")
    return valid_schema(schema, model_where=model_where, prefix=prefix)


def valid_schema(schema: Any, *, model_where: str, prefix: str = "") -> dict[str, Any]:
    if not isinstance(schema, dict):
        raise validation_error(prefix + INVALID_SCHEMA.format(where=model_where))
    from jsonschema.validators import Draft202012Validator  # imported on the first schema: it is slow to import

    try:
        Draft202012Validator.check_schema(schema)
        # Compiling every pattern and resolving every reference is the rest of "is this a schema we can use".
        Draft202012Validator(schema).is_valid(None)
    except Exception:  # SchemaError, an unresolvable reference, a pattern that is not a regex, a schema too deep
        raise validation_error(prefix + INVALID_SCHEMA.format(where=model_where)) from None
    return schema


def violation(instance: Any, schema: dict[str, Any]) -> str | None:
    """The first way `instance` breaks `schema`, or None when it validates."""
    from jsonschema import exceptions as schema_errors
    from jsonschema.validators import Draft202012Validator

    try:
        error = schema_errors.best_match(Draft202012Validator(schema).iter_errors(instance))
    except Exception as exc:  # a schema that only fails on this instance (a deep reference, say)
        return f"the schema could not be applied: {type(exc).__name__}"
    if error is None:
        return None
    where = "/".join(str(part) for part in error.absolute_path) or "(root)"
    return f"at {where}: {error.message}"


def script_mismatch(what: str, problem: str) -> BedrockError:
    return BedrockError(
        "ModelErrorException", f"The scripted {what} does not match the request's schema {problem}. Fix the rule."
    )


def instance_for(schema: dict[str, Any]) -> Any:
    """A small value that validates against `schema`, as a model would fill it in: required members first."""
    return _instance(schema, schema, 0)


def generated(schema: dict[str, Any], what: str) -> Any:
    """An instance of the schema, or ModelErrorException when the stub cannot build one (an unsatisfiable schema,
    or one beyond what `instance_for` builds): a rule can script the value instead."""
    instance = instance_for(schema)
    problem = violation(instance, schema)
    if problem is not None:
        raise BedrockError(
            "ModelErrorException",
            f"The stub could not build a {what} that fits the request's schema ({problem}). Script it with a rule.",
        )
    return instance


def _resolve(schema: dict[str, Any], root: dict[str, Any]) -> dict[str, Any]:
    reference = schema.get("$ref")
    if isinstance(reference, str) and reference.startswith("#/"):
        target: Any = root
        for part in reference[2:].split("/"):
            target = target.get(part.replace("~1", "/").replace("~0", "~"), {}) if isinstance(target, dict) else {}
        return {**target, **{key: value for key, value in schema.items() if key != "$ref"}}
    return schema


def _instance(schema: Any, root: dict[str, Any], depth: int) -> Any:
    if not isinstance(schema, dict):
        return None
    schema = _resolve(schema, root)
    if "const" in schema:
        return schema["const"]
    if isinstance(schema.get("enum"), list) and schema["enum"]:
        return schema["enum"][0]
    if "default" in schema:
        return schema["default"]
    if isinstance(schema.get("examples"), list) and schema["examples"]:
        return schema["examples"][0]
    for key in ("anyOf", "oneOf"):
        options = schema.get(key)
        if isinstance(options, list) and options:
            # A non-null option first: `Optional[X]` in pydantic is anyOf [X, null].
            chosen = next((item for item in options if _resolve(item, root).get("type") != "null"), options[0])
            return _instance(chosen, root, depth + 1)
    if isinstance(schema.get("allOf"), list) and schema["allOf"]:
        merged: dict[str, Any] = {}
        for part in schema["allOf"]:
            merged.update(_resolve(part, root) if isinstance(part, dict) else {})
        return _instance({**merged, **{k: v for k, v in schema.items() if k != "allOf"}}, root, depth + 1)
    kind = schema.get("type")
    if isinstance(kind, list):
        kind = next((item for item in kind if item != "null"), kind[0] if kind else None)
    if kind is None:
        kind = "object" if "properties" in schema else "string"
    if kind == "object":
        properties = schema.get("properties") if isinstance(schema.get("properties"), dict) else {}
        required = [name for name in schema.get("required", []) if isinstance(name, str)]
        names = required + [name for name in properties if name not in required] if depth < _MAX_DEPTH else required
        return {name: _instance(properties.get(name, {}), root, depth + 1) for name in names}
    if kind == "array":
        count = schema.get("minItems", 1 if depth < _MAX_DEPTH else 0)
        items = schema.get("items", {})
        return [_instance(items, root, depth + 1) for _ in range(count if isinstance(count, int) else 0)]
    if kind in ("integer", "number"):
        return _number(schema, integer=kind == "integer")
    if kind == "boolean":
        return True
    if kind == "null":
        return None
    return _string(schema)


def _number(schema: dict[str, Any], *, integer: bool) -> int | float:
    low = schema.get("minimum", schema.get("exclusiveMinimum"))
    high = schema.get("maximum", schema.get("exclusiveMaximum"))
    value: float = 1
    if isinstance(low, (int, float)):
        value = low + (1 if "exclusiveMinimum" in schema and "minimum" not in schema else 0)
    elif isinstance(high, (int, float)):
        value = min(value, high - (1 if "exclusiveMaximum" in schema and "maximum" not in schema else 0))
    multiple = schema.get("multipleOf")
    if isinstance(multiple, (int, float)) and multiple > 0:
        value = -(-value // multiple) * multiple
    return int(value) if integer else value


_FORMATTED = {
    "date-time": "2026-01-01T00:00:00Z",
    "date": "2026-01-01",
    "time": "00:00:00Z",
    "email": "someone@example.com",
    "uri": "https://example.com/",
    "uuid": "00000000-0000-4000-8000-000000000000",
    "ipv4": "192.0.2.1",
}


def _string(schema: dict[str, Any]) -> str:
    text = _FORMATTED.get(str(schema.get("format")), "stub")
    pattern = schema.get("pattern")
    if isinstance(pattern, str):
        text = _matching(pattern, text)
    low = schema.get("minLength")
    if isinstance(low, int) and len(text) < low:
        text = text + "x" * (low - len(text))
    high = schema.get("maxLength")
    if isinstance(high, int) and len(text) > high:
        text = text[: max(high, 0)]
    return text


def parse_text_schema(raw: Any, *, where: str, prefix: str = "") -> dict[str, Any]:
    """`outputConfig.textFormat.structure.jsonSchema.schema`: a JSON Schema sent as a string."""
    if not isinstance(raw, str):
        raise validation_error(
            f"1 validation error detected: Value at '{where}' failed to satisfy constraint: Member must be a string"
        )
    try:
        schema = json.loads(raw)
    except (ValueError, RecursionError):
        raise validation_error(f"The value at {where} is not valid JSON.") from None
    return valid_schema(schema, model_where="output_format.schema", prefix=prefix)


def fit_reply(reply: Reply, constraints: Constraints, *, scripted: bool) -> Reply:
    """The reply as the request's tool choice and output format shape it; a scripted one is checked against them."""
    if reply.error is not None:
        return reply
    call = reply.tool_use
    if call is None and constraints.forces_tool:
        name = constraints.forced_tool or next(iter(constraints.tools))
        call = ToolCall(name, generated(constraints.tools.get(name, {"type": "object"}), f"input of the tool {name}"))
    if call is not None:
        if call.name in constraints.strict_tools:
            problem = violation(call.input, constraints.tools[call.name])
            if problem is not None:
                raise script_mismatch(f"input of the strict tool {call.name}", problem)
        # A forced call comes without text before it.
        text = "" if constraints.forces_tool else reply.text
        return Reply(text=text, tool_use=call, reasoning=reply.reasoning)
    if constraints.text_schema is None:
        return reply
    if not scripted:
        return Reply(text=json.dumps(generated(constraints.text_schema, "text")), reasoning=reply.reasoning)
    try:
        document = json.loads(reply.text)
    except ValueError:
        raise script_mismatch("text", "(it is not JSON)") from None
    problem = violation(document, constraints.text_schema)
    if problem is not None:
        raise script_mismatch("text", problem)
    return reply


def _matching(pattern: str, fallback: str) -> str:
    """A short string that `pattern` matches (searched for, as JSON Schema's `pattern` is), built from Python's own
    parse of the expression; the fallback when the expression holds what this walk does not build."""
    try:
        candidate = _build(_regex_parser.parse(pattern))
    except Exception:
        return fallback
    return candidate if re.search(pattern, candidate) else fallback


def _build(parsed: Any) -> str:
    out = []
    for op, value in parsed:
        name = str(op)
        if name == "LITERAL":
            out.append(chr(value))
        elif name == "NOT_LITERAL":
            out.append("a" if value != ord("a") else "b")
        elif name == "ANY":
            out.append("a")
        elif name == "IN":
            out.append(_in_class(value))
        elif name in ("MAX_REPEAT", "MIN_REPEAT", "POSSESSIVE_REPEAT"):
            low, _high, item = value
            out.append(_build(item) * low)
        elif name == "SUBPATTERN":
            out.append(_build(value[-1]))
        elif name == "ATOMIC_GROUP":
            out.append(_build(value))
        elif name == "BRANCH":
            out.append(_build(value[1][0]))
        elif name in ("AT", "ASSERT", "ASSERT_NOT"):
            continue
        else:
            raise ValueError(name)
    return "".join(out)


_CATEGORY_SAMPLES = {"CATEGORY_DIGIT": "0", "CATEGORY_WORD": "a", "CATEGORY_SPACE": " "}


def _in_class(items: Any) -> str:
    if items and str(items[0][0]) == "NEGATE":
        excluded = _build_class_chars(items[1:])
        return next(char for char in "aA0_-x " if char not in excluded)
    for op, value in items:
        name = str(op)
        if name == "LITERAL":
            return chr(value)
        if name == "RANGE":
            return chr(value[0])
        if name == "CATEGORY" and str(value) in _CATEGORY_SAMPLES:
            return _CATEGORY_SAMPLES[str(value)]
    raise ValueError("character class")


def _build_class_chars(items: Any) -> set[str]:
    chars: set[str] = set()
    for op, value in items:
        if str(op) == "LITERAL":
            chars.add(chr(value))
        elif str(op) == "RANGE":
            chars.update(chr(code) for code in range(value[0], min(value[1], value[0] + 256) + 1))
        elif str(op) == "CATEGORY" and str(value) in _CATEGORY_SAMPLES:
            chars.update({"CATEGORY_DIGIT": "0123456789", "CATEGORY_WORD": "aA0_", "CATEGORY_SPACE": " "}[str(value)])
    return chars
