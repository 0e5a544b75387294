"""Bedrock Runtime's error shapes: the modeled errors, their status codes and stream names."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

# The errors botocore's service model declares for Bedrock Runtime's operations (MODELED_ERRORS below).
ModeledErrorName = Literal[
    "AccessDeniedException",
    "ValidationException",
    "ServiceQuotaExceededException",
    "ConflictException",
    "ResourceNotFoundException",
    "ModelTimeoutException",
    "ThrottlingException",
    "ModelNotReadyException",
    "ModelErrorException",
    "ModelStreamErrorException",
    "InternalServerException",
    "ServiceUnavailableException",
]
# The errors AWS's front end answers before the service sees a request (UNMODELED_ERRORS below).
UnmodeledErrorName = Literal[
    "UnrecognizedClientException",
    "InvalidSignatureException",
    "MissingAuthenticationTokenException",
    "UnknownOperationException",
]
ErrorName = Literal[ModeledErrorName, UnmodeledErrorName]
# The errors that can also arrive inside an event stream, as the lowerCamel member of its output union that the
# exception frame names (`:exception-type`).
StreamErrorMember = Literal[
    "validationException",
    "modelTimeoutException",
    "throttlingException",
    "modelStreamErrorException",
    "internalServerException",
    "serviceUnavailableException",
]


@dataclass(frozen=True)
class ErrorKind:
    name: ErrorName
    status: int
    default_message: str
    # lowerCamel member name when the error can also arrive as an event-stream exception frame
    stream_member: StreamErrorMember | None = None


_KINDS = [
    ErrorKind("AccessDeniedException", 403, "You don't have access to the model with the specified model ID."),
    ErrorKind(
        "ValidationException",
        400,
        "Malformed input request, please reformat your input and try again.",
        "validationException",
    ),
    ErrorKind(
        "ServiceQuotaExceededException",
        400,
        "Your request exceeds the service quota for your account. You can view your quotas at "
        "Viewing service quotas. You can resubmit your request later.",
    ),
    ErrorKind("ConflictException", 400, "The request could not be completed because of a conflict."),
    ErrorKind("ResourceNotFoundException", 404, "The specified resource ARN was not found."),
    ErrorKind("ModelTimeoutException", 408, "Model has timed out in processing the request.", "modelTimeoutException"),
    ErrorKind("ThrottlingException", 429, "Too many requests, please wait before trying again.", "throttlingException"),
    ErrorKind("ModelNotReadyException", 429, "Model is not ready to serve inference requests."),
    ErrorKind("ModelErrorException", 424, "The model returned an error."),
    ErrorKind("ModelStreamErrorException", 424, "The model stream returned an error.", "modelStreamErrorException"),
    ErrorKind("InternalServerException", 500, "The server encountered an internal error.", "internalServerException"),
    ErrorKind(
        "ServiceUnavailableException", 503, "The service is temporarily unavailable.", "serviceUnavailableException"
    ),
]

MODELED_ERRORS: dict[str, ErrorKind] = {kind.name: kind for kind in _KINDS}

# Errors AWS's front end raises before the service sees the request; SDKs know them only by name.
UNMODELED_ERRORS: dict[str, ErrorKind] = {
    kind.name: kind
    for kind in [
        ErrorKind("UnrecognizedClientException", 403, "The security token included in the request is invalid."),
        ErrorKind(
            "InvalidSignatureException",
            403,
            "The request signature we calculated does not match the signature you provided. "
            "Check your AWS Secret Access Key and signing method. Consult the service documentation for details.",
        ),
        ErrorKind("MissingAuthenticationTokenException", 403, "Missing Authentication Token"),
        ErrorKind("UnknownOperationException", 404, "The requested operation is not recognized by the service."),
    ]
}


class BedrockError(Exception):
    """An error reply: rendered by the app as status, X-Amzn-ErrorType and {"message": ...}."""

    def __init__(self, name: ErrorName, message: str | None = None, **extra: object) -> None:
        kind = MODELED_ERRORS.get(name) or UNMODELED_ERRORS.get(name)
        if kind is None:
            raise ValueError(f"unknown Bedrock error type {name!r}; known: {', '.join(error_names())}")
        super().__init__(message or kind.default_message)
        self.kind = kind
        self.message = message or kind.default_message
        self.extra = extra

    @property
    def status(self) -> int:
        return self.kind.status

    def body(self) -> dict[str, object]:
        body: dict[str, object] = {"message": self.message}
        if self.kind.name == "ModelErrorException":
            body.update(originalStatusCode=500, resourceName="stub")
        elif self.kind.name == "ModelStreamErrorException":
            body.update(originalStatusCode=500, originalMessage=self.message)
        body.update(self.extra)
        return body


def validation_error(message: str) -> BedrockError:
    return BedrockError("ValidationException", message)


def malformed_input(*violations: str) -> BedrockError:
    """The message Bedrock's JSON-schema check gives, one or several violations."""
    if len(violations) == 1:
        detail = violations[0]
    else:
        detail = f"#: {len(violations)} schema violations found" + "".join(violations)
    return validation_error(f"Malformed input request: {detail}, please reformat your input and try again.")


def error_names() -> list[str]:
    return list(MODELED_ERRORS)
