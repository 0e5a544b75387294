"""The operations the stub serves, one record each, as botocore's service model declares them.

Source: botocore's `data/bedrock-runtime/2023-09-30/service-2.json` (shipped inside botocore). Each operation's
`http.requestUri` is `/model/{modelId}/<segment>`; its `errors` list gives the modelled errors it may answer with;
a streaming operation's output union (`ResponseStream` for InvokeModelWithResponseStream, `ConverseStreamOutput`
for ConverseStream) lists the errors that may also arrive inside the stream, as lowerCamel members. The two unions
differ: only InvokeModelWithResponseStream's carries `modelTimeoutException`. tests/test_stub_converse.py holds
this table equal to the installed service model, so routing, faults and the CLI never drift from it.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final, Literal
from urllib.parse import unquote

from .errors import ModeledErrorName, StreamErrorMember

# The operations on `/model/{modelId}/<segment>`, one row of OPERATIONS each.
ModelOperationName = Literal[
    "InvokeModel", "InvokeModelWithResponseStream", "Converse", "ConverseStream", "CountTokens"
]
# Every operation the stub answers: those, and ApplyGuardrail on `/guardrail/{id}/version/{version}/apply`.
OperationName = Literal[ModelOperationName, "ApplyGuardrail"]

INVOKE_MODEL: Final = "InvokeModel"
INVOKE_MODEL_STREAM: Final = "InvokeModelWithResponseStream"
CONVERSE: Final = "Converse"
CONVERSE_STREAM: Final = "ConverseStream"
COUNT_TOKENS: Final = "CountTokens"
APPLY_GUARDRAIL: Final = "ApplyGuardrail"

_COMMON_ERRORS: tuple[ModeledErrorName, ...] = (
    "AccessDeniedException",
    "ThrottlingException",
    "ResourceNotFoundException",
    "InternalServerException",
    "ServiceUnavailableException",
    "ValidationException",
)
_INFERENCE_ERRORS: tuple[ModeledErrorName, ...] = (
    *_COMMON_ERRORS,
    "ModelTimeoutException",
    "ModelNotReadyException",
    "ModelErrorException",
)


@dataclass(frozen=True)
class Operation:
    name: ModelOperationName
    segment: str  # the last segment of `/model/{modelId}/<segment>`
    streams: bool
    errors: tuple[ModeledErrorName, ...]  # modelled errors answered as HTTP errors
    stream_errors: tuple[StreamErrorMember, ...] = ()  # lowerCamel members of the output union that are errors

    def stream_member(self, error: str) -> StreamErrorMember | None:
        """The stream member an error arrives as on this operation, or None if it can only be an HTTP error."""
        wanted = error[:1].lower() + error[1:]
        return next((member for member in self.stream_errors if member == wanted), None)


OPERATIONS: dict[str, Operation] = {
    operation.name: operation
    for operation in (
        Operation(INVOKE_MODEL, "invoke", False, (*_INFERENCE_ERRORS, "ServiceQuotaExceededException")),
        Operation(
            INVOKE_MODEL_STREAM,
            "invoke-with-response-stream",
            True,
            (*_INFERENCE_ERRORS, "ServiceQuotaExceededException", "ModelStreamErrorException"),
            (
                "internalServerException",
                "modelStreamErrorException",
                "validationException",
                "throttlingException",
                "modelTimeoutException",
                "serviceUnavailableException",
            ),
        ),
        Operation(CONVERSE, "converse", False, _INFERENCE_ERRORS),
        Operation(
            CONVERSE_STREAM,
            "converse-stream",
            True,
            _INFERENCE_ERRORS,
            (
                "internalServerException",
                "modelStreamErrorException",
                "validationException",
                "throttlingException",
                "serviceUnavailableException",
            ),
        ),
        Operation(COUNT_TOKENS, "count-tokens", False, _COMMON_ERRORS),
    )
}
OPERATION_NAMES: tuple[ModelOperationName, ...] = tuple(operation.name for operation in OPERATIONS.values())
BY_SEGMENT: dict[str, Operation] = {operation.segment: operation for operation in OPERATIONS.values()}
STREAMING_OPERATIONS = frozenset(name for name, operation in OPERATIONS.items() if operation.streams)


@dataclass(frozen=True)
class GuardrailRef:
    """The guardrail and version an ApplyGuardrail request names in its path."""

    identifier: str
    version: str

    def __str__(self) -> str:
        return f"{self.identifier} version {self.version}"


def guardrail_path(raw_path: str) -> GuardrailRef | None:
    """The guardrail of ApplyGuardrail's `/guardrail/{guardrailIdentifier}/version/{guardrailVersion}/apply` (its
    `http.requestUri`; an ARN identifier arrives percent-encoded), or None for any other path."""
    segments = raw_path.split("?", 1)[0].split("/")
    if len(segments) == 6 and segments[1] == "guardrail" and segments[3] == "version" and segments[5] == "apply":
        return GuardrailRef(unquote(segments[2]), unquote(segments[4]))
    return None
