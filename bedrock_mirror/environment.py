"""The environment every sample runs in: the stub's endpoint, dummy credentials, nothing of the caller's AWS."""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path

from bedrock_stub import Credentials

from .java_runtime import with_java

REGION = "us-east-1"
ENDPOINT_VARIABLE = "AWS_ENDPOINT_URL_BEDROCK_RUNTIME"
# Besides every AWS_* variable: variables through which an SDK could still find real credentials or endpoints.
_ALSO_SCRUBBED = ("BOTO_CONFIG", "AMAZON_CONFIG", "CONTAINER_CREDENTIALS_FULL_URI", "ECS_CONTAINER_METADATA_URI")


def scrubbed(base: Mapping[str, str], *, java_21: bool = True) -> dict[str, str]:
    """The caller's environment without any variable of its AWS setup (and, unless `java_21` is false, with a Java 21
    or later on PATH, where the harness has one and the caller's is older: java_runtime.py)."""
    kept = {
        name: value
        for name, value in base.items()
        if not name.upper().startswith("AWS_") and name.upper() not in _ALSO_SCRUBBED
    }
    return with_java(kept) if java_21 else kept


def write_dummy_aws_files(home: Path, credentials: Credentials, region: str = REGION) -> tuple[Path, Path]:
    """A config and a credentials file with only a [default] profile holding the stub's dummy keys and region."""
    aws_dir = home / ".aws"
    aws_dir.mkdir(parents=True, exist_ok=True)
    keys = f"aws_access_key_id = {credentials.access_key_id}\naws_secret_access_key = {credentials.secret_access_key}\n"
    config = aws_dir / "config"
    config.write_text(f"[default]\nregion = {region}\n{keys}", encoding="utf-8")
    shared_credentials = aws_dir / "credentials"
    shared_credentials.write_text(f"[default]\n{keys}", encoding="utf-8")
    return config, shared_credentials


def sample_environment(
    endpoint_url: str,
    credentials: Credentials,
    home: Path,
    base: Mapping[str, str] | None = None,
    region: str = REGION,
) -> dict[str, str]:
    """What a sample process sees: DESIGN.md's contract, so that no run can reach a real AWS account. `region` is
    the one the sample's code signs for (an SDK that takes its region from the environment signs for it too)."""
    env = scrubbed(os.environ if base is None else base)
    config, shared_credentials = write_dummy_aws_files(home, credentials, region)
    no_proxy = ",".join(filter(None, [env.get("NO_PROXY", ""), "127.0.0.1,localhost,::1"]))
    env.update(
        {
            ENDPOINT_VARIABLE: endpoint_url,
            "AWS_ACCESS_KEY_ID": credentials.access_key_id,
            "AWS_SECRET_ACCESS_KEY": credentials.secret_access_key,
            "AWS_REGION": region,
            "AWS_DEFAULT_REGION": region,
            "AWS_CONFIG_FILE": str(config),
            "AWS_SHARED_CREDENTIALS_FILE": str(shared_credentials),
            # No instance-metadata look-ups: they would only slow a run down, and are a way out of the sandbox.
            "AWS_EC2_METADATA_DISABLED": "true",
            # An empty home of its own, so that no SDK finds the caller's ~/.aws, SSO caches or login state.
            "HOME": str(home),
            "LANG": "C.UTF-8",
            "LC_ALL": "C.UTF-8",
            "PYTHONUTF8": "1",
            "NO_PROXY": no_proxy,
            "no_proxy": no_proxy,
        }
    )
    return env
