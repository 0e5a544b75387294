"""Bedrock API keys: `Authorization: Bearer <key>`, checked as Bedrock checks them.

Facts, and where they come from:
- botocore's bedrock-runtime service model lists `smithy.api#httpBearerAuth` beside SigV4; botocore sends the key of
  `AWS_BEARER_TOKEN_BEDROCK` as `Authorization: Bearer <key>`, and only over HTTPS (`botocore.auth.BearerAuth`).
- Short-term keys are what AWS's generator builds (PyPI `aws-bedrock-token-generator` 1.1.0, `_generate_token`):
  `bedrock-api-key-` + base64 of a presigned SigV4 URL without its scheme,
  `bedrock.amazonaws.com/?Action=CallWithBearerToken&X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=<key id>/
  <date>/<region>/bedrock/aws4_request&X-Amz-Date=...&X-Amz-Expires=<seconds, at most 43200>&X-Amz-SignedHeaders=
  host[&X-Amz-Security-Token=...]&X-Amz-Signature=...`, then `&Version=1` appended after signing. The signature is
  botocore's `SigV4QueryAuth` over `POST /` with the host header `bedrock.amazonaws.com` and an empty body. The stub
  checks it against its own credentials, the regions it serves and the expiry.
- Long-term keys belong to an IAM user and start `ABSK` (AWS user guide, "api-keys"; clients' docs quote the two
  prefixes, e.g. accomplish-ai/coworker#121 and different-ai/openwork#3929); the stub accepts the ones it is given
  (`--api-key`, `Stub(api_keys=...)`).
- Refusals: 403 with `X-Amzn-ErrorType: AccessDeniedException` and a body whose key is `Message` (capital M, as
  Bedrock's API-key front end writes it): "Invalid API Key format: Must start with pre-defined prefix" for a token
  with neither prefix (farion1231/cc-switch#1679, different-ai/openwork#3929), and "Authentication failed: Please
  make sure your API Key is valid." for a key of the right form that Bedrock does not accept: expired, made for
  another region, or unknown (anomalyco/opencode#47073, ai4s-research/open-science#53); client test suites that
  decode these replies (a Rust Bedrock client's `api_key_rejections_are_authentication_failures`) pair both
  messages with that error type and status.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import time
from collections.abc import Collection
from urllib.parse import parse_qsl, quote

from .errors import BedrockError
from .sigv4 import SIGNING_SERVICE, SignatureStatus, _amz_date_epoch, _signer

SHORT_TERM_PREFIX = "bedrock-api-key-"
LONG_TERM_PREFIX = "ABSK"
TOKEN_HOST = "bedrock.amazonaws.com"
TOKEN_ACTION = "CallWithBearerToken"
TOKEN_VERSION = "1"
MAX_TOKEN_SECONDS = 43_200  # twelve hours, the generator's ceiling
# A short-term key is a few hundred characters (more with a session token); far beyond that it is not one.
MAX_KEY_CHARS = 8 * 1024
BAD_FORMAT = "Invalid API Key format: Must start with pre-defined prefix"
NOT_VALID = "Authentication failed: Please make sure your API Key is valid."
_EMPTY_BODY_SHA256 = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"


class ApiKeyRefusal(BedrockError):
    """AccessDeniedException as the API-key check answers it: `{"Message": ...}`."""

    def __init__(self, message: str) -> None:
        super().__init__("AccessDeniedException", message)

    def body(self) -> dict[str, object]:
        return {"Message": self.message}


def check_short_term_key(
    key: str,
    access_key_id: str,
    secret_access_key: str,
    session_token: str | None,
    regions: Collection[str] | None,
    now: float | None = None,
) -> SignatureStatus | None:
    """None if `key` is a short-term key signed with these credentials for a served region and still valid;
    otherwise why not (for the journal; the client gets NOT_VALID whatever the reason)."""
    try:
        url = base64.b64decode(key[len(SHORT_TERM_PREFIX) :], validate=True).decode("utf-8")
    except (binascii.Error, UnicodeDecodeError, ValueError):
        return "not-base64"
    host, separator, query = url.partition("/?")
    if host != TOKEN_HOST or not separator:
        return "another-host"
    pairs = parse_qsl(query, keep_blank_values=True)
    fields = dict(pairs)
    if len(fields) != len(pairs):
        return "malformed"
    if fields.pop("Version", None) != TOKEN_VERSION or fields.get("Action") != TOKEN_ACTION:
        return "another-action"
    signature = fields.pop("X-Amz-Signature", "")
    if fields.get("X-Amz-Algorithm") != "AWS4-HMAC-SHA256" or fields.get("X-Amz-SignedHeaders") != "host":
        return "malformed"
    scope = fields.get("X-Amz-Credential", "").split("/")
    if len(scope) != 5 or scope[4] != "aws4_request":
        return "malformed"
    scope_key_id, scope_date, scope_region, service, _ = scope
    if service != SIGNING_SERVICE:
        return "another-service"
    if scope_key_id != access_key_id:
        return "unknown-access-key"
    if fields.get("X-Amz-Security-Token") != session_token:
        return "unknown-session-token"
    if regions is not None and scope_region not in regions:
        return "wrong-region"
    amz_date = fields.get("X-Amz-Date", "")
    signed_at = _amz_date_epoch(amz_date)
    expires = fields.get("X-Amz-Expires", "")
    if signed_at is None or scope_date != amz_date[:8] or not expires.isdigit():
        return "malformed"
    if not 0 < int(expires) <= MAX_TOKEN_SECONDS:
        return "malformed"
    if (time.time() if now is None else now) > signed_at + int(expires):
        return "expired"
    # The canonical query re-encodes every field but the signature, sorted, as botocore's presigner does.
    canonical_query = "&".join(
        f"{quote(name, safe='-_.~')}={quote(value, safe='-_.~')}" for name, value in sorted(fields.items())
    )
    canonical = f"POST\n/\n{canonical_query}\nhost:{TOKEN_HOST}\n\nhost\n{_EMPTY_BODY_SHA256}"
    scope_text = f"{scope_date}/{scope_region}/{SIGNING_SERVICE}/aws4_request"
    digest = hashlib.sha256(canonical.encode()).hexdigest()
    expected = _signer(secret_access_key, scope_date, scope_region).sign(
        f"AWS4-HMAC-SHA256\n{amz_date}\n{scope_text}\n{digest}".encode()
    )
    return None if hmac.compare_digest(expected, signature) else "mismatch"
